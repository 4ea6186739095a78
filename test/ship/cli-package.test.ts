/**
 * The command line as users get it, not through SWC or tsx:
 * - `npm pack` (prepack: `npm run build`, tsc → dist/) once for the whole file;
 * - the built CLI run as `node dist/cli/main.js …` (what `bin` points at);
 * - the tarball installed into an empty project and its `vaultlink` command run from an empty folder.
 *
 * Offline install: the tarball carries npm-shrinkwrap.json (exact versions and integrity), but npm
 * honours a dependency's shrinkwrap only when the registry's metadata says the package has one,
 * and that metadata (packuments) is not in the local npm cache, nor are `resolved` URLs in this
 * project's lockfile (it names no registry host). So the test writes the consumer's lockfile from
 * the packed shrinkwrap, with `resolved` URLs on the configured registry, and runs
 * `npm ci --offline`: every tarball then comes from the local npm cache, by URL and integrity,
 * exactly as a consumer's committed lockfile would install it.
 */
import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string; private?: boolean; files: string[]; bin: Record<string, string> };
const BAD_POLICY = '{\n  "version": 1,\n  "mode": "sometimes"\n}\n';

function run(command: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  return spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' }, timeout: 120_000 });
}

describe('the packed CLI', () => {
  let work: string;
  let tarball: string;
  let packOutput: string;

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'vaultlink-cli-'));
    packOutput = execFileSync(npm, ['pack', '--pack-destination', work], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const found = readdirSync(work).find((f) => f.endsWith('.tgz'));
    if (found === undefined) throw new Error(`npm pack made no tarball: ${packOutput}`);
    tarball = join(work, found);
  }, 300_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  describe('package.json', () => {
    it('is publishable, with a files allowlist and the vaultlink command', () => {
      expect(pkg.private).toBeUndefined();
      expect(pkg.bin).toEqual({ vaultlink: 'dist/cli/main.js' });
      expect(pkg.files).toEqual(expect.arrayContaining(['dist/cli/', 'npm-shrinkwrap.json']));
    });

    it('packs the built CLI and the shrinkwrap, not the Azure bundle, sources, tests or source maps, and leaves no shrinkwrap behind', () => {
      const listing = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean);
      expect(listing).toEqual(expect.arrayContaining(['package/dist/cli/main.js', 'package/npm-shrinkwrap.json', 'package/package.json', 'package/dist/package.json']));
      expect(listing.filter((f) => /\.ts$|\.map$|^package\/(test|bench|infra|scripts)\/|^package\/dist\/app\//.test(f))).toEqual([]);
      const shrinkwrap = JSON.parse(execFileSync('tar', ['xzOf', tarball, 'package/npm-shrinkwrap.json'], { encoding: 'utf8' })) as { packages: Record<string, { dev?: boolean; devDependencies?: unknown }> };
      expect(Object.values(shrinkwrap.packages).filter((p) => p.dev === true)).toEqual([]);
      expect(shrinkwrap.packages['']?.devDependencies).toBeUndefined();
      expect(existsSync(join(ROOT, 'npm-shrinkwrap.json'))).toBe(false);
    });

    it('the example workflow runs this version of the CLI with GitHub annotations', () => {
      const workflow = readFileSync(join(ROOT, 'examples', 'github-workflow-policy-check.yml'), 'utf8');
      expect(workflow).toContain(`npx --yes vaultlink@${pkg.version} config check vaultlink.policy.json --output github`);
    });
  });

  describe('node dist/cli/main.js', () => {
    const cli = (args: string[]): SpawnSyncReturns<string> => run(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), ...args], ROOT);

    it('simulate --output json: the whole lifecycle converges (the emulator loads from dist/)', () => {
      const r = cli(['simulate', '--output', 'json']);
      expect(r.stderr).not.toMatch(/ReferenceError|Cannot access/);
      expect(r.status).toBe(0);
      const report = JSON.parse(r.stdout) as { converged: boolean; vaults: { checklist: Record<string, string> }[] };
      expect(report.converged).toBe(true);
      expect(Object.values(report.vaults[0]?.checklist ?? {})).toEqual(expect.arrayContaining(['ok']));
      expect(Object.values(report.vaults[0]?.checklist ?? { x: 'missing' }).every((s) => s === 'ok' || s === 'not-applicable')).toBe(true);
    }, 120_000);

    it('explain-event reads a delivery and names the vault it hints at', () => {
      const r = cli(['explain-event', 'test/fixtures/events/derived/backup-delivery.event-grid.json', '--output', 'json']);
      expect(r.status).toBe(0);
      expect(r.stdout).toContain('/providers/Microsoft.RecoveryServices/vaults/rsv-weu-01');
    });

    it('config check accepts the shipped policy and refuses a bad one with GitHub annotations', () => {
      const ok = cli(['config', 'check', 'vaultlink.policy.json']);
      expect(ok.status).toBe(0);
      expect(ok.stdout).toMatch(/^vaultlink\.policy\.json: valid \(mode audit/);
      const bad = join(work, 'bad.policy.json');
      writeFileSync(bad, BAD_POLICY);
      const r = cli(['config', 'check', bad, '--output', 'github']);
      expect(r.status).toBe(2);
      expect(r.stdout).toContain(`::error file=${bad.replace(/:/g, '%3A').replace(/,/g, '%2C')},line=3,col=11,title=vaultlink config check::$.mode: expected one of "audit", "enforce", found "sometimes"`);
    });
  });

  describe('installed from the tarball', () => {
    let project: string;
    let install: SpawnSyncReturns<string>;

    beforeAll(() => {
      project = join(work, 'project');
      mkdirSync(project);
      copyFileSync(tarball, join(project, 'vaultlink.tgz'));
      const registry = execFileSync(npm, ['config', 'get', 'registry'], { encoding: 'utf8' }).trim().replace(/\/$/, '');
      const shrinkwrap = JSON.parse(execFileSync('tar', ['xzOf', tarball, 'package/npm-shrinkwrap.json'], { encoding: 'utf8' })) as { packages: Record<string, Record<string, unknown>> };
      const root = shrinkwrap.packages[''] ?? {};
      const packages: Record<string, Record<string, unknown>> = {
        '': { name: 'policy-repo', version: '1.0.0', dependencies: { vaultlink: 'file:vaultlink.tgz' } },
        'node_modules/vaultlink': { version: pkg.version, resolved: 'file:vaultlink.tgz', license: root['license'], dependencies: root['dependencies'], bin: root['bin'], engines: root['engines'] },
      };
      for (const [path, entry] of Object.entries(shrinkwrap.packages)) {
        if (path === '') continue;
        const name = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
        const version = String(entry['version']);
        packages[path] = entry['resolved'] !== undefined ? entry : { ...entry, resolved: `${registry}/${name}/-/${name.split('/').pop()}-${version}.tgz` };
      }
      writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'policy-repo', version: '1.0.0', private: true, dependencies: { vaultlink: 'file:vaultlink.tgz' } }, null, 2));
      writeFileSync(join(project, 'package-lock.json'), JSON.stringify({ name: 'policy-repo', version: '1.0.0', lockfileVersion: 3, requires: true, packages }, null, 2));
      install = run(npm, ['ci', '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], project);
    }, 300_000);

    it('installs offline from the tarball and the npm cache', () => {
      expect(install.stderr).not.toMatch(/ERR!|npm error/);
      expect(install.status).toBe(0);
    });

    it('vaultlink config check works from an empty folder', () => {
      const empty = join(work, 'empty');
      mkdirSync(empty);
      writeFileSync(join(empty, 'vaultlink.policy.json'), readFileSync(join(ROOT, 'vaultlink.policy.json')));
      writeFileSync(join(empty, 'bad.json'), BAD_POLICY);
      const bin = join(project, 'node_modules', '.bin', 'vaultlink');
      const ok = run(bin, ['config', 'check', 'vaultlink.policy.json'], empty);
      expect(ok.stderr).toBe('');
      expect(ok.status).toBe(0);
      expect(ok.stdout).toContain('vaultlink.policy.json: valid');
      const bad = run(bin, ['config', 'check', 'bad.json', '--output', 'github'], empty);
      expect(bad.status).toBe(2);
      expect(bad.stdout).toMatch(/^::error file=bad\.json,line=3,col=11,/m);
      const version = run(bin, ['--version'], empty);
      expect(version.stdout.trim()).toBe(pkg.version);
    });
  });
});
