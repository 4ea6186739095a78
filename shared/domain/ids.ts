/**
 * Azure Resource Manager resource ids: parse, normalise, compare, build.
 *
 * ARM treats the keywords (`subscriptions`, `resourceGroups`, `providers`), provider namespaces,
 * resource types and names case-insensitively, and ids reach us in every casing
 * (`resourcegroups`, `/Vaults/`), sometimes with a leading `//` (SDK clients that join a
 * base URL and a scope) or a trailing slash. Everything past this module works with
 * {@link ResourceId}: a canonical `id` for display and writes and a lower-cased `key` for
 * comparison and maps.
 *
 * Hostile input is refused rather than repaired: `.`/`..` segments, percent-encoded characters,
 * back-slashes, control characters and empty segments inside the id make it malformed, so that
 * an allowlist entry can never be satisfied by an id that ARM would resolve elsewhere.
 */

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
  /** Lower-cased canonical form: equal keys mean the same resource. */
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
  return Object.freeze({ id, key: id.toLowerCase(), subscriptionId, resourceGroup, segments: Object.freeze(segments.map((s) => Object.freeze(s))), type, name });
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

/** True when the id's full type equals `type` (case-insensitive), e.g. `Microsoft.RecoveryServices/vaults`. */
export function isResourceType(id: ResourceId, type: string): boolean {
  return id.type.toLowerCase() === type.toLowerCase();
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
