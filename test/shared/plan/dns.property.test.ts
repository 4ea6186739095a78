/**
 * The planner's DNS held to Azure's answer: random multi-VNet, multi-vault layouts (shared central
 * zones, teams' own zones linked to some VNets, records left by people, older vaultlinks and dead
 * endpoints) go through the planner, an in-memory Azure that applies the actions as ARM would
 * (a second link of a same-named zone to a VNet answers 409), and a resolver written here from
 * Azure's rules (not vaultlink's). Held:
 * - the checklist never says `dns-records: ok` while a name of an approved endpoint fails to
 *   resolve privately (to an address of an approved endpoint listing it) from a VNet that hosts
 *   one of the vault's approved endpoints;
 * - no planned link is refused with 409 (a known conflict is a finding, not a failing write);
 * - after a few passes, a further pass plans no DNS write (nothing flaps between vaults).
 */
import fc from 'fast-check';
import { childResourceId, MANAGED_BY_KEY, MANAGED_BY_VALUE, OWNER_KEY, SOURCE_KEY, type ARecordSet, type ConnectionStatus, type Vault, type VirtualNetworkLink } from '../../../shared/domain';
import { planVault, type ObservedPrivateEndpoint, type ObservedVault, type ObservedZone, type PlannedAction, type VaultPlan } from '../../../shared/plan';
import { DNS_RG, OWNER, policy, SUB_DNS, SUB_SPOKE, SUB_VAULT, TENANT } from './fixtures';

const BACKUP_ZONE = 'privatelink.uks.backup.windowsazure.com';
const MEMBERS = ['fab1', 'rec2'];
const VNETS = [0, 1, 2].map((i) => `/subscriptions/${SUB_SPOKE}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-${i}`);
const CENTRAL_ID = `/subscriptions/${SUB_DNS}/resourceGroups/${DNS_RG}/providers/Microsoft.Network/privateDnsZones/${BACKUP_ZONE}`;
const storageZoneId = (kind: 'blob' | 'queue') => CENTRAL_ID.replace(BACKUP_ZONE, `privatelink.${kind}.core.windows.net`);
const teamZoneId = (vnet: number) => `/subscriptions/${SUB_SPOKE}/resourceGroups/rg-team-${vnet}/providers/Microsoft.Network/privateDnsZones/${BACKUP_ZONE}`;
const vaultIdOf = (v: number) => `/subscriptions/${SUB_VAULT}/resourceGroups/rg-backup/providers/Microsoft.RecoveryServices/vaults/vault${v}`;
const numberOf = (v: number) => `${v + 1}00000000000000000${v + 1}`.slice(0, 19);
const peIdOf = (v: number, i: number) => `/subscriptions/${SUB_SPOKE}/resourceGroups/rg-pe/providers/Microsoft.Network/privateEndpoints/pe-backup-v${v}-${i}`;
const ipOf = (v: number, i: number, m: number) => `10.${v + 1}.${i + 1}.${m + 4}`;
const fqdnOf = (v: number, m: number) => `${numberOf(v)}-ab-pod01-${MEMBERS[m]}.uks.backup.windowsazure.com`;

// --------------------------------------------------------------------------------------------
// Layouts

interface PeSpec {
  readonly vnet: number;
  readonly status: ConnectionStatus;
}
interface Layout {
  readonly vaults: readonly (readonly PeSpec[])[];
  readonly centralExists: boolean;
  readonly centralLinked: readonly boolean[];
  /** Per VNet: linked to a team's own zone of the same name (`right`: it holds vault 0's first PE's addresses). */
  readonly teamZone: readonly ('none' | 'empty' | 'right')[];
  /** A record someone left in the central zone for vault 0's first name. */
  readonly leftover: 'none' | 'unowned-wrong' | 'owned-dead-pe' | 'legacy-exact' | 'other-vault';
  readonly recordPolicy: 'upsert-only' | 'sync';
  readonly linkedZones: 'report' | 'adopt';
}

const peSpec = fc.record({ vnet: fc.integer({ min: 0, max: 2 }), status: fc.constantFrom<ConnectionStatus>('Approved', 'Pending', 'Rejected', 'Approved') });
const layout: fc.Arbitrary<Layout> = fc.record({
  vaults: fc.array(fc.array(peSpec, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 2 }),
  centralExists: fc.boolean(),
  centralLinked: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
  teamZone: fc.array(fc.constantFrom<'none' | 'empty' | 'right'>('none', 'none', 'empty', 'right'), { minLength: 3, maxLength: 3 }),
  leftover: fc.constantFrom<Layout['leftover']>('none', 'unowned-wrong', 'owned-dead-pe', 'legacy-exact', 'other-vault'),
  recordPolicy: fc.constantFrom<'upsert-only' | 'sync'>('upsert-only', 'sync'),
  linkedZones: fc.constantFrom<'report' | 'adopt'>('report', 'adopt'),
});

