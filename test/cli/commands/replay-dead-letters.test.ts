/**
 * `vaultlink replay-dead-letters` against Azurite (started here, blob service only, on 127.0.0.1
 * with a free port, in memory) and a stand-in of the app's Event Grid webhook that runs the real
 * Event Grid handler: dead-lettered events come back in and their vaults are signalled.
 */
import { InvocationContext } from '@azure/functions';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { captureIO } from '../../../cli/io';
import { runCli } from '../../../cli/program';
import { setDurableClientFactory } from '../../../functions/durable-client';
import { EVENT_GRID_FUNCTION } from '../../../functions/event-grid';
import { getRegisteredFunction } from '../../../functions/registry';
import '../../../functions/workflows';
import { RecordingDurableClient } from '../../functions/recording-client';

const ROOT = join(__dirname, '..', '..', '..');
const CONTAINER = 'eventgrid-deadletter';
// The newest Azurite that runs on Node 20 (3.35) predates the API version of @azure/storage-blob 12.32: --skipApiVersionCheck.
// Azurite's published development account, read from the package rather than written here
// eslint-disable-next-line @typescript-eslint/no-require-imports
const azuriteAccount = require('azurite/dist/src/blob/utils/constants') as { EMULATOR_ACCOUNT_NAME: string; EMULATOR_ACCOUNT_KEY_STR: string };

function startAzurite(dir: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(
    process.execPath,
    [join(ROOT, 'node_modules', 'azurite', 'dist', 'src', 'blob', 'main.js'), '--blobHost', '127.0.0.1', '--blobPort', '0', '--inMemoryPersistence', '--disableTelemetry', '--silent', '--skipApiVersionCheck'],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`Azurite did not start: ${out}`)), 60_000);
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listens on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, port: Number(m[1]) });
      }
    });
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => reject(new Error(`Azurite exited with ${code}: ${out}`)));
  });
}

