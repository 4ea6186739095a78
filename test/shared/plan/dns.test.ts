/**
 * The DNS planner's decision table (shared/plan/dns.ts), row by row, on a v2 vault (no identity or
 * role steps in the way): stability before order, the registry deciding stale records, older
 * records adopted or reported, brownfield zones, FQDNs naming the zones, and the checklist judging
 * names the way a VNet resolves them.
 */
import { childResourceId, ZONE_KINDS, type ChecklistItemKey } from '../../../shared/domain';
import { EMPTY_MEMORY, LINK_CONFLICT_RETRY_MS, planVault, type ObservedPrivateEndpoint, type ObservedVault, type ObservedZone, type PlannedAction, type PlanPolicy, type VaultPlan } from '../../../shared/plan';
import { backupFqdn, connectionFor, emptyZone, link, observed, policy, primaryEndpoint, record, vault, VAULT_ID, vnetId, zoneId, ZONES } from './fixtures';

const plan = (state: ObservedVault, p: PlanPolicy = policy()): VaultPlan => planVault(state, p, { cloud: 'AzurePublicCloud' });
const statusOf = (p: VaultPlan, key: ChecklistItemKey) => p.checklist.find((i) => i.key === key)?.status;
const actions = (p: VaultPlan): readonly PlannedAction[] => p.actions;
const codes = (p: VaultPlan) => p.findings.map((f) => f.code);
const V2 = vault({ experience: 'v2', identity: { type: 'None', principalId: undefined, tenantId: undefined } });
const VNET_A = vnetId('vnet-a');
const VNET_B = vnetId('vnet-b');
const FIRST = primaryEndpoint('pe-z-first', { status: 'Approved', vnet: VNET_A, firstIp: 4 });
// Its name sorts before FIRST's: the old planner (lowest id wins) repointed the records to it.
const SECOND = primaryEndpoint('pe-a-second', { status: 'Approved', vnet: VNET_B, firstIp: 30 });
const NAMES = ['fab1', 'fc1'].map((m) => `1234567890123456789-ab-pod01-${m}`);

/** Central zones, all linked to `vnets`, the backup zone holding `records`. */
function zones(vnets: readonly string[], backupRecords: ObservedZone['records'] = []): ObservedZone[] {
  return ZONE_KINDS.map((k) => {
    const z = emptyZone(k, true);
    return { ...z, links: vnets.map((v, i) => link(z, v, `l${i}`)), records: k === 'backup' ? backupRecords : [] };
  });
}

function withVault(pes: readonly ObservedPrivateEndpoint[], statuses: readonly ('Approved' | 'Rejected' | 'Disconnected' | 'Pending')[], z: ObservedZone[], extra: Partial<ObservedVault> = {}): ObservedVault {
  return { ...observed({ vault: { ...V2, connections: pes.map((p, i) => connectionFor(p, statuses[i] ?? 'Approved')) }, privateEndpoints: pes, zones: z }), ...extra };
}

const backupZone = emptyZone('backup', true);
const firstRecords = (o: { legacy?: boolean; vaultId?: string } = {}) =>
  NAMES.map((n, i) => record(backupZone, n, [`10.0.1.${4 + i}`], { ownedFor: FIRST.endpoint.id, connectionName: connectionFor(FIRST, 'Approved').name, ...o }));

