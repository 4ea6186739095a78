/**
 * The app settings vaultlink reads (their names and meanings live in shared/contract.json
 * `appSettings`, shared with infra/). Read once at start from an env object passed in — never from
 * `process.env` deep inside the code — validated, with defaults, and refused with one error that
 * names every bad setting.
 */
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import contract from '../contract.json';
import type { AzureCloud } from '../domain/dns';

/**
 * The policy file's default name. Here, not in ./policy, so that reading the settings does not load
 * the policy schema (zod): the Functions entry point reads settings at every cold start.
 */
export const POLICY_FILE_NAME = 'vaultlink.policy.json';

export type SettingName = keyof typeof contract.appSettings;

export type AzureCloudName = AzureCloud;

/** ARM endpoints of the clouds vaultlink supports. */
export const ARM_ENDPOINTS: Readonly<Record<AzureCloudName, string>> = {
  AzurePublicCloud: 'https://management.azure.com/',
  AzureUSGovernment: 'https://management.usgovcloudapi.net/',
  AzureChinaCloud: 'https://management.chinacloudapi.cn/',
};

export const DEFAULT_SWEEP_SCHEDULE = '0 */30 * * * *';
export const DEFAULT_CLOUD: AzureCloudName = 'AzurePublicCloud';

export interface VaultlinkSettings {
  /** Absolute path of the policy file. */
  readonly policyFile: string;
  /** NCRONTAB (six fields, seconds first) of the sweep over every vault in scope. */
  readonly sweepSchedule: string;
  readonly cloud: AzureCloudName;
  /** The ARM endpoint to call: VAULTLINK_ARM_ENDPOINT when set, else the cloud's; always ends with "/". */
  readonly armEndpoint: string;
  /** True when VAULTLINK_ARM_ENDPOINT replaced the cloud's endpoint (e.g. the embedded emulator). */
  readonly armEndpointOverridden: boolean;
  /** Client id of a user-assigned managed identity; undefined uses the system-assigned identity. */
  readonly managedIdentityClientId: string | undefined;
}

export interface SettingProblem {
  readonly setting: SettingName;
  readonly expected: string;
  readonly found: string;
}

export class SettingsError extends Error {
  override readonly name = 'SettingsError';
  constructor(readonly problems: readonly SettingProblem[]) {
    super(`invalid app settings:\n${problems.map((p) => `  - ${p.setting}: expected ${p.expected}, found ${p.found}`).join('\n')}`);
  }
}

export interface ReadSettingsOptions {
  /** Folder that a relative VAULTLINK_POLICY_FILE is resolved against. Default: see {@link findAppRoot}. */
  readonly appRoot?: string;
}

const GUID_PATTERN = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const NCRONTAB_FIELD = /^[0-9A-Za-z*/,-]+$/;

/**
 * The app root: the Functions host's `AzureWebJobsScriptRoot` when set (it is, in Azure), else
 * the nearest folder above this module holding host.json (works from the sources and from dist/),
 * else the working directory.
 */
export function findAppRoot(env: Readonly<Record<string, string | undefined>> = process.env, from: string = __dirname): string {
  const scriptRoot = env.AzureWebJobsScriptRoot?.trim();
  if (scriptRoot) return resolve(scriptRoot);
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'host.json'))) return dir;
    if (dirname(dir) === dir) return process.cwd();
  }
}

/** Reads and validates the app settings; throws {@link SettingsError} naming every bad one. */
export function readSettings(env: Readonly<Record<string, string | undefined>> = process.env, options: ReadSettingsOptions = {}): VaultlinkSettings {
  const problems: SettingProblem[] = [];
  // Unset and empty mean the same: local.settings.json and Bicep write "" for "not set".
  const read = (name: SettingName): string | undefined => {
    const value = env[name]?.trim();
    return value ? value : undefined;
  };
  const refuse = (setting: SettingName, expected: string, found: string | undefined): void => {
    problems.push({ setting, expected, found: found === undefined ? 'nothing' : JSON.stringify(found) });
  };

  const policySetting = read('VAULTLINK_POLICY_FILE') ?? POLICY_FILE_NAME;
  const policyFile = isAbsolute(policySetting) ? policySetting : resolve(options.appRoot ?? findAppRoot(env), policySetting);

  const sweepSchedule = read('VAULTLINK_SWEEP_SCHEDULE') ?? DEFAULT_SWEEP_SCHEDULE;
  const fields = sweepSchedule.split(/\s+/);
  if (fields.length !== 6) {
    refuse('VAULTLINK_SWEEP_SCHEDULE', `an NCRONTAB expression of 6 fields, seconds first (e.g. "${DEFAULT_SWEEP_SCHEDULE}"); this has ${fields.length}`, sweepSchedule);
  } else if (!fields.every((f) => NCRONTAB_FIELD.test(f))) {
    refuse('VAULTLINK_SWEEP_SCHEDULE', 'NCRONTAB fields made of digits, names, "*", "/", "," and "-"', sweepSchedule);
  }

  const cloudSetting = read('VAULTLINK_CLOUD');
  const cloudNames = Object.keys(ARM_ENDPOINTS) as AzureCloudName[];
  const cloud = cloudSetting === undefined ? DEFAULT_CLOUD : cloudNames.find((c) => c.toLowerCase() === cloudSetting.toLowerCase());
  if (cloud === undefined) refuse('VAULTLINK_CLOUD', `one of ${cloudNames.join(', ')}`, cloudSetting);

  const endpointSetting = read('VAULTLINK_ARM_ENDPOINT');
  let armEndpoint = ARM_ENDPOINTS[cloud ?? DEFAULT_CLOUD];
  if (endpointSetting !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(endpointSetting);
    } catch {
      url = undefined;
    }
    // The SDK's bearer-token policy refuses plain http, so an http endpoint would fail on every call.
    if (url === undefined || url.protocol !== 'https:' || url.search !== '' || url.hash !== '') {
      refuse('VAULTLINK_ARM_ENDPOINT', 'an https:// URL without query or fragment (e.g. https://127.0.0.1:8443/)', endpointSetting);
    } else {
      armEndpoint = url.href.endsWith('/') ? url.href : `${url.href}/`;
    }
  }

  const managedIdentityClientId = read('AZURE_CLIENT_ID');
  if (managedIdentityClientId !== undefined && !GUID_PATTERN.test(managedIdentityClientId)) {
    refuse('AZURE_CLIENT_ID', 'the client id (a GUID) of a user-assigned managed identity, or nothing for the system-assigned one', managedIdentityClientId);
  }

  if (problems.length > 0 || cloud === undefined) throw new SettingsError(problems);
  return {
    policyFile,
    sweepSchedule: fields.join(' '),
    cloud,
    armEndpoint,
    armEndpointOverridden: endpointSetting !== undefined,
    managedIdentityClientId,
  };
}
