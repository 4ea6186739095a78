/**
 * `vaultlink config check FILE`: validates a policy file with the same loader the Functions app
 * uses at start, so that a file that passes here is a file the app accepts.
 */
import { resolve } from 'node:path';
import { loadPolicyFile, PolicyError, formatPolicyProblem, type Policy } from '../../shared/config';
import { problemCount } from '../../shared/config/load';
import { ExitCode, type ExitCodeValue } from '../errors';
import { writeJson, type OutputFormat } from '../format';
import type { CliIO } from '../io';

export interface ConfigCheckOptions {
  readonly output: OutputFormat;
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
    else {
      const more = e.omittedProblems === 0 ? '' : `  … and ${e.omittedProblems} more\n`;
      io.stderr.write(`${file}: refused (${problemCount(problems.length, e.omittedProblems)}):\n${problems.map((p) => `  ${formatPolicyProblem(p)}`).join('\n')}\n${more}`);
    }
    return ExitCode.usage;
  }
}
