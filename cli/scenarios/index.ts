/** Every scenario of `vaultlink simulate`, in the order `--list-scenarios` shows them. */
import { crossSubscriptionHub } from './cross-subscription-hub';
import { faults } from './faults';
import { ineligibleVault } from './ineligible-vault';
import { lifecycle } from './lifecycle';
import { drift, failedProtectionAttempt, identityFlip, peRemovedAndReAdded, ungrantableResourceGroup } from './lifecycle-truth';
import { rolePropagation } from './role-propagation';
import type { Scenario } from './types';
import { unmatchedRequester } from './unmatched-requester';
import { v2Vault } from './v2-vault';

export type { Scenario, ScenarioExpectation, ScenarioOutcome } from './types';

export const SCENARIOS: readonly Scenario[] = [
  lifecycle,
  unmatchedRequester,
  ineligibleVault,
  v2Vault,
  crossSubscriptionHub,
  faults,
  rolePropagation,
  peRemovedAndReAdded,
  failedProtectionAttempt,
  ungrantableResourceGroup,
  identityFlip,
  drift,
];

export const DEFAULT_SCENARIO = 'lifecycle';

export function findScenario(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}
