/**
 * The landing zone the simulation plays in, laid out the way platform teams do it: a hub (or
 * connectivity) subscription with the central private DNS zones, a spoke subscription with the
 * application's VNet and a new Recovery Services vault, the spoke team's rights on its own network
 * only, and vaultlink's identity with exactly the roles infra/ gives it.
 *
 * Everything that has an ARM API is created through the real SDK clients as the principal who
 * would create it; only what Azure has no API for here (subscriptions, resource groups: no
 * Microsoft.Resources client in this project) goes through the emulator's control plane.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { AuthorizationManagementClient } from '@azure/arm-authorization';
import { NetworkManagementClient } from '@azure/arm-network';
import { PrivateDnsManagementClient } from '@azure/arm-privatedns';
import { RecoveryServicesClient } from '@azure/arm-recoveryservices';
import type { TokenCredential } from '@azure/identity';
import type { CreateSubscriptionOptions, GrantRoleOptions } from '../../emulator/control';
import { parsePolicy, type Policy, type PolicyFile } from '../../shared/config';
import contract from '../../shared/contract.json';
import { privateDnsZonesForVault } from '../../shared/domain/dns';
import type { RoleProfile } from '../../shared/domain/rbac';
import { resourceGroupResourceId, resourceInGroupId, subscriptionResourceId } from '../../shared/domain/ids';

/** Fixed ids: the same scenario and seed print the same timeline. */
export const SIMULATION_IDS = {
  tenantId: '72f988bf-0000-4000-8000-000000000001',
  spokeSubscriptionId: '5b0c0000-0000-4000-8000-000000000001',
  hubSubscriptionId: 'c0c0c0c0-0000-4000-8000-000000000001',
  sandboxSubscriptionId: '5a5d0000-0000-4000-8000-000000000001',
  platformPrincipalId: 'a11a0000-0000-4000-8000-0000000000aa',
  spokeTeamPrincipalId: '5b0c7ea0-0000-4000-8000-0000000000bb',
  outsiderPrincipalId: '0ff51de0-0000-4000-8000-0000000000cc',
  vaultlinkPrincipalId: 'fa017111-0000-4000-8000-0000000000dd',
  operatorRoleGuid: '0e0e0e0e-0000-4000-8000-0000000000ee',
} as const;

export const REGION = 'uksouth';
/** Poll long-running operations every few ms (the SDK's default is 2 s). */
export const FAST_POLLING = { updateIntervalInMs: 5 } as const;

export interface LandingZoneOptions {
  /** The DNS zones live in their own hub subscription (else: a resource group of the spoke's). */
  readonly separateHubSubscription: boolean;
  /** A scenario's changes to the simulation's policy file (another allowlist rule; DNS settings: recordPolicy, linkedZones, geoCodes). */
  readonly adjustPolicy?: (file: PolicyFile) => PolicyFile;
}

export interface LandingZone {
  readonly spokeSubscriptionId: string;
  readonly hubSubscriptionId: string;
  readonly dnsResourceGroupId: string;
  readonly networkResourceGroup: string;
  readonly backupResourceGroup: string;
  readonly vnetId: string;
  readonly workloadSubnetId: string;
  readonly endpointSubnetId: string;
  readonly zoneIds: readonly string[];
  readonly policy: Policy;
  /** The policy as its JSON file would read (printed by `simulate --verbose`). */
  readonly policyFile: PolicyFile;
}

/**
 * What laying out a landing zone needs of an emulator: its endpoint and CA, tokens, and the control
 * plane for what has no ARM client here. The in-process `Emulator` is one; a standalone emulator
 * driven over `/_emulator/` (test/cli/standalone/harness.ts) is another, so both lay out the same
 * landing zone. Control calls may answer at once or with a promise.
 */
export interface LandingZoneHost {
  readonly endpoint: string;
  readonly ca: string;
  /** The first subscription (the spoke). */
  readonly subscriptionId: string;
  credentialFor(principalId: string): TokenCredential;
  readonly control: {
    createSubscription(options: CreateSubscriptionOptions): string | Promise<string>;
    createResourceGroup(subscriptionId: string, name: string, location: string): unknown;
    grantRole(options: GrantRoleOptions): unknown;
  };
}

export function sdkOptions(emulator: Pick<LandingZoneHost, 'endpoint' | 'ca'>): { endpoint: string; tlsOptions: { ca: string } } {
  return { endpoint: emulator.endpoint, tlsOptions: { ca: emulator.ca } };
}

