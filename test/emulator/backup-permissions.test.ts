import { randomUUID } from 'node:crypto';
import { backupFixture, STORAGE_ZONES, type BackupFixture } from './backup-fixture';

/**
 * Azure Backup creating its `_ecs` endpoints as the vault identity needs every permission the
 * seed lists, on the right scope ("Managing permissions on Resource Groups"), granted here as the
 * seed's least-privilege custom roles through the real @azure/arm-authorization client. Missing
 * any one fails as Azure does, naming the action and the scope.
 */
const LEAST_PRIVILEGE = {
  PrivateEndpointContributor: ['Microsoft.Network/privateEndpoints/*'],
  NetworkInterfaceReader: ['Microsoft.Network/networkInterfaces/read'],
  PrivateEndpointSubnetContributor: ['Microsoft.Network/virtualNetworks/subnets/join/action'],
} as const;
type Grant = keyof typeof LEAST_PRIVILEGE | 'PrivateDnsZoneContributor';
const PRIVATE_DNS_ZONE_CONTRIBUTOR = 'b12aa53e-6015-4669-85d0-8515ebb3ae7f';

describe('Azure Backup acting as the vault identity', () => {
  let f: BackupFixture;
  let identity: string;
  let scopes: Record<Grant, string>;
  let roleIds: Record<Grant, string>;

  beforeEach(async () => {
    f = await backupFixture({ experience: 'V1' });
    await f.createVnet('vnet1', '10.1.0.0/16');
    const sub = `/subscriptions/${f.sub}`;
    scopes = {
      PrivateEndpointContributor: `${sub}/resourceGroups/rg-pe`,
      NetworkInterfaceReader: `${sub}/resourceGroups/rg-pe`,
      PrivateEndpointSubnetContributor: f.vnetId('vnet1'),
      PrivateDnsZoneContributor: `${sub}/resourceGroups/rg-dns`,
    };
    roleIds = { PrivateDnsZoneContributor: `${sub}/providers/Microsoft.Authorization/roleDefinitions/${PRIVATE_DNS_ZONE_CONTRIBUTOR}` } as Record<Grant, string>;
    for (const [roleName, actions] of Object.entries(LEAST_PRIVILEGE)) {
      const guid = randomUUID();
      await f.authorization().roleDefinitions.createOrUpdate(sub, guid, { roleName, roleType: 'CustomRole', permissions: [{ actions: [...actions] }], assignableScopes: [sub] });
      roleIds[roleName as Grant] = `${sub}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
    }
    // the customer's endpoint integrates with the storage zones, so Backup's own endpoints do too
    await f.createPrivateEndpoint('pe1', 'vnet1');
    const zoneIds = [];
    for (const zone of STORAGE_ZONES) zoneIds.push(await f.createZone(zone, ['vnet1']));
    await f.addZoneGroup('pe1', zoneIds);
    identity = await f.identity();
  });
  afterEach(async () => f.emu.close());

  async function grantAllBut(missing: Grant | undefined): Promise<void> {
    for (const grant of Object.keys(scopes) as Grant[]) {
      if (grant === missing) continue;
      await f.authorization().roleAssignments.create(scopes[grant], randomUUID(), { roleDefinitionId: roleIds[grant], principalId: identity, principalType: 'ServicePrincipal' });
    }
  }

  it('creates the _ecs endpoints, reads their interfaces and joins them to the zones with the full least-privilege profile', async () => {
    await grantAllBut(undefined);
    const job = await f.backup.registerContainer(f.vaultId);
    expect(job).toMatchObject({ status: 'Completed', warnings: [] });
    expect(job.createdPrivateEndpoints).toHaveLength(2);
    // the SDK's list takes the endpoint name first
    const groups = f.network().privateDnsZoneGroups.list(job.createdPrivateEndpoints[0]?.split('/').pop() as string, 'rg-pe');
    const first = await groups.next();
    expect(first.value?.privateDnsZoneConfigs?.[0]?.recordSets?.length).toBeGreaterThan(0);
  });

  it.each([
    ['PrivateEndpointContributor', 'AuthorizationFailed', 'Microsoft.Network/privateEndpoints/write', '/resourceGroups/rg-pe/providers/Microsoft.Network/privateEndpoints/pe1_ecs'],
    ['NetworkInterfaceReader', 'AuthorizationFailed', 'Microsoft.Network/networkInterfaces/read', '/resourceGroups/rg-pe/providers/Microsoft.Network/networkInterfaces/pe1_ecs'],
    ['PrivateEndpointSubnetContributor', 'LinkedAuthorizationFailed', 'Microsoft.Network/virtualNetworks/subnets/join/action', '/virtualNetworks/vnet1/subnets/pe'],
  ] as const)('fails the registration without %s: %s naming %s', async (missing, code, action, scopePart) => {
    await grantAllBut(missing);
    const job = await f.backup.registerContainer(f.vaultId);
    expect(job.status).toBe('Failed');
    expect(job.error?.code).toBe(code);
    expect(job.error?.message).toContain(action);
    expect(job.error?.message).toContain(scopePart);
    // the vault's containers are not registered, and the failed attempt still counts as one
    expect(f.recoveryServices.vaultState(f.vaultId)).toMatchObject({ registeredContainers: 0, everHadItems: true });
  });

  it('without Private DNS Zone Contributor: registers, but Backup cannot add its endpoints to the zones (warnings), so a backup from the VNet fails', async () => {
    await grantAllBut('PrivateDnsZoneContributor');
    const job = await f.backup.registerContainer(f.vaultId);
    expect(job.status).toBe('Completed');
    expect(job.warnings.map((w) => w.code)).toEqual(['LinkedAuthorizationFailed', 'LinkedAuthorizationFailed']);
    expect(job.warnings[0]?.message).toContain('Microsoft.Network/privateDnsZones/join/action');
    const backup = await f.backup.runBackup(f.vaultId, { vnetId: f.vnetId('vnet1') });
    expect(backup.status).toBe('Failed');
  });

  it('sees the propagation delay: a registration right after the grants fails, the same one later completes', async () => {
    f.emu.authorization.configureIdentity({ propagationDelayMs: 5 * 60 * 1000 });
    await grantAllBut(undefined);
    const early = await f.backup.registerContainer(f.vaultId);
    expect(early).toMatchObject({ status: 'Failed', error: { code: 'AuthorizationFailed' } });
    f.emu.authorization.advanceIdentityClock(5 * 60 * 1000);
    expect(await f.backup.registerContainer(f.vaultId)).toMatchObject({ status: 'Completed' });
  });
});
