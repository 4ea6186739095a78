/**
 * The Functions app's entry point (package.json "main"; bundled by `npm run package`): walks the
 * table of declared functions (functions/workflows.ts → functions/registry.ts) and registers each
 * with the host through `app.*` / `df.app.*` (Node.js v4 programming model).
 *
 * Nothing here may throw at load: a module-load error would take every function down, the status
 * API included. Bad settings or an unreadable policy are reported instead by the status API and by
 * every invocation that needs them (functions/deps.ts), and logged here once at start. Telemetry
 * that cannot start leaves the records in the invocation logs.
 */
import * as azureFunctions from '@azure/functions';
import { startupConfigurationProblem } from './configuration';
import { registerDeclaredFunctions } from './registry';
import { startTelemetryFromSettings } from './telemetry-settings';
import './workflows';

// Telemetry first (functions/telemetry-settings.ts): its instrumentation sets a worker capability
// and hooks, which the host reads when the app starts. Without a connection string it does nothing.
for (const problem of startTelemetryFromSettings(azureFunctions).problems) {
  console.error(JSON.stringify({ source: 'vaultlink', decision: 'telemetry.misconfigured', error: problem }));
}

const { failed } = registerDeclaredFunctions();
for (const { name, error } of failed) {
  console.error(JSON.stringify({ source: 'vaultlink', decision: 'registration.failed', function: name, error: error instanceof Error ? error.message : String(error) }));
}
const problem = startupConfigurationProblem();
if (problem !== undefined) {
  console.error(JSON.stringify({ source: 'vaultlink', decision: 'configuration.invalid', error: problem }));
}

export { registeredFunctions, getRegisteredFunction } from './registry';
