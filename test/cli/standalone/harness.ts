/**
 * A STANDALONE emulator (the `npm run emulator` a user runs) and the vaultlink CLI as a user types
 * it against it: the harness of the tests that play issue 10's and issue 11's situations end to end
 * (test/cli/standalone/*.test.ts). Nothing here is in-process with the emulator: ARM goes over HTTPS
 * with the emulator's CA, the emulator's own answers (name resolution, write counter, Backup's jobs)
 * come from its control API `/_emulator/…`.
 *
 * API (kept stable: other test files build on it):
 * - `startStandaloneEmulator(options?)` → {@link StandaloneEmulator}: spawns `tsx emulator/main.ts
 *   --port 0` (with the simulation's fixed tenant, spoke subscription and owner = the platform team),
 *   reads its one JSON line; `stop()` sends SIGTERM (call it in `afterAll`).
 *   - `.control` ({@link EmulatorControlClient}): typed `/_emulator/` calls: subscriptions, tokens,
 *     roleAssignments, principals, recoveryservices/settings, backup/registerContainer,
 *     backup/runBackup, backup/requiredNames, backup/addProtStorageAccount, dns/resolve,
 *     network/storagePartitions, writes, operations/settle; plus `createResourceGroup` (an ARM PUT
 *     as the owner: resource groups have no control endpoint and no SDK client in this project).
 *   - `.credentialFor(principalId)`: a token credential from `/_emulator/tokens`, for SDK clients
 *     (`sdkOptions(emulator)` from cli/simulation/landing-zone.ts gives endpoint + CA).
 * - `layOutStandaloneLandingZone(emulator, options)` → {@link StandaloneLandingZone}: the
 *   simulation's landing zone (cli/simulation/landing-zone.ts `layOutLandingZone`: hub zones, spoke
 *   VNet, the spoke team's rights, vaultlink's principal with the roles infra/ gives it, granted
 *   through the control API) and its policy written to a temp dir (`policyPath`).
 *   - people's verbs through the real SDK clients: `createVault`, `createPrivateEndpoint`,
 *     `deletePrivateEndpoint`, `createSpokeVnet`, `createTeamZone`, `decideConnection`;
 *   - `vaultlink(args, { process? })`: runs the CLI (in-process through `runCli`, or as a child
 *     process `tsx cli/main.ts` to prove the real entry point) → {@link CliRun};
 *   - `writePolicy(name, adjust)`: another policy file (the landing zone's, adjusted) → its path;
 *   - `planApply({ policyPath?, vaults?, process? })`: `plan --apply --endpoint … --ca … --principal
 *     <vaultlink> --policy … [--vault …] --output json`, parsed, with the writes vaultlink's
 *     principal made during it (the emulator's write counter, `GET writes`);
 *   - `unresolvedFrom(vaultId, vnetIds)`: every name Backup needs (`backup/requiredNames`) resolved
 *     from each VNet (`dns/resolve`); the problems, empty when all answer privately with an
 *     address of one of the vault's approved endpoints.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RecoveryServicesBackupClient } from '@azure/arm-recoveryservicesbackup';
import type { TokenCredential } from '@azure/identity';
import { captureIO } from '../../../cli/io';
import { runCli } from '../../../cli/program';
import {
  FAST_POLLING,
  REGION,
  SIMULATION_IDS,
  layOutLandingZone,
  networkClient,
  privateDnsClient,
  recoveryServicesClient,
  sdkOptions,
  type LandingZone,
  type LandingZoneHost,
  type LandingZoneOptions,
} from '../../../cli/simulation/landing-zone';
import type { CreateSubscriptionOptions, GrantRoleOptions } from '../../../emulator/control';
import type { PolicyFile } from '../../../shared/config';
import { parseResourceId, resourceGroupResourceId, resourceInGroupId } from '../../../shared/domain/ids';
import type { ActionOutcome, VaultPlan } from '../../../shared/plan/types';

const ROOT = join(__dirname, '..', '..', '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

/** The one line `emulator/main.ts` prints. */
export interface EmulatorLine {
  readonly endpoint: string;
  readonly caFile: string;
  readonly tenantId: string;
  readonly subscriptionId: string;
  readonly ownerToken: string;
}

