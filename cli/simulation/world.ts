/**
 * One simulation run: the emulator, the landing zone, vaultlink reacting to Event Grid, and the
 * verbs a scenario plays (create a vault, create a private endpoint, register a container, back
 * up, resolve a name), each followed by waiting until vaultlink is done with what it caused.
 */
import type { Emulator, WriteRecord } from '../../emulator';
import contract from '../../shared/contract.json';
import { parentResourceId, parseResourceId, resourceInGroupId, tryParseResourceId } from '../../shared/domain/ids';
import type { VaultPlan } from '../../shared/plan/types';
import { FAST_POLLING, REGION, SIMULATION_IDS, networkClient, recoveryServicesClient, type LandingZone } from './landing-zone';
import type { Actor, Timeline } from './timeline';

/** vaultlink as the simulation runs it: the real Event Grid handler and orchestrations on the local driver. */
export interface VaultlinkRuntime {
  /** The principal vaultlink acts as (its writes are counted and shown as its own). */
  readonly principalId: string;
  /** Waits until no orchestration has work left (pending timers of follow-ups excluded). */
  idle(): Promise<void>;
  /** Runs the timer sweep once (what catches dropped events). */
  sweep(): Promise<void>;
  /** Ids of the events Event Grid delivered to vaultlink (a dropped event is not among them). */
  deliveredEventIds(): ReadonlySet<string>;
  /** Observe + plan of every vault in scope, writing nothing (the final checklist). */
  statusOfVaults(): Promise<VaultPlan[]>;
  close(): Promise<void>;
}

export interface BackupJob {
  readonly vaultId: string;
  readonly kind: 'register-container' | 'backup';
  readonly status: 'Completed' | 'Failed';
  readonly error?: { readonly code: string; readonly message: string } | undefined;
  /** The scenario expected this job to succeed (only those count for the exit code). */
  readonly mustSucceed: boolean;
}

export interface BackupExports {
  registerContainer(vaultId: string, options?: { containerName?: string; vnetId?: string }): Promise<{ status: 'Completed' | 'Failed'; error?: { code: string; message: string }; createdPrivateEndpoints: readonly string[] }>;
  runBackup(vaultId: string, options?: { itemName?: string; vnetId?: string }): Promise<{ status: 'Completed' | 'Failed'; error?: { code: string; message: string }; createdPrivateEndpoints: readonly string[] }>;
}

interface NameResolution {
  readonly answer: 'private' | 'public' | 'nxdomain';
  readonly addresses: readonly string[];
}

/** A write vaultlink (or anyone) made, with when it happened. */
interface StampedWrite {
  readonly atMs: number;
  readonly record: WriteRecord;
}

const SETTLE_ROUNDS = 60;

export class Simulation {
  readonly backups: BackupJob[] = [];
  private readonly stamped: StampedWrite[] = [];

  constructor(
    readonly emulator: Emulator,
    readonly zone: LandingZone,
    readonly runtime: VaultlinkRuntime,
    readonly timeline: Timeline,
  ) {
    // The emulator's write log has no times; stamp each record as it is made, so that the timeline
    // can say how long after a step vaultlink wrote.
    const writes = emulator.writes;
    const record = writes.record.bind(writes);
    writes.record = (r: WriteRecord): void => {
      this.stamped.push({ atMs: timeline.now(), record: r });
      record(r);
    };
  }

  /** Writes that reached a provider, made by vaultlink (faulted attempts excluded). */
  vaultlinkWrites(): number {
    return this.emulator.writes.count(this.runtime.principalId);
  }

  /**
   * Runs one step of the scenario as `actor`, then waits for vaultlink to finish what the step
   * caused, and puts vaultlink's writes on the timeline with their delay after the step began.
   */
  async step<T>(actor: Actor, text: string, action: () => Promise<T>, describe?: (result: T) => { text?: string; ok?: boolean }): Promise<T> {
    const began = this.timeline.now();
    const from = this.stamped.length;
    const result = await action();
    const extra = describe?.(result) ?? {};
    this.timeline.add(actor, extra.text ?? text, { atMs: began, ...(extra.ok !== undefined ? { ok: extra.ok } : {}) });
    await this.settle();
    this.reportVaultlinkWrites(from, began);
    return result;
  }

