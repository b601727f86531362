import { ConcurrencyError } from '../../lib/index.js';

/**
 * Runs `attempt` again while it loses an optimistic-concurrency race (ConcurrencyError), up to
 * `attempts` times. For writes whose caller did not pin a version (a plain deposit, a saga's leg):
 * each attempt reloads the aggregate and re-checks the rules against its new state. Writes made
 * with an explicit expected version (If-Match) must not go through here: their conflict is the answer.
 */
export async function retryOnConflict<T>(attempt: () => Promise<T>, attempts = 10): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof ConcurrencyError) || tries >= attempts) throw error;
    }
  }
}
