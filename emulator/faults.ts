/**
 * Fault injection: rules that make matching ARM requests slow, throttled (429 + Retry-After),
 * failing (500), dropped (the connection is destroyed without an answer) or answered into the void
 * (`lose-response`: the request is served, then the connection is destroyed). Decisions are
 * deterministic: probabilities draw from a PRNG seeded at start, so a failing run replays.
 */
import { actionMatches } from './auth';

/** A small, fast, seedable PRNG (mulberry32): the same seed gives the same sequence. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Fault =
  | { readonly kind: 'latency'; readonly ms: number }
  /** 429 TooManyRequests with `Retry-After: retryAfterSeconds` (and `retry-after-ms` when given, which the SDK prefers). */
  | { readonly kind: 'throttle'; readonly retryAfterSeconds?: number; readonly retryAfterMs?: number }
  | { readonly kind: 'error'; readonly status?: number; readonly code?: string; readonly message?: string }
  | { readonly kind: 'drop' }
  /** The request is served (a write is applied, its events raised), then the connection is dropped before the answer: a lost response. */
  | { readonly kind: 'lose-response' };

export interface FaultMatch {
  /** RBAC-style pattern on the operation name, `*` matching anything: `Microsoft.Network/privateEndpoints/*`. */
  readonly operation?: string;
  /** HTTP method (case-insensitive). */
  readonly method?: string;
  /** Pattern on the request path (after collapsing slashes), `*` matching anything, case-insensitive. */
  readonly path?: string;
  /** Only requests by this principal (object id). */
  readonly principalId?: string;
}

export interface FaultRule {
  readonly match: FaultMatch;
  readonly fault: Fault;
  /** Chance that a matching request gets the fault, drawn from the seeded PRNG; default 1. */
  readonly probability?: number;
  /** Let this many matching requests through before the rule starts; default 0. */
  readonly skip?: number;
  /** Apply at most this many times; default unlimited. */
  readonly times?: number;
}

export interface FaultedRequest {
  readonly method: string;
  readonly path: string;
  readonly operation: string;
  readonly principalId: string;
}

interface ActiveRule {
  readonly id: number;
  readonly rule: FaultRule;
  matched: number;
  applied: number;
}

export interface FaultRuleStatus {
  readonly id: number;
  readonly rule: FaultRule;
  readonly matched: number;
  readonly applied: number;
}

export class FaultInjector {
  private rules: ActiveRule[] = [];
  private nextId = 1;
  private random: () => number;

  constructor(private seed: number) {
    this.random = seededRandom(seed);
  }

  /** Adds a rule; returns its id (for {@link remove}). Rules are checked in the order added. */
  add(rule: FaultRule): number {
    validateRule(rule);
    const id = this.nextId++;
    this.rules.push({ id, rule, matched: 0, applied: 0 });
    return id;
  }

  remove(id: number): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((r) => r.id !== id);
    return this.rules.length !== before;
  }

  /** Removes every rule and restarts the PRNG (optionally with a new seed). */
  reset(seed = this.seed): void {
    this.rules = [];
    this.seed = seed;
    this.random = seededRandom(seed);
  }

  list(): FaultRuleStatus[] {
    return this.rules.map((r) => ({ id: r.id, rule: r.rule, matched: r.matched, applied: r.applied }));
  }

  /** The fault for this request, if a rule fires; the first firing rule wins. */
  decide(request: FaultedRequest): Fault | undefined {
    if (this.rules.length === 0) return undefined;
    for (const active of this.rules) {
      if (!matches(active.rule.match, request)) continue;
      active.matched++;
      if (active.matched <= (active.rule.skip ?? 0)) continue;
      if (active.rule.times !== undefined && active.applied >= active.rule.times) continue;
      const probability = active.rule.probability ?? 1;
      if (probability < 1 && this.random() >= probability) continue;
      active.applied++;
      return active.rule.fault;
    }
    return undefined;
  }
}

function matches(match: FaultMatch, request: FaultedRequest): boolean {
  if (match.method !== undefined && match.method.toUpperCase() !== request.method) return false;
  if (match.principalId !== undefined && match.principalId.toLowerCase() !== request.principalId.toLowerCase()) return false;
  if (match.operation !== undefined && !actionMatches(match.operation, request.operation)) return false;
  if (match.path !== undefined && !actionMatches(match.path, request.path)) return false;
  return true;
}

function validateRule(rule: FaultRule): void {
  const p = rule.probability;
  if (p !== undefined && !(p >= 0 && p <= 1)) throw new RangeError(`fault probability must be within [0, 1], got ${p}`);
  const f = rule.fault;
  if (f.kind === 'latency' && !(f.ms >= 0)) throw new RangeError(`latency must be ≥ 0 ms, got ${f.ms}`);
  if (f.kind === 'error' && f.status !== undefined && !(f.status >= 400 && f.status <= 599)) throw new RangeError(`error status must be 4xx or 5xx, got ${f.status}`);
  if (!['latency', 'throttle', 'error', 'drop', 'lose-response'].includes(f.kind)) throw new RangeError(`unknown fault kind ${JSON.stringify((f as { kind: unknown }).kind)}`);
}