export interface NameResolution {
  readonly answer: 'private' | 'public' | 'nxdomain';
  readonly addresses: readonly string[];
  readonly aliases?: readonly string[];
}

export interface BackupJobAnswer {
  readonly status: 'Completed' | 'Failed';
  readonly error?: { readonly code: string; readonly message: string };
  readonly createdPrivateEndpoints: readonly string[];
  readonly unresolved?: readonly unknown[];
  readonly warnings?: readonly unknown[];
}

export interface WriteLogEntry {
  readonly method: string;
  readonly path: string;
  readonly operation: string;
  readonly principalId: string;
  readonly status: number;
  readonly faulted: boolean;
  readonly sideEffect?: boolean;
}

export interface WritesAnswer {
  readonly total: number;
  readonly byPrincipal: Readonly<Record<string, number>>;
  readonly log: readonly WriteLogEntry[];
}

export interface AddProtStorageAccountAnswer {
  readonly storageAccountId: string;
  readonly fqdn: string;
  readonly createdPrivateEndpoints: readonly string[];
  readonly error?: { readonly code: string; readonly message: string };
}

/** An answer of the control API that was not 2xx. */
export class ControlApiError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(`${method} /_emulator/${path} answered ${status}: ${body.slice(0, 300)}`);
  }
}

interface HttpAnswer {
  readonly status: number;
  readonly text: string;
}

