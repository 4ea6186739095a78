/**
 * Azure Backup in the emulator: the Backup RP's ARM operations that vaultlink uses, and Backup's
 * own behaviour behind control endpoints.
 *
 * ARM (as `@azure/arm-recoveryservicesbackup` 12.x sends it):
 * - `…/vaults/{v}/privateEndpointConnections/{name}` GET / PUT / DELETE. PUT is how the vault
 *   owner approves, rejects or disconnects a connection: long-running (201 +
 *   `Azure-AsyncOperation`), and it needs the approval permission
 *   (`…/vaults/privateEndpointConnectionsApproval/action`) on the vault on top of ARM's
 *   `…/privateEndpointConnections/write`. The new status is mirrored into the private endpoint's
 *   own `privateLinkServiceConnections` / `manualPrivateLinkServiceConnections`, as Azure shows it.
 *   DELETE removes the connection and leaves the endpoint `Disconnected`.
 * - `…/vaults/{v}/backupUsageSummaries`: counts that tell a client whether a vault had items.
 *
 * Backup's part (control API, `/_emulator/backup/…`, and the same functions in-process):
 * - register a container: records the registration (a vault that had one can never get private
 *   endpoints), and for a classic vault with approved endpoints creates `<pe>_ecs<tag>_blob` and
 *   `<pe>_ecs<tag>_queue` in each primary endpoint's resource group and subnet, ACTING AS THE
 *   VAULT IDENTITY through the ARM pipeline — so it fails like Azure when that identity lacks its
 *   roles, and the writes count and emit events with the identity as caller;
 * - run a backup: the first one of a classic vault with endpoints creates `<pe>_prot<tag>_blob`
 *   the same way; given the VM's VNet, the backup fails unless that VNet resolves every FQDN of the
 *   vault's endpoints (its own, `_ecs` and `_prot`) to one of their private IPs;
 * - when the primary endpoint integrates with private DNS (a zone group with the blob/queue zone),
 *   Backup adds the same zone to its own endpoints' zone groups, as the vault identity, so Azure
 *   writes their records; without rights on the zones the records are missing (a job warning).
 * Results are jobs: `{ status: "Completed" | "Failed", error?, … }`; a malformed request is an error.
 */
import { parentResourceId, parseResourceId, resourceGroupResourceId, resourceInGroupId, tryParseResourceId } from '../../shared/domain/ids';
import { VAULT_APPROVAL_ACTION as AZURE_VAULT_APPROVAL_ACTION } from '../azure-facts';
import { ArmError, armErrors, type JsonObject, type JsonValue } from '../arm';
import type { ArmContext, ArmResponse, ControlRequest, ControlResponse, EmulatorProvider, ProviderApi } from '../server';
import type { ResourceStore, StoredResource } from '../store';
import { arr, obj, propsOf, str } from './json';
import {
  backupStorageAccountId,
  backupUsageSummaries,
  connectionStatusChangeRefusal,
  isConnectionStatus,
  SECONDARY_ENDPOINTS,
  secondaryEndpointName,
  type ConnectionStatus,
  type SecondaryEndpointPurpose,
} from './backup-rules';
import { BACKUP_JOBS_PROVIDER_NAME, recordJobs, type BackupJobsExports } from './backup-jobs';
import { resolveName } from './network-dns-resolver';
import { vnetsConnected } from './network-peerings';
import { NETWORK_PROVIDER_NAME, PRIVATE_ENDPOINT_TYPE, type NetworkExports } from './network';
import { RECOVERY_SERVICES_PROVIDER_NAME, VAULT_CONNECTION_TYPE, VAULT_TYPE, type RecoveryServicesExports, type VaultEmulatorState } from './recoveryservices';

export const BACKUP_PROVIDER_NAME = 'backup';
export const VAULT_APPROVAL_ACTION: string = AZURE_VAULT_APPROVAL_ACTION;
const BACKUP_GROUP_ID = 'azurebackup';

