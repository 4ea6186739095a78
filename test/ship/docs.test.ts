/**
 * docs/run-locally.md and docs/deploy.md, command by command: what can run here runs (the
 * vaultlink commands, Azurite with the documented flags), and what cannot (Core Tools, az) is
 * checked against what it relies on (npm scripts, deployment outputs, function names and routes).
 * `npm run package` and the packed CLI are run by package.test.ts and cli-package.test.ts.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { captureIO } from '../../cli/io';
import { runCli } from '../../cli/program';
import { registeredFunctions } from '../../functions/registry';
import '../../functions/workflows';

const ROOT = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
const bicep = readFileSync(join(ROOT, 'infra', 'main.bicep'), 'utf8');

/** The shell commands of a Markdown file's sh blocks, continuation lines joined. */
function shellCommands(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const blocks = [...text.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] as string);
  return blocks.flatMap((b) => b.replace(/\\\n\s*/g, ' ').split('\n')).map((l) => l.replace(/\s+#.*$/, '').trim()).filter((l) => l !== '' && !l.startsWith('#'));
}

/** Splits a command line into words (single and double quotes, no expansion). */
function words(line: string): string[] {
  return [...line.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3] ?? '');
}

const DOCS = ['docs/run-locally.md', 'docs/deploy.md'];
const commands = DOCS.flatMap((f) => shellCommands(f).map((line) => ({ file: f, line })));

describe('docs commands', () => {
  it('every npm script the docs run exists', () => {
    const used = commands.flatMap(({ line }) => [...line.matchAll(/\bnpm (?:run(?: --silent)? ([\w:-]+)|(start|ci|test)\b)/g)].map((m) => m[1] ?? m[2] ?? ''));
    expect(used).toEqual(expect.arrayContaining(['package', 'start', 'ci', 'vaultlink']));
    for (const script of used.filter((s) => !['ci', 'test'].includes(s))) expect(Object.keys(pkg.scripts)).toContain(script);
    expect(pkg.scripts['prestart']).toContain('npm run package');
    expect(pkg.scripts['start']).toBe('cd dist/app && func start');
  });

  it('publishes from the deployment folder, naming the worker runtime, after npm ci and npm run package', () => {
    const deploy = shellCommands('docs/deploy.md');
    const at = (pattern: RegExp): number => deploy.findIndex((l) => pattern.test(l));
    const publish = at(/^func azure functionapp publish "\$APP" --javascript$/);
    expect(publish).toBeGreaterThan(0);
    expect(at(/^npm ci$/)).toBeLessThan(at(/^npm run package$/));
    expect(at(/^npm run package$/)).toBeLessThan(at(/^cd dist\/app$/));
    expect(at(/^cd dist\/app$/)).toBeLessThan(publish);
    expect(deploy.some((l) => /--resource-group rg-vaultlink|<functionAppName>/.test(l))).toBe(false);
  });

  it('reads only deployment outputs that infra/main.bicep declares', () => {
    const outputs = commands.flatMap(({ line }) => [...line.matchAll(/properties\.outputs\.(\w+)\.value/g)].map((m) => m[1] as string));
    expect(outputs).toEqual(expect.arrayContaining(['functionAppName', 'resourceGroupName', 'functionAppHostName']));
    for (const o of outputs) expect(bicep).toMatch(new RegExp(`^output ${o} `, 'm'));
  });

  it('calls only functions and routes the app registers', () => {
    const fns = registeredFunctions();
    const routes = [...fns.values()].flatMap((f) => (f.declaration.kind === 'http' && f.declaration.options.route ? [f.declaration.options.route] : []));
    const text = DOCS.map((f) => readFileSync(join(ROOT, f), 'utf8')).join('\n');
    const named = [...text.matchAll(/(?:functionName=|\/admin\/functions\/)(\w+)/g)].map((m) => m[1] as string);
    expect(named.length).toBeGreaterThan(0);
    for (const n of named) expect(fns.has(n)).toBe(true);
    const paths = [...text.matchAll(/\/api\/([\w/{}<>-]+)/g)].map((m) => (m[1] as string).replace(/<\w+>|\{\w+\}/g, '{x}'));
    expect(paths).toEqual(expect.arrayContaining(['vaults', 'dashboard']));
    for (const p of paths) expect(routes.some((r) => r.replace(/\{\w+\}/g, '{x}') === p)).toBe(true);
  });

  it('runs the vaultlink commands that need no Azure and no running app', async () => {
    const runnable = commands.filter(({ line }) => line.startsWith('npm run --silent vaultlink -- ') && !/[<$]|replay-dead-letters/.test(line));
    expect(runnable.map((c) => c.line)).toContain('npm run --silent vaultlink -- config check vaultlink.policy.json');
    for (const { line } of runnable) {
      const io = captureIO({ cwd: ROOT });
      const code = await runCli(words(line).slice(4), io);
      expect({ line, code, err: io.err() }).toEqual({ line, code: 0, err: '' });
    }
  });

  it('documents replay-dead-letters with options the command has', async () => {
    const line = commands.find(({ line }) => line.includes('replay-dead-letters'))?.line ?? '';
    const io = captureIO({ cwd: ROOT });
    await runCli(['replay-dead-letters', '--help'], io);
    for (const option of words(line).filter((w) => w.startsWith('--') && w !== '--silent')) expect(io.out()).toContain(option);
  });

  it('starts Azurite with the documented flags (on free ports here)', async () => {
    const line = commands.find(({ line }) => line.startsWith('npx azurite '))?.line ?? '';
    const args = words(line).slice(2);
    expect(args).toEqual(expect.arrayContaining(['--inMemoryPersistence', '--disableTelemetry', '--silent']));
    const dir = mkdtempSync(join(tmpdir(), 'vaultlink-azurite-doc-'));
    const child = spawn(process.execPath, [join(ROOT, 'node_modules', 'azurite', 'dist', 'src', 'azurite.js'), ...args, '--blobPort', '0', '--queuePort', '0', '--tablePort', '0'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const out = await new Promise<string>((resolve, reject) => {
        let text = '';
        const timer = setTimeout(() => reject(new Error(`Azurite did not start: ${text}`)), 60_000);
        const onData = (d: Buffer): void => {
          text += d.toString();
          if ((text.match(/successfully list(?:ens on|ening at) http:\/\/127\.0\.0\.1:\d+/g) ?? []).length === 3) {
            clearTimeout(timer);
            resolve(text);
          }
        };
        child.stdout?.on('data', onData);
        child.stderr?.on('data', onData);
        child.on('exit', (code) => reject(new Error(`Azurite exited with ${code}: ${text}`)));
      });
      expect(out).toMatch(/Blob service (is )?successfully listen/);
    } finally {
      child.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
