/**
 * Microsoft.RecoveryServices vaults, as `@azure/arm-recoveryservices` 6.x reads and writes them:
 * PUT / PATCH / GET / DELETE, list by resource group and by subscription, the vault's private-link
 * resources and its usages.
 *
 * What Azure decides and a client cannot set is decided here:
 * - `identity` (system-assigned): a principal id and the subscription's tenant id; turning the
 *   identity off and on again gives a NEW principal (the seed: never turn it off);
 * - `properties.privateEndpointConnections` (read-only): rendered from the connection children
 *   that the network provider stores with each private endpoint, and
 *   `privateEndpointStateForBackup` (`Enabled` once a connection is Approved, else `None`);
 * - `properties.backupStorageVersion`: a new vault is classic (`V1`, the seed's experience)
 *   unless the emulator's own switch says otherwise. The real service picks the experience
 *   itself, so the switch lives in the control API (`PUT /_emulator/recoveryservices/settings
 *   {"newVaultBackupStorageVersion": "V2"}`) and in {@link RecoveryServicesExports.setNewVaultBackupStorageVersion},
 *   never in an ARM property;
 * - a 19-digit numeric vault id, used in the Backup FQDNs and connection names.
 *
 * Those facts, and what Azure Backup has recorded about the vault's items (backup.ts), are kept in
 * the stored vault JSON under {@link VAULT_EMULATOR_STATE_KEY}, which is never rendered: the store
 * stays the one source of truth (deleting the resource group forgets them with the vault).
 */
import { randomUUID } from 'node:crypto';
import { VAULT_APPROVAL_ACTION as AZURE_VAULT_APPROVAL_ACTION } from '../azure-facts';
import { parseResourceId, resourceGroupResourceId, subscriptionResourceId } from '../../shared/domain/ids';
import { ArmError, armErrors, type JsonObject } from '../arm';
import type { ArmContext, ArmResponse, ControlResponse, EmulatorProvider, ProviderApi } from '../server';
import type { ResourceStore, StoredResource } from '../store';
import { obj, str } from './json';
import { itemsBeforePrivateEndpoints, type BackupStorageVersion, type VaultBackupActivity, vaultNumericIdFor } from './backup-rules';
import { backupGeoCode, CLASSIC_BACKUP_MEMBERS, STORAGE_DNS_SUFFIX, V2_BACKUP_MEMBERS, BACKUP_DNS_SUFFIX } from './network-private-link';

export const RECOVERY_SERVICES_PROVIDER_NAME = 'recoveryservices';
export const VAULT_TYPE = 'Microsoft.RecoveryServices/vaults';
export const VAULT_CONNECTION_TYPE = 'Microsoft.RecoveryServices/vaults/privateEndpointConnections';
export const VAULT_APPROVAL_ACTION: string = AZURE_VAULT_APPROVAL_ACTION;

/** Key of the emulator's own facts in the stored vault JSON (stripped from every response). */
export const VAULT_EMULATOR_STATE_KEY = 'x-emulator';

/** The emulator's facts about a vault: what Azure knows and ARM does not show. */
export interface VaultEmulatorState extends VaultBackupActivity {
  /** The 19-digit id of `<vaultId>-ab-pod01-fab1.<geo>.backup.windowsazure.com`. */
  numericId: string;
  backupStorageVersion: BackupStorageVersion;
  /** True once the system-assigned identity was turned off after having been on. */
  identityEverDisabled: boolean;
  /** Names of the items protected so far (each first backup of a new item adds one); `protectedItems` counts them. */
  protectedItemNames: string[];
  /** Names of the containers registered so far; `registeredContainers` counts them. */
  registeredContainerNames: string[];
  /** True once a connection was approved (backup-jobs.ts): `privateEndpointStateForBackup` stays `Enabled` (*unconfirmed*). */
  privateEndpointStateEverEnabled: boolean;
}

/** The facts the network provider needs (structurally its `PrivateLinkVault`). */
export interface PrivateLinkVaultFacts {
  readonly location: string;
  readonly numericId: string;
  readonly experience: 'classic' | 'v2';
  /** The vault had items (or attempts) before its first private endpoint: it refuses new ones (backup-rules.ts). */
  readonly itemsBeforePrivateEndpoints: boolean;
}

export interface RecoveryServicesSettings {
  /** `backupStorageVersion` given to vaults created from now on; default `V1` (classic). */
  newVaultBackupStorageVersion: BackupStorageVersion;
}