function request(url: URL, ca: string, method: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpAnswer> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      { method, ca, agent: false, headers: { ...headers, ...(payload !== undefined ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) } : {}) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** The emulator's `/_emulator/` endpoints (emulator/README.md, "The control API"), typed. */
export class EmulatorControlClient {
  constructor(
    private readonly line: EmulatorLine,
    private readonly ca: string,
  ) {}

  /** Any control call: JSON in, JSON out; a non-2xx answer throws {@link ControlApiError}. */
  async call<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
    const answer = await request(new URL(`/_emulator/${path}`, this.line.endpoint), this.ca, method, body);
    if (answer.status < 200 || answer.status > 299) throw new ControlApiError(method, path, answer.status, answer.text);
    return (answer.text.length > 0 ? JSON.parse(answer.text) : undefined) as T;
  }

  health(): Promise<{ status: string; tenantId: string }> {
    return this.call('GET', 'health');
  }

  async createSubscription(options: CreateSubscriptionOptions = {}): Promise<string> {
    return (await this.call<{ subscriptionId: string }>('POST', 'subscriptions', options)).subscriptionId;
  }

  /** A resource group, created by an ARM PUT as the subscription's owner (there is no control endpoint for it). */
  async createResourceGroup(subscriptionId: string, name: string, location: string): Promise<void> {
    const url = new URL(`${resourceGroupResourceId(subscriptionId, name)}?api-version=2021-04-01`, this.line.endpoint);
    const answer = await request(url, this.ca, 'PUT', { location }, { authorization: `Bearer ${this.line.ownerToken}` });
    if (answer.status !== 200 && answer.status !== 201) throw new Error(`creating resource group ${name} in ${subscriptionId}: ARM answered ${answer.status}: ${answer.text.slice(0, 300)}`);
  }

  async token(principalId: string, tenantId?: string): Promise<string> {
    return (await this.call<{ token: string }>('POST', 'tokens', { principalId, ...(tenantId ? { tenantId } : {}) })).token;
  }

  /** A role assignment as the landing zone already had it (no event, not counted, effective at once). */
  grantRole(options: GrantRoleOptions): Promise<unknown> {
    return this.call('POST', 'roleAssignments', options);
  }

  createPrincipal(options: { principalId?: string; principalType?: string } = {}): Promise<{ principalId: string }> {
    return this.call('POST', 'principals', options);
  }

  /** The experience (V1 classic, V2) of vaults created from now on. */
  setNewVaultExperience(version: 'V1' | 'V2'): Promise<unknown> {
    return this.call('PUT', 'recoveryservices/settings', { newVaultBackupStorageVersion: version });
  }

  registerContainer(vaultId: string, options: { containerName?: string; vnetId?: string } = {}): Promise<BackupJobAnswer> {
    return this.call('POST', 'backup/registerContainer', { vaultId, ...options });
  }

  runBackup(vaultId: string, options: { itemName?: string; vnetId?: string } = {}): Promise<BackupJobAnswer> {
    return this.call('POST', 'backup/runBackup', { vaultId, ...options });
  }

  /** Every FQDN of the vault's approved endpoints (and Backup's `_ecs`/`_prot` ones) → their private IPs. */
  async requiredNames(vaultId: string): Promise<Map<string, string[]>> {
    const body = await this.call<Record<string, string[]>>('GET', `backup/requiredNames?vaultId=${encodeURIComponent(vaultId)}`);
    return new Map(Object.entries(body));
  }

  addProtStorageAccount(vaultId: string, partition?: string): Promise<AddProtStorageAccountAnswer> {
    return this.call('POST', 'backup/addProtStorageAccount', { vaultId, ...(partition ? { partition } : {}) });
  }

  /** `nslookup fqdn` from a VM in the VNet. */
  resolve(vnetId: string, fqdn: string): Promise<NameResolution> {
    return this.call('GET', `dns/resolve?vnetId=${encodeURIComponent(vnetId)}&fqdn=${encodeURIComponent(fqdn)}`);
  }

  /** The storage account has Azure DNS zone endpoints: endpoints created to it from now on serve `<account>.<partition>.blob.storage.azure.net`. */
  setStoragePartition(accountName: string, partition: string): Promise<unknown> {
    return this.call('PUT', 'network/storagePartitions', { accountName, partition });
  }

  writes(): Promise<WritesAnswer> {
    return this.call('GET', 'writes');
  }

  /** Writes that reached authorization, made by `principalId` (faulted attempts excluded). */
  async writesBy(principalId: string): Promise<WriteLogEntry[]> {
    return (await this.writes()).log.filter((w) => !w.faulted && w.principalId.toLowerCase() === principalId.toLowerCase());
  }

  settleOperations(): Promise<unknown> {
    return this.call('POST', 'operations/settle');
  }
}

/** A running `emulator/main.ts` child process. */
export interface StandaloneEmulator extends LandingZoneHost {
  readonly line: EmulatorLine;
  readonly control: EmulatorControlClient;
  stop(): Promise<void>;
}

export interface StartStandaloneOptions {
  /** More `emulator/main.ts` options (`--seed 3`, `--latency azure`, …). */
  readonly args?: readonly string[];
}

/** Spawns the standalone emulator with the simulation's fixed ids and waits for its JSON line. */
export async function startStandaloneEmulator(options: StartStandaloneOptions = {}): Promise<StandaloneEmulator> {
  const ids = SIMULATION_IDS;
  const child: ChildProcessWithoutNullStreams = spawn(
    TSX,
    ['emulator/main.ts', '--port', '0', '--tenant-id', ids.tenantId, '--subscription-id', ids.spokeSubscriptionId, '--owner-principal-id', ids.platformPrincipalId, ...(options.args ?? [])],
    { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const text = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString('utf8');
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve(out.slice(0, nl));
    });
    void exited.then((code) => reject(new Error(`emulator/main.ts exited ${code} before printing its line: ${stderr.slice(0, 500)}`)));
  });
  const line = JSON.parse(text) as EmulatorLine;
  const ca = readFileSync(line.caFile, 'utf8');
  const control = new EmulatorControlClient(line, ca);
  const tokens = new Map<string, Promise<string>>();
  return {
    line,
    endpoint: line.endpoint,
    ca,
    subscriptionId: line.subscriptionId,
    control,
    credentialFor(principalId: string): TokenCredential {
      return {
        getToken: async () => {
          let token = tokens.get(principalId);
          if (token === undefined) tokens.set(principalId, (token = control.token(principalId)));
          return { token: await token, expiresOnTimestamp: Date.now() + 3_600_000 };
        },
      };
    },
    async stop(): Promise<void> {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const code = await exited;
      if (code !== 0 && code !== null) throw new Error(`emulator/main.ts exited ${code} on SIGTERM: ${stderr.slice(0, 500)}`);
    },
  };
}

