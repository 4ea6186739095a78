/**
 * Whether and how the app sends telemetry, from its app settings; and the start of it, called by
 * the entry point before any function is registered (the instrumentation must set its capability
 * and hooks before the host starts the app).
 *
 *   APPLICATIONINSIGHTS_CONNECTION_STRING      set → telemetry to that Application Insights component
 *                                              unset → no telemetry: records go to the invocation's
 *                                              logger as JSON lines (local runs, tests)
 *   APPLICATIONINSIGHTS_AUTHENTICATION_STRING  `Authorization=AAD[;ClientId=<guid>]`: send with an
 *                                              Entra token of the managed identity (infra/ sets it)
 *   VAULTLINK_TELEMETRY_SAMPLING_RATIO         0..1, share of routine records kept (default 1);
 *                                              approvals, warnings and errors are always kept
 *
 * Light on purpose: the OpenTelemetry SDK and the exporter (functions/telemetry.ts) load only when
 * a connection string is set. Nothing here throws: a bad telemetry setting must not take the app
 * down; it is reported and the safe value used.
 */
import type * as AzureFunctions from '@azure/functions';
import { loadReconcilerModule } from './deps';

export interface TelemetrySettings {
  readonly connectionString: string;
  /** True with `Authorization=AAD`: the exporter sends an Entra token (Application Insights with local auth disabled). */
  readonly entraAuthentication: boolean;
  /** `ClientId=` of the authentication string: a user-assigned identity; undefined for the system-assigned one. */
  readonly managedIdentityClientId: string | undefined;
  /** 0..1; see VAULTLINK_TELEMETRY_SAMPLING_RATIO. */
  readonly samplingRatio: number;
}

export interface TelemetrySettingsResult {
  /** Undefined when no connection string is set: no telemetry. */
  readonly settings: TelemetrySettings | undefined;
  /** Bad settings, each naming the setting and what it expects (their safe value was used instead). */
  readonly problems: readonly string[];
}

/** `Key=Value;Key=Value` (connection and authentication strings), keys case-insensitive. */
function keyValues(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of text.split(';')) {
    const at = part.indexOf('=');
    if (at > 0) out.set(part.slice(0, at).trim().toLowerCase(), part.slice(at + 1).trim());
  }
  return out;
}

/** The telemetry settings of `env`, never throwing: problems are returned with the safe value in their place. */
export function readTelemetrySettings(env: Readonly<Record<string, string | undefined>>): TelemetrySettingsResult {
  const problems: string[] = [];
  const connectionString = env['APPLICATIONINSIGHTS_CONNECTION_STRING']?.trim() ?? '';
  let samplingRatio = 1;
  const ratioText = env['VAULTLINK_TELEMETRY_SAMPLING_RATIO']?.trim() ?? '';
  if (ratioText !== '') {
    const ratio = Number(ratioText);
    if (Number.isFinite(ratio) && ratio >= 0 && ratio <= 1) samplingRatio = ratio;
    else problems.push(`app setting VAULTLINK_TELEMETRY_SAMPLING_RATIO: expected a number from 0 to 1, got ${JSON.stringify(ratioText)}; keeping every record (1)`);
  }
  if (connectionString === '') return { settings: undefined, problems };
  if (!keyValues(connectionString).has('instrumentationkey')) {
    problems.push('app setting APPLICATIONINSIGHTS_CONNECTION_STRING: expected an Application Insights connection string with InstrumentationKey=…; telemetry is off');
    return { settings: undefined, problems };
  }
  const authentication = keyValues(env['APPLICATIONINSIGHTS_AUTHENTICATION_STRING'] ?? '');
  const entraAuthentication = authentication.get('authorization')?.toLowerCase() === 'aad';
  const clientId = authentication.get('clientid');
  return { settings: { connectionString, entraAuthentication, managedIdentityClientId: clientId === undefined || clientId === '' ? undefined : clientId, samplingRatio }, problems };
}

export interface TelemetryStart {
  /** True when records go to Application Insights from now on. */
  readonly started: boolean;
  /** What was wrong (settings, or the exporter refusing them); reported by the caller. */
  readonly problems: readonly string[];
}

/**
 * Starts telemetry when `env` has a connection string (functions/telemetry.ts, loaded only then),
 * instrumenting `azureFunctions`, the module the app registers with. Never throws.
 */
export function startTelemetryFromSettings(azureFunctions: typeof AzureFunctions, env: Readonly<Record<string, string | undefined>> = process.env): TelemetryStart {
  const { settings, problems } = readTelemetrySettings(env);
  if (settings === undefined) return { started: false, problems };
  try {
    loadReconcilerModule().startAzureMonitorTelemetry(settings, azureFunctions);
    return { started: true, problems };
  } catch (e) {
    return { started: false, problems: [...problems, `telemetry could not start, records go to the invocation logs: ${e instanceof Error ? e.message : String(e)}`] };
  }
}
