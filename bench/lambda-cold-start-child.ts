/**
 * One cold start (run by bench/lambda-cold-start.ts in a fresh Node process): imports the handler
 * module, invokes it with the recorded event, and prints, as one JSON line, the milliseconds from
 * the import to the first event handled and to the response.
 */
import { readFileSync } from 'node:fs';

const event = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as { Records: unknown[] };
const importedAt = performance.now();
const module = await import('./lambda-cold-start-handler.js');
const loadedAt = performance.now();
const response = await module.handler(event as never);
const answeredAt = performance.now();
process.stdout.write(
  `${JSON.stringify({
    processStartToImportMs: importedAt,
    importMs: loadedAt - importedAt,
    importToFirstEventMs: (module.firstHandled.at ?? NaN) - importedAt,
    importToResponseMs: answeredAt - importedAt,
    eventsHandled: module.firstHandled.count,
    failures: response.batchItemFailures.length,
  })}\n`,
);
