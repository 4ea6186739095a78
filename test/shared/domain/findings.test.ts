import {
  checkCrossRegionRestore,
  checkEligibility,
  checkGeoCode,
  checkIdentity,
  checkPrivateEndpointCount,
  checkRegion,
  checkSubnetFreeIps,
  checkSubnetNetworkPolicies,
  checkTenant,
  FINDING_CODES,
  ipsPerBackupPrivateEndpoint,
  preflightFindings,
} from '../../../shared/domain/findings';
import type { VaultConnection } from '../../../shared/domain/model';
import { backupConnection, peId, privateEndpoint, storageConnection, subnet, SUBNET_ID, TENANT, vault, VAULT_ID } from './builders';

const connection = (n: number): VaultConnection => ({
  id: `${VAULT_ID}/privateEndpointConnections/pe${n}.123.backup.x`,
  name: `pe${n}.123.backup.x`,
  privateEndpointId: peId(`pe${n}`),
  status: 'Approved',
  description: '',
  groupIds: ['AzureBackup'],
  provisioningState: 'Succeeded',
});
const withPes = (n: number) => vault({ connections: Array.from({ length: n }, (_, i) => connection(i)) });
const ips = (n: number, from = 4) => Array.from({ length: n }, (_, i) => `10.0.1.${from + i}`);
const PRINCIPAL = '00000000-0000-4000-8000-0000000000aa';

