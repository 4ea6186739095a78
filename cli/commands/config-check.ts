/**
 * `vaultlink config check FILE`: validates a policy file with the same loader the Functions app
 * uses at start, so that a file that passes here is a file the app accepts.
 */
import { resolve } from 'node:path';
import { loadPolicyFile, PolicyError, formatPolicyProblem, type Policy, type PolicyProblem } from '../../shared/config';
import { problemCount } from '../../shared/config/load';
import { ExitCode, type ExitCodeValue } from '../errors';
import { writeJson, type OutputFormat } from '../format';
import type { CliIO } from '../io';

/** `github`: GitHub Actions workflow commands, so that a pull request shows each problem on its line. */
export type ConfigCheckFormat = OutputFormat | 'github';
export const CONFIG_CHECK_FORMATS: readonly ConfigCheckFormat[] = ['table', 'json', 'github'];

export interface ConfigCheckOptions {
  readonly output: ConfigCheckFormat;
}

/** Escaping of workflow command data and properties (the runner's own rules: %, CR, LF; and : , in properties). */
function escapeData(value: string): string {
  return value.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
function escapeProperty(value: string): string {
  return escapeData(value).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** `::error file=…,line=…,col=…,title=…::message` for one problem (no line when the file could not be read). */
export function githubAnnotation(problem: PolicyProblem): string {
  const properties = [`file=${escapeProperty(problem.file)}`];
  if (problem.line !== undefined) properties.push(`line=${problem.line}`, `col=${problem.column ?? 1}`);
  properties.push(`title=${escapeProperty('vaultlink config check')}`);
  return `::error ${properties.join(',')}::${escapeData(`${problem.path}: expected ${problem.expected}, found ${problem.found}`)}`;
}

function summary(policy: Policy): string {
  const rules = policy.approval.rules.length;
  return [
    `mode ${policy.mode}`,
    `${policy.scope.subscriptions.length} subscription(s) in scope`,
    `${rules} approval rule(s), unmatched: ${policy.approval.unmatched}`,
    `dns placement ${policy.dns.placement}`,
    `roles profile ${policy.roles.profile}`,
  ].join(', ');
}

/** Exit 0 when the file is valid, 2 when it is refused (every problem on stderr, or in the JSON on stdout). */
export async function checkConfig(io: CliIO, file: string, options: ConfigCheckOptions): Promise<ExitCodeValue> {
  // Problems name the file as the user typed it; it is read relative to the working directory.
  const path = resolve(io.cwd, file);
  try {
    const policy = await loadPolicyFile(path);
    if (options.output === 'json') writeJson(io.stdout, { file, valid: true, problems: [], mode: policy.mode });
    else io.stdout.write(`${file}: valid (${summary(policy)})\n`);
    return ExitCode.ok;
  } catch (e) {
    if (!(e instanceof PolicyError)) throw e;
    const problems = e.problems.map((p) => ({ ...p, file }));
    // Past MAX_LISTED_PROBLEMS the rest are counted, not listed.
    if (options.output === 'json') writeJson(io.stdout, { file, valid: false, problems, omittedProblems: e.omittedProblems });
    else if (options.output === 'github') {
      const more = e.omittedProblems === 0 ? [] : [`::error file=${escapeProperty(file)},title=${escapeProperty('vaultlink config check')}::${escapeData(`… and ${e.omittedProblems} more problem(s) not listed`)}`];
      io.stdout.write(`${[...problems.map(githubAnnotation), ...more].join('\n')}\n`);
    }
    else {
      const more = e.omittedProblems === 0 ? '' : `  … and ${e.omittedProblems} more\n`;
      io.stderr.write(`${file}: refused (${problemCount(problems.length, e.omittedProblems)}):\n${problems.map((p) => `  ${formatPolicyProblem(p)}`).join('\n')}\n${more}`);
    }
    return ExitCode.usage;
  }
}
