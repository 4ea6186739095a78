/** The Private DNS port on `@azure/arm-privatedns` 3.2: zones, virtual network links, A record sets. */
import type { PrivateDnsManagementClient, RecordSet } from '@azure/arm-privatedns';
import { childResourceId, isResourceType, parseResourceId } from '../domain/ids';
import type { ARecordSet, DnsZone, StringMap, VirtualNetworkLink } from '../domain/model';
import { describeAzureCall, readOrUndefined } from './errors';
import { MalformedResponseError, toARecordSet, toDnsZone, toVirtualNetworkLink } from './mappers';
import type { ARecordSetContent, PrivateDnsPort } from './ports';

export interface PrivateDnsClients {
  privateDns(subscriptionId: string): PrivateDnsManagementClient;
}

const ZONE_TYPE = 'Microsoft.Network/privateDnsZones';
// Private DNS zones and their links are global resources.
const GLOBAL = 'global';

interface ZoneRef {
  readonly id: string;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly name: string;
}

function zoneRef(zoneId: string): ZoneRef {
  const p = parseResourceId(zoneId);
  if (!isResourceType(p, ZONE_TYPE) || p.subscriptionId === undefined || p.resourceGroup === undefined || p.segments.length !== 1) {
    throw new Error(`not a private DNS zone id: ${zoneId}`);
  }
  return { id: p.id, subscriptionId: p.subscriptionId, resourceGroup: p.resourceGroup, name: p.name };
}

function recordSetBody(content: ARecordSetContent): RecordSet {
  return { ttl: content.ttl, aRecords: content.ipv4Addresses.map((ipv4Address) => ({ ipv4Address })), metadata: { ...content.metadata } };
}

function aRecordSetOf(raw: RecordSet, what: string): ARecordSet {
  const record = toARecordSet(raw);
  if (record === undefined) throw new MalformedResponseError(what, 'A record set type');
  return record;
}

export class SdkPrivateDnsAdapter implements PrivateDnsPort {
  constructor(
    private readonly clients: PrivateDnsClients,
    private readonly pollIntervalMs: number | undefined,
  ) {}

  private client(z: ZoneRef): PrivateDnsManagementClient {
    return this.clients.privateDns(z.subscriptionId);
  }

  async getZone(zoneId: string): Promise<DnsZone | undefined> {
    const z = zoneRef(zoneId);
    const raw = await readOrUndefined('reading private DNS zone', z.id, () => this.client(z).privateZones.get(z.resourceGroup, z.name));
    return raw === undefined ? undefined : toDnsZone(raw);
  }

  async listZones(subscriptionId: string): Promise<DnsZone[]> {
    return describeAzureCall('listing private DNS zones', `/subscriptions/${subscriptionId}`, async () => {
      const out: DnsZone[] = [];
      for await (const z of this.clients.privateDns(subscriptionId).privateZones.list()) out.push(toDnsZone(z));
      return out;
    });
  }

  async createZone(zoneId: string, tags: StringMap): Promise<DnsZone> {
    const z = zoneRef(zoneId);
    const raw = await describeAzureCall('creating private DNS zone', z.id, () =>
      this.client(z).privateZones.beginCreateOrUpdateAndWait(z.resourceGroup, z.name, { location: GLOBAL, tags: { ...tags } }, { ifNoneMatch: '*', updateIntervalInMs: this.pollIntervalMs }),
    );
    return toDnsZone(raw);
  }

  async listVirtualNetworkLinks(zoneId: string): Promise<VirtualNetworkLink[]> {
    const z = zoneRef(zoneId);
    const links = await readOrUndefined('listing virtual network links of private DNS zone', z.id, async () => {
      const out: VirtualNetworkLink[] = [];
      for await (const l of this.client(z).virtualNetworkLinks.list(z.resourceGroup, z.name)) out.push(toVirtualNetworkLink(l));
      return out;
    });
    return links ?? [];
  }

  async createVirtualNetworkLink(zoneId: string, linkName: string, vnetId: string, tags: StringMap): Promise<VirtualNetworkLink> {
    const z = zoneRef(zoneId);
    const raw = await describeAzureCall('creating virtual network link', childResourceId(z.id, 'virtualNetworkLinks', linkName), () =>
      this.client(z).virtualNetworkLinks.beginCreateOrUpdateAndWait(
        z.resourceGroup,
        z.name,
        linkName,
        { location: GLOBAL, tags: { ...tags }, virtualNetwork: { id: vnetId }, registrationEnabled: false },
        { ifNoneMatch: '*', updateIntervalInMs: this.pollIntervalMs },
      ),
    );
    return toVirtualNetworkLink(raw);
  }

  async listARecordSets(zoneId: string): Promise<ARecordSet[]> {
    const z = zoneRef(zoneId);
    const records = await readOrUndefined('listing A record sets of private DNS zone', z.id, async () => {
      const out: ARecordSet[] = [];
      for await (const r of this.client(z).recordSets.listByType(z.resourceGroup, z.name, 'A')) {
        const record = toARecordSet(r);
        if (record) out.push(record);
      }
      return out;
    });
    return records ?? [];
  }

  async getARecordSet(zoneId: string, recordName: string): Promise<ARecordSet | undefined> {
    const z = zoneRef(zoneId);
    const id = childResourceId(z.id, 'A', recordName);
    const raw = await readOrUndefined('reading A record set', id, () => this.client(z).recordSets.get(z.resourceGroup, z.name, 'A', recordName));
    return raw === undefined ? undefined : aRecordSetOf(raw, `A record set ${id}`);
  }

  async createARecordSet(zoneId: string, recordName: string, content: ARecordSetContent): Promise<ARecordSet> {
    const z = zoneRef(zoneId);
    const id = childResourceId(z.id, 'A', recordName);
    const raw = await describeAzureCall('creating A record set', id, () =>
      this.client(z).recordSets.createOrUpdate(z.resourceGroup, z.name, 'A', recordName, recordSetBody(content), { ifNoneMatch: '*' }),
    );
    return aRecordSetOf(raw, `A record set ${id}`);
  }

  async updateARecordSet(zoneId: string, recordName: string, content: ARecordSetContent, etag: string): Promise<ARecordSet> {
    const z = zoneRef(zoneId);
    const id = childResourceId(z.id, 'A', recordName);
    // A full PUT guarded by the etag: the record becomes exactly `content`, or nothing happens (412).
    const raw = await describeAzureCall('updating A record set', id, () =>
      this.client(z).recordSets.createOrUpdate(z.resourceGroup, z.name, 'A', recordName, recordSetBody(content), { ifMatch: etag }),
    );
    return aRecordSetOf(raw, `A record set ${id}`);
  }

  async deleteARecordSet(zoneId: string, recordName: string, etag: string): Promise<void> {
    const z = zoneRef(zoneId);
    const id = childResourceId(z.id, 'A', recordName);
    await describeAzureCall('deleting A record set', id, () => this.client(z).recordSets.delete(z.resourceGroup, z.name, 'A', recordName, { ifMatch: etag }));
  }
}
