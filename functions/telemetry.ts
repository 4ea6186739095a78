/**
 * Structured telemetry to Application Insights through OpenTelemetry, the route the Functions
 * docs give Node.js apps (Microsoft Learn, "Use OpenTelemetry with Azure Functions", JavaScript
 * pivot; OpenTelemetry there is for apps on the Flex Consumption plan, which is where infra/ puts
 * vaultlink):
 *   - host.json `"telemetryMode": "OpenTelemetry"`, so that the host emits OpenTelemetry too and
 *     its request telemetry and the worker's records share one operation;
 *   - in the worker, `@azure/functions-opentelemetry-instrumentation` (it tells the host that the
 *     worker sends its own logs — capability `WorkerOpenTelemetryEnabled` — forwards `context.log`
 *     lines through a log hook, and binds the host's trace context to every handler) and the
 *     Azure Monitor exporter (`@azure/monitor-opentelemetry-exporter`), which reads
 *     APPLICATIONINSIGHTS_CONNECTION_STRING.
 * `context.log` alone cannot carry custom dimensions (maintainer's answer in
 * Azure/azure-functions-nodejs-library issue 227): vaultlink's decision records are emitted here as
 * log records whose attributes are the decision's fields, which the exporter sends as the trace's
 * `customDimensions`, with the invocation's trace id as `operation_Id`.
 *
 * Deviations from the docs' sample, and why:
 *   - No span pipeline and no auto-instrumentations: the worker makes no spans of its own (the host
 *     makes the request spans), and `@opentelemetry/auto-instrumentations-node` would not fit the
 *     package budget (≤ 5 MB, `npm run bench:package`). A context manager and the W3C propagator are
 *     registered directly: they are what the instrumentation's trace-context binding needs.
 *   - The instrumentation is applied to the bundled `@azure/functions` module explicitly
 *     (`registerAzFunc`, the package's ESM entry point): in the esbuild bundle there is no
 *     `require('@azure/functions')` for a require hook to patch.
 *   - A sampling processor in front of the exporter ({@link DecisionSamplingProcessor}): approval
 *     outcomes, warnings and errors are always kept; the rest are kept at
 *     VAULTLINK_TELEMETRY_SAMPLING_RATIO (default 1: everything).
 *
 * This module is heavy (the OpenTelemetry SDK and the exporter share the Azure core libraries with
 * the SDK clients): it is bundled into dist/app/reconciler.js and loaded at start only when a
 * connection string is set (functions/telemetry-settings.ts).
 */
import type * as AzureFunctions from '@azure/functions';
import { AzureFunctionsInstrumentationESM } from '@azure/functions-opentelemetry-instrumentation';
import { ManagedIdentityCredential } from '@azure/identity';
import { AzureMonitorLogExporter, type AzureMonitorExporterOptions } from '@azure/monitor-opentelemetry-exporter';
import { context as otelContext, propagation, type Context } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BatchLogRecordProcessor, LoggerProvider, SimpleLogRecordProcessor, type LogRecordExporter, type LogRecordProcessor, type SdkLogRecord } from '@opentelemetry/sdk-logs';
import { routeLogsToTelemetry, type DecisionLevel } from './log';
import type { TelemetrySettings } from './telemetry-settings';

/** The instrumentation scope of vaultlink's own records (`customDimensions` do not show it; OpenTelemetry backends do). */
export const TELEMETRY_SCOPE = 'vaultlink';

const SEVERITY: Readonly<Record<DecisionLevel, { number: SeverityNumber; text: string }>> = {
  info: { number: SeverityNumber.INFO, text: 'Information' },
  warn: { number: SeverityNumber.WARN, text: 'Warning' },
  error: { number: SeverityNumber.ERROR, text: 'Error' },
};

/**
 * Whether a record passes sampling at `ratio` (0..1). Never sampled out: approval outcomes
 * (`audit: approval`, functions/log.ts), warnings and errors. Others are kept by a hash of their
 * operation (trace id, else invocation id), so that one operation's records are kept or dropped
 * together, as Application Insights' own sampling does by operation id.
 */
export function keepsRecord(record: Pick<SdkLogRecord, 'attributes' | 'severityNumber' | 'spanContext'>, ratio: number): boolean {
  if (ratio >= 1) return true;
  if (record.attributes['audit'] === 'approval') return true;
  if ((record.severityNumber ?? SeverityNumber.UNSPECIFIED) >= SeverityNumber.WARN) return true;
  const operation = record.spanContext?.traceId ?? record.attributes['InvocationId'];
  const score = typeof operation === 'string' ? hashScore(operation) : Math.random();
  return score < ratio;
}

/** FNV-1a of `key`, as a number in [0, 1). */
function hashScore(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash / 0x1_0000_0000;
}

