import {
  backupStorageAccountId,
  backupStorageAccountName,
  backupUsageSummaries,
  ConnectionStatus,
  connectionStatusChangeRefusal,
  isConnectionStatus,
  secondaryEndpointName,
  vaultNumericIdFor,
} from '../../emulator/providers/backup-rules';
import { parseResourceId } from '../../shared/domain/ids';

const vaultKey = '/subscriptions/s1/resourcegroups/rg/providers/microsoft.recoveryservices/vaults/v1';

describe('backup-rules', () => {
  describe('#vaultNumericIdFor', () => {
    it('gives a 19-digit number without a leading zero for many vaults', () => {
      for (let i = 0; i < 500; i++) {
        expect(vaultNumericIdFor(`${vaultKey}${i}`, 0)).toMatch(/^[1-9]\d{18}$/);
      }
    });

    it('is stable for the same vault and incarnation', () => {
      expect(vaultNumericIdFor(vaultKey, 3)).toBe(vaultNumericIdFor(vaultKey, 3));
    });

    it('changes when the vault is created again', () => {
      expect(vaultNumericIdFor(vaultKey, 1)).not.toBe(vaultNumericIdFor(vaultKey, 0));
    });
  });

  describe('#secondaryEndpointName', () => {
    it.each([
      ['ecs', 'blob', /^pe1_ecs[0-9a-f]{8}_blob$/],
      ['ecs', 'queue', /^pe1_ecs[0-9a-f]{8}_queue$/],
      ['prot', 'blob', /^pe1_prot[0-9a-f]{8}_blob$/],
    ] as const)('names the %s %s endpoint after the primary one', (purpose, service, pattern) => {
      expect(secondaryEndpointName('pe1', purpose, service, '3592346090307038890')).toMatch(pattern);
    });
  });

  describe('#backupStorageAccountName', () => {
    it.each(['ecs', 'prot'] as const)('is a valid storage account name shaped like Backup\'s for %s', (purpose) => {
      for (let i = 0; i < 200; i++) {
        const name = backupStorageAccountName(vaultNumericIdFor(vaultKey, i), purpose);
        expect(name).toMatch(new RegExp(`^[a-z]{6}pod01${purpose}\\d{3}$`));
        expect(name.length).toBeLessThanOrEqual(24);
      }
    });

    it('gives the ecs and prot accounts different names', () => {
      expect(backupStorageAccountName('3592346090307038890', 'ecs')).not.toBe(backupStorageAccountName('3592346090307038890', 'prot'));
    });

    it('builds a well-formed storage account id', () => {
      const id = parseResourceId(backupStorageAccountId('3592346090307038890', 'ecs'));
      expect(id.type).toBe('Microsoft.Storage/storageAccounts');
      expect(id.name).toBe(backupStorageAccountName('3592346090307038890', 'ecs'));
    });
  });

  describe('#connectionStatusChangeRefusal', () => {
    it.each<[ConnectionStatus, ConnectionStatus, boolean]>([
      ['Pending', 'Approved', true],
      ['Pending', 'Rejected', true],
      ['Pending', 'Disconnected', true],
      ['Approved', 'Rejected', true],
      ['Rejected', 'Approved', true],
      ['Approved', 'Approved', true],
      ['Disconnected', 'Disconnected', true],
      ['Pending', 'Pending', false],
      ['Approved', 'Pending', false],
      ['Disconnected', 'Approved', false],
      ['Disconnected', 'Rejected', false],
    ])('from %s to %s: allowed=%s', (from, to, allowed) => {
      expect(connectionStatusChangeRefusal(from, to) === undefined).toBe(allowed);
    });
  });

  describe('#isConnectionStatus', () => {
    it.each([['Approved', true], ['Pending', true], ['approved', false], [undefined, false], [3, false]])('%s → %s', (value, expected) => {
      expect(isConnectionStatus(value)).toBe(expected);
    });
  });

  describe('#backupUsageSummaries', () => {
    const activity = { registeredContainers: 2, protectedItems: 5, everHadItems: true };

    it('lists the vault-wide counters without a filter', () => {
      const byName = Object.fromEntries(backupUsageSummaries(activity, undefined).map((u) => [u.name.value, u.currentValue]));
      expect(byName).toMatchObject({ ProtectedItemCount: 5, ManagedContainerCount: 2 });
    });

    it.each([
      ["type eq 'BackupProtectedItemCountSummary'", 5],
      ["type eq 'BackupProtectionContainerCountSummary'", 2],
    ])('counts per workload for %s', (filter, expected) => {
      expect(backupUsageSummaries(activity, filter)).toEqual([
        { unit: 'Count', currentValue: expected, limit: -1, name: { value: 'AzureWorkload', localizedValue: 'SQL in Azure VM' } },
      ]);
    });

    it('matches nothing for an unknown summary type', () => {
      expect(backupUsageSummaries(activity, "type eq 'Nonsense'")).toEqual([]);
    });
  });
});
