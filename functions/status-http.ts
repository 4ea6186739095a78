/**
 * HTTP status (function-level key): what every vault orchestration last published.
 *
 *   GET /api/vaults                                              → { vaults: VaultListEntry[] }
 *   GET /api/vaults/{subscriptionId}/{resourceGroup}/{vaultName} → VaultStatus + runtime status (404 when unknown)
 *
 * Answers come from the orchestrations' state through the durable client; nothing reads Azure.
 */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import contract from '../shared/contract.json';
import { InvalidResourceIdError, resourceInGroupId } from '../shared/domain/ids';
import { getDurableClient, tryGetInstanceStatus, type OrchestrationInstanceStatus } from './durable-client';
import { isVaultInstanceId, vaultInstanceId } from './instance-ids';
import { rememberTrigger } from './registry';
import { VAULT_ORCHESTRATOR } from './signal';
import { asVaultStatus, type VaultListEntry } from './vault-status';

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

export async function listVaultStatuses(_request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const instances = await getDurableClient(context).getStatusAll();
  const vaults = instances
    .filter((i) => i.name === VAULT_ORCHESTRATOR && isVaultInstanceId(i.instanceId))
    .map(listEntry)
    .filter((e): e is VaultListEntry => e !== undefined)
    .sort((a, b) => (a.vaultId.toLowerCase() < b.vaultId.toLowerCase() ? -1 : a.vaultId.toLowerCase() > b.vaultId.toLowerCase() ? 1 : 0));
  return json(200, { vaults });
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

app.http(STATUS_LIST_FUNCTION, { methods: ['GET'], authLevel: 'function', route: 'vaults', extraInputs: [df.input.durableClient()], handler: listVaultStatuses });
app.http(STATUS_VAULT_FUNCTION, {
  methods: ['GET'],
  authLevel: 'function',
  route: 'vaults/{subscriptionId}/{resourceGroup}/{vaultName}',
  extraInputs: [df.input.durableClient()],
  handler: getVaultStatus,
});
rememberTrigger(STATUS_LIST_FUNCTION, 'http', listVaultStatuses);
rememberTrigger(STATUS_VAULT_FUNCTION, 'http', getVaultStatus);
