import { summariseChecklist, ZONE_KINDS, type ChecklistItemKey, type ChecklistStatus } from '../../../shared/domain';
import { FOLLOW_UP_ON_AZURE, FOLLOW_UP_ON_PEOPLE, PLACEHOLDER_PRINCIPAL, planVault, type ObservedVault, type PlannedAction, type PlanPolicy, type VaultPlan } from '../../../shared/plan';
import {
  AFTER_FIRST_BACKUP_PES,
  AFTER_FIRST_REGISTRATION_PES,
  DELETED_VAULT,
  INELIGIBLE_VAULT,
  NEW_CLASSIC_VAULT_IDENTITY_OFF,
  NEW_CLASSIC_VAULT_PENDING_PE,
  NEW_V2_VAULT_PENDING_PE,
  SPOKE_A_PE,
  SPOKE_A_PE_APPROVED,
  STRANGER_PENDING,
} from '../../fixtures/observed/scenarios';
import {
  allActions,
  applyInMemory,
  backupFqdn,
  connectionFor,
  DNS_RG,
  emptyZone,
  link,
  observed,
  OWNER,
  peId,
  policy,
  primaryEndpoint,
  record,
  stageKinds,
  SUB_DNS,
  SUB_SPOKE,
  VAULT_ID,
  VAULT_NUMBER,
  vault,
  vnetId,
  zoneId,
  ZONES,
  PRINCIPAL,
  STRANGER_TENANT,
  SUB_VAULT,
} from './fixtures';

const OPTIONS = { cloud: 'AzurePublicCloud' as const };
const plan = (state: ObservedVault, p: PlanPolicy = policy()): VaultPlan => planVault(state, p, OPTIONS);
const statusOf = (p: VaultPlan, key: ChecklistItemKey): ChecklistStatus | undefined => p.checklist.find((i) => i.key === key)?.status;
const detailOf = (p: VaultPlan, key: ChecklistItemKey): string => p.checklist.find((i) => i.key === key)?.detail ?? '';
const statuses = (p: VaultPlan): Record<string, ChecklistStatus> => Object.fromEntries(p.checklist.map((i) => [i.key, i.status]));
// The action type(s) of a kind (a connection decision has two kinds in one type).
type ByKind<A, K> = A extends { kind: infer AK } ? (K extends AK ? A : never) : never;
const ofKind = <K extends PlannedAction['kind']>(p: VaultPlan, kind: K) => allActions(p.actions).filter((a): a is ByKind<PlannedAction, K> => a.kind === kind);
const codes = (p: VaultPlan) => p.findings.map((f) => f.code);
const RG_NET = `/subscriptions/${SUB_SPOKE}/resourceGroups/rg-net`;
const RG_PE = `/subscriptions/${SUB_SPOKE}/resourceGroups/rg-pe`;
const RG_ZONES = `/subscriptions/${SUB_DNS}/resourceGroups/${DNS_RG}`;
const BACKUP_ZONE_ID = zoneId(ZONES.backup);

/** Plans, applies in memory, and plans again until nothing is left (at most `passes`): the state Azure would reach. */
function converge(state: ObservedVault, p: PlanPolicy = policy(), passes = 3): ObservedVault {
  let now = state;
  for (let i = 0; i < passes; i++) {
    const next = plan(now, p);
    if (next.actions.length === 0) return now;
    now = applyInMemory(now, allActions(next.actions));
  }
  return now;
}

/** The converged state after the first backup: every record, link, role and approval in place. */
function convergedAfterFirstBackup(): ObservedVault {
  const first = converge(NEW_CLASSIC_VAULT_PENDING_PE);
  return converge({ ...first, privateEndpoints: [...AFTER_FIRST_BACKUP_PES] });
}

function withZone(state: ObservedVault, kind: 'backup' | 'blob' | 'queue', change: (z: ObservedVault['zones'][number]) => ObservedVault['zones'][number]): ObservedVault {
  return { ...state, zones: state.zones.map((z) => (z.kind === kind ? change(z) : z)) };
}

