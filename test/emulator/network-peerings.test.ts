import { randomUUID } from 'node:crypto';
import { BACKUP_ZONE, backupFixture, poll, type BackupFixture } from './backup-fixture';
import { restErrorOf } from './helpers';

/**
 * VNet peerings through the real @azure/arm-network `virtualNetworkPeerings` client, and what
 * they mean for Azure Backup: a backup "over the private endpoints" needs the name to resolve in
 * the VM's VNet AND the resolved private IP to be reachable from it (same VNet or a peering).
 */
describe('virtual network peerings', () => {
  let f: BackupFixture;
  afterEach(async () => f.emu.close());

  const peer = (from: string, to: string, extra: Record<string, unknown> = {}) =>
    f.network().virtualNetworkPeerings.beginCreateOrUpdateAndWait('rg-net', from, `${from}-to-${to}`, { remoteVirtualNetwork: { id: f.vnetId(to) }, allowVirtualNetworkAccess: true, ...extra }, poll);

  describe('#virtualNetworkPeerings', () => {
    beforeEach(async () => {
      f = await backupFixture({ experience: 'V2', identity: false });
      await f.createVnet('hub', '10.0.0.0/16');
      await f.createVnet('spoke', '10.1.0.0/16');
    });

    it('shows one peering alone as Initiated, both as Connected, and the survivor of a deletion as Disconnected', async () => {
      expect(await peer('hub', 'spoke')).toMatchObject({ name: 'hub-to-spoke', peeringState: 'Initiated', remoteVirtualNetwork: { id: f.vnetId('spoke') } });
      expect(await peer('spoke', 'hub')).toMatchObject({ peeringState: 'Connected', remoteAddressSpace: { addressPrefixes: ['10.0.0.0/16'] } });
      expect(await f.network().virtualNetworkPeerings.get('rg-net', 'hub', 'hub-to-spoke')).toMatchObject({ peeringState: 'Connected', provisioningState: 'Succeeded' });
      const listed = [];
      for await (const p of f.network().virtualNetworkPeerings.list('rg-net', 'hub')) listed.push(p.name);
      expect(listed).toEqual(['hub-to-spoke']);
      // the VNet's own GET shows its peerings too
      expect((await f.network().virtualNetworks.get('rg-net', 'hub')).virtualNetworkPeerings?.map((p) => [p.name, p.peeringState])).toEqual([['hub-to-spoke', 'Connected']]);
      await f.network().virtualNetworkPeerings.beginDeleteAndWait('rg-net', 'spoke', 'spoke-to-hub', poll);
      expect((await f.network().virtualNetworkPeerings.get('rg-net', 'hub', 'hub-to-spoke')).peeringState).toBe('Disconnected');
      expect(await restErrorOf(f.network().virtualNetworkPeerings.get('rg-net', 'spoke', 'spoke-to-hub'))).toEqual({ statusCode: 404, code: 'ResourceNotFound' });
    });

    it('refuses VNets whose address spaces overlap', async () => {
      await f.createVnet('clash', '10.1.0.0/16');
      expect(await restErrorOf(peer('spoke', 'clash'))).toEqual({ statusCode: 400, code: 'VnetAddressSpacesOverlap' });
    });

    it('needs peer/action on the remote VNet (LinkedAuthorizationFailed without it)', async () => {
      const spokeTeam = randomUUID();
      f.emu.control.grantRole({ role: 'Network Contributor', principalId: spokeTeam, scope: f.vnetId('spoke') });
      const call = f.network(spokeTeam).virtualNetworkPeerings.beginCreateOrUpdateAndWait('rg-net', 'spoke', 'spoke-to-hub', { remoteVirtualNetwork: { id: f.vnetId('hub') } }, poll);
      expect(await restErrorOf(call)).toEqual({ statusCode: 403, code: 'LinkedAuthorizationFailed' });
    });
  });

  describe('a backup over the private endpoints', () => {
    beforeEach(async () => {
      f = await backupFixture({ experience: 'V2', identity: false });
      await f.createVnet('hub', '10.0.0.0/16');
      await f.createVnet('spoke', '10.1.0.0/16');
      await f.createVnet('island', '10.2.0.0/16');
      // the endpoint lives in the hub; the zone is linked to every VNet, so the name resolves everywhere
      await f.createPrivateEndpoint('pe1', 'hub');
      const zoneId = await f.createZone(BACKUP_ZONE, ['hub', 'spoke', 'island']);
      await f.addZoneGroup('pe1', [zoneId]);
    });

    it('completes from the endpoint\'s own VNet', async () => {
      expect(await f.backup.registerContainer(f.vaultId, { vnetId: f.vnetId('hub') })).toMatchObject({ status: 'Completed', unresolved: [] });
    });

    it('fails from a VNet that resolves the names but is not peered with the endpoint\'s VNet', async () => {
      const job = await f.backup.registerContainer(f.vaultId, { vnetId: f.vnetId('island') });
      expect(job.status).toBe('Failed');
      expect(job.error?.code).toBe('UserErrorPrivateEndpointNotReachable');
      expect(job.error?.message).toContain(f.vnetId('hub'));
      expect(job.unresolved.length).toBeGreaterThan(0);
      expect(job.unresolved.every((u) => u.answer === 'private' && u.unreachableIn?.toLowerCase() === f.vnetId('hub').toLowerCase())).toBe(true);
    });

    it('still fails with only one of the two peerings (Initiated), and completes once they are Connected', async () => {
      await peer('spoke', 'hub');
      expect((await f.backup.registerContainer(f.vaultId, { vnetId: f.vnetId('spoke') })).error?.code).toBe('UserErrorPrivateEndpointNotReachable');
      await peer('hub', 'spoke');
      expect(await f.backup.registerContainer(f.vaultId, { vnetId: f.vnetId('spoke') })).toMatchObject({ status: 'Completed' });
      expect(await f.backup.runBackup(f.vaultId, { vnetId: f.vnetId('spoke') })).toMatchObject({ status: 'Completed' });
    });

    it('fails when a peering denies virtual network access', async () => {
      await peer('spoke', 'hub', { allowVirtualNetworkAccess: false });
      await peer('hub', 'spoke');
      expect((await f.backup.registerContainer(f.vaultId, { vnetId: f.vnetId('spoke') })).error?.code).toBe('UserErrorPrivateEndpointNotReachable');
    });

    it('is not transitive: spoke ↔ hub ↔ island does not connect spoke and island', async () => {
      // an endpoint in the island VNet, resolved from the spoke over the hub: unreachable
      await f.createPrivateEndpoint('pe-island', 'island');
      await f.deletePrivateEndpoint('pe1');
      await f.addZoneGroup('pe-island', [`/subscriptions/${f.sub}/resourceGroups/rg-dns/providers/Microsoft.Network/privateDnsZones/${BACKUP_ZONE}`]);
      for (const [a, b] of [['spoke', 'hub'], ['hub', 'spoke'], ['hub', 'island'], ['island', 'hub']] as const) await peer(a, b);
      expect((await f.backup.registerContainer(f.vaultId, { vnetId: f.vnetId('spoke') })).error?.code).toBe('UserErrorPrivateEndpointNotReachable');
      expect((await f.backup.registerContainer(f.vaultId, { vnetId: f.vnetId('hub') })).status).toBe('Completed');
    });
  });
});