/** Passes the records that {@link keepsRecord} keeps on to `next` (the exporting processor). */
export class DecisionSamplingProcessor implements LogRecordProcessor {
  constructor(
    private readonly next: LogRecordProcessor,
    private readonly ratio: number,
  ) {}

  onEmit(record: SdkLogRecord, context?: Context): void {
    if (keepsRecord(record, this.ratio)) this.next.onEmit(record, context);
  }

  forceFlush(): Promise<void> {
    return this.next.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.next.shutdown();
  }
}

export interface StartTelemetryOptions {
  /** Where records go: Azure Monitor's exporter in Azure, an in-memory exporter in tests. */
  readonly exporter: LogRecordExporter;
  /** Share of sampled records kept (0..1); approvals, warnings and errors are always kept. Default 1. */
  readonly samplingRatio?: number;
  /** `batch` (Azure: fewer requests) or `simple` (tests: exported at once). Default `batch`. */
  readonly processor?: 'batch' | 'simple';
  /** The `@azure/functions` module the app registers with (the bundle's own copy); its hooks carry the invocation's trace. */
  readonly azureFunctions: typeof AzureFunctions;
}

export interface StartedTelemetry {
  readonly provider: LoggerProvider;
  /** Exports what is buffered. */
  flush(): Promise<void>;
  /**
   * Exports what is buffered and stops: records go back to the invocations' loggers. The library's
   * hooks stay registered (the library gives no way to remove a patch applied with registerAzFunc)
   * and forward to the stopped provider, which drops them.
   */
  shutdown(): Promise<void>;
}

let started: StartedTelemetry | undefined;

/**
 * Starts telemetry: every decision and reconciler record becomes a log record with its fields as
 * attributes (custom dimensions), in the trace of the invocation it belongs to. Once per process.
 */
export function startTelemetry(options: StartTelemetryOptions): StartedTelemetry {
  if (started !== undefined) throw new Error('telemetry is already started in this process');
  // What the instrumentation's pre-invocation hook needs to carry the host's traceparent into the
  // handler (and across its awaits): a context manager and the W3C propagator.
  const contextManager = new AsyncLocalStorageContextManager().enable();
  otelContext.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());

  const exporting = options.processor === 'simple' ? new SimpleLogRecordProcessor(options.exporter) : new BatchLogRecordProcessor(options.exporter);
  const provider = new LoggerProvider({ processors: [new DecisionSamplingProcessor(exporting, options.samplingRatio ?? 1)] });
  const logger = provider.getLogger(TELEMETRY_SCOPE);

  // enabled: false — no require hook (nothing to hook in a bundle); the module is patched directly.
  const instrumentation = new AzureFunctionsInstrumentationESM({ enabled: false });
  instrumentation.setLoggerProvider(provider);
  instrumentation.registerAzFunc(options.azureFunctions);

  // The batch processor holds records for up to a second: when the host stops the worker (scale-in,
  // deployment), export them first, so that an approval's record is not lost with the instance.
  const flushAtTermination = options.azureFunctions.app.hook.appTerminate(() => provider.forceFlush());

  routeLogsToTelemetry({
    emit: (level, body, dimensions) => logger.emit({ severityNumber: SEVERITY[level].number, severityText: SEVERITY[level].text, body, attributes: dimensions }),
  });

  const handle: StartedTelemetry = {
    provider,
    flush: () => provider.forceFlush(),
    shutdown: async () => {
      routeLogsToTelemetry(undefined);
      flushAtTermination.dispose();
      otelContext.disable();
      propagation.disable();
      started = undefined;
      await provider.shutdown();
    },
  };
  started = handle;
  return handle;
}

/**
 * The Azure Monitor exporter for the app settings: the connection string names the component;
 * with `APPLICATIONINSIGHTS_AUTHENTICATION_STRING=Authorization=AAD` (infra/, local auth disabled)
 * it sends an Entra token of the managed identity (`ClientId=` picks a user-assigned one), as the
 * Functions host does with the same settings. `clientOptions`: the HTTP client's (tests give the TLS
 * trust of a local ingestion endpoint).
 */
export function createAzureMonitorExporter(settings: TelemetrySettings, clientOptions: Omit<AzureMonitorExporterOptions, 'connectionString' | 'credential'> = {}): LogRecordExporter {
  const credential = settings.entraAuthentication ? new ManagedIdentityCredential(settings.managedIdentityClientId === undefined ? {} : { clientId: settings.managedIdentityClientId }) : undefined;
  return new AzureMonitorLogExporter({ ...clientOptions, connectionString: settings.connectionString, ...(credential === undefined ? {} : { credential }) });
}

/** Telemetry to Application Insights as the app settings say (functions/telemetry-settings.ts decides whether). */
export function startAzureMonitorTelemetry(settings: TelemetrySettings, azureFunctions: typeof AzureFunctions): StartedTelemetry {
  return startTelemetry({ exporter: createAzureMonitorExporter(settings), samplingRatio: settings.samplingRatio, azureFunctions });
}
