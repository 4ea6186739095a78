/**
 * Steps and checks shared by the DNS scenarios (issue 10): a second spoke VNet, a team's own
 * private DNS zone, a person deciding a connection, and name resolution judged the way Azure
 * answers it from each VNet (the emulator's resolver), never by vaultlink's own word.
 */
import { RecoveryServicesBackupClient } from '@azure/arm-recoveryservicesbackup';
import { parseResourceId, resourceGroupResourceId } from '../../shared/domain/ids';
import { FAST_POLLING, REGION, SIMULATION_IDS, networkClient, privateDnsClient, sdkOptions } from '../simulation/landing-zone';
import type { Simulation } from '../simulation/world';

/** The platform team adds a VNet to the spoke with an endpoint subnet (PE network policies off). */
export async function createSpokeVnet(sim: Simulation, name: string, prefix: string): Promise<{ vnetId: string; endpointSubnetId: string }> {
  const network = networkClient(sim.emulator, SIMULATION_IDS.platformPrincipalId, sim.zone.spokeSubscriptionId);
  const vnet = await sim.step('platform', `creates VNet ${name} (${prefix}.0.0/16) in the spoke, with an endpoint subnet`, () =>
    network.virtualNetworks.beginCreateOrUpdateAndWait(
      sim.zone.networkResourceGroup,
      name,
      { location: REGION, addressSpace: { addressPrefixes: [`${prefix}.0.0/16`] }, subnets: [{ name: 'snet-private-endpoints', addressPrefix: `${prefix}.2.0/24`, privateEndpointNetworkPolicies: 'Disabled' }] },
      FAST_POLLING,
    ),
  );
  const vnetId = vnet.id as string;
  return { vnetId, endpointSubnetId: `${vnetId}/subnets/snet-private-endpoints` };
}

/** An app team's own private DNS zone in the spoke's network resource group, linked to `vnetId` (what the VNet then resolves through). */
export async function createTeamZone(sim: Simulation, zoneName: string, vnetId: string): Promise<string> {
  const dns = privateDnsClient(sim.emulator, SIMULATION_IDS.platformPrincipalId, sim.zone.spokeSubscriptionId);
  const rg = sim.zone.networkResourceGroup;
  const zone = await sim.step('spoke-team', `creates its own private DNS zone ${zoneName} in ${rg} and links ${parseResourceId(vnetId).name} to it`, async () => {
    const z = await dns.privateZones.beginCreateOrUpdateAndWait(rg, zoneName, { location: 'global' }, FAST_POLLING);
    await dns.virtualNetworkLinks.beginCreateOrUpdateAndWait(rg, zoneName, 'app-team-link', { location: 'global', virtualNetwork: { id: vnetId }, registrationEnabled: false }, FAST_POLLING);
    return z;
  });
  return zone.id as string;
}

/** A person with rights on the vault sets a connection's state (Rejected, Disconnected) through the Backup RP. */
export async function decideConnectionByHand(sim: Simulation, vaultId: string, endpointName: string, status: 'Rejected' | 'Disconnected'): Promise<void> {
  const vault = parseResourceId(vaultId);
  const connection = sim.emulator.store
    .children(vault.id, 'Microsoft.RecoveryServices/vaults/privateEndpointConnections')
    .find((c) => String((c.resource['properties'] as { privateEndpoint?: { id?: string } } | undefined)?.privateEndpoint?.id ?? '').toLowerCase().endsWith(`/privateendpoints/${endpointName.toLowerCase()}`));
  if (connection === undefined) throw new Error(`vault ${vault.name} has no connection of ${endpointName}`);
  const client = new RecoveryServicesBackupClient(sim.emulator.credentialFor(SIMULATION_IDS.platformPrincipalId), sim.zone.spokeSubscriptionId, sdkOptions(sim.emulator));
  const peId = (connection.resource['properties'] as { privateEndpoint: { id: string } }).privateEndpoint.id;
  await sim.step('platform', `sets the connection of ${endpointName} to vault ${vault.name} to ${status} by hand`, () =>
    client.privateEndpointConnectionOperations.beginPutAndWait(
      vault.name,
      vault.resourceGroup as string,
      connection.parsed.name,
      { properties: { privateEndpoint: { id: peId }, privateLinkServiceConnectionState: { status, description: `${status} by a person` } } },
      FAST_POLLING,
    ),
  );
}

/**
 * Resolves every name of the vault's approved endpoints (Backup's own list: the emulator's
 * `requiredNames`) from each VNet, puts the answer on the timeline, and returns the problems:
 * a name that does not answer privately with an address of one of the vault's approved endpoints.
 */
export function checkResolutionFrom(sim: Simulation, vaultId: string, vnetIds: readonly string[]): string[] {
  const names = sim.emulator.provider<{ requiredNames(vaultId: string): Map<string, string[]> }>('backup').requiredNames(vaultId);
  const problems: string[] = [];
  const vaultName = parseResourceId(vaultId).name;
  if (names.size === 0) problems.push(`vault ${vaultName} has no name of an approved endpoint to resolve`);
  for (const vnetId of vnetIds) {
    const wrong: string[] = [];
    for (const [fqdn, expected] of names) {
      const r = sim.resolve(fqdn, vnetId);
      if (!(r.answer === 'private' && r.addresses.some((a) => expected.includes(a)))) wrong.push(`${fqdn} → ${r.answer}${r.addresses.length ? ` ${r.addresses.join(',')}` : ''}`);
    }
    const vnet = parseResourceId(vnetId).name;
    sim.timeline.add('vm', `nslookup from ${vnet}: ${names.size - wrong.length}/${names.size} names of vault ${vaultName} resolve to private IPs of its approved endpoints${wrong.length ? `; wrong: ${wrong.slice(0, 3).join('; ')}` : ''}`, { ok: wrong.length === 0 });
    problems.push(...wrong.map((w) => `from ${vnet}: ${w}`));
  }
  return problems;
}

/** vaultlink's writes that Azure refused with `status` (e.g. 409: a link Azure refuses). */
export function vaultlinkWritesAnswered(sim: Simulation, status: number): string[] {
  return sim.emulator.writes
    .log()
    .filter((w) => !w.faulted && w.status === status && w.principalId.toLowerCase() === sim.runtime.principalId.toLowerCase())
    .map((w) => `${w.method} ${w.path.split('?')[0]}`);
}

/** The A record sets of a zone: name → addresses. */
export function recordsOf(sim: Simulation, zoneId: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const r of sim.emulator.store.children(zoneId, 'Microsoft.Network/privateDnsZones/A')) {
    const a = (r.resource['properties'] as { aRecords?: { ipv4Address?: string }[] } | undefined)?.aRecords ?? [];
    out.set(r.parsed.name.toLowerCase(), a.map((x) => x.ipv4Address ?? '').filter(Boolean));
  }
  return out;
}

/** Private IPs a private endpoint's `customDnsConfigs` list. */
export function addressesOf(sim: Simulation, privateEndpointId: string): string[] {
  const pe = sim.emulator.store.get(privateEndpointId);
  const configs = (pe?.resource['properties'] as { customDnsConfigs?: { ipAddresses?: string[] }[] } | undefined)?.customDnsConfigs ?? [];
  return configs.flatMap((c) => c.ipAddresses ?? []);
}

/** The resource group id of the spoke's network (where the spoke team's own zones live). */
export function spokeNetworkGroupId(sim: Simulation): string {
  return resourceGroupResourceId(sim.zone.spokeSubscriptionId, sim.zone.networkResourceGroup);
}
