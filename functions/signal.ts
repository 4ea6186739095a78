/**
 * Signalling a vault: "look at this vault again". The per-vault orchestration is a singleton
 * (instance id from the vault id); a signal is the external event {@link SIGNAL_EVENT} when the
 * instance is alive, else a start. Signals carry no instruction, only when and why they were
 * sent: the orchestration skips those its last observation already covered (coalescing).
 */
import contract from '../shared/contract.json';
import { normalizeResourceId } from '../shared/domain/ids';
import { isActiveRuntimeStatus, tryGetInstanceStatus, type VaultlinkDurableClient } from './durable-client';
import { vaultInstanceId } from './instance-ids';

/** Name of the external event that asks a vault orchestration for another pass. */
export const SIGNAL_EVENT = 'signal';

export const VAULT_ORCHESTRATOR = contract.functions.orchestrator;

export interface VaultSignal {
  /** ISO time the signal was sent (the sender's clock). */
  readonly sentAt: string;
  /** Why, for people: `write of vault …`, `sweep`, … */
  readonly reason: string;
  /** Correlation id of what caused it (ARM's request id for an event; the sweep's invocation id). */
  readonly correlationId: string | null;
}

/** The per-vault orchestration's input (also what it passes to `continueAsNew`). */
export interface VaultOrchestrationInput {
  readonly vaultId: string;
  /** ISO time of the last observation (previous execution), if any. */
  readonly lastObservedAt?: string | undefined;
  /** What started this execution. */
  readonly trigger?: VaultSignal | undefined;
  /** The previous execution's status, shown while this pass runs (custom status is per execution). */
  readonly previousStatus?: unknown;
}

export type SignalDelivery = 'raised' | 'started';

export interface SignalResult {
  readonly instanceId: string;
  readonly delivery: SignalDelivery;
}

/**
 * Signals the vault's orchestration: raises {@link SIGNAL_EVENT} when it is pending or running,
 * else starts it. A start that loses a race with another start (the instance became active in
 * between) raises instead. Any other failure rejects: the caller must not acknowledge the event.
 */
export async function signalVault(client: VaultlinkDurableClient, vaultId: string, signal: VaultSignal): Promise<SignalResult> {
  const canonicalVaultId = normalizeResourceId(vaultId);
  const instanceId = vaultInstanceId(canonicalVaultId);
  const status = await tryGetInstanceStatus(client, instanceId);
  if (status !== undefined && isActiveRuntimeStatus(status.runtimeStatus)) {
    await client.raiseEvent(instanceId, SIGNAL_EVENT, signal);
    return { instanceId, delivery: 'raised' };
  }
  const input: VaultOrchestrationInput = { vaultId: canonicalVaultId, trigger: signal };
  try {
    await client.startNew(VAULT_ORCHESTRATOR, { instanceId, input });
    return { instanceId, delivery: 'started' };
  } catch (startError) {
    const now = await tryGetInstanceStatus(client, instanceId);
    if (now === undefined || !isActiveRuntimeStatus(now.runtimeStatus)) {
      throw new Error(`starting the orchestration of vault ${canonicalVaultId} failed`, { cause: startError });
    }
    await client.raiseEvent(instanceId, SIGNAL_EVENT, signal);
    return { instanceId, delivery: 'raised' };
  }
}
