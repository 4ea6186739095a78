/**
 * observe's DNS reads through the real SDK against the emulator: the zones a VNet of the vault
 * already resolves through, wherever they live (listZones per subscription in scope, then links),
 * and records tied to the vault by the ownership registry rather than by name patterns.
 */
import { ownershipMetadata, registryMetadata } from '../../../shared/domain';
import { planVault } from '../../../shared/plan';
import { observeVault } from '../../../shared/reconcile';
import { RG, World, ZONE_NAMES } from './world';

describe('observe: DNS (real SDK clients, emulator)', () => {
  let world: World;
  let vaultId: string;
  const teamZoneId = () => `${world.rgId(RG.net)}/providers/Microsoft.Network/privateDnsZones/${ZONE_NAMES.blob}`;

  beforeAll(async () => {
    world = await World.start();
    vaultId = await world.createVault('vault-observe-dns');
    await world.createPrivateEndpoint(vaultId, 'pe-observe-dns');
    const azure = world.azure();
    // An app team's own blob zone in the network resource group, linked to the PE's VNet.
    await azure.privateDns.createZone(teamZoneId(), {});
    await azure.privateDns.createVirtualNetworkLink(teamZoneId(), 'team-link', world.vnetId, {});
    // Another zone by that name, linked to no VNet of the vault: not what the VNet resolves through.
    await azure.privateDns.createZone(`${world.rgId(RG.pe)}/providers/Microsoft.Network/privateDnsZones/${ZONE_NAMES.blob}`, {});
  });
  afterAll(() => world.close());

  it('#listZones lists the private zones of a subscription', async () => {
    const names = (await world.azure().privateDns.listZones(world.sub)).map((z) => z.id.toLowerCase());
    expect(names).toEqual(expect.arrayContaining([teamZoneId().toLowerCase()]));
  });

  it('finds the zone the PE\'s VNet resolves blob names through, with its link, and only that one', async () => {
    const observed = await observeVault(world.context(planVault), vaultId);
    expect(observed.linkedZones?.map((z) => [z.kind, z.resourceId.toLowerCase(), z.links.map((l) => l.name)])).toEqual([['blob', teamZoneId().toLowerCase(), ['team-link']]]);
    expect(observed.readErrors).toEqual([]);
  });

  it('ties a record to the vault by the registry, not by a look-alike endpoint name', async () => {
    const azure = world.azure();
    const zoneId = world.zoneId(ZONE_NAMES.backup);
    await azure.privateDns.createZone(zoneId, {});
    const otherVault = world.vaultId('vault-other');
    // Another vault's record, for an endpoint named like a secondary of this vault's PE.
    const lookAlike = world.peId('pe-observe-dns_ecsprod_blob');
    await azure.privateDns.createARecordSet(zoneId, 'othersrecord', { ttl: 10, ipv4Addresses: ['10.9.0.1'], metadata: { ...ownershipMetadata('platform', lookAlike), ...registryMetadata({ vaultId: otherVault }) } });
    await azure.privateDns.createARecordSet(zoneId, 'oursrecord', { ttl: 10, ipv4Addresses: ['10.9.0.2'], metadata: { ...ownershipMetadata('platform', world.peId('pe-gone')), ...registryMetadata({ vaultId }) } });
    const observed = await observeVault(world.context(planVault), vaultId);
    const backup = observed.zones.find((z) => z.kind === 'backup');
    expect(backup?.records.map((r) => r.name)).toEqual(['oursrecord']);
  });
});
