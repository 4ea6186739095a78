/** The Network port on `@azure/arm-network` 36: private endpoints, their zone groups, subnets (reads only). */
import type { NetworkManagementClient } from '@azure/arm-network';
import { isResourceType, parseResourceId, parentResourceId } from '../domain/ids';
import { PRIVATE_ENDPOINT_RESOURCE_TYPE } from '../domain/endpoints';
import type { PrivateDnsZoneGroup, PrivateEndpoint, Subnet } from '../domain/model';
import { describeAzureCall, readOrUndefined } from './errors';
import { toPrivateDnsZoneGroup, toPrivateEndpoint, toSubnet } from './mappers';
import type { NetworkPort } from './ports';

export interface NetworkClients {
  network(subscriptionId: string): NetworkManagementClient;
}

function privateEndpointRef(id: string): { id: string; subscriptionId: string; resourceGroup: string; name: string } {
  const p = parseResourceId(id);
  if (!isResourceType(p, PRIVATE_ENDPOINT_RESOURCE_TYPE) || p.subscriptionId === undefined || p.resourceGroup === undefined) {
    throw new Error(`not a private endpoint id: ${id}`);
  }
  return { id: p.id, subscriptionId: p.subscriptionId, resourceGroup: p.resourceGroup, name: p.name };
}

export class SdkNetworkAdapter implements NetworkPort {
  constructor(private readonly clients: NetworkClients) {}

  async getPrivateEndpoint(privateEndpointId: string, options: { readonly zoneGroups?: boolean } = {}): Promise<PrivateEndpoint | undefined> {
    const pe = privateEndpointRef(privateEndpointId);
    const raw = await readOrUndefined('reading private endpoint', pe.id, () => this.clients.network(pe.subscriptionId).privateEndpoints.get(pe.resourceGroup, pe.name));
    if (raw === undefined) return undefined;
    return toPrivateEndpoint(raw, options.zoneGroups === false ? [] : await this.listPrivateDnsZoneGroups(pe.id));
  }

  async listPrivateEndpoints(subscriptionId: string, resourceGroup?: string): Promise<PrivateEndpoint[]> {
    const client = this.clients.network(subscriptionId);
    const where = resourceGroup === undefined ? `/subscriptions/${subscriptionId}` : `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}`;
    return describeAzureCall('listing private endpoints of', where, async () => {
      const out: PrivateEndpoint[] = [];
      const pages = resourceGroup === undefined ? client.privateEndpoints.listBySubscription() : client.privateEndpoints.list(resourceGroup);
      for await (const raw of pages) out.push(toPrivateEndpoint(raw));
      return out;
    });
  }

  async listPrivateDnsZoneGroups(privateEndpointId: string): Promise<PrivateDnsZoneGroup[]> {
    const pe = privateEndpointRef(privateEndpointId);
    const groups = await readOrUndefined('listing private DNS zone groups of private endpoint', pe.id, async () => {
      const out: PrivateDnsZoneGroup[] = [];
      // This operation takes the private endpoint name FIRST, then the resource group.
      for await (const g of this.clients.network(pe.subscriptionId).privateDnsZoneGroups.list(pe.name, pe.resourceGroup)) out.push(toPrivateDnsZoneGroup(g, pe.id));
      return out;
    });
    return groups ?? [];
  }

  async getSubnet(subnetId: string): Promise<Subnet | undefined> {
    const p = parseResourceId(subnetId);
    const vnetId = parentResourceId(subnetId);
    if (!isResourceType(p, 'Microsoft.Network/virtualNetworks/subnets') || vnetId === undefined || p.subscriptionId === undefined || p.resourceGroup === undefined) {
      throw new Error(`not a subnet id: ${subnetId}`);
    }
    const vnetName = parseResourceId(vnetId).name;
    const raw = await readOrUndefined('reading subnet', p.id, () => this.clients.network(p.subscriptionId as string).subnets.get(p.resourceGroup as string, vnetName, p.name));
    return raw === undefined ? undefined : toSubnet(raw);
  }
}
