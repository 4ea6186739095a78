/**
 * Readers for the untyped JSON that providers store and receive: each answers the value when it
 * has the expected JSON type, else undefined (an empty list for {@link arr}, an empty object for
 * {@link propsOf}), so a malformed or absent field never throws where it is read.
 */
import type { JsonObject, JsonValue } from '../arm';
import type { StoredResource } from '../store';

/** The value as a JSON object (not null, not an array). */
export function obj(value: JsonValue | undefined): JsonObject | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
}

/** The value as a JSON array; an empty one for anything else. */
export function arr(value: JsonValue | undefined): JsonValue[] {
  return Array.isArray(value) ? value : [];
}

/** The value as a string. */
export function str(value: JsonValue | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** A stored resource's `properties`; an empty object when it has none (or there is no resource). */
export function propsOf(stored: StoredResource | undefined): JsonObject {
  return obj(stored?.resource['properties']) ?? {};
}
