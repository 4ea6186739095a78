import { readErrorBlocking, type PlannedAction, type ReadError } from '../../../shared/plan';
import { SUB_DNS, SUB_SPOKE, VAULT_ID, ZONES, zoneId } from './fixtures';

const ZONE = zoneId(ZONES.blob);
const RECORD: PlannedAction = {
  kind: 'upsert-record',
  key: 'upsert-record:x',
  summary: 'x',
  needs: [],
  zoneId: ZONE,
  recordName: 'acct',
  ipv4Addresses: ['10.0.0.4'],
  ttl: 10,
  sourcePrivateEndpointId: '/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/privateEndpoints/p',
  etag: undefined,
};
const GRANT: PlannedAction = {
  kind: 'grant-role',
  key: 'grant-role:x',
  summary: 'x',
  needs: [],
  scope: `/subscriptions/${SUB_SPOKE}/resourceGroups/rg-pe`,
  roleDefinitionGuid: 'b24988ac-6180-42a0-ab88-20f7382dd24c',
  roleName: 'Contributor',
  principalId: 'p',
  name: 'n',
  description: 'd',
};
const APPROVE: PlannedAction = {
  kind: 'approve-connection',
  key: 'approve-connection:x',
  summary: 'x',
  needs: [],
  vaultId: VAULT_ID,
  connectionName: 'pe.1.backup.x',
  privateEndpointId: '/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/privateEndpoints/p',
  rule: 'r',
  description: 'd',
};
const error = (resourceId: string, operation = 'get'): ReadError => ({ resourceId, operation, code: 'ServerError', message: '500' });

describe('read-errors', () => {
  describe('#readErrorBlocking', () => {
    it.each([
      ['a read of the zone blocks a record in it', RECORD, error(ZONE), true],
      ['a read of the zone, other casing, blocks a record in it', RECORD, error(ZONE.toLowerCase()), true],
      ["a read of the zone's subscription blocks a record in it", RECORD, error(`/subscriptions/${SUB_DNS}`), true],
      ['a read of another zone does not block it', RECORD, error(zoneId(ZONES.queue)), false],
      ['a read of a zone whose name starts the same does not block it', RECORD, error(ZONE.slice(0, -3)), false],
      ['a failed role-assignment read blocks any grant', GRANT, error(`/subscriptions/${SUB_DNS}/resourceGroups/elsewhere`, 'list role assignments'), true],
      ['a failed role-assignment read does not block a record', RECORD, error(ZONE, 'list role assignments'), false],
      ['a read of the vault blocks a connection decision', APPROVE, error(VAULT_ID), true],
      ['an id that cannot be placed blocks everything', APPROVE, error('not-an-id'), true],
    ] as const)('%s', (_what, action, readError, blocked) => {
      expect(readErrorBlocking(action, [readError]) !== undefined).toBe(blocked);
    });

    it('blocks nothing without read errors', () => {
      expect(readErrorBlocking(RECORD, [])).toBeUndefined();
    });
  });
});
