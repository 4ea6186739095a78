/**
 * The lifecycle with the central private DNS zones in a hub subscription of their own: the case
 * where Backup's own DNS integration fails (the vault identity only has rights on the endpoint's
 * resource group), and where vaultlink writes the records across subscriptions.
 */
import { playClassicLifecycle, VAULT_NAME } from './lifecycle';
import type { Scenario } from './types';

export const crossSubscriptionHub: Scenario = {
  name: 'cross-subscription-hub',
  summary: 'the lifecycle with the private DNS zones in a separate hub subscription',
  landingZone: { separateHubSubscription: true },
  play: (sim) => playClassicLifecycle(sim),
  expected: { exitCode: 0, converged: true, because: 'vaultlink writes records and links across subscriptions, where Backup\'s own integration cannot' },
  check: (sim) => {
    const problems: string[] = [];
    if (sim.zone.hubSubscriptionId === sim.zone.spokeSubscriptionId) problems.push('the hub is not a separate subscription');
    const records = sim.emulator.store.list({ type: 'Microsoft.Network/privateDnsZones/A', scope: `/subscriptions/${sim.zone.hubSubscriptionId}` });
    if (records.length === 0) problems.push(`no A record in the hub subscription for ${VAULT_NAME}`);
    return problems;
  },
};
