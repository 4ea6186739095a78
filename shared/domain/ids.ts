/**
 * Azure Resource Manager resource ids: parse, normalise, compare, build.
 *
 * ARM treats the keywords (`subscriptions`, `resourceGroups`, `providers`), provider namespaces,
 * resource types and names case-insensitively, and ids reach us in every casing
 * (`resourcegroups`, `/Vaults/`), sometimes with a leading `//` (SDK clients that join a
 * base URL and a scope) or a trailing slash. Everything past this module works with
 * {@link ResourceId}: a canonical `id` for display and writes and a `key` for comparison and maps.
 *
 * Comparison is ARM's: ordinal, ignoring case by SIMPLE upper-casing of each code point (.NET's
 * `OrdinalIgnoreCase`), with no Unicode case folding and no normalisation. `toLowerCase()` is not
 * that: it maps the Kelvin sign U+212A to `k`, so a rule for `rg-spoke-network` would accept
 * `rg-spo\u212Ae-network`, a different resource group in ARM. Every comparison of ids, names,
 * subscription and tenant ids goes through {@link armCaseKey} / {@link armEquals}.
 *
 * Hostile input is refused rather than repaired: `.`/`..` segments, percent-encoded characters,
 * back-slashes, control characters and empty segments inside the id make it malformed, so that
 * an allowlist entry can never be satisfied by an id that ARM would resolve elsewhere.
 */

// Code points whose full upper-case mapping is several characters (which the simple mapping ARM
// uses does not take) but whose SIMPLE upper-case mapping is another single code point: the Greek
// letters with ypogegrammeni map to their title-case forms (UnicodeData.txt, field 12).
const SIMPLE_UPPER_EXCEPTIONS: ReadonlyMap<number, number> = new Map([
  ...[0x1f80, 0x1f90, 0x1fa0].flatMap((base) => Array.from({ length: 8 }, (_, k): [number, number] => [base + k, base + 8 + k])),
  [0x1fb3, 0x1fbc],
  [0x1fc3, 0x1fcc],
  [0x1ff3, 0x1ffc],
]);

const ASCII_ONLY = /^[\u0000-\u007f]*$/;
const foldedCodePoints = new Map<number, string>();

/**
 * One code point as ARM compares it: its simple upper-case mapping when that is a single code
 * point, else itself; ASCII letters then go back to lower case, which changes no equality (ASCII
 * upper and lower case are in one-to-one correspondence) and keeps keys of ordinary ids readable
 * and stable (link names hash them).
 *
 * U+0131 (dotless i) stays itself: .NET's invariant casing, which `OrdinalIgnoreCase` uses, does
 * not upper-case it to `I` on any platform (Windows' table; .NET special-cases it under ICU).
 */
function foldCodePoint(cp: number): string {
  const cached = foldedCodePoints.get(cp);
  if (cached !== undefined) return cached;
  const ch = String.fromCodePoint(cp);
  let upper: string;
  const exception = SIMPLE_UPPER_EXCEPTIONS.get(cp);
  if (exception !== undefined) upper = String.fromCodePoint(exception);
  else if (cp === 0x131) upper = ch;
  else {
    const full = ch.toUpperCase();
    // A multi-character full mapping (ß → SS, ŉ → ʼN) has no simple counterpart: the code point stays.
    upper = full.length === ch.length || [...full].length === 1 ? full : ch;
  }
  const folded = upper.length === 1 && upper.charCodeAt(0) < 0x80 ? upper.toLowerCase() : upper;
  foldedCodePoints.set(cp, folded);
  return folded;
}

/**
 * The comparison key of a string under ARM's rule (ordinal, ignoring case by simple per-code-point
 * upper-casing, no folding, no normalisation): `armEquals(a, b)` ⇔ `armCaseKey(a) === armCaseKey(b)`.
 * ASCII strings get their lower-case form. Lone surrogates compare as themselves.
 */
export function armCaseKey(s: string): string {
  if (ASCII_ONLY.test(s)) return s.toLowerCase();
  let out = '';
  for (const ch of s) out += foldCodePoint(ch.codePointAt(0) as number);
  return out;
}

/** True when ARM considers the two strings (ids, names, subscription or tenant ids) the same. */
export function armEquals(a: string, b: string): boolean {
  return a === b || armCaseKey(a) === armCaseKey(b);
}

