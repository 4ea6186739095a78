/**
 * The Recovery Services port on `@azure/arm-recoveryservices` 6 (vaults) and
 * `@azure/arm-recoveryservicesbackup` 12 (usage summaries, connection approval: 6.x of the vault
 * client cannot write connections).
 */
import type { RecoveryServicesClient, IdentityData } from '@azure/arm-recoveryservices';
import type { RecoveryServicesBackupClient } from '@azure/arm-recoveryservicesbackup';
import { isResourceType, parseResourceId, type ResourceId } from '../domain/ids';
import { VAULT_RESOURCE_TYPE } from '../domain/endpoints';
import { connectionStatusOf, toBackupUsageCounts, toVault, toVaultIdentity, vaultShowsPrivateEndpoint, MalformedResponseError, type BackupUsageCounts } from './mappers';
import { describeAzureCall, readOrUndefined } from './errors';
import type { ConnectionStateUpdate, EnableIdentityResult, RecoveryServicesPort } from './ports';
import type { ConnectionStatus, Vault } from '../domain/model';
import { PROTECTION_ATTEMPT_OPERATIONS, type ProtectionAttempt } from '../domain/findings';

/** Vaults whose usage summaries {@link SdkRecoveryServicesAdapter.listVaults} reads at once. */
const LIST_USAGE_CONCURRENCY = 16;

export interface RecoveryServicesClients {
  recoveryServices(subscriptionId: string): RecoveryServicesClient;
  backup(subscriptionId: string): RecoveryServicesBackupClient;
}

interface VaultRef {
  readonly id: string;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly name: string;
}

function vaultRef(vaultId: string): VaultRef {
  const p: ResourceId = parseResourceId(vaultId);
  if (!isResourceType(p, VAULT_RESOURCE_TYPE) || p.subscriptionId === undefined || p.resourceGroup === undefined || p.segments.length !== 1) {
    throw new Error(`not a Recovery Services vault id: ${vaultId}`);
  }
  return { id: p.id, subscriptionId: p.subscriptionId, resourceGroup: p.resourceGroup, name: p.name };
}

export class SdkRecoveryServicesAdapter implements RecoveryServicesPort {
  constructor(
    private readonly clients: RecoveryServicesClients,
    private readonly pollIntervalMs: number | undefined,
  ) {}

  async getVault(vaultId: string): Promise<Vault | undefined> {
    const v = vaultRef(vaultId);
    const raw = await readOrUndefined('reading vault', v.id, () => this.clients.recoveryServices(v.subscriptionId).vaults.get(v.resourceGroup, v.name));
    if (raw === undefined) return undefined;
    // The usage summaries decide eligibility only before the vault's first private endpoint: two
    // reads a pass saved for every vault that has one. Before it, they come a round after the
    // vault GET, beside the Backup jobs that observe reads then anyway.
    return toVault(raw, vaultShowsPrivateEndpoint(raw) ? undefined : await this.usageOf(v));
  }

  private async usageOf(v: VaultRef): Promise<BackupUsageCounts> {
    const summary = (type: string) =>
      describeAzureCall(`reading backup usage summary ${type} of vault`, v.id, async () => {
        const all = [];
        for await (const u of this.clients.backup(v.subscriptionId).backupUsageSummaries.list(v.name, v.resourceGroup, { filter: `type eq '${type}'` })) all.push(u);
        return all;
      });
    const [items, containers] = await Promise.all([summary('BackupProtectedItemCountSummary'), summary('BackupProtectionContainerCountSummary')]);
    return toBackupUsageCounts(items, containers);
  }

  async listVaults(subscriptionId: string): Promise<Vault[]> {
    const raws = await describeAzureCall('listing vaults of subscription', subscriptionId, async () => {
      const all = [];
      for await (const vault of this.clients.recoveryServices(subscriptionId).vaults.listBySubscriptionId()) if (vault.id) all.push(vault);
      return all;
    });
    const out: Vault[] = [];
    // the usage summaries of a few vaults at a time: a fleet's worth at once would be a burst ARM throttles
    for (let i = 0; i < raws.length; i += LIST_USAGE_CONCURRENCY) {
      const batch = raws.slice(i, i + LIST_USAGE_CONCURRENCY);
      out.push(...(await Promise.all(batch.map(async (raw) => toVault(raw, vaultShowsPrivateEndpoint(raw) ? undefined : await this.usageOf(vaultRef(raw.id as string)))))));
    }
    return out;
  }

