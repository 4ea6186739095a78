// FQDNs as the ground truth for zone names, zone-partitioned storage names, and the registry.
import { backupGeoCodeOfFqdn, isPartitionedStorageName, privateDnsZonesForVault, registryMetadata, registryOf, vaultZoneNames, zoneRecordOf, type BackupZoneNames } from '../../../shared/domain/dns';
import { ownershipMetadata } from '../../../shared/domain/model';

const UKS = (() => {
  const z = privateDnsZonesForVault('uksouth');
  if (!z.known) throw new Error('uksouth');
  return z.zones;
})();
const MEMBER_FQDN = '1234567890123456789-ab-pod01-fab1.uks.backup.windowsazure.com';

describe('dns: ground truth', () => {
  describe('#zoneRecordOf with zone-partitioned storage names', () => {
    it.each([
      ['abcdeypod01prot120.z12.blob.storage.azure.net', 'blob', 'abcdeypod01prot120'],
      ['abcdeypod01ecs114.z7.queue.storage.azure.net', 'queue', 'abcdeypod01ecs114'],
      ['ABCDEYPOD01PROT120.Z12.BLOB.STORAGE.AZURE.NET.', 'blob', 'abcdeypod01prot120'],
    ])('maps %s to record %s/%s, where its public CNAME (<account>.privatelink.<service>.core.windows.net) leads', (fqdn, kind, label) => {
      const r = zoneRecordOf(fqdn, UKS);
      expect(r).toMatchObject({ zoneKind: kind, zone: UKS[kind as keyof BackupZoneNames], recordName: label, privateLinkFqdn: `${label}.privatelink.${kind}.core.windows.net` });
      expect(r?.publicFqdn).toBe(fqdn.toLowerCase().replace(/\.$/, ''));
      expect(isPartitionedStorageName(fqdn)).toBe(true);
    });

    it.each([
      ['no partition label', 'acct.blob.storage.azure.net'],
      ['a three-digit label', 'acct.z123.blob.storage.azure.net'],
      ['a table service', 'acct.z12.table.storage.azure.net'],
      ['two account labels', 'a.b.z12.blob.storage.azure.net'],
    ])('is not ours for %s', (_what, fqdn) => {
      expect(zoneRecordOf(fqdn, UKS)).toBeUndefined();
    });

    it('is not mapped into another cloud\'s storage zone (no partitioned suffix is published there)', () => {
      const gov = privateDnsZonesForVault('usgovvirginia', 'AzureUSGovernment');
      if (!gov.known) throw new Error('usgovvirginia');
      expect(zoneRecordOf('acct.z12.blob.storage.azure.net', gov.zones)).toBeUndefined();
    });
  });

  describe('#backupGeoCodeOfFqdn', () => {
    it.each([
      [MEMBER_FQDN, 'uks'],
      ['1234567890123456789-ab-pod01-prot1b.privatelink.weu.backup.windowsazure.com', 'weu'],
      ['acct.blob.core.windows.net', undefined],
      ['x.uks.backup.windowsazure.com', undefined],
    ])('reads %s as %s', (fqdn, geo) => {
      expect(backupGeoCodeOfFqdn(fqdn)).toBe(geo);
    });
  });

  describe('#vaultZoneNames', () => {
    it('names the zones from the table before Azure lists any FQDN', () => {
      expect(vaultZoneNames('uksouth', [])).toMatchObject({ known: true, source: 'table', zones: UKS });
    });

    it('follows the FQDNs over a wrong override and returns the contradiction with both codes', () => {
      const n = vaultZoneNames('uksouth', [MEMBER_FQDN, 'acct.blob.core.windows.net'], 'AzurePublicCloud', { uksouth: 'uksouth' });
      expect(n).toMatchObject({ known: true, source: 'fqdns', zones: UKS, contradiction: { configured: 'uksouth', configuredSource: 'override', fromFqdns: 'uks' } });
    });

    it('names the zone from the FQDNs even for a region the table lacks', () => {
      const n = vaultZoneNames('marsnorth', ['1-ab-pod01-fab1.mrn.backup.windowsazure.com']);
      expect(n).toMatchObject({ known: true, source: 'fqdns', contradiction: undefined });
      expect(n.known && n.zones.backup).toBe('privatelink.mrn.backup.windowsazure.com');
    });

    it('reports an unknown region when neither the FQDNs nor the table name a code', () => {
      expect(vaultZoneNames('marsnorth', [])).toMatchObject({ known: false, region: 'marsnorth' });
    });
  });

  describe('the ownership registry', () => {
    it('round-trips vault, endpoint and connection through metadata, keys compared case-insensitively', () => {
      const metadata = { ...ownershipMetadata('owner', '/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/privateEndpoints/pe'), ...registryMetadata({ vaultId: '/v', connectionName: 'pe.1.backup.x' }) };
      const shouted = Object.fromEntries(Object.entries(metadata).map(([k, v]) => [k.toUpperCase(), v]));
      expect(registryOf(shouted)).toEqual({ vaultId: '/v', privateEndpointId: '/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/privateEndpoints/pe', connectionName: 'pe.1.backup.x' });
      expect(registryOf({})).toEqual({ vaultId: undefined, privateEndpointId: undefined, connectionName: undefined });
    });
  });
});
