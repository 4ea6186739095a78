/**
 * Issue 11's "Done when": situations 1–5 of "What was seen", each played through the CLI
 * (`vaultlink plan --apply` / `status` with `--endpoint … --principal …`) against a STANDALONE
 * emulator (`emulator/main.ts` as a child process). Each is judged the way Azure shows it — a
 * connection's state, a role assignment existing, a name resolving from a VNet, the emulator's
 * write counter — then vaultlink's report is checked against that, and each ends with a further
 * `plan --apply` that writes nothing. Situation 6 (drift) is `npm run simulate -- --scenario drift`
 * (test/cli/scenarios.test.ts).
 *
 * One emulator for the file; each situation has its own vault (scoped with --vault) and, where
 * names must resolve, its own VNet.
 */
import { RecoveryServicesClient } from '@azure/arm-recoveryservices';
import { FAST_POLLING, REGION, SIMULATION_IDS, sdkOptions } from '../../../cli/simulation/landing-zone';
import { resourceGroupResourceId } from '../../../shared/domain/ids';
import { isMarkedFor } from '../../../shared/domain/rbac';
import type { VaultPlan } from '../../../shared/plan/types';
import { checklistOf, findingCodes, layOutStandaloneLandingZone, startStandaloneEmulator, type PlanApplyRun, type StandaloneEmulator, type StandaloneLandingZone } from './harness';
import { connectionStatesOf, createEndpointIn, createSandbox, credentialInTenant, moveSubscription, roleAssignmentsOf, setVaultIdentity, status, vaultIdentityOf } from './lifecycle-helpers';

jest.setTimeout(120_000);

let emulator: StandaloneEmulator;
let lz: StandaloneLandingZone;

beforeAll(async () => {
  emulator = await startStandaloneEmulator();
  lz = await layOutStandaloneLandingZone(emulator, { separateHubSubscription: false });
});

afterAll(async () => {
  lz?.dispose();
  await emulator?.stop();
});

function failedActions(run: PlanApplyRun): string[] {
  return run.vaults.flatMap((v) => v.applied.filter((o) => o.status === 'failed').map((o) => `${o.key}: ${o.message}`));
}

/** The further pass every situation ends with: vaultlink's principal writes nothing. */
async function expectNothingMoreToWrite(vaultId: string, policyPath = lz.policyPath): Promise<PlanApplyRun> {
  const again = await lz.planApply({ policyPath, vaults: [vaultId] });
  expect(again.writes).toEqual([]);
  return again;
}

const ownerId = (): string => lz.zone.policyFile.ownerId;