describe('vaultlink replay-dead-letters', () => {
  let dir: string;
  let azurite: ChildProcess;
  let connectionString: string;
  let container: ContainerClient;
  let webhook: Server;
  let functionUrl: string;
  let client: RecordingDurableClient;
  let restore: () => void;
  const posts: { headers: Record<string, string | string[] | undefined>; events: unknown[] }[] = [];
  const delivery = JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'events', 'derived', 'backup-delivery.event-grid.json'), 'utf8')) as Record<string, unknown>[];
  // what Event Grid adds to a dead-lettered event
  const deadLettered = delivery.map((e) => ({ ...e, deadLetterReason: 'MaxDeliveryAttemptsExceeded', deliveryAttempts: 30, lastDeliveryOutcome: 'Probation', publishTime: '2026-11-29T15:01:02Z', lastDeliveryAttemptTime: '2026-11-30T15:01:02Z' }));
  const ignoredOnly = [{ ...(delivery[0] as object), id: 'ignored-1', eventType: 'Microsoft.Resources.ResourceActionSuccess' }];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vaultlink-azurite-'));
    const started = await startAzurite(dir);
    azurite = started.child;
    const base = `http://127.0.0.1:${started.port}/${azuriteAccount.EMULATOR_ACCOUNT_NAME}`;
    connectionString = `DefaultEndpointsProtocol=http;AccountName=${azuriteAccount.EMULATOR_ACCOUNT_NAME};AccountKey=${azuriteAccount.EMULATOR_ACCOUNT_KEY_STR};BlobEndpoint=${base};`;
    container = BlobServiceClient.fromConnectionString(connectionString).getContainerClient(CONTAINER);
    await container.create();

    // the app's Event Grid webhook: each posted event through the registered handler, as the host does
    webhook = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        const events = JSON.parse(body) as unknown[];
        posts.push({ headers: req.headers, events });
        const handler = getRegisteredFunction(EVENT_GRID_FUNCTION, 'eventGrid').handler;
        Promise.all(events.map((e) => handler(e, new InvocationContext({ functionName: EVENT_GRID_FUNCTION, invocationId: 'r', logHandler: () => undefined })))).then(
          () => res.writeHead(200).end(),
          (e: unknown) => res.writeHead(500).end(String(e)),
        );
      });
    });
    await new Promise<void>((r) => webhook.listen(0, '127.0.0.1', r));
    functionUrl = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/runtime/webhooks/eventgrid?functionName=${EVENT_GRID_FUNCTION}`;
  }, 90_000);

  afterAll(async () => {
    azurite?.kill();
    await new Promise<void>((r) => (webhook ? webhook.close(() => r()) : r()));
    rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    client = new RecordingDurableClient();
    restore = setDurableClientFactory(() => client);
    posts.length = 0;
    for await (const b of container.listBlobsFlat()) await container.deleteBlob(b.name);
    const upload = (name: string, text: string) => container.getBlockBlobClient(name).upload(text, Buffer.byteLength(text));
    await upload('vaultlink-events/vaultlink/2026/11/30/15/dead-1.json', JSON.stringify(deadLettered));
    await upload('vaultlink-events/vaultlink/2026/11/30/16/ignored.json', JSON.stringify(ignoredOnly));
  });
  afterEach(() => restore?.());

  it('delivers the events that concern a vault or a private endpoint, and their vaults are signalled', async () => {
    const io = captureIO({ env: {} });
    const code = await runCli(['replay-dead-letters', '--container', CONTAINER, '--connection-string', connectionString, '--function-url', functionUrl, '--output', 'json'], io);
    expect(io.err()).toBe('');
    expect(code).toBe(0);
    const report = JSON.parse(io.out()) as { blobs: { blob: string; events: number; delivered: number; skipped: number; hints: string[]; deleted: boolean }[] };
    expect(report.blobs.map((b) => [b.blob.split('/').pop(), b.events, b.delivered, b.skipped, b.deleted])).toEqual([
      ['dead-1.json', 5, 5, 0, false],
      ['ignored.json', 1, 0, 1, false],
    ]);
    expect(posts.every((p) => p.headers['aeg-event-type'] === 'Notification' && p.events.length === 1)).toBe(true);
    // the real handler signalled the vault and started routing for the private endpoint
    const vault = client.calls.filter((c) => c.instanceId.startsWith('vault:')).map((c) => c.instanceId);
    expect(new Set(vault).size).toBe(1);
    expect(vault[0]).toMatch(/rsv-weu-01$/);
    expect(client.calls.some((c) => c.instanceId.startsWith('pe:'))).toBe(true);
    // blobs stay without --delete
    const left: string[] = [];
    for await (const b of container.listBlobsFlat()) left.push(b.name);
    expect(left).toHaveLength(2);
  });

  it('--dry-run reads and explains, delivers nothing; --delete removes the blobs it replayed', async () => {
    let io = captureIO({ env: { AZURE_STORAGE_CONNECTION_STRING: connectionString } });
    expect(await runCli(['replay-dead-letters', '--container', CONTAINER, '--dry-run'], io)).toBe(0);
    expect(io.out()).toContain('dry run: nothing delivered');
    expect(io.out()).toMatch(/vault \/subscriptions\/[^ ]+\/rsv-weu-01/);
    expect(posts).toEqual([]);

    io = captureIO({ env: { AZURE_STORAGE_CONNECTION_STRING: connectionString } });
    expect(await runCli(['replay-dead-letters', '--container', CONTAINER, '--function-url', functionUrl, '--delete', '--prefix', 'vaultlink-events/vaultlink/2026/11/30/15/'], io)).toBe(0);
    const left: string[] = [];
    for await (const b of container.listBlobsFlat()) left.push(b.name);
    expect(left).toEqual(['vaultlink-events/vaultlink/2026/11/30/16/ignored.json']);
  });

  it('reports a blob that is not JSON and exits 1; without a storage account it is a usage error', async () => {
    await container.getBlockBlobClient('x/broken.json').upload('not json', 8);
    let io = captureIO({ env: {} });
    expect(await runCli(['replay-dead-letters', '--container', CONTAINER, '--connection-string', connectionString, '--function-url', functionUrl], io)).toBe(1);
    expect(io.out()).toMatch(/cannot read blob eventgrid-deadletter\/x\/broken\.json/);
    io = captureIO({ env: {} });
    expect(await runCli(['replay-dead-letters', '--container', CONTAINER, '--function-url', functionUrl], io)).toBe(2);
    expect(io.err()).toMatch(/--account-url/);
  });
});
