import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from '@nestjs/common';
import { ProjectionLeaseHeldError } from '../../errors/projection-lease-held.error.js';
import { ProjectionPartitionsChangedError } from '../../errors/projection-partitions-changed.error.js';
import { ProjectionRebuildCutShortError } from '../../errors/projection-rebuild-cut-short.error.js';
import type { ProjectionDefinition } from '../projection-definitions.js';
import type { ProjectionRunner } from '../projection-runner.js';
import type { PartitionPolicy } from '../projection-runner-context.js';
import type { StoredPartition, ProjectionStore } from '../projection-store.js';
import { convertToPartitioned, forgetFormerLayouts, type LayoutConversion } from './layout-conversion.js';
import { fairShare, planHoldings } from './partition-plan.js';
import type { ProjectionMeta, ProjectionMetaStore } from './projection-meta-store.js';

/**
 * Shares a partitioned projection's partitions among the app instances that run it. Every third of
 * the lease TTL, each instance's coordinator renews its membership on the projection's meta item
 * (which also tells it the live members, the stored partition count and any rebuild claim), reads
 * the partition items, and decides which partitions this instance should hold: the ones it holds,
 * up to its fair share (the partition count divided by the live members, rounded up), plus free
 * ones (never held, released, or lapsed) up to that share. The runners act on it: a runner told to
 * let go saves, releases, and stands by; one told to hold takes the lease (a conditional write, so
 * two instances never hold one partition). An instance that dies stops renewing: its membership and
 * its leases lapse after `leaseTtlMs`, and the others' next round (within a third of it) takes its
 * partitions over.
 */
export class PartitionCoordinator {
  /** This instance's member id: host, process and a random part. */
  readonly member = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly wanted = new Set<number>();
  private blocked?: Error;
  private timer?: NodeJS.Timeout;
  private running = false;
  private round?: Promise<void>;
  /** What the last round read: the partition items, and the members that were live. */
  private view = new Map<string, StoredPartition>();
  private liveMembers = 1;
  private lapsed: string[] = [];
  private roundFailing = false;
  /** Until the first round has joined the membership (the second round, soon after, takes partitions). */
  private joining = false;
  /** This instance's rebuild holds every partition (see rebuild()): the rounds keep out of it. */
  rebuilding = false;

  constructor(
    private readonly definition: ProjectionDefinition,
    private readonly runners: readonly ProjectionRunner[],
    private readonly meta: ProjectionMetaStore,
    private readonly store: ProjectionStore,
    private readonly logger: Logger,
    private readonly layout: Omit<LayoutConversion, 'member' | 'leaseTtlMs'>,
  ) {}

  /** The say of this coordinator on partition `index`, for its runner. */
  policyFor(index: number): PartitionPolicy {
    return {
      mayHold: () => this.rebuilding || this.wanted.has(index),
      blockedBy: () => (this.rebuilding ? undefined : this.blocked),
    };
  }

  /** Starts the rounds (the first at once), unless they run already. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.joining = true;
    this.schedule(0);
  }

  /** Ends the rounds and leaves the membership, so that the others take the partitions over at their next round. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    clearTimeout(this.timer);
    await this.round;
    this.wanted.clear();
    try {
      await this.meta.leave(this.definition.name, this.member);
    } catch (error) {
      this.logger.warn(`Projection "${this.definition.name}" could not leave its membership (it lapses on its own): ${String(error)}`);
    }
  }

  /** The partition items and live members as the last round read them. */
  snapshot(): { readonly view: ReadonlyMap<string, StoredPartition>; readonly liveMembers: number; readonly wanted: ReadonlySet<number> } {
    return { view: this.view, liveMembers: this.liveMembers, wanted: this.wanted };
  }

  private schedule(delay: number): void {
    this.timer = setTimeout(() => {
      const joining = this.joining;
      this.round = this.runRound().finally(() => {
        this.round = undefined;
        const { leaseTtlMs } = this.definition;
        if (this.running) this.schedule(joining && !this.joining ? Math.min(JOIN_SETTLE_MS, leaseTtlMs / 3) : leaseTtlMs / 3);
      });
    }, delay);
  }

  private async runRound(): Promise<void> {
    const { name, partitions, leaseTtlMs } = this.definition;
    try {
      const now = Date.now();
      const beat = await this.meta.heartbeat(name, partitions, this.member, now + leaseTtlMs, this.lapsed);
      if (!beat.ok) return this.block(new ProjectionPartitionsChangedError(name, beat.partitionsStored, partitions));
      const meta = beat.meta;
      this.lapsed = lapsedMembers(meta, now, leaseTtlMs);
      this.liveMembers = Math.max(1, [...meta.members.values()].filter((expiresAt) => expiresAt >= now).length);
      if (this.rebuilding) return;
      if (meta.rebuildBy !== undefined && meta.rebuildBy !== this.member && meta.rebuildUntil >= now) {
        return this.setWanted(new Set()); // another instance rebuilds: give everything up, take nothing
      }
      if (meta.rebuilding) return this.block(new ProjectionRebuildCutShortError(name));
      if (this.blocked !== undefined) this.logger.log(`Projection "${name}" may run again.`);
      this.blocked = undefined;
      if (this.joining) {
        // The first round only joins: instances started together see each other before taking a share,
        // rather than the first taking every partition and giving half back a round later.
        this.joining = false;
        return;
      }
      this.view = await this.store.readAll(this.runners.map((runner) => runner.partition.key));
      const held = new Set(this.runners.filter((runner) => runner.holding).map((runner) => runner.partition.index));
      const free = this.runners
        .filter(({ partition }) => {
          const stored = this.view.get(partition.key);
          return !held.has(partition.index) && (stored?.owner === undefined || stored.expiresAt < now);
        })
        .map((runner) => runner.partition.index);
      this.setWanted(planHoldings({ partitions, held, free, pending: this.wanted, share: fairShare(partitions, this.liveMembers) }));
      if (this.roundFailing) this.logger.log(`Projection "${name}" reaches its meta item again.`);
      this.roundFailing = false;
    } catch (error) {
      // Holdings stay as they are: the runners' leases are renewed on their own, and lapse if DynamoDB stays out of reach.
      if (!this.roundFailing) this.logger.warn(`Projection "${name}" could not share out its partitions (retrying next round): ${String(error)}`);
      this.roundFailing = true;
    }
  }

