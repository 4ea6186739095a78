/**
 * Every scenario of `vaultlink simulate --list-scenarios`, played in-process on the emulator with
 * the real Functions app, reconciler and SDK clients, held to the outcome it declares.
 */
import { runCli } from '../../cli/program';
import { captureIO } from '../../cli/io';
import { SCENARIOS, findScenario } from '../../cli/scenarios';
import { runSimulation, type SimulationResult } from '../../cli/simulation/run';

describe('simulate scenarios', () => {
  describe('#list-scenarios', () => {
    it('lists exactly the scenarios the tests play, each with its expected exit code', async () => {
      const io = captureIO();
      expect(await runCli(['simulate', '--list-scenarios', '--output', 'json'], io)).toBe(0);
      const listed = JSON.parse(io.out()) as { name: string; expected: { exitCode: number } }[];
      expect(listed.map((s) => s.name)).toEqual(SCENARIOS.map((s) => s.name));
      expect(listed.map((s) => s.name)).toEqual(expect.arrayContaining(['lifecycle', 'unmatched-requester', 'ineligible-vault', 'v2-vault', 'cross-subscription-hub', 'faults']));
    });
  });

  describe.each(SCENARIOS.map((s) => [s.name, s] as const))('%s', (_name, scenario) => {
    let result: SimulationResult;
    beforeAll(async () => {
      result = await runSimulation(scenario, { seed: 1 });
    });

    it(`ends with exit ${scenario.expected.exitCode} because ${scenario.expected.because}`, () => {
      expect({ exitCode: result.exitCode, converged: result.converged }).toEqual({ exitCode: scenario.expected.exitCode, converged: scenario.expected.converged });
    });

    it('passes its own checks on the final state', () => {
      expect(result.problems).toEqual([]);
    });

    it('costs no write in a final sweep once everything settled', () => {
      expect(result.writesInFinalSweep).toBe(0);
    });

    it('shows every vault in scope with the full checklist', () => {
      expect(result.vaults.length).toBeGreaterThan(0);
      for (const v of result.vaults) expect(v.checklist.map((i) => i.key)).toEqual(['eligible', 'identity', 'roles', 'approval', 'dns-zones', 'dns-links', 'dns-records', 'secondary-records', 'health']);
    });
  });

  describe('lifecycle', () => {
    it('reacts to each step in order: identity after the vault, approval and records after the endpoint, secondary records after Backup\'s own endpoints', async () => {
      const result = await runSimulation(findScenario('lifecycle')!, { seed: 3 });
      const texts = result.timeline.map((e) => `${e.actor}: ${e.text}`);
      const index = (pattern: RegExp): number => texts.findIndex((t) => pattern.test(t));
      const order = [
        /^platform: creates Recovery Services vault rsv-app01/,
        /^vaultlink: turns on the system-assigned identity of vault rsv-app01/,
        /^spoke-team: creates private endpoint pe-backup-app01/,
        /^vaultlink: approves the connection of pe-backup-app01/,
        /^vaultlink: writes A record \d{19}-ab-pod01-fc1 in privatelink\.uks\.backup\.windowsazure\.com/,
        /^vm: nslookup from vnet-spoke-app: 8\/8 names/,
        /^azure-backup: registers VM vm-app01 with vault rsv-app01: Completed/,
        /^vaultlink: writes A record \w+ecs\w+ in privatelink\.queue\.core\.windows\.net/,
        /^azure-backup: starts the first backup job of db01 .*Completed; Backup created pe-backup-app01_prot/,
        /^vaultlink: writes A record \w+prot\w+ in privatelink\.blob\.core\.windows\.net/,
        /^azure-backup: backs up db01 from vm-app01 over the private endpoints .*: Completed/,
        /^vm: nslookup from vnet-spoke-app: 11\/11 names/,
      ].map(index);
      expect(order.every((i) => i >= 0)).toBe(true);
      expect([...order].sort((a, b) => a - b)).toEqual(order);
      // vaultlink's entries say how long after the step they came
      expect(result.timeline.filter((e) => e.actor === 'vaultlink' && e.afterStepMs !== undefined).every((e) => (e.afterStepMs ?? -1) >= 0)).toBe(true);
      expect(result.backups.every((b) => b.status === 'Completed')).toBe(true);
    });
  });

  describe('faults', () => {
    it('drops, duplicates and faults for real at seed 1, and still converges', async () => {
      const result = await runSimulation(findScenario('faults')!, { seed: 1 });
      const chaos = result.timeline.find((e) => e.actor === 'chaos')?.text ?? '';
      const [, duplicates, dropped] = /(\d+) duplicate\(s\), (\d+) dropped/.exec(chaos) ?? [];
      expect(Number(duplicates)).toBeGreaterThan(0);
      expect(Number(dropped)).toBeGreaterThan(0);
      expect(result.timeline.some((e) => e.actor === 'vaultlink' && /injected fault; retried/.test(e.text))).toBe(true);
      expect(result.exitCode).toBe(0);
    });

    it('plays the same chaos for the same seed and other chaos for another seed', async () => {
      const faults = findScenario('faults')!;
      const chaosOf = (r: SimulationResult) => r.timeline.find((e) => e.actor === 'chaos')?.text;
      const [a, b, c] = [await runSimulation(faults, { seed: 11 }), await runSimulation(faults, { seed: 11 }), await runSimulation(faults, { seed: 12 })];
      expect(chaosOf(a)).toBeDefined();
      expect(chaosOf(a)).toBe(chaosOf(b));
      expect(a.exitCode).toBe(0);
      expect(c.exitCode).toBe(0);
      expect(chaosOf(c)).not.toBe(chaosOf(a));
    });
  });
});
