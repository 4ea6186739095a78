/**
 * The emulator's generic resource store: every provider keeps its resources here, by the
 * normalised id key of shared/domain/ids.ts, so providers can read each other's resources
 * (a private endpoint reads its subnet, the Backup RP reads the endpoint's connection) and ids in
 * any casing or with a leading `//` find the same entry. Keys, types and parents compare as ARM
 * compares them (ordinal, ignoring case by simple upper-casing: `armCaseKey`): `rg-spo\u212Ae`
 * (Kelvin sign) is another resource group than `rg-spoke`, as in Azure.
 *
 * The store is a plain in-memory map with two indexes (by type and by parent) so that lists stay
 * cheap for fleets of thousands of resources. It does no authorization and emits no events: the
 * server and the provider API do that around it.
 */
import { randomUUID } from 'node:crypto';
import { armCaseKey, parentResourceId, parseResourceId, type ResourceId } from '../shared/domain/ids';
import type { JsonObject } from './arm';

export interface StoredResource {
  /** Canonical id, casing as first written. */
  readonly id: string;
  /** The id's ARM comparison key (`armCaseKey`): the map key. */
  readonly key: string;
  /** Full type, e.g. `Microsoft.Network/privateEndpoints`. */
  readonly type: string;
  readonly parsed: ResourceId;
  /** The resource's ARM JSON as the provider stored it. Treat as read-only: write with {@link ResourceStore.put}. */
  readonly resource: JsonObject;
  /** Changes on every write; providers put it in their bodies in their RP's format. */
  readonly etag: string;
  /** Principal (object id) whose request created the resource; undefined for control-API seeding. */
  readonly createdBy: string | undefined;
  readonly createdAt: string;
  readonly changedAt: string;
}

export interface PutResourceOptions {
  /** Principal whose request wrote the resource; kept as `createdBy` on first creation only. */
  readonly principalId?: string;
}

export interface ListResourcesFilter {
  /** Full type, case-insensitive: `Microsoft.Network/privateEndpoints`. */
  readonly type?: string;
  /** Only resources at or below this scope (subscription, resource group or resource id). */
  readonly scope?: string;
}

/** Called after a resource of a watched type is written (`resource` set) or deleted (`resource` undefined). */
export type StoreListener = (key: string, resource: StoredResource | undefined) => void;

export class ResourceStore {
  private readonly watchers = new Map<string, StoreListener[]>();
  private readonly byKey = new Map<string, StoredResource>();
  private readonly byType = new Map<string, Set<string>>();
  private readonly byParent = new Map<string, Set<string>>();
  private readonly typeVersions = new Map<string, number>();

  get size(): number {
    return this.byKey.size;
  }

  /** The resource at `id` (any casing), or undefined; a malformed id finds nothing. */
  get(id: string): StoredResource | undefined {
    const key = keyOf(id);
    return key === undefined ? undefined : this.byKey.get(key);
  }

  has(id: string): boolean {
    return this.get(id) !== undefined;
  }

  /**
   * Creates or replaces the resource at `id`. The stored JSON is a copy; the etag changes; the
   * original casing of the id is kept across updates, as ARM does.
   */
  put(id: string, resource: JsonObject, options: PutResourceOptions = {}): StoredResource {
    const parsed = parseResourceId(id);
    const previous = this.byKey.get(parsed.key);
    const now = new Date().toISOString();
    const stored: StoredResource = {
      id: previous?.id ?? parsed.id,
      key: parsed.key,
      type: parsed.type,
      parsed: previous?.parsed ?? parsed,
      resource: structuredClone(resource),
      etag: randomUUID(),
      createdBy: previous ? previous.createdBy : options.principalId,
      createdAt: previous?.createdAt ?? now,
      changedAt: now,
    };
    this.byKey.set(parsed.key, stored);
    if (!previous) {
      addTo(this.byType, armCaseKey(parsed.type), parsed.key);
      const parent = parentKeyOf(parsed.id);
      if (parent !== undefined) addTo(this.byParent, parent, parsed.key);
    }
    this.bump(parsed.type);
    this.notify(parsed.type, parsed.key, stored);
    return stored;
  }

