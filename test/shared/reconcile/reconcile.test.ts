/**
 * The reconciler end to end: the real planner, the real SDK clients, the emulator playing Azure
 * (and Azure Backup). Writes are counted by the emulator per principal: vaultlink has its own.
 */
import { recordsForPrivateEndpoint, summariseChecklist, type ChecklistItemKey } from '../../../shared/domain';
import type { ActionOutcome, PassReport, PlannedAction } from '../../../shared/plan';
import { observeAndPlan, observeVault, reconcileVault, type ReconcileContext } from '../../../shared/reconcile';
import { planVault } from '../../../shared/plan';
import type { PrivateDnsExports } from '../../../emulator/providers/privatedns';
import { RG, World, ZONE_NAMES } from './world';

function statusOf(report: PassReport, key: ChecklistItemKey): string | undefined {
  return report.plan.checklist.find((i) => i.key === key)?.status;
}

function kinds(outcomes: readonly ActionOutcome[], status: ActionOutcome['status']): string[] {
  return outcomes.filter((o) => o.status === status).map((o) => o.kind);
}

function count(list: readonly string[], kind: string): number {
  return list.filter((k) => k === kind).length;
}

function actionsOf(report: PassReport): PlannedAction[] {
  return [...report.plan.actions];
}

describe('reconcileVault (emulator, real planner)', () => {
  let world: World;
  beforeAll(async () => {
    world = await World.start();
  });
  afterAll(() => world.close());

  function ctx(policy = world.policy()): ReconcileContext {
    return world.context(planVault, policy);
  }

  describe('a new classic vault with a pending PE from an allowlisted team', () => {
    let vaultId: string;
    let first: PassReport;

    beforeAll(async () => {
      vaultId = await world.createVault('vault-classic');
      await world.createPrivateEndpoint(vaultId, 'pe-classic');
      first = await reconcileVault(ctx(), vaultId);
    });

    it('converges in one enforce call: identity, roles, approval, zones, links, records', () => {
      const applied = kinds(first.outcomes, 'applied');
      expect(kinds(first.outcomes, 'failed')).toEqual([]);
      expect(count(applied, 'enable-identity')).toBe(1);
      // Contributor on the VNet, PE and DNS resource groups.
      expect(count(applied, 'grant-role')).toBe(3);
      expect(count(applied, 'approve-connection')).toBe(1);
      expect(count(applied, 'ensure-zone')).toBe(3);
      expect(count(applied, 'ensure-link')).toBe(3);
      expect(count(applied, 'upsert-record')).toBeGreaterThanOrEqual(8);
      for (const key of ['eligible', 'identity', 'roles', 'approval', 'dns-zones', 'dns-links', 'dns-records'] as const) expect([key, statusOf(first, key)]).toEqual([key, 'ok']);
      // Backup's own endpoints only appear after the first registration and backup.
      expect(statusOf(first, 'secondary-records')).toBe('pending');
      expect(actionsOf(first)).toEqual([]);
    });

    it('left Azure as the seed asks: identity on, connection approved with the rule, records in the privatelink zones', async () => {
      const vault = await world.azure().recoveryServices.getVault(vaultId);
      expect(vault?.identity.type).toBe('SystemAssigned');
      expect(vault?.connections[0]?.status).toBe('Approved');
      expect(vault?.connections[0]?.description).toMatch(/spoke-team/);
      const records = await world.azure().privateDns.listARecordSets(world.zoneId(ZONE_NAMES.backup));
      expect(records.length).toBeGreaterThanOrEqual(8);
      expect(records.every((r) => r.metadata['managedBy'] === 'vaultlink' && r.metadata['vaultlinkOwner'] === 'platform')).toBe(true);
      // A VM in the spoke VNet resolves every name of the vault's endpoints privately (the seed's nslookup check).
      const required = [...world.backup.requiredNames(vaultId)];
      expect(required.length).toBeGreaterThan(0);
      for (const [fqdn, ips] of required) {
        const answer = world.emu.provider<PrivateDnsExports>('privatedns').resolve(world.vnetId, fqdn);
        expect([fqdn, answer.answer, [...answer.addresses].sort()]).toEqual([fqdn, 'private', [...ips].sort()]);
      }
    });

    it('makes zero writes on a second pass, which plans nothing', async () => {
      const before = world.vaultlinkWrites();
      const second = await reconcileVault(ctx(), vaultId);
      expect(second.outcomes).toEqual([]);
      expect(actionsOf(second)).toEqual([]);
      expect(world.vaultlinkWrites()).toBe(before);
    });

    it('writes exactly the secondaries\' records after the first registration, then after the first backup', async () => {
      const registration = await world.registerContainer(vaultId);
      expect(registration.status).toBe('Completed');
      const afterRegistration = await reconcileVault(ctx(), vaultId);
      const ecs = afterRegistration.outcomes;
      expect(ecs).toHaveLength(2);
      expect(ecs.every((o) => o.kind === 'upsert-record' && o.status === 'applied')).toBe(true);
      // _ecs blob and queue: one record each, in the blob and queue zones.
      expect(ecs.map((o) => o.key).some((k) => k.includes(ZONE_NAMES.blob))).toBe(true);
      expect(ecs.map((o) => o.key).some((k) => k.includes(ZONE_NAMES.queue))).toBe(true);

      // The first backup creates the _prot blob PE and fails on its name, as the seed warns.
      const backup = await world.runBackup(vaultId);
      expect(backup.status).toBe('Failed');
      expect(backup.unresolved.map((u) => u.fqdn)).toHaveLength(1);
      const protFqdn = backup.unresolved[0]?.fqdn as string;
      const afterBackup = await reconcileVault(ctx(), vaultId);
      expect(afterBackup.outcomes.map((o) => [o.kind, o.status])).toEqual([['upsert-record', 'applied']]);
      expect(afterBackup.outcomes[0]?.key).toContain(ZONE_NAMES.blob);
      expect(afterBackup.outcomes[0]?.key).toContain(protFqdn.split('.')[0] as string);
      // With its record in place, the retried backup resolves every name privately.
      expect(await world.runBackup(vaultId)).toMatchObject({ status: 'Completed', unresolved: [] });
      expect(statusOf(afterBackup, 'secondary-records')).toBe('ok');
      expect(afterBackup.converged).toBe(true);
    });
  });

  describe('a v2 vault', () => {
    it('gets no identity, role or secondary steps', async () => {
      const vaultId = await world.createVault('vault-v2', 'V2');
      await world.createPrivateEndpoint(vaultId, 'pe-v2');
      const report = await reconcileVault(ctx(), vaultId);
      const all = report.outcomes.map((o) => o.kind);
      expect(all).not.toContain('enable-identity');
      expect(all).not.toContain('grant-role');
      expect(count(kinds(report.outcomes, 'applied'), 'approve-connection')).toBe(1);
      expect(statusOf(report, 'identity')).toBe('not-applicable');
      expect(statusOf(report, 'roles')).toBe('not-applicable');
      expect(statusOf(report, 'secondary-records')).toBe('not-applicable');
      expect(report.converged).toBe(true);
      expect((await world.azure().recoveryServices.getVault(vaultId))?.identity.type).toBe('None');
    });
  });

  describe('a requester the allowlist does not match', () => {
    it('stays pending with the reason under leave-pending', async () => {
      const vaultId = await world.createVault('vault-stranger');
      await world.createPrivateEndpoint(vaultId, 'pe-stranger', world.spokeTeam, RG.net);
      const report = await reconcileVault(ctx(), vaultId);
      expect(report.outcomes.map((o) => o.kind)).not.toContain('approve-connection');
      expect(report.outcomes.map((o) => o.kind)).not.toContain('grant-role');
      expect(statusOf(report, 'approval')).toBe('pending');
      expect(report.plan.checklist.find((i) => i.key === 'approval')?.detail).toMatch(/spoke-team/);
      expect((await world.azure().recoveryServices.getVault(vaultId))?.connections[0]?.status).toBe('Pending');
    });

    it('is rejected when the policy says so', async () => {
      const vaultId = await world.createVault('vault-reject');
      await world.createPrivateEndpoint(vaultId, 'pe-reject', world.spokeTeam, RG.net);
      const policy = world.policy({ approval: { unmatched: 'reject', rules: world.policy().approval.rules } });
      const report = await reconcileVault(ctx(policy), vaultId);
      expect(count(kinds(report.outcomes, 'applied'), 'reject-connection')).toBe(1);
      expect((await world.azure().recoveryServices.getVault(vaultId))?.connections[0]?.status).toBe('Rejected');
    });
  });

  describe('a vault that had protected items before any PE', () => {
    it('is reported ineligible and left alone (zero writes)', async () => {
      const vaultId = await world.createVault('vault-used');
      expect((await world.registerContainer(vaultId)).status).toBe('Completed');
      expect((await world.runBackup(vaultId)).status).toBe('Completed');
      const before = world.vaultlinkWrites();
      const report = await reconcileVault(ctx(), vaultId);
      expect(statusOf(report, 'eligible')).toBe('failed');
      expect(report.plan.findings.map((f) => f.code)).toContain('vault-not-eligible');
      expect(report.outcomes).toEqual([]);
      expect(world.vaultlinkWrites()).toBe(before);
    });
  });

  describe('audit mode', () => {
    it('makes zero writes and reports the actions enforce would take', async () => {
      const vaultId = await world.createVault('vault-audit');
      await world.createPrivateEndpoint(vaultId, 'pe-audit');
      const audit = world.policy({ mode: 'audit' });
      const { plan: enforcePlan } = await observeAndPlan(ctx(), vaultId);
      const before = world.vaultlinkWrites();
      const report = await reconcileVault(ctx(audit), vaultId);
      expect(world.vaultlinkWrites()).toBe(before);
      expect(report.mode).toBe('audit');
      expect(report.outcomes.length).toBeGreaterThan(0);
      expect(report.outcomes.every((o) => o.status === 'skipped')).toBe(true);
      expect(report.outcomes.map((o) => o.key)).toEqual(enforcePlan.actions.map((a) => a.key));
      expect(report.converged).toBe(false);
    });
  });

  describe('a record set vaultlink does not own', () => {
    it('is never modified, and is reported', async () => {
      const vaultId = await world.createVault('vault-foreign');
      await world.createPrivateEndpoint(vaultId, 'pe-foreign');
      // Someone made the zone and one of the records by hand, with other addresses.
      // (The first plan only turns the identity on and holds the approval back, so the record's
      // name comes from what the PE serves.)
      const observed = await observeVault(ctx(), vaultId);
      const primary = observed.privateEndpoints.find((p) => p.classification.kind === 'backup-primary');
      const firstRecord = primary && recordsForPrivateEndpoint(primary.endpoint, ZONE_NAMES).find((r) => r.zoneKind === 'backup');
      if (firstRecord === undefined) throw new Error('the PE serves no backup FQDN');
      await world.dns().privateZones.beginCreateOrUpdateAndWait(RG.dns, ZONE_NAMES.backup, { location: 'global' }, { updateIntervalInMs: 1 }).catch(() => undefined);
      const foreign = await world.dns().recordSets.createOrUpdate(RG.dns, ZONE_NAMES.backup, 'A', firstRecord.recordName, { ttl: 3600, aRecords: [{ ipv4Address: '192.0.2.1' }] });

      const report = await reconcileVault(ctx(), vaultId);
      const after = await world.dns().recordSets.get(RG.dns, ZONE_NAMES.backup, 'A', firstRecord.recordName);
      expect(after.etag).toBe(foreign.etag);
      expect(after.aRecords).toEqual([{ ipv4Address: '192.0.2.1' }]);
      expect(report.plan.findings.map((f) => f.code)).toContain('record-not-managed');
      expect(report.outcomes.filter((o) => o.key.includes(`/A/${firstRecord.recordName}`) && o.status === 'applied')).toEqual([]);
    });
  });

  describe('faults injected by the emulator', () => {
    /*
     * The fault PRNG is seeded, but the order of requests is not fixed (independent actions run in
     * parallel), so which request draws which fault varies from run to run: one zone PUT may draw
     * more throttles in a row than the SDK retries. The test therefore asserts what holds for EVERY
     * request order, not one schedule: each rule has a budget (`times`), so at most FAULT_BUDGET
     * faults fire in all; a pass that draws none converges, and a pass that does not converge drew
     * at least one. So within FAULT_BUDGET + 1 passes the vault converges, and every failure on
     * the way is a transient one that a later pass repairs.
     */
    it('still end converged through the SDK retries (429, 500, dropped connections)', async () => {
      const vaultId = await world.createVault('vault-faults');
      await world.createPrivateEndpoint(vaultId, 'pe-faults');
      const budgets = { throttle: 12, error: 8, drop: 4 };
      const FAULT_BUDGET = budgets.throttle + budgets.error + budgets.drop;
      const rules = [
        world.emu.faults.add({ match: { principalId: world.vaultlink, method: 'PUT' }, fault: { kind: 'throttle', retryAfterMs: 5 }, probability: 0.3, times: budgets.throttle }),
        world.emu.faults.add({ match: { principalId: world.vaultlink, method: 'GET' }, fault: { kind: 'error', status: 500 }, probability: 0.2, times: budgets.error }),
        world.emu.faults.add({ match: { principalId: world.vaultlink }, fault: { kind: 'drop' }, probability: 0.1, times: budgets.drop }),
      ];
      const failures: ActionOutcome[] = [];
      const passErrors: string[] = [];
      let report: PassReport | undefined;
      let passes = 0;
      try {
        while (passes <= FAULT_BUDGET) {
          passes++;
          const appliedBefore = world.emu.faults.list().reduce((n, r) => n + r.applied, 0);
          try {
            report = await reconcileVault(ctx(), vaultId);
            failures.push(...report.outcomes.filter((o) => o.status === 'failed'));
            if (report.converged || (report.outcomes.every((o) => o.status !== 'failed') && actionsOf(report).length === 0)) break;
          } catch (e) {
            // A read that exhausted its retries fails the whole pass; the next pass starts over.
            passErrors.push(String(e));
            report = undefined;
          }
          // A pass that did not converge must have drawn a fault: otherwise the reconciler is wrong.
          expect(world.emu.faults.list().reduce((n, r) => n + r.applied, 0)).toBeGreaterThan(appliedBefore);
        }
      } finally {
        rules.forEach((id) => world.emu.faults.remove(id));
      }
      expect(world.emu.writes.log().some((w) => w.faulted && w.principalId === world.vaultlink)).toBe(true);
      // Every failure on the way was a transient one (throttled, server error, dropped connection).
      expect(failures.filter((o) => o.error?.transient !== true).map((o) => [o.key, o.error?.code])).toEqual([]);
      if (report === undefined) throw new Error(`no pass completed: ${passErrors.join('; ')}`);
      expect(actionsOf(report)).toEqual([]);
      expect(summariseChecklist(report.plan.checklist).open).toEqual(['secondary-records']);
      // Converged means converged: without faults, one more pass writes nothing.
      const before = world.vaultlinkWrites();
      const again = await reconcileVault(ctx(), vaultId);
      expect(again.outcomes).toEqual([]);
      expect(world.vaultlinkWrites()).toBe(before);
    });
  });
});