export class InvalidResourceIdError extends Error {
  override readonly name = 'InvalidResourceIdError';
  constructor(
    readonly resourceId: string,
    readonly reason: string,
  ) {
    super(`invalid resource id ${JSON.stringify(resourceId)}: ${reason}`);
  }
}

/** One typed step of an id below a provider: `privateDnsZones/privatelink.blob.core.windows.net`. */
export interface ResourceIdSegment {
  readonly namespace: string;
  readonly type: string;
  readonly name: string;
}

export interface ResourceId {
  /** Canonical form: single slashes, keywords in ARM's casing, no trailing slash. */
  readonly id: string;
  /** {@link armCaseKey} of the canonical form: equal keys mean the same resource (ARM's comparison). */
  readonly key: string;
  /** Undefined only for tenant-level ids such as `/providers/Microsoft.Authorization/roleDefinitions/{guid}`. */
  readonly subscriptionId: string | undefined;
  readonly resourceGroup: string | undefined;
  /** Typed steps below `providers`, outermost first; empty for a subscription or resource group id. */
  readonly segments: readonly ResourceIdSegment[];
  /** Full type, e.g. `Microsoft.Network/privateDnsZones/A`; `Microsoft.Resources/subscriptions` or `…/resourceGroups` for scopes. */
  readonly type: string;
  /** Last name: the resource's own name (the resource group or subscription for scope ids). */
  readonly name: string;
}

const KEYWORD_SUBSCRIPTIONS = 'subscriptions';
const KEYWORD_RESOURCE_GROUPS = 'resourceGroups';
const KEYWORD_PROVIDERS = 'providers';

