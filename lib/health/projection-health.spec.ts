import { describe, expect, it } from '@jest/globals';
import type { PartitionStatus, ProjectionStatus } from '../projections/interfaces/projection-status.interface.js';
import { assessProjection, greatestLag, lagProblem } from './projection-health.js';

const status = (over: Partial<ProjectionStatus>): ProjectionStatus => ({ name: 'p', state: 'live', checkpoint: undefined, eventsHandled: 0, eventsSkipped: 0, ...over });
const partition = (index: number, over: Partial<PartitionStatus>): PartitionStatus => ({
  partition: index, owner: undefined, here: false, state: 'standby', checkpoint: undefined, eventsHandled: 0, eventsSkipped: 0, ...over,
});

describe('lagProblem', () => {
  it('names each threshold passed, and only those', () => {
    expect(lagProblem({ commits: 3, ms: 100 }, { maxLagMs: 100, maxLagCommits: 3 })).toBeUndefined();
    expect(lagProblem({ commits: 4, ms: 100 }, { maxLagCommits: 3 })).toBe("lagging: it is 4 commits behind the feed's head, over maxLagCommits 3");
    expect(lagProblem({ commits: 4, ms: 101 }, { maxLagMs: 100, maxLagCommits: 3 })).toMatch(/101 ms old, over maxLagMs 100, and it is 4 commits/);
  });

  it('does not judge a time it does not know, nor thresholds not given', () => {
    expect(lagProblem({ commits: 9, ms: undefined }, { maxLagMs: 0 })).toBeUndefined();
    expect(lagProblem({ commits: 9, ms: 9 }, {})).toBeUndefined();
  });
});

describe('greatestLag', () => {
  it('takes each measure on its own; undefined when none is known', () => {
    expect(greatestLag([{ commits: 5, ms: 10 }, undefined, { commits: 2, ms: 50 }, { commits: 1, ms: undefined }])).toEqual({ commits: 5, ms: 50 });
    expect(greatestLag([{ commits: 1, ms: undefined }])).toEqual({ commits: 1, ms: undefined });
    expect(greatestLag([undefined])).toBeUndefined();
  });
});

describe('assessProjection', () => {
  it('is down when failing or blocked, with the last error', () => {
    expect(assessProjection(status({ state: 'failing', lastError: new Error('boom') }), {}, 'instance').problem).toBe(
      'failing (retried from its last saved checkpoint, with backoff): boom',
    );
    expect(assessProjection(status({ state: 'blocked', lastError: new Error('run feed migrate') }), {}, 'instance').problem).toBe('blocked: run feed migrate');
  });

  it('judges the lag of a projection read here, and says when it is not known yet', () => {
    expect(assessProjection(status({ lag: { commits: 10, ms: 6000 } }), { maxLagMs: 5000 }, 'instance')).toMatchObject({ lag: { commits: 10, ms: 6000 }, problem: expect.stringMatching(/^lagging: /) });
    expect(assessProjection(status({ state: 'catching-up', lag: { commits: 1, ms: 10 } }), { maxLagMs: 5000 }, 'instance').problem).toBeUndefined();
    expect(assessProjection(status({}), { maxLagMs: 5000 }, 'instance')).toEqual({ state: 'live', note: expect.stringContaining('lag not known yet') });
  });

  it('is up with a note on standby, stopped or rebuilding, whatever the lag here', () => {
    for (const state of ['standby', 'stopped', 'rebuilding'] as const) {
      const report = assessProjection(status({ state, lag: { commits: 99, ms: 99_000 } }), { maxLagMs: 1 }, 'instance');
      expect(report.problem).toBeUndefined();
      expect(report.note).toBeDefined();
    }
  });

  it('partitioned, instance scope: the greatest lag of the partitions held here', () => {
    const partitioned = status({
      partitions: [
        partition(0, { here: true, state: 'live', lag: { commits: 2, ms: 100 } }),
        partition(1, { here: false, state: 'standby', lag: { commits: 50, ms: 90_000 } }),
        partition(2, { here: true, state: 'live', lag: { commits: 4, ms: 300 } }),
      ],
    });
    expect(assessProjection(partitioned, { maxLagMs: 200 }, 'instance')).toMatchObject({ partitions: { total: 3, here: 2 }, lag: { commits: 4, ms: 300 }, problem: expect.stringContaining('300 ms') });
  });

  it('app scope: judges the lag read from the tables even on standby, but not during a rebuild', () => {
    const standby = status({ state: 'standby' });
    expect(assessProjection(standby, { maxLagCommits: 5 }, 'app', { rebuilding: false, lag: { commits: 6, ms: 1 } }).problem).toMatch(/6 commits/);
    expect(assessProjection(standby, { maxLagCommits: 5 }, 'app', { rebuilding: true, lag: { commits: 6, ms: 1 } }).problem).toBeUndefined();
    expect(assessProjection(standby, { maxLagCommits: 5 }, 'app', { rebuilding: false, unknown: 'read failed' })).toEqual({ state: 'standby', note: 'lag not known: read failed' });
  });
});
