/**
 * The Event Grid trigger: Microsoft.Resources events from subscription system topics (either
 * schema) → intake (shared/domain/events.ts) → hints → signals.
 *
 * - vault hint: signal that vault's orchestration;
 * - private endpoint hint: start the routing orchestration of that PE (it reads the PE in an
 *   activity, with retries, and signals the vault(s) it concerns);
 * - ignored / invalid: logged with the reason and acknowledged (retrying cannot make them useful).
 *
 * A failure to signal or to start routing throws after every hint of the delivery was tried, so
 * the Functions host fails the invocation and Event Grid retries the delivery and, in the end,
 * dead-letters it: nothing is lost silently. Duplicates are harmless: signals coalesce.
 */
import type { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import contract from '../shared/contract.json';
import { decodeDelivery, type EventIntake, type HintKind } from '../shared/domain/events';
import { keyOf } from '../shared/plan/order';
import { currentTime } from './clock';
import { getDurableClient, isActiveRuntimeStatus, tryGetInstanceStatus, type VaultlinkDurableClient } from './durable-client';
import { privateEndpointRoutingInstanceId, resourceRoutingInstanceId } from './instance-ids';
import { errorMessage, logDecision } from './log';
import { PRIVATE_ENDPOINT_ROUTER, type PrivateEndpointRoutingInput } from './private-endpoint-routing';
import { declareFunction } from './registry';
import { signalVault } from './signal';

export const EVENT_GRID_FUNCTION = contract.functions.eventGrid;

export interface HintDelivery {
  readonly kind: HintKind;
  readonly id: string;
  /** `raised`/`started`: the vault was signalled; `routing`: a routing orchestration started; `routing-in-progress`: one already runs for this resource. */
  readonly delivery: 'raised' | 'started' | 'routing' | 'routing-in-progress' | 'failed';
  readonly eventIds: readonly (string | null)[];
  readonly error?: string | undefined;
}

export interface DeliveryReport {
  readonly verdicts: readonly EventIntake[];
  readonly hints: readonly HintDelivery[];
}

/** Starts routing a resource hint (a PE, or drift), unless a routing orchestration for that resource is already running. */
export async function startPrivateEndpointRouting(
  client: VaultlinkDurableClient,
  privateEndpointId: string,
  reason: string,
  correlationId: string | null,
  kind: Exclude<HintKind, 'vault'> = 'private-endpoint',
): Promise<'routing' | 'routing-in-progress'> {
  const instanceId = kind === 'private-endpoint' ? privateEndpointRoutingInstanceId(privateEndpointId) : resourceRoutingInstanceId(privateEndpointId);
  const status = await tryGetInstanceStatus(client, instanceId);
  // a running router has yet to signal (it signals after reading): this hint is covered
  if (status !== undefined && isActiveRuntimeStatus(status.runtimeStatus)) return 'routing-in-progress';
  const input: PrivateEndpointRoutingInput = { privateEndpointId, reason, correlationId, ...(kind === 'private-endpoint' ? {} : { kind }) };
  try {
    await client.startNew(PRIVATE_ENDPOINT_ROUTER, { instanceId, input });
    return 'routing';
  } catch (e) {
    const now = await tryGetInstanceStatus(client, instanceId);
    if (now !== undefined && isActiveRuntimeStatus(now.runtimeStatus)) return 'routing-in-progress';
    throw e;
  }
}

/**
 * Handles one delivery (an array of events, or the single event the trigger hands over): one
 * signal per distinct vault and one routing per distinct PE, whatever the duplicates. Throws after
 * trying them all when any failed.
 */
export async function handleEventGridDelivery(delivery: unknown, context: InvocationContext): Promise<DeliveryReport> {
  const verdicts = await decodeDelivery(delivery);
  const grouped = new Map<string, { kind: HintKind; id: string; reason: string; correlationId: string | null; eventIds: (string | null)[] }>();
  for (const v of verdicts) {
    const base = { eventId: v.id, eventType: v.eventType, subject: v.subject, correlationId: v.correlationId, reason: v.reason };
    if (v.status !== 'hint' || v.hint === null) {
      logDecision(context, { decision: `event.${v.status}`, ...base }, v.status === 'invalid' ? 'warn' : 'info');
      continue;
    }
    logDecision(context, { decision: 'event.hint', ...base, hint: v.hint, ...(v.hint.kind === 'vault' ? { vaultId: v.hint.id } : v.hint.kind === 'private-endpoint' ? { privateEndpointId: v.hint.id } : { resourceId: v.hint.id }) });
    const key = `${v.hint.kind}|${keyOf(v.hint.id)}`;
    const existing = grouped.get(key);
    if (existing) existing.eventIds.push(v.id);
    else grouped.set(key, { kind: v.hint.kind, id: v.hint.id, reason: v.reason, correlationId: v.correlationId, eventIds: [v.id] });
  }

  const client = grouped.size > 0 ? getDurableClient(context) : undefined;
  const hints: HintDelivery[] = [];
  for (const hint of grouped.values()) {
    if (client === undefined) break;
    try {
      if (hint.kind === 'vault') {
        const result = await signalVault(client, hint.id, { sentAt: currentTime().toISOString(), reason: hint.reason, correlationId: hint.correlationId });
        hints.push({ kind: hint.kind, id: hint.id, delivery: result.delivery, eventIds: hint.eventIds });
        logDecision(context, { decision: `signal.${result.delivery}`, vaultId: hint.id, correlationId: hint.correlationId, instanceId: result.instanceId, eventIds: hint.eventIds });
      } else {
        const delivery = await startPrivateEndpointRouting(client, hint.id, hint.reason, hint.correlationId, hint.kind);
        hints.push({ kind: hint.kind, id: hint.id, delivery, eventIds: hint.eventIds });
        logDecision(context, { decision: `${hint.kind}.${delivery}`, ...(hint.kind === 'private-endpoint' ? { privateEndpointId: hint.id } : { resourceId: hint.id }), correlationId: hint.correlationId, eventIds: hint.eventIds });
      }
    } catch (e) {
      hints.push({ kind: hint.kind, id: hint.id, delivery: 'failed', eventIds: hint.eventIds, error: errorMessage(e) });
      logDecision(context, { decision: 'signal.failed', ...(hint.kind === 'vault' ? { vaultId: hint.id } : { privateEndpointId: hint.id }), correlationId: hint.correlationId, error: errorMessage(e), eventIds: hint.eventIds }, 'error');
    }
  }
  const failed = hints.filter((h) => h.delivery === 'failed');
  if (failed.length > 0) {
    // fail the invocation: Event Grid redelivers (and dead-letters in the end)
    throw new Error(`could not signal ${failed.length} of ${hints.length} hint(s): ${failed.map((h) => `${h.id}: ${h.error}`).join('; ')}`);
  }
  return { verdicts, hints };
}

/** The registered handler: the host hands over one event per invocation. */
export async function eventGridHandler(event: unknown, context: InvocationContext): Promise<void> {
  await handleEventGridDelivery(event, context);
}

declareFunction({ kind: 'eventGrid', name: EVENT_GRID_FUNCTION, options: { handler: eventGridHandler, extraInputs: [df.input.durableClient()] } });
