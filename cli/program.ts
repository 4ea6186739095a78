/**
 * The vaultlink command line: commander wiring, global options, and the one place where errors
 * become exit codes and stderr lines. Commands are plain async functions of (io, arguments,
 * options) returning an exit code, so tests run them in-process through {@link runCli}.
 */
import { Command, CommanderError, Option } from 'commander';
import { checkConfig } from './commands/config-check';
import { explainEvent } from './commands/explain-event';
import { CliError, ExitCode, describeVerbose, messageOf, type ExitCodeValue } from './errors';
import { OUTPUT_FORMATS, type OutputFormat } from './format';
import type { CliIO } from './io';

/** Options every command accepts (commander recognises them before or after the command name). */
export interface GlobalOptions {
  readonly verbose: boolean;
}

/** What a command registrar gets: the IO, and a way to run the command's body under the error policy. */
export interface CommandContext {
  readonly io: CliIO;
  /** Runs a command body; its exit code (or its error's) becomes the CLI's. */
  run(body: () => Promise<ExitCodeValue>): Promise<void>;
}

export const EXIT_CODES_HELP = `
Exit codes:
  0  ok: done, nothing to report (converged, valid)
  1  the command ran and the answer is "no": not converged, findings, invalid events, failed backup
  2  usage: bad command line or bad input file (unreadable, not JSON, policy refused)
  3  runtime: Azure or the runtime failed (authentication, network, ARM errors)

Errors go to stderr as one line; --verbose adds stacks and causes.`;

export function outputOption(): Option {
  return new Option('-o, --output <format>', 'output format').choices(OUTPUT_FORMATS as string[]).default('table');
}

/** Command registrars added by later modules (plan, status, simulate); see {@link buildProgram}. */
export type CommandRegistrar = (program: Command, ctx: CommandContext) => void;

const registrars: CommandRegistrar[] = [];

/** Adds a command to every program built afterwards. */
export function registerCommand(registrar: CommandRegistrar): void {
  registrars.push(registrar);
}

function registerOfflineCommands(program: Command, ctx: CommandContext): void {
  program
    .command('explain-event')
    .summary('explain what vaultlink makes of an Event Grid delivery (offline)')
    .description(
      'Reads an Event Grid delivery (Event Grid schema or CloudEvents 1.0; an array or one event) from FILE, or stdin for "-", ' +
        'and prints per event whether it is a hint (which vault or private endpoint vaultlink would look at again), ignored, or invalid, and why. ' +
        'Offline: it runs the Event Grid handler\'s own intake and talks to no Azure.',
    )
    .argument('<file>', 'delivery JSON file, or - for stdin')
    .addOption(outputOption())
    .addHelpText('after', '\nExit: 0 every event a hint or ignored; 1 some event invalid; 2 unreadable input or not JSON.')
    .action((file: string, opts: { output: OutputFormat }) => ctx.run(() => explainEvent(ctx.io, file, opts)));

  const config = program.command('config').description('policy file tools').helpCommand(false);
  config
    .command('check')
    .description('Validates a policy file with the loader the Functions app uses; every problem names its file:line:column and JSON path.')
    .argument('<file>', 'policy file (vaultlink.policy.json)')
    .addOption(outputOption())
    .addHelpText('after', '\nExit: 0 valid; 2 refused (problems on stderr, or in the JSON on stdout).')
    .action((file: string, opts: { output: OutputFormat }) => ctx.run(() => checkConfig(ctx.io, file, opts)));
}

/** Builds the program. `setExit` receives the exit code of the command that ran. */
export function buildProgram(io: CliIO, setExit: (code: ExitCodeValue) => void): Command {
  const program = new Command('vaultlink');
  const verbose = (): boolean => program.opts<GlobalOptions>().verbose === true;
  const ctx: CommandContext = {
    io,
    run: async (body) => {
      try {
        setExit(await body());
      } catch (e) {
        reportError(io, e, verbose());
        setExit(e instanceof CliError ? e.exitCode : ExitCode.runtime);
      }
    },
  };
  program
    .description('Hands-off private endpoints for Azure Backup: plan, status, event intake and the end-to-end simulation.')
    .option('--verbose', 'print stacks and causes of errors', false)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', EXIT_CODES_HELP);
  registerOfflineCommands(program, ctx);
  for (const registrar of registrars) registrar(program, ctx);
  for (const cmd of allCommands(program)) cmd.exitOverride().configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
  return program;
}

function allCommands(cmd: Command): Command[] {
  return cmd.commands.flatMap((c) => [c, ...allCommands(c)]);
}

function reportError(io: CliIO, e: unknown, verbose: boolean): void {
  if (verbose) io.stderr.write(`vaultlink: error: ${describeVerbose(e)}\n`);
  else io.stderr.write(`vaultlink: error: ${messageOf(e)}\n`);
}

/**
 * Runs the CLI on user arguments (without `node` and the script) and resolves to the exit code.
 * Never throws and never exits the process: main.ts does that.
 */
export async function runCli(argv: readonly string[], io: CliIO): Promise<ExitCodeValue> {
  let exit: ExitCodeValue = ExitCode.ok;
  const program = buildProgram(io, (code) => (exit = code));
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exit;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help, help CMD, --version: 0. Everything else commander refuses is a usage error; a
      // bare `vaultlink` (or `vaultlink config`) prints help on stderr and is one too.
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return ExitCode.ok;
      if (e.code === 'commander.help') return e.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
      return ExitCode.usage;
    }
    reportError(io, e, argv.includes('--verbose'));
    return ExitCode.runtime;
  }
}
