/**
 * Azure-like latency for the operations on vaultlink's critical path, scaled by a factor so that
 * tests and simulations can run the same timeline in milliseconds. `startEmulator({ latency:
 * 'azure', latencyScale })` turns it on; the table is exported so that a benchmark computes the
 * critical path from the same figures the emulator applies.
 *
 * How a figure is applied: a write matching a step's operation takes a duration drawn (seeded)
 * from [minSeconds, maxSeconds] × scale. When the provider answers with a long-running operation,
 * the operation stays `InProgress` until that much time has passed (and its polls are used up);
 * otherwise the answer itself is delayed by it. `propagation` steps are not request latencies:
 * they are the delay before a write takes effect, read by whoever models that effect.
 *
 * Sources of the figures: emulator/README.md ("Latency profile").
 */
import { actionMatches } from './auth';
import { seededRandom } from './faults';

export type LatencyStepName = 'identity' | 'roleAssignment' | 'roleAssignmentPropagation' | 'approval' | 'privateEndpoint' | 'privateEndpointDelete' | 'dnsWrite';

export interface LatencyStep {
  readonly step: LatencyStepName;
  /** RBAC-style operation patterns the step covers (`*` matches anything). */
  readonly operations: readonly string[];
  /** HTTP methods the step covers. */
  readonly methods: readonly string[];
  /** `request`: the write's own time; `propagation`: the delay before it takes effect. */
  readonly kind: 'request' | 'propagation';
  readonly minSeconds: number;
  readonly maxSeconds: number;
  /** Where the figure comes from (a doc page, an issue thread, or issue 12's own estimate). */
  readonly source: string;
}

/** The Azure latency profile (issue 12, "A latency profile"). */
export const AZURE_LATENCY_PROFILE: readonly LatencyStep[] = [
  {
    step: 'identity',
    operations: ['Microsoft.RecoveryServices/vaults/write'],
    methods: ['PUT', 'PATCH'],
    kind: 'request',
    minSeconds: 5,
    maxSeconds: 30,
    source: 'Azure/azure-cli#8530 (a new identity needs ~10 s before it can be used); Azure/avdaccelerator#99 (replication delay)',
  },
  {
    step: 'roleAssignment',
    operations: ['Microsoft.Authorization/roleAssignments/write', 'Microsoft.Authorization/roleAssignments/delete'],
    methods: ['PUT', 'DELETE'],
    kind: 'request',
    minSeconds: 1,
    maxSeconds: 3,
    source: 'issue 12 estimate (a synchronous ARM write; no published figure)',
  },
  {
    step: 'roleAssignmentPropagation',
    operations: ['Microsoft.Authorization/roleAssignments/write'],
    methods: ['PUT'],
    kind: 'propagation',
    minSeconds: 0,
    maxSeconds: 600,
    source: 'learn.microsoft.com/azure/role-based-access-control/troubleshooting ("up to 10 minutes" for role assignment changes to be detected)',
  },
  {
    step: 'approval',
    operations: ['Microsoft.RecoveryServices/vaults/privateEndpointConnections/write', 'Microsoft.RecoveryServices/vaults/privateEndpointConnections/delete'],
    methods: ['PUT', 'DELETE'],
    kind: 'request',
    minSeconds: 10,
    maxSeconds: 60,
    source: 'Backup RP operations answer Retry-After: 60 (issue 12); the seed: approval "can take a few minutes"',
  },
  {
    step: 'privateEndpoint',
    operations: ['Microsoft.Network/privateEndpoints/write'],
    methods: ['PUT'],
    kind: 'request',
    minSeconds: 30,
    maxSeconds: 90,
    source: 'hashicorp/terraform-provider-azurerm#28112 (private endpoints "Creation complete after 1m8s … 1m38s")',
  },
  {
    step: 'privateEndpointDelete',
    operations: ['Microsoft.Network/privateEndpoints/delete'],
    methods: ['DELETE'],
    kind: 'request',
    minSeconds: 10,
    maxSeconds: 60,
    source: 'issue 12 estimate (deletion releases the NIC; same order as creation)',
  },
  {
    step: 'dnsWrite',
    operations: ['Microsoft.Network/privateDnsZones/*'],
    methods: ['PUT', 'PATCH', 'DELETE'],
    kind: 'request',
    minSeconds: 1,
    maxSeconds: 2,
    source: 'issue 12 estimate (record sets answer synchronously; zones and links are long-running with Retry-After: 60)',
  },
];

export type LatencyProfileName = 'none' | 'azure';

/** Draws the durations of a latency profile, seeded, scaled. */
export class LatencyModel {
  private readonly random: () => number;

  constructor(
    readonly profile: readonly LatencyStep[],
    /** Emulated seconds → real milliseconds: `1` is Azure's pace, `0.001` turns a minute into 60 ms. */
    readonly scale: number,
    seed: number,
  ) {
    if (!(scale >= 0)) throw new RangeError(`latencyScale must be ≥ 0, got ${scale}`);
    this.random = seededRandom(seed ^ 0x5eed1a7);
  }

  static of(name: LatencyProfileName, scale: number, seed: number): LatencyModel {
    return new LatencyModel(name === 'azure' ? AZURE_LATENCY_PROFILE : [], scale, seed);
  }

  /** The step a request belongs to (first match), if any. */
  stepFor(method: string, operation: string, kind: LatencyStep['kind'] = 'request'): LatencyStep | undefined {
    const m = method.toUpperCase();
    return this.profile.find((s) => s.kind === kind && s.methods.includes(m) && s.operations.some((p) => actionMatches(p, operation)));
  }

  /** A drawn duration in real milliseconds for the request, 0 when no step covers it. */
  requestMs(method: string, operation: string): number {
    const step = this.stepFor(method, operation);
    return step ? this.draw(step) : 0;
  }

  /** A drawn propagation delay in real milliseconds (role assignments), 0 when the profile has none. */
  propagationMs(operation = 'Microsoft.Authorization/roleAssignments/write'): number {
    const step = this.stepFor('PUT', operation, 'propagation');
    return step ? this.draw(step) : 0;
  }

  private draw(step: LatencyStep): number {
    const seconds = step.minSeconds + this.random() * (step.maxSeconds - step.minSeconds);
    return Math.round(seconds * this.scale * 1000);
  }
}
