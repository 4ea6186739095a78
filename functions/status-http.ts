/**
 * HTTP status (function-level key): what every vault orchestration last published.
 *
 *   GET /api/vaults                                              → { configuration, vaults: VaultListEntry[] }
 *   GET /api/vaults/{subscriptionId}/{resourceGroup}/{vaultName} → VaultStatus + runtime status (404 when unknown)
 *
 * Answers come from the orchestrations' state through the durable client; nothing reads Azure.
 * `configuration` says whether the app settings and the policy file are usable (with the error
 * naming the setting or JSON path when not): a bad setting is reported here, not by a dead app.
 */
import { type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import contract from '../shared/contract.json';
import { InvalidResourceIdError, resourceInGroupId } from '../shared/domain/ids';
import { byCodePoint, keyOf } from '../shared/plan/order';
import { getDurableClient, tryGetInstanceStatus, type OrchestrationInstanceStatus } from './durable-client';
import { isVaultInstanceId, vaultInstanceId } from './instance-ids';
import { declareFunction } from './registry';
import { VAULT_ORCHESTRATOR } from './signal';
import { asVaultStatus, type VaultListEntry, type VaultStatus } from './vault-status';
import { configurationStatus, type ConfigurationStatus } from './configuration';
import { logDecision } from './log';

export const STATUS_LIST_FUNCTION = contract.functions.statusList;
export const STATUS_VAULT_FUNCTION = contract.functions.statusVault;

function json(status: number, body: unknown): HttpResponseInit {
  return { status, jsonBody: body, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' } };
}

function inputVaultId(input: unknown): string | undefined {
  if (typeof input === 'object' && input !== null && typeof (input as { vaultId?: unknown }).vaultId === 'string') return (input as { vaultId: string }).vaultId;
  return undefined;
}

function toDateString(value: Date | string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return value instanceof Date ? value.toISOString() : value;
}

function listEntry(instance: OrchestrationInstanceStatus): VaultListEntry | undefined {
  const status = asVaultStatus(instance.customStatus);
  const vaultId = status?.vaultId ?? inputVaultId(instance.input);
  if (vaultId === undefined) return undefined;
  return {
    vaultId,
    instanceId: instance.instanceId,
    runtimeStatus: instance.runtimeStatus,
    mode: status?.mode,
    state: status?.state,
    converged: status?.converged ?? false,
    summary: status?.summary ?? 'no pass finished yet',
    lastPassAt: status?.lastPassAt,
    passInProgress: status?.passStartedAt !== undefined,
  };
}

export interface VaultOverview {
  readonly entry: VaultListEntry;
  /** The last published status (checklist, findings, last plan), when a pass has published one. */
  readonly status: VaultStatus | undefined;
}

/** Every vault orchestration's entry and full status, sorted by vault id (the list API and the dashboard share it). */
export async function collectVaultOverviews(context: InvocationContext): Promise<VaultOverview[]> {
  const instances = await getDurableClient(context).getStatusAll();
  return instances
    .filter((i) => i.name === VAULT_ORCHESTRATOR && isVaultInstanceId(i.instanceId))
    .map((i) => ({ entry: listEntry(i), status: asVaultStatus(i.customStatus) }))
    .filter((o): o is VaultOverview => o.entry !== undefined)
    .sort((a, b) => byCodePoint(keyOf(a.entry.vaultId), keyOf(b.entry.vaultId)));
}

/** The configuration's health, logged as an error when it is broken (the status API is often the first place anyone looks). */
export async function reportConfiguration(context: InvocationContext): Promise<ConfigurationStatus> {
  const configuration = await configurationStatus();
  if (!configuration.ok) logDecision(context, { decision: 'configuration.invalid', error: configuration.error }, 'error');
  return configuration;
}

export async function listVaultStatuses(_request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const [overviews, configuration] = await Promise.all([collectVaultOverviews(context), reportConfiguration(context)]);
  return json(200, { configuration, vaults: overviews.map((o) => o.entry) });
}

export async function getVaultStatus(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const { subscriptionId = '', resourceGroup = '', vaultName = '' } = request.params;
  let vaultId: string;
  try {
    vaultId = resourceInGroupId(subscriptionId, resourceGroup, 'Microsoft.RecoveryServices/vaults', vaultName);
  } catch (e) {
    if (e instanceof InvalidResourceIdError) return json(400, { error: { code: 'InvalidVaultId', message: e.message } });
    throw e;
  }
  const instance = await tryGetInstanceStatus(getDurableClient(context), vaultInstanceId(vaultId));
  if (instance === undefined) {
    return json(404, { error: { code: 'VaultNotKnown', message: `vaultlink has no orchestration for vault ${vaultId}: it is not in scope, or no event or sweep has reached it yet` } });
  }
  const status = asVaultStatus(instance.customStatus);
  return json(200, {
    vaultId: status?.vaultId ?? vaultId,
    instanceId: instance.instanceId,
    runtimeStatus: instance.runtimeStatus,
    createdTime: toDateString(instance.createdTime),
    lastUpdatedTime: toDateString(instance.lastUpdatedTime),
    status: status ?? null,
  });
}

declareFunction({ kind: 'http', name: STATUS_LIST_FUNCTION, options: { methods: ['GET'], authLevel: 'function', route: 'vaults', extraInputs: [df.input.durableClient()], handler: listVaultStatuses } });
declareFunction({
  kind: 'http',
  name: STATUS_VAULT_FUNCTION,
  options: { methods: ['GET'], authLevel: 'function', route: 'vaults/{subscriptionId}/{resourceGroup}/{vaultName}', extraInputs: [df.input.durableClient()], handler: getVaultStatus },
});
