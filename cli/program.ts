/**
 * The vaultlink command line: commander wiring, global options, and the one place where errors
 * become exit codes and stderr lines. Commands are plain async functions of (io, arguments,
 * options) returning an exit code, so tests run them in-process through {@link runCli}.
 */
import { Command, CommanderError, Option } from 'commander';
import { CONFIG_CHECK_FORMATS, checkConfig, type ConfigCheckFormat } from './commands/config-check';
import { DNS_EXPORT_FORMATS, dnsExportCommand, type DnsExportCommandOptions, type DnsExportFormat } from './commands/dns-export';
import { explainEvent } from './commands/explain-event';
import { replayDeadLetters, type ReplayDeadLettersOptions } from './commands/replay-dead-letters';
import { planCommand, type PlanOptions } from './commands/plan';
import type { ConnectBackend, ScanOptions } from './commands/scan';
import { parseSeed, simulateCommand } from './commands/simulate';
import { statusCommand, type StatusOptions } from './commands/status';
import { connectBackend } from './connect';
import { CliError, ExitCode, describeVerbose, messageOf, type ExitCodeValue } from './errors';
import { OUTPUT_FORMATS, type OutputFormat } from './format';
import packageJson from '../package.json';
import { DEFAULT_SCENARIO } from './scenarios';
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

/** What the commands reach the world through; tests replace parts of it. */
export interface CliDeps {
  readonly connect: ConnectBackend;
}

export const DEFAULT_DEPS: CliDeps = { connect: connectBackend };

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** The options `plan` and `status` share: scope, policy, and where Azure is. */
function addScanOptions(cmd: Command): Command {
  return cmd
    .option('--subscription <id>', 'a subscription to scan (repeatable; default: the policy\'s scope.subscriptions)', collect, [])
    .option('--vault <id>', 'one vault to look at (repeatable; a Recovery Services vault resource id)', collect, [])
    .option('--policy <file>', 'policy file (default: $VAULTLINK_POLICY_FILE or ./vaultlink.policy.json)')
    .addOption(outputOption())
    .option('--emulator', 'run against an embedded emulator holding the simulation\'s landing zone before vaultlink acted (no Azure needed)', false)
    .option('--endpoint <url>', 'ARM endpoint (default: the cloud\'s; e.g. a running emulator\'s https://127.0.0.1:PORT)')
    .option('--ca <file>', 'PEM certificate to trust for --endpoint (the emulator\'s caFile)')
    .option('--principal <id>', 'with --endpoint of an emulator: act as this principal (token from its /_emulator/tokens)')
    .option('--cloud <name>', 'AzurePublicCloud, AzureUSGovernment or AzureChinaCloud (default: $VAULTLINK_CLOUD or AzurePublicCloud)')
    .addHelpText('after', '\nCredentials: DefaultAzureCredential (az login, environment, managed identity) unless --emulator or --principal.');
}

type RawScanOptions = Omit<ScanOptions, 'policyGiven'> & { output: OutputFormat };

function scanOptionsOf(raw: RawScanOptions): ScanOptions & { output: OutputFormat } {
  return { ...raw, policyGiven: raw.policy !== undefined };
}

function registerSimulate(program: Command, ctx: CommandContext): void {
  program
    .command('simulate')
    .summary('the end-to-end simulation on the embedded Azure (npm run simulate)')
    .description(
      'Starts the embedded Azure emulator, lays out a landing zone (hub with the central private DNS zones, a spoke with a VNet, a VM and a new vault, a policy with an allowlist for the spoke team), ' +
        'deploys vaultlink (the real Event Grid handler and orchestrations on the local Durable driver, the real reconciler and SDK clients) and plays a scenario, ' +
        'printing a timeline (what happened, what vaultlink did, how long after the event) and the final checklist of every vault.',
    )
    .option('--scenario <name>', 'scenario to play (see --list-scenarios)', DEFAULT_SCENARIO)
    .option('--list-scenarios', 'list the scenarios and their expected outcome', false)
    .option('--seed <n>', 'seed of the faults and of Event Grid\'s delivery chaos (reproducible runs)', '1')
    .addOption(outputOption())
    .addHelpText('after', '\nJSON: {"converged", "vaults": [{"id", "checklist": {item: status}, "findings"}], "writes", "events"}.\nExit: 0 every vault converged and every backup succeeded; 1 otherwise; 2 bad options; 3 the simulation itself failed.')
    .action((raw: { scenario: string; listScenarios: boolean; seed: string; output: OutputFormat }) =>
      ctx.run(() => simulateCommand(ctx.io, { scenario: raw.scenario, listScenarios: raw.listScenarios, seed: parseSeed(raw.seed), output: raw.output, verbose: program.opts<GlobalOptions>().verbose === true })),
    );
}

