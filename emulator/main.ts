/**
 * `npm run emulator -- --port 0`: runs the emulator standalone. Prints ONE JSON line
 * `{"endpoint","caFile","tenantId","subscriptionId","ownerToken"}` on stdout (so a script can read
 * it), then serves until SIGINT or SIGTERM. The control API is at `<endpoint>/_emulator/`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { DEFAULT_LATENCY_SCALE, startEmulator, type LatencyProfileName } from './index';

function profile(value: string): LatencyProfileName {
  if (value !== 'none' && value !== 'azure') throw new InvalidArgumentError('latency must be none or azure.');
  return value;
}

function scale(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 10) throw new InvalidArgumentError('latency-scale must be a number from 0 to 10.');
  return n;
}

function integer(name: string, min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${name} must be an integer from ${min} to ${max}.`);
    return n;
  };
}

export async function main(argv: readonly string[]): Promise<void> {
  const program = new Command()
    .name('emulator')
    .description('The embedded Azure (ARM over HTTPS on 127.0.0.1) that vaultlink tests and simulations run against.')
    .option('--port <port>', 'port to listen on (0: any free port)', integer('port', 0, 65535), 0)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--seed <seed>', 'seed of the fault and event-delivery PRNGs', integer('seed', 0, 2 ** 32 - 1), 1)
    .option('--tenant-id <id>', 'tenant id (default: a new GUID)')
    .option('--subscription-id <id>', 'id of the first subscription (default: a new GUID)')
    .option('--owner-principal-id <id>', 'object id of the subscription owner (default: a new GUID)')
    .option('--ca-file <path>', 'where to write the CA certificate (PEM); default: a new temporary file')
    .option('--latency <profile>', 'operation latency: none or azure (identity PUT 5–30 s, role assignment 1–3 s, approval 10–60 s, PE creation 30–90 s, DNS writes 1–2 s)', profile, 'none')
    .option('--latency-scale <factor>', "emulated seconds → real seconds for the latency profile and every Retry-After (default 1 with --latency azure, else 0.001)", scale)
    .option('--page-size <n>', 'items per page of paged lists', integer('page-size', 1, 1000), 2)
    .option('--no-rate-limits', "turn off ARM's per-principal token buckets (250 reads, 25/s; 200 writes, 10/s)")
    .addHelpText(
      'after',
      '\nPrints one JSON line {"endpoint","caFile","tenantId","subscriptionId","ownerToken"} and serves until SIGINT/SIGTERM.\nControl API (no token): <endpoint>/_emulator/… — see emulator/README.md.',
    )
    .parse(argv, { from: 'user' });
  const o = program.opts<{
    port: number;
    host: string;
    seed: number;
    tenantId?: string;
    subscriptionId?: string;
    ownerPrincipalId?: string;
    caFile?: string;
    latency: LatencyProfileName;
    latencyScale?: number;
    pageSize: number;
    rateLimits: boolean;
  }>();

  const emulator = await startEmulator({
    port: o.port,
    host: o.host,
    seed: o.seed,
    latency: o.latency,
    // Someone who asks for Azure's latency from the command line wants Azure's pace unless told otherwise.
    latencyScale: o.latencyScale ?? (o.latency === 'azure' ? 1 : DEFAULT_LATENCY_SCALE),
    pageSize: o.pageSize,
    ...(o.rateLimits ? {} : { rateLimits: false as const }),
    ...(o.tenantId ? { tenantId: o.tenantId } : {}),
    ...(o.subscriptionId ? { subscriptionId: o.subscriptionId } : {}),
    ...(o.ownerPrincipalId ? { ownerPrincipalId: o.ownerPrincipalId } : {}),
  });
  const tempDir = o.caFile ? undefined : mkdtempSync(join(tmpdir(), 'vaultlink-emulator-'));
  const caFile = o.caFile ?? join(tempDir as string, 'ca.pem');
  writeFileSync(caFile, emulator.ca);
  process.stdout.write(
    JSON.stringify({ endpoint: emulator.endpoint, caFile, tenantId: emulator.tenantId, subscriptionId: emulator.subscriptionId, ownerToken: emulator.ownerToken }) + '\n',
  );

  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await emulator.close();
  if (tempDir) rmSync(tempDir, { recursive: true, force: true });
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    process.stderr.write(`emulator: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