  /** Waits until events are delivered and vaultlink is idle, and no new event appeared meanwhile. */
  async settle(): Promise<void> {
    for (let round = 0; round < SETTLE_ROUNDS; round++) {
      const before = this.emulator.events.published().length;
      await this.emulator.events.drain();
      await this.runtime.idle();
      await this.emulator.events.drain();
      if (this.emulator.events.published().length === before) return;
    }
    throw new Error(`the simulation did not settle after ${SETTLE_ROUNDS} rounds of events (a reconcile loop?)`);
  }

  /** The sweep (timer trigger) runs once; its writes go on the timeline like any step's. */
  async sweep(): Promise<void> {
    await this.step('vaultlink', 'sweep: re-checks every vault in scope (the timer trigger)', () => this.runtime.sweep());
  }

  /** vaultlink's writes and Azure Backup's own (as the vault identity) during a step, in time order. */
  private reportVaultlinkWrites(from: number, began: number): void {
    const me = this.runtime.principalId.toLowerCase();
    for (const s of this.stamped.slice(from)) {
      const failed = s.record.faulted || s.record.status >= 400;
      const why = s.record.faulted ? ` — answered ${s.record.status} (injected fault; retried)` : s.record.status >= 400 ? ` — failed ${s.record.status}` : '';
      if (s.record.principalId.toLowerCase() === me) {
        this.timeline.add('vaultlink', `${describeWrite(this.emulator, s.record)}${why}`, { atMs: s.atMs, afterStepMs: s.atMs - began, ...(failed ? { ok: false } : {}) });
      } else if (s.record.sideEffect) {
        this.timeline.add('azure-backup', `${describeWrite(this.emulator, s.record)} as the vault identity${why}`, { atMs: s.atMs, ...(failed ? { ok: false } : {}) });
      }
    }
  }

  // -------------------------------------------------------------------------------------------
  // Verbs of the scenarios

  vaultId(name: string): string {
    return resourceInGroupId(this.zone.spokeSubscriptionId, this.zone.backupResourceGroup, 'Microsoft.RecoveryServices/vaults', name);
  }

  /** The platform team creates a vault (identity off: vaultlink turns it on for a classic vault). */
  async createVault(name: string, options: { experience?: 'V1' | 'V2' } = {}): Promise<string> {
    const rs = this.emulator.provider<{ setNewVaultBackupStorageVersion(v: 'V1' | 'V2'): void }>('recoveryservices');
    rs.setNewVaultBackupStorageVersion(options.experience ?? 'V1');
    const client = recoveryServicesClient(this.emulator, SIMULATION_IDS.platformPrincipalId, this.zone.spokeSubscriptionId);
    const experience = options.experience === 'V2' ? 'v2 experience' : 'classic (v1) experience';
    await this.step('platform', `creates Recovery Services vault ${name} in ${REGION} (${experience}, identity off)`, () =>
      client.vaults.beginCreateOrUpdateAndWait(this.zone.backupResourceGroup, name, { location: REGION, sku: { name: 'Standard' }, properties: { publicNetworkAccess: 'Enabled' } }, FAST_POLLING),
    );
    return this.vaultId(name);
  }

  /**
   * A team creates a private endpoint to the vault, asking for approval (manual connection):
   * the spoke team in the spoke's endpoint subnet, or an outsider in its own subscription.
   */
  async createPrivateEndpoint(
    name: string,
    vaultId: string,
    options: { as?: 'spoke-team' | 'outsider'; subnetId?: string; resourceGroup?: string; subscriptionId?: string; expectRefusal?: boolean } = {},
  ): Promise<string | undefined> {
    const as = options.as ?? 'spoke-team';
    const principal = as === 'outsider' ? SIMULATION_IDS.outsiderPrincipalId : SIMULATION_IDS.spokeTeamPrincipalId;
    const subscriptionId = options.subscriptionId ?? this.zone.spokeSubscriptionId;
    const resourceGroup = options.resourceGroup ?? this.zone.networkResourceGroup;
    const client = networkClient(this.emulator, principal, subscriptionId);
    const body = {
      location: REGION,
      subnet: { id: options.subnetId ?? this.zone.endpointSubnetId },
      manualPrivateLinkServiceConnections: [{ name, privateLinkServiceId: vaultId, groupIds: ['AzureBackup'], requestMessage: `${as} asks for backup over private link` }],
    };
    const vaultName = parseResourceId(vaultId).name;
    const pe = await this.step(
      as,
      `creates private endpoint ${name} to vault ${vaultName} (connection Pending: no approval right on the vault)`,
      () => client.privateEndpoints.beginCreateOrUpdateAndWait(resourceGroup, name, body, FAST_POLLING).then((r) => ({ id: r.id, refused: undefined }), (e: unknown) => ({ id: undefined, refused: e })),
      (r) => (r.refused === undefined ? {} : { text: `tries to create private endpoint ${name} to vault ${vaultName}: refused by Azure (${errorCode(r.refused)})`, ok: options.expectRefusal === true }),
    );
    if (pe.refused !== undefined) {
      if (options.expectRefusal) return undefined;
      throw pe.refused;
    }
    return pe.id ?? resourceInGroupId(subscriptionId, resourceGroup, 'Microsoft.Network/privateEndpoints', name);
  }

