/**
 * The approval allowlist: which requesting private endpoints may connect to which vaults.
 *
 * Rules are evaluated in order and the FIRST rule that matches wins (its name goes into the
 * approval description and the audit log). A rule matches only when every criterion it states
 * holds; a criterion it leaves out holds for anything. It never approves on a partial match.
 *
 * Ids are compared by segment, as ARM compares them ({@link armEquals}: ordinal, ignoring case by
 * simple upper-casing, so the Kelvin sign U+212A is not a `k`), after parsing with ids.ts: a
 * subscription `abc` never matches `abcd`, and a malformed or hostile id (`..`, `%2F`, empty
 * segments) matches nothing — the request is a no-match that says why. Name globs use the same
 * comparison: pattern and name are both mapped by {@link armCaseKey} and matched case-SENSITIVELY
 * (picomatch's `nocase` is a regular expression's `i` flag, which is not ARM's rule).
 */
import picomatch from 'picomatch';
import { armCaseKey, armEquals, isResourceType, type ResourceId, tryParseResourceId, parseResourceId, InvalidResourceIdError } from './ids';
import { PRIVATE_ENDPOINT_RESOURCE_TYPE, VAULT_RESOURCE_TYPE } from './endpoints';
import type { StringMap } from './model';

/** Criteria on the requesting PE. At least `tenantId` or `subscriptionId` is required (else the rule matches nothing). */
export interface ApprovalRequesterSelector {
  readonly tenantId?: string | undefined;
  readonly subscriptionId?: string | undefined;
  readonly resourceGroup?: string | undefined;
  /** Glob over the PE name (picomatch syntax, compared as ARM compares names: see {@link privateEndpointNameMatches}). */
  readonly privateEndpointName?: string | undefined;
}

/** Criteria on the target vault; absent means any vault in scope. */
export interface ApprovalVaultSelector {
  /** The vault is one of these (an empty list matches no vault). */
  readonly ids?: readonly string[] | undefined;
  /** Every tag must be present: keys case-insensitive, values exact. */
  readonly tags?: Readonly<Record<string, string>> | undefined;
}

export interface ApprovalRule {
  /** Unique; goes into the approval description and the audit log. */
  readonly name: string;
  readonly requester: ApprovalRequesterSelector;
  readonly vault?: ApprovalVaultSelector | undefined;
}

/** What happens to a pending connection that no rule matches. */
export type UnmatchedConnectionAction = 'leave-pending' | 'reject';

/** The `approval` section of the policy file. */
export interface ApprovalPolicy {
  readonly unmatched: UnmatchedConnectionAction;
  readonly rules: readonly ApprovalRule[];
}

export interface ApprovalRequest {
  /** `properties.privateEndpoint.id` of the vault's connection. */
  readonly privateEndpointId: string;
  /** The requester's tenant when known (undefined: a rule that names a tenant cannot match). */
  readonly requesterTenantId: string | undefined;
  /** Why the requester's tenant is unknown, when it could not be read (goes into the no-match reason). */
  readonly requesterTenantUnknownReason?: string | undefined;
  readonly vault: { readonly id: string; readonly tags: StringMap };
}

export type ApprovalDecision =
  | { readonly decision: 'approve'; readonly rule: ApprovalRule }
  | { readonly decision: 'no-match'; readonly reasons: readonly string[] };

const eqi = armEquals;

function parseOrReason(raw: string, what: string, type: string): ResourceId | string {
  try {
    const p = parseResourceId(raw);
    if (!isResourceType(p, type) || p.segments.length !== 1 || p.subscriptionId === undefined || p.resourceGroup === undefined) {
      return `${what} ${JSON.stringify(raw)} is not a ${type} id`;
    }
    return p;
  } catch (e) {
    if (e instanceof InvalidResourceIdError) return `${what}: ${e.message}`;
    throw e;
  }
}