  /** Removes the resource at `id`; returns what was removed. */
  delete(id: string): StoredResource | undefined {
    const key = keyOf(id);
    const existing = key === undefined ? undefined : this.byKey.get(key);
    if (!existing) return undefined;
    this.byKey.delete(existing.key);
    this.byType.get(armCaseKey(existing.type))?.delete(existing.key);
    const parent = parentKeyOf(existing.id);
    if (parent !== undefined) this.byParent.get(parent)?.delete(existing.key);
    this.byParent.delete(existing.key);
    this.bump(existing.type);
    this.notify(existing.type, existing.key, undefined);
    return existing;
  }

  /** Removes the resource and everything below it (a resource group and its resources); returns what was removed. */
  deleteTree(id: string): StoredResource[] {
    const key = keyOf(id);
    if (key === undefined) return [];
    const removed: StoredResource[] = [];
    for (const r of [...this.byKey.values()]) {
      if (r.key === key || r.key.startsWith(key + '/')) {
        const gone = this.delete(r.id);
        if (gone) removed.push(gone);
      }
    }
    return removed;
  }

  /** Resources of a type and/or under a scope, in creation order. */
  list(filter: ListResourcesFilter = {}): StoredResource[] {
    const scopeKey = filter.scope === undefined ? undefined : keyOf(filter.scope);
    if (filter.scope !== undefined && scopeKey === undefined) return [];
    const keys = filter.type === undefined ? this.byKey.keys() : (this.byType.get(armCaseKey(filter.type)) ?? new Set<string>()).values();
    const out: StoredResource[] = [];
    for (const key of keys) {
      if (scopeKey !== undefined && !key.startsWith(scopeKey + '/')) continue;
      const r = this.byKey.get(key);
      if (r) out.push(r);
    }
    return out;
  }

  /** Direct children of a resource (nested types such as subnets, record sets, connections), optionally of one type. */
  children(parentId: string, type?: string): StoredResource[] {
    const key = keyOf(parentId);
    const keys = key === undefined ? undefined : this.byParent.get(key);
    if (!keys) return [];
    const out: StoredResource[] = [];
    for (const k of keys) {
      const r = this.byKey.get(k);
      if (r && (type === undefined || armCaseKey(r.type) === armCaseKey(type))) out.push(r);
    }
    return out;
  }

  /** A counter that changes whenever a resource of `type` is written or deleted (for caches). */
  version(type: string): number {
    return this.typeVersions.get(armCaseKey(type)) ?? 0;
  }

  /** Calls `listener` on every write and delete of resources of `type` (indexes such as the authorizer's). */
  watch(type: string, listener: StoreListener): () => void {
    const t = armCaseKey(type);
    const list = this.watchers.get(t) ?? [];
    list.push(listener);
    this.watchers.set(t, list);
    return () => this.watchers.set(t, (this.watchers.get(t) ?? []).filter((l) => l !== listener));
  }

  private notify(type: string, key: string, resource: StoredResource | undefined): void {
    const list = this.watchers.get(armCaseKey(type));
    if (list) for (const l of list) l(key, resource);
  }

  private bump(type: string): void {
    const t = armCaseKey(type);
    this.typeVersions.set(t, (this.typeVersions.get(t) ?? 0) + 1);
  }
}

function keyOf(id: string): string | undefined {
  try {
    return parseResourceId(id).key;
  } catch {
    return undefined;
  }
}

function parentKeyOf(id: string): string | undefined {
  const parent = parentResourceId(id);
  return parent === undefined ? undefined : armCaseKey(parent);
}

function addTo(index: Map<string, Set<string>>, key: string, value: string): void {
  let set = index.get(key);
  if (!set) index.set(key, (set = new Set()));
  set.add(value);
}