/** A Backup job's outcome, as the control API and the in-process API answer it. */
export interface BackupJobResult {
  readonly vaultId: string;
  readonly status: 'Completed' | 'Failed';
  /** Why it failed: an ARM error of the vault identity's write, or Backup's own. */
  readonly error?: { readonly code: string; readonly message: string };
  /** Private endpoints Backup created during the job (ids). */
  readonly createdPrivateEndpoints: readonly string[];
  /** For a backup from a VNet: FQDNs that did not resolve to one of their endpoints' private IPs. */
  readonly unresolved: readonly UnresolvedName[];
  /**
   * What Backup tried and could not do without failing the job: DNS zone groups for its own
   * endpoints that the vault identity could not write (Azure then simply has no records, and a
   * later backup fails on name resolution).
   */
  readonly warnings: readonly { readonly code: string; readonly message: string }[];
}

export interface UnresolvedName {
  readonly fqdn: string;
  /** The private IPs the vault's endpoints hold for it. */
  readonly expected: readonly string[];
  /** What `nslookup` from the VNet answered. */
  readonly answer: 'private' | 'public' | 'nxdomain';
  readonly addresses: readonly string[];
  /**
   * The name resolved to an endpoint's private IP, but that endpoint sits in a VNet the VM's VNet
   * cannot reach (neither the same VNet nor peered with it, Connected): its VNet.
   */
  readonly unreachableIn?: string;
}

export interface RegisterContainerOptions {
  /** The container (VM, server) name; registering the same name again changes nothing but still runs the job. */
  readonly containerName?: string;
  /** The VNet the VM sits in: when the vault has endpoints, the vault's Backup FQDNs must resolve privately there. */
  readonly vnetId?: string;
}

export interface RunBackupOptions {
  /** The protected item (database) name; a new name protects one more item. */
  readonly itemName?: string;
  /** The VNet the VM sits in: when the vault has endpoints, every FQDN of them must resolve privately there. */
  readonly vnetId?: string;
}

export interface BackupExports {
  registerContainer(vaultId: string, options?: RegisterContainerOptions): Promise<BackupJobResult>;
  runBackup(vaultId: string, options?: RunBackupOptions): Promise<BackupJobResult>;
  /** The FQDN → private IPs a VM must resolve to reach the vault privately (empty when it has no usable endpoint). */
  requiredNames(vaultId: string): Map<string, string[]>;
}

function statusOf(connection: StoredResource): ConnectionStatus {
  const status = str(obj(propsOf(connection)['privateLinkServiceConnectionState'])?.['status']);
  return isConnectionStatus(status) ? status : 'Pending';
}

function privateEndpointIdOf(connection: StoredResource): string | undefined {
  return str(obj(propsOf(connection)['privateEndpoint'])?.['id']);
}

/** The connection as the Backup RP answers it (PutPrivateEndpointConnection.json's shape). */
export function renderConnection(stored: StoredResource): JsonObject {
  return { id: stored.id, name: stored.parsed.name, type: VAULT_CONNECTION_TYPE, properties: structuredClone(propsOf(stored)) };
}

/** Mirrors the vault side's decision into the private endpoint's own connection entries (no event: Azure's own update). */
function mirrorIntoPrivateEndpoint(store: ResourceStore, peId: string | undefined, vaultId: string, state: JsonObject): void {
  if (peId === undefined) return;
  const pe = store.get(peId);
  if (!pe) return;
  const vaultKey = parseResourceId(vaultId).key;
  const properties: JsonObject = { ...propsOf(pe) };
  let changed = false;
  for (const list of ['privateLinkServiceConnections', 'manualPrivateLinkServiceConnections']) {
    properties[list] = arr(properties[list]).map((entry) => {
      const e = obj(entry);
      const p = obj(e?.['properties']);
      const target = str(p?.['privateLinkServiceId']);
      if (!e || !p || target === undefined || tryParseResourceId(target)?.key !== vaultKey) return entry;
      changed = true;
      return { ...e, properties: { ...p, privateLinkServiceConnectionState: { ...state } } };
    });
  }
  if (changed) store.put(pe.id, { ...pe.resource, properties });
}

type JobWarning = { code: string; message: string };

function jobFailed(vaultId: string, code: string, message: string, createdPrivateEndpoints: string[], warnings: JobWarning[], unresolved: UnresolvedName[] = []): BackupJobResult {
  return { vaultId, status: 'Failed', error: { code, message }, createdPrivateEndpoints, unresolved, warnings };
}