/** What other providers (backup.ts, network.ts) and tests get from this provider. */
export interface RecoveryServicesExports {
  /** The network provider's view of a vault; undefined when there is no such vault. */
  privateLinkVault(vaultId: string): PrivateLinkVaultFacts | undefined;
  /** The emulator's facts about a vault; undefined when there is no such vault. */
  vaultState(vaultId: string): VaultEmulatorState | undefined;
  /** Changes the emulator's facts about a vault (Azure Backup's part); throws 404 when there is no such vault. */
  updateVaultState(vaultId: string, change: (state: VaultEmulatorState) => void): VaultEmulatorState;
  /** The vault as GET renders it; undefined when there is no such vault. */
  renderVault(vaultId: string): JsonObject | undefined;
  settings(): RecoveryServicesSettings;
  /** The emulator's switch for the experience of vaults created from now on. */
  setNewVaultBackupStorageVersion(version: BackupStorageVersion): void;
}

// Properties the service sets; a client's values for them are ignored, as ARM ignores read-only properties.
const READ_ONLY_PROPERTIES = new Set([
  'provisioningState',
  'privateEndpointConnections',
  'privateEndpointStateForBackup',
  'privateEndpointStateForSiteRecovery',
  'backupStorageVersion',
  'moveState',
  'secureScore',
  'bcdrSecurityLevel',
]);

const IDENTITY_TYPES = new Map(['SystemAssigned', 'None', 'UserAssigned', 'SystemAssigned, UserAssigned'].map((t) => [t.toLowerCase().replace(/\s+/g, ''), t]));

/** The emulator state stored with a vault (a copy). */
export function vaultStateOf(stored: StoredResource): VaultEmulatorState {
  const raw = obj(stored.resource[VAULT_EMULATOR_STATE_KEY]) ?? {};
  const names = (key: string): string[] => (Array.isArray(raw[key]) ? raw[key].filter((n): n is string => typeof n === 'string') : []);
  const items = names('protectedItemNames');
  const containers = names('registeredContainerNames');
  return {
    numericId: str(raw['numericId']) ?? '',
    backupStorageVersion: raw['backupStorageVersion'] === 'V2' ? 'V2' : 'V1',
    identityEverDisabled: raw['identityEverDisabled'] === true,
    registeredContainers: containers.length,
    registeredContainerNames: containers,
    protectedItems: items.length,
    protectedItemNames: items,
    everHadItems: raw['everHadItems'] === true,
    privateEndpointStateEverEnabled: raw['privateEndpointStateEverEnabled'] === true,
    firstItemAttemptAt: str(raw['firstItemAttemptAt']),
    firstPrivateEndpointAt: str(raw['firstPrivateEndpointAt']),
  };
}

function stateJson(state: VaultEmulatorState): JsonObject {
  return {
    numericId: state.numericId,
    backupStorageVersion: state.backupStorageVersion,
    identityEverDisabled: state.identityEverDisabled,
    registeredContainerNames: [...state.registeredContainerNames],
    protectedItemNames: [...state.protectedItemNames],
    everHadItems: state.everHadItems,
    privateEndpointStateEverEnabled: state.privateEndpointStateEverEnabled,
    ...(state.firstItemAttemptAt !== undefined ? { firstItemAttemptAt: state.firstItemAttemptAt } : {}),
    ...(state.firstPrivateEndpointAt !== undefined ? { firstPrivateEndpointAt: state.firstPrivateEndpointAt } : {}),
  };
}

/** The status of a connection child (`Pending` when unreadable). */
function connectionStatus(connection: StoredResource): string {
  return str(obj(obj(connection.resource['properties'])?.['privateLinkServiceConnectionState'])?.['status']) ?? 'Pending';
}

/** ARM's vault etag shape: `W/"datetime'2017-12-15T12%3A36%3A51.68Z'"`. */
function vaultEtag(stored: StoredResource): string {
  return `W/"datetime'${encodeURIComponent(stored.changedAt)}'"`;
}

