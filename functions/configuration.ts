/**
 * Whether the app's configuration (app settings and the policy file) is usable, for the status API
 * and the start-up log. A bad setting must never stop the functions from registering: the host
 * would then report nothing at all, the status API included.
 */
import { readSettings } from '../shared/config/settings';
import { getVaultReconciler } from './deps';
import { errorMessage } from './log';

export interface ConfigurationStatus {
  /** False when the reconciler cannot be built: every pass fails until the setting or policy is fixed. */
  readonly ok: boolean;
  /** What is wrong, naming the setting or the policy file's JSON path (absent when ok). */
  readonly error?: string;
}

/** The settings problem at start (synchronous: the policy file is checked by {@link configurationStatus}). */
export function startupConfigurationProblem(env: Readonly<Record<string, string | undefined>> = process.env): string | undefined {
  try {
    readSettings(env);
    return undefined;
  } catch (e) {
    return errorMessage(e);
  }
}

/** Settings and policy together: builds (or reuses) the reconciler the activities use. */
export async function configurationStatus(): Promise<ConfigurationStatus> {
  try {
    await getVaultReconciler();
    return { ok: true };
  } catch (e) {
    return { ok: false, error: errorMessage(e) };
  }
}
