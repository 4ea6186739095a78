/**
 * The durable client, behind the narrowest seam the triggers need.
 *
 * In Azure the client comes from the `durableClient` input binding (`df.getClient(context)`).
 * `df.getClient` is a non-configurable getter, so the local driver cannot replace it; instead every
 * handler asks {@link getDurableClient}, whose factory the driver swaps for its in-memory client.
 */
import type { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';

/** One orchestration instance as the client reports it (the fields vaultlink reads). */
export interface OrchestrationInstanceStatus {
  readonly name: string;
  readonly instanceId: string;
  readonly runtimeStatus: string;
  readonly createdTime?: Date | string | undefined;
  readonly lastUpdatedTime?: Date | string | undefined;
  readonly input?: unknown;
  readonly output?: unknown;
  readonly customStatus?: unknown;
}

/** The part of `DurableClient` vaultlink uses. */
export interface VaultlinkDurableClient {
  startNew(orchestratorFunctionName: string, options?: { instanceId?: string; input?: unknown }): Promise<string>;
  raiseEvent(instanceId: string, eventName: string, eventData: unknown): Promise<void>;
  getStatus(instanceId: string): Promise<OrchestrationInstanceStatus>;
  getStatusAll(): Promise<OrchestrationInstanceStatus[]>;
  /** Deletes the history and state of the instances the filter selects (housekeeping). */
  purgeInstanceHistoryBy(filter: InstancePurgeFilter): Promise<{ readonly instancesDeleted: number }>;
}

/** `durable-functions`' OrchestrationFilter, with the statuses as the strings the client accepts. */
export interface InstancePurgeFilter {
  readonly createdTimeFrom?: Date;
  readonly createdTimeTo?: Date;
  readonly runtimeStatus?: df.OrchestrationRuntimeStatus[];
}

export type DurableClientFactory = (context: InvocationContext) => VaultlinkDurableClient;

const hostClientFactory: DurableClientFactory = (context) => df.getClient(context);

let clientFactory: DurableClientFactory = hostClientFactory;

/** The durable client for this invocation (the host's binding unless a harness installed another). */
export function getDurableClient(context: InvocationContext): VaultlinkDurableClient {
  return clientFactory(context);
}

/** Replaces the client factory (development harness and tests); returns a function that restores the previous one. */
export function setDurableClientFactory(factory: DurableClientFactory): () => void {
  const previous = clientFactory;
  clientFactory = factory;
  return () => {
    clientFactory = previous;
  };
}

/** Instance states in which the instance will still receive raised events. `ContinuedAsNew` is transient: the next execution takes them. */
const ACTIVE_STATUSES = new Set(['Pending', 'Running', 'ContinuedAsNew', 'Suspended']);

export function isActiveRuntimeStatus(runtimeStatus: string): boolean {
  return ACTIVE_STATUSES.has(runtimeStatus);
}

/**
 * The status of an instance, or undefined when there is none. The host's client rejects with an
 * error that names HTTP 404 for an unknown id (durable-functions 3.x) and older ones resolve with
 * nothing: both mean "no such instance".
 */
export async function tryGetInstanceStatus(client: VaultlinkDurableClient, instanceId: string): Promise<OrchestrationInstanceStatus | undefined> {
  try {
    const status = await client.getStatus(instanceId);
    return status && typeof status.runtimeStatus === 'string' ? status : undefined;
  } catch (e) {
    if (e instanceof Error && /\b404\b/.test(e.message)) return undefined;
    throw e;
  }
}
