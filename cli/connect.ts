/**
 * Binds `plan` and `status` to vaultlink's reconciler over real Azure (DefaultAzureCredential), an
 * ARM endpoint of your choice (`--endpoint`, `--ca`), a running emulator (`--endpoint` +
 * `--principal`: tokens from its control API), or an embedded emulator laid out like the
 * simulation's landing zone before vaultlink acts (`--emulator`).
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createAzureClients, type CreateAzureClientsOptions } from '../shared/azure';
import type { Policy } from '../shared/config';
import { AZURE_CLOUDS, type AzureCloud } from '../shared/domain/dns';
import { planVault } from '../shared/plan';
import { listVaultsInScope, observeAndPlan, observeVault, reconcileVault, type ReconcileContext } from '../shared/reconcile';
import type { VaultlinkBackend } from './backend';
import type { ConnectBackend, ConnectionOptions } from './commands/scan';
import { RuntimeError, UsageError, messageOf } from './errors';
import type { CliIO } from './io';
import { startEmbeddedLandingZone } from './simulation/embedded';

type TokenCredential = NonNullable<CreateAzureClientsOptions['credential']>;

export function cloudOf(io: CliIO, option: string | undefined): AzureCloud {
  const cloud = option ?? io.env['VAULTLINK_CLOUD'] ?? 'AzurePublicCloud';
  if (!(AZURE_CLOUDS as readonly string[]).includes(cloud)) throw new UsageError(`--cloud ${cloud}: expected one of ${AZURE_CLOUDS.join(', ')}`);
  return cloud as AzureCloud;
}

/** A backend over shared/reconcile with the given context. */
export function reconcilerBackend(ctx: ReconcileContext, close: () => Promise<void> = async () => undefined): VaultlinkBackend {
  return {
    policy: ctx.policy,
    cloud: ctx.cloud,
    listVaults: (subscriptionIds) => listVaultsInScope({ ...ctx, policy: { ...ctx.policy, scope: { ...ctx.policy.scope, subscriptions: [...subscriptionIds] } } }),
    planVault: async (vaultId) => (await observeAndPlan(ctx, vaultId)).plan,
    observeVault: (vaultId) => observeVault(ctx, vaultId),
    reconcileVault: (vaultId) => reconcileVault(ctx, vaultId),
    close,
  };
}

/** A token from a running emulator's control API (`POST /_emulator/tokens`), for `--principal`. */
async function emulatorTokenCredential(endpoint: string, ca: string | undefined, principalId: string): Promise<TokenCredential> {
  const https = await import('node:https');
  const url = new URL('/_emulator/tokens', endpoint);
  const body = JSON.stringify({ principalId });
  const token = await new Promise<string>((ok, fail) => {
    const req = https.request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }, ...(ca ? { ca } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode !== 200) return fail(new Error(`${url.href} answered ${res.statusCode}: ${text.slice(0, 200)}`));
        try {
          ok((JSON.parse(text) as { token: string }).token);
        } catch (e) {
          fail(e);
        }
      });
    });
    req.on('error', fail);
    req.end(body);
  });
  return { getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3600_000 }) };
}

async function readCa(io: CliIO, file: string | undefined): Promise<string | undefined> {
  if (file === undefined) return undefined;
  try {
    return await readFile(resolve(io.cwd, file), 'utf8');
  } catch (e) {
    throw new UsageError(`--ca ${file}: ${messageOf(e)}`, { cause: e });
  }
}

/** The default {@link ConnectBackend}. */
export const connectBackend: ConnectBackend = async (io, policy, options) => {
  const cloud = cloudOf(io, options.cloud);
  const enforced = (p: Policy): Policy => (options.enforce ? { ...p, mode: 'enforce' } : p);
  if (options.emulator) {
    if (options.endpoint !== undefined) throw new UsageError('--emulator and --endpoint exclude each other');
    const embedded = await startEmbeddedLandingZone();
    const azure = createAzureClients({ cloud, credential: embedded.credential, armEndpoint: embedded.endpoint, ca: embedded.ca, pollIntervalMs: 5 });
    // The embedded landing zone comes with its own policy (its ids are the emulator's) unless one is given.
    return reconcilerBackend({ azure, policy: enforced(policy ?? embedded.policy), cloud, planner: planVault }, embedded.close);
  }
  if (policy === undefined) throw new UsageError('a policy file is needed (--policy FILE)');
  const ca = await readCa(io, options.ca);
  if (options.principal !== undefined && options.endpoint === undefined) throw new UsageError('--principal needs --endpoint (an emulator)');
  let credential: TokenCredential | undefined;
  if (options.principal !== undefined && options.endpoint !== undefined) {
    try {
      credential = await emulatorTokenCredential(options.endpoint, ca, options.principal);
    } catch (e) {
      throw new RuntimeError(`getting an emulator token for ${options.principal}: ${messageOf(e)}`, { cause: e });
    }
  }
  let azure;
  try {
    azure = createAzureClients({ cloud, ...(credential ? { credential } : {}), ...(options.endpoint ? { armEndpoint: options.endpoint } : {}), ...(ca ? { ca } : {}) });
  } catch (e) {
    throw new UsageError(messageOf(e), { cause: e });
  }
  return reconcilerBackend({ azure, policy: enforced(policy), cloud, planner: planVault });
};

export type { ConnectionOptions };
