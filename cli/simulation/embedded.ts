/**
 * `plan --emulator` / `status --emulator`: an embedded emulator holding the simulation's landing
 * zone as it stands before vaultlink acts — a new classic vault and the spoke team's Pending
 * private endpoint — so that the operator commands can be tried (and tested) without Azure.
 */
import type { Policy } from '../../shared/config';
import { startSimulationEmulator } from './emulator';
import { FAST_POLLING, REGION, SIMULATION_IDS, layOutLandingZone, networkClient, recoveryServicesClient } from './landing-zone';

export interface EmbeddedLandingZone {
  readonly endpoint: string;
  readonly ca: string;
  /** vaultlink's identity in the emulator. */
  readonly credential: { getToken(scopes: string | string[]): Promise<{ token: string; expiresOnTimestamp: number } | null> };
  readonly policy: Policy;
  readonly vaultId: string;
  close(): Promise<void>;
}

export async function startEmbeddedLandingZone(seed = 1): Promise<EmbeddedLandingZone> {
  const emulator = await startSimulationEmulator(seed);
  try {
    const zone = await layOutLandingZone(emulator, { separateHubSubscription: false });
    const vault = await recoveryServicesClient(emulator, SIMULATION_IDS.platformPrincipalId, zone.spokeSubscriptionId).vaults.beginCreateOrUpdateAndWait(
      zone.backupResourceGroup,
      'rsv-app01',
      { location: REGION, sku: { name: 'Standard' }, properties: { publicNetworkAccess: 'Enabled' } },
      FAST_POLLING,
    );
    await networkClient(emulator, SIMULATION_IDS.spokeTeamPrincipalId, zone.spokeSubscriptionId).privateEndpoints.beginCreateOrUpdateAndWait(
      zone.networkResourceGroup,
      'pe-backup-app01',
      { location: REGION, subnet: { id: zone.endpointSubnetId }, manualPrivateLinkServiceConnections: [{ name: 'pe-backup-app01', privateLinkServiceId: vault.id as string, groupIds: ['AzureBackup'] }] },
      FAST_POLLING,
    );
    return {
      endpoint: emulator.endpoint,
      ca: emulator.ca,
      credential: emulator.credentialFor(SIMULATION_IDS.vaultlinkPrincipalId),
      policy: zone.policy,
      vaultId: vault.id as string,
      close: () => emulator.close(),
    };
  } catch (e) {
    await emulator.close();
    throw e;
  }
}