// Control characters, back-slash and percent (encoded separators) never belong in an id we act on.
const FORBIDDEN_CHARACTERS = /[\u0000-\u001f\u007f\\%?#]/;

function checkSegment(raw: string, segment: string): void {
  if (segment.length === 0) throw new InvalidResourceIdError(raw, 'empty segment');
  if (segment === '.' || segment === '..') throw new InvalidResourceIdError(raw, `relative segment "${segment}"`);
  if (segment.trim() !== segment) throw new InvalidResourceIdError(raw, `segment "${segment}" has leading or trailing white space`);
}

/**
 * Ids parsed lately. Observation parses the same ids over and over (every record of a zone, every
 * PE of a resource group, per vault of a sweep); a parsed id is immutable, so sharing it is safe.
 * Bounded: cleared when full.
 */
const parsed = new Map<string, ResourceId>();
const PARSED_CACHE_SIZE = 20_000;

/** Parses an ARM id; throws {@link InvalidResourceIdError} quoting the id when it is malformed. */
export function parseResourceId(raw: string): ResourceId {
  const cached = typeof raw === 'string' ? parsed.get(raw) : undefined;
  if (cached !== undefined) return cached;
  const result = parseUncached(raw);
  if (parsed.size >= PARSED_CACHE_SIZE) parsed.clear();
  parsed.set(raw, result);
  return result;
}

function parseUncached(raw: string): ResourceId {
  if (typeof raw !== 'string') throw new InvalidResourceIdError(String(raw), 'not a string');
  if (raw.length === 0) throw new InvalidResourceIdError(raw, 'empty');
  if (raw.length > 4096) throw new InvalidResourceIdError(raw.slice(0, 80) + '…', 'longer than 4096 characters');
  if (FORBIDDEN_CHARACTERS.test(raw)) throw new InvalidResourceIdError(raw, 'contains a control character, back-slash, "%", "?" or "#"');
  if (!raw.startsWith('/')) throw new InvalidResourceIdError(raw, 'does not start with "/"');

  // Tolerate a leading "//" (or more) and one trailing slash; any other empty segment is an error.
  let body = raw.replace(/^\/+/, '');
  if (body.endsWith('/')) body = body.slice(0, -1);
  const parts = body.split('/');
  parts.forEach((p) => checkSegment(raw, p));

  let i = 0;
  let subscriptionId: string | undefined;
  let resourceGroup: string | undefined;
  const canonical: string[] = [];

  if (parts[i]?.toLowerCase() === KEYWORD_SUBSCRIPTIONS) {
    subscriptionId = parts[i + 1];
    if (subscriptionId === undefined) throw new InvalidResourceIdError(raw, 'missing subscription id after "subscriptions"');
    canonical.push(KEYWORD_SUBSCRIPTIONS, subscriptionId);
    i += 2;
    if (parts[i]?.toLowerCase() === KEYWORD_RESOURCE_GROUPS.toLowerCase()) {
      resourceGroup = parts[i + 1];
      if (resourceGroup === undefined) throw new InvalidResourceIdError(raw, 'missing resource group name after "resourceGroups"');
      canonical.push(KEYWORD_RESOURCE_GROUPS, resourceGroup);
      i += 2;
    }
  } else if (parts[i]?.toLowerCase() !== KEYWORD_PROVIDERS) {
    throw new InvalidResourceIdError(raw, 'must start with "/subscriptions/" or "/providers/"');
  }

  const segments: ResourceIdSegment[] = [];
  // Where the last "providers/{namespace}" block starts in `segments`: an extension resource's type
  // is its own block's, even when it shares the namespace of the resource it extends
  // (`…/Microsoft.Insights/components/a/providers/Microsoft.Insights/diagnosticSettings/d`).
  let lastBlockStart = 0;
  while (i < parts.length) {
    const keyword = parts[i];
    if (keyword?.toLowerCase() !== KEYWORD_PROVIDERS) {
      throw new InvalidResourceIdError(raw, `expected "providers" at segment ${i + 1}, found "${keyword}"`);
    }
    const namespace = parts[i + 1];
    if (namespace === undefined || !namespace.includes('.')) {
      throw new InvalidResourceIdError(raw, `missing or malformed provider namespace after "providers" (found "${namespace ?? ''}")`);
    }
    canonical.push(KEYWORD_PROVIDERS, namespace);
    i += 2;
    lastBlockStart = segments.length;
    let typed = 0;
    // type/name pairs until the next "providers" keyword (an extension resource) or the end
    while (i < parts.length && parts[i]?.toLowerCase() !== KEYWORD_PROVIDERS) {
      const type = parts[i] as string;
      const name = parts[i + 1];
      if (name === undefined) throw new InvalidResourceIdError(raw, `resource type "${type}" has no name`);
      segments.push({ namespace, type, name });
      canonical.push(type, name);
      typed++;
      i += 2;
    }
    if (typed === 0) throw new InvalidResourceIdError(raw, `provider "${namespace}" is followed by no resource type`);
  }

  const id = '/' + canonical.join('/');
  const last = segments[segments.length - 1];
  let type: string;
  let name: string;
  if (last) {
    type = `${last.namespace}/${segments.slice(lastBlockStart).map((s) => s.type).join('/')}`;
    name = last.name;
  } else if (resourceGroup !== undefined) {
    type = 'Microsoft.Resources/resourceGroups';
    name = resourceGroup;
  } else if (subscriptionId !== undefined) {
    type = 'Microsoft.Resources/subscriptions';
    name = subscriptionId;
  } else {
    throw new InvalidResourceIdError(raw, 'names no subscription and no resource');
  }
  return Object.freeze({ id, key: armCaseKey(id), subscriptionId, resourceGroup, segments: Object.freeze(segments.map((s) => Object.freeze(s))), type, name });
}

/** Like {@link parseResourceId}, but returns undefined instead of throwing. */
export function tryParseResourceId(raw: string): ResourceId | undefined {
  try {
    return parseResourceId(raw);
  } catch (e) {
    if (e instanceof InvalidResourceIdError) return undefined;
    throw e;
  }
}

/** The canonical form of an id (throws on a malformed one). */
export function normalizeResourceId(raw: string): string {
  return parseResourceId(raw).id;
}

/** The comparison key of an id: equal keys mean the same resource (throws on a malformed one). */
export function resourceIdKey(raw: string): string {
  return parseResourceId(raw).key;
}

/** True when both ids are well formed and name the same resource. */
export function sameResourceId(a: string, b: string): boolean {
  const pa = tryParseResourceId(a);
  const pb = tryParseResourceId(b);
  return pa !== undefined && pb !== undefined && pa.key === pb.key;
}

/** True when the id's full type equals `type` (ARM's comparison), e.g. `Microsoft.RecoveryServices/vaults`. */
export function isResourceType(id: ResourceId, type: string): boolean {
  return armEquals(id.type, type);
}

function checkName(what: string, name: string): void {
  if (name.length === 0 || name.includes('/') || FORBIDDEN_CHARACTERS.test(name) || name === '.' || name === '..') {
    throw new InvalidResourceIdError(name, `not a valid ${what}`);
  }
}

/** `/subscriptions/{subscriptionId}`. */
export function subscriptionResourceId(subscriptionId: string): string {
  checkName('subscription id', subscriptionId);
  return `/${KEYWORD_SUBSCRIPTIONS}/${subscriptionId}`;
}

/** `/subscriptions/{subscriptionId}/resourceGroups/{resourceGroup}`. */
export function resourceGroupResourceId(subscriptionId: string, resourceGroup: string): string {
  checkName('resource group name', resourceGroup);
  return `${subscriptionResourceId(subscriptionId)}/${KEYWORD_RESOURCE_GROUPS}/${resourceGroup}`;
}

/**
 * The id of a resource in a resource group: `resourceInGroupId(sub, rg, 'Microsoft.Network/privateEndpoints', 'pe1')`.
 * `type` may name nested types (`Microsoft.Network/privateDnsZones/A`) with one name each.
 */
export function resourceInGroupId(subscriptionId: string, resourceGroup: string, type: string, ...names: string[]): string {
  const [namespace, ...types] = type.split('/');
  if (!namespace || !namespace.includes('.') || types.length === 0) throw new InvalidResourceIdError(type, 'not a resource type');
  if (types.length !== names.length) throw new InvalidResourceIdError(type, `needs ${types.length} name(s), got ${names.length}`);
  names.forEach((n) => checkName('resource name', n));
  const steps = types.map((t, k) => `${t}/${names[k]}`).join('/');
  return normalizeResourceId(`${resourceGroupResourceId(subscriptionId, resourceGroup)}/${KEYWORD_PROVIDERS}/${namespace}/${steps}`);
}

/** A child of an existing resource: `childResourceId(zoneId, 'A', 'myrecord')`. */
export function childResourceId(parent: string, type: string, name: string): string {
  checkName('child resource type', type);
  checkName('child resource name', name);
  const p = parseResourceId(parent);
  if (p.segments.length === 0) throw new InvalidResourceIdError(parent, 'a subscription or resource group has no typed children; use resourceInGroupId');
  return normalizeResourceId(`${p.id}/${type}/${name}`);
}

/**
 * The scope of a role assignment id: everything before its last
 * `/providers/Microsoft.Authorization/roleAssignments/`, `/` for a tenant-level one. The keyword is
 * matched under ARM's comparison code point by code point, in place: an index taken from a
 * lower-cased copy can land wrong after a letter whose lower case is longer (U+0130 becomes two
 * code units), and `toLowerCase()` is not ARM's rule anyway.
 */
export function scopeOfRoleAssignmentId(assignmentId: string): string {
  const keyword = [...'/providers/microsoft.authorization/roleassignments/'];
  const points = [...assignmentId];
  const offsets: number[] = [];
  let offset = 0;
  for (const p of points) {
    offsets.push(offset);
    offset += p.length;
  }
  for (let i = points.length - keyword.length; i > 0; i--) {
    if (keyword.every((k, j) => foldCodePoint((points[i + j] as string).codePointAt(0) as number) === k)) return assignmentId.slice(0, offsets[i]);
  }
  return '/';
}

/** The parent of a nested resource (`…/privateDnsZones/z/A/r` → `…/privateDnsZones/z`), else the resource group, else the subscription. */
export function parentResourceId(raw: string): string | undefined {
  const p = parseResourceId(raw);
  if (p.segments.length > 1) {
    const cut = p.id.split('/');
    // an extension resource sits behind its own "providers/{namespace}" pair (whatever its
    // namespace); four places from the end is a type inside a block, or that keyword
    const drop = cut[cut.length - 4] === KEYWORD_PROVIDERS ? 4 : 2;
    return cut.slice(0, cut.length - drop).join('/');
  }
  if (p.segments.length === 1 && p.resourceGroup !== undefined && p.subscriptionId !== undefined) return resourceGroupResourceId(p.subscriptionId, p.resourceGroup);
  if (p.resourceGroup !== undefined && p.subscriptionId !== undefined) return subscriptionResourceId(p.subscriptionId);
  if (p.segments.length === 1 && p.subscriptionId !== undefined) return subscriptionResourceId(p.subscriptionId);
  return undefined;
}

/** The resource group id that holds a resource (throws when the id has none). */
export function resourceGroupOf(raw: string): string {
  const p = parseResourceId(raw);
  if (p.subscriptionId === undefined || p.resourceGroup === undefined) throw new InvalidResourceIdError(raw, 'names no resource group');
  return resourceGroupResourceId(p.subscriptionId, p.resourceGroup);
}