// --------------------------------------------------------------------------------------------
// The in-memory Azure

interface Zone {
  readonly id: string;
  exists: boolean;
  links: VirtualNetworkLink[];
  records: ARecordSet[];
}
interface World {
  vaults: Vault[];
  endpoints: ObservedPrivateEndpoint[][];
  zones: Zone[];
  etag: number;
  refusedLinks: string[];
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

function owned(source: string, vaultId?: string): Record<string, string> {
  return { [MANAGED_BY_KEY]: MANAGED_BY_VALUE, [OWNER_KEY]: OWNER, [SOURCE_KEY]: source, ...(vaultId ? { vaultlinkVault: vaultId } : {}) };
}

function recordSet(zoneId: string, name: string, ips: string[], metadata: Record<string, string>, etag: string): ARecordSet {
  return { id: childResourceId(zoneId, 'A', name), zoneId, name, fqdn: `${name}.${BACKUP_ZONE}.`, ttl: 10, ipv4Addresses: ips, metadata, etag };
}

function linkOf(zoneId: string, name: string, vnetId: string): VirtualNetworkLink {
  return { id: childResourceId(zoneId, 'virtualNetworkLinks', name), zoneId, name, vnetId, metadata: {}, provisioningState: 'Succeeded' };
}

function buildWorld(l: Layout): World {
  const vaults: Vault[] = [];
  const endpoints: ObservedPrivateEndpoint[][] = [];
  l.vaults.forEach((pes, v) => {
    const vaultId = vaultIdOf(v);
    const eps = pes.map((p, i): ObservedPrivateEndpoint => {
      const id = peIdOf(v, i);
      const vnet = VNETS[p.vnet] as string;
      return {
        endpoint: {
          id,
          name: id.split('/').pop() as string,
          subscriptionId: SUB_SPOKE,
          resourceGroup: 'rg-pe',
          location: 'uksouth',
          subnetId: `${vnet}/subnets/pe`,
          connections: [{ privateLinkServiceId: vaultId, groupIds: ['AzureBackup'], status: p.status, manual: true }],
          customDnsConfigs: MEMBERS.map((_, m) => ({ fqdn: fqdnOf(v, m), ipAddresses: [ipOf(v, i, m)] })),
          zoneGroups: [],
          networkInterfaceIds: [],
        },
        classification: { kind: 'backup-primary', vaultId, groupId: 'AzureBackup', manual: true },
        subnet: { id: `${vnet}/subnets/pe`, vnetId: vnet, addressPrefixes: ['10.0.0.0/24'], privateEndpointNetworkPolicies: 'Disabled', usedIpCount: 0, freeIpCount: 200 },
      };
    });
    endpoints.push(eps);
    vaults.push({
      id: vaultId,
      name: `vault${v}`,
      subscriptionId: SUB_VAULT,
      resourceGroup: 'rg-backup',
      location: 'uksouth',
      tags: {},
      experience: 'v2',
      identity: { type: 'None', principalId: undefined, tenantId: undefined },
      privateEndpointStateForBackup: 'Enabled',
      connections: pes.map((p, i) => ({
        id: `${vaultId}/privateEndpointConnections/pe-backup-v${v}-${i}.${numberOf(v)}.backup.x`,
        name: `pe-backup-v${v}-${i}.${numberOf(v)}.backup.x`,
        privateEndpointId: peIdOf(v, i),
        status: p.status,
        description: '',
        groupIds: ['AzureBackup'],
        provisioningState: 'Succeeded',
      })),
      protectedItemCount: 0,
      registeredContainerCount: 0,
    });
  });

  const central: Zone = { id: CENTRAL_ID, exists: l.centralExists, links: [], records: [] };
  // The blob and queue zones exist; a v2 vault lists no storage name, so only their links matter.
  const zones: Zone[] = [central, ...(['blob', 'queue'] as const).map((k) => ({ id: storageZoneId(k), exists: true, links: [], records: [] }))];
  l.teamZone.forEach((t, vnet) => {
    if (t === 'none') return;
    const id = teamZoneId(vnet);
    const records = t === 'right' ? MEMBERS.map((m, k) => recordSet(id, `${numberOf(0)}-ab-pod01-${m}`, [ipOf(0, 0, k)], {}, `team-${k}`)) : [];
    zones.push({ id, exists: true, links: [linkOf(id, 'team-link', VNETS[vnet] as string)], records });
  });
  if (central.exists) {
    l.centralLinked.forEach((linked, vnet) => {
      // Azure holds one same-named zone per VNet: a VNet linked to a team zone cannot also be linked here.
      if (linked && l.teamZone[vnet] === 'none') central.links.push(linkOf(CENTRAL_ID, `by-hand-${vnet}`, VNETS[vnet] as string));
    });
    const name = `${numberOf(0)}-ab-pod01-${MEMBERS[0]}`;
    const rec = (ips: string[], metadata: Record<string, string>) => central.records.push(recordSet(CENTRAL_ID, name, ips, metadata, 'left'));
    if (l.leftover === 'unowned-wrong') rec(['192.168.0.1'], {});
    if (l.leftover === 'owned-dead-pe') rec(['10.99.99.99'], owned(peIdOf(0, 9), vaultIdOf(0)));
    if (l.leftover === 'legacy-exact') rec([ipOf(0, 0, 0)], owned(peIdOf(0, 0)));
    if (l.leftover === 'other-vault') rec(['10.98.0.1'], owned(peIdOf(5, 0), vaultIdOf(5)));
  }
  return { vaults, endpoints, zones, etag: 0, refusedLinks: [] };
}

function zoneById(w: World, id: string): Zone | undefined {
  return w.zones.find((z) => same(z.id, id));
}

/** observe, in memory: the central zone, and the team zones linked to the vault's VNets. */
function observeInMemory(w: World, v: number): ObservedVault {
  const pes = w.endpoints[v] as ObservedPrivateEndpoint[];
  const asObserved = (z: Zone): ObservedZone => ({ kind: 'backup', name: BACKUP_ZONE, resourceId: z.id, zone: z.exists ? { id: z.id, name: BACKUP_ZONE } : undefined, links: [...z.links], records: [...z.records] });
  const central = zoneById(w, CENTRAL_ID) as Zone;
  const vnets = pes.map((p) => p.subnet?.vnetId ?? '');
  const linkedZones = w.zones.filter((z) => z !== central && z.id.includes('rg-team') && z.exists && z.links.some((l) => vnets.some((x) => same(x, l.vnetId)))).map(asObserved);
  const storage = (kind: 'blob' | 'queue'): ObservedZone => {
    const z = zoneById(w, storageZoneId(kind)) as Zone;
    const name = `privatelink.${kind}.core.windows.net`;
    return { kind, name, resourceId: z.id, zone: { id: z.id, name }, links: [...z.links], records: [...z.records] };
  };
  return {
    vaultId: vaultIdOf(v),
    observedAt: '2026-12-01T00:00:00.000Z',
    vault: w.vaults[v],
    privateEndpoints: pes,
    zones: [asObserved(central), storage('blob'), storage('queue')],
    linkedZones,
    roleAssignments: [],
    subscriptionTenants: { [SUB_VAULT]: TENANT, [SUB_SPOKE]: TENANT, [SUB_DNS]: TENANT },
    readErrors: [],
  };
}

/** apply, in memory, as ARM answers (409 on a second same-named zone link; If-None-Match / If-Match on records). */
function applyInMemory(w: World, v: number, actions: readonly PlannedAction[]): void {
  for (const a of actions) {
    switch (a.kind) {
      case 'approve-connection':
      case 'reject-connection': {
        const status: ConnectionStatus = a.kind === 'approve-connection' ? 'Approved' : 'Rejected';
        const vault = w.vaults[v] as Vault;
        w.vaults[v] = { ...vault, connections: vault.connections.map((c) => (c.name === a.connectionName ? { ...c, status } : c)) };
        w.endpoints[v] = (w.endpoints[v] as ObservedPrivateEndpoint[]).map((p) => (same(p.endpoint.id, a.privateEndpointId) ? { ...p, endpoint: { ...p.endpoint, connections: p.endpoint.connections.map((c) => ({ ...c, status })) } } : p));
        break;
      }
      case 'ensure-zone': {
        const z = zoneById(w, a.zoneId);
        if (z) z.exists = true;
        break;
      }
      case 'ensure-link': {
        const z = zoneById(w, a.zoneId);
        if (!z?.exists) throw new Error(`link into a zone that does not exist: ${a.zoneId}`);
        if (z.links.some((l) => same(l.vnetId, a.vnetId))) break;
        const zoneName = (id: string) => id.split('/').pop() as string;
        const other = w.zones.find((o) => o !== z && o.exists && same(zoneName(o.id), zoneName(z.id)) && o.links.some((l) => same(l.vnetId, a.vnetId)));
        if (other) {
          w.refusedLinks.push(`${a.vnetId} → ${a.zoneId} (409: linked to ${other.id})`);
          break;
        }
        z.links.push(linkOf(z.id, a.linkName, a.vnetId));
        break;
      }
      case 'upsert-record': {
        const z = zoneById(w, a.zoneId);
        if (!z?.exists) throw new Error(`record into a zone that does not exist: ${a.zoneId}`);
        const existing = z.records.find((r) => r.name === a.recordName);
        if ((a.etag === undefined) !== (existing === undefined) || (existing && existing.etag !== a.etag)) throw new Error(`412 on ${a.recordName}`);
        z.records = z.records.filter((r) => r !== existing);
        z.records.push(recordSet(z.id, a.recordName, [...a.ipv4Addresses], { ...owned(a.sourcePrivateEndpointId, a.vaultId), ...(a.connectionName ? { vaultlinkConnection: a.connectionName } : {}) }, `e${++w.etag}`));
        break;
      }
      case 'delete-record': {
        const z = zoneById(w, a.zoneId) as Zone;
        const existing = z.records.find((r) => r.name === a.recordName);
        if (existing?.metadata[OWNER_KEY] !== OWNER) throw new Error(`deleting a record vaultlink does not own: ${a.recordName}`);
        z.records = z.records.filter((r) => r !== existing);
        break;
      }
      default:
        throw new Error(`unexpected action for a v2 vault: ${a.kind}`);
    }
  }
}

/** Azure's answer from a VNet: the linked zone named like the query's suffix (one per name), its A record. */
function resolve(w: World, vnetId: string, fqdn: string): string[] {
  // The public name CNAMEs to its privatelink alias: `privatelink.` after the first label.
  const dot = fqdn.indexOf('.');
  const alias = `${fqdn.slice(0, dot)}.privatelink.${fqdn.slice(dot + 1)}`;
  const zone = w.zones.find((z) => z.exists && z.id.endsWith(`/${BACKUP_ZONE}`) && z.links.some((l) => same(l.vnetId, vnetId)) && alias.endsWith(`.${BACKUP_ZONE}`));
  if (!zone) return [];
  return zone.records.find((r) => r.name === alias.slice(0, alias.length - BACKUP_ZONE.length - 1))?.ipv4Addresses.slice() ?? [];
}

/** The names of the vault's approved endpoints that do not resolve privately from a VNet hosting one. */
function unresolved(w: World, v: number): string[] {
  const vault = w.vaults[v] as Vault;
  const approved = (w.endpoints[v] as ObservedPrivateEndpoint[]).filter((p) => vault.connections.some((c) => same(c.privateEndpointId, p.endpoint.id) && c.status === 'Approved'));
  const good = new Map<string, Set<string>>();
  for (const p of approved) for (const c of p.endpoint.customDnsConfigs) good.set(c.fqdn, new Set([...(good.get(c.fqdn) ?? []), ...c.ipAddresses]));
  const out: string[] = [];
  for (const vnet of new Set(approved.map((p) => p.subnet?.vnetId as string))) {
    for (const [fqdn, ips] of good) if (!resolve(w, vnet, fqdn).some((ip) => ips.has(ip))) out.push(`${fqdn} from ${vnet.split('/').pop()}`);
  }
  return out;
}

const statusOf = (p: VaultPlan, key: string) => p.checklist.find((i) => i.key === key)?.status;
const dnsWrites = (p: VaultPlan) => p.actions.filter((a) => a.kind === 'ensure-link' || a.kind === 'upsert-record' || a.kind === 'delete-record' || a.kind === 'ensure-zone');

describe('plan: DNS against Azure\'s answer (property)', () => {
  it('never says dns-records ok while a name of an approved endpoint fails to resolve from a VNet hosting one; no 409s; no flapping', () => {
    fc.assert(
      fc.property(layout, (l) => {
        const w = buildWorld(l);
        const pol = policy({
          approval: { unmatched: 'leave-pending', rules: [{ name: 'spoke', requester: { tenantId: TENANT, subscriptionId: SUB_SPOKE } }] },
          dns: { placement: 'central', central: { subscriptionId: SUB_DNS, resourceGroup: DNS_RG }, recordPolicy: l.recordPolicy, ttl: 10, linkVirtualNetworks: [], linkedZones: l.linkedZones },
        });
        const planOf = (v: number) => planVault(observeInMemory(w, v), pol, { cloud: 'AzurePublicCloud' });
        for (let pass = 0; pass < 3; pass++) {
          for (let v = 0; v < w.vaults.length; v++) {
            const p = planOf(v);
            if (statusOf(p, 'dns-records') === 'ok') expect({ pass, vault: v, unresolved: unresolved(w, v) }).toEqual({ pass, vault: v, unresolved: [] });
            applyInMemory(w, v, p.actions);
          }
        }
        expect(w.refusedLinks).toEqual([]);
        for (let v = 0; v < w.vaults.length; v++) {
          const p = planOf(v);
          if (statusOf(p, 'dns-records') === 'ok') expect(unresolved(w, v)).toEqual([]);
          expect(dnsWrites(p).map((a) => a.summary)).toEqual([]);
        }
      }),
      { numRuns: 200 },
    );
  });
});
