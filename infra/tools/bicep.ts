/**
 * Finds the Bicep CLI and compiles infra/ with it.
 *
 * `npm run bicep -- <args>` runs the CLI found; `npm run infra:build` lints every file under
 * infra/ and compiles main.bicep into the committed infra/main.json (deployable without Bicep).
 *
 * The CLI is looked for where people have it, in this order: the BICEP environment variable, `bicep`
 * on PATH, ~/.azure/bin/bicep (where `az bicep install` puts it), and the NuGet cache, where
 * `dotnet restore infra/tools/bicep.csproj` puts the version pinned there.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, chmodSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '..', '..');
export const TOOLS_PROJECT = join(REPO_ROOT, 'infra', 'tools', 'bicep.csproj');
const PACKAGE_ID = 'Azure.Bicep.CommandLine.linux-x64';

/** The one line a person without Bicep needs. */
export const HOW_TO_GET_BICEP = 'no Bicep CLI found: run `dotnet restore infra/tools/bicep.csproj` (or `az bicep install`, or set BICEP to the executable)';

export interface FoundBicep {
  readonly path: string;
  /** Where it was found: 'BICEP', 'PATH', '~/.azure/bin' or 'NuGet cache'. */
  readonly source: string;
}

/** The Bicep CLI version infra/tools/bicep.csproj pins (one place names it). */
export function pinnedBicepVersion(): string {
  const project = readFileSync(TOOLS_PROJECT, 'utf8');
  const match = new RegExp(`Include="${PACKAGE_ID.replaceAll('.', '\\.')}"\\s+Version="([^"]+)"`).exec(project);
  if (match?.[1] === undefined) throw new Error(`${TOOLS_PROJECT}: no PackageReference to ${PACKAGE_ID} with a Version`);
  return match[1];
}

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The Bicep CLI, or undefined. A BICEP variable that names no executable is an error: the person
 * who set it meant that one, and silently using another would hide the mistake.
 */
export function findBicep(env: NodeJS.ProcessEnv = process.env): FoundBicep | undefined {
  const fromEnv = env.BICEP;
  if (fromEnv !== undefined && fromEnv !== '') {
    if (!isExecutableFile(fromEnv)) throw new Error(`BICEP=${fromEnv}: not an executable file`);
    return { path: fromEnv, source: 'BICEP' };
  }
  for (const dir of (env.PATH ?? '').split(delimiter).filter((d) => d !== '')) {
    const candidate = join(dir, 'bicep');
    if (isExecutableFile(candidate)) return { path: candidate, source: 'PATH' };
  }
  const home = env.HOME ?? homedir();
  const azureCli = join(home, '.azure', 'bin', 'bicep');
  if (isExecutableFile(azureCli)) return { path: azureCli, source: '~/.azure/bin' };
  const packages = env.NUGET_PACKAGES ?? join(home, '.nuget', 'packages');
  const fromNuGet = join(packages, PACKAGE_ID.toLowerCase(), pinnedBicepVersion(), 'tools', 'bicep');
  if (existsSync(fromNuGet)) {
    // NuGet extracts files without their execute bit on some systems.
    if (!isExecutableFile(fromNuGet)) chmodSync(fromNuGet, 0o755);
    return { path: fromNuGet, source: 'NuGet cache' };
  }
  return undefined;
}

export function requireBicep(env: NodeJS.ProcessEnv = process.env): FoundBicep {
  const found = findBicep(env);
  if (found === undefined) throw new Error(HOW_TO_GET_BICEP);
  return found;
}

/** What one CLI run said: its exit code and every diagnostic line (`file(line,col) : Level code: message`). */
export interface BicepRun {
  readonly status: number;
  readonly diagnostics: string[];
  readonly stdout: string;
}

const DIAGNOSTIC_LINE = /^(.*)\((\d+),(\d+)\) : (Error|Warning|Info) ([^:]+): (.*)$/;

export function runBicep(bicep: FoundBicep, args: readonly string[]): BicepRun {
  const result = spawnSync(bicep.path, args, { cwd: REPO_ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error !== undefined) throw new Error(`${bicep.path} ${args.join(' ')}: ${result.error.message}`);
  const lines = `${result.stderr}`.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  // Every line on stderr counts: a diagnostic in its usual shape, or anything else the CLI says.
  const diagnostics = lines.map((l) => (DIAGNOSTIC_LINE.test(l) ? l.replace(`${REPO_ROOT}/`, '') : l));
  return { status: result.status ?? 1, diagnostics, stdout: `${result.stdout}` };
}

export const INFRA_PATTERN = 'infra/**/*.bicep';

/** Lints every .bicep file under infra/ (bicepconfig.json raises the core rules to error). */
export function lintInfra(bicep: FoundBicep): BicepRun {
  return runBicep(bicep, ['lint', '--pattern', INFRA_PATTERN]);
}

/** Compiles main.bicep into infra/main.json, the template users can deploy without Bicep. */
export function buildMainJson(bicep: FoundBicep): BicepRun {
  return runBicep(bicep, ['build', 'infra/main.bicep', '--outfile', 'infra/main.json']);
}

function main(args: string[]): void {
  const bicep = requireBicep();
  if (args[0] === 'infra:build') {
    const lint = lintInfra(bicep);
    const build = lint.status === 0 ? buildMainJson(bicep) : undefined;
    for (const line of [...lint.diagnostics, ...(build?.diagnostics ?? [])]) process.stderr.write(`${line}\n`);
    if (lint.status !== 0 || build === undefined || build.status !== 0 || lint.diagnostics.length + build.diagnostics.length > 0) {
      process.stderr.write('infra:build: failed (see the diagnostics above)\n');
      process.exitCode = 1;
      return;
    }
    process.stdout.write(`infra:build: linted ${INFRA_PATTERN} and wrote infra/main.json with ${bicep.path} (${bicep.source})\n`);
    return;
  }
  if (args[0] === 'which') {
    process.stdout.write(`${bicep.path} (${bicep.source})\n`);
    return;
  }
  execFileSync(bicep.path, args, { cwd: REPO_ROOT, stdio: 'inherit' });
}

if (require.main === module) {
  try {
    main(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
