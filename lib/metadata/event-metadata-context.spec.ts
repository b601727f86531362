import { describe, expect, it } from '@jest/globals';
import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import { EventMetadataContext } from './event-metadata-context.js';
import { rememberEnvelope } from './envelope-of.js';
import { WithCommandMetadata } from './with-command-metadata.decorator.js';

describe('EventMetadataContext', () => {
  it('is empty outside any scope', () => {
    expect(EventMetadataContext.current()).toBeUndefined();
  });

  it('carries the scope across awaits and timers, and drops it afterwards', async () => {
    const seen = await EventMetadataContext.run({ correlationId: 'c-1', causationId: 'k-1', metadata: { userId: 'u' } }, async () => {
      await new Promise((resolve) => setImmediate(resolve));
      return EventMetadataContext.current();
    });
    expect(seen).toEqual({ correlationId: 'c-1', causationId: 'k-1', metadata: { userId: 'u' } });
    expect(EventMetadataContext.current()).toBeUndefined();
  });

  it('nests: inner ids and keys win, the rest is inherited', () => {
    const inner = EventMetadataContext.run({ correlationId: 'c-1', causationId: 'k-1', metadata: { a: 1, b: 1 } }, () =>
      EventMetadataContext.run({ causationId: 'k-2', metadata: { b: 2 } }, () => EventMetadataContext.current()),
    );
    expect(inner).toEqual({ correlationId: 'c-1', causationId: 'k-2', metadata: { a: 1, b: 2 } });
  });

  it('keeps concurrent scopes apart', async () => {
    const read = (id: string) =>
      EventMetadataContext.run({ correlationId: id }, async () => {
        await new Promise((resolve) => setTimeout(resolve, id === 'a' ? 5 : 0));
        return EventMetadataContext.current()?.correlationId;
      });
    expect(await Promise.all([read('a'), read('b')])).toEqual(['a', 'b']);
  });

  it('refuses ids that are not non-empty strings and maps that are not objects or use reserved keys', () => {
    expect(() => EventMetadataContext.run({ correlationId: '' }, () => 1)).toThrow(InvalidArgumentError);
    expect(() => EventMetadataContext.run({ causationId: 7 as never }, () => 1)).toThrow(/causationId must be a string of 1 to 256 characters; got 7/);
    expect(() => EventMetadataContext.run({ metadata: [] as never }, () => 1)).toThrow(/metadata must be a JSON object/);
    expect(() => EventMetadataContext.run({ metadata: { $corr: 'x' } }, () => 1)).toThrow(/"\$corr", which is reserved/);
  });

  describe('forCommand', () => {
    it('makes the command the cause, and its correlation id (or its own id) the correlation', () => {
      expect(EventMetadataContext.forCommand({ commandId: 'cmd', correlationId: 'conv', causationId: 'evt' })).toEqual({ correlationId: 'conv', causationId: 'cmd' });
      expect(EventMetadataContext.forCommand({ commandId: 'cmd' })).toEqual({ correlationId: 'cmd', causationId: 'cmd' });
      expect(EventMetadataContext.forCommand({ correlationId: 'conv', causationId: 'evt' })).toEqual({ correlationId: 'conv', causationId: 'evt' });
      expect(EventMetadataContext.forCommand({})).toEqual({ correlationId: undefined, causationId: undefined });
    });

    it('lets a command without a correlation id join the conversation in progress', () => {
      const scope = EventMetadataContext.run({ correlationId: 'req-9' }, () => EventMetadataContext.forCommand({ commandId: 'cmd-1' }));
      expect(scope).toEqual({ correlationId: 'req-9', causationId: 'cmd-1' });
    });
  });

  describe('causedBy', () => {
    const envelope = (eventId: string, correlationId?: string) => ({
      event: {},
      eventType: 'T',
      eventId,
      streamId: 's',
      version: 1,
      occurredAt: new Date(),
      commitId: 'c',
      correlationId,
      causationId: undefined,
      metadata: {},
    });

    it('makes the event the cause and propagates its correlation id (or starts one with its id)', () => {
      expect(EventMetadataContext.causedBy(envelope('e-1', 'conv'))).toEqual({ correlationId: 'conv', causationId: 'e-1' });
      expect(EventMetadataContext.causedBy(envelope('e-2'))).toEqual({ correlationId: 'e-2', causationId: 'e-2' });
    });

    it('finds the envelope of an event the store has seen, and gives nothing for one it has not', () => {
      const known = envelope('e-3', 'conv');
      rememberEnvelope(known);
      expect(EventMetadataContext.causedBy(known.event)).toEqual({ correlationId: 'conv', causationId: 'e-3' });
      expect(EventMetadataContext.causedBy({})).toEqual({});
    });
  });
});

describe('@WithCommandMetadata()', () => {
  class Handler {
    readonly prefix = 'seen';
    @WithCommandMetadata()
    async execute(command: { commandId?: string; correlationId?: string }): Promise<string> {
      await Promise.resolve();
      const scope = EventMetadataContext.current();
      return `${this.prefix} ${scope?.correlationId}/${scope?.causationId}`;
    }
  }

  it('runs the method in the command\'s scope, with its own `this`', async () => {
    expect(await new Handler().execute({ commandId: 'cmd-1', correlationId: 'conv-1' })).toBe('seen conv-1/cmd-1');
    expect(EventMetadataContext.current()).toBeUndefined();
  });

  it('inherits the surrounding scope for what the command does not carry', async () => {
    const result = await EventMetadataContext.run({ correlationId: 'request-9', causationId: 'request-9' }, () => new Handler().execute({}));
    expect(result).toBe('seen request-9/request-9');
  });
});
