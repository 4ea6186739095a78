/**
 * `npm run emulator -- --port 0`: runs the emulator standalone. Prints ONE JSON line
 * `{"endpoint","caFile","tenantId","subscriptionId","ownerToken"}` on stdout (so a script can read
 * it), then serves until SIGINT or SIGTERM. The control API is at `<endpoint>/_emulator/`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { startEmulator } from './index';

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
    .addHelpText(
      'after',
      '\nPrints one JSON line {"endpoint","caFile","tenantId","subscriptionId","ownerToken"} and serves until SIGINT/SIGTERM.\nControl API (no token): <endpoint>/_emulator/… — see emulator/README.md.',
    )
    .parse(argv, { from: 'user' });
  const o = program.opts<{ port: number; host: string; seed: number; tenantId?: string; subscriptionId?: string; ownerPrincipalId?: string; caFile?: string }>();

  const emulator = await startEmulator({
    port: o.port,
    host: o.host,
    seed: o.seed,
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
