// Builders of domain objects for the domain tests: complete, valid defaults; override what a case is about.
import type { PrivateEndpoint, PrivateEndpointServiceConnection, Subnet, Vault } from '../../../shared/domain/model';

export const SUB = '00000000-0000-0000-0000-0000000000aa';
export const TENANT = '11111111-1111-1111-1111-111111111111';
export const VAULT_ID = `/subscriptions/${SUB}/resourceGroups/rg-backup/providers/Microsoft.RecoveryServices/vaults/vault1`;
export const VNET_ID = `/subscriptions/${SUB}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet1`;
export const SUBNET_ID = `${VNET_ID}/subnets/pe`;

export function peId(name: string, resourceGroup = 'rg-pe', subscriptionId = SUB): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.Network/privateEndpoints/${name}`;
}

export function backupConnection(overrides: Partial<PrivateEndpointServiceConnection> = {}): PrivateEndpointServiceConnection {
  return { privateLinkServiceId: VAULT_ID, groupIds: ['AzureBackup'], status: 'Approved', manual: false, ...overrides };
}

export function storageConnection(group: 'blob' | 'queue', account = 'abcdeypod01ecs114'): PrivateEndpointServiceConnection {
  return {
    privateLinkServiceId: `/subscriptions/ffffffff-0000-0000-0000-000000000000/resourceGroups/backup-owned/providers/Microsoft.Storage/storageAccounts/${account}`,
    groupIds: [group],
    status: 'Approved',
    manual: false,
  };
}

export function privateEndpoint(name: string, overrides: Partial<PrivateEndpoint> = {}): PrivateEndpoint {
  const resourceGroup = overrides.resourceGroup ?? 'rg-pe';
  const subscriptionId = overrides.subscriptionId ?? SUB;
  return {
    id: peId(name, resourceGroup, subscriptionId),
    name,
    subscriptionId,
    resourceGroup,
    location: 'uksouth',
    subnetId: SUBNET_ID,
    connections: [backupConnection()],
    customDnsConfigs: [],
    zoneGroups: [],
    networkInterfaceIds: [],
    ...overrides,
  };
}

export function vault(overrides: Partial<Vault> = {}): Vault {
  return {
    id: VAULT_ID,
    name: 'vault1',
    subscriptionId: SUB,
    resourceGroup: 'rg-backup',
    location: 'uksouth',
    tags: {},
    experience: 'classic',
    identity: { type: 'SystemAssigned', principalId: '22222222-2222-2222-2222-222222222222', tenantId: TENANT },
    privateEndpointStateForBackup: 'None',
    connections: [],
    protectedItemCount: 0,
    registeredContainerCount: 0,
    ...overrides,
  };
}

export function subnet(overrides: Partial<Subnet> = {}): Subnet {
  return {
    id: SUBNET_ID,
    vnetId: VNET_ID,
    addressPrefixes: ['10.0.1.0/24'],
    privateEndpointNetworkPolicies: 'Disabled',
    usedIpCount: 0,
    freeIpCount: 251,
    ...overrides,
  };
}
