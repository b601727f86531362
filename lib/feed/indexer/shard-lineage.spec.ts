import { describe, expect, it } from '@jest/globals';
import { planShards, type ListedShard } from './shard-lineage.js';

const seq = (n: number) => String(n).padStart(21, '0');
const open = (id: string, parent?: string): ListedShard => ({ ShardId: id, ParentShardId: parent, SequenceNumberRange: { StartingSequenceNumber: seq(1) } });
const closed = (id: string, parent?: string): ListedShard => ({ ShardId: id, ParentShardId: parent, SequenceNumberRange: { StartingSequenceNumber: seq(1), EndingSequenceNumber: seq(99) } });
const ids = (plan: ReturnType<typeof planShards>) => plan.readable.map((shard) => shard.shardId);

describe('Shard lineage', () => {
  it('reads every root shard of a fresh index from its oldest record', () => {
    const plan = planShards([open('a'), open('b')], {});
    expect(plan.readable).toEqual([
      { shardId: 'a', start: { type: 'TRIM_HORIZON' }, closed: false },
      { shardId: 'b', start: { type: 'TRIM_HORIZON' }, closed: false },
    ]);
    expect(plan).toMatchObject({ lost: [], dropped: [], waiting: [], orphans: [] });
  });

  it('starts a checkpointed shard after its sequence number', () => {
    expect(planShards([open('a')], { a: seq(7) }).readable).toEqual([{ shardId: 'a', start: { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: seq(7) }, closed: false }]);
  });

  it('holds a child back until its parent has been read to its end', () => {
    const shards = [closed('p'), open('c1', 'p'), open('c2', 'p')];
    const before = planShards(shards, { p: seq(5) });
    expect(ids(before)).toEqual(['p']);
    expect(before.readable[0]!.closed).toBe(true);
    expect(before.waiting).toEqual(['c1', 'c2']);
    // A parent not started at all holds its children back too (a fresh index reads the parent first).
    expect(planShards(shards, {}).waiting).toEqual(['c1', 'c2']);

    const after = planShards(shards, { p: 'end' });
    expect(ids(after)).toEqual(['c1', 'c2']);
    expect(after.finished).toEqual(['p']);
    expect(after.readable.every((shard) => shard.start.type === 'TRIM_HORIZON')).toBe(true);
  });

  it('holds back a grandchild until its own parent ends, whatever the grandparent did', () => {
    const shards = [closed('g'), closed('p', 'g'), open('c', 'p')];
    expect(ids(planShards(shards, { g: 'end' }))).toEqual(['p']);
    expect(ids(planShards(shards, { g: 'end', p: 'end' }))).toEqual(['c']);
  });

  it('drops the entries of finished shards that are no longer listed, losing nothing', () => {
    const plan = planShards([open('c', 'p')], { p: 'end', c: seq(3) });
    expect(plan.dropped).toEqual(['p']);
    expect(plan.lost).toEqual([]);
    expect(ids(plan)).toEqual(['c']);
    expect(plan.orphans).toEqual([]);
  });

  it('reports a checkpointed shard that vanished before its end as lost, drops it, and reads its children', () => {
    const plan = planShards([open('c', 'p'), open('x')], { p: seq(40), x: seq(2) });
    expect(plan.lost).toEqual([{ shardId: 'p', after: seq(40) }]);
    expect(plan.dropped).toEqual(['p']);
    expect(ids(plan)).toEqual(['c', 'x']);
  });

  it('reads a child whose parent is unknown: expired before a fresh index, or long finished', () => {
    const fresh = planShards([open('c', 'gone')], {});
    expect(ids(fresh)).toEqual(['c']);
    expect(fresh.orphans).toEqual([]);
    expect(fresh.lost).toEqual([]);

    const known = planShards([open('c', 'gone'), open('x')], { x: seq(9) });
    expect(ids(known)).toEqual(['c', 'x']);
    expect(known.lost).toEqual([]);
    expect(known.orphans).toEqual(['c']);
  });

  it('does not read finished shards that are still listed', () => {
    const plan = planShards([closed('p'), open('c', 'p')], { p: 'end', c: seq(4) });
    expect(plan.finished).toEqual(['p']);
    expect(plan.readable).toEqual([{ shardId: 'c', start: { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: seq(4) }, closed: false }]);
    expect(plan.dropped).toEqual([]);
  });
});
