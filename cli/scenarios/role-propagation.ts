/**
 * The race between vaultlink's approval and a team registering its VM at once, with Azure's
 * role propagation switched on: Azure applies a new role assignment only after a delay (up to
 * 10 minutes, "Troubleshoot Azure RBAC"), and Azure Backup creates its `_ecs` endpoints AS the
 * vault identity. vaultlink grants the identity its roles and approves the endpoint in one pass;
 * a registration right then fails with AuthorizationFailed.
 *
 * What vaultlink does about it (the decision): it does NOT hold the approval back — approval is
 * on the critical path of every team, and a held approval fails the same early registration
 * anyway (the vault accepts only its private endpoints, none approved). Instead it reports, in
 * the vault's status, the `role-propagation` notice saying until when Azure Backup may fail as the
 * vault identity and that a failed registration is to be retried after it. A failed registration
 * attempt costs nothing durable here: the vault had its private endpoint first, so it stays
 * eligible (the seed's FAQ). The retry after the delay completes, Backup creates its endpoints,
 * and vaultlink writes their records.
 */
import { REALISTIC_IDENTITY_TIMING } from '../../emulator';
import { ENDPOINT_NAME, VAULT_NAME } from './lifecycle';
import type { Scenario } from './types';

const PROPAGATION_DELAY_MS = REALISTIC_IDENTITY_TIMING.propagationDelayMs;

export const rolePropagation: Scenario = {
  name: 'role-propagation',
  summary: 'Azure applies the vault identity\'s new roles minutes later: a VM registered right after approval fails, vaultlink says until when, the retry completes',
  landingZone: { separateHubSubscription: false },
  async play(sim) {
    sim.emulator.authorization.configureIdentity({ propagationDelayMs: PROPAGATION_DELAY_MS });
    sim.note('platform', `notes that Azure applies new role assignments after ${PROPAGATION_DELAY_MS / 60_000} minutes here (Azure: up to 10)`);
    const vaultId = await sim.createVault(VAULT_NAME);
    await sim.createPrivateEndpoint(ENDPOINT_NAME, vaultId);
    sim.checkNameResolution(vaultId);
    // The team registers its VM as soon as the endpoint is approved: the roles have not propagated.
    await sim.registerContainer(vaultId, { mustSucceed: false });
    sim.emulator.authorization.advanceIdentityClock(PROPAGATION_DELAY_MS);
    sim.note('platform', `${PROPAGATION_DELAY_MS / 60_000} minutes later (the emulator's identity clock moves on): the vault identity's roles are in effect`);
    await sim.registerContainer(vaultId);
    await sim.runBackup(vaultId, { fromVnet: false, label: 'starts the first backup job of db01' });
    await sim.runBackup(vaultId, { label: 'backs up db01 from vm-app01 over the private endpoints' });
    sim.checkNameResolution(vaultId);
  },
  expected: {
    exitCode: 0,
    converged: true,
    because: 'the early registration fails as in Azure, vaultlink reports until when the roles propagate, and the retry after that completes',
  },
  check(sim, outcome) {
    const problems: string[] = [];
    const registrations = sim.backups.filter((b) => b.kind === 'register-container');
    const [early, retry] = registrations;
    if (early?.status !== 'Failed' || early.error?.code !== 'AuthorizationFailed') {
      problems.push(`the registration right after approval should fail with AuthorizationFailed (roles not propagated), got ${early?.status ?? 'none'} ${early?.error?.code ?? ''}`.trim());
    }
    if (retry?.status !== 'Completed') problems.push(`the registration after the propagation delay should complete, got ${retry?.status ?? 'none'} ${retry?.error?.code ?? ''}`.trim());
    const vaultKey = sim.vaultId(VAULT_NAME).toLowerCase();
    const codes = [...outcome.findingCodes].find(([id]) => id.toLowerCase() === vaultKey)?.[1] ?? [];
    if (!codes.includes('role-propagation')) problems.push(`vaultlink did not report role-propagation for the vault (findings: ${codes.join(', ') || 'none'})`);
    const secondaries = sim.emulator.store.list({ type: 'Microsoft.Network/privateEndpoints' }).filter((pe) => /_(ecs|prot)[0-9a-f]+_(blob|queue)$/i.test(pe.parsed.name));
    if (secondaries.length !== 3) problems.push(`Azure Backup created ${secondaries.length} _ecs/_prot endpoints, expected 3`);
    return problems;
  },
};