/** Why the rule does not match, one entry per failed criterion; [] when it matches. */
export function ruleMismatches(rule: ApprovalRule, pe: ResourceId, vault: ResourceId, request: ApprovalRequest): string[] {
  const out: string[] = [];
  const r = rule.requester;
  if (r.tenantId === undefined && r.subscriptionId === undefined) out.push('names neither a requester tenant nor a subscription, so it matches nothing');
  if (r.tenantId !== undefined) {
    // An empty tenant on either side is no tenant: '' must never equal ''.
    if (r.tenantId.trim() === '') out.push('names an empty tenant, which matches nothing');
    else if (request.requesterTenantId === undefined || request.requesterTenantId.trim() === '') out.push(`requires tenant ${r.tenantId} but the requester's tenant is unknown${request.requesterTenantUnknownReason === undefined ? '' : `: ${request.requesterTenantUnknownReason}`}`);
    else if (!eqi(r.tenantId.trim(), request.requesterTenantId)) out.push(`requires tenant ${r.tenantId}, requester is in ${request.requesterTenantId}`);
  }
  if (r.subscriptionId !== undefined && !eqi(r.subscriptionId, pe.subscriptionId ?? '')) {
    out.push(`requires subscription ${r.subscriptionId}, requester is in ${pe.subscriptionId ?? '(none)'}`);
  }
  if (r.resourceGroup !== undefined && !eqi(r.resourceGroup, pe.resourceGroup ?? '')) {
    out.push(`requires resource group ${r.resourceGroup}, requester is in ${pe.resourceGroup ?? '(none)'}`);
  }
  if (r.privateEndpointName !== undefined && !privateEndpointNameMatches(r.privateEndpointName, pe.name)) {
    out.push(`requires a private endpoint name like ${JSON.stringify(r.privateEndpointName)}, requester is ${JSON.stringify(pe.name)}`);
  }
  const v = rule.vault;
  if (v?.ids !== undefined && !v.ids.some((id) => tryParseResourceId(id)?.key === vault.key)) {
    out.push(`vault ${vault.id} is not in the rule's vault ids`);
  }
  if (v?.tags !== undefined) {
    for (const [key, value] of Object.entries(v.tags)) {
      const present = Object.entries(request.vault.tags).filter(([k]) => eqi(k, key));
      if (present.length === 0) out.push(`vault has no tag ${JSON.stringify(key)}`);
      else if (!present.some(([, actual]) => actual === value)) out.push(`vault tag ${JSON.stringify(key)} is not ${JSON.stringify(value)}`);
    }
  }
  return out;
}

/**
 * Whether a name matches a rule's glob, ignoring case as ARM does: both go through
 * {@link armCaseKey} (ASCII letters lower-cased, others simply upper-cased), then picomatch
 * matches case-sensitively. Glob metacharacters are ASCII punctuation, which the key leaves alone.
 */
export function privateEndpointNameMatches(glob: string, name: string): boolean {
  try {
    return picomatch.isMatch(armCaseKey(name), armCaseKey(glob), { dot: true });
  } catch {
    return false; // an unusable pattern matches nothing
  }
}

/**
 * Decides a pending connection: the first rule whose every criterion holds, or `no-match` with
 * one reason per rule (or why nothing could match).
 */
export function evaluateApproval(request: ApprovalRequest, rules: readonly ApprovalRule[]): ApprovalDecision {
  const pe = parseOrReason(request.privateEndpointId, 'requesting private endpoint', PRIVATE_ENDPOINT_RESOURCE_TYPE);
  const vault = parseOrReason(request.vault.id, 'vault', VAULT_RESOURCE_TYPE);
  const invalid = [pe, vault].filter((x): x is string => typeof x === 'string');
  if (invalid.length > 0 || typeof pe === 'string' || typeof vault === 'string') return { decision: 'no-match', reasons: invalid };
  if (rules.length === 0) return { decision: 'no-match', reasons: ['the policy has no approval rules'] };

  const reasons: string[] = [];
  for (const rule of rules) {
    const mismatches = ruleMismatches(rule, pe, vault, request);
    if (mismatches.length === 0) return { decision: 'approve', rule };
    reasons.push(`rule ${JSON.stringify(rule.name)}: ${mismatches.join('; ')}`);
  }
  return { decision: 'no-match', reasons };
}