export const networkClient = (e: LandingZoneHost, principalId: string, subscriptionId: string): NetworkManagementClient => new NetworkManagementClient(e.credentialFor(principalId), subscriptionId, sdkOptions(e));
export const privateDnsClient = (e: LandingZoneHost, principalId: string, subscriptionId: string): PrivateDnsManagementClient => new PrivateDnsManagementClient(e.credentialFor(principalId), subscriptionId, sdkOptions(e));
export const recoveryServicesClient = (e: LandingZoneHost, principalId: string, subscriptionId: string): RecoveryServicesClient => new RecoveryServicesClient(e.credentialFor(principalId), subscriptionId, sdkOptions(e));
const authorizationClient = (e: LandingZoneHost, principalId: string, subscriptionId: string): AuthorizationManagementClient => new AuthorizationManagementClient(e.credentialFor(principalId), subscriptionId, sdkOptions(e));

/** The policy the platform team keeps for the spoke: enforce, central DNS in the hub, the spoke team's endpoints allowlisted. */
export function simulationPolicyFile(zone: { spokeSubscriptionId: string; hubSubscriptionId: string; dnsResourceGroup: string }): PolicyFile {
  return {
    version: 1,
    mode: 'enforce',
    ownerId: 'alz-platform',
    scope: { subscriptions: [zone.spokeSubscriptionId] },
    identity: { enableSystemAssigned: true },
    roles: { profile: 'contributor' },
    approval: {
      unmatched: 'leave-pending',
      rules: [{ name: 'spoke-app-team', requester: { subscriptionId: zone.spokeSubscriptionId, privateEndpointName: 'pe-backup-*' } }],
    },
    dns: {
      placement: 'central',
      central: { subscriptionId: zone.hubSubscriptionId, resourceGroup: zone.dnsResourceGroup },
      recordPolicy: 'upsert-only',
      ttl: 10,
      linkVirtualNetworks: [],
    },
    geoCodes: {},
  };
}

/**
 * Lays out the landing zone (no vault yet: creating it is the scenario's first step). Nothing here
 * is in vaultlink's scope before the vault exists, so vaultlink has nothing to do yet.
 */
export async function layOutLandingZone(emulator: LandingZoneHost, options: LandingZoneOptions): Promise<LandingZone> {
  const ids = SIMULATION_IDS;
  const { control } = emulator;
  const spoke = emulator.subscriptionId;
  const hub = options.separateHubSubscription ? await control.createSubscription({ subscriptionId: ids.hubSubscriptionId, displayName: 'connectivity' }) : spoke;
  const dnsResourceGroup = 'rg-private-dns';
  const networkResourceGroup = 'rg-spoke-network';
  const backupResourceGroup = 'rg-spoke-backup';
  await control.createResourceGroup(hub, dnsResourceGroup, REGION);
  await control.createResourceGroup(spoke, networkResourceGroup, REGION);
  await control.createResourceGroup(spoke, backupResourceGroup, REGION);

  // The platform team: the hub's central zones (region-correct backup zone: uksouth is "uks").
  const zones = privateDnsZonesForVault(REGION);
  if (!zones.known) throw new Error(`no Azure Backup geo code for ${REGION}`);
  const dns = privateDnsClient(emulator, ids.platformPrincipalId, hub);
  const zoneNames = [zones.zones.backup, zones.zones.blob, zones.zones.queue];
  for (const name of zoneNames) await dns.privateZones.beginCreateOrUpdateAndWait(dnsResourceGroup, name, { location: 'global' }, FAST_POLLING);

  // The platform team: the spoke's VNet, a workload subnet (the VM) and an endpoint subnet with
  // private-endpoint network policies disabled (the seed's prerequisite).
  const network = networkClient(emulator, ids.platformPrincipalId, spoke);
  const vnet = await network.virtualNetworks.beginCreateOrUpdateAndWait(
    networkResourceGroup,
    'vnet-spoke-app',
    {
      location: REGION,
      addressSpace: { addressPrefixes: ['10.1.0.0/16'] },
      subnets: [
        { name: 'snet-workload', addressPrefix: '10.1.1.0/24' },
        { name: 'snet-private-endpoints', addressPrefix: '10.1.2.0/24', privateEndpointNetworkPolicies: 'Disabled' },
      ],
    },
    FAST_POLLING,
  );
  const vnetId = vnet.id ?? resourceInGroupId(spoke, networkResourceGroup, 'Microsoft.Network/virtualNetworks', 'vnet-spoke-app');

  // The spoke team may change its own network resource group, nothing else: its endpoints to the
  // vault can only ask for approval (Pending).
  await control.grantRole({ role: 'Contributor', principalId: ids.spokeTeamPrincipalId, scope: resourceGroupResourceId(spoke, networkResourceGroup), principalType: 'Group' });
  await control.grantRole({ role: 'Reader', principalId: ids.spokeTeamPrincipalId, scope: resourceGroupResourceId(spoke, backupResourceGroup), principalType: 'Group' });

  const policyFile = (options.adjustPolicy ?? ((f: PolicyFile) => f))(simulationPolicyFile({ spokeSubscriptionId: spoke, hubSubscriptionId: hub, dnsResourceGroup }));
  await grantVaultlinkRoles(emulator, { spoke, hub, dnsResourceGroup, profile: policyFile.roles?.profile ?? 'contributor' });

  // Through the same loader the app and `config check` use: the simulation's policy is a valid file.
  const policy = parsePolicy(JSON.stringify(policyFile), 'simulation.policy.json');
  return {
    spokeSubscriptionId: spoke,
    hubSubscriptionId: hub,
    dnsResourceGroupId: resourceGroupResourceId(hub, dnsResourceGroup),
    networkResourceGroup,
    backupResourceGroup,
    vnetId,
    workloadSubnetId: `${vnetId}/subnets/snet-workload`,
    endpointSubnetId: `${vnetId}/subnets/snet-private-endpoints`,
    zoneIds: zoneNames.map((n) => resourceInGroupId(hub, dnsResourceGroup, 'Microsoft.Network/privateDnsZones', n)),
    policy,
    policyFile,
  };
}

