/**
 * Which planned writes a failed read blocks. Observe reports a read that failed instead of
 * pretending the resource is absent; the planner then must not plan a write that the missing
 * answer could have changed (an "absent" zone that exists, records that were never listed).
 *
 * The rule is structural, on resource ids, so that it does not depend on how observe names its
 * operations:
 * - a read of a resource blocks writes to it and to everything under it (a failed zone read
 *   blocks the zone, its links and its records; a failed subscription-wide list blocks every
 *   write in that subscription);
 * - a failed read of role assignments (operation mentioning role assignments) blocks every
 *   grant, wherever it was scoped: an assignment made by hand under another name would answer
 *   409 and vaultlink could not tell it apart;
 * - a read error whose resource id cannot be parsed blocks every write (it cannot be placed).
 * Deletes under `sync` are stricter still (plan.ts): any read error at all stops them.
 */
import { tryParseResourceId } from '../domain/ids';
import type { PlannedAction, ReadError } from './types';
import { targetIdOf } from './targets';

function isRoleAssignmentRead(error: ReadError): boolean {
  return /role\s*assignment/i.test(error.operation) || /roleassignments/i.test(error.resourceId);
}

function isAtOrUnder(targetKey: string, ancestorKey: string): boolean {
  return targetKey === ancestorKey || targetKey.startsWith(ancestorKey + '/');
}

/** The first read error that blocks `action`, or undefined. */
export function readErrorBlocking(action: PlannedAction, errors: readonly ReadError[]): ReadError | undefined {
  const target = tryParseResourceId(targetIdOf(action));
  for (const error of errors) {
    if (isRoleAssignmentRead(error)) {
      if (action.kind === 'grant-role' || action.kind === 'revoke-role') return error;
      continue;
    }
    const read = tryParseResourceId(error.resourceId);
    if (read === undefined || target === undefined) return error;
    if (isAtOrUnder(target.key, read.key)) return error;
  }
  return undefined;
}
