/**
 * Routing a resource hint to its vault(s): a small orchestration per resource (instance id from
 * the resource id, so a burst of events for one resource routes once) whose activity re-reads
 * Azure (with retries: ARM reads can be throttled) and which then signals each vault it concerns.
 * A private endpoint → its vault (a classic `_ecs`/`_prot` secondary maps to its primary's vault);
 * drift — an A record set or virtual network link written or deleted in the DNS zones' resource
 * group, a role assignment deleted — → the vault(s) vaultlink's ownership metadata and marker tie
 * it to (shared/reconcile `vaultsForDriftedResource`).
 *
 * The signal is sent by an activity, at the time it runs: its `sentAt` is then later than the
 * read, so the vault's next observation sees whatever the PE event announced.
 */
import type { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import type { OrchestrationContext, Task } from 'durable-functions';
import type { HintKind } from '../shared/domain/events';
import { currentTime } from './clock';
import { getVaultReconciler } from './deps';
import { getDurableClient } from './durable-client';
import { logDecision } from './log';
import { declareFunction } from './registry';
import { signalVault, type SignalResult } from './signal';
import { activityRetryOptions } from './vault-orchestration';

export const PRIVATE_ENDPOINT_ROUTER = 'vaultlinkPrivateEndpointRouter';
export const FIND_VAULTS_ACTIVITY = 'vaultlinkFindVaultsOfPrivateEndpoint';
export const SIGNAL_VAULT_ACTIVITY = 'vaultlinkSignalVault';

export interface PrivateEndpointRoutingInput {
  /** The resource the hint names (a private endpoint unless `kind` says otherwise). */
  readonly privateEndpointId: string;
  /** What the resource is; absent: a private endpoint (inputs of instances started before drift routing). */
  readonly kind?: Exclude<HintKind, 'vault'> | undefined;
  /** Why (the event's reason) and the event's correlation id, passed on to the vault signals. */
  readonly reason: string;
  readonly correlationId: string | null;
}

export interface SignalVaultInput {
  readonly vaultId: string;
  readonly reason: string;
  readonly correlationId: string | null;
}

export interface PrivateEndpointRoutingResult {
  readonly privateEndpointId: string;
  readonly vaultIds: readonly string[];
}

export async function findVaultsOfPrivateEndpointActivity(input: unknown, context: InvocationContext): Promise<string[]> {
  const { privateEndpointId, correlationId, kind } = input as PrivateEndpointRoutingInput;
  const reconciler = await getVaultReconciler();
  const vaultIds =
    kind === undefined || kind === 'private-endpoint'
      ? await reconciler.vaultsForPrivateEndpoint(privateEndpointId)
      : reconciler.vaultsForDriftedResource === undefined
        ? []
        : await reconciler.vaultsForDriftedResource(kind, privateEndpointId);
  logDecision(context, { decision: kind === undefined || kind === 'private-endpoint' ? 'private-endpoint.routed' : `${kind}.routed`, privateEndpointId, resourceId: privateEndpointId, correlationId, vaultIds });
  return vaultIds;
}

export async function signalVaultActivity(input: unknown, context: InvocationContext): Promise<SignalResult> {
  const { vaultId, reason, correlationId } = input as SignalVaultInput;
  const result = await signalVault(getDurableClient(context), vaultId, { sentAt: currentTime().toISOString(), reason, correlationId });
  logDecision(context, { decision: `signal.${result.delivery}`, vaultId, correlationId, reason, instanceId: result.instanceId });
  return result;
}

export function* privateEndpointRouter(context: OrchestrationContext): Generator<Task, PrivateEndpointRoutingResult, unknown> {
  const input = context.df.getInput<PrivateEndpointRoutingInput>();
  const retry = activityRetryOptions();
  const vaultIds = (yield context.df.callActivityWithRetry(FIND_VAULTS_ACTIVITY, retry, input)) as string[];
  if (vaultIds.length > 0) {
    yield context.df.Task.all(
      vaultIds.map((vaultId) => context.df.callActivityWithRetry(SIGNAL_VAULT_ACTIVITY, retry, { vaultId, reason: input.reason, correlationId: input.correlationId } satisfies SignalVaultInput)),
    );
  } else if (!context.df.isReplaying) {
    logDecision(context, { decision: 'private-endpoint.no-vault', privateEndpointId: input.privateEndpointId, correlationId: input.correlationId, reason: 'the private endpoint concerns no vault in scope (or no longer exists)' });
  }
  return { privateEndpointId: input.privateEndpointId, vaultIds };
}

declareFunction({ kind: 'orchestration', name: PRIVATE_ENDPOINT_ROUTER, orchestrator: privateEndpointRouter });
declareFunction({ kind: 'activity', name: FIND_VAULTS_ACTIVITY, options: { handler: findVaultsOfPrivateEndpointActivity } });
declareFunction({ kind: 'activity', name: SIGNAL_VAULT_ACTIVITY, options: { handler: signalVaultActivity, extraInputs: [df.input.durableClient()] } });
