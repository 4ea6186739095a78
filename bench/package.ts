/**
 * `npm run bench:package`: what ships to Azure, bundled (`npm run package` → dist/app) against the
 * unbundled build (`npm run build` → dist/, plus the production dependencies in node_modules),
 * side by side: size on disk, file count, and cold `require` time of the entry point (a fresh
 * Node process per run, median of --runs). Budget from issue 15: package ≤ 5 MB, cold load at most
 * half the unbundled one. A measurement printed for people; it asserts nothing.
 *
 * Both entry points load with a stand-in for `@azure/functions-core` (what the host's worker
 * provides), found through NODE_PATH, so both register all their functions as in Azure.
 *
 * A third row loads the bundle as in Azure, with an Application Insights connection string: telemetry
 * starts at load and brings reconciler.js with it (functions/reconciler.ts says why).
 *
 * Options: --runs <n> (5), --no-build (measure dist/ and dist/app as they are).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { APP_DIR, packageApp, ROOT } from '../scripts/package';

const STAND_IN_CORE = `const registrations = [];
module.exports = { registrations, setProgrammingModel() {}, registerFunction(m, h) { registrations.push(m.name); return { dispose() {} }; }, registerHook() { return { dispose() {} }; }, log() {} };
`;

/**
 * A connection string, as infra/ sets one in Azure: the entry point then starts telemetry at load
 * (functions/telemetry-settings.ts), which loads reconciler.js with it. The ingestion endpoint is a
 * closed local port and statsbeat is off: nothing leaves the machine (nothing is logged either).
 */
const TELEMETRY_ON = {
  APPLICATIONINSIGHTS_CONNECTION_STRING: 'InstrumentationKey=00000000-0000-0000-0000-000000000001;IngestionEndpoint=http://127.0.0.1:9',
  APPLICATIONINSIGHTS_STATSBEAT_DISABLED: 'true',
  APPLICATIONINSIGHTS_SDKSTATS_DISABLED: 'true',
  APPLICATION_INSIGHTS_NO_STATSBEAT: 'true',
};

interface Footprint {
  bytes: number;
  files: number;
}

function footprint(path: string, into: Footprint = { bytes: 0, files: 0 }): Footprint {
  const stat = lstatSync(path);
  if (stat.isSymbolicLink()) return into;
  if (stat.isDirectory()) {
    for (const entry of readdirSync(path)) footprint(join(path, entry), into);
  } else {
    into.bytes += stat.size;
    into.files += 1;
  }
  return into;
}

/** dist/ without the bundle, plus every production package of the lockfile (what `npm ci --omit=dev` installs). */
function unbundledFootprint(): Footprint {
  const total = footprint(join(ROOT, 'dist'));
  if (existsSync(APP_DIR)) {
    const app = footprint(APP_DIR);
    total.bytes -= app.bytes;
    total.files -= app.files;
  }
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean; link?: boolean }> };
  for (const [path, info] of Object.entries(lock.packages)) {
    if (path === '' || info.dev === true || info.link === true) continue;
    const dir = join(ROOT, path);
    if (!existsSync(dir)) continue;
    // nested node_modules are counted as packages of their own
    for (const entry of readdirSync(dir)) {
      if (entry !== 'node_modules') footprint(join(dir, entry), total);
    }
  }
  return total;
}

/** Milliseconds to `require` the entry point in a fresh process, and how many functions it registered. */
function coldRequire(entry: string, nodePath: string, env: Readonly<Record<string, string>> = {}): { ms: number; registered: number } {
  const script = `const t = process.hrtime.bigint(); require(${JSON.stringify(entry)}); const ms = Number(process.hrtime.bigint() - t) / 1e6; console.log(JSON.stringify({ ms, registered: require('@azure/functions-core').registrations.length }));`;
  const run = spawnSync(process.execPath, ['-e', script], { env: { ...process.env, NODE_PATH: nodePath, ...env }, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`loading ${entry} failed: ${run.stderr}`);
  const line = run.stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as { ms: number; registered: number };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

async function main(): Promise<void> {
  const opts = new Command().option('--runs <n>', 'cold loads per entry point', '5').option('--no-build', 'measure dist/ and dist/app as they are').parse().opts<{ runs: string; build: boolean }>();
  const runs = Math.max(1, Number.parseInt(opts.runs, 10) || 5);
  if (opts.build) {
    console.log('building: npm run build (tsc → dist/) and npm run package (esbuild → dist/app/) …');
    execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit' });
    await packageApp();
  }
  const core = mkdtempSync(join(tmpdir(), 'vaultlink-bench-'));
  try {
    mkdirSync(join(core, '@azure', 'functions-core'), { recursive: true });
    writeFileSync(join(core, '@azure', 'functions-core', 'index.js'), STAND_IN_CORE);
    const unbundledEntry = join(ROOT, 'dist', 'functions', 'index.js');
    const bundledEntry = join(APP_DIR, 'index.js');
    const rows: { name: string; size: Footprint; loads: { ms: number; registered: number }[] }[] = [
      { name: 'unbundled (dist/ + production node_modules)', size: unbundledFootprint(), loads: [] },
      { name: 'bundled (dist/app, npm run package)', size: footprint(APP_DIR), loads: [] },
      { name: 'unbundled, telemetry on (as in Azure)', size: unbundledFootprint(), loads: [] },
      { name: 'bundled, telemetry on (as in Azure)', size: footprint(APP_DIR), loads: [] },
    ];
    // interleaved, so that load on the shared machine hits all alike
    for (let i = 0; i < runs; i++) {
      (rows[0] as (typeof rows)[number]).loads.push(coldRequire(unbundledEntry, core));
      (rows[1] as (typeof rows)[number]).loads.push(coldRequire(bundledEntry, core));
      (rows[2] as (typeof rows)[number]).loads.push(coldRequire(unbundledEntry, core, TELEMETRY_ON));
      (rows[3] as (typeof rows)[number]).loads.push(coldRequire(bundledEntry, core, TELEMETRY_ON));
    }
    console.log(`\nvaultlink package, ${runs} cold load(s) each, Node ${process.version}\n`);
    console.log(`${'build'.padEnd(46)}${'size'.padStart(10)}${'files'.padStart(8)}${'require (median)'.padStart(19)}${'functions'.padStart(11)}`);
    for (const r of rows) {
      const ms = median(r.loads.map((l) => l.ms));
      console.log(`${r.name.padEnd(46)}${mb(r.size.bytes).padStart(10)}${String(r.size.files).padStart(8)}${`${ms.toFixed(0)} ms`.padStart(19)}${String(r.loads[0]?.registered ?? 0).padStart(11)}`);
    }
    type Row = (typeof rows)[number];
    const [u, b, ut, bt] = rows as [Row, Row, Row, Row];
    const ratio = (bundled: Row, unbundled: Row): number => median(bundled.loads.map((l) => l.ms)) / median(unbundled.loads.map((l) => l.ms));
    const verdict = (r: number): string => `${(r * 100).toFixed(0)}% (${r <= 0.5 ? 'within' : 'OVER'})`;
    console.log(`\nbudget: package ≤ 5 MB → ${mb(b.size.bytes)} (${b.size.bytes <= 5 * 1024 * 1024 ? 'within' : 'OVER'}); cold require ≤ 50% of unbundled → ${verdict(ratio(b, u))}`);
    console.log(`with telemetry on (reconciler.js loads at start, functions/reconciler.ts): bundled → ${verdict(ratio(bt, ut))} of unbundled`);
  } finally {
    rmSync(core, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exitCode = 1;
});