describe('issue 11 through the CLI against a standalone emulator', () => {
  describe('situation 1: eligibility with memory', () => {
    it('keeps a vault whose last endpoint was removed (after it registered a VM) eligible, and approves its new endpoint', async () => {
      const vnet = await lz.createSpokeVnet('vnet-l1', '10.21');
      const vaultId = await lz.createVault('rsv-l1');
      await lz.createPrivateEndpoint('pe-backup-l1', vaultId, { subnetId: vnet.endpointSubnetId });
      const first = await lz.planApply({ vaults: [vaultId] });
      expect(failedActions(first)).toEqual([]);
      expect(await connectionStatesOf(emulator, vaultId)).toEqual({ 'pe-backup-l1': 'Approved' });
      // The vault now has a registered VM: the old rule called it ineligible once its endpoint was gone.
      expect(await emulator.control.registerContainer(vaultId, { containerName: 'vm-app01', vnetId: vnet.vnetId })).toMatchObject({ status: 'Completed' });
      await lz.deletePrivateEndpoint('pe-backup-l1');

      // A fresh CLI run has no memory: Azure's privateEndpointStateForBackup is the evidence.
      const afterRemoval = await lz.planApply({ vaults: [vaultId] });
      expect(checklistOf(afterRemoval.vaults[0])['eligible']).toBe('ok');
      expect(findingCodes(afterRemoval.vaults[0])).not.toContain('vault-not-eligible');

      await lz.createPrivateEndpoint('pe-backup-l1-v2', vaultId, { subnetId: vnet.endpointSubnetId });
      const readded = await lz.planApply({ vaults: [vaultId] });
      expect(failedActions(readded)).toEqual([]);
      expect((await connectionStatesOf(emulator, vaultId))['pe-backup-l1-v2']).toBe('Approved');
      expect(readded.writes.some((w) => w.operation.toLowerCase().includes('privateendpointconnections'))).toBe(true);
      expect(await lz.unresolvedFrom(vaultId, [vnet.vnetId])).toEqual([]);
      await expectNothingMoreToWrite(vaultId);
    });

    it('calls a vault with a failed protection attempt before any endpoint ineligible (Backup\'s jobs), and writes nothing to it', async () => {
      const vaultId = await lz.createVault('rsv-l1-attempted');
      // Configure backup before any registration: Backup's job fails; the vault counts no item.
      expect(await emulator.control.runBackup(vaultId, { itemName: 'db01' })).toMatchObject({ status: 'Failed' });
      // Azure refuses its endpoint (the seed's FAQ: "must not have had any attempts").
      await expect(lz.createPrivateEndpoint('pe-backup-l1-attempted', vaultId)).rejects.toMatchObject({ code: 'UserErrorPrivateEndpointNotAllowedForVaultWithItems' });

      const run = await lz.planApply({ vaults: [vaultId] });
      expect(run.code).toBe(1);
      expect(checklistOf(run.vaults[0])['eligible']).toBe('failed');
      expect(run.vaults[0]?.after.findings.find((f) => f.code === 'vault-not-eligible')?.message).toMatch(/1 protection or registration attempt\(s\) \(1 failed/);
      expect(run.writes).toEqual([]);
      await expectNothingMoreToWrite(vaultId);
    });
  });

  describe('situation 2: one resource group vaultlink cannot grant on', () => {
    it('leaves that endpoint Pending with a finding, while the healthy one is approved, its identity granted and its names resolving', async () => {
      const sandbox = '5a5d0000-0000-4000-8000-000000000012';
      const sandboxRg = await createSandbox(emulator, sandbox, 'rg-sandbox-endpoints');
      const policyPath = lz.writePolicy('l2', (p) => ({
        ...p,
        approval: { unmatched: 'leave-pending', rules: [...(p.approval?.rules ?? []), { name: 'sandbox-team', requester: { subscriptionId: sandbox } }] },
      }));
      const vnet = await lz.createSpokeVnet('vnet-l2', '10.22');
      const vaultId = await lz.createVault('rsv-l2');
      await lz.createPrivateEndpoint('pe-backup-l2', vaultId, { subnetId: vnet.endpointSubnetId });
      await createEndpointIn(emulator, sandbox, 'rg-sandbox-endpoints', 'pe-sandbox-l2', vaultId, vnet.endpointSubnetId);

      const run = await lz.planApply({ policyPath, vaults: [vaultId] });
      expect(failedActions(run)).toEqual([]);
      expect(run.code).toBe(1);
      // Azure's answer first: connection states, role assignments, names from the VNet.
      expect(await connectionStatesOf(emulator, vaultId)).toEqual({ 'pe-backup-l2': 'Approved', 'pe-sandbox-l2': 'Pending' });
      const principal = (await vaultIdentityOf(emulator, vaultId)).principalId as string;
      const networkRg = resourceGroupResourceId(lz.zone.spokeSubscriptionId, lz.zone.networkResourceGroup);
      expect((await roleAssignmentsOf(emulator, networkRg, principal)).length).toBeGreaterThan(0);
      expect(await roleAssignmentsOf(emulator, sandboxRg, principal)).toEqual([]);
      expect(await lz.unresolvedFrom(vaultId, [vnet.vnetId])).toEqual([]);
      // vaultlink's report agrees, naming the endpoint and the resource group.
      const finding = run.vaults[0]?.after.findings.find((f) => f.code === 'roles-not-grantable');
      expect(finding?.severity).toBe('error');
      expect(finding?.resourceId.toLowerCase()).toContain('/privateendpoints/pe-sandbox-l2');
      expect(finding?.message).toMatch(/rg-sandbox-endpoints/);
      expect(checklistOf(run.vaults[0])).toMatchObject({ roles: 'ok', approval: 'failed', 'dns-links': 'ok', health: 'failed' });
      await expectNothingMoreToWrite(vaultId, policyPath);
    });
  });

  describe('situation 3: the identity turned off and on by someone', () => {
    it('reports identity-disabled while it is off, then grants the new principal, removes vaultlink\'s grants to the old one and reports identity-changed', async () => {
      const vnet = await lz.createSpokeVnet('vnet-l3', '10.23');
      const vaultId = await lz.createVault('rsv-l3');
      await lz.createPrivateEndpoint('pe-backup-l3', vaultId, { subnetId: vnet.endpointSubnetId });
      expect(failedActions(await lz.planApply({ vaults: [vaultId] }))).toEqual([]);
      const networkRg = resourceGroupResourceId(lz.zone.spokeSubscriptionId, lz.zone.networkResourceGroup);
      const oldPrincipal = (await vaultIdentityOf(emulator, vaultId)).principalId as string;
      const marked = (await roleAssignmentsOf(emulator, networkRg, oldPrincipal)).filter((a) => isMarkedFor(a, ownerId(), vaultId));
      expect(marked.length).toBeGreaterThan(0);

      await setVaultIdentity(emulator, vaultId, 'None');
      const off = await status(lz, { vaults: [vaultId] });
      expect(off.code).toBe(1);
      const disabled = off.vaults[0]?.findings.find((f) => f.code === 'identity-disabled');
      expect(disabled?.severity).toBe('error');
      expect(disabled?.message).toContain(oldPrincipal);
      expect(off.vaults[0]?.checklist['health']).toBe('failed');

      await setVaultIdentity(emulator, vaultId, 'SystemAssigned');
      const newPrincipal = (await vaultIdentityOf(emulator, vaultId)).principalId as string;
      expect(newPrincipal).not.toBe(oldPrincipal);
      const run = await lz.planApply({ vaults: [vaultId] });
      expect(failedActions(run)).toEqual([]);
      expect(run.code).toBe(1);
      // Azure: the new principal holds vaultlink's grants, the old one none of them.
      expect((await roleAssignmentsOf(emulator, networkRg, newPrincipal)).filter((a) => isMarkedFor(a, ownerId(), vaultId)).length).toBe(marked.length);
      expect((await roleAssignmentsOf(emulator, networkRg, oldPrincipal)).filter((a) => isMarkedFor(a, ownerId(), vaultId))).toEqual([]);
      expect(await lz.unresolvedFrom(vaultId, [vnet.vnetId])).toEqual([]);
      const changed = run.vaults[0]?.after.findings.find((f) => f.code === 'identity-changed');
      expect(changed?.severity).toBe('error');
      expect(changed?.message).toContain(oldPrincipal);
      expect(changed?.message).toMatch(/must not be disabled \(even temporarily\)/);

      const again = await expectNothingMoreToWrite(vaultId);
      // The grants' markers carry the change: a later run still reports it.
      expect(findingCodes(again.vaults[0])).toContain('identity-changed');
    });
  });

  describe('situation 4: error findings count', () => {
    it('status --output json exits 1 for a vault whose subscription moved in from another tenant, and nothing is granted or approved for it', async () => {
      const oldTenant = '0d1d0000-0000-4000-8000-0000000000ee';
      const spoke = lz.zone.spokeSubscriptionId;
      // The vault was made in the old tenant (its identity belongs there); then the subscription moved in.
      await moveSubscription(emulator, spoke, oldTenant);
      try {
        const client = new RecoveryServicesClient(credentialInTenant(emulator, SIMULATION_IDS.platformPrincipalId, oldTenant), spoke, sdkOptions(emulator));
        await client.vaults.beginCreateOrUpdateAndWait(lz.zone.backupResourceGroup, 'rsv-l4', { location: REGION, sku: { name: 'Standard' }, identity: { type: 'SystemAssigned' }, properties: { publicNetworkAccess: 'Enabled' } }, FAST_POLLING);
      } finally {
        await moveSubscription(emulator, spoke, SIMULATION_IDS.tenantId);
      }
      const vaultId = lz.vaultId('rsv-l4');
      expect((await vaultIdentityOf(emulator, vaultId)).tenantId).toBe(oldTenant);
      await lz.createPrivateEndpoint('pe-backup-l4', vaultId);

      const before = await status(lz, { vaults: [vaultId] });
      expect([before.code, before.converged]).toEqual([1, false]);
      const moved = before.vaults[0]?.findings.find((f) => f.code === 'tenant-moved');
      expect(moved?.severity).toBe('error');
      expect(moved?.message).toMatch(/re-create and reconfigure its managed identity/);
      expect(before.vaults[0]?.checklist['health']).toBe('failed');

      const run = await lz.planApply({ vaults: [vaultId] });
      expect(run.code).toBe(1);
      expect(await connectionStatesOf(emulator, vaultId)).toEqual({ 'pe-backup-l4': 'Pending' });
      const principal = (await vaultIdentityOf(emulator, vaultId)).principalId as string;
      expect(await roleAssignmentsOf(emulator, resourceGroupResourceId(spoke, lz.zone.networkResourceGroup), principal)).toEqual([]);
      expect(run.writes.filter((w) => w.path.toLowerCase().includes('/vaults/rsv-l4') || w.operation.toLowerCase().includes('roleassignments'))).toEqual([]);
      const after = await status(lz, { vaults: [vaultId] });
      expect([after.code, after.vaults[0]?.checklist['health']]).toEqual([1, 'failed']);
      await expectNothingMoreToWrite(vaultId);
    });
  });

  describe('situation 5: audit mode on a new classic vault', () => {
    it('shows the whole plan (roles and approval against the placeholder principal, following from the identity step) and writes nothing', async () => {
      const policyPath = lz.writePolicy('l5-audit', (p) => ({ ...p, mode: 'audit' }));
      const vaultId = await lz.createVault('rsv-l5');
      await lz.createPrivateEndpoint('pe-backup-l5', vaultId);
      const counted = (await emulator.control.writesBy(lz.vaultlinkPrincipalId)).length;

      // What a platform team deciding on `enforce` runs (`plan --apply` would enforce, whatever the file says).
      const run = await lz.vaultlink(lz.planApplyArgs({ policyPath, vaults: [vaultId] }).filter((a) => a !== '--apply'));
      expect([run.code, run.stderr]).toEqual([1, '']);
      const vault = (JSON.parse(run.stdout) as { vaults: { id: string; plan: VaultPlan }[] }).vaults[0];
      expect(vault?.plan.mode).toBe('audit');
      const actions = vault?.plan.actions ?? [];
      const enable = actions.find((a) => a.kind === 'enable-identity');
      expect(enable).toBeDefined();
      const grants = actions.filter((a) => a.kind === 'grant-role');
      expect(grants.length).toBeGreaterThan(0);
      for (const g of grants) expect(g.kind === 'grant-role' && [g.principalId, g.followsFrom]).toEqual(["the vault's identity, once on", enable?.key]);
      const approval = actions.find((a) => a.kind === 'approve-connection');
      expect(approval?.followsFrom).toBe(enable?.key);
      expect(approval?.needs.length).toBeGreaterThan(0);
      expect(actions.map((a) => a.kind)).toEqual(expect.arrayContaining(['ensure-link', 'upsert-record']));
      // No error for an identity that was never on: turning it on is the plan's first step.
      expect(vault?.plan.findings.filter((f) => f.severity === 'error')).toEqual([]);

      // The emulator's write counter: nothing from vaultlink; Azure unchanged.
      expect((await emulator.control.writesBy(lz.vaultlinkPrincipalId)).length).toBe(counted);
      expect((await vaultIdentityOf(emulator, vaultId)).principalId).toBeUndefined();
      expect(await connectionStatesOf(emulator, vaultId)).toEqual({ 'pe-backup-l5': 'Pending' });
      // The same plan from a status: not converged because steps are pending, not because of an error.
      const st = await status(lz, { policyPath, vaults: [vaultId] });
      expect([st.code, st.vaults[0]?.checklist['identity'], st.vaults[0]?.checklist['health']]).toEqual([1, 'pending', 'ok']);
      expect((await emulator.control.writesBy(lz.vaultlinkPrincipalId)).length).toBe(counted);
    });
  });
});
