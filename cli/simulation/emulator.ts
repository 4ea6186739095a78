/** Starts the emulator the simulation (and `--emulator`) runs on, with the simulation's fixed ids. */
import { DEFAULT_PROVIDERS, startEmulator, type Emulator, type EmulatorProvider, type StartEmulatorOptions } from '../../emulator';
import { networkProvider } from '../../emulator/providers/network';
import { privateDnsProvider } from '../../emulator/providers/privatedns';
import { SIMULATION_IDS } from './landing-zone';

/** Providers the simulation needs besides the emulator's defaults (only those not registered by default yet). */
function extraProviders(): EmulatorProvider[] {
  const registered = new Set(DEFAULT_PROVIDERS.map((p) => p.name));
  return [networkProvider as EmulatorProvider, privateDnsProvider as EmulatorProvider].filter((p) => !registered.has(p.name));
}

/** `extra`: options on top of the simulation's (bench/converge.ts turns on the Azure latency profile). */
export function startSimulationEmulator(seed: number, extra: Omit<StartEmulatorOptions, 'seed' | 'tenantId' | 'subscriptionId' | 'ownerPrincipalId' | 'providers'> = {}): Promise<Emulator> {
  return startEmulator({
    seed,
    tenantId: SIMULATION_IDS.tenantId,
    subscriptionId: SIMULATION_IDS.spokeSubscriptionId,
    ownerPrincipalId: SIMULATION_IDS.platformPrincipalId,
    // One InProgress poll per long-running operation, as the emulator's default, with 5 ms polling.
    lroPollsBeforeDone: 1,
    providers: extraProviders(),
    ...extra,
  });
}