  private backup(): BackupExports {
    return this.emulator.provider<BackupExports>('backup');
  }

  /** Azure Backup registers the VM with the vault (from the VM's VNet); a classic vault gets its _ecs endpoints. */
  async registerContainer(vaultId: string, options: { mustSucceed?: boolean; vnetId?: string } = {}): Promise<BackupJob> {
    const name = parseResourceId(vaultId).name;
    const result = await this.step(
      'azure-backup',
      `registers VM vm-app01 with vault ${name}`,
      () => this.backup().registerContainer(vaultId, { containerName: 'vm-app01', vnetId: options.vnetId ?? this.zone.vnetId }),
      (r) => ({ text: `registers VM vm-app01 with vault ${name}: ${jobText(r)}`, ok: r.status === 'Completed' }),
    );
    return this.recordJob(vaultId, 'register-container', result, options.mustSucceed ?? true);
  }

  /**
   * The first backup job: for a classic vault, Azure Backup creates the `_prot` endpoint as the
   * vault identity; the job's traffic then needs every name of the vault's endpoints to resolve
   * privately from the VM's VNet. `fromVnet: false` starts the job without that check (the
   * trigger of the `_prot` endpoint); the job that moves data is the one from the VNet.
   */
  async runBackup(vaultId: string, options: { mustSucceed?: boolean; fromVnet?: boolean; label?: string } = {}): Promise<BackupJob> {
    const name = parseResourceId(vaultId).name;
    const label = options.label ?? 'backs up database db01 of vm-app01';
    const fromVnet = options.fromVnet ?? true;
    const result = await this.step(
      'azure-backup',
      `${label} (vault ${name})`,
      () => this.backup().runBackup(vaultId, { itemName: 'db01', ...(fromVnet ? { vnetId: this.zone.vnetId } : {}) }),
      (r) => ({ text: `${label} (vault ${name}): ${jobText(r)}`, ok: r.status === 'Completed' }),
    );
    return this.recordJob(vaultId, 'backup', result, options.mustSucceed ?? true);
  }

  private recordJob(vaultId: string, kind: BackupJob['kind'], r: { status: 'Completed' | 'Failed'; error?: { code: string; message: string } }, mustSucceed: boolean): BackupJob {
    const job: BackupJob = { vaultId, kind, status: r.status, error: r.error, mustSucceed };
    this.backups.push(job);
    return job;
  }

  /** `nslookup fqdn` from the VM's VNet. */
  resolve(fqdn: string, vnetId = this.zone.vnetId): NameResolution {
    return this.emulator.provider<{ resolve(vnetId: string, fqdn: string): NameResolution }>('privatedns').resolve(vnetId, fqdn);
  }

  /** Resolves every Backup FQDN of the vault's approved endpoints from the VM's VNet and puts the answer on the timeline. */
  checkNameResolution(vaultId: string): boolean {
    const names = this.emulator.provider<{ requiredNames(vaultId: string): Map<string, string[]> }>('backup').requiredNames(vaultId);
    let privateCount = 0;
    const wrong: string[] = [];
    for (const [fqdn, expected] of names) {
      const r = this.resolve(fqdn);
      if (r.answer === 'private' && r.addresses.some((a) => expected.includes(a))) privateCount++;
      else wrong.push(`${fqdn} → ${r.answer}`);
    }
    const sample = [...names.keys()][0];
    const sampleText = sample ? `, e.g. ${sample} → ${this.resolve(sample).addresses.join(', ') || this.resolve(sample).answer}` : '';
    const ok = wrong.length === 0 && names.size > 0;
    this.timeline.add('vm', `nslookup from vnet-spoke-app: ${privateCount}/${names.size} names of vault ${parseResourceId(vaultId).name} resolve to private IPs${sampleText}${wrong.length ? `; wrong: ${wrong.slice(0, 3).join('; ')}` : ''}`, { ok });
    return ok;
  }

