/**
 * Keys and orderings the planner's modules share, so that every one of them compares ids the way
 * ARM does ({@link armCaseKey}) and sorts in one deterministic order.
 */
import { armCaseKey, tryParseResourceId } from '../domain/ids';

/** Code-point order: the same on every machine and locale (no `localeCompare`). */
export function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The comparison key of an id; an id that does not parse is compared as ARM compares names. */
export function keyOf(id: string): string {
  return tryParseResourceId(id)?.key ?? armCaseKey(id);
}

/** The last name of an id (the id itself when it does not parse), for messages. */
export function nameOf(id: string): string {
  return tryParseResourceId(id)?.name ?? id;
}
