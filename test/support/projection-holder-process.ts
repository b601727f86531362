// Run in a child process by test/projections.takeover.spec.ts: one app instance that runs the
// takeover projection, says so on stdout, and goes on holding its lease until it is killed.
import 'reflect-metadata';
import { createProjectionApp, type ProjectionTables } from './projection-app.js';
import { TAKEOVER_PROJECTION, takeoverProjection } from './takeover-projection.js';

const tables = JSON.parse(process.env.HOLDER_TABLES!) as ProjectionTables;
const projection = takeoverProjection({ leaseTtlMs: Number(process.env.HOLDER_LEASE_TTL_MS), pollIntervalMs: Number(process.env.HOLDER_POLL_INTERVAL_MS) });
const app = await createProjectionApp(tables, { projections: [projection] });
while (app.manager.status(TAKEOVER_PROJECTION).state !== 'live') await new Promise((resolve) => setTimeout(resolve, 10));
process.stdout.write(`${JSON.stringify({ live: true, pid: process.pid })}\n`);
