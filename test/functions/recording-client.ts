/** A durable client that records what the triggers ask of it; instances are plain rows. */
import type { InstancePurgeFilter, OrchestrationInstanceStatus, VaultlinkDurableClient } from '../../functions/durable-client';

export class RecordingDurableClient implements VaultlinkDurableClient {
  readonly instances = new Map<string, OrchestrationInstanceStatus>();
  readonly calls: { op: 'startNew' | 'raiseEvent'; instanceId: string; name: string; data: unknown }[] = [];
  /** Instance ids whose start fails (after marking them running), to play the start/start race. */
  readonly startRaces = new Set<string>();
  failAll: Error | undefined;

  async startNew(name: string, options?: { instanceId?: string; input?: unknown }): Promise<string> {
    if (this.failAll) throw this.failAll;
    const instanceId = options?.instanceId ?? 'generated';
    if (this.startRaces.has(instanceId)) {
      this.instances.set(instanceId, { name, instanceId, runtimeStatus: 'Running' });
      throw new Error('409 Conflict: An orchestration with this id already exists');
    }
    this.calls.push({ op: 'startNew', instanceId, name, data: options?.input });
    this.instances.set(instanceId, { name, instanceId, runtimeStatus: 'Pending', input: options?.input });
    return instanceId;
  }

  async raiseEvent(instanceId: string, eventName: string, eventData: unknown): Promise<void> {
    if (this.failAll) throw this.failAll;
    this.calls.push({ op: 'raiseEvent', instanceId, name: eventName, data: eventData });
  }

  async getStatus(instanceId: string): Promise<OrchestrationInstanceStatus> {
    if (this.failAll) throw this.failAll;
    const found = this.instances.get(instanceId);
    if (found === undefined) throw new Error(`DurableClient error: Durable Functions extension replied with HTTP 404 response. instanceId: ${instanceId}`);
    return found;
  }

  async getStatusAll(): Promise<OrchestrationInstanceStatus[]> {
    return [...this.instances.values()];
  }

  readonly purges: InstancePurgeFilter[] = [];

  async purgeInstanceHistoryBy(filter: InstancePurgeFilter): Promise<{ instancesDeleted: number }> {
    this.purges.push(filter);
    let instancesDeleted = 0;
    for (const [id, i] of this.instances) {
      const created = i.createdTime === undefined ? undefined : new Date(i.createdTime).getTime();
      if (created === undefined) continue;
      if (filter.createdTimeFrom !== undefined && created < filter.createdTimeFrom.getTime()) continue;
      if (filter.createdTimeTo !== undefined && created >= filter.createdTimeTo.getTime()) continue;
      if (filter.runtimeStatus !== undefined && !filter.runtimeStatus.some((s) => s === i.runtimeStatus)) continue;
      this.instances.delete(id);
      instancesDeleted++;
    }
    return { instancesDeleted };
  }
}
