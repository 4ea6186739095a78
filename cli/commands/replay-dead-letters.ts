/**
 * `vaultlink replay-dead-letters --container NAME --function-url URL`: Event Grid keeps the events
 * it could not deliver for a day as blobs in vaultlink's storage account (container
 * `eventgrid-deadletter`, one JSON array per blob). This reads them, runs each through the event
 * intake (what `explain-event` prints), and delivers the events that concern a vault or a private
 * endpoint to the app's Event Grid webhook again — the same path Event Grid itself takes, so the
 * app re-reads Azure and signals the vaults; nothing here acts on the payloads.
 *
 * Storage: `--account-url https://ACCOUNT.blob.core.windows.net` with `DefaultAzureCredential`
 * (Storage Blob Data Reader on the container; Contributor for --delete), or a connection string
 * (`--connection-string`, or AZURE_STORAGE_CONNECTION_STRING) — e.g. Azurite's.
 */
import { DefaultAzureCredential } from '@azure/identity';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { decodeDelivery, type EventIntake } from '../../shared/domain';
import { CliError, ExitCode, UsageError, messageOf, type ExitCodeValue } from '../errors';
import { formatTable, writeJson, type OutputFormat } from '../format';
import type { CliIO } from '../io';

export interface ReplayDeadLettersOptions {
  readonly container: string;
  readonly accountUrl?: string | undefined;
  readonly connectionString?: string | undefined;
  /** The Event Grid webhook of the app: https://HOST/runtime/webhooks/eventgrid?functionName=vaultlinkEvents&code=KEY */
  readonly functionUrl?: string | undefined;
  readonly prefix?: string | undefined;
  /** Delete each blob whose events were all delivered (or had nothing to replay). */
  readonly delete?: boolean | undefined;
  /** Read and explain only: deliver nothing, delete nothing. */
  readonly dryRun?: boolean | undefined;
  readonly output: OutputFormat;
}

export interface ReplayedBlob {
  readonly blob: string;
  readonly events: number;
  /** The vaults and private endpoints the events concern (what the app will look at again). */
  readonly hints: string[];
  readonly delivered: number;
  readonly skipped: number;
  readonly failed: { readonly eventId: string | null; readonly error: string }[];
  readonly deleted: boolean;
  /** Why the blob could not be read (not JSON, …). */
  readonly error?: string;
}

/** Posts one event as Event Grid does (`aeg-event-type: Notification`, an array of one). */
export type EventPoster = (url: string, event: unknown) => Promise<void>;

