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
import { linkedZoneAdopt, linkedZoneConflict, linkedZoneUnseen } from './linked-zone-conflict';
import { partitionedStorage } from './partitioned-storage';
import { rejectedEndpoint } from './rejected-endpoint';
import { sharedZonesTwoVaults } from './shared-zones-two-vaults';
import { tenantMoved } from './tenant-moved';
import { twoVnets } from './two-vnets';
import { wrongGeoOverride } from './wrong-geo-override';

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
  tenantMoved,
  drift,
  // DNS on day 2 (issue 10)
  twoVnets,
  sharedZonesTwoVaults,
  rejectedEndpoint,
  linkedZoneConflict,
  linkedZoneAdopt,
  linkedZoneUnseen,
  wrongGeoOverride,
  partitionedStorage,
];

export const DEFAULT_SCENARIO = 'lifecycle';

export function findScenario(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}