describe('plan: DNS (shared/plan/dns.ts)', () => {
  describe('stability before order', () => {
    it('keeps the records of the established endpoint when a second one in another VNet sorts first; links the new VNet; warns naming both', () => {
      const p = plan(withVault([SECOND, FIRST], ['Approved', 'Approved'], zones([VNET_A], firstRecords())));
      expect(actions(p).filter((a) => a.kind === 'upsert-record')).toEqual([]);
      expect(actions(p).filter((a) => a.kind === 'ensure-link').map((a) => (a as { vnetId: string }).vnetId)).toEqual([VNET_B, VNET_B, VNET_B]);
      const warning = p.findings.find((f) => f.code === 'record-claimed-by-several-endpoints');
      expect(warning?.message).toMatch(/pe-z-first .*pe-a-second.*established one keeps it \(pe-z-first, 10\.0\.1\.4\).*one private endpoint per DNS island.*split zones.*peer/);
      // VNet B resolves once it is linked: pending, not ok, until then.
      expect(statusOf(p, 'dns-records')).toBe('pending');
    });

    it('says ok once both VNets are linked and resolve to the established endpoint, and plans nothing more', () => {
      const p = plan(withVault([SECOND, FIRST], ['Approved', 'Approved'], zones([VNET_A, VNET_B], firstRecords())));
      expect(actions(p)).toEqual([]);
      expect(statusOf(p, 'dns-records')).toBe('ok');
    });

    it('repoints a record whose endpoint was rejected to the live one', () => {
      const p = plan(withVault([SECOND, FIRST], ['Approved', 'Rejected'], zones([VNET_A, VNET_B], firstRecords())));
      const upserts = actions(p).filter((a) => a.kind === 'upsert-record');
      expect(upserts.map((a) => (a as { ipv4Addresses: readonly string[] }).ipv4Addresses)).toEqual([['10.0.1.30'], ['10.0.1.31']]);
    });
  });

  describe('the registry decides stale records', () => {
    const rejectedOnly = (recordPolicy: 'sync' | 'upsert-only', records = firstRecords()) =>
      plan(withVault([FIRST], ['Rejected'], zones([VNET_A], records)), policy({ dns: { ...policy().dns, recordPolicy } }));

    it('sync: deletes exactly the records of the rejected endpoint, with their etags', () => {
      const p = rejectedOnly('sync');
      expect(actions(p).map((a) => [a.kind, (a as { recordName: string }).recordName, (a as { etag: string }).etag])).toEqual(NAMES.map((n) => ['delete-record', n, `etag-${n}`]));
    });

    it('upsert-only: deletes nothing and names each stale record in a finding', () => {
      const p = rejectedOnly('upsert-only');
      expect(actions(p)).toEqual([]);
      expect(p.findings.filter((f) => f.code === 'stale-record').map((f) => f.resourceId)).toEqual(NAMES.map((n) => childResourceId(zoneId(ZONES.backup), 'A', n)));
    });

    it('sync: never deletes another vault\'s record, whatever its endpoint is called', () => {
      const otherVault = VAULT_ID.replace('vault1', 'vault2');
      const p = rejectedOnly('sync', firstRecords({ vaultId: otherVault }));
      expect(actions(p)).toEqual([]);
    });

    it('sync: deletes the records of an endpoint that is gone (registry names this vault)', () => {
      const p = plan(withVault([], [], zones([VNET_A], firstRecords())), policy({ dns: { ...policy().dns, recordPolicy: 'sync' } }));
      expect(actions(p).map((a) => a.kind)).toEqual(['delete-record', 'delete-record']);
    });

    it('sync: deletes nothing while a read failed', () => {
      const state = withVault([FIRST], ['Rejected'], zones([VNET_A], firstRecords()), { readErrors: [{ resourceId: '/subscriptions/x', operation: 'listing private DNS zones', code: 'Throttled', message: 'm' }] });
      expect(actions(plan(state, policy({ dns: { ...policy().dns, recordPolicy: 'sync' } }))).filter((a) => a.kind === 'delete-record')).toEqual([]);
    });
  });

  describe('records of an older vaultlink (no registry)', () => {
    it('adopts an exact match with one write that adds the registry', () => {
      const p = plan(withVault([FIRST], ['Approved'], zones([VNET_A], firstRecords({ legacy: true }))));
      const upserts = actions(p).filter((a) => a.kind === 'upsert-record') as { etag?: string; vaultId?: string; summary: string }[];
      expect(upserts).toHaveLength(2);
      expect(upserts.every((u) => u.etag !== undefined && u.vaultId === VAULT_ID && /^Adopt/.test(u.summary))).toBe(true);
    });

    it('reports one with other addresses and leaves it', () => {
      const legacy = [record(backupZone, NAMES[0] as string, ['10.9.9.9'], { ownedFor: FIRST.endpoint.id, legacy: true })];
      const p = plan(withVault([FIRST], ['Approved'], zones([VNET_A], legacy)));
      expect(actions(p).filter((a) => a.kind === 'upsert-record').map((a) => (a as { recordName: string }).recordName)).toEqual([NAMES[1]]);
      expect(codes(p)).toContain('record-not-adopted');
      expect(statusOf(p, 'dns-records')).toBe('failed');
    });
  });

  describe('a VNet already linked to another zone of the same name', () => {
    const team = (records: ObservedZone['records'] = []): ObservedZone => {
      const id = `/subscriptions/00000000-0000-0000-0000-0000000000bb/resourceGroups/rg-team/providers/Microsoft.Network/privateDnsZones/${ZONES.backup}`;
      const z: ObservedZone = { kind: 'backup', name: ZONES.backup, resourceId: id, zone: { id, name: ZONES.backup }, links: [], records };
      return { ...z, links: [link(z, VNET_A, 'team-link')], records: records.map((r) => ({ ...r, id: childResourceId(id, 'A', r.name), zoneId: id })) };
    };
    const central = () => zones([]).map((z) => (z.kind === 'backup' ? z : { ...z, links: [link(z, VNET_A)] }));

    it('report: plans no link that Azure would refuse, raises an error naming the zone and its link, fails the names', () => {
      const p = plan(withVault([FIRST], ['Approved'], central(), { linkedZones: [team()] }));
      expect(actions(p).filter((a) => a.kind === 'ensure-link')).toEqual([]);
      const f = p.findings.find((x) => x.code === 'linked-zone-conflict');
      expect(f?.severity).toBe('error');
      expect(f?.message).toMatch(/rg-team.*link team-link.*dns\.linkedZones: "adopt"/);
      expect(statusOf(p, 'dns-links')).toBe('failed');
      expect(statusOf(p, 'dns-records')).toBe('failed');
      expect(codes(p)).toContain('name-not-resolving');
    });

    it('adopt: writes the records into the zone the VNet resolves through', () => {
      const p = plan(withVault([FIRST], ['Approved'], central(), { linkedZones: [team()] }), policy({ dns: { ...policy().dns, linkedZones: 'adopt' } }));
      const teamWrites = actions(p).filter((a) => a.kind === 'upsert-record' && /rg-team/.test((a as { zoneId: string }).zoneId));
      expect(teamWrites).toHaveLength(2);
      expect(codes(p)).toContain('linked-zone-adopted');
      expect(statusOf(p, 'dns-records')).toBe('pending');
    });

    it('adopt: leaves a record it does not own in that zone when it already answers right (only the central zone gets writes)', () => {
      const unowned = NAMES.map((n, i) => record(backupZone, n, [`10.0.1.${4 + i}`]));
      const p = plan(withVault([FIRST], ['Approved'], central(), { linkedZones: [team(unowned)] }), policy({ dns: { ...policy().dns, linkedZones: 'adopt' } }));
      expect(actions(p).filter((a) => /rg-team/.test((a as { zoneId?: string }).zoneId ?? ''))).toEqual([]);
      expect(actions(p).map((a) => (a as { zoneId?: string }).zoneId)).toEqual([zoneId(ZONES.backup), zoneId(ZONES.backup)]);
      expect(p.findings.filter((f) => f.code === 'record-not-managed').every((f) => f.severity === 'info')).toBe(true);
    });
  });

  describe('a link Azure refused for a same-named zone vaultlink cannot see (memory)', () => {
    const TEAM_ZONE = `/subscriptions/00000000-0000-0000-0000-0000000000cc/resourceGroups/rg-unseen/providers/Microsoft.Network/privateDnsZones/${ZONES.backup}`;
    const refusedAt = (observedAt: string, hoursAgo: number): string => new Date(Date.parse(observedAt) - hoursAgo * 3_600_000).toISOString();
    const withConflict = (hoursAgo: number): ObservedVault => {
      const state = withVault([FIRST], ['Approved'], zones([]));
      const conflict = { vnetId: VNET_A, zoneName: ZONES.backup, zoneId: zoneId(ZONES.backup), linkedZoneId: TEAM_ZONE, message: `already linked to a zone named ${ZONES.backup} (${TEAM_ZONE})`, at: refusedAt(state.observedAt, hoursAgo) };
      return { ...state, memory: { ...EMPTY_MEMORY, linkConflicts: [conflict] } };
    };

    it('plans no link that Azure refused lately, reports the zone Azure named with the choices, fails dns-links, and keeps the memory', () => {
      const p = plan(withConflict(1));
      const links = actions(p).filter((a) => a.kind === 'ensure-link') as { zoneId: string }[];
      expect(links.map((l) => l.zoneId)).toEqual([zoneId(ZONES.blob), zoneId(ZONES.queue)]);
      const f = p.findings.find((x) => x.code === 'linked-zone-conflict');
      expect([f?.severity, f?.resourceId]).toEqual(['error', TEAM_ZONE]);
      expect(f?.message).toMatch(/refused.*vnet-a.*rg-unseen.*Reader.*remove that link.*dns export/);
      expect(statusOf(p, 'dns-links')).toBe('failed');
      expect(statusOf(p, 'dns-records')).toBe('failed');
      expect(p.memory?.linkConflicts).toHaveLength(1);
    });

    it(`tries the link again once ${LINK_CONFLICT_RETRY_MS / 3_600_000} hours have passed, and forgets the refusal`, () => {
      const p = plan(withConflict(LINK_CONFLICT_RETRY_MS / 3_600_000 + 1));
      expect(actions(p).filter((a) => a.kind === 'ensure-link')).toHaveLength(3);
      expect(codes(p)).not.toContain('linked-zone-conflict');
      expect(p.memory?.linkConflicts).toEqual([]);
    });
  });

  describe('FQDNs name the zones', () => {
    it('follows the FQDNs over a wrong geoCodes override and reports both codes', () => {
      const p = plan(withVault([FIRST], ['Approved'], zones([VNET_A])), policy({ geoCodes: { uksouth: 'uksouth' } }));
      expect(actions(p).filter((a) => a.kind === 'upsert-record').every((a) => (a as { zoneId: string }).zoneId === zoneId(ZONES.backup))).toBe(true);
      expect(p.findings.find((f) => f.code === 'geo-code-contradiction')?.message).toMatch(/"uks".*"uksouth"/);
      expect(backupFqdn('fab1')).toMatch(/\.uks\./);
    });
  });
});
