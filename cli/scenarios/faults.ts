/**
 * The lifecycle under trouble: ARM throttles (429 with Retry-After) and fails (500) some of
 * vaultlink's writes, and Event Grid duplicates, reorders and drops events. Retries absorb
 * the faults; the sweep (run after every step, as its timer would) finds what dropped events hid.
 * `--seed N` makes the chaos reproducible.
 */
import { playClassicLifecycle } from './lifecycle';
import { SIMULATION_IDS } from '../simulation/landing-zone';
import type { Scenario } from './types';

export const faults: Scenario = {
  name: 'faults',
  summary: 'the lifecycle with 429/500 from ARM and duplicated, reordered and dropped events; the sweep recovers',
  landingZone: { separateHubSubscription: false },
  // Batches are cut by size and when the simulation drains Event Grid between steps, never by a
  // timer, and there are no random delays: otherwise timing would decide how events fall into
  // batches, and with it the draws of the seeded PRNG. So the seed alone decides how many events are
  // duplicated, reordered and dropped (which ones can still vary with the order of concurrent writes).
  delivery: (seed) => ({ seed, duplicateProbability: 0.3, dropProbability: 0.25, reorder: true, maxEventsPerBatch: 10, batchWindowMs: 60_000 }),
  faults(emulator) {
    const principalId = SIMULATION_IDS.vaultlinkPrincipalId;
    emulator.faults.add({ match: { principalId, operation: 'Microsoft.Network/privateDnsZones/*' }, fault: { kind: 'throttle', retryAfterMs: 20 }, probability: 0.3, times: 6 });
    emulator.faults.add({ match: { principalId, operation: 'Microsoft.Authorization/roleAssignments/*' }, fault: { kind: 'error', status: 500, code: 'InternalServerError' }, probability: 0.5, times: 2 });
    emulator.faults.add({ match: { principalId, method: 'PUT', operation: 'Microsoft.RecoveryServices/*' }, fault: { kind: 'throttle', retryAfterMs: 20 }, times: 1 });
  },
  play: (sim) => playClassicLifecycle(sim, { sweepAfterEachStep: true }),
  expected: { exitCode: 0, converged: true, because: 'retries absorb throttling and server errors, and the sweep finds the vaults whose events were dropped' },
  check(sim) {
    const problems: string[] = [];
    const me = sim.runtime.principalId.toLowerCase();
    // The RecoveryServices throttle fires on the first matching write whatever the seed.
    const faulted = sim.emulator.writes.log().filter((w) => w.faulted && w.principalId.toLowerCase() === me);
    if (faulted.length === 0) problems.push('no write of vaultlink met an injected fault: the scenario tested nothing');
    return problems;
  },
};