/** What the CLI did: exit code and what it printed. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `plan --apply --output json` of one vault. */
export interface PlanApplyVault {
  readonly id: string;
  readonly plan: VaultPlan;
  readonly applied: readonly ActionOutcome[];
  readonly after: VaultPlan;
}

export interface PlanApplyRun extends CliRun {
  readonly vaults: readonly PlanApplyVault[];
  /** The writes vaultlink's principal made during this run (the emulator's write counter). */
  readonly writes: readonly WriteLogEntry[];
}

/** Runs the vaultlink CLI on `args`, in-process (`runCli`) or as the real process (`tsx cli/main.ts`). */
export async function runVaultlink(args: readonly string[], options: { process?: boolean; cwd?: string } = {}): Promise<CliRun> {
  if (!options.process) {
    const io = captureIO(options.cwd ? { cwd: options.cwd } : {});
    const code = await runCli(args, io);
    return { code, stdout: io.out(), stderr: io.err() };
  }
  const child = spawn(TSX, ['cli/main.ts', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const code = await new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (c) => resolve(c ?? -1));
  });
  return { code, stdout, stderr };
}

export interface PlanApplyOptions {
  /** Policy file (default: the landing zone's, {@link StandaloneLandingZone.policyPath}). */
  readonly policyPath?: string;
  /** `--vault` ids: only these vaults (default: every vault in the policy's scope). */
  readonly vaults?: readonly string[];
}

/** The simulation's landing zone on a standalone emulator, with vaultlink's policy as a file. */
export interface StandaloneLandingZone {
  readonly emulator: StandaloneEmulator;
  readonly zone: LandingZone;
  readonly policyPath: string;
  readonly vaultlinkPrincipalId: string;
  vaultId(name: string): string;
  privateEndpointId(name: string): string;
  createVault(name: string, options?: { experience?: 'V1' | 'V2' }): Promise<string>;
  /** The spoke team's endpoint to the vault (manual connection: Pending until vaultlink approves it). */
  createPrivateEndpoint(name: string, vaultId: string, options?: { subnetId?: string }): Promise<string>;
  deletePrivateEndpoint(name: string): Promise<void>;
  /** Another spoke VNet with an endpoint subnet (PE network policies off). */
  createSpokeVnet(name: string, prefix: string): Promise<{ vnetId: string; endpointSubnetId: string }>;
  /**
   * An app team's own private DNS zone, linked to `vnetId` (what the VNet then resolves that name
   * through): in the spoke's network resource group, or in `resourceGroup` (created in the spoke).
   */
  createTeamZone(zoneName: string, vnetId: string, options?: { resourceGroup?: string }): Promise<string>;
  /** A person sets the connection of an endpoint to Rejected or Disconnected through the Backup RP. */
  decideConnection(vaultId: string, endpointName: string, status: 'Rejected' | 'Disconnected'): Promise<void>;
  /** Writes another policy file: the landing zone's, changed by `adjust` (recordPolicy, linkedZones, geoCodes, …); answers its path. */
  writePolicy(name: string, adjust: (file: PolicyFile) => PolicyFile): string;
  vaultlink(args: readonly string[], options?: { process?: boolean }): Promise<CliRun>;
  /** The arguments of `plan --apply` against this emulator as vaultlink's principal (JSON output). */
  planApplyArgs(options?: PlanApplyOptions): string[];
  planApply(options?: PlanApplyOptions & { process?: boolean }): Promise<PlanApplyRun>;
  unresolvedFrom(vaultId: string, vnetIds: readonly string[]): Promise<string[]>;
  /** Removes the policy's temp dir (the emulator is stopped separately). */
  dispose(): void;
}

