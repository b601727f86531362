/**
 * The record files of the instances of a multi-process partitioned projection test: each instance
 * appends one JSON line per handler call and per lease request it sees answered, with a synchronous
 * write, so that whatever it recorded before a SIGKILL is in the file (the kernel has it) and a
 * handler call is recorded before the checkpoint that covers it can be saved.
 */
import { closeSync, existsSync, openSync, readFileSync, writeSync } from 'node:fs';

/** A handler call: partition `p` (from the stream id), the lease this process last took for it (`o`, `e`), the event, when (real clock). */
export interface HandledRecord {
  readonly k: 'h';
  /** This process's count of handler calls (its order of calls). */
  readonly n: number;
  readonly p: number;
  readonly s: string;
  readonly v: number;
  /** The event's feed checkpoint. */
  readonly c: string;
  /** Owner and epoch of the lease this process last acquired for partition `p` and has not released; absent when it holds none. */
  readonly o?: string;
  readonly e?: number;
  readonly t: number;
}

/** A partition lease taken: owner, epoch, and the checkpoint stored at that moment (where this tenure starts). */
export interface AcquiredRecord {
  readonly k: 'a';
  readonly p: number;
  readonly o: string;
  readonly e: number;
  readonly c: string;
  readonly t: number;
}

/** A checkpoint save under a lease, and its outcome (`err`: the error's name when refused or failed). */
export interface SavedRecord {
  readonly k: 's';
  readonly p: number;
  readonly o: string;
  readonly e: number;
  readonly c: string;
  readonly ok: boolean;
  readonly err?: string;
  readonly t: number;
}

/** A lease given up (or the attempt, `ok` false when it was not ours any more). */
export interface ReleasedRecord {
  readonly k: 'r';
  readonly p: number;
  readonly o: string;
  readonly e: number;
  readonly ok: boolean;
  readonly t: number;
}

export type InstanceRecord = HandledRecord | AcquiredRecord | SavedRecord | ReleasedRecord;

/** Appends records to a file, each written before `write` returns. */
export class RecordFile {
  private readonly fd: number;

  constructor(path: string) {
    this.fd = openSync(path, 'a');
  }

  write(record: InstanceRecord): void {
    writeSync(this.fd, `${JSON.stringify(record)}\n`);
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** Every record of a file, in the order written (a line cut short by a SIGKILL mid-write is dropped: it was never complete). */
export function readRecords(path: string): InstanceRecord[] {
  if (!existsSync(path)) return [];
  const records: InstanceRecord[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line === '') continue;
    try {
      records.push(JSON.parse(line) as InstanceRecord);
    } catch {
      // only the very last line can be partial
    }
  }
  return records;
}