export const postEvent: EventPoster = async (url, event) => {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'aeg-event-type': 'Notification' }, body: JSON.stringify([event]) });
  if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText}${await res.text().then((t) => (t ? `: ${t.slice(0, 200)}` : ''), () => '')}`);
};

function containerClient(io: CliIO, options: ReplayDeadLettersOptions): ContainerClient {
  const connectionString = options.connectionString ?? io.env.AZURE_STORAGE_CONNECTION_STRING;
  if (options.accountUrl !== undefined && connectionString !== undefined && options.connectionString !== undefined) {
    throw new UsageError('give either --account-url or --connection-string, not both');
  }
  if (options.accountUrl !== undefined) return new BlobServiceClient(options.accountUrl, new DefaultAzureCredential()).getContainerClient(options.container);
  if (connectionString !== undefined && connectionString.trim() !== '') return BlobServiceClient.fromConnectionString(connectionString).getContainerClient(options.container);
  throw new UsageError('which storage account? --account-url https://ACCOUNT.blob.core.windows.net (signs in with DefaultAzureCredential), or --connection-string / AZURE_STORAGE_CONNECTION_STRING');
}

function describeHint(v: EventIntake): string | undefined {
  return v.hint === null ? undefined : `${v.hint.kind} ${v.hint.id}`;
}

async function replayBlob(container: ContainerClient, name: string, options: ReplayDeadLettersOptions, post: EventPoster): Promise<ReplayedBlob> {
  const blob = container.getBlobClient(name);
  let events: unknown[];
  try {
    const text = (await blob.downloadToBuffer()).toString('utf8');
    const parsed = JSON.parse(text) as unknown;
    events = Array.isArray(parsed) ? parsed : [parsed];
  } catch (e) {
    return { blob: name, events: 0, hints: [], delivered: 0, skipped: 0, failed: [], deleted: false, error: `cannot read blob ${options.container}/${name}: ${messageOf(e)}` };
  }
  const verdicts = await decodeDelivery(events);
  const hints = [...new Set(verdicts.map(describeHint).filter((h): h is string => h !== undefined))];
  let delivered = 0;
  let skipped = 0;
  const failed: { eventId: string | null; error: string }[] = [];
  for (const [i, verdict] of verdicts.entries()) {
    // ignored and invalid events would be acknowledged and dropped by the app: nothing to replay
    if (verdict.status !== 'hint' || options.dryRun === true) {
      skipped++;
      continue;
    }
    try {
      await post(options.functionUrl as string, events[i]);
      delivered++;
    } catch (e) {
      failed.push({ eventId: verdict.id, error: messageOf(e) });
    }
  }
  let deleted = false;
  if (options.delete === true && options.dryRun !== true && failed.length === 0) {
    await blob.delete();
    deleted = true;
  }
  return { blob: name, events: events.length, hints, delivered, skipped, failed, deleted };
}

/** Exit 0 when every hint was delivered (or, with --dry-run, read), 1 when some delivery or blob failed, 2 on bad options, 3 when storage fails. */
export async function replayDeadLetters(io: CliIO, options: ReplayDeadLettersOptions, post: EventPoster = postEvent): Promise<ExitCodeValue> {
  if (options.dryRun !== true) {
    if (options.functionUrl === undefined) throw new UsageError('--function-url is required (the app\'s Event Grid webhook: https://HOST/runtime/webhooks/eventgrid?functionName=vaultlinkEvents&code=KEY), or --dry-run to only read');
    let url: URL;
    try {
      url = new URL(options.functionUrl);
    } catch {
      throw new UsageError(`--function-url ${JSON.stringify(options.functionUrl)} is not a URL`);
    }
    if (url.protocol !== 'https:' && !['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) throw new UsageError(`--function-url must be https (plain http only to this machine), found ${url.protocol}//${url.host}`);
  }
  const container = containerClient(io, options);
  const results: ReplayedBlob[] = [];
  try {
    for await (const item of container.listBlobsFlat(options.prefix === undefined ? {} : { prefix: options.prefix })) {
      results.push(await replayBlob(container, item.name, options, post));
    }
  } catch (e) {
    throw new CliError(`reading container ${options.container}: ${messageOf(e)}`, ExitCode.runtime, { cause: e });
  }
  const failedBlobs = results.filter((r) => r.error !== undefined || r.failed.length > 0);
  if (options.output === 'json') {
    writeJson(io.stdout, { container: options.container, dryRun: options.dryRun === true, blobs: results });
  } else {
    const rows = results.map((r) => [r.blob, String(r.events), String(r.delivered), r.error ?? (r.failed.length > 0 ? `${r.failed.length} failed: ${r.failed[0]?.error}` : r.deleted ? 'delivered, blob deleted' : options.dryRun ? 'read (dry run)' : 'delivered'), r.hints.join(', ') || '-']);
    io.stdout.write(formatTable(['BLOB', 'EVENTS', 'DELIVERED', 'RESULT', 'CONCERNS'], rows));
    const total = results.reduce((n, r) => n + r.delivered, 0);
    io.stdout.write(`\n${results.length} dead-letter blob(s) in ${options.container}; ${options.dryRun ? 'dry run: nothing delivered' : `${total} event(s) delivered to the app`}${failedBlobs.length > 0 ? `; ${failedBlobs.length} blob(s) with failures` : ''}\n`);
  }
  return failedBlobs.length > 0 ? ExitCode.notConverged : ExitCode.ok;
}
