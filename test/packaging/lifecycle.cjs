'use strict';
/**
 * The stream lifecycle and crypto-shredding surface of the packed nestjs-dynamo-es, as both
 * packaging apps run it after the round trip (round-trip.cjs), against the same tables: a soft
 * delete read back empty, `maxCount` retention, `StreamDeleted` in a projection and in
 * `replayAll`, personal data sealed with a local key and forgotten, and the `StreamPurger`
 * provider purging what the retention retired. Handed the packages as the app loaded them, like
 * the round trip; plain JavaScript, decorators applied by calling them.
 */
const within = require('./within.cjs');

module.exports = async function lifecycle({ common, core, cqrs, es }, { clientConfig, tablePrefix, id }) {
  const { Inject, Injectable, Module } = common;
  const { NestFactory } = core;
  const { CqrsModule } = cqrs;
  const { DataSubject, DynamoEventSourcingModule, EventStore, EventType, NO_STREAM, PersonalData, Projection, ProjectionHandler, REDACTED, StreamDeleted, StreamPurger } = es;

  class NoteTaken {
    constructor(text) {
      this.text = text;
    }
  }
  EventType('packaging.note-taken')(NoteTaken);

  // A customer's e-mail address is sealed with the customer's data key: legacy decorators on fields, as `experimentalDecorators` compiles them.
  class CustomerRegistered {
    constructor(customerId, email) {
      this.customerId = customerId;
      this.email = email;
    }
  }
  DataSubject()(CustomerRegistered.prototype, 'customerId');
  PersonalData()(CustomerRegistered.prototype, 'email');
  EventType('packaging.customer-registered')(CustomerRegistered);

  // A read model that forgets deleted streams: the feed delivers each deletion as a StreamDeleted event.
  class Deletions {
    constructor() {
      this.seen = new Map(); // by stream: delivery is at least once
      this.handled = new Promise((resolve) => (this.resolveHandled = resolve));
    }
    record(event, envelope) {
      this.seen.set(envelope.streamId, { streamId: envelope.streamId, instance: event.constructor.name, mode: event.mode, deletedVersion: event.deletedVersion });
      this.resolveHandled();
    }
  }
  Injectable()(Deletions);

  class DeletionsProjection {
    constructor(deletions) {
      this.deletions = deletions;
    }
    onStreamDeleted(event, envelope) {
      this.deletions.record(event, envelope);
    }
  }
  Inject(Deletions)(DeletionsProjection, undefined, 0);
  ProjectionHandler(StreamDeleted)(DeletionsProjection.prototype, 'onStreamDeleted', Object.getOwnPropertyDescriptor(DeletionsProjection.prototype, 'onStreamDeleted'));
  Projection('packaging-deletions')(DeletionsProjection);

  class AppModule {}
  Module({
    imports: [
      CqrsModule.forRoot(),
      DynamoEventSourcingModule.forRoot({
        clientConfig,
        tablePrefix,
        tableSetup: 'create',
        events: [NoteTaken, CustomerRegistered],
        // No trusted stream ends (a head read before each append), so the purge fence can be its shortest: a short purge.
        boundaryCache: false,
        lifecycle: { purgeFenceMs: 500 },
        // A local wrapping key: the app has no @aws-sdk/client-kms installed, and needs none.
        personalData: { keysTable: 'keys', wrapping: { localKey: Buffer.alloc(32, 7).toString('base64') } },
      }),
    ],
    providers: [Deletions, DeletionsProjection],
  })(AppModule);

  const app = await NestFactory.createApplicationContext(AppModule, { logger: ['error', 'warn'] });
  try {
    const store = app.get(EventStore);
    const readAll = async (streamId) => {
      const envelopes = [];
      for await (const envelope of store.read(streamId)) envelopes.push(envelope);
      return envelopes;
    };

    // Soft delete: the stream reads as empty at once; the feed delivers the deletion.
    const deletedStream = `notes-${id}`;
    await store.append(deletedStream, [new NoteTaken('a'), new NoteTaken('b')], { expectedVersion: NO_STREAM });
    const deleteReport = await store.deleteStream(deletedStream, { expectedVersion: 2 });
    const readAfterDelete = await readAll(deletedStream);

    // Retention: only the newest maxCount events are read; the purger then deletes the others (after its fence).
    const keptStream = `journal-${id}`;
    // One commit per event: a purge deletes whole commits (one item each), never part of one.
    for (let version = 1; version <= 5; version++) await store.append(keptStream, [new NoteTaken(`${version}`)], { expectedVersion: version - 1 });
    const metadata = await store.setStreamMetadata(keptStream, { maxCount: 2 });
    const kept = (await readAll(keptStream)).map((envelope) => ({ version: envelope.version, text: envelope.event.text }));
    const purger = app.get(StreamPurger);
    const purgeReport = await purger.purge({ streamIds: [keptStream] });

    // Crypto-shredding: plain before, the marker once the subject is forgotten.
    const customer = `customer-${id}`;
    await store.append(customer, [new CustomerRegistered(id, 'ada@example.com')], { expectedVersion: NO_STREAM });
    const [before] = await readAll(customer);
    const forgetReport = await store.forgetSubject(id);
    const [after] = await readAll(customer);

    // The projection got the deletion; once it is indexed, a replay of the feed filtered by type finds it too.
    const deletions = app.get(Deletions);
    await within(deletions.handled, 30_000, () => 'The projection handled no StreamDeleted');
    const replayedDeletions = [];
    await store.replayAll(
      (envelope) => {
        if (envelope.streamId === deletedStream) replayedDeletions.push({ instance: envelope.event.constructor.name, mode: envelope.event.mode, deletedVersion: envelope.event.deletedVersion });
      },
      { pageSize: 100, eventTypes: [StreamDeleted] },
    );

    return {
      deleted: { report: summary(deleteReport), read: readAfterDelete.length, metadata: await store.getStreamMetadata(deletedStream) },
      retention: { metadata, kept, purger: purger instanceof StreamPurger, purge: summary(purgeReport), afterPurge: (await readAll(keptStream)).map((envelope) => envelope.version) },
      shredded: {
        before: { instance: before.event.constructor.name, email: before.event.email },
        report: summary(forgetReport),
        after: { instance: after.event.constructor.name, customerId: after.event.customerId, email: after.event.email, redacted: after.event.email === REDACTED },
      },
      projected: [...deletions.seen.values()],
      replayedDeletions,
    };
  } finally {
    await app.close();
  }
};

/** An erasure report without its times: what it did, where, how often. */
function summary(report) {
  return {
    operation: report.operation,
    streamId: report.streamId,
    subject: report.subject,
    mode: report.mode,
    actions: report.actions.map(({ what, count }) => ({ what, count })),
    timed: [report.requestedAt, report.completedAt, ...report.actions.map((action) => action.at)].every((at) => !Number.isNaN(Date.parse(at))),
    notes: report.notes.length > 0,
  };
}
