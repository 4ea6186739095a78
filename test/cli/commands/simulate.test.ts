import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { runCli } from '../../../cli/program';
import { captureIO } from '../../../cli/io';

const root = join(__dirname, '..', '..', '..');

describe('vaultlink simulate', () => {
  describe('#output json', () => {
    it('prints exactly converged, vaults (id, checklist, findings), writes and events', async () => {
      const io = captureIO();
      const code = await runCli(['simulate', '--output', 'json'], io);
      expect(code).toBe(0);
      const result = JSON.parse(io.out()) as Record<string, unknown>;
      expect(Object.keys(result)).toEqual(['converged', 'vaults', 'writes', 'events']);
      expect(result['converged']).toBe(true);
      const vaults = result['vaults'] as Record<string, unknown>[];
      expect(vaults.map((v) => Object.keys(v))).toEqual([['id', 'checklist', 'findings']]);
      expect(Object.values(vaults[0]?.['checklist'] as Record<string, string>).every((s) => s === 'ok' || s === 'not-applicable')).toBe(true);
      expect(result['writes']).toEqual(expect.any(Number));
      expect(result['writes'] as number).toBeGreaterThan(0);
      expect(result['events'] as number).toBeGreaterThan(result['writes'] as number);
    });
  });

  describe('#table output', () => {
    it('prints the timeline as it happens and the final checklist with the verdict', async () => {
      const io = captureIO();
      const code = await runCli(['simulate', '--scenario', 'v2-vault'], io);
      expect(code).toBe(0);
      expect(io.out()).toMatch(/^vaultlink simulate — scenario v2-vault \(seed 1\)/);
      expect(io.out()).toMatch(/vaultlink\s+→ approves the connection of pe-backup-app02 \(\+\d+ ms after the event\)/);
      expect(io.out()).toMatch(/Final checklist\nvault \S+rsv-app02: converged/);
      expect(io.out()).toMatch(/result: converged, every backup succeeded → exit 0 \(as the scenario expects/);
    });

    it('lists the scenarios with their expected exit codes', async () => {
      const io = captureIO();
      expect(await runCli(['simulate', '--list-scenarios'], io)).toBe(0);
      expect(io.out()).toMatch(/lifecycle \(default\)\s+0\s+/);
      expect(io.out()).toMatch(/ineligible-vault\s+1\s+/);
    });
  });

  describe('#bad options', () => {
    it.each([
      ['an unknown scenario', ['simulate', '--scenario', 'nope'], /--scenario nope: unknown; one of lifecycle/],
      ['a seed that is not a number', ['simulate', '--seed', 'abc'], /--seed abc: expected an integer/],
      ['a negative seed', ['simulate', '--seed', '-1'], /--seed -1: expected an integer/],
    ])('exits 2 for %s', async (_case, argv, message) => {
      const io = captureIO();
      expect(await runCli(argv, io)).toBe(2);
      expect(io.err()).toMatch(message);
    });
  });

  describe('#npm run simulate', () => {
    it('runs the default lifecycle from the command line and exits 0', () => {
      const run = spawnSync('npm', ['run', '--silent', 'simulate', '--', '--output', 'json'], { cwd: root, encoding: 'utf8', timeout: 60_000 });
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({ converged: true });
    });
  });
});