  note(actor: Actor, text: string): void {
    this.timeline.add(actor, text);
  }
}

function errorCode(e: unknown): string {
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' ? code : e instanceof Error ? e.message : String(e);
}

function jobText(r: { status: string; error?: { code: string; message: string }; createdPrivateEndpoints: readonly string[] }): string {
  const created = r.createdPrivateEndpoints.length > 0 ? `; Backup created ${r.createdPrivateEndpoints.map((id) => parseResourceId(id).name).join(', ')}` : '';
  return r.status === 'Completed' ? `Completed${created}` : `Failed (${r.error?.code ?? 'no code'})${created}`;
}

const ROLE_NAMES = new Map(Object.entries(contract.roleDefinitions).map(([name, guid]) => [guid.toLowerCase(), name]));

function props(resource: Record<string, unknown> | undefined): Record<string, unknown> {
  const p = resource?.['properties'];
  return p !== null && typeof p === 'object' ? (p as Record<string, unknown>) : {};
}

/**
 * A write in words, from the request and what Azure holds now: `grants Contributor on
 * rg-private-dns`, `writes A record x in zone z → 10.1.2.4`, … (the write log has no bodies).
 */
export function describeWrite(emulator: Emulator, r: WriteRecord): string {
  const path = r.path.split('?')[0] ?? r.path;
  const id = tryParseResourceId(path);
  if (id === undefined) return `${r.method} ${path}`;
  const stored = emulator.store.get(id.id)?.resource as Record<string, unknown> | undefined;
  const p = props(stored);
  const type = id.type.toLowerCase();
  if (type === 'microsoft.authorization/roleassignments') {
    const guid = String(p['roleDefinitionId'] ?? '').split('/').pop()?.toLowerCase() ?? '';
    const scope = path.replace(/\/providers\/Microsoft\.Authorization\/roleAssignments\/.*$/i, '');
    const scopeName = tryParseResourceId(scope)?.name ?? scope;
    return `grants ${ROLE_NAMES.get(guid) ?? guid} on ${scopeName} to the vault identity (role assignment ${id.name})`;
  }
  if (type === 'microsoft.network/privatednszones/a') {
    const ips = (Array.isArray(p['aRecords']) ? p['aRecords'] : []).map((a) => (a as { ipv4Address?: string }).ipv4Address).filter(Boolean);
    return `writes A record ${id.name} in ${parentName(id.id)}${ips.length ? ` → ${ips.join(', ')}` : ''}`;
  }
  if (type === 'microsoft.network/privatednszones/virtualnetworklinks') {
    const vnet = tryParseResourceId(String((p['virtualNetwork'] as { id?: string } | undefined)?.id ?? ''))?.name;
    return `links ${vnet ?? 'a VNet'} to zone ${parentName(id.id)}`;
  }
  if (type === 'microsoft.recoveryservices/vaults/privateendpointconnections') {
    const state = (p['privateLinkServiceConnectionState'] as { status?: string } | undefined)?.status;
    const pe = tryParseResourceId(String((p['privateEndpoint'] as { id?: string } | undefined)?.id ?? ''))?.name;
    return `${state === 'Approved' ? 'approves' : state === 'Rejected' ? 'rejects' : 'sets'} the connection of ${pe ?? id.name}${state && state !== 'Approved' && state !== 'Rejected' ? ` to ${state}` : ''}`;
  }
  if (type === 'microsoft.recoveryservices/vaults' && r.principalId.toLowerCase() === SIMULATION_IDS.vaultlinkPrincipalId.toLowerCase()) {
    const identity = (stored?.['identity'] as { type?: string } | undefined)?.type;
    return `turns on the system-assigned identity of vault ${id.name} (identity now ${identity ?? 'unknown'})`;
  }
  if (type === 'microsoft.network/privateendpoints') return `creates private endpoint ${id.name}`;
  if (type === 'microsoft.network/privatednszones') return `creates zone ${id.name}`;
  return `${r.operation.replace(/^Microsoft\.[A-Za-z]+\//, '')} ${id.name}`;
}

function parentName(id: string): string {
  const parent = parentResourceId(id);
  return parent === undefined ? '?' : (tryParseResourceId(parent)?.name ?? parent);
}