const RBAC_CONDITION_FILE = join('infra', 'rbac-condition.txt');

/** The text of infra/rbac-condition.txt, found above this module (sources or dist/). */
export function readRbacConditionTemplate(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, RBAC_CONDITION_FILE);
    if (existsSync(candidate)) return readFileSync(candidate, 'utf8');
    if (dirname(dir) === dir) throw new Error(`${RBAC_CONDITION_FILE} was not found in any folder above ${from}: the simulation grants vaultlink the condition infra deploys, read from that file.`);
  }
}

/**
 * The ABAC condition infra/ puts on vaultlink's Role Based Access Control Administrator grants,
 * built as infra/main.bicep and the access modules build it: the template trimmed, the role
 * definitions of the profile(s) joined with ", ", and vaultlink's own principal id.
 */
export function vaultlinkRoleAssignmentCondition(profiles: readonly RoleProfile[], vaultlinkPrincipalId: string, template: string = readRbacConditionTemplate()): string {
  const guids = new Set<string>();
  for (const profile of profiles) {
    for (const roleName of contract.roleProfiles[profile]) {
      const guid = (contract.roleDefinitions as Record<string, string>)[roleName];
      // least-privilege roles are custom definitions the simulation's landing zone does not create
      if (guid === undefined) throw new Error(`role profile ${profile} names ${roleName}, which has no built-in role definition GUID in shared/contract.json; the simulation cannot build its condition.`);
      guids.add(guid);
    }
  }
  return template.trim().replaceAll('__ROLE_DEFINITION_IDS__', [...guids].join(', ')).replaceAll('__VAULTLINK_PRINCIPAL_ID__', vaultlinkPrincipalId);
}

/**
 * vaultlink's identity gets what infra/ gives it (infra/modules/subscription-access.bicep,
 * dns-access.bicep, role-definitions.bicep): Reader and the operator role on the subscriptions in
 * scope, RBAC Administrator there (to grant the vault identities their roles) WITH infra's ABAC
 * condition (infra/rbac-condition.txt), and Private DNS Zone Contributor plus RBAC Administrator
 * (same condition) on the DNS resource group. The operator role is created by the platform team
 * through the real authorization client, with the actions infra/ lists.
 */
async function grantVaultlinkRoles(emulator: LandingZoneHost, at: { spoke: string; hub: string; dnsResourceGroup: string; profile: RoleProfile }): Promise<void> {
  const ids = SIMULATION_IDS;
  const spokeScope = subscriptionResourceId(at.spoke);
  const authz = authorizationClient(emulator, ids.platformPrincipalId, at.spoke);
  await authz.roleDefinitions.createOrUpdate(spokeScope, ids.operatorRoleGuid, {
    roleName: 'vaultlink operator',
    description: 'vaultlink: approve private endpoint connections, link VNets to private DNS zones, turn on vault identities.',
    roleType: 'CustomRole',
    permissions: [{ actions: [contract.approvalAction, 'Microsoft.RecoveryServices/vaults/privateEndpointConnections/write', 'Microsoft.Network/virtualNetworks/join/action', 'Microsoft.RecoveryServices/vaults/write'], notActions: [] }],
    assignableScopes: [spokeScope],
  });
  const grant = async (role: string, scope: string, condition?: string): Promise<void> =>
    void (await emulator.control.grantRole({ role, principalId: ids.vaultlinkPrincipalId, scope, principalType: 'ServicePrincipal', ...(condition ? { condition } : {}) }));
  const condition = vaultlinkRoleAssignmentCondition([at.profile], ids.vaultlinkPrincipalId);
  await grant('Reader', spokeScope);
  await grant(ids.operatorRoleGuid, spokeScope);
  await grant('Role Based Access Control Administrator', spokeScope, condition);
  const dnsScope = resourceGroupResourceId(at.hub, at.dnsResourceGroup);
  await grant('Private DNS Zone Contributor', dnsScope);
  await grant('Role Based Access Control Administrator', dnsScope, condition);
}
