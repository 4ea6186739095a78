/**
 * What ships to Azure: `npm run package` (as docs/deploy.md runs it) builds dist/app; its bundled
 * entry point, copied alone into an empty folder (no node_modules), loads with a stand-in of the
 * host's `@azure/functions-core` and registers every function with its bindings.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STAND_IN_CORE_SOURCE, type CoreRegistration } from '../functions/functions-core-standin';

const ROOT = join(__dirname, '..', '..');
const APP = join(ROOT, 'dist', 'app');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

interface Loaded {
  registrations: CoreRegistration['metadata'][];
  errors: string[];
}

describe('npm run package', () => {
  let output: string;
  let bundle: string;
  let loaded: Loaded;
  let work: string;

  beforeAll(() => {
    output = execFileSync(npm, ['run', 'package'], { cwd: ROOT, encoding: 'utf8' });
    bundle = readFileSync(join(APP, 'index.js'), 'utf8');
    // the deployment folder alone, in an empty place: only the host's core module beside it
    work = mkdtempSync(join(tmpdir(), 'vaultlink-app-'));
    cpSync(APP, join(work, 'app'), { recursive: true });
    mkdirSync(join(work, 'node_modules', '@azure', 'functions-core'), { recursive: true });
    writeFileSync(join(work, 'node_modules', '@azure', 'functions-core', 'index.js'), STAND_IN_CORE_SOURCE);
    const script = `
      const errors = []; console.error = (...a) => errors.push(a.join(' '));
      require('./app/index.js');
      const core = require('@azure/functions-core');
      process.stdout.write(JSON.stringify({ registrations: core.registrations.map((r) => r.metadata), errors }));`;
    const stdout = execFileSync(process.execPath, ['-e', script], { cwd: work, encoding: 'utf8', env: { ...process.env, VAULTLINK_SWEEP_SCHEDULE: '', NODE_PATH: '' } });
    loaded = JSON.parse(stdout) as Loaded;
  }, 180_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('says where the package is', () => {
    expect(output).toContain('Functions app packaged in dist/app/');
  });

  it('holds the bundle, host.json, the policy, a minimal package.json and .funcignore, nothing else', () => {
    const files = readdirSync(APP).filter((f) => f !== 'local.settings.json').sort();
    expect(files).toEqual(['.funcignore', 'host.json', 'index.js', 'package.json', 'reconciler.js', 'vaultlink.policy.json']);
    const pkg = JSON.parse(readFileSync(join(APP, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(pkg).toMatchObject({ main: 'index.js', private: true });
    expect(pkg).not.toHaveProperty('dependencies');
    expect(pkg).not.toHaveProperty('scripts');
    expect(readFileSync(join(APP, 'host.json'), 'utf8')).toBe(readFileSync(join(ROOT, 'host.json'), 'utf8'));
    expect(readFileSync(join(APP, '.funcignore'), 'utf8')).toMatch(/^local\.settings\.json$/m);
  });

  it('stays within the 5 MB budget', () => {
    const bytes = readdirSync(APP).reduce((n, f) => n + statSync(join(APP, f)).size, 0);
    expect(bytes).toBeLessThanOrEqual(5 * 1024 * 1024);
  });

  it('carries no emulator, CLI or local driver, and requires only Node built-ins, the host core and its own reconciler.js', () => {
    const reconciler = readFileSync(join(APP, 'reconciler.js'), 'utf8');
    const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
    const requiredBy = (code: string): Set<string> => new Set([...code.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1] as string));
    for (const code of [bundle, reconciler]) {
      for (const devOnly of ['LocalDurableDriver', 'ArmServer', 'ArmEngine', 'vaultlink simulate', 'emulator/providers']) expect(code).not.toContain(devOnly);
    }
    expect([...requiredBy(bundle)].filter((m) => !builtins.has(m)).sort()).toEqual(['./reconciler.js', '@azure/functions-core']);
    // `require('%s')` is text of a debug message in require-in-the-middle (OpenTelemetry's instrumentation base), not a call
    expect([...requiredBy(reconciler)].filter((m) => !builtins.has(m) && m !== '@azure/functions-core' && m !== '%s')).toEqual([]);
    expect(reconciler).toContain(`processing %s module require('%s')`);
  });

  it('loads the reconciler only when asked: index.js alone at start, reconciler.js with the SDK clients on demand', () => {
    // the Azure SDK clients live in reconciler.js only, so a cold start does not parse them
    expect(bundle).not.toContain('NetworkManagementClient');
    const script = `require('./app/index.js'); const r = require('./app/reconciler.js'); process.stdout.write(JSON.stringify(['observeAndPlan', 'applyAction', 'createAzureClients'].map((k) => typeof r[k])));`;
    expect(execFileSync(process.execPath, ['-e', script], { cwd: work, encoding: 'utf8' })).toBe('["function","function","function"]');
  });

  it('with an Application Insights connection string, starts telemetry at load: the worker capability and the hooks are there, every function still registered', () => {
    // the exporter points at a closed local port and sends nothing here (no record is emitted); statsbeat off
    const env = {
      ...process.env,
      NODE_PATH: '',
      APPLICATIONINSIGHTS_CONNECTION_STRING: 'InstrumentationKey=00000000-0000-0000-0000-000000000001;IngestionEndpoint=http://127.0.0.1:9',
      APPLICATIONINSIGHTS_STATSBEAT_DISABLED: 'true',
      APPLICATIONINSIGHTS_SDKSTATS_DISABLED: 'true',
      APPLICATION_INSIGHTS_NO_STATSBEAT: 'true',
    };
    const script = `
      const errors = []; console.error = (...a) => errors.push(a.join(' '));
      require('./app/index.js');
      const core = require('@azure/functions-core');
      core.programmingModel.getCapabilities({}).then((capabilities) => {
        process.stdout.write(JSON.stringify({ capabilities, hooks: core.hooks, registered: core.registrations.length, errors }));
        process.exit(0);
      });`;
    const started = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: work, encoding: 'utf8', env })) as { capabilities: Record<string, string>; hooks: string[]; registered: number; errors: string[] };
    expect(started).toEqual({ capabilities: { WorkerOpenTelemetryEnabled: 'true' }, hooks: ['log', 'preInvocation', 'appTerminate'], registered: loaded.registrations.length, errors: [] });
  });

  it('registers every function with its bindings when the host loads it, with nothing logged as broken', () => {
    const byName = new Map(loaded.registrations.map((m) => [m.name, Object.values(m.bindings)]));
    const bindings = (name: string): { type: string; [k: string]: unknown }[] => {
      const found = byName.get(name);
      if (found === undefined) throw new Error(`${name} is not registered (registered: ${[...byName.keys()].join(', ')})`);
      return found as { type: string }[];
    };
    expect([...byName.keys()].sort()).toEqual(
      [
        'vaultlinkApplyAction',
        'vaultlinkDashboard',
        'vaultlinkEvents',
        'vaultlinkFindVaultsOfPrivateEndpoint',
        'vaultlinkHousekeeping',
        'vaultlinkObserveAndPlan',
        'vaultlinkPrivateEndpointRouter',
        'vaultlinkSignalVault',
        'vaultlinkStatusList',
        'vaultlinkStatusVault',
        'vaultlinkSweep',
        'vaultlinkVaultOrchestrator',
      ].sort(),
    );
    const types = (name: string): string[] => bindings(name).map((b) => b.type).sort();
    expect(types('vaultlinkEvents')).toEqual(['durableClient', 'eventGridTrigger']);
    expect(bindings('vaultlinkSweep')).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'timerTrigger', schedule: '%VAULTLINK_SWEEP_SCHEDULE%' })]));
    expect(bindings('vaultlinkHousekeeping')).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'timerTrigger', schedule: '0 15 3 * * *' })]));
    expect(types('vaultlinkVaultOrchestrator')).toEqual(['orchestrationTrigger']);
    expect(types('vaultlinkPrivateEndpointRouter')).toEqual(['orchestrationTrigger']);
    for (const a of ['vaultlinkObserveAndPlan', 'vaultlinkApplyAction', 'vaultlinkFindVaultsOfPrivateEndpoint']) expect(types(a)).toEqual(['activityTrigger']);
    expect(types('vaultlinkSignalVault')).toEqual(['activityTrigger', 'durableClient']);
    for (const [name, route] of [
      ['vaultlinkStatusList', 'vaults'],
      ['vaultlinkStatusVault', 'vaults/{subscriptionId}/{resourceGroup}/{vaultName}'],
      ['vaultlinkDashboard', 'dashboard'],
    ] as const) {
      expect(bindings(name)).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'httpTrigger', route, authLevel: 'function', methods: ['GET'] }), expect.objectContaining({ type: 'durableClient' })]));
    }
    expect(loaded.errors).toEqual([]);
  });
});
