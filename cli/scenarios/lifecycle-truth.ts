/**
 * The day-2 scenarios of "lifecycle truth": eligibility with memory, a resource group vaultlink
 * may not grant on, an identity turned off and on, drift repaired within seconds. Each declares its
 * outcome; the checks read Azure's state from the emulator, never vaultlink's word.
 */
import { parseResourceId, resourceGroupResourceId } from '../../shared/domain/ids';
import { SIMULATION_IDS } from '../simulation/landing-zone';
import { ENDPOINT_NAME, playClassicLifecycle, VAULT_NAME } from './lifecycle';
import { assignmentsOf, deletePrivateEndpoint, deleteRecord, deleteRoleAssignment, setVaultIdentity, vaultPrincipalOf } from './day2';
import type { Scenario } from './types';

const MARKER = 'managed by vaultlink (owner alz-platform)';

export const peRemovedAndReAdded: Scenario = {
  name: 'pe-removed-and-re-added',
  summary: 'the lifecycle, then the team removes the vault\'s only private endpoint and later adds a new one: the vault stays eligible and converges again',
  landingZone: { separateHubSubscription: false },
  async play(sim) {
    await playClassicLifecycle(sim);
    const vaultId = sim.vaultId(VAULT_NAME);
    await deletePrivateEndpoint(sim, ENDPOINT_NAME);
    sim.note('vaultlink', 'the vault had a private endpoint before its items: it stays eligible (the seed\'s FAQ: endpoints can be added or removed later)');
    await sim.createPrivateEndpoint('pe-backup-app01-v2', vaultId);
    await sim.registerContainer(vaultId);
    await sim.runBackup(vaultId, { fromVnet: false, label: 'starts a backup job of db01 (Backup re-creates its _prot endpoint for the new private endpoint)' });
    await sim.runBackup(vaultId, { label: 'backs up db01 from vm-app01 over the new private endpoint' });
    sim.checkNameResolution(vaultId);
  },
  expected: { exitCode: 0, converged: true, because: 'a vault that had a private endpoint before any item stays eligible forever; the new endpoint is approved and its names resolve' },
  check(sim, outcome) {
    const problems: string[] = [];
    const checklist = outcome.checklists.get(sim.vaultId(VAULT_NAME).toLowerCase()) ?? [...outcome.checklists.values()][0];
    if (checklist?.['eligible'] !== 'ok') problems.push(`eligible is ${checklist?.['eligible']}, not ok`);
    const connections = sim.emulator.store.children(sim.vaultId(VAULT_NAME), 'Microsoft.RecoveryServices/vaults/privateEndpointConnections');
    const approved = connections.filter((c) => JSON.stringify(c.resource['properties']).includes('"status":"Approved"'));
    if (approved.length !== 1) problems.push(`${approved.length} approved connection(s), expected the new one`);
    return problems;
  },
};

const ATTEMPTED = 'rsv-attempted';

export const failedProtectionAttempt: Scenario = {
  name: 'failed-protection-attempt',
  summary: 'a vault with one failed attempt to configure backup and no item: Azure refuses its private endpoint, vaultlink reports it ineligible from Backup\'s jobs',
  landingZone: { separateHubSubscription: false },
  async before(sim) {
    const vaultId = await sim.createVault(ATTEMPTED);
    await sim.runBackup(vaultId, { mustSucceed: false, fromVnet: false, label: 'tries to configure backup of db01 before any VM is registered (fails; no item is protected)' });
  },
  async play(sim) {
    sim.note('platform', 'deploys vaultlink');
    await sim.sweep();
    await sim.createPrivateEndpoint('pe-backup-attempted', sim.vaultId(ATTEMPTED), { expectRefusal: true });
  },
  expected: { exitCode: 1, converged: false, because: 'the seed\'s FAQ: a vault must not have had any attempt to protect an item; Backup\'s jobs show one, so vaultlink reports it ineligible and writes nothing' },
  check(sim, outcome) {
    const problems: string[] = [];
    const codes = [...outcome.findingCodes.values()].flat();
    if (!codes.includes('vault-not-eligible')) problems.push('no vault-not-eligible finding');
    const touched = sim.emulator.writes.log().filter((w) => w.principalId === sim.runtime.principalId && !w.faulted && w.path.toLowerCase().includes(`/vaults/${ATTEMPTED}`));
    if (touched.length > 0) problems.push(`vaultlink wrote to the ineligible vault ${touched.length} time(s)`);
    return problems;
  },
};