describe('plan', () => {
  describe('#planVault', () => {
    describe('a new classic vault with a pending allowlisted PE', () => {
      const p = plan(NEW_CLASSIC_VAULT_PENDING_PE);

      it('plans the procedure as a graph: zones beside the grants, the approval after its roles, records after the approval and their zone', () => {
        expect(stageKinds(p.actions)).toEqual([
          ['grant-role', 'grant-role', 'grant-role', 'ensure-zone', 'ensure-zone', 'ensure-zone'],
          ['approve-connection', 'ensure-link', 'ensure-link', 'ensure-link'],
          ['upsert-record', 'upsert-record'],
        ]);
        const approval = ofKind(p, 'approve-connection')[0];
        // the approval needs the roles on THIS endpoint's VNet and PE resource groups, not the DNS one
        expect(approval?.needs).toEqual(ofKind(p, 'grant-role').filter((g) => g.scope !== RG_ZONES).map((g) => g.key).sort());
        for (const r of ofKind(p, 'upsert-record')) expect(r.needs).toEqual([approval?.key, `ensure-zone:${r.zoneId}`].sort());
        for (const l of ofKind(p, 'ensure-link')) expect(l.needs).toEqual([`ensure-zone:${l.zoneId}`]);
        for (const z of ofKind(p, 'ensure-zone')) expect(z.needs).toEqual([]);
        expect(p.requeue).toBe(false);
        expect(p.mode).toBe('enforce');
        expect(p.vaultId).toBe(VAULT_ID);
      });

      it('grants Contributor on the VNet, PE and DNS-zone resource groups to the vault identity', () => {
        expect(ofKind(p, 'grant-role').map((g) => [g.scope, g.roleName, g.principalId])).toEqual([
          [RG_NET, 'Contributor', '22222222-2222-2222-2222-222222222222'],
          [RG_PE, 'Contributor', '22222222-2222-2222-2222-222222222222'],
          [RG_ZONES, 'Contributor', '22222222-2222-2222-2222-222222222222'],
        ]);
        for (const g of ofKind(p, 'grant-role')) expect(g.key).toBe(`grant-role:${g.scope}|${g.roleDefinitionGuid}`);
      });

      it('grants the least-privilege profile: PE roles on the PE group, subnet join on the VNet, DNS on the zone group (sorted by key)', () => {
        const custom = { PrivateEndpointContributor: 'aaaaaaaa-0000-0000-0000-000000000001', NetworkInterfaceReader: 'aaaaaaaa-0000-0000-0000-000000000002', PrivateEndpointSubnetContributor: 'aaaaaaaa-0000-0000-0000-000000000003' };
        const lp = plan(NEW_CLASSIC_VAULT_PENDING_PE, policy({ roles: { profile: 'least-privilege', customRoleDefinitionIds: custom } }));
        expect(ofKind(lp, 'grant-role').map((g) => [g.scope, g.roleName])).toEqual([
          [vnetId('vnet-a'), 'PrivateEndpointSubnetContributor'],
          [RG_PE, 'PrivateEndpointContributor'],
          [RG_PE, 'NetworkInterfaceReader'],
          [RG_ZONES, 'PrivateDnsZoneContributor'],
        ]);
      });

      it('grants only what is missing', () => {
        const held = applyInMemory(NEW_CLASSIC_VAULT_PENDING_PE, ofKind(p, 'grant-role').slice(0, 2));
        expect(ofKind(plan(held), 'grant-role').map((g) => g.scope)).toEqual([RG_ZONES]);
        expect(detailOf(plan(held), 'roles')).toMatch(/2 of 3 held/);
      });

      it('approves with a description that names the rule', () => {
        const [approve] = ofKind(p, 'approve-connection');
        expect(approve).toMatchObject({ rule: 'spoke-a', description: "Approved by vaultlink rule 'spoke-a'", privateEndpointId: SPOKE_A_PE.endpoint.id });
        expect(approve?.key).toBe(`approve-connection:${VAULT_ID}/privateEndpointConnections/${approve?.connectionName}`);
      });

      it('creates the records of the primary FQDNs in the privatelink zone, create-only', () => {
        expect(ofKind(p, 'upsert-record').map((r) => [r.zoneId, r.recordName, r.ipv4Addresses, r.etag, r.ttl])).toEqual([
          [BACKUP_ZONE_ID, `${VAULT_NUMBER}-ab-pod01-fab1`, ['10.0.1.4'], undefined, 10],
          [BACKUP_ZONE_ID, `${VAULT_NUMBER}-ab-pod01-fc1`, ['10.0.1.5'], undefined, 10],
        ]);
      });

      it('links the hosting VNet to all three zones with one deterministic name', () => {
        const links = ofKind(p, 'ensure-link');
        expect(links.map((l) => l.zoneId)).toEqual(ZONE_KINDS.map((k) => zoneId(ZONES[k])).sort());
        expect(new Set(links.map((l) => l.linkName)).size).toBe(1);
        expect(links[0]?.linkName).toMatch(/^vaultlink-vnet-a-[0-9a-f]{8}$/);
      });

      it('reports a checklist that says what each step waits for', () => {
        expect(statuses(p)).toEqual({
          health: 'ok',
          eligible: 'ok',
          identity: 'ok',
          roles: 'pending',
          approval: 'pending',
          'dns-zones': 'pending',
          'dns-links': 'pending',
          'dns-records': 'pending',
          'secondary-records': 'pending',
        });
        expect(detailOf(p, 'secondary-records')).toMatch(/first registration/);
        expect(p.followUpAfter).toBe(FOLLOW_UP_ON_AZURE);
      });
    });

    describe('convergence', () => {
      it('plans zero actions on the second pass, with only the secondaries pending', () => {
        const second = plan(converge(NEW_CLASSIC_VAULT_PENDING_PE));
        expect(second.actions).toEqual([]);
        expect(summariseChecklist(second.checklist).open).toEqual(['secondary-records']);
        expect(second.followUpAfter).toBe(FOLLOW_UP_ON_AZURE);
      });

      it.each([
        ['first registration (_ecs blob and queue)', AFTER_FIRST_REGISTRATION_PES, [`abcdeypod01ecs114@${ZONES.blob}`, `abcdeypod01ecs114@${ZONES.queue}`], 'pending'],
        ['first backup (_ecs and _prot)', AFTER_FIRST_BACKUP_PES, [`abcdeypod01ecs114@${ZONES.blob}`, `abcdeypod01ecs114@${ZONES.queue}`, `abcdeypod01prot120@${ZONES.blob}`], 'ok'],
      ] as const)('creates exactly the records of the secondaries after the %s', (_when, pes, expected, secondaryStatus) => {
        const before = converge(NEW_CLASSIC_VAULT_PENDING_PE);
        const p = plan({ ...before, privateEndpoints: [...pes] });
        expect(stageKinds(p.actions)).toEqual([expected.map(() => 'upsert-record')]);
        const made = ofKind(p, 'upsert-record').map((r) => `${r.recordName}@${ZONES[ZONE_KINDS.find((k) => zoneId(ZONES[k]) === r.zoneId) ?? 'backup']}`);
        expect(made.sort()).toEqual([...expected].sort());
        expect(ofKind(p, 'upsert-record').every((r) => r.etag === undefined)).toBe(true);
        const after = plan(applyInMemory({ ...before, privateEndpoints: [...pes] }, allActions(p.actions)));
        expect(after.actions).toEqual([]);
        expect(statusOf(after, 'secondary-records')).toBe(secondaryStatus);
      });

      it('is converged after the first backup: every item ok, no follow-up', () => {
        const p = plan(convergedAfterFirstBackup());
        expect(p.actions).toEqual([]);
        expect(summariseChecklist(p.checklist)).toMatchObject({ converged: true, text: 'converged' });
        expect(p.followUpAfter).toBeUndefined();
        expect(p.checklist.every((i) => i.status === 'ok')).toBe(true);
      });
    });

    describe('drift and ownership of records', () => {
      const fc1 = `${VAULT_NUMBER}-ab-pod01-fc1`;
      const base = convergedAfterFirstBackup();
      const replaceFc1 = (make: (z: ObservedVault['zones'][number]) => ReturnType<typeof record>) =>
        withZone(base, 'backup', (z) => ({ ...z, records: [...z.records.filter((r) => r.name !== fc1), make(z)] }));

      it.each([
        ['an owned record with a wrong IP', { ownedFor: SPOKE_A_PE_APPROVED.endpoint.id, etag: 'e-1' }, ['10.9.9.9'], 'e-1', /10\.9\.9\.9 → 10\.0\.1\.5/],
        ['an owned record with a wrong TTL', { ownedFor: SPOKE_A_PE_APPROVED.endpoint.id, etag: 'e-2', ttl: 3600 }, ['10.0.1.5'], 'e-2', /TTL 3600 → 10/],
        ['an owned record made for another PE', { ownedFor: peId('pe-old'), etag: 'e-3' }, ['10.0.1.5'], 'e-3', /source pe-old → pe-spoke-a/],
      ] as const)('updates %s with its etag, one action', (_what, o, ips, etag, summary) => {
        const p = plan(replaceFc1((z) => record(z, fc1, ips, o)));
        expect(stageKinds(p.actions)).toEqual([['upsert-record']]);
        const [u] = ofKind(p, 'upsert-record');
        expect(u).toMatchObject({ recordName: fc1, etag, ipv4Addresses: ['10.0.1.5'], ttl: 10 });
        expect(u?.summary).toMatch(summary);
        expect(statusOf(p, 'dns-records')).toBe('pending');
      });

      it.each([
        ['not owned, other IP', {}, ['10.9.9.9'], 'warning', 'failed'],
        ['not owned, same IP', {}, ['10.0.1.5'], 'info', 'ok'],
        ["owned by another vaultlink", { ownedFor: SPOKE_A_PE_APPROVED.endpoint.id, owner: 'someone-else' }, ['10.9.9.9'], 'warning', 'failed'],
      ] as const)('never touches a record that is %s, and reports it', (_what, o, ips, severity, itemStatus) => {
        const p = plan(replaceFc1((z) => record(z, fc1, ips, o)));
        expect(p.actions).toEqual([]);
        const f = p.findings.filter((x) => x.code === 'record-not-managed');
        expect(f).toHaveLength(1);
        expect(f[0]).toMatchObject({ severity, resourceId: `${BACKUP_ZONE_ID}/A/${fc1}` });
        expect(f[0]?.message).toMatch(/record exists, not managed/);
        expect(statusOf(p, 'dns-records')).toBe(itemStatus);
      });

      it('creates a record that disappeared, create-only', () => {
        const p = plan(withZone(base, 'backup', (z) => ({ ...z, records: z.records.filter((r) => r.name !== fc1) })));
        expect(ofKind(p, 'upsert-record').map((r) => [r.recordName, r.etag])).toEqual([[fc1, undefined]]);
        expect(allActions(p.actions)).toHaveLength(1);
      });
    });

    describe('record policy: deletes of records whose PE is gone', () => {
      const gone = peId('pe-old');
      const stale = (o: Parameters<typeof record>[3]) => withZone(convergedAfterFirstBackup(), 'backup', (z) => ({ ...z, records: [...z.records, record(z, `${VAULT_NUMBER}-ab-pod01-old1`, ['10.0.9.9'], o)] }));
      const sync = policy({ dns: { ...policy().dns, recordPolicy: 'sync' } });

      it.each([
        ['sync, owned, its PE gone', sync, { ownedFor: gone, etag: 'e-old' }, [], 1],
        ['upsert-only, owned, its PE gone', policy(), { ownedFor: gone, etag: 'e-old' }, [], 0],
        ['sync, not owned', sync, {}, [], 0],
        ['sync, owned by another vaultlink', sync, { ownedFor: gone, owner: 'other' }, [], 0],
        ['sync, owned, its PE still a connection of the vault', sync, { ownedFor: SPOKE_A_PE.endpoint.id }, [], 0],
        [
          'sync, owned, PE gone but a read failed',
          sync,
          { ownedFor: gone },
          [{ resourceId: `/subscriptions/${SUB_SPOKE}`, operation: 'list private endpoints', code: 'AuthorizationFailed', message: 'no' }],
          0,
        ],
      ] as const)('%s: deletes as the policy says', (_what, p, o, readErrors, deletes) => {
        const result = plan({ ...stale(o), readErrors: [...readErrors] }, p);
        const found = ofKind(result, 'delete-record');
        expect(found).toHaveLength(deletes);
        if (deletes > 0) expect(found[0]).toMatchObject({ recordName: `${VAULT_NUMBER}-ab-pod01-old1`, etag: 'e-old', zoneId: BACKUP_ZONE_ID });
        expect(ofKind(result, 'upsert-record')).toEqual([]);
      });

      it('keeps an owned record without a recorded source PE, even under sync', () => {
        const state = withZone(convergedAfterFirstBackup(), 'backup', (z) => ({
          ...z,
          records: [...z.records, { ...record(z, 'nosource', ['10.0.9.9'], { ownedFor: gone }), metadata: { managedBy: 'vaultlink', vaultlinkOwner: OWNER } }],
        }));
        expect(plan(state, sync).actions).toEqual([]);
      });
    });

    describe('approval', () => {
      it('leaves an unmatched requester pending with every rule\'s reason', () => {
        const p = plan(STRANGER_PENDING);
        expect(ofKind(p, 'approve-connection')).toEqual([]);
        expect(ofKind(p, 'reject-connection')).toEqual([]);
        expect(statusOf(p, 'approval')).toBe('pending');
        expect(detailOf(p, 'approval')).toMatch(/pe-stranger waits for a person.*rule "spoke-a": requires tenant/);
        expect(p.followUpAfter).toBe(FOLLOW_UP_ON_PEOPLE);
      });

      it('rejects an unmatched requester when the policy says so, naming no rule', () => {
        const p = plan(STRANGER_PENDING, policy({ approval: { ...policy().approval, unmatched: 'reject' } }));
        expect(stageKinds(p.actions)).toEqual([['reject-connection']]);
        expect(ofKind(p, 'reject-connection')[0]).toMatchObject({ rule: undefined, description: 'Rejected by vaultlink: no allowlist rule matches this requester' });
      });

      it.each([
        ['grants', 'grant-role'],
        ['links', 'ensure-link'],
        ['records', 'upsert-record'],
      ] as const)('gives an unmatched requester no %s', (_what, kind) => {
        expect(ofKind(plan(STRANGER_PENDING), kind)).toEqual([]);
      });

      it.each(['Approved', 'Rejected', 'Disconnected'] as const)('leaves a %s connection as it is', (status) => {
        const state = observed({ vault: vault({ connections: [connectionFor(SPOKE_A_PE, status)] }), privateEndpoints: [primaryEndpoint('pe-spoke-a', { status })] });
        const p = plan(state);
        expect(ofKind(p, 'approve-connection')).toEqual([]);
        expect(ofKind(p, 'reject-connection')).toEqual([]);
        expect(statusOf(p, 'approval')).toBe('ok');
      });

      it('never approves when no rule is configured', () => {
        const p = plan(NEW_CLASSIC_VAULT_PENDING_PE, policy({ approval: { unmatched: 'leave-pending', rules: [] } }));
        expect(ofKind(p, 'approve-connection')).toEqual([]);
        expect(detailOf(p, 'approval')).toMatch(/no approval rules/);
      });
    });

    describe('identity', () => {
      it('turns the identity on first and requeues; shows the roles and approval that follow from it against a placeholder principal (the whole plan, for audit)', () => {
        const p = plan(NEW_CLASSIC_VAULT_IDENTITY_OFF);
        expect(stageKinds(p.actions)).toEqual([
          ['enable-identity', 'ensure-zone', 'ensure-zone', 'ensure-zone'],
          ['grant-role', 'grant-role', 'grant-role', 'ensure-link', 'ensure-link', 'ensure-link'],
          ['approve-connection'],
          ['upsert-record', 'upsert-record'],
        ]);
        expect(p.requeue).toBe(true);
        const enable = ofKind(p, 'enable-identity')[0]?.key;
        for (const g of ofKind(p, 'grant-role')) expect([g.principalId, g.followsFrom, g.needs]).toEqual([PLACEHOLDER_PRINCIPAL, enable, [enable]]);
        // what needs the placeholder grants follows from the identity step too; zones and links do not
        for (const a of [...ofKind(p, 'approve-connection'), ...ofKind(p, 'upsert-record')]) expect(a.followsFrom).toBe(enable);
        for (const a of [...ofKind(p, 'ensure-zone'), ...ofKind(p, 'ensure-link')]) expect(a.followsFrom).toBeUndefined();
        expect(statusOf(p, 'roles')).toBe('pending');
        expect(detailOf(p, 'roles')).toMatch(/once the identity is on/);
        const next = plan(applyInMemory(NEW_CLASSIC_VAULT_IDENTITY_OFF, allActions(p.actions)));
        expect(stageKinds(next.actions)).toEqual([['grant-role', 'grant-role', 'grant-role'], ['approve-connection'], ['upsert-record', 'upsert-record']]);
        for (const g of ofKind(next, 'grant-role')) expect([g.principalId, g.followsFrom]).toEqual([PRINCIPAL, undefined]);
        expect(next.requeue).toBe(false);
      });

      it('still rejects an unmatched request while the identity is being turned on (a rejection needs no identity)', () => {
        const p = plan(NEW_CLASSIC_VAULT_IDENTITY_OFF, policy({ approval: { unmatched: 'reject', rules: [] } }));
        expect(stageKinds(p.actions)).toEqual([['enable-identity', 'reject-connection', 'ensure-zone', 'ensure-zone', 'ensure-zone']]);
        expect(ofKind(p, 'reject-connection')[0]?.followsFrom).toBeUndefined();
      });

      it('reports instead of acting when the policy may not turn it on', () => {
        const p = plan(NEW_CLASSIC_VAULT_IDENTITY_OFF, policy({ identity: { enableSystemAssigned: false } }));
        expect(ofKind(p, 'enable-identity')).toEqual([]);
        expect(ofKind(p, 'grant-role')).toEqual([]);
        expect(p.requeue).toBe(false);
        expect(statusOf(p, 'identity')).toBe('failed');
        expect(detailOf(p, 'identity')).toMatch(/enableSystemAssigned is false/);
      });
    });

    describe('identity evidence and tenant moves', () => {
      const off = (state: ObservedVault): ObservedVault => ({ ...state, vault: state.vault && { ...state.vault, identity: { type: 'None', principalId: undefined, tenantId: undefined } } });

      it('raises no error for an identity never seen on, identity-disabled for one vaultlink remembers, and remembers the principal it sees', () => {
        expect(plan(NEW_CLASSIC_VAULT_IDENTITY_OFF).findings.filter((f) => f.severity === 'error')).toEqual([]);
        expect(statusOf(plan(NEW_CLASSIC_VAULT_IDENTITY_OFF), 'health')).toBe('ok');
        const seen = plan(NEW_CLASSIC_VAULT_PENDING_PE);
        expect(seen.memory?.principalsSeen?.map((x) => x.principalId)).toEqual([PRINCIPAL]);
        const later = plan({ ...off(NEW_CLASSIC_VAULT_PENDING_PE), ...(seen.memory ? { memory: seen.memory } : {}) });
        expect(later.findings.filter((f) => f.severity === 'error').map((f) => f.code)).toEqual(['identity-disabled']);
        expect(statusOf(later, 'health')).toBe('failed');
        // vaultlink turns it on again; the principal it remembered is the evidence of the change.
        const newPrincipal = '33333333-3333-3333-3333-333333333333';
        const back = { ...NEW_CLASSIC_VAULT_PENDING_PE, memory: later.memory ?? seen.memory };
        const on = plan({ ...back, vault: back.vault && { ...back.vault, identity: { ...back.vault.identity, principalId: newPrincipal } } });
        expect(on.findings.find((f) => f.code === 'identity-changed')?.message).toContain(`from principal ${PRINCIPAL} to ${newPrincipal}`);
        expect(on.memory?.principalsSeen?.map((x) => x.principalId)).toEqual([PRINCIPAL, newPrincipal]);
      });

      it('grants and approves nothing for a vault whose identity is in another tenant than its subscription', () => {
        const moved: ObservedVault = { ...NEW_CLASSIC_VAULT_PENDING_PE, subscriptionTenants: { ...NEW_CLASSIC_VAULT_PENDING_PE.subscriptionTenants, [SUB_VAULT]: STRANGER_TENANT } };
        const p = plan(moved);
        expect(codes(p)).toContain('tenant-moved');
        expect([...ofKind(p, 'grant-role'), ...ofKind(p, 'approve-connection'), ...ofKind(p, 'enable-identity')]).toEqual([]);
        expect(statuses(p)).toMatchObject({ identity: 'failed', roles: 'failed', approval: 'failed', health: 'failed' });
        expect(detailOf(p, 'approval')).toMatch(/not approving pe-\S+ \(rule '[^']+'\): the vault moved tenants/);
      });
    });

    describe('a v2 vault', () => {
      const p = plan(NEW_V2_VAULT_PENDING_PE);

      it('gets no identity, role or secondary steps; its approval and zones need nothing and run side by side', () => {
        expect(stageKinds(p.actions)).toEqual([
          ['approve-connection', 'ensure-zone', 'ensure-zone', 'ensure-zone'],
          ['ensure-link', 'ensure-link', 'ensure-link', 'upsert-record', 'upsert-record'],
        ]);
        expect([statusOf(p, 'identity'), statusOf(p, 'roles'), statusOf(p, 'secondary-records')]).toEqual(['not-applicable', 'not-applicable', 'not-applicable']);
        expect(p.requeue).toBe(false);
      });

      it('converges in one pass', () => {
        const second = plan(applyInMemory(NEW_V2_VAULT_PENDING_PE, allActions(p.actions)));
        expect(second.actions).toEqual([]);
        expect(summariseChecklist(second.checklist).converged).toBe(true);
      });
    });

    describe('vaults vaultlink must leave alone', () => {
      it('plans nothing for an ineligible vault and says why', () => {
        const p = plan(INELIGIBLE_VAULT);
        expect(p.actions).toEqual([]);
        expect(codes(p)).toContain('vault-not-eligible');
        expect(statusOf(p, 'eligible')).toBe('failed');
        expect(detailOf(p, 'eligible')).toMatch(/3 protected item/);
        expect(p.requeue).toBe(false);
      });

      it('plans nothing for a deleted vault', () => {
        const p = plan(DELETED_VAULT);
        expect(p.actions).toEqual([]);
        expect(p.checklist.every((i) => i.status === 'not-applicable')).toBe(true);
        expect(p.followUpAfter).toBeUndefined();
      });

      it('plans nothing, and follows up, when the vault could not be read', () => {
        const p = plan({ ...DELETED_VAULT, readErrors: [{ resourceId: VAULT_ID, operation: 'get vault', code: 'ServerError', message: '500' }] });
        expect(p.actions).toEqual([]);
        expect(p.checklist.every((i) => i.status === 'pending')).toBe(true);
        expect(codes(p)).toEqual(['read-failed']);
        expect(p.followUpAfter).toBe(FOLLOW_UP_ON_AZURE);
      });

      it('plans nothing when a read of the vault itself failed (eligibility unknown)', () => {
        const p = plan({ ...NEW_CLASSIC_VAULT_PENDING_PE, readErrors: [{ resourceId: VAULT_ID, operation: 'backup usage summaries', code: 'ServerError', message: '500' }] });
        expect(p.actions).toEqual([]);
        expect(statusOf(p, 'eligible')).toBe('pending');
      });
    });

    describe('read errors', () => {
      it('plans no write in a zone whose read failed, and reports the read', () => {
        const state = { ...NEW_CLASSIC_VAULT_PENDING_PE, readErrors: [{ resourceId: zoneId(ZONES.blob), operation: 'get private DNS zone', code: 'TooManyRequests', message: '429' }] };
        const p = plan(state);
        const targets = allActions(p.actions).filter((a) => 'zoneId' in a).map((a) => (a as { zoneId: string }).zoneId);
        expect(targets).not.toContain(zoneId(ZONES.blob));
        expect(targets).toContain(zoneId(ZONES.queue));
        expect(codes(p)).toContain('read-failed');
        expect(detailOf(p, 'dns-zones')).toMatch(/not planned: Create private DNS zone privatelink\.blob/);
        expect(p.followUpAfter).toBe(FOLLOW_UP_ON_AZURE);
      });

      it('grants nothing when the role assignments could not be read', () => {
        const p = plan({ ...NEW_CLASSIC_VAULT_PENDING_PE, readErrors: [{ resourceId: RG_NET, operation: 'list role assignments', code: 'AuthorizationFailed', message: '403' }] });
        expect(ofKind(p, 'grant-role')).toEqual([]);
        // the approval needs the roles it could not plan: it waits too (approving first would break Backup's registration)
        expect(ofKind(p, 'approve-connection')).toEqual([]);
        expect(detailOf(p, 'approval')).toMatch(/needs grant-role:.*which waits for a read/);
        expect(statusOf(p, 'roles')).toBe('pending');
      });
    });

    describe('regions', () => {
      // Before Azure lists any FQDN (members: none), only the table or geoCodes can name the backup zone.
      const NO_FQDNS_PE = primaryEndpoint('pe-spoke-a', { members: [] });

      it('plans no DNS for a region without a geo code, and reports it', () => {
        const state = { ...NEW_CLASSIC_VAULT_PENDING_PE, privateEndpoints: [NO_FQDNS_PE], vault: vault({ location: 'marsnorth', connections: [connectionFor(NO_FQDNS_PE, 'Pending')] }), zones: [] };
        const p = plan(state);
        expect(stageKinds(p.actions)).toEqual([['grant-role', 'grant-role', 'grant-role'], ['approve-connection']]);
        expect(codes(p)).toContain('unknown-region-geo-code');
        for (const key of ['dns-zones', 'dns-links', 'dns-records', 'secondary-records'] as const) {
          expect(statusOf(p, key)).toBe('failed');
          expect(detailOf(p, key)).toMatch(/marsnorth/);
        }
      });

      it('uses a geo code from the policy for a region the table lacks', () => {
        const backup = { ...emptyZone('backup', false), name: 'privatelink.mrn.backup.windowsazure.com', resourceId: zoneId('privatelink.mrn.backup.windowsazure.com') };
        const zones = [backup, emptyZone('blob', false), emptyZone('queue', false)];
        const state = { ...NEW_CLASSIC_VAULT_PENDING_PE, privateEndpoints: [NO_FQDNS_PE], vault: vault({ location: 'marsnorth', connections: [connectionFor(NO_FQDNS_PE, 'Pending')] }), zones };
        const p = plan(state, policy({ geoCodes: { marsnorth: 'mrn' } }));
        expect(codes(p)).not.toContain('unknown-region-geo-code');
        expect(ofKind(p, 'ensure-zone').map((z) => z.zoneName)).toContain('privatelink.mrn.backup.windowsazure.com');
      });
    });

    describe('placement zone-group', () => {
      const zoneGroup = policy({ dns: { ...policy().dns, placement: 'zone-group' } });
      const allZones = ZONE_KINDS.map((k) => zoneId(ZONES[k]));
      const state = (zoneIds: readonly string[] | undefined) =>
        observed({
          vault: vault({ connections: [connectionFor(SPOKE_A_PE, 'Approved')] }),
          privateEndpoints: [primaryEndpoint('pe-spoke-a', { status: 'Approved', zoneGroupZoneIds: zoneIds })],
          zones: ZONE_KINDS.map((k) => emptyZone(k, true)),
        });

      it('writes no record, links the VNet, and accepts a zone group pointing at the three zones', () => {
        const p = plan(state(allZones), zoneGroup);
        expect(ofKind(p, 'upsert-record')).toEqual([]);
        expect(ofKind(p, 'ensure-link')).toHaveLength(3);
        expect(statusOf(p, 'dns-records')).toBe('ok');
        expect(codes(p)).not.toContain('zone-group-mismatch');
      });

      it.each([
        ['no zone group', undefined, /has no private DNS zone group/],
        ['a zone group without the backup zone', allZones.filter((z) => !z.includes('backup')), /does not point at .*privatelink\.uks\.backup/],
      ])('reports a PE with %s', (_what, zoneIds, message) => {
        const p = plan(state(zoneIds), zoneGroup);
        expect(ofKind(p, 'upsert-record')).toEqual([]);
        const f = p.findings.find((x) => x.code === 'zone-group-mismatch');
        expect(f?.message).toMatch(message);
        expect(statusOf(p, 'dns-records')).toBe('failed');
      });
    });

    describe('placement custom', () => {
      const custom = policy({ dns: { placement: 'custom', recordPolicy: 'upsert-only', ttl: 10, linkVirtualNetworks: [] } });
      const p = plan({ ...NEW_CLASSIC_VAULT_PENDING_PE, zones: [] }, custom);

      it('writes no DNS at all', () => {
        expect(stageKinds(p.actions)).toEqual([['grant-role', 'grant-role'], ['approve-connection']]);
      });

      it('reports the zone-file and hosts lines the external server needs', () => {
        const f = p.findings.find((x) => x.code === 'custom-dns-records-needed');
        expect(f?.message).toContain(`$ORIGIN ${ZONES.backup}.`);
        expect(f?.message).toContain(`${VAULT_NUMBER}-ab-pod01-fc1 10 IN A 10.0.1.5`);
        expect(f?.message).toContain(`10.0.1.5 ${VAULT_NUMBER}-ab-pod01-fc1.${ZONES.backup} ${backupFqdn('fc1')}`);
        expect([statusOf(p, 'dns-zones'), statusOf(p, 'dns-links'), statusOf(p, 'dns-records')]).toEqual(['not-applicable', 'not-applicable', 'not-applicable']);
        expect(detailOf(p, 'dns-zones')).toMatch(/168\.63\.129\.16/);
      });
    });

    describe('links', () => {
      it('counts a link someone else made for the VNet as done', () => {
        const vnet = vnetId('vnet-a');
        const zones = ZONE_KINDS.map((k) => emptyZone(k, true)).map((z) => ({ ...z, links: [link(z, vnet.toUpperCase())] }));
        const state = observed({ vault: vault({ connections: [connectionFor(SPOKE_A_PE, 'Approved')] }), privateEndpoints: [SPOKE_A_PE_APPROVED], zones });
        const p = plan(state);
        expect(ofKind(p, 'ensure-link')).toEqual([]);
        expect(statusOf(p, 'dns-links')).toBe('ok');
      });

      it('links the resolver VNets of the policy to every zone', () => {
        const hub = vnetId('vnet-hub', SUB_DNS, 'rg-hub');
        const p = plan(NEW_CLASSIC_VAULT_PENDING_PE, policy({ dns: { ...policy().dns, linkVirtualNetworks: [hub] } }));
        expect(ofKind(p, 'ensure-link').filter((l) => l.vnetId === hub)).toHaveLength(3);
      });
    });

    describe('two PEs claiming the same FQDN', () => {
      it('writes the record of the lowest PE id when none exists yet, and reports the conflict once, naming both PEs', () => {
        const other = primaryEndpoint('pe-spoke-b', { status: 'Approved', vnet: vnetId('vnet-b'), firstIp: 30 });
        const state = observed({
          vault: vault({ connections: [connectionFor(SPOKE_A_PE, 'Approved'), connectionFor(other, 'Approved')] }),
          privateEndpoints: [other, SPOKE_A_PE_APPROVED],
          zones: ZONE_KINDS.map((k) => emptyZone(k, true)),
        });
        const p = plan(state);
        expect(ofKind(p, 'upsert-record').map((r) => r.ipv4Addresses)).toEqual([['10.0.1.4'], ['10.0.1.5']]);
        const conflicts = p.findings.filter((f) => f.code === 'record-claimed-by-several-endpoints');
        expect(conflicts).toHaveLength(1);
        expect(conflicts[0]?.message).toMatch(/pe-spoke-a .*pe-spoke-b.*Ways out: one private endpoint per DNS island.*split zones.*peer/);
      });
    });

    describe('mode and stability', () => {
      const scenarios: [string, ObservedVault][] = [
        ['new classic vault', NEW_CLASSIC_VAULT_PENDING_PE],
        ['identity off', NEW_CLASSIC_VAULT_IDENTITY_OFF],
        ['v2', NEW_V2_VAULT_PENDING_PE],
        ['stranger', STRANGER_PENDING],
        ['ineligible', INELIGIBLE_VAULT],
        ['converged', convergedAfterFirstBackup()],
      ];

      it.each(scenarios)('plans the same in audit as in enforce (%s)', (_name, state) => {
        const enforce = plan(state, policy({ mode: 'enforce' }));
        const audit = plan(state, policy({ mode: 'audit' }));
        expect(audit.mode).toBe('audit');
        expect({ ...audit, mode: 'enforce' }).toEqual(enforce);
      });

      it.each(scenarios)('does not depend on the order observe listed things in (%s)', (_name, state) => {
        const reversed: ObservedVault = {
          ...state,
          privateEndpoints: [...state.privateEndpoints].reverse(),
          zones: [...state.zones].reverse().map((z) => ({ ...z, links: [...z.links].reverse(), records: [...z.records].reverse() })),
          roleAssignments: [...state.roleAssignments].reverse(),
        };
        expect(plan(reversed)).toEqual(plan(state));
      });

      it('gives every action a unique key that starts with its kind', () => {
        const actions = allActions(plan(NEW_CLASSIC_VAULT_IDENTITY_OFF).actions);
        expect(new Set(actions.map((a) => a.key)).size).toBe(actions.length);
        for (const a of actions) expect(a.key.startsWith(`${a.kind}:`)).toBe(true);
      });

      it('gives every checklist item a detail', () => {
        for (const [, state] of scenarios) for (const item of plan(state).checklist) expect(item.detail.length).toBeGreaterThan(0);
      });
    });
  });
});