  private block(error: Error): void {
    if (this.blocked?.message !== error.message) this.logger.error(`Projection "${this.definition.name}" does not run: ${error.message}`);
    this.blocked = error;
    this.setWanted(new Set());
  }

  private setWanted(next: ReadonlySet<number>): void {
    this.wanted.clear();
    for (const index of next) this.wanted.add(index);
    // Wake every runner whose holding differs from what it should be (also after a rebuild, which held them all).
    for (const runner of this.runners) {
      if (this.blocked !== undefined || runner.holding !== next.has(runner.partition.index)) runner.nudge();
    }
  }

  /**
   * Claims every partition for a rebuild run here (the other instances give theirs up at their next
   * round and take none while the claim stands), renewing the claim until `release` is called.
   * @throws ProjectionLeaseHeldError when another instance's rebuild claim stands.
   */
  async claimForRebuild(): Promise<{ release: () => Promise<void> }> {
    const { name, partitions, leaseTtlMs } = this.definition;
    const claimTtl = 3 * leaseTtlMs;
    const stored = await this.meta.read(name);
    if (stored !== undefined && stored.partitions === 1) {
      // Stored unpartitioned (0.4's layout, or `partitions: 1`): this rebuild splits it.
      await convertToPartitioned(name, partitions, { ...this.layout, member: this.member, leaseTtlMs });
    }
    // From another count (N > 1): the same write flags the projection (see claimForRebuild).
    const changeFrom = stored !== undefined && stored.partitions > 1 && stored.partitions !== partitions ? stored.partitions : undefined;
    if (!(await this.meta.claimForRebuild(name, partitions, this.member, Date.now() + claimTtl, changeFrom))) {
      const stored = await this.meta.read(name);
      if (stored !== undefined && stored.partitions !== partitions && stored.rebuildBy === undefined) {
        throw new ProjectionPartitionsChangedError(name, stored.partitions, partitions); // an unpartitioned projection's item: see README
      }
      throw new ProjectionLeaseHeldError(name, stored?.rebuildBy ?? '(another instance)', new Date(stored?.rebuildUntil ?? Date.now()));
    }
    this.rebuilding = true;
    this.blocked = undefined;
    let renewing: Promise<unknown> = Promise.resolve();
    const renewal = setInterval(() => {
      // Awaited by release(), so that a renewal in flight cannot set the claim again after it is released.
      renewing = this.meta.claimForRebuild(name, partitions, this.member, Date.now() + claimTtl).catch((error: unknown) => {
        this.logger.warn(`Projection "${name}" could not renew its rebuild claim: ${String(error)}`);
      });
    }, leaseTtlMs / 3);
    return {
      release: async () => {
        clearInterval(renewal);
        await renewing;
        this.rebuilding = false;
        await this.meta.releaseClaim(name, this.member);
        if (this.running) {
          // A round now, rather than in up to a third of the TTL: the others wait for the partitions.
          clearTimeout(this.timer);
          if (this.round === undefined) this.schedule(0);
        }
      },
    };
  }

  /** Under this instance's rebuild, after the reset: removes what a former layout left (see forgetFormerLayouts). */
  async forgetFormerLayouts(): Promise<void> {
    const { name, partitions, leaseTtlMs } = this.definition;
    await forgetFormerLayouts(name, partitions, { ...this.layout, member: this.member, leaseTtlMs });
  }

  /** Sets or clears the projection-wide `rebuilding` flag under this instance's claim. */
  async markRebuilding(rebuilding: boolean): Promise<void> {
    if (!(await this.meta.markRebuilding(this.definition.name, this.member, rebuilding))) {
      throw new ProjectionLeaseHeldError(this.definition.name, '(another instance took the rebuild over)', new Date());
    }
  }
}

/** After joining, the first share is taken this soon (or a third of the lease TTL, when shorter). */
const JOIN_SETTLE_MS = 1000;

/** Members whose heartbeat lapsed more than a TTL ago: removed from the meta item at the next heartbeat. */
function lapsedMembers(meta: ProjectionMeta, now: number, ttlMs: number): string[] {
  return [...meta.members].filter(([, expiresAt]) => expiresAt < now - ttlMs).map(([id]) => id).slice(0, 50);
}
