/**
 * Exit codes and the errors that carry them. Every command ends in exactly one of these codes,
 * so that scripts and CI can tell "vaultlink found something" from "vaultlink could not run".
 * Documented in docs/cli.md; keep the two in step.
 */
export const ExitCode = {
  /** The command did what was asked and found nothing to report (converged, valid, …). */
  ok: 0,
  /** The command ran, and the answer is "no": a vault not converged, findings, an invalid event, a failed backup. */
  notConverged: 1,
  /** Bad command line or bad input file (unknown option, unreadable or invalid JSON, policy refused). */
  usage: 2,
  /** Azure or the runtime failed: authentication, network, ARM errors, an unexpected exception. */
  runtime: 3,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** An error the CLI reports as one line on stderr (no stack unless --verbose), with its exit code. */
export class CliError extends Error {
  override readonly name: string = 'CliError';
  constructor(
    message: string,
    readonly exitCode: ExitCodeValue,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Bad command line or bad input: exit 2. */
export class UsageError extends CliError {
  override readonly name = 'UsageError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ExitCode.usage, options);
  }
}

/** Azure or the runtime failed: exit 3. */
export class RuntimeError extends CliError {
  override readonly name = 'RuntimeError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ExitCode.runtime, options);
  }
}

/** The message of anything thrown, without a stack. */
export function messageOf(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

/** The error, its stack and its chain of causes, for --verbose. */
export function describeVerbose(e: unknown): string {
  const lines: string[] = [];
  let current: unknown = e;
  for (let depth = 0; current !== undefined && depth < 10; depth++) {
    const prefix = depth === 0 ? '' : 'caused by: ';
    if (current instanceof Error) {
      lines.push(prefix + (current.stack ?? `${current.name}: ${current.message}`));
      current = current.cause;
    } else {
      lines.push(prefix + String(current));
      current = undefined;
    }
  }
  return lines.join('\n');
}