describe('findings', () => {
  describe('#checkSubnetNetworkPolicies', () => {
    it.each([
      ['Disabled', 0],
      ['Enabled', 1],
      ['NetworkSecurityGroupEnabled', 1],
      ['RouteTableEnabled', 1],
    ] as const)('with %s gives %i finding(s)', (policies, n) => {
      const f = checkSubnetNetworkPolicies(subnet({ privateEndpointNetworkPolicies: policies }));
      expect(f).toHaveLength(n);
      if (n) expect(f[0]).toMatchObject({ code: 'subnet-network-policies-enabled', severity: 'error', resourceId: SUBNET_ID });
    });
  });

  describe('#ipsPerBackupPrivateEndpoint', () => {
    it.each([
      ['classic by default', 'classic', 'uksouth', {}, 11],
      ['v2 by default', 'v2', 'uksouth', {}, 8],
      ['classic in a region with its own figure', 'classic', 'UK South', { classicByRegion: { uksouth: 25 } }, 25],
      ['classic clamped to 25', 'classic', 'uksouth', { classic: 40 }, 25],
      ['classic never below the seed 11', 'classic', 'uksouth', { classic: 3 }, 11],
      ['v2 configured', 'v2', 'uksouth', { v2: 5 }, 5],
    ] as const)('%s', (_what, experience, location, options, n) => {
      expect(ipsPerBackupPrivateEndpoint({ experience, location }, options)).toBe(n);
    });
  });

  describe('#checkSubnetFreeIps', () => {
    const primary = privateEndpoint('pe1', { customDnsConfigs: [{ fqdn: 'a.uks.backup.windowsazure.com', ipAddresses: ips(8) }] });

    it.each([
      ['3 free for the 3 secondaries still to come', 3, 0],
      ['2 free for the 3 secondaries still to come', 2, 1],
    ])('with %s gives %i finding(s)', (_what, free, n) => {
      expect(checkSubnetFreeIps(subnet({ freeIpCount: free }), vault(), [primary])).toHaveLength(n);
    });

    it('counts the IPs the secondaries already use', () => {
      const secondaries = ['pe1_ecs1_blob', 'pe1_ecs1_queue'].map((name, i) =>
        privateEndpoint(name, { connections: [storageConnection(i ? 'queue' : 'blob')], customDnsConfigs: [{ fqdn: `x${i}.blob.core.windows.net`, ipAddresses: ips(1, 20 + i) }] }),
      );
      expect(checkSubnetFreeIps(subnet({ freeIpCount: 1 }), vault(), [primary, ...secondaries])).toEqual([]);
      expect(checkSubnetFreeIps(subnet({ freeIpCount: 0 }), vault(), [primary, ...secondaries])[0]).toMatchObject({ code: 'subnet-too-few-free-ips', resourceId: SUBNET_ID });
    });

    it('budgets a v2 vault without secondaries', () => {
      expect(checkSubnetFreeIps(subnet({ freeIpCount: 0 }), vault({ experience: 'v2' }), [primary])).toEqual([]);
    });

    it('needs the full budget for a PE that has no IPs yet', () => {
      const fresh = privateEndpoint('pe2');
      const f = checkSubnetFreeIps(subnet({ freeIpCount: 10 }), vault(), [fresh]);
      expect(f[0]?.message).toContain('11 more are needed and the subnet has 10 free');
    });

    it('ignores PEs of other vaults and other subnets', () => {
      const other = privateEndpoint('pe3', { connections: [backupConnection({ privateLinkServiceId: VAULT_ID.replace('vault1', 'vault2') })] });
      const elsewhere = privateEndpoint('pe4', { subnetId: SUBNET_ID.replace('/pe', '/other') });
      expect(checkSubnetFreeIps(subnet({ freeIpCount: 0 }), vault(), [other, elsewhere])).toEqual([]);
    });
  });

  describe('#checkPrivateEndpointCount', () => {
    it.each([
      [11, []],
      [12, ['private-endpoint-limit-reached']],
      [13, ['too-many-private-endpoints']],
    ])('with %i connections gives %j', (n, codes) => {
      expect(checkPrivateEndpointCount(withPes(n)).map((f) => f.code)).toEqual(codes);
    });
  });

  describe('#checkRegion', () => {
    it.each([
      ['same region', 'uksouth', 'AzureBackup', 0],
      ['same region spelled differently', 'UK South', 'AzureBackup', 0],
      ['another region', 'ukwest', 'AzureBackup', 1],
      ['a paired-region secondary group', 'ukwest', 'AzureBackup_secondary', 0],
    ])('%s gives %i finding(s)', (_what, location, group, n) => {
      const pe = privateEndpoint('pe1', { location, connections: [backupConnection({ groupIds: [group] })] });
      expect(checkRegion(pe, vault())).toHaveLength(n);
    });
  });

  describe('vault checks', () => {
    it.each([
      ['eligibility: new vault', () => checkEligibility(vault()), []],
      ['eligibility: items protected, no PE', () => checkEligibility(vault({ protectedItemCount: 2 })), ['vault-not-eligible']],
      ['eligibility: container registered, no PE', () => checkEligibility(vault({ registeredContainerCount: 1 })), ['vault-not-eligible']],
      ['eligibility: items protected after PEs', () => checkEligibility({ ...withPes(1), protectedItemCount: 5 }), []],
      ['identity: classic with PEs and identity on', () => checkIdentity(withPes(1)), []],
      ['identity: classic with PEs, identity off and never seen on (vaultlink turns it on)', () => checkIdentity({ ...withPes(1), identity: { type: 'None', principalId: undefined, tenantId: undefined } }), []],
      ['identity: classic with PEs, off, a principal in vaultlink\'s memory', () => checkIdentity({ ...withPes(1), identity: { type: 'None', principalId: undefined, tenantId: undefined } }, { principalsSeen: [PRINCIPAL] }), ['identity-disabled']],
      ['identity: classic with PEs, user-assigned only, vaultlink\'s marked grants to a principal', () => checkIdentity({ ...withPes(1), identity: { type: 'UserAssigned', principalId: undefined, tenantId: undefined } }, { markedPrincipals: [PRINCIPAL] }), ['identity-disabled']],
      ['identity: classic without PEs, off, a principal in memory (the seed: never disabled)', () => checkIdentity(vault({ identity: { type: 'None', principalId: undefined, tenantId: undefined } }), { principalsSeen: [PRINCIPAL] }), ['identity-disabled']],
      ['identity: classic, on, with marked grants to an earlier principal (a change, not a disabled identity)', () => checkIdentity(withPes(1), { markedPrincipals: [PRINCIPAL] }), []],
      ['identity: v2 with PEs and identity off', () => checkIdentity({ ...withPes(1), experience: 'v2', identity: { type: 'None', principalId: undefined, tenantId: undefined } }), []],
      ['identity: classic without PEs, identity off (vaultlink turns it on)', () => checkIdentity(vault({ identity: { type: 'None', principalId: undefined, tenantId: undefined } })), []],
      ['tenant: same tenant, other casing', () => checkTenant(vault(), TENANT.toUpperCase()), []],
      ['tenant: moved', () => checkTenant(vault(), '99999999-9999-9999-9999-999999999999'), ['tenant-moved']],
      ['tenant: subscription tenant unknown', () => checkTenant(vault(), undefined), []],
      ['cross-region restore: no PEs', () => checkCrossRegionRestore(vault()), []],
      ['cross-region restore: with PEs', () => checkCrossRegionRestore(withPes(1)), ['cross-region-restore-caveat']],
      ['geo code: known region', () => checkGeoCode(vault()), []],
      ['geo code: unknown region', () => checkGeoCode(vault({ location: 'marsnorth' })), ['unknown-region-geo-code']],
      ['geo code: unknown region with an override', () => checkGeoCode(vault({ location: 'marsnorth' }), { marsnorth: 'mn' }), []],
    ])('%s', (_what, run, codes) => {
      expect(run().map((f) => f.code)).toEqual(codes);
    });
  });

  describe('#preflightFindings', () => {
    it('runs every check, errors first, only on subnets that host the vault PEs', () => {
      const pe = privateEndpoint('pe1', { location: 'ukwest' });
      const findings = preflightFindings({
        vault: { ...withPes(1), identity: { type: 'None', principalId: undefined, tenantId: undefined } },
        identity: { principalsSeen: [PRINCIPAL] },
        privateEndpoints: [pe],
        subnets: [subnet({ privateEndpointNetworkPolicies: 'Enabled', freeIpCount: 0 }), subnet({ id: SUBNET_ID + '2', privateEndpointNetworkPolicies: 'Enabled' })],
        subscriptionTenantId: TENANT,
      });
      expect(findings.map((f) => [f.severity, f.code])).toEqual([
        ['error', 'identity-disabled'],
        ['error', 'subnet-network-policies-enabled'],
        ['error', 'subnet-too-few-free-ips'],
        ['warning', 'region-mismatch'],
        ['info', 'cross-region-restore-caveat'],
      ]);
    });

    it('finds nothing on a healthy new vault', () => {
      expect(preflightFindings({ vault: vault(), privateEndpoints: [], subnets: [subnet()], subscriptionTenantId: TENANT })).toEqual([]);
    });
  });

  describe('FINDING_CODES', () => {
    it('lists each code once', () => {
      expect(new Set(FINDING_CODES).size).toBe(FINDING_CODES.length);
    });

    it.each(['record-not-managed', 'record-claimed-by-several-endpoints', 'zone-group-mismatch', 'custom-dns-records-needed', 'read-failed', 'vault-not-eligible'])(
      'includes %s',
      (code) => {
        expect(FINDING_CODES).toContain(code);
      },
    );
  });
});
