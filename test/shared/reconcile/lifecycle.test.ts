/**
 * Lifecycle truth, end to end: the real planner and SDK clients against the emulator, through the
 * situations of day 2 — eligibility with memory, a resource group vaultlink cannot grant on, an
 * identity turned off and on, a tenant move. Outcomes are judged the way Azure shows them (a
 * connection's state, an assignment existing), then vaultlink's report is checked against it.
 */
import { randomUUID } from 'node:crypto';
import type { ChecklistItemKey } from '../../../shared/domain';
import { isMarkedFor } from '../../../shared/domain/rbac';
import { planVault, type PassReport } from '../../../shared/plan';
import { createAzureClients } from '../../../shared/azure';
import { observeAndPlan, reconcileVault, type ReconcileContext } from '../../../shared/reconcile';
import type { PrivateDnsExports } from '../../../emulator/providers/privatedns';
import { LOCATION, RG, World } from './world';

const poll = { updateIntervalInMs: 1 };

function statusOf(report: PassReport, key: ChecklistItemKey): string | undefined {
  return report.plan.checklist.find((i) => i.key === key)?.status;
}

function codes(report: PassReport): string[] {
  return report.plan.findings.map((f) => f.code);
}

describe('lifecycle (emulator, real planner)', () => {
  let world: World;
  beforeAll(async () => {
    world = await World.start();
  });
  afterAll(() => world.close());

  function ctx(policy = world.policy()): ReconcileContext {
    return world.context(planVault, policy);
  }

  describe('eligibility with memory', () => {
    it('calls a vault with a failed protection attempt ineligible (Backup\'s jobs), and leaves it alone', async () => {
      const vaultId = await world.createVault('vault-attempted');
      // Configure backup before any registration: the job fails, and the vault counts no item.
      const job = await world.runBackup(vaultId);
      expect(job.status).toBe('Failed');
      const attempts = await world.azure().recoveryServices.listProtectionAttempts(vaultId);
      expect(attempts.map((a) => [a.operation, a.status])).toEqual([['ConfigureBackup', 'Failed']]);
      const vault = await world.azure().recoveryServices.getVault(vaultId);
      expect([vault?.protectedItemCount, vault?.registeredContainerCount]).toEqual([0, 0]);
      // Azure refuses the endpoint, as the seed's FAQ says.
      await expect(world.createPrivateEndpoint(vaultId, 'pe-attempted')).rejects.toMatchObject({ code: 'UserErrorPrivateEndpointNotAllowedForVaultWithItems' });
      const before = world.vaultlinkWrites();
      const report = await reconcileVault(ctx(), vaultId);
      expect(statusOf(report, 'eligible')).toBe('failed');
      expect(report.plan.checklist.find((i) => i.key === 'eligible')?.detail).toMatch(/1 protection or registration attempt\(s\) \(1 failed; first: ConfigureBackup/);
      expect(report.converged).toBe(false);
      expect(world.vaultlinkWrites()).toBe(before);
    });

    it('keeps a vault eligible after its last private endpoint is removed, and converges again when one is re-added', async () => {
      const vaultId = await world.createVault('vault-readded');
      await world.createPrivateEndpoint(vaultId, 'pe-first');
      expect(statusOf(await reconcileVault(ctx(), vaultId), 'approval')).toBe('ok');
      expect((await world.registerContainer(vaultId)).status).toBe('Completed');
      await reconcileVault(ctx(), vaultId);
      // The first backup creates the _prot endpoint and fails on its name until vaultlink writes its record.
      await world.runBackup(vaultId);
      await reconcileVault(ctx(), vaultId);
      expect((await world.runBackup(vaultId)).status).toBe('Completed');
      // The endpoint goes (with its secondaries' owner, the primary): items stay.
      await world.network(world.spokeTeam).privateEndpoints.beginDeleteAndWait(RG.pe, 'pe-first', poll);
      const gone = await reconcileVault(ctx(), vaultId);
      expect((await world.azure().recoveryServices.getVault(vaultId))?.connections).toEqual([]);
      expect(statusOf(gone, 'eligible')).toBe('ok');
      expect(codes(gone)).not.toContain('vault-not-eligible');
      // Azure accepts a new endpoint (FAQ: endpoints can be added or removed later), and vaultlink takes it through.
      await world.createPrivateEndpoint(vaultId, 'pe-second');
      const again = await reconcileVault(ctx(), vaultId);
      expect((await world.azure().recoveryServices.getVault(vaultId))?.connections.map((c) => c.status)).toEqual(['Approved']);
      expect(statusOf(again, 'eligible')).toBe('ok');
    });
  });

  describe('an endpoint in a resource group vaultlink cannot grant on', () => {
    it('is not approved, with a finding naming the endpoint, the group and the right; the other endpoint converges', async () => {
      // A second subscription in scope where vaultlink may read but not grant.
      const locked = world.emu.control.createSubscription({ tenantId: world.emu.tenantId });
      world.emu.control.createResourceGroup(locked, 'rg-locked-pe', LOCATION);
      world.emu.control.grantRole({ role: 'Reader', principalId: world.vaultlink, scope: `/subscriptions/${locked}` });
      world.emu.control.grantRole({ role: 'Contributor', principalId: world.spokeTeam, scope: `/subscriptions/${locked}/resourceGroups/rg-locked-pe` });
      const vaultId = await world.createVault('vault-locked');
      await world.createPrivateEndpoint(vaultId, 'pe-healthy');
      const { NetworkManagementClient } = await import('@azure/arm-network');
      const lockedNetwork = new NetworkManagementClient(world.emu.credentialFor(world.spokeTeam), locked, { endpoint: world.emu.endpoint, tlsOptions: { ca: world.emu.ca }, retryOptions: { maxRetries: 0 } });
      const connection = { name: 'pe-locked', privateLinkServiceId: vaultId, groupIds: ['AzureBackup'], requestMessage: 'spoke team' };
      await lockedNetwork.privateEndpoints.beginCreateOrUpdateAndWait('rg-locked-pe', 'pe-locked', { location: LOCATION, subnet: { id: world.subnetId }, manualPrivateLinkServiceConnections: [connection] }, poll);
      const policy = world.policy({
        scope: { subscriptions: [world.sub, locked] },
        approval: {
          unmatched: 'leave-pending',
          rules: [
            { name: 'spoke-team', requester: { subscriptionId: world.sub, resourceGroup: RG.pe } },
            { name: 'locked-spoke', requester: { subscriptionId: locked } },
          ],
        },
      });
      const report = await reconcileVault(ctx(policy), vaultId);
      const byPe = new Map((await world.azure().recoveryServices.getVault(vaultId))?.connections.map((c) => [c.privateEndpointId.split('/').pop(), c.status]));
      expect(byPe.get('pe-healthy')).toBe('Approved');
      expect(byPe.get('pe-locked')).toBe('Pending');
      const grant = report.outcomes.find((o) => o.kind === 'grant-role' && o.key.includes('rg-locked-pe') && o.status === 'failed');
      expect(grant).toMatchObject({ status: 'failed', error: { code: 'AuthorizationFailed' } });
      // Only the locked endpoint's chain was skipped, and the failure says so.
      const skippedApprovals = grant?.skippedDependents?.filter((k) => k.startsWith('approve-connection:')) ?? [];
      expect(skippedApprovals).toHaveLength(1);
      expect(skippedApprovals[0]).toContain('/privateEndpointConnections/pe-locked.');
      expect(grant?.skippedDependents?.every((k) => k.startsWith('approve-connection:') || k.startsWith('upsert-record:'))).toBe(true);
      expect(grant?.message).toMatch(/skipped \d+ action\(s\) that need it/);
      const finding = report.plan.findings.find((f) => f.code === 'roles-not-grantable');
      expect(finding?.resourceId).toMatch(/pe-locked$/);
      expect(finding?.message).toMatch(/rg-locked-pe/);
      expect(finding?.message).toMatch(/Microsoft\.Authorization\/roleAssignments\/write/);
      expect(report.converged).toBe(false);
      expect(statusOf(report, 'health')).toBe('failed');
      // Both endpoints sit in one VNet and list the same names. Within that pass either may have held
      // them (both were being approved); the next pass, with the healthy one approved, gives them to it:
      // judged by Azure's answer, every name resolves from the VNet to the healthy endpoint.
      const next = await reconcileVault(ctx(policy), vaultId, { memory: report.plan.memory });
      expect(next.converged).toBe(false);
      const healthy = await world.azure().network.getPrivateEndpoint(`/subscriptions/${world.sub}/resourceGroups/${RG.pe}/providers/Microsoft.Network/privateEndpoints/pe-healthy`);
      const healthyNames = healthy?.customDnsConfigs ?? [];
      expect(healthyNames.length).toBeGreaterThan(0);
      for (const c of healthyNames) {
        const fqdn = c.fqdn;
        const answer = world.emu.provider<PrivateDnsExports>('privatedns').resolve(world.vnetId, fqdn);
        expect([fqdn, answer.answer, [...answer.addresses].sort()]).toEqual([fqdn, 'private', [...c.ipAddresses].sort()]);
      }
      const after = new Map((await world.azure().recoveryServices.getVault(vaultId))?.connections.map((x) => [x.privateEndpointId.split('/').pop(), x.status]));
      expect(after.get('pe-locked')).toBe('Pending');
    });
  });

  describe('an identity turned off and on again', () => {
    it('reports the change as an error, grants the new principal, revokes only what vaultlink granted the old one', async () => {
      const vaultId = await world.createVault('vault-flip');
      await world.createPrivateEndpoint(vaultId, 'pe-flip');
      expect(statusOf(await reconcileVault(ctx(), vaultId), 'roles')).toBe('ok');
      const oldPrincipal = (await world.azure().recoveryServices.getVault(vaultId))?.identity.principalId as string;
      const auth = world.azure().authorization;
      const marked = (await auth.listRoleAssignments(world.rgId(RG.pe), oldPrincipal)).filter((a) => isMarkedFor(a, 'platform', vaultId));
      expect(marked.length).toBeGreaterThan(0);
      // Someone else's grant to the old principal, without vaultlink's marker: never touched.
      world.emu.control.grantRole({ role: 'Reader', principalId: oldPrincipal, scope: world.rgId(RG.pe), principalType: 'ServicePrincipal' });
      await world.vaults().vaults.beginUpdateAndWait(RG.vault, 'vault-flip', { identity: { type: 'None' } }, poll);
      await world.vaults().vaults.beginUpdateAndWait(RG.vault, 'vault-flip', { identity: { type: 'SystemAssigned' } }, poll);
      const newPrincipal = (await world.azure().recoveryServices.getVault(vaultId))?.identity.principalId as string;
      expect(newPrincipal).not.toBe(oldPrincipal);

      const report = await reconcileVault(ctx(), vaultId);
      const change = report.plan.findings.find((f) => f.code === 'identity-changed');
      expect(change?.severity).toBe('error');
      expect(change?.message).toContain(oldPrincipal);
      expect(change?.message).toMatch(/must not be disabled \(even temporarily\)/);
      expect(change?.message).toMatch(/re-register/);
      expect(report.converged).toBe(false);
      // Azure's view: the new principal holds its roles; the old one keeps only what others granted.
      expect((await auth.listRoleAssignments(world.rgId(RG.pe), newPrincipal)).some((a) => isMarkedFor(a, 'platform', vaultId))).toBe(true);
      const oldLeft = await auth.listRoleAssignments(world.rgId(RG.pe), oldPrincipal);
      expect(oldLeft.filter((a) => isMarkedFor(a, 'platform', vaultId))).toEqual([]);
      expect(oldLeft.map((a) => a.roleDefinitionGuid)).toEqual(['acdd72a7-3385-48ef-bd42-f606fba81ae7']);
      expect(report.outcomes.filter((o) => o.kind === 'revoke-role').every((o) => o.status === 'applied')).toBe(true);

      // The finding stays while the memory says so (the orchestration carries it), and goes after the policy's days.
      const memory = report.plan.memory;
      const later = await reconcileVault(ctx(), vaultId, memory === undefined ? {} : { memory });
      expect(later.plan.findings.map((f) => f.code)).toContain('identity-changed');
      const expired = await reconcileVault({ ...ctx(world.policy({ identity: { enableSystemAssigned: true, changeFindingDays: 1 } })), now: () => new Date(Date.now() + 2 * 86_400_000) }, vaultId, memory === undefined ? {} : { memory });
      expect(expired.plan.findings.map((f) => f.code)).not.toContain('identity-changed');
    });
  });

  describe('an identity turned off', () => {
    const off = { identity: { type: 'None' } } as const;
    const identityFindings = (report: { plan: { findings: readonly { code: string; severity: string }[] } }) =>
      report.plan.findings.filter((f) => f.code === 'identity-disabled' || f.code === 'identity-changed').map((f) => [f.code, f.severity]);

    it('is no error on a new vault whose identity was never on: turning it on is a pending step', async () => {
      const vaultId = await world.createVault('vault-never-on');
      await world.createPrivateEndpoint(vaultId, 'pe-never-on');
      const { plan } = await observeAndPlan({ ...ctx(), policy: { ...world.policy(), mode: 'audit' } }, vaultId);
      expect(identityFindings({ plan })).toEqual([]);
      expect(plan.findings.filter((f) => f.severity === 'error')).toEqual([]);
      expect(plan.checklist.find((i) => i.key === 'identity')?.status).toBe('pending');
      expect(plan.checklist.find((i) => i.key === 'health')?.status).toBe('ok');
      expect(plan.actions.map((a) => a.kind)).toContain('enable-identity');
    });

    it('is an identity-disabled error once it was on (Azure shows vaultlink\'s grants to the old principal), and the pass that sees the new principal reports the change', async () => {
      const vaultId = await world.createVault('vault-on-off');
      await world.createPrivateEndpoint(vaultId, 'pe-on-off');
      const first = await reconcileVault(ctx(), vaultId);
      expect(statusOf(first, 'roles')).toBe('ok');
      const oldPrincipal = (await world.azure().recoveryServices.getVault(vaultId))?.identity.principalId as string;
      await world.vaults().vaults.beginUpdateAndWait(RG.vault, 'vault-on-off', off, poll);

      // Without vaultlink's memory (a fresh CLI run): its marked grants to the old principal are the evidence.
      const { plan } = await observeAndPlan(ctx(), vaultId);
      expect(identityFindings({ plan })).toEqual([['identity-disabled', 'error']]);
      expect(plan.findings.find((f) => f.code === 'identity-disabled')?.message).toContain(oldPrincipal);
      expect(plan.checklist.find((i) => i.key === 'health')?.status).toBe('failed');
      // The old grants stay while the identity is off: they are the evidence, and the new principal's pass revokes them.
      expect(plan.actions.filter((a) => a.kind === 'revoke-role')).toEqual([]);

      // With only vaultlink's memory (someone also removed the marked grants): the principal it saw.
      const auth = world.azure().authorization;
      for (const a of (await auth.listRoleAssignments(world.rgId(RG.pe), oldPrincipal)).filter((x) => isMarkedFor(x, 'platform', vaultId))) {
        world.emu.store.delete(a.id);
      }
      const remembered = await observeAndPlan(ctx(), vaultId, first.plan.memory);
      expect(first.plan.memory?.principalsSeen?.map((p) => p.principalId)).toEqual([oldPrincipal.toLowerCase()]);
      expect(identityFindings({ plan: remembered.plan })).toEqual([['identity-disabled', 'error']]);

      // vaultlink turns it on again (enforce): the new principal's pass reports the change instead.
      const again = await reconcileVault(ctx(), vaultId, first.plan.memory === undefined ? {} : { memory: first.plan.memory });
      const newPrincipal = (await world.azure().recoveryServices.getVault(vaultId))?.identity.principalId as string;
      expect(newPrincipal).not.toBe(oldPrincipal);
      expect(identityFindings(again)).toEqual([['identity-changed', 'error']]);
      expect(again.plan.findings.find((f) => f.code === 'identity-changed')?.message).toContain(oldPrincipal.toLowerCase());
      expect(again.converged).toBe(false);
    });
  });

  describe('a vault moved to another tenant', () => {
    it('is an error finding with the seed\'s remediation, and the vault is not converged', async () => {
      const vaultId = await world.createVault('vault-moved');
      await world.createPrivateEndpoint(vaultId, 'pe-moved');
      expect(statusOf(await reconcileVault(ctx(), vaultId), 'health')).toBe('ok');
      const otherTenant = randomUUID();
      world.emu.control.setSubscriptionTenant(world.sub, otherTenant);
      try {
        // vaultlink now runs in the subscription's new tenant; the vault's identity still belongs to the old one.
        const azure = createAzureClients({ cloud: 'AzurePublicCloud', credential: world.emu.credentialFor(world.vaultlink, otherTenant), armEndpoint: world.emu.endpoint, ca: world.emu.ca, pollIntervalMs: 1 });
        const report = await reconcileVault({ ...ctx(), azure }, vaultId);
        const moved = report.plan.findings.find((f) => f.code === 'tenant-moved');
        expect(moved?.severity).toBe('error');
        expect(moved?.message).toMatch(/re-create and reconfigure its managed identity/);
        expect(moved?.message).toMatch(/create new private endpoints/);
        expect(statusOf(report, 'health')).toBe('failed');
        expect(report.converged).toBe(false);
        // A grant to an identity of the old tenant cannot work, and an approval would break Backup: neither is planned.
        expect([statusOf(report, 'identity'), statusOf(report, 'roles')]).toEqual(['failed', 'failed']);
        expect(report.outcomes.filter((o) => o.kind === 'grant-role' || o.kind === 'approve-connection' || o.kind === 'enable-identity')).toEqual([]);
      } finally {
        world.emu.control.setSubscriptionTenant(world.sub, world.emu.tenantId);
      }
    });
  });
});
