/**
 * What a scenario of `vaultlink simulate` is: a landing zone, optional chaos, the steps people and
 * Azure take, and the outcome it must have. The test suite runs every scenario and holds it to
 * its `expected` (test/cli/scenarios.test.ts), so a scenario is also a specification.
 */
import type { DeliveryOptions, Emulator } from '../../emulator';
import type { LandingZoneOptions } from '../simulation/landing-zone';
import type { Simulation } from '../simulation/world';

export interface ScenarioOutcome {
  readonly converged: boolean;
  readonly exitCode: number;
  /** Vault id → checklist item → status. */
  readonly checklists: ReadonlyMap<string, Readonly<Record<string, string>>>;
  readonly findingCodes: ReadonlyMap<string, readonly string[]>;
  readonly vaultlinkWrites: number;
}

export interface ScenarioExpectation {
  /** Exit code `simulate --scenario NAME` must end with. */
  readonly exitCode: 0 | 1;
  readonly converged: boolean;
  /** Why this outcome is the right one, for `--list-scenarios` and the test's name. */
  readonly because: string;
}

export interface Scenario {
  readonly name: string;
  readonly summary: string;
  readonly landingZone: LandingZoneOptions;
  /** Event Grid delivery to vaultlink (chaos of the faults scenario); default: in order, once. */
  delivery?(seed: number): DeliveryOptions;
  /** ARM faults set before vaultlink starts (the faults scenario). */
  faults?(emulator: Emulator, seed: number): void;
  /** Steps played BEFORE vaultlink is deployed (nothing reacts to them). */
  before?(sim: Simulation): Promise<void>;
  play(sim: Simulation): Promise<void>;
  readonly expected: ScenarioExpectation;
  /**
   * Scenario-specific checks on the final state (beyond exit code and convergence): problems as
   * sentences, empty when all hold. Read Azure's state from the emulator, never vaultlink's word.
   */
  check?(sim: Simulation, outcome: ScenarioOutcome): string[] | Promise<string[]>;
}