  async listProtectionAttempts(vaultId: string): Promise<ProtectionAttempt[]> {
    const v = vaultRef(vaultId);
    return describeAzureCall('listing Backup jobs of vault', v.id, async () => {
      const out: ProtectionAttempt[] = [];
      for await (const job of this.clients.backup(v.subscriptionId).backupJobs.list(v.name, v.resourceGroup)) {
        const p = job.properties;
        const operation = p?.operation?.trim();
        if (p === undefined || operation === undefined || !PROTECTION_ATTEMPT_OPERATIONS.some((op) => op.toLowerCase() === operation.toLowerCase())) continue;
        out.push({ operation, status: p.status ?? 'Unknown', startTime: p.startTime?.toISOString(), entity: p.entityFriendlyName ?? '' });
      }
      return out.sort((a, b) => (a.startTime ?? '').localeCompare(b.startTime ?? ''));
    });
  }

  async listVaultIds(subscriptionId: string): Promise<string[]> {
    return describeAzureCall('listing vaults of subscription', subscriptionId, async () => {
      const ids: string[] = [];
      for await (const vault of this.clients.recoveryServices(subscriptionId).vaults.listBySubscriptionId()) {
        if (vault.id) ids.push(vault.id);
      }
      return ids;
    });
  }

  async enableSystemAssignedIdentity(vaultId: string): Promise<EnableIdentityResult> {
    const v = vaultRef(vaultId);
    const client = this.clients.recoveryServices(v.subscriptionId);
    const current = await describeAzureCall('reading vault before enabling its identity', v.id, () => client.vaults.get(v.resourceGroup, v.name));
    const identity = toVaultIdentity(current.identity);
    if (identity.type === 'SystemAssigned' || identity.type === 'SystemAssigned, UserAssigned') return { identity, alreadyEnabled: true };

    // PATCH the identity block only. A vault with user-assigned identities keeps them: the
    // dictionary is sent back with empty values, ARM's way of saying "keep these".
    const userAssigned = Object.keys(current.identity?.userAssignedIdentities ?? {});
    const patch: IdentityData =
      identity.type === 'UserAssigned' && userAssigned.length > 0
        ? { type: 'SystemAssigned, UserAssigned', userAssignedIdentities: Object.fromEntries(userAssigned.map((k) => [k, {}])) }
        : { type: 'SystemAssigned' };
    const updated = await describeAzureCall('enabling the system-assigned identity of vault', v.id, () =>
      client.vaults.beginUpdateAndWait(v.resourceGroup, v.name, { identity: patch }, { updateIntervalInMs: this.pollIntervalMs }),
    );
    const result = toVaultIdentity(updated.identity);
    if (result.principalId !== undefined) return { identity: result, alreadyEnabled: false };
    // Some answers to a PATCH omit read-only fields; the principal id is what callers need next.
    const reread = await describeAzureCall('reading vault after enabling its identity', v.id, () => client.vaults.get(v.resourceGroup, v.name));
    return { identity: toVaultIdentity(reread.identity), alreadyEnabled: false };
  }

  async putConnectionState(vaultId: string, connectionName: string, state: ConnectionStateUpdate): Promise<ConnectionStatus> {
    const v = vaultRef(vaultId);
    const connectionId = `${v.id}/privateEndpointConnections/${connectionName}`;
    const verb = state.status === 'Approved' ? 'approving' : 'rejecting';
    const result = await describeAzureCall(`${verb} private endpoint connection`, connectionId, () =>
      // The Backup RP's operation takes the vault name FIRST, then the resource group.
      this.clients.backup(v.subscriptionId).privateEndpointConnectionOperations.beginPutAndWait(
        v.name,
        v.resourceGroup,
        connectionName,
        {
          id: connectionId,
          properties: {
            privateEndpoint: { id: state.privateEndpointId },
            privateLinkServiceConnectionState: { status: state.status, description: state.description },
          },
        },
        { updateIntervalInMs: this.pollIntervalMs },
      ),
    );
    const raw = result.properties?.privateLinkServiceConnectionState?.status;
    const status = connectionStatusOf(raw);
    if (status === undefined) throw new MalformedResponseError(`private endpoint connection ${connectionId}`, `known privateLinkServiceConnectionState.status (got "${raw ?? ''}")`);
    return status;
  }
}
