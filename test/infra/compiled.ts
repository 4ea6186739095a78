/**
 * infra/ compiled by the real Bicep CLI, once per change of its inputs.
 *
 * Jest runs the infra test files in several workers; each would otherwise start the CLI (a
 * .NET program, seconds per start) again. The output lands in a directory named by a hash of
 * every input — the CLI's path and version, every file under infra/, shared/contract.json — so
 * a second worker, a second run and a watch run reuse it, and any edit compiles afresh.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { FoundBicep, HOW_TO_GET_BICEP, INFRA_PATTERN, findBicep, runBicep } from '../../infra/tools/bicep';
import { INFRA_DIR, REPO_ROOT, infraBicepFiles, infraFiles } from './files';

/** An ARM template as `bicep build` writes it. */
export type ArmTemplate = Record<string, unknown>;

export interface CompiledInfra {
  readonly bicep: FoundBicep;
  /** main.bicep compiled now (compare with the committed infra/main.json). */
  readonly main: ArmTemplate;
  /** Every module, by its path under infra/ (`modules/storage.bicep`). */
  readonly modules: Readonly<Record<string, ArmTemplate>>;
  /** Exit code and every diagnostic of `bicep build --pattern infra/**\/*.bicep`. */
  readonly build: { status: number; diagnostics: string[] };
  /** Exit code and every diagnostic of `bicep lint --pattern infra/**\/*.bicep`. */
  readonly lint: { status: number; diagnostics: string[] };
}

function inputHash(bicep: FoundBicep): string {
  const hash = createHash('sha256');
  // The executable's path, size and time stand for its version without starting it.
  const executable = statSync(bicep.path);
  hash.update(`${bicep.path}\n${executable.size}\n${executable.mtimeMs}\n`);
  // The committed main.json is an output, not an input: leaving it out keeps the cache stable
  // while infra:build rewrites it.
  const inputs = [...infraFiles().filter((f) => relative(INFRA_DIR, f) !== 'main.json' && !relative(INFRA_DIR, f).startsWith('tools/obj')), join(REPO_ROOT, 'shared', 'contract.json')];
  for (const file of inputs) hash.update(`${relative(REPO_ROOT, file)}\n`).update(readFileSync(file));
  return hash.digest('hex').slice(0, 20);
}

function compileInto(bicep: FoundBicep, dir: string): void {
  const staging = `${dir}.${process.pid}.tmp`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const build = runBicep(bicep, ['build', '--pattern', INFRA_PATTERN, '--outdir', join(staging, 'out')]);
  const lint = runBicep(bicep, ['lint', '--pattern', INFRA_PATTERN]);
  writeFileSync(join(staging, 'runs.json'), JSON.stringify({ build: { status: build.status, diagnostics: build.diagnostics }, lint: { status: lint.status, diagnostics: lint.diagnostics } }));
  try {
    renameSync(staging, dir);
  } catch {
    // Another worker finished first with the same inputs: its output is as good as ours.
    rmSync(staging, { recursive: true, force: true });
  }
}

let cached: CompiledInfra | undefined;

/** infra/ compiled (from the cache when its inputs are unchanged), or undefined without a Bicep CLI. */
export function compiledInfra(): CompiledInfra | undefined {
  if (cached !== undefined) return cached;
  const bicep = findBicep();
  if (bicep === undefined) return undefined;
  const dir = join(tmpdir(), `vaultlink-bicep-${inputHash(bicep)}`);
  if (!existsSync(join(dir, 'runs.json'))) compileInto(bicep, dir);
  const runs = JSON.parse(readFileSync(join(dir, 'runs.json'), 'utf8')) as Pick<CompiledInfra, 'build' | 'lint'>;
  const out = join(dir, 'out');
  const read = (path: string): ArmTemplate => JSON.parse(readFileSync(path, 'utf8')) as ArmTemplate;
  const modules: Record<string, ArmTemplate> = {};
  for (const file of infraBicepFiles()) {
    const name = relative(INFRA_DIR, file);
    const json = join(out, name.replace(/\.bicep$/, '.json'));
    if (name !== 'main.bicep' && existsSync(json)) modules[name] = read(json);
  }
  const mainJson = join(out, 'main.json');
  cached = { bicep, main: existsSync(mainJson) ? read(mainJson) : {}, modules, ...runs };
  return cached;
}

/** The names of the compiled outputs present (for a test that every file compiled). */
export function compiledOutputs(): string[] {
  const compiled = compiledInfra();
  if (compiled === undefined) return [];
  return [...Object.keys(compiled.modules), ...(Object.keys(compiled.main).length > 0 ? ['main.bicep'] : [])].sort();
}

/**
 * `describe` for tests that need the compiled templates. Without a Bicep CLI they are skipped,
 * and the run says so in one line (once per run, whatever the number of workers); under CI=true
 * a missing CLI is a failing test instead, because CI must have compiled.
 */
export function describeCompiled(name: string, body: (compiled: () => CompiledInfra) => void): void {
  const compiled = compiledInfra();
  if (compiled !== undefined) {
    describe(name, () => body(() => compiled));
    return;
  }
  if (process.env.CI === 'true') {
    describe(name, () => {
      it('has a Bicep CLI (CI=true: the compiled-template tests must run)', () => {
        throw new Error(HOW_TO_GET_BICEP);
      });
    });
    return;
  }
  sayOnceSkipped();
  // Jest's own skip, so the summary counts these tests as skipped rather than passed.
  describe.skip(name, () => body(() => {
    throw new Error(HOW_TO_GET_BICEP);
  }));
}

function sayOnceSkipped(): void {
  // Every worker of one run shares the parent process: one marker per run.
  const marker = join(tmpdir(), `vaultlink-bicep-missing-${process.env.JEST_WORKER_ID === undefined ? process.pid : process.ppid}`);
  try {
    writeFileSync(marker, '', { flag: 'wx' });
    process.stderr.write(`infra tests on the compiled templates skipped: ${HOW_TO_GET_BICEP}\n`);
  } catch {
    // Another test file of this run already said it.
  }
}
