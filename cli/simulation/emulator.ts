/** Starts the emulator the simulation (and `--emulator`) runs on, with the simulation's fixed ids. */
import { DEFAULT_PROVIDERS, startEmulator, type Emulator, type EmulatorProvider } from '../../emulator';
import { networkProvider } from '../../emulator/providers/network';
import { privateDnsProvider } from '../../emulator/providers/privatedns';
import { SIMULATION_IDS } from './landing-zone';

/** Providers the simulation needs besides the emulator's defaults (only those not registered by default yet). */
function extraProviders(): EmulatorProvider[] {
  const registered = new Set(DEFAULT_PROVIDERS.map((p) => p.name));
  return [networkProvider as EmulatorProvider, privateDnsProvider as EmulatorProvider].filter((p) => !registered.has(p.name));
}

export function startSimulationEmulator(seed: number): Promise<Emulator> {
  return startEmulator({
    seed,
    tenantId: SIMULATION_IDS.tenantId,
    subscriptionId: SIMULATION_IDS.spokeSubscriptionId,
    ownerPrincipalId: SIMULATION_IDS.platformPrincipalId,
    // One InProgress poll per long-running operation, as the emulator's default, with 5 ms polling.
    lroPollsBeforeDone: 1,
    providers: extraProviders(),
  });
}
