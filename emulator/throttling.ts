/**
 * ARM's subscription throttling as Azure documents it since 2024 ("Understand how Azure Resource
 * Manager throttles requests": a token bucket per region, subscription, principal and operation
 * kind): reads 250 tokens refilling 25 per second, writes 200 refilling 10, deletes 200 refilling
 * 10. Every answer carries `x-ms-ratelimit-remaining-subscription-reads|writes|deletes`; an empty
 * bucket answers 429 with `Retry-After` (seconds, rounded up) and `retry-after-ms` (the exact wait,
 * which the SDK's throttling policy prefers).
 *
 * The buckets refill on the emulator's clock: Azure's figures in emulated seconds, which
 * `latencyScale` maps to real time like every other Azure duration (at the default 0.001 a bucket
 * refills in 10 ms; at 1, Azure's own pace). Counting on the wall clock while tests and the
 * simulations compress Azure's time would throttle runs that Azure never would (the chaos harness
 * did). The emulator has one region, so the bucket is per principal and subscription.
 */
import { ArmError } from './arm';

export type RateLimitedOperation = 'reads' | 'writes' | 'deletes';

export interface TokenBucketFigures {
  /** Tokens when full. */
  readonly bucketSize: number;
  /** Tokens added per second. */
  readonly refillPerSecond: number;
}

export type RateLimitOptions = Readonly<Record<RateLimitedOperation, TokenBucketFigures>>;

/** Azure's published per-subscription, per-principal figures. */
export const AZURE_SUBSCRIPTION_RATE_LIMITS: RateLimitOptions = {
  reads: { bucketSize: 250, refillPerSecond: 25 },
  writes: { bucketSize: 200, refillPerSecond: 10 },
  deletes: { bucketSize: 200, refillPerSecond: 10 },
};

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/** What one request takes from its bucket. */
export interface RateLimitDecision {
  /** Headers for the answer (remaining tokens, and the wait when throttled). */
  readonly headers: Record<string, string>;
  /** Set when the bucket was empty: answer it instead of the request. */
  readonly throttled?: ArmError;
}

export class SubscriptionRateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly figures: RateLimitOptions,
    /** Emulated seconds → real seconds (the emulator's `latencyScale`); 0 refills at once. */
    private readonly scale = 1,
    private readonly now: () => number = () => Date.now(),
  ) {
    if (!(scale >= 0)) throw new RangeError(`rate limit scale must be ≥ 0, got ${scale}`);
    for (const [kind, f] of Object.entries(figures)) {
      if (!(f.bucketSize >= 1) || !(f.refillPerSecond > 0)) throw new RangeError(`rate limit for ${kind} needs bucketSize ≥ 1 and refillPerSecond > 0`);
    }
  }

  static kindOf(method: string): RateLimitedOperation {
    const m = method.toUpperCase();
    if (m === 'GET' || m === 'HEAD') return 'reads';
    if (m === 'DELETE') return 'deletes';
    return 'writes';
  }

  /** Takes one token for (principal, subscription, kind), or says how long to wait. */
  take(principalId: string, subscriptionId: string, kind: RateLimitedOperation): RateLimitDecision {
    const figures = this.figures[kind];
    const key = `${principalId.toLowerCase()}|${subscriptionId.toLowerCase()}|${kind}`;
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: figures.bucketSize, updatedAt: now };
    const emulatedSeconds = this.scale === 0 ? Number.POSITIVE_INFINITY : (now - bucket.updatedAt) / 1000 / this.scale;
    bucket.tokens = Math.min(figures.bucketSize, bucket.tokens + emulatedSeconds * figures.refillPerSecond);
    bucket.updatedAt = now;
    this.buckets.set(key, bucket);
    const header = `x-ms-ratelimit-remaining-subscription-${kind}`;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { headers: { [header]: String(Math.floor(bucket.tokens)) } };
    }
    const waitMs = Math.max(1, Math.ceil(((1 - bucket.tokens) / figures.refillPerSecond) * 1000 * this.scale));
    const seconds = Math.max(1, Math.ceil(waitMs / 1000));
    const headers = { [header]: '0', 'retry-after': String(seconds), 'retry-after-ms': String(waitMs) };
    return {
      headers,
      throttled: new ArmError(
        429,
        'TooManyRequests',
        `Number of '${kind === 'reads' ? 'read' : kind === 'writes' ? 'write' : 'delete'}' requests for subscription '${subscriptionId}' actor '${principalId}' exceeded. Please try again after '${seconds}' seconds after the last request.`,
        [],
        headers,
      ),
    };
  }

  reset(): void {
    this.buckets.clear();
  }
}
