import { backupConnectionOf, classifyPrivateEndpoint, findSecondaryPrivateEndpoints, secondaryRoleOf } from '../../../shared/domain/endpoints';
import { backupConnection, privateEndpoint, storageConnection, SUB, VAULT_ID } from './builders';

describe('endpoints', () => {
  describe('#classifyPrivateEndpoint', () => {
    it.each([
      ['automatic AzureBackup', [backupConnection()], 'AzureBackup', false],
      ['manual AzureBackup', [backupConnection({ manual: true, status: 'Pending' })], 'AzureBackup', true],
      ['AzureBackup_secondary', [backupConnection({ groupIds: ['AzureBackup_secondary'] })], 'AzureBackup_secondary', false],
      ['group id in another casing', [backupConnection({ groupIds: ['azurebackup'] })], 'AzureBackup', false],
      ['vault id with lower-case keywords and /Vaults/', [backupConnection({ privateLinkServiceId: VAULT_ID.replace('resourceGroups', 'resourcegroups').replace('/vaults/', '/Vaults/') })], 'AzureBackup', false],
    ])('is a primary Backup PE with %s', (_what, connections, groupId, manual) => {
      const c = classifyPrivateEndpoint(privateEndpoint('pe1', { connections }));
      expect(c).toEqual({ kind: 'backup-primary', vaultId: VAULT_ID, groupId, manual });
    });

    it.each([
      ['a storage account target', [storageConnection('blob')]],
      ['a vault target with a Site Recovery group', [backupConnection({ groupIds: ['AzureSiteRecovery'] })]],
      ['a malformed vault id', [backupConnection({ privateLinkServiceId: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.RecoveryServices/vaults/../v' })]],
      ['a vault child resource', [backupConnection({ privateLinkServiceId: `${VAULT_ID}/backupFabrics/Azure` })]],
      ['no connection', []],
    ])('is unrelated with %s and no primary around', (_what, connections) => {
      expect(classifyPrivateEndpoint(privateEndpoint('pe1_ecs1_blob', { connections }))).toEqual({ kind: 'unrelated' });
    });

    const primary = privateEndpoint('pe1');
    it.each([
      ['pe1_ecs1a2b3c_blob', 'ecs-blob'],
      ['pe1_ecs1a2b3c_queue', 'ecs-queue'],
      ['pe1_prot9f_blob', 'prot-blob'],
      ['PE1_ECSx_BLOB', 'ecs-blob'],
      ['pe1_ecs_blob', 'ecs-blob'],
    ])('ties %s to its primary as %s', (name, role) => {
      const secondary = privateEndpoint(name, { connections: [storageConnection(role === 'ecs-queue' ? 'queue' : 'blob')] });
      expect(classifyPrivateEndpoint(secondary, [primary, secondary])).toEqual({ kind: 'backup-secondary', role, primaryName: 'pe1', primaryId: primary.id });
    });

    it.each([
      ['the wrong suffix', 'pe1_ecs1_table'],
      ['no separator after the primary name', 'pe1x_ecs1_blob'],
      ['_prot with a queue', 'pe1_prot1_queue'],
      ['the bare primary name', 'pe1'],
    ])('is unrelated with %s', (_what, name) => {
      const pe = privateEndpoint(name, { connections: [storageConnection('blob')] });
      expect(classifyPrivateEndpoint(pe, [primary, pe])).toEqual({ kind: 'unrelated' });
    });

    it('does not tie a secondary to a primary in another resource group', () => {
      const secondary = privateEndpoint('pe1_ecs1_blob', { resourceGroup: 'rg-other', connections: [storageConnection('blob')] });
      expect(classifyPrivateEndpoint(secondary, [primary])).toEqual({ kind: 'unrelated' });
    });

    it('does not tie a secondary to a same-named PE that is not a Backup PE', () => {
      const notBackup = privateEndpoint('pe1', { connections: [storageConnection('blob')] });
      const secondary = privateEndpoint('pe1_ecs1_blob', { connections: [storageConnection('blob')] });
      expect(classifyPrivateEndpoint(secondary, [notBackup])).toEqual({ kind: 'unrelated' });
    });

    it('chooses the longest primary name when one primary name is a prefix of another', () => {
      const shortPrimary = privateEndpoint('pe');
      const longPrimary = privateEndpoint('pe_ecsA');
      const secondary = privateEndpoint('pe_ecsA_ecs1_blob', { connections: [storageConnection('blob')] });
      for (const peers of [[shortPrimary, longPrimary], [longPrimary, shortPrimary]]) {
        expect(classifyPrivateEndpoint(secondary, peers)).toMatchObject({ kind: 'backup-secondary', primaryName: 'pe_ecsA' });
      }
      // the shorter primary still owns names that only it fits
      const shortOnly = privateEndpoint('pe_ecs9_queue', { connections: [storageConnection('queue')] });
      expect(classifyPrivateEndpoint(shortOnly, [shortPrimary, longPrimary])).toMatchObject({ kind: 'backup-secondary', primaryName: 'pe', role: 'ecs-queue' });
    });

    it('classifies a PE with a Backup connection as primary even when its name looks like a secondary', () => {
      const pe = privateEndpoint('pe1_ecs1_blob');
      expect(classifyPrivateEndpoint(pe, [primary, pe]).kind).toBe('backup-primary');
    });
  });

  describe('#secondaryRoleOf', () => {
    it.each([
      ['pe1_ecs1_blob', 'pe1', 'ecs-blob'],
      ['pe1_ecs1_blob', 'PE1', 'ecs-blob'],
      ['pe1_ecs1_blob', 'pe', undefined],
      ['pe1_ecs1_blob', '', undefined],
      ['pe1', 'pe1', undefined],
    ])('%s with primary %s gives %s', (name, primaryName, role) => {
      expect(secondaryRoleOf(name, primaryName)).toBe(role);
    });
  });

  describe('#backupConnectionOf', () => {
    it('prefers the automatic connection over a manual one', () => {
      const other = VAULT_ID.replace('vault1', 'vault2');
      const pe = privateEndpoint('pe', { connections: [backupConnection({ manual: true, privateLinkServiceId: other }), backupConnection()] });
      expect(backupConnectionOf(pe)).toEqual({ vaultId: VAULT_ID, groupId: 'AzureBackup', manual: false });
    });
  });

  describe('#findSecondaryPrivateEndpoints', () => {
    it('finds the three secondaries of a primary and none of a longer-named primary', () => {
      const pe = privateEndpoint('pe');
      const peA = privateEndpoint('pe_ecsA');
      const all = [
        pe,
        peA,
        privateEndpoint('pe_ecs1_blob', { connections: [storageConnection('blob')] }),
        privateEndpoint('pe_ecs1_queue', { connections: [storageConnection('queue')] }),
        privateEndpoint('pe_prot1_blob', { connections: [storageConnection('blob', 'abcdeypod01prot120')] }),
        privateEndpoint('pe_ecsA_ecs2_blob', { connections: [storageConnection('blob')] }),
        privateEndpoint('pe_ecs3_blob', { resourceGroup: 'rg-elsewhere', connections: [storageConnection('blob')] }),
        privateEndpoint('unrelated', { connections: [storageConnection('blob')] }),
      ];
      const found = findSecondaryPrivateEndpoints(pe, all).map((s) => [s.privateEndpoint.name, s.role]);
      expect(found).toEqual([
        ['pe_ecs1_blob', 'ecs-blob'],
        ['pe_ecs1_queue', 'ecs-queue'],
        ['pe_prot1_blob', 'prot-blob'],
      ]);
      expect(findSecondaryPrivateEndpoints(peA, all).map((s) => s.privateEndpoint.name)).toEqual(['pe_ecsA_ecs2_blob']);
    });

    it('finds nothing for a primary without secondaries, even when it is missing from the list', () => {
      expect(findSecondaryPrivateEndpoints(privateEndpoint('lonely', { subscriptionId: SUB }), [privateEndpoint('other')])).toEqual([]);
    });
  });
});