function armErrorOf(body: JsonValue | undefined, status: number): JobWarning {
  const error = obj(obj(body ?? null)?.['error']);
  return { code: str(error?.['code']) ?? `HTTP${status}`, message: str(error?.['message']) ?? 'no message' };
}

export function createBackupProvider(): EmulatorProvider<BackupExports> {
  return {
    name: BACKUP_PROVIDER_NAME,
    register(api: ProviderApi): BackupExports {
      const { store } = api;
      const vaults = (): RecoveryServicesExports => api.provider<RecoveryServicesExports>(RECOVERY_SERVICES_PROVIDER_NAME);
      const network = (): NetworkExports => api.provider<NetworkExports>(NETWORK_PROVIDER_NAME);
      // Job history and Backup's memory of the vault's connections: backup-jobs.ts.
      const jobs = (): BackupJobsExports => api.provider<BackupJobsExports>(BACKUP_JOBS_PROVIDER_NAME);

      const vaultIdOf = (p: Readonly<Record<string, string>>): string =>
        resourceInGroupId(p['subscriptionId'] as string, p['resourceGroupName'] as string, VAULT_TYPE, p['vaultName'] as string);
      const requireVault = (ctx: ArmContext): StoredResource => {
        const vault = store.get(vaultIdOf(ctx.params));
        if (!vault) throw armErrors.resourceNotFound(VAULT_TYPE, ctx.params['vaultName'] as string, ctx.params['resourceGroupName']);
        return vault;
      };
      const connectionIdOf = (ctx: ArmContext): string => `${vaultIdOf(ctx.params)}/privateEndpointConnections/${ctx.params['connectionName']}`;
      const connectionNotFound = (ctx: ArmContext): ArmError =>
        armErrors.resourceNotFound(VAULT_CONNECTION_TYPE, `${ctx.params['vaultName']}/${ctx.params['connectionName']}`, ctx.params['resourceGroupName']);

      const CONNECTION = '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.RecoveryServices/vaults/{vaultName}/privateEndpointConnections/{connectionName}';

      api.route('GET', CONNECTION, (ctx) => {
        requireVault(ctx);
        const connection = store.get(connectionIdOf(ctx));
        if (!connection) throw connectionNotFound(ctx);
        return { status: 200, body: renderConnection(connection) };
      });

      api.route('PUT', CONNECTION, (ctx): ArmResponse => {
        const vault = requireVault(ctx);
        // The Backup RP's own check, on top of ARM's …/privateEndpointConnections/write.
        ctx.authorize(VAULT_APPROVAL_ACTION, vault.id);
        const connection = store.get(connectionIdOf(ctx));
        if (!connection) throw connectionNotFound(ctx);
        const body = ctx.requireBody();
        const requested = obj(obj(body['properties'])?.['privateLinkServiceConnectionState']);
        const status = requested?.['status'];
        if (!isConnectionStatus(status)) {
          throw armErrors.badRequest('BadRequest', `properties.privateLinkServiceConnectionState.status must be Approved, Rejected or Disconnected (got ${JSON.stringify(status ?? null)}).`);
        }
        const refusal = connectionStatusChangeRefusal(statusOf(connection), status);
        if (refusal) throw armErrors.badRequest('BadRequest', refusal);
        const requestedPe = str(obj(obj(body['properties'])?.['privateEndpoint'])?.['id']);
        const peId = privateEndpointIdOf(connection);
        if (requestedPe !== undefined && (peId === undefined || tryParseResourceId(requestedPe)?.key !== tryParseResourceId(peId)?.key)) {
          throw armErrors.badRequest('BadRequest', `properties.privateEndpoint.id ${requestedPe} is not the private endpoint of connection ${connection.parsed.name}.`);
        }
        const state: JsonObject = {
          status,
          description: str(requested?.['description']) ?? '',
          actionsRequired: str(requested?.['actionsRequired']) ?? 'None',
        };
        const initial = renderConnection(connection);
        initial['properties'] = { ...(obj(initial['properties']) ?? {}), provisioningState: 'Pending', privateLinkServiceConnectionState: state };
        return ctx.longRunning({
          status: 201,
          body: initial,
          complete: () => {
            // The connection may have gone with its endpoint while the operation ran.
            const current = store.get(connection.id);
            if (!current) throw connectionNotFound(ctx);
            const updated = store.put(current.id, { ...current.resource, properties: { ...propsOf(current), provisioningState: 'Succeeded', privateLinkServiceConnectionState: state } }, { principalId: ctx.caller.principalId });
            mirrorIntoPrivateEndpoint(store, privateEndpointIdOf(updated), vault.id, state);
            return renderConnection(updated);
          },
        });
      });

      api.route('DELETE', CONNECTION, (ctx): ArmResponse => {
        const vault = requireVault(ctx);
        ctx.authorize(VAULT_APPROVAL_ACTION, vault.id);
        const connection = store.get(connectionIdOf(ctx));
        if (!connection) return { status: 204, events: [] };
        return ctx.longRunning({
          status: 202,
          complete: () => {
            const current = store.get(connection.id);
            if (!current) return;
            store.delete(current.id);
            mirrorIntoPrivateEndpoint(store, privateEndpointIdOf(current), vault.id, { status: 'Disconnected', description: 'The private endpoint connection was removed by the vault owner.', actionsRequired: 'None' });
          },
        });
      });

      api.route(
        'GET',
        '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.RecoveryServices/vaults/{vaultName}/backupUsageSummaries',
        (ctx) => {
          const vault = requireVault(ctx);
          const state = vaults().vaultState(vault.id) as VaultEmulatorState;
          return { status: 200, body: { value: backupUsageSummaries(state, ctx.query.get('$filter') ?? undefined) as unknown as JsonValue } };
        },
        { action: `${VAULT_TYPE}/backupUsageSummaries/read` },
      );

      // ---------------------------------------------------------------------------------------
      // Azure Backup's own part

      const vaultOrThrow = (vaultId: string): StoredResource => {
        const parsed = tryParseResourceId(vaultId);
        if (!parsed || parsed.type.toLowerCase() !== VAULT_TYPE.toLowerCase()) throw armErrors.badRequest('InvalidVaultId', `${vaultId} is not a Recovery Services vault id.`);
        const vault = store.get(parsed.id);
        if (!vault) throw armErrors.resourceNotFound(VAULT_TYPE, parsed.name, parsed.resourceGroup);
        return vault;
      };

      /** The vault's own endpoints (group AzureBackup) with their connection status. */
      const primaryEndpoints = (vault: StoredResource): { pe: StoredResource; status: ConnectionStatus }[] => {
        const out: { pe: StoredResource; status: ConnectionStatus }[] = [];
        for (const c of store.children(vault.id, VAULT_CONNECTION_TYPE)) {
          const groups = arr(propsOf(c)['groupIds']).map((g) => String(g).toLowerCase());
          if (!groups.includes(BACKUP_GROUP_ID)) continue;
          const peId = privateEndpointIdOf(c);
          const pe = peId === undefined ? undefined : store.get(peId);
          if (pe && pe.type.toLowerCase() === PRIVATE_ENDPOINT_TYPE.toLowerCase()) out.push({ pe, status: statusOf(c) });
        }
        return out;
      };

      /** The vault is locked down to its private endpoints once it has a live (Pending or Approved) one. */
      const isLockedDown = (vault: StoredResource): boolean => primaryEndpoints(vault).some((p) => p.status === 'Approved' || p.status === 'Pending');

      const secondaryId = (primary: StoredResource, purpose: SecondaryEndpointPurpose, service: 'blob' | 'queue', numericId: string): string =>
        resourceInGroupId(primary.parsed.subscriptionId as string, primary.parsed.resourceGroup as string, PRIVATE_ENDPOINT_TYPE, secondaryEndpointName(primary.parsed.name, purpose, service, numericId));

      /**
       * Creates Backup's endpoints of `purpose` next to every approved primary endpoint that lacks
       * them, as the vault identity. Returns the ids created, or the first ARM error.
       */
      /**
       * When the primary endpoint integrates with private DNS (a zone group naming the
       * `privatelink.<service>.core.windows.net` zone), Backup gives its own endpoint a zone group
       * with that zone, as the vault identity — Azure then writes the A record. Without the
       * identity's rights on the zone (Private DNS Zone Contributor on its resource group) the
       * write fails and the record is simply missing: a warning, not a failed job.
       */
      const ensureZoneGroupLikePrimary = async (primary: StoredResource, secondaryPeId: string, service: 'blob' | 'queue', principal: { principalId: string; tenantId: string }, warnings: JobWarning[]): Promise<void> => {
        const zoneName = `privatelink.${service}.core.windows.net`;
        let zoneId: string | undefined;
        for (const group of store.children(primary.id, 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups')) {
          for (const config of arr(propsOf(group)['privateDnsZoneConfigs'])) {
            const candidate = str(obj(obj(config)?.['properties'])?.['privateDnsZoneId']);
            if (candidate !== undefined && tryParseResourceId(candidate)?.name.toLowerCase() === zoneName) zoneId = candidate;
          }
        }
        if (zoneId === undefined) return;
        const body: JsonObject = { properties: { privateDnsZoneConfigs: [{ name: zoneName.replace(/\./g, '-'), properties: { privateDnsZoneId: zoneId } }] } };
        const result = await api.invoke(principal, 'PUT', `${parseResourceId(secondaryPeId).id}/privateDnsZoneGroups/default`, body);
        if (result.status >= 400) {
          const error = armErrorOf(result.body, result.status);
          warnings.push({ code: error.code, message: `Azure Backup could not add ${parseResourceId(secondaryPeId).name} to private DNS zone ${zoneId} as the vault identity ${principal.principalId}: ${error.message}` });
        }
      };

      /** GET of the endpoint and then of each of its NICs as `principal`; the first ARM error, if any. */
      const readEndpointInterfaceAs = async (principal: { principalId: string; tenantId: string }, peId: string): Promise<JobWarning | undefined> => {
        const read = await api.invoke(principal, 'GET', parseResourceId(peId).id);
        if (read.status >= 400) return armErrorOf(read.body, read.status);
        for (const nic of arr(obj(obj(read.body ?? null)?.['properties'])?.['networkInterfaces'])) {
          const nicId = str(obj(nic)?.['id']);
          if (nicId === undefined) continue;
          const nicRead = await api.invoke(principal, 'GET', parseResourceId(nicId).id);
          if (nicRead.status >= 400) return armErrorOf(nicRead.body, nicRead.status);
        }
        return undefined;
      };

      const ensureSecondaryEndpoints = async (vault: StoredResource, state: VaultEmulatorState, purpose: SecondaryEndpointPurpose, created: string[], warnings: JobWarning[]): Promise<{ code: string; message: string } | undefined> => {
        const approved = primaryEndpoints(vault).filter((p) => p.status === 'Approved');
        if (approved.length === 0) return undefined;
        const identity = obj(vault.resource['identity']);
        const principalId = str(identity?.['principalId']);
        const tenantId = str(identity?.['tenantId']) ?? api.tenantId;
        for (const { pe } of approved) {
          for (const service of SECONDARY_ENDPOINTS[purpose]) {
            const id = secondaryId(pe, purpose, service, state.numericId);
            if (store.has(id)) continue;
            if (principalId === undefined) {
              return { code: 'UserErrorVaultIdentityNotEnabled', message: `Azure Backup could not create private endpoint ${id}: vault ${vault.parsed.name} has no system-assigned managed identity. Enable it and grant it its roles.` };
            }
            const subnetId = str(obj(propsOf(pe)['subnet'])?.['id']);
            const body: JsonObject = {
              location: str(pe.resource['location']) ?? '',
              properties: {
                subnet: { id: subnetId ?? '' },
                privateLinkServiceConnections: [
                  { name: parseResourceId(id).name, properties: { privateLinkServiceId: backupStorageAccountId(state.numericId, purpose), groupIds: [service] } },
                ],
              },
            };
            const result = await network().createPrivateEndpointAs({ principalId, tenantId }, id, body);
            if (result.status >= 400) {
              const error = armErrorOf(result.body, result.status);
              return { code: error.code, message: `Azure Backup could not create private endpoint ${id} as the vault identity ${principalId}: ${error.message}` };
            }
            created.push(parseResourceId(id).id);
            // Backup then reads the endpoint and its network interface to learn the private IP
            // (the seed: networkInterfaces/read "is required on the resource group to get the
            // network interface created for the private endpoint"). Without it the job fails.
            const readError = await readEndpointInterfaceAs({ principalId, tenantId }, id);
            if (readError) return { code: readError.code, message: `Azure Backup created private endpoint ${id} but could not read it back as the vault identity ${principalId}: ${readError.message}` };
            await ensureZoneGroupLikePrimary(pe, id, service, { principalId, tenantId }, warnings);
          }
        }
        return undefined;
      };

      /** FQDN → the private IPs (with their endpoint's VNet) of every endpoint a VM uses to reach the vault. */
      const requiredEndpoints = (vault: StoredResource): Map<string, { ip: string; vnetId: string | undefined }[]> => {
        const state = vaults().vaultState(vault.id) as VaultEmulatorState;
        const endpoints: StoredResource[] = [];
        for (const { pe, status } of primaryEndpoints(vault)) {
          if (status !== 'Approved') continue;
          endpoints.push(pe);
          for (const purpose of Object.keys(SECONDARY_ENDPOINTS) as SecondaryEndpointPurpose[]) {
            for (const service of SECONDARY_ENDPOINTS[purpose]) {
              const secondary = store.get(secondaryId(pe, purpose, service, state.numericId));
              if (secondary) endpoints.push(secondary);
            }
          }
          // The endpoints of the further `_prot` accounts Backup took on (`<pe>_prot<tag>_<n>_blob`,
          // network.ts addProtStorageAccount): a backup writes to those accounts too.
          const further = `${secondaryEndpointName(pe.parsed.name, 'prot', 'blob', state.numericId).replace(/_blob$/, '')}_`.toLowerCase();
          for (const other of store.list({ type: PRIVATE_ENDPOINT_TYPE, scope: resourceGroupResourceId(pe.parsed.subscriptionId as string, pe.parsed.resourceGroup as string) })) {
            const name = other.parsed.name.toLowerCase();
            if (name.startsWith(further) && /^\d+_blob$/.test(name.slice(further.length))) endpoints.push(other);
          }
        }
        const names = new Map<string, { ip: string; vnetId: string | undefined }[]>();
        for (const pe of endpoints) {
          const subnetId = str(obj(propsOf(pe)['subnet'])?.['id']);
          const vnetId = subnetId === undefined ? undefined : parentResourceId(subnetId);
          for (const config of arr(propsOf(pe)['customDnsConfigs'])) {
            const fqdn = str(obj(config)?.['fqdn'])?.toLowerCase();
            if (fqdn === undefined) continue;
            const ips = arr(obj(config)?.['ipAddresses']).filter((a): a is string => typeof a === 'string');
            names.set(fqdn, [...(names.get(fqdn) ?? []), ...ips.map((ip) => ({ ip, vnetId }))]);
          }
        }
        return names;
      };

      /** FQDN → private IPs of every endpoint a VM uses to reach the vault: approved primaries and their _ecs/_prot endpoints. */
      const requiredNames = (vault: StoredResource): Map<string, string[]> =>
        new Map([...requiredEndpoints(vault)].map(([fqdn, entries]) => [fqdn, entries.map((e) => e.ip)]));

      /**
       * What a VM in `vnetId` fails to reach: names that do not resolve to an endpoint's private IP
       * there, and names that do but whose endpoint sits in a VNet this one is not peered with.
       */
      const unresolvedFrom = (vnetId: string, names: Map<string, { ip: string; vnetId: string | undefined }[]>): UnresolvedName[] => {
        const out: UnresolvedName[] = [];
        for (const [fqdn, entries] of names) {
          const expected = entries.map((e) => e.ip);
          const r = resolveName(store, vnetId, fqdn);
          const hits = r.answer === 'private' ? entries.filter((e) => r.addresses.includes(e.ip)) : [];
          if (hits.some((e) => e.vnetId !== undefined && vnetsConnected(store, vnetId, e.vnetId))) continue;
          const unreachableIn = hits.find((e) => e.vnetId !== undefined)?.vnetId;
          out.push({ fqdn, expected, answer: r.answer, addresses: [...r.addresses], ...(unreachableIn !== undefined ? { unreachableIn } : {}) });
        }
        return out;
      };

      const nameResolutionFailure = (vault: StoredResource, vnetId: string, unresolved: UnresolvedName[], created: string[], warnings: JobWarning[]): BackupJobResult => {
        const unreachable = unresolved.filter((u) => u.unreachableIn !== undefined);
        if (unreachable.length === unresolved.length) {
          const vnets = [...new Set(unreachable.map((u) => u.unreachableIn as string))];
          return jobFailed(
            vault.id,
            'UserErrorPrivateEndpointNotReachable',
            `From VNet ${vnetId}, ${unreachable.length} name(s) of vault ${vault.parsed.name}'s private endpoints resolve to private IPs in ${vnets.join(', ')}, which VNet ${vnetId} cannot reach: it is neither that VNet nor peered with it (a peering each way, Connected). Names: ${unreachable.map((u) => u.fqdn).join(', ')}.`,
            created,
            warnings,
            unresolved,
          );
        }
        return jobFailed(
          vault.id,
          'UserErrorPrivateEndpointNameResolutionFailed',
          `From VNet ${vnetId}, ${unresolved.length - unreachable.length} name(s) of vault ${vault.parsed.name}'s private endpoints do not resolve to their private IPs: ${unresolved.filter((u) => u.unreachableIn === undefined).map((u) => u.fqdn).join(', ')}${unreachable.length > 0 ? `; ${unreachable.length} more resolve to endpoints in VNets that ${vnetId} cannot reach` : ''}.`,
          created,
          warnings,
          unresolved,
        );
      };

      const checkVnet = (vnetId: string | undefined): string | undefined => {
        if (vnetId === undefined) return undefined;
        const parsed = tryParseResourceId(vnetId);
        if (!parsed || !store.has(parsed.id)) throw armErrors.badRequest('InvalidVirtualNetworkId', `${vnetId} is not an existing virtual network.`);
        return parsed.id;
      };

      /**
       * Any attempt to register a container or protect an item, even a failed one, counts (the
       * seed's FAQ); it makes the vault ineligible for private endpoints for good unless the
       * vault already had one (backup-rules.ts `itemsBeforePrivateEndpoints`).
       */
      const markEverHadItems = (vault: StoredResource) =>
        vaults().updateVaultState(vault.id, (s) => {
          s.everHadItems = true;
          s.firstItemAttemptAt ??= new Date().toISOString();
        });

      // Backup remembers when a vault got its first private endpoint connection (whatever
      // becomes of it later): the order of endpoints and items decides eligibility.
      store.watch(VAULT_CONNECTION_TYPE, (_key, connection) => {
        if (!connection) return;
        const vaultId = parentResourceId(connection.id);
        if (vaultId === undefined) return;
        let state: VaultEmulatorState | undefined;
        try {
          state = vaults().vaultState(vaultId);
        } catch {
          return; // no Recovery Services provider in this emulator: nothing to remember
        }
        if (!state || state.firstPrivateEndpointAt !== undefined) return;
        vaults().updateVaultState(vaultId, (s) => {
          s.firstPrivateEndpointAt ??= new Date().toISOString();
        });
      });

      const registerContainer = recordJobs(jobs, () => 'Register', (o: RegisterContainerOptions) => o.containerName ?? 'vm1', async (vaultId: string, options: RegisterContainerOptions = {}): Promise<BackupJobResult> => {
        const vault = vaultOrThrow(vaultId);
        const vnetId = checkVnet(options.vnetId);
        const containerName = options.containerName ?? 'vm1';
        const state = markEverHadItems(vault);
        const created: string[] = [];
        const warnings: JobWarning[] = [];
        if (isLockedDown(vault)) {
          if (!primaryEndpoints(vault).some((p) => p.status === 'Approved')) {
            return jobFailed(vault.id, 'UserErrorPrivateEndpointNotApproved', `Vault ${vault.parsed.name} accepts traffic only through its private endpoints, and none is approved yet.`, created, warnings);
          }
          if (vnetId !== undefined) {
            const unresolved = unresolvedFrom(vnetId, requiredEndpoints(vault));
            if (unresolved.length > 0) return nameResolutionFailure(vault, vnetId, unresolved, created, warnings);
          }
          if (state.backupStorageVersion === 'V1') {
            const error = await ensureSecondaryEndpoints(vault, state, 'ecs', created, warnings);
            if (error) return jobFailed(vault.id, error.code, error.message, created, warnings);
          }
        }
        vaults().updateVaultState(vault.id, (s) => {
          if (!s.registeredContainerNames.includes(containerName)) s.registeredContainerNames.push(containerName);
        });
        return { vaultId: vault.id, status: 'Completed', createdPrivateEndpoints: created, unresolved: [], warnings };
      });

      const isNewItem = (vaultId: string, item: string): boolean => !(vaults().vaultState(parseResourceId(vaultId).id)?.protectedItemNames.includes(item) ?? false);
      const runBackup = recordJobs(jobs, (vaultId, o: RunBackupOptions) => (isNewItem(vaultId, o.itemName ?? 'item1') ? 'ConfigureBackup' : 'Backup'), (o: RunBackupOptions) => o.itemName ?? 'item1', async (vaultId: string, options: RunBackupOptions = {}): Promise<BackupJobResult> => {
        const vault = vaultOrThrow(vaultId);
        const vnetId = checkVnet(options.vnetId);
        const itemName = options.itemName ?? 'item1';
        const before = markEverHadItems(vault);
        if (before.registeredContainers === 0) {
          return jobFailed(vault.id, 'UserErrorContainerNotRegistered', `No container is registered with vault ${vault.parsed.name}; register one before configuring backup.`, [], []);
        }
        const state = vaults().updateVaultState(vault.id, (s) => {
          if (!s.protectedItemNames.includes(itemName)) s.protectedItemNames.push(itemName);
        });
        const created: string[] = [];
        const warnings: JobWarning[] = [];
        if (isLockedDown(vault)) {
          if (!primaryEndpoints(vault).some((p) => p.status === 'Approved')) {
            return jobFailed(vault.id, 'UserErrorPrivateEndpointNotApproved', `Vault ${vault.parsed.name} accepts traffic only through its private endpoints, and none is approved.`, created, warnings);
          }
          if (state.backupStorageVersion === 'V1') {
            const error = await ensureSecondaryEndpoints(vault, state, 'prot', created, warnings);
            if (error) return jobFailed(vault.id, error.code, error.message, created, warnings);
          }
          if (vnetId !== undefined) {
            const unresolved = unresolvedFrom(vnetId, requiredEndpoints(vault));
            if (unresolved.length > 0) return nameResolutionFailure(vault, vnetId, unresolved, created, warnings);
          }
        }
        return { vaultId: vault.id, status: 'Completed', createdPrivateEndpoints: created, unresolved: [], warnings };
      });

      const bodyOf = (req: ControlRequest): { vaultId: string; vnetId?: string; name?: string } => {
        const body = obj(req.body);
        const vaultId = str(body?.['vaultId']);
        if (vaultId === undefined) throw armErrors.badRequest('MissingParameter', 'The body needs "vaultId" (and optionally "vnetId").');
        const vnetId = str(body?.['vnetId']);
        const name = str(body?.['containerName']) ?? str(body?.['itemName']);
        return { vaultId, ...(vnetId !== undefined ? { vnetId } : {}), ...(name !== undefined ? { name } : {}) };
      };
      const jobResponse = (job: BackupJobResult): ControlResponse => ({ status: 200, body: job as unknown as JsonValue });

      api.controlRoute('POST', 'backup/registerContainer', async (req) => {
        const b = bodyOf(req);
        return jobResponse(await registerContainer(b.vaultId, { ...(b.vnetId ? { vnetId: b.vnetId } : {}), ...(b.name ? { containerName: b.name } : {}) }));
      });
      api.controlRoute('POST', 'backup/runBackup', async (req) => {
        const b = bodyOf(req);
        return jobResponse(await runBackup(b.vaultId, { ...(b.vnetId ? { vnetId: b.vnetId } : {}), ...(b.name ? { itemName: b.name } : {}) }));
      });
      api.controlRoute('GET', 'backup/requiredNames', (req): ControlResponse => {
        const vaultId = req.query.get('vaultId');
        if (!vaultId) throw armErrors.badRequest('MissingParameter', 'The query parameter vaultId is required.');
        return { status: 200, body: Object.fromEntries(requiredNames(vaultOrThrow(vaultId))) };
      });

      return {
        registerContainer,
        runBackup,
        requiredNames: (vaultId) => requiredNames(vaultOrThrow(vaultId)),
      };
    },
  };
}

/** The provider with default options. */
export const backupProvider = createBackupProvider();
