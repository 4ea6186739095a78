/**
 * `npm run package`: the deployment folder of the Functions app, `dist/app/`, ready for
 * `func start` and `func azure functionapp publish` (run inside it):
 *
 *   index.js               functions/index.ts and the production dependencies it loads at start (esbuild)
 *   reconciler.js          shared/reconcile and the Azure SDK clients, loaded at the first pass; also
 *                          telemetry (OpenTelemetry and Azure Monitor's exporter, which share the SDK
 *                          clients' Azure core libraries), loaded at start when a connection string is set
 *   host.json              as at the root
 *   vaultlink.policy.json  the policy the app reads by default (VAULTLINK_POLICY_FILE)
 *   package.json           minimal: main → index.js, no dependencies (nothing to install remotely)
 *   .funcignore            the root one (Functions templates' style)
 *   local.settings.json    copied when the root has one (never published: .funcignore)
 *
 * Only what functions/index.ts imports goes in: the emulator, the CLI and the local driver cannot
 * (the script fails if any of their files reaches the bundle). `@azure/functions-core` stays
 * external: the Functions host's Node.js worker provides it.
 */
import { build, context, type BuildOptions, type Metafile, type Plugin } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..');
export const APP_DIR = join(ROOT, 'dist', 'app');

/** Source folders that must never ship to Azure. */
export const NEVER_SHIPPED = ['emulator/', 'cli/', 'functions/local/', 'test/', 'bench/'];

export interface PackageResult {
  readonly appDir: string;
  readonly files: readonly string[];
  readonly inputs: readonly string[];
}

/**
 * functions/deps.ts loads `./reconciler` (shared/reconcile and the Azure SDK clients, most of the
 * code) at the first invocation that needs it: it becomes a file of its own, so that a cold start
 * parses index.js only.
 */
const lazyReconciler: Plugin = {
  name: 'vaultlink-lazy-reconciler',
  setup(b) {
    b.onResolve({ filter: /^\.\/reconciler$/ }, (args) => (args.importer === join(ROOT, 'functions', 'deps.ts') ? { path: './reconciler.js', external: true } : undefined));
  },
};

function bundleOptions(appDir: string): BuildOptions & { metafile: true } {
  return {
    entryPoints: [join(ROOT, 'functions', 'index.ts'), join(ROOT, 'functions', 'reconciler.ts')],
    outdir: appDir,
    plugins: [lazyReconciler],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    // class and function names stay readable in stack traces and Application Insights
    keepNames: true,
    legalComments: 'none',
    external: ['@azure/functions-core'],
    metafile: true,
    logLevel: 'warning',
    absWorkingDir: ROOT,
  };
}

/** The bundle's source files; throws when development code reached it. */
function checkInputs(metafile: Metafile): string[] {
  const inputs = Object.keys(metafile.inputs);
  const leaked = inputs.filter((i) => !i.startsWith('node_modules/') && NEVER_SHIPPED.some((p) => i.startsWith(p)));
  if (leaked.length > 0) throw new Error(`the Azure package must not contain development code, but the bundle includes: ${leaked.join(', ')}`);
  return inputs;
}

export async function packageApp(appDir: string = APP_DIR): Promise<PackageResult> {
  rmSync(appDir, { recursive: true, force: true });
  mkdirSync(appDir, { recursive: true });
  const result = await build(bundleOptions(appDir));
  const inputs = checkInputs(result.metafile);

  const rootPackage = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string; description?: string; license?: string; engines?: unknown };
  const files = ['index.js', 'reconciler.js', 'host.json', 'vaultlink.policy.json', 'package.json', '.funcignore'];
  copyFileSync(join(ROOT, 'host.json'), join(appDir, 'host.json'));
  copyFileSync(join(ROOT, 'vaultlink.policy.json'), join(appDir, 'vaultlink.policy.json'));
  copyFileSync(join(ROOT, '.funcignore'), join(appDir, '.funcignore'));
  writeFileSync(
    join(appDir, 'package.json'),
    `${JSON.stringify({ name: `${rootPackage.name}-app`, version: rootPackage.version, description: 'vaultlink Functions app (built by npm run package)', license: rootPackage.license, private: true, main: 'index.js', engines: rootPackage.engines }, null, 2)}\n`,
  );
  if (existsSync(join(ROOT, 'local.settings.json'))) {
    copyFileSync(join(ROOT, 'local.settings.json'), join(appDir, 'local.settings.json'));
    files.push('local.settings.json');
  }
  return { appDir, files, inputs };
}

/** `npm run watch`: package once, then rebuild index.js on every change (`func start` in dist/app picks it up on restart). */
async function watchApp(appDir: string = APP_DIR): Promise<void> {
  await packageApp(appDir);
  const ctx = await context({
    ...bundleOptions(appDir),
    plugins: [
      lazyReconciler,
      {
        name: 'vaultlink-report',
        setup(b) {
          b.onEnd((r) => {
            if (r.errors.length > 0 || r.metafile === undefined) return;
            try {
              checkInputs(r.metafile);
              console.log(`vaultlink: ${relative(process.cwd(), join(appDir, 'index.js'))} rebuilt at ${new Date().toISOString()}`);
            } catch (e) {
              console.error(e instanceof Error ? e.message : String(e));
            }
          });
        },
      },
    ],
  });
  await ctx.watch();
  console.log('vaultlink: watching functions/ and shared/ (Ctrl+C to stop)');
}

if (require.main === module && process.argv.includes('--watch')) {
  watchApp().catch((e: unknown) => {
    console.error(`npm run watch: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 1;
  });
} else if (require.main === module) {
  packageApp()
    .then(({ appDir, files }) => {
      console.log(`vaultlink: Functions app packaged in ${relative(process.cwd(), appDir) || '.'}/ (${files.join(', ')})`);
    })
    .catch((e: unknown) => {
      console.error(`npm run package: ${e instanceof Error ? e.message : String(e)}`);
      process.exitCode = 1;
    });
}
