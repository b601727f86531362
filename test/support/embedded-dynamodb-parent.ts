// Run in a child process by test/embedded-dynamodb.spec.ts: starts DynamoDB Local, says where, and
// stays until it is killed (the test SIGKILLs it, so no exit hook of it ever runs).
import { EmbeddedDynamoDb } from '../../lib/testing/embedded-dynamodb.js';

const dynamo = await EmbeddedDynamoDb.start();
process.stdout.write(`${JSON.stringify({ started: true, pid: dynamo.pid, endpoint: dynamo.endpoint })}\n`);
setInterval(() => undefined, 60_000); // keeps this process alive until it is killed