/** The vault as the Recovery Services RP answers it (GETVault.json's shape). */
export function renderVault(store: ResourceStore, stored: StoredResource): JsonObject {
  const { [VAULT_EMULATOR_STATE_KEY]: _hidden, ...resource } = stored.resource;
  const state = vaultStateOf(stored);
  const connections = store.children(stored.id, VAULT_CONNECTION_TYPE);
  const properties: JsonObject = { ...(obj(resource['properties']) ?? {}) };
  properties['provisioningState'] = 'Succeeded';
  if (connections.length > 0) {
    // The vault lists its connections with id and properties only, as GETVault.json shows.
    properties['privateEndpointConnections'] = connections.map((c) => ({ id: c.id, properties: structuredClone(obj(c.resource['properties']) ?? {}) }));
  }
  properties['privateEndpointStateForBackup'] = state.privateEndpointStateEverEnabled || connections.some((c) => connectionStatus(c) === 'Approved') ? 'Enabled' : 'None';
  properties['privateEndpointStateForSiteRecovery'] = 'None';
  properties['backupStorageVersion'] = state.backupStorageVersion;
  properties['secureScore'] = 'None';
  properties['bcdrSecurityLevel'] = 'Poor';
  return { ...resource, etag: vaultEtag(stored), properties, id: stored.id, name: stored.parsed.name, type: VAULT_TYPE };
}

/** The private-link resources a vault offers (ListPrivateLinkResources.json's shape). */
export function renderPrivateLinkResources(stored: StoredResource, geoCodeOverrides: Readonly<Record<string, string>> = {}): JsonObject[] {
  const state = vaultStateOf(stored);
  const location = str(stored.resource['location']) ?? '';
  const geo = backupGeoCode(location, geoCodeOverrides) ?? location;
  const classic = state.backupStorageVersion === 'V1';
  const members = (classic ? CLASSIC_BACKUP_MEMBERS : V2_BACKUP_MEMBERS).map((m) => `backup-${m}`);
  // Classic vaults need the blob and queue zones too (Backup's own _ecs/_prot endpoints); v2 vaults do not.
  const zones = [`privatelink.${geo}.${BACKUP_DNS_SUFFIX}`, ...(classic ? [`privatelink.queue.${STORAGE_DNS_SUFFIX}`, `privatelink.blob.${STORAGE_DNS_SUFFIX}`] : [])];
  return [
    {
      id: `${stored.id}/privateLinkResources/backupResource`,
      name: 'backupResource',
      type: `${VAULT_TYPE}/privateLinkResources`,
      properties: { groupId: 'AzureBackup', requiredMembers: members, requiredZoneNames: zones },
    },
    {
      id: `${stored.id}/privateLinkResources/siteRecoveryResource`,
      name: 'siteRecoveryResource',
      type: `${VAULT_TYPE}/privateLinkResources`,
      properties: {
        groupId: 'AzureSiteRecovery',
        requiredMembers: ['siteRecovery-rcm1', 'siteRecovery-prot2', 'siteRecovery-tel1', 'siteRecovery-srs1', 'siteRecovery-prot2b', 'siteRecovery-id1'],
        requiredZoneNames: [`privatelink.${geo}.siterecovery.windowsazure.com`, `privatelink.queue.${STORAGE_DNS_SUFFIX}`, `privatelink.blob.${STORAGE_DNS_SUFFIX}`],
      },
    },
  ];
}

/** The vault usages (ListUsages.json's shape), from what Backup recorded. */
export function renderVaultUsages(state: VaultEmulatorState): JsonObject[] {
  const count = (value: string, localizedValue: string, currentValue: number): JsonObject => ({ unit: 'Count', currentValue, limit: -1, name: { value, localizedValue } });
  return [
    count('MABContainersCount', 'Backup management servers', 0),
    count('ProtectedItemCount', 'Backup items/Azure virtual machine backup', state.protectedItems),
    count('ProtectedItemCriticalCount', 'Critical', 0),
    count('ProtectedItemWarningCount', 'Warning', 0),
    count('IaaSVMProtectedItemCount', 'Azure Virtual Machines', 0),
    count('ManagedInstances', 'Protected Instances', state.protectedItems),
  ];
}

function notFound(vaultName: string, resourceGroup: string): ArmError {
  return armErrors.resourceNotFound(VAULT_TYPE, vaultName, resourceGroup);
}