const SANDBOX_RG = 'rg-sandbox-endpoints';

export const ungrantableResourceGroup: Scenario = {
  name: 'ungrantable-resource-group',
  summary: 'two allowlisted endpoints, one in a subscription where vaultlink may not grant the vault identity its roles: that one stays pending with a finding, the other converges',
  landingZone: {
    separateHubSubscription: false,
    // The allowlist also names the sandbox subscription, which is outside scope.subscriptions: vaultlink may read there, not grant.
    adjustPolicy: (file) => ({
      ...file,
      approval: { unmatched: 'leave-pending', rules: [...(file.approval?.rules ?? []), { name: 'sandbox-team', requester: { subscriptionId: SIMULATION_IDS.sandboxSubscriptionId } }] },
    }),
  },
  async before(sim) {
    const { control } = sim.emulator;
    const sandbox = control.createSubscription({ subscriptionId: SIMULATION_IDS.sandboxSubscriptionId, displayName: 'sandbox' });
    control.createResourceGroup(sandbox, SANDBOX_RG, 'uksouth');
    control.grantRole({ role: 'Contributor', principalId: SIMULATION_IDS.spokeTeamPrincipalId, scope: resourceGroupResourceId(sandbox, SANDBOX_RG), principalType: 'Group' });
    control.grantRole({ role: 'Reader', principalId: SIMULATION_IDS.vaultlinkPrincipalId, scope: `/subscriptions/${sandbox}`, principalType: 'ServicePrincipal' });
  },
  async play(sim) {
    await playClassicLifecycle(sim);
    await sim.createPrivateEndpoint('pe-sandbox', sim.vaultId(VAULT_NAME), { subscriptionId: SIMULATION_IDS.sandboxSubscriptionId, resourceGroup: SANDBOX_RG });
    await sim.sweep();
    await sim.runBackup(sim.vaultId(VAULT_NAME), { label: 'backs up db01 again over the healthy private endpoint' });
  },
  expected: {
    exitCode: 1,
    converged: false,
    because: 'approving an endpoint whose resource group the vault identity cannot reach would break Backup for the whole vault: it stays pending with an error finding, and the healthy endpoint keeps working',
  },
  check(sim, outcome) {
    const problems: string[] = [];
    const connections = sim.emulator.store.children(sim.vaultId(VAULT_NAME), 'Microsoft.RecoveryServices/vaults/privateEndpointConnections');
    const statusOf = (pe: string) => {
      const c = connections.find((x) => JSON.stringify(x.resource['properties']).toLowerCase().includes(`/privateendpoints/${pe}"`));
      return (c?.resource['properties'] as { privateLinkServiceConnectionState?: { status?: string } } | undefined)?.privateLinkServiceConnectionState?.status;
    };
    if (statusOf('pe-sandbox') !== 'Pending') problems.push(`pe-sandbox is ${statusOf('pe-sandbox')}, expected Pending`);
    if (statusOf(ENDPOINT_NAME) !== 'Approved') problems.push(`${ENDPOINT_NAME} is ${statusOf(ENDPOINT_NAME)}, expected Approved`);
    if (![...outcome.findingCodes.values()].flat().includes('roles-not-grantable')) problems.push('no roles-not-grantable finding');
    const failedBackups = sim.backups.filter((b) => b.mustSucceed && b.status !== 'Completed');
    if (failedBackups.length > 0) problems.push(`${failedBackups.length} backup job(s) failed`);
    return problems;
  },
};

