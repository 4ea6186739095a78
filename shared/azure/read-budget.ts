/**
 * ARM's read budget, kept on the client side: a token bucket per subscription (ARM throttles per
 * principal and subscription: 250 reads, refilling 25 per second; reference/FACTS.md). A GET waits
 * for a token instead of being sent to earn a 429, so a sweep of a large fleet spreads its reads
 * over time instead of bursting past the budget and retrying.
 */
import type { PipelinePolicy } from '@azure/core-rest-pipeline';

export interface ReadBudget {
  /** Reads a subscription may burst. */
  readonly burst: number;
  /** Tokens added per second. */
  readonly perSecond: number;
}

/** A little under ARM's bucket (250, 25/s): the margin absorbs reads made outside this client. */
export const ARM_READ_BUDGET: ReadBudget = { burst: 240, perSecond: 24 };

export const READ_BUDGET_POLICY_NAME = 'vaultlinkReadBudget';

interface Bucket {
  tokens: number;
  updatedAt: number;
  /** Waiters, first come first served. */
  tail: Promise<void>;
}

/** The policy, with its buckets (shared by every client that gets this instance). */
export function readBudgetPolicy(budget: ReadBudget, clock: () => number = () => Date.now(), sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms))): PipelinePolicy {
  if (!(budget.burst >= 1) || !(budget.perSecond > 0)) throw new RangeError(`read budget: burst must be ≥ 1 and perSecond > 0, got ${budget.burst} and ${budget.perSecond}`);
  const buckets = new Map<string, Bucket>();
  const take = async (key: string): Promise<void> => {
    let bucket = buckets.get(key);
    if (bucket === undefined) {
      bucket = { tokens: budget.burst, updatedAt: clock(), tail: Promise.resolve() };
      buckets.set(key, bucket);
    }
    const b = bucket;
    // one waiter at a time per bucket: readers are served in the order they asked
    const turn = b.tail.then(async () => {
      const now = clock();
      b.tokens = Math.min(budget.burst, b.tokens + ((now - b.updatedAt) / 1000) * budget.perSecond);
      b.updatedAt = now;
      if (b.tokens < 1) {
        const waitMs = ((1 - b.tokens) / budget.perSecond) * 1000;
        await sleep(waitMs);
        b.tokens = Math.min(budget.burst, b.tokens + (waitMs / 1000) * budget.perSecond);
        b.updatedAt = clock();
      }
      b.tokens -= 1;
    });
    b.tail = turn.catch(() => undefined);
    await turn;
  };
  return {
    name: READ_BUDGET_POLICY_NAME,
    async sendRequest(request, next) {
      if (request.method === 'GET') {
        const subscription = /\/subscriptions\/([^/?]+)/i.exec(new URL(request.url).pathname)?.[1]?.toLowerCase() ?? '';
        await take(subscription);
      }
      return next(request);
    },
  };
}
