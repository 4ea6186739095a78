import {
  backupGeoCodeOf,
  conditionalForwarders,
  foreignFqdnsOf,
  hostsFileLines,
  privateDnsZonesForVault,
  recordsForPrivateEndpoint,
  zoneFileLines,
  zoneRecordOf,
  type BackupZoneNames,
} from '../../../shared/domain/dns';
import { privateEndpoint } from './builders';

const UKS: BackupZoneNames = {
  backup: 'privatelink.uks.backup.windowsazure.com',
  blob: 'privatelink.blob.core.windows.net',
  queue: 'privatelink.queue.core.windows.net',
};
const MEMBER = '1234567890123456789-ab-pod01-fc1';

describe('dns', () => {
  describe('#backupGeoCodeOf', () => {
    it.each([
      ['uksouth', 'uks'],
      ['UK South', 'uks'],
      ['eastus', 'eus'],
      ['usgovvirginia', 'ugv'],
      ['chinanorth3', 'bjb3'],
    ])('maps %s to %s from the shipped table', (region, code) => {
      expect(backupGeoCodeOf(region)).toMatchObject({ known: true, geoCode: code, source: 'table' });
    });

    it('takes an override before the table, whatever the region casing', () => {
      expect(backupGeoCodeOf('uksouth', { UKSouth: 'UKX' })).toMatchObject({ known: true, geoCode: 'ukx', source: 'override' });
      expect(backupGeoCodeOf('newregion', { newregion: 'nrg' })).toMatchObject({ known: true, geoCode: 'nrg' });
    });

    it.each(['marsnorth', 'constructor', '__proto__', ''])('says %j is unknown rather than guessing', (region) => {
      const r = backupGeoCodeOf(region);
      expect(r.known).toBe(false);
      if (!r.known) expect(r.reason).toContain('geoCodes');
    });
  });

  describe('#privateDnsZonesForVault', () => {
    it.each([
      ['AzurePublicCloud', 'uksouth', ['privatelink.uks.backup.windowsazure.com', 'privatelink.blob.core.windows.net', 'privatelink.queue.core.windows.net']],
      ['AzureUSGovernment', 'usgovvirginia', ['privatelink.ugv.backup.windowsazure.us', 'privatelink.blob.core.usgovcloudapi.net', 'privatelink.queue.core.usgovcloudapi.net']],
      ['AzureChinaCloud', 'chinanorth3', ['privatelink.bjb3.backup.windowsazure.cn', 'privatelink.blob.core.chinacloudapi.cn', 'privatelink.queue.core.chinacloudapi.cn']],
    ] as const)('names the three zones in %s for %s', (cloud, region, [backup, blob, queue]) => {
      expect(privateDnsZonesForVault(region, cloud)).toEqual({ known: true, zones: { backup, blob, queue } });
    });

    it('never names a backup zone after the region name', () => {
      const r = privateDnsZonesForVault('uksouth');
      expect(r.known && r.zones.backup).not.toContain('uksouth');
    });

    it('reports an unknown region instead of zones', () => {
      expect(privateDnsZonesForVault('marsnorth')).toMatchObject({ known: false, region: 'marsnorth' });
    });
  });

  describe('#zoneRecordOf', () => {
    it.each([
      [`${MEMBER}.uks.backup.windowsazure.com`, 'backup', MEMBER],
      [`${MEMBER}.privatelink.uks.backup.windowsazure.com`, 'backup', MEMBER],
      [`${MEMBER.toUpperCase()}.UKS.Backup.WindowsAzure.com.`, 'backup', MEMBER],
      ['acct.blob.core.windows.net', 'blob', 'acct'],
      ['abcdeypod01ecs114.queue.core.windows.net', 'queue', 'abcdeypod01ecs114'],
      ['acct.privatelink.blob.core.windows.net', 'blob', 'acct'],
    ])('maps %s into the %s zone as %s', (fqdn, zoneKind, recordName) => {
      const r = zoneRecordOf(fqdn, UKS);
      expect(r).toMatchObject({ zoneKind, zone: UKS[zoneKind as keyof BackupZoneNames], recordName });
      expect(r?.privateLinkFqdn).toBe(`${recordName}.${UKS[zoneKind as keyof BackupZoneNames]}`);
    });

    it.each([
      ['another geo', `${MEMBER}.eus.backup.windowsazure.com`],
      ['another cloud', 'acct.blob.core.usgovcloudapi.net'],
      ['a table endpoint', 'acct.table.core.windows.net'],
      ['the zone apex', 'privatelink.blob.core.windows.net'],
      ['the public apex', 'blob.core.windows.net'],
      ['two labels', 'a.b.blob.core.windows.net'],
      ['a look-alike suffix', 'acct.evilblob.core.windows.net'],
      ['an empty label', '.blob.core.windows.net'],
    ])('is not ours for %s', (_what, fqdn) => {
      expect(zoneRecordOf(fqdn, UKS)).toBeUndefined();
    });
  });

  describe('#recordsForPrivateEndpoint', () => {
    const pe = privateEndpoint('pe1', {
      customDnsConfigs: [
        { fqdn: `${MEMBER}.uks.backup.windowsazure.com`, ipAddresses: ['10.0.1.5'] },
        { fqdn: '1234567890123456789-ab-pod01-id1.uks.backup.windowsazure.com', ipAddresses: ['10.0.1.10'] },
        { fqdn: `${MEMBER}.privatelink.uks.backup.windowsazure.com`, ipAddresses: ['10.0.1.9', '10.0.1.5'] },
        { fqdn: 'acct.blob.core.windows.net', ipAddresses: ['10.0.1.7', 'fd00::7'] },
        { fqdn: 'other.eus.backup.windowsazure.com', ipAddresses: ['10.0.1.8'] },
        { fqdn: 'noip.blob.core.windows.net', ipAddresses: [] },
      ],
    });

    it('gives one record per FQDN in our zones, merging duplicates, IPv4 only, sorted', () => {
      const records = recordsForPrivateEndpoint(pe, UKS);
      expect(records.map((r) => [r.zone, r.recordName, r.ipv4Addresses])).toEqual([
        ['privatelink.blob.core.windows.net', 'acct', ['10.0.1.7']],
        ['privatelink.uks.backup.windowsazure.com', MEMBER, ['10.0.1.5', '10.0.1.9']],
        ['privatelink.uks.backup.windowsazure.com', '1234567890123456789-ab-pod01-id1', ['10.0.1.10']],
      ]);
      expect(records.every((r) => r.sourcePrivateEndpointId === pe.id)).toBe(true);
    });

    it('gives nothing for a PE without DNS configs', () => {
      expect(recordsForPrivateEndpoint(privateEndpoint('bare'), UKS)).toEqual([]);
    });

    it('lists the FQDNs outside the zones separately', () => {
      expect(foreignFqdnsOf(pe, UKS)).toEqual(['other.eus.backup.windowsazure.com']);
    });
  });

  describe('custom placement lines', () => {
    const records = recordsForPrivateEndpoint(
      privateEndpoint('pe1', {
        customDnsConfigs: [
          { fqdn: 'acct.blob.core.windows.net', ipAddresses: ['10.0.1.7'] },
          { fqdn: `${MEMBER}.uks.backup.windowsazure.com`, ipAddresses: ['10.0.1.5', '10.0.1.6'] },
        ],
      }),
      UKS,
    );

    it('#hostsFileLines puts the privatelink name first and the public name as alias', () => {
      expect(hostsFileLines(records)).toEqual([
        '10.0.1.7 acct.privatelink.blob.core.windows.net acct.blob.core.windows.net',
        `10.0.1.5 ${MEMBER}.privatelink.uks.backup.windowsazure.com ${MEMBER}.uks.backup.windowsazure.com`,
        `10.0.1.6 ${MEMBER}.privatelink.uks.backup.windowsazure.com ${MEMBER}.uks.backup.windowsazure.com`,
      ]);
    });

    it('#zoneFileLines groups records under $ORIGIN per zone with the TTL', () => {
      expect(zoneFileLines(records, 10)).toEqual([
        '$ORIGIN privatelink.blob.core.windows.net.',
        'acct 10 IN A 10.0.1.7',
        '$ORIGIN privatelink.uks.backup.windowsazure.com.',
        `${MEMBER} 10 IN A 10.0.1.5`,
        `${MEMBER} 10 IN A 10.0.1.6`,
      ]);
    });

    it('#conditionalForwarders sends all three namespaces to Azure DNS (the seed\'s SQL Availability Group note)', () => {
      expect(conditionalForwarders(UKS)).toEqual([
        { zone: 'privatelink.uks.backup.windowsazure.com', forwarder: '168.63.129.16' },
        { zone: 'privatelink.blob.core.windows.net', forwarder: '168.63.129.16' },
        { zone: 'privatelink.queue.core.windows.net', forwarder: '168.63.129.16' },
      ]);
    });

    it('#conditionalForwarders adds the public partitioned storage namespace when the vault uses it', () => {
      expect(conditionalForwarders(UKS, { partitionedStorage: ['blob'] }).map((f) => f.zone)).toEqual([
        'privatelink.uks.backup.windowsazure.com',
        'privatelink.blob.core.windows.net',
        'privatelink.queue.core.windows.net',
        'blob.storage.azure.net',
      ]);
    });
  });
});