/** `identity` of a request → the identity to store, keeping the principal while the system-assigned identity stays on. */
function nextIdentity(requested: JsonObject | undefined, previous: JsonObject | undefined, tenantId: string): { identity: JsonObject | undefined; turnedOff: boolean } {
  if (requested === undefined) return { identity: previous, turnedOff: false };
  const rawType = str(requested['type']);
  const type = rawType === undefined ? undefined : IDENTITY_TYPES.get(rawType.toLowerCase().replace(/\s+/g, ''));
  if (type === undefined) {
    throw armErrors.badRequest('InvalidIdentityType', `The identity type '${rawType ?? ''}' is not supported; use SystemAssigned, UserAssigned, 'SystemAssigned, UserAssigned' or None.`);
  }
  const hadSystem = previous !== undefined && str(previous['principalId']) !== undefined;
  const wantsSystem = type.startsWith('SystemAssigned');
  const identity: JsonObject = { type };
  if (wantsSystem) {
    // Keep the principal while the identity stays on; a new one after off → on (the seed's warning).
    identity['principalId'] = hadSystem ? (str(previous?.['principalId']) as string) : randomUUID();
    identity['tenantId'] = hadSystem ? (str(previous?.['tenantId']) ?? tenantId) : tenantId;
  }
  const userAssigned = obj(requested['userAssignedIdentities']);
  if (type.includes('UserAssigned')) {
    if (!userAssigned || Object.keys(userAssigned).length === 0) {
      throw armErrors.badRequest('BadRequest', 'The identity type UserAssigned needs at least one entry in userAssignedIdentities.');
    }
    const previousUser = obj(previous?.['userAssignedIdentities']) ?? {};
    const entries: JsonObject = {};
    for (const id of Object.keys(userAssigned)) {
      entries[id] = obj(previousUser[id]) ?? { principalId: randomUUID(), clientId: randomUUID() };
    }
    identity['userAssignedIdentities'] = entries;
  }
  return { identity: type === 'None' ? { type: 'None' } : identity, turnedOff: hadSystem && !wantsSystem };
}

/** Writable properties of a request, merged over the stored ones (PATCH) or replacing them (PUT). */
function writableProperties(requested: JsonObject | undefined, base: JsonObject): JsonObject {
  const out: JsonObject = { ...base };
  for (const [k, v] of Object.entries(requested ?? {})) if (!READ_ONLY_PROPERTIES.has(k)) out[k] = v;
  return out;
}

