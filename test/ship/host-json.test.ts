/**
 * host.json logging as the Functions monitoring guidance has it: every execution recorded
 * (Host.Results at Information: successes included, not only failures), aggregated counts kept,
 * and sampling that never drops vaultlink's decision lines — they are traces written through the
 * invocation's logger (functions/log.ts), approvals among them, and they are the audit trail.
 * With a connection string, the worker sends its records itself through OpenTelemetry
 * (functions/telemetry.ts); the host then exports OpenTelemetry too (`telemetryMode`), so that its
 * request telemetry and the worker's records share one operation.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const host = JSON.parse(readFileSync(join(__dirname, '..', '..', 'host.json'), 'utf8')) as {
  telemetryMode?: string;
  logging: { logLevel: Record<string, string>; applicationInsights: { samplingSettings: { isEnabled: boolean; excludedTypes: string } } };
};

describe('host.json logging', () => {
  it('records successful executions (no Host.Results filter at Error)', () => {
    expect(host.logging.logLevel['Host.Results']).toBe('Information');
    expect(host.logging.logLevel['Host.Aggregator']).toBe('Trace');
    expect(host.logging.logLevel['Function']).toBe('Information');
  });

  it('never samples out traces (decision and approval audit lines), requests or exceptions', () => {
    const excluded = host.logging.applicationInsights.samplingSettings.excludedTypes.split(';');
    expect(excluded).toEqual(expect.arrayContaining(['Trace', 'Request', 'Exception']));
  });

  it('exports OpenTelemetry, as the worker does (functions/telemetry.ts), so that both share the operation', () => {
    expect(host.telemetryMode).toBe('OpenTelemetry');
  });
});
