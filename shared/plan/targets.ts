/** The resource each planned action writes, and the action keys built from it (`kind:<target>`). */
import { childResourceId, normalizeResourceId } from '../domain/ids';
import type { PlannedAction } from './types';

/** The id of the resource a connection decision writes. */
export function connectionIdOf(vaultId: string, connectionName: string): string {
  return childResourceId(vaultId, 'privateEndpointConnections', connectionName);
}

/** The id of a zone's virtual network link. */
export function linkIdOf(zoneId: string, linkName: string): string {
  return childResourceId(zoneId, 'virtualNetworkLinks', linkName);
}

/** The id of an A record set. */
export function recordIdOf(zoneId: string, recordName: string): string {
  return childResourceId(zoneId, 'A', recordName);
}

/** The resource an action writes (for a grant: the scope it is made at). */
export function targetIdOf(action: PlannedAction): string {
  switch (action.kind) {
    case 'enable-identity':
      return normalizeResourceId(action.vaultId);
    case 'grant-role':
      return normalizeResourceId(action.scope);
    case 'revoke-role':
      return normalizeResourceId(action.assignmentId);
    case 'approve-connection':
    case 'reject-connection':
      return connectionIdOf(action.vaultId, action.connectionName);
    case 'ensure-zone':
      return normalizeResourceId(action.zoneId);
    case 'ensure-link':
      return linkIdOf(action.zoneId, action.linkName);
    case 'upsert-record':
    case 'delete-record':
      return recordIdOf(action.zoneId, action.recordName);
  }
}
