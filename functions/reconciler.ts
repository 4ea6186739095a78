/**
 * What functions/deps.ts loads at the first invocation that needs the reconciler: shared/reconcile
 * and the Azure SDK clients. A module of its own so that `npm run package` can bundle it into a file
 * of its own (dist/app/reconciler.js), which Node parses only then — at cold start the host parses
 * index.js alone.
 *
 * Telemetry (functions/telemetry.ts: the OpenTelemetry SDK and Azure Monitor's exporter) lives here
 * too, although it loads at start whenever a connection string is set: it is built on the same
 * Azure core libraries as the SDK clients (@azure/core-rest-pipeline, @azure/identity), and a file
 * of its own would carry a second copy of them (≈ 840 KB instead of ≈ 480 KB), past the package's
 * 5 MB budget.
 */
export * from '../shared/reconcile';
export { ARM_READ_BUDGET, createAzureClients } from '../shared/azure';
export { loadPolicyFile } from '../shared/config';
export { startAzureMonitorTelemetry, startTelemetry } from './telemetry';