export async function layOutStandaloneLandingZone(emulator: StandaloneEmulator, options: LandingZoneOptions): Promise<StandaloneLandingZone> {
  const ids = SIMULATION_IDS;
  const zone = await layOutLandingZone(emulator, options);
  const dir = mkdtempSync(join(tmpdir(), 'vaultlink-standalone-'));
  const policyPath = join(dir, 'vaultlink.policy.json');
  writeFileSync(policyPath, JSON.stringify(zone.policyFile, null, 2));
  const spoke = zone.spokeSubscriptionId;
  const vaultId = (name: string): string => resourceInGroupId(spoke, zone.backupResourceGroup, 'Microsoft.RecoveryServices/vaults', name);
  const privateEndpointId = (name: string): string => resourceInGroupId(spoke, zone.networkResourceGroup, 'Microsoft.Network/privateEndpoints', name);
  const planApplyArgs = (o: PlanApplyOptions = {}): string[] => [
    'plan',
    '--apply',
    '--endpoint',
    emulator.endpoint,
    '--ca',
    emulator.line.caFile,
    '--principal',
    ids.vaultlinkPrincipalId,
    '--policy',
    o.policyPath ?? policyPath,
    ...(o.vaults ?? []).flatMap((v) => ['--vault', v]),
    '--output',
    'json',
  ];
  const lz: StandaloneLandingZone = {
    emulator,
    zone,
    policyPath,
    vaultlinkPrincipalId: ids.vaultlinkPrincipalId,
    vaultId,
    privateEndpointId,
    async createVault(name, o = {}) {
      await emulator.control.setNewVaultExperience(o.experience ?? 'V1');
      const vault = await recoveryServicesClient(emulator, ids.platformPrincipalId, spoke).vaults.beginCreateOrUpdateAndWait(
        zone.backupResourceGroup,
        name,
        { location: REGION, sku: { name: 'Standard' }, properties: { publicNetworkAccess: 'Enabled' } },
        FAST_POLLING,
      );
      return vault.id ?? vaultId(name);
    },
    async createPrivateEndpoint(name, vault, o = {}) {
      const pe = await networkClient(emulator, ids.spokeTeamPrincipalId, spoke).privateEndpoints.beginCreateOrUpdateAndWait(
        zone.networkResourceGroup,
        name,
        { location: REGION, subnet: { id: o.subnetId ?? zone.endpointSubnetId }, manualPrivateLinkServiceConnections: [{ name, privateLinkServiceId: vault, groupIds: ['AzureBackup'], requestMessage: 'spoke team asks for backup over private link' }] },
        FAST_POLLING,
      );
      return pe.id ?? privateEndpointId(name);
    },
    async deletePrivateEndpoint(name) {
      await networkClient(emulator, ids.spokeTeamPrincipalId, spoke).privateEndpoints.beginDeleteAndWait(zone.networkResourceGroup, name, FAST_POLLING);
    },
    async createSpokeVnet(name, prefix) {
      const vnet = await networkClient(emulator, ids.platformPrincipalId, spoke).virtualNetworks.beginCreateOrUpdateAndWait(
        zone.networkResourceGroup,
        name,
        { location: REGION, addressSpace: { addressPrefixes: [`${prefix}.0.0/16`] }, subnets: [{ name: 'snet-private-endpoints', addressPrefix: `${prefix}.2.0/24`, privateEndpointNetworkPolicies: 'Disabled' }] },
        FAST_POLLING,
      );
      const vnetId = vnet.id as string;
      return { vnetId, endpointSubnetId: `${vnetId}/subnets/snet-private-endpoints` };
    },
    async createTeamZone(zoneName, vnetId, o = {}) {
      const rg = o.resourceGroup ?? zone.networkResourceGroup;
      if (o.resourceGroup !== undefined) await emulator.control.createResourceGroup(spoke, rg, REGION);
      const dns = privateDnsClient(emulator, ids.platformPrincipalId, spoke);
      const z = await dns.privateZones.beginCreateOrUpdateAndWait(rg, zoneName, { location: 'global' }, FAST_POLLING);
      await dns.virtualNetworkLinks.beginCreateOrUpdateAndWait(rg, zoneName, 'app-team-link', { location: 'global', virtualNetwork: { id: vnetId }, registrationEnabled: false }, FAST_POLLING);
      return z.id as string;
    },
    async decideConnection(vault, endpointName, status) {
      const v = parseResourceId(vault);
      const rs = await recoveryServicesClient(emulator, ids.platformPrincipalId, spoke).vaults.get(v.resourceGroup as string, v.name);
      const connection = (rs.properties?.privateEndpointConnections ?? []).find((c) => (c.properties?.privateEndpoint?.id ?? '').toLowerCase().endsWith(`/privateendpoints/${endpointName.toLowerCase()}`));
      if (connection?.id === undefined) throw new Error(`vault ${v.name} has no connection of ${endpointName}`);
      const backup = new RecoveryServicesBackupClient(emulator.credentialFor(ids.platformPrincipalId), spoke, sdkOptions(emulator));
      await backup.privateEndpointConnectionOperations.beginPutAndWait(
        v.name,
        v.resourceGroup as string,
        parseResourceId(connection.id).name,
        { properties: { privateEndpoint: { id: connection.properties?.privateEndpoint?.id as string }, privateLinkServiceConnectionState: { status, description: `${status} by a person` } } },
        FAST_POLLING,
      );
    },
    writePolicy(name, adjust) {
      const path = join(dir, `${name}.policy.json`);
      writeFileSync(path, JSON.stringify(adjust(zone.policyFile), null, 2));
      return path;
    },
    vaultlink: (args, o = {}) => runVaultlink(args, o),
    planApplyArgs,
    async planApply(o = {}) {
      const before = (await emulator.control.writesBy(ids.vaultlinkPrincipalId)).length;
      const run = await runVaultlink(planApplyArgs(o), o.process ? { process: true } : {});
      const writes = (await emulator.control.writesBy(ids.vaultlinkPrincipalId)).slice(before);
      let vaults: PlanApplyVault[];
      try {
        vaults = (JSON.parse(run.stdout) as { vaults: PlanApplyVault[] }).vaults;
      } catch (e) {
        throw new Error(`plan --apply printed no JSON (exit ${run.code}): ${run.stderr.slice(0, 500) || run.stdout.slice(0, 500)}`, { cause: e });
      }
      return { ...run, vaults, writes };
    },
    async unresolvedFrom(vault, vnetIds) {
      const names = await emulator.control.requiredNames(vault);
      const problems: string[] = names.size === 0 ? [`vault ${parseResourceId(vault).name} has no name of an approved endpoint to resolve`] : [];
      for (const vnetId of vnetIds) {
        for (const [fqdn, expected] of names) {
          const r = await emulator.control.resolve(vnetId, fqdn);
          if (!(r.answer === 'private' && r.addresses.some((a) => expected.includes(a)))) {
            problems.push(`from ${parseResourceId(vnetId).name}: ${fqdn} → ${r.answer}${r.addresses.length ? ` ${r.addresses.join(',')}` : ''} (expected one of ${expected.join(',')})`);
          }
        }
      }
      return problems;
    },
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
  return lz;
}

/** The findings' codes of a vault after `plan --apply`. */
export function findingCodes(vault: PlanApplyVault | undefined): string[] {
  return (vault?.after.findings ?? []).map((f) => f.code);
}

/** The checklist of a vault after `plan --apply`: item → status. */
export function checklistOf(vault: PlanApplyVault | undefined): Record<string, string> {
  return Object.fromEntries((vault?.after.checklist ?? []).map((i) => [i.key, i.status]));
}