function registerAzureCommands(program: Command, ctx: CommandContext, deps: CliDeps): void {
  addScanOptions(
    program
      .command('plan')
      .summary('observe every vault in scope and print the plan, findings and checklist (writes nothing unless --apply)')
      .description(
        'Observes every vault in scope (or --vault) and prints what vaultlink would do: the plan in stages, the findings a person must act on, and the checklist. ' +
          'Writes nothing. With --apply, applies the plan after showing it, in enforce mode whatever the policy says, and prints the outcomes and the checklist after.',
      )
      .option('--apply', 'apply the plan after showing it (enforce)', false),
  )
    .addHelpText('after', '\nExit: 0 nothing to do and every vault converged; 1 changes pending, not converged or findings (after applying, with --apply); 2 bad options or policy; 3 Azure failed.')
    .action((raw: RawScanOptions & { apply: boolean }) => ctx.run(() => planCommand(ctx.io, { ...scanOptionsOf(raw), apply: raw.apply } satisfies PlanOptions, deps.connect)));

  addScanOptions(
    program
      .command('status')
      .summary('the checklist of every vault in scope (observe + plan, writes nothing)')
      .description('Prints the per-vault checklist (what "converged" means, DESIGN.md) computed by observing Azure and planning, without writing. One --vault: the full checklist and findings; else one line per vault.'),
  )
    .addHelpText('after', '\nExit: 0 every vault converged; 1 some vault not converged; 2 bad options or policy; 3 Azure failed.')
    .action((raw: RawScanOptions) => ctx.run(() => statusCommand(ctx.io, scanOptionsOf(raw) satisfies StatusOptions, deps.connect)));

  const dns = program.command('dns').description('DNS for the vaults in scope').helpCommand(false);
  addScanOptions(
    dns
      .command('export')
      .summary('what a custom DNS server must serve: a zone file per zone, hosts lines, conditional forwarders (writes nothing)')
      .description(
        'Observes every vault in scope (or --vault) and prints the A records of their approved private endpoints (and Backup\'s _ecs/_prot endpoints): ' +
          'a zone file per zone, hosts-file lines, and the conditional forwarders to Azure DNS (168.63.129.16) for the backup, blob and queue namespaces ' +
          '(plus blob.storage.azure.net when Backup uses zone-partitioned storage names). For placement custom, or a DNS server vaultlink does not write. Writes nothing.',
      )
      .addOption(new Option('--format <part>', 'with table output: which part to print').choices(DNS_EXPORT_FORMATS as string[]).default('all')),
  )
    .addHelpText('after', '\nJSON: {"zones": [{"zone", "records": [{"zone", "name", "addresses", "publicFqdn", "privateLinkFqdn", "vaultId", "privateEndpointId"}]}], "hostsLines", "zoneFiles", "forwarders", "conflicts", "unnamed"}.\nExit: 0 exported; 1 a vault\'s zones cannot be named; 2 bad options or policy; 3 Azure failed.')
    .action((raw: RawScanOptions & { format: DnsExportFormat }) => ctx.run(() => dnsExportCommand(ctx.io, { ...scanOptionsOf(raw), format: raw.format } satisfies DnsExportCommandOptions, deps.connect)));
}

function registerReplayDeadLetters(program: Command, ctx: CommandContext): void {
  program
    .command('replay-dead-letters')
    .summary('deliver the events Event Grid dead-lettered to the app again, so their vaults are looked at')
    .description(
      'Reads the dead-lettered Event Grid events (one JSON array per blob) from a container of vaultlink\'s storage account, explains each (as explain-event), ' +
        'and posts the ones that concern a vault or a private endpoint to the app\'s Event Grid webhook, which re-reads Azure and signals the vaults. Ignored and invalid events are not replayed.',
    )
    .requiredOption('--container <name>', 'the dead-letter container (infra: eventgrid-deadletter)')
    .option('--account-url <url>', 'the storage account\'s blob endpoint, https://ACCOUNT.blob.core.windows.net (signs in with DefaultAzureCredential)')
    .option('--connection-string <string>', 'a storage connection string instead (default: $AZURE_STORAGE_CONNECTION_STRING), e.g. Azurite\'s')
    .option('--function-url <url>', 'the app\'s Event Grid webhook: https://HOST/runtime/webhooks/eventgrid?functionName=vaultlinkEvents&code=KEY')
    .option('--prefix <path>', 'only blobs under this path (topic/subscription/yyyy/MM/dd)')
    .option('--delete', 'delete each blob once its events are delivered', false)
    .option('--dry-run', 'read and explain only: deliver and delete nothing', false)
    .addOption(outputOption())
    .addHelpText('after', '\nExit: 0 every event that concerns a vault delivered (or read, with --dry-run); 1 some blob unreadable or some delivery failed; 2 bad options; 3 storage failed.')
    .action((raw: Omit<ReplayDeadLettersOptions, 'output'> & { output: OutputFormat }) => ctx.run(() => replayDeadLetters(ctx.io, raw)));
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
    .addOption(new Option('-o, --output <format>', 'output format; github: one ::error annotation per problem, for GitHub Actions').choices(CONFIG_CHECK_FORMATS as string[]).default('table'))
    .addHelpText('after', '\nExit: 0 valid; 2 refused (problems on stderr, in the JSON on stdout, or as GitHub annotations on stdout).')
    .action((file: string, opts: { output: ConfigCheckFormat }) => ctx.run(() => checkConfig(ctx.io, file, opts)));
}

/** Builds the program. `setExit` receives the exit code of the command that ran. */
export function buildProgram(io: CliIO, setExit: (code: ExitCodeValue) => void, deps: CliDeps = DEFAULT_DEPS): Command {
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
    .version(packageJson.version, '-V, --version', 'print the version')
    .option('--verbose', 'print stacks and causes of errors', false)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', EXIT_CODES_HELP);
  registerOfflineCommands(program, ctx);
  registerReplayDeadLetters(program, ctx);
  registerSimulate(program, ctx);
  registerAzureCommands(program, ctx, deps);
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
export async function runCli(argv: readonly string[], io: CliIO, deps: Partial<CliDeps> = {}): Promise<ExitCodeValue> {
  let exit: ExitCodeValue = ExitCode.ok;
  const program = buildProgram(io, (code) => (exit = code), { ...DEFAULT_DEPS, ...deps });
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