export function createRecoveryServicesProvider(options: { geoCodeOverrides?: Readonly<Record<string, string>> } = {}): EmulatorProvider<RecoveryServicesExports> {
  return {
    name: RECOVERY_SERVICES_PROVIDER_NAME,
    register(api: ProviderApi): RecoveryServicesExports {
      const { store } = api;
      const settings: RecoveryServicesSettings = { newVaultBackupStorageVersion: 'V1' };
      // How many times each vault id was created, so that a re-created vault gets a new numeric id.
      const incarnations = new Map<string, number>();

      const vaultIdOf = (p: Readonly<Record<string, string>>): string =>
        `${resourceGroupResourceId(p['subscriptionId'] as string, p['resourceGroupName'] as string)}/providers/${VAULT_TYPE}/${p['vaultName']}`;
      const getVault = (ctx: ArmContext): StoredResource => {
        const stored = store.get(vaultIdOf(ctx.params));
        if (!stored) throw notFound(ctx.params['vaultName'] as string, ctx.params['resourceGroupName'] as string);
        return stored;
      };
      const tenantOf = (subscriptionId: string): string => str(store.get(subscriptionResourceId(subscriptionId))?.resource['tenantId']) ?? api.tenantId;

      const writeVault = (ctx: ArmContext, merge: boolean): { status: number; body: JsonObject } => {
        const body = ctx.requireBody();
        const id = vaultIdOf(ctx.params);
        const previous = store.get(id);
        if (merge && !previous) throw notFound(ctx.params['vaultName'] as string, ctx.params['resourceGroupName'] as string);
        const location = str(body['location']);
        if (!merge && (location === undefined || location.length === 0)) {
          throw armErrors.badRequest('LocationRequired', 'The location property is required for this definition.');
        }
        const normalizedLocation = location?.replace(/\s+/g, '').toLowerCase();
        const previousLocation = str(previous?.resource['location']);
        if (previous && normalizedLocation !== undefined && normalizedLocation !== previousLocation) {
          throw new ArmError(409, 'InvalidResourceLocation', `The resource '${previous.parsed.name}' already exists in location '${previousLocation}' in resource group '${previous.parsed.resourceGroup}'. A resource with the same name cannot be created in location '${location}'. Please select a new resource name.`);
        }

        let state: VaultEmulatorState;
        if (previous) {
          state = vaultStateOf(previous);
        } else {
          const incarnation = incarnations.get(parseResourceId(id).key) ?? 0;
          incarnations.set(parseResourceId(id).key, incarnation + 1);
          state = {
            numericId: vaultNumericIdFor(parseResourceId(id).key, incarnation),
            backupStorageVersion: settings.newVaultBackupStorageVersion,
            identityEverDisabled: false,
            registeredContainers: 0,
            registeredContainerNames: [],
            protectedItems: 0,
            protectedItemNames: [],
            everHadItems: false,
            privateEndpointStateEverEnabled: false,
          };
        }

        // A write without `identity` leaves it as it is (PUT or PATCH): never rotate a principal by accident.
        const { identity, turnedOff } = nextIdentity(obj(body['identity']), obj(previous?.resource['identity']), tenantOf(ctx.params['subscriptionId'] as string));
        if (turnedOff) state.identityEverDisabled = true;

        const resource: JsonObject = {
          location: previousLocation ?? (normalizedLocation as string),
          name: previous?.parsed.name ?? (ctx.params['vaultName'] as string),
        };
        const tags = merge ? (obj(body['tags']) ?? obj(previous?.resource['tags'])) : obj(body['tags']);
        if (tags) resource['tags'] = tags;
        if (identity) resource['identity'] = identity;
        const previousProperties = obj(previous?.resource['properties']) ?? {};
        const properties = writableProperties(obj(body['properties']), merge ? previousProperties : {});
        properties['publicNetworkAccess'] ??= 'Enabled';
        resource['properties'] = properties;
        resource['sku'] = obj(body['sku']) ?? obj(previous?.resource['sku']) ?? { name: 'Standard' };
        resource[VAULT_EMULATOR_STATE_KEY] = stateJson(state);
        const stored = store.put(id, resource, { principalId: ctx.caller.principalId });
        return { status: previous ? 200 : 201, body: renderVault(store, stored) };
      };

      const RG_VAULTS = '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.RecoveryServices/vaults';

      api.route('GET', `/subscriptions/{subscriptionId}/providers/Microsoft.RecoveryServices/vaults`, (ctx) => ({
        status: 200,
        body: { value: store.list({ type: VAULT_TYPE, scope: subscriptionResourceId(ctx.params['subscriptionId'] as string) }).map((v) => renderVault(store, v)) },
      }), { requireResourceGroup: false, pageable: true });
      api.route('GET', RG_VAULTS, (ctx) => ({
        status: 200,
        body: { value: store.list({ type: VAULT_TYPE, scope: resourceGroupResourceId(ctx.params['subscriptionId'] as string, ctx.params['resourceGroupName'] as string) }).map((v) => renderVault(store, v)) },
      }), { pageable: true });
      api.route('GET', `${RG_VAULTS}/{vaultName}`, (ctx) => ({ status: 200, body: renderVault(store, getVault(ctx)) }));
      // Vault writes are long-running, as the Recovery Services spec declares them
      // (x-ms-long-running-operation on Vaults_CreateOrUpdate, Vaults_Update and Vaults_Delete):
      // the vault is written at once and answered with `Azure-AsyncOperation` (and Retry-After 60),
      // the final vault is read when the operation completes.
      const vaultOperation = (ctx: ArmContext, result: { status: number; body: JsonObject }, status: 200 | 201): ArmResponse =>
        ctx.longRunning({
          status,
          body: { ...result.body, properties: { ...(obj(result.body['properties']) ?? {}), provisioningState: 'Updating' } },
          complete: () => renderVault(store, getVault(ctx)),
        });
      api.route('PUT', `${RG_VAULTS}/{vaultName}`, (ctx) => {
        const result = writeVault(ctx, false);
        return vaultOperation(ctx, result, result.status === 201 ? 201 : 200);
      });
      api.route('PATCH', `${RG_VAULTS}/{vaultName}`, (ctx) => vaultOperation(ctx, writeVault(ctx, true), 200));
      api.route('DELETE', `${RG_VAULTS}/{vaultName}`, (ctx) => {
        const stored = store.get(vaultIdOf(ctx.params));
        if (!stored) return { status: 204, events: [] };
        const state = vaultStateOf(stored);
        const connections = store.children(stored.id, VAULT_CONNECTION_TYPE);
        if (state.registeredContainers > 0 || state.protectedItems > 0 || connections.length > 0) {
          const what = [
            state.registeredContainers > 0 ? `${state.registeredContainers} registered container(s)` : '',
            state.protectedItems > 0 ? `${state.protectedItems} protected item(s)` : '',
            connections.length > 0 ? `${connections.length} private endpoint connection(s)` : '',
          ].filter((s) => s.length > 0);
          throw armErrors.conflict('ServiceResourceNotEmpty', `Vault ${stored.parsed.name} cannot be deleted as there are existing resources within the vault: ${what.join(', ')}. Please delete them and try again.`);
        }
        return ctx.longRunning({
          status: 202,
          complete: () => {
            const current = store.get(stored.id);
            if (current) store.deleteTree(current.id);
          },
        });
      });

      api.route('GET', `${RG_VAULTS}/{vaultName}/privateLinkResources`, (ctx) => ({
        status: 200,
        body: { value: renderPrivateLinkResources(getVault(ctx), options.geoCodeOverrides) },
      }), { action: `${VAULT_TYPE}/privateLinkResources/read`, pageable: true });
      api.route('GET', `${RG_VAULTS}/{vaultName}/privateLinkResources/{privateLinkResourceName}`, (ctx) => {
        const found = renderPrivateLinkResources(getVault(ctx), options.geoCodeOverrides).find((r) => str(r['name'])?.toLowerCase() === ctx.params['privateLinkResourceName']?.toLowerCase());
        if (!found) throw armErrors.resourceNotFound(`${VAULT_TYPE}/privateLinkResources`, ctx.params['privateLinkResourceName'] as string, ctx.params['resourceGroupName']);
        return { status: 200, body: found };
      }, { action: `${VAULT_TYPE}/privateLinkResources/read` });
      api.route('GET', `${RG_VAULTS}/{vaultName}/usages`, (ctx) => ({ status: 200, body: { value: renderVaultUsages(vaultStateOf(getVault(ctx))) } }), { action: `${VAULT_TYPE}/usages/read` });

      api.controlRoute('GET', 'recoveryservices/settings', (): ControlResponse => ({ status: 200, body: { ...settings } }));
      api.controlRoute('PUT', 'recoveryservices/settings', (req): ControlResponse => {
        const body = obj(req.body);
        const version = body?.['newVaultBackupStorageVersion'];
        if (version !== 'V1' && version !== 'V2') throw armErrors.badRequest('InvalidSetting', 'newVaultBackupStorageVersion must be "V1" (classic) or "V2".');
        settings.newVaultBackupStorageVersion = version;
        return { status: 200, body: { ...settings } };
      });

      const providerExports: RecoveryServicesExports = {
        privateLinkVault(vaultId) {
          const stored = store.get(vaultId);
          if (!stored || stored.type.toLowerCase() !== VAULT_TYPE.toLowerCase()) return undefined;
          const state = vaultStateOf(stored);
          return { location: str(stored.resource['location']) ?? '', numericId: state.numericId, experience: state.backupStorageVersion === 'V1' ? 'classic' : 'v2', itemsBeforePrivateEndpoints: itemsBeforePrivateEndpoints(state) };
        },
        vaultState(vaultId) {
          const stored = store.get(vaultId);
          return stored && stored.type.toLowerCase() === VAULT_TYPE.toLowerCase() ? vaultStateOf(stored) : undefined;
        },
        updateVaultState(vaultId, change) {
          const stored = store.get(vaultId);
          if (!stored || stored.type.toLowerCase() !== VAULT_TYPE.toLowerCase()) {
            const p = parseResourceId(vaultId);
            throw notFound(p.name, p.resourceGroup ?? '');
          }
          const state = vaultStateOf(stored);
          change(state);
          state.protectedItems = state.protectedItemNames.length;
          state.registeredContainers = state.registeredContainerNames.length;
          store.put(stored.id, { ...stored.resource, [VAULT_EMULATOR_STATE_KEY]: stateJson(state) });
          return state;
        },
        renderVault(vaultId) {
          const stored = store.get(vaultId);
          return stored && stored.type.toLowerCase() === VAULT_TYPE.toLowerCase() ? renderVault(store, stored) : undefined;
        },
        settings: () => ({ ...settings }),
        setNewVaultBackupStorageVersion(version) {
          settings.newVaultBackupStorageVersion = version;
        },
      };
      return providerExports;
    },
  };
}

/** The provider with default options. */
export const recoveryServicesProvider = createRecoveryServicesProvider();