export const identityFlip: Scenario = {
  name: 'identity-flip',
  summary: 'the lifecycle, then a person turns the vault identity off: vaultlink turns it on, grants the new principal, revokes its own grants to the old one and reports the change',
  landingZone: { separateHubSubscription: false },
  async play(sim) {
    await playClassicLifecycle(sim);
    const vaultId = sim.vaultId(VAULT_NAME);
    const before = vaultPrincipalOf(sim, vaultId);
    sim.note('platform', `the vault identity is principal ${before}`);
    await setVaultIdentity(sim, vaultId, 'None');
    sim.note('platform', `the vault identity is now principal ${vaultPrincipalOf(sim, vaultId) ?? '(none)'}`);
  },
  expected: { exitCode: 1, converged: false, because: 'the seed: the identity must never be disabled; the change stays an error finding for identity.changeFindingDays (30 by default)' },
  check(sim, outcome) {
    const problems: string[] = [];
    const vaultId = sim.vaultId(VAULT_NAME);
    const now = vaultPrincipalOf(sim, vaultId);
    if (now === undefined) return ['the vault has no identity at the end'];
    if (![...outcome.findingCodes.values()].flat().includes('identity-changed')) problems.push('no identity-changed finding');
    if (!assignmentsOf(sim, now).some((a) => a.description?.startsWith(MARKER))) problems.push(`the new principal ${now} holds no role vaultlink granted`);
    const left = sim.emulator.store
      .list({ type: 'Microsoft.Authorization/roleAssignments' })
      .map((r) => r.resource['properties'] as { principalId: string; description?: string | null })
      .filter((p) => p.description?.startsWith(MARKER) && p.description.includes(parseResourceId(vaultId).id) && p.principalId.toLowerCase() !== now.toLowerCase());
    if (left.length > 0) problems.push(`${left.length} grant(s) vaultlink made for the old principal remain`);
    return problems;
  },
};

export const drift: Scenario = {
  name: 'drift',
  summary: 'the lifecycle, then a person deletes an A record and one of the vault identity\'s roles: vaultlink repairs both from their events, before any sweep',
  landingZone: { separateHubSubscription: false },
  async play(sim) {
    await playClassicLifecycle(sim);
    const vaultId = sim.vaultId(VAULT_NAME);
    const principal = vaultPrincipalOf(sim, vaultId) as string;
    const zones = sim.zone.zoneIds.map((id) => parseResourceId(id).name);
    const backupZone = zones.find((z) => z.includes('.backup.')) as string;
    const record = sim.emulator.store.list({ type: 'Microsoft.Network/privateDnsZones/A' }).find((r) => r.id.toLowerCase().includes(`/privatednszones/${backupZone}/a/`) && r.parsed.name.endsWith('-fab1'));
    if (record === undefined) throw new Error('no fab1 record to delete');
    await deleteRecord(sim, backupZone, record.parsed.name);
    await deleteRoleAssignment(sim, resourceGroupResourceId(sim.zone.spokeSubscriptionId, sim.zone.networkResourceGroup), principal, `the vault identity's Contributor on ${sim.zone.networkResourceGroup}`);
    sim.checkNameResolution(vaultId);
  },
  expected: { exitCode: 0, converged: true, because: 'record and role deletes in the watched scopes are routed to the vault by their events and repaired within seconds, with no sweep' },
  check(sim) {
    const problems: string[] = [];
    const vaultId = sim.vaultId(VAULT_NAME);
    const principal = vaultPrincipalOf(sim, vaultId) as string;
    const rg = resourceGroupResourceId(sim.zone.spokeSubscriptionId, sim.zone.networkResourceGroup).toLowerCase();
    if (!assignmentsOf(sim, principal).some((a) => a.scope.toLowerCase() === rg)) problems.push(`the vault identity has no role on ${sim.zone.networkResourceGroup} again`);
    const fab1 = sim.emulator.store.list({ type: 'Microsoft.Network/privateDnsZones/A' }).filter((r) => r.parsed.name.endsWith('-fab1'));
    if (fab1.length === 0) problems.push('the fab1 record was not written again');
    // The repair comes from the events: both writes are on the timeline before the runner's final sweep.
    const entries = sim.timeline.entries();
    const firstSweep = entries.findIndex((e) => e.actor === 'vaultlink' && e.text.startsWith('sweep'));
    const before = firstSweep < 0 ? entries : entries.slice(0, firstSweep);
    if (!before.some((e) => e.actor === 'vaultlink' && /grants Contributor on rg-spoke-network/.test(e.text))) problems.push('the role was not granted again before a sweep');
    if (!before.some((e) => e.actor === 'vaultlink' && /writes A record \S+-fab1 /.test(e.text))) problems.push('the fab1 record was not written again before a sweep');
    return problems;
  },
};
