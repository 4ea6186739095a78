import { InvocationContext } from '@azure/functions';
import { logDecision, MAX_DIMENSION_JSON_LENGTH, MAX_LOG_FIELD_LENGTH, routeLogsToTelemetry, truncateLogField, type Dimensions } from '../../functions/log';
import { handleEventGridDelivery } from '../../functions/event-grid';
import { setDurableClientFactory } from '../../functions/durable-client';
import { RecordingDurableClient } from './recording-client';

function context(): { ctx: InvocationContext; lines: string[] } {
  const lines: string[] = [];
  const ctx = new InvocationContext({ functionName: 'f', invocationId: 'i', logHandler: (_level, ...args) => lines.push(String(args[0])) });
  return { ctx, lines };
}

describe('log', () => {
  describe('#truncateLogField', () => {
    it('keeps fields up to the documented length and cuts longer ones, saying how much', () => {
      expect(truncateLogField('x'.repeat(MAX_LOG_FIELD_LENGTH))).toBe('x'.repeat(MAX_LOG_FIELD_LENGTH));
      expect(truncateLogField('x'.repeat(MAX_LOG_FIELD_LENGTH + 10))).toBe(`${'x'.repeat(MAX_LOG_FIELD_LENGTH)}…[truncated 10 characters]`);
    });

    it('never splits a surrogate pair', () => {
      const cut = truncateLogField('a'.repeat(MAX_LOG_FIELD_LENGTH - 1) + '\u{1F600}' + 'b');
      expect(cut.startsWith('a'.repeat(MAX_LOG_FIELD_LENGTH - 1) + '…')).toBe(true);
      expect(cut).toContain('[truncated 3 characters]');
    });
  });

  describe('#logDecision', () => {
    it('writes a bounded line for a 1 MB field at any depth', () => {
      const { ctx, lines } = context();
      logDecision(ctx, { decision: 'x', subject: 's'.repeat(1_000_000), nested: { list: ['t'.repeat(1_000_000)] } });
      expect(lines).toHaveLength(1);
      expect((lines[0] as string).length).toBeLessThan(4 * MAX_LOG_FIELD_LENGTH);
      expect(JSON.parse(lines[0] as string)).toMatchObject({ source: 'vaultlink', decision: 'x', subject: expect.stringContaining('[truncated 998976 characters]') });
    });

    it('gives telemetry bounded, flat dimensions: strings cut, objects as JSON text, numbers and booleans kept, nulls left out', () => {
      const emitted: { level: string; body: string; dimensions: Dimensions }[] = [];
      routeLogsToTelemetry({ emit: (level, body, dimensions) => void emitted.push({ level, body, dimensions }) });
      try {
        const { ctx, lines } = context();
        logDecision(ctx, { decision: 'x', vaultId: 'v', subject: 's'.repeat(1_000_000), nested: { list: ['t'.repeat(1_000_000)] }, actions: 3, requeue: false, followUpAfter: null }, 'warn');
        expect(lines).toEqual([]);
        expect(emitted).toHaveLength(1);
        const [{ level, body, dimensions }] = emitted as [(typeof emitted)[number]];
        expect({ level, body }).toEqual({ level: 'warn', body: 'vaultlink x (vault v)' });
        expect(dimensions).toEqual({ source: 'vaultlink', decision: 'x', vaultId: 'v', subject: expect.stringContaining('[truncated 998976 characters]'), nested: expect.any(String), actions: 3, requeue: false, InvocationId: 'i', functionName: 'f' });
        expect(JSON.parse(String(dimensions['nested']))).toEqual({ list: [expect.stringContaining('[truncated 998976 characters]')] });
        expect(Object.values(dimensions).every((v) => String(v).length <= 2 * MAX_LOG_FIELD_LENGTH)).toBe(true);
        // an object too large even with its strings cut is cut too, saying so
        logDecision(ctx, { decision: 'y', many: Array.from({ length: 100 }, () => 'u'.repeat(2000)) });
        expect(String(emitted[1]?.dimensions['many'])).toMatch(new RegExp(`^.{${MAX_DIMENSION_JSON_LENGTH}}…\\[truncated \\d+ characters\\]$`, 's'));
      } finally {
        routeLogsToTelemetry(undefined);
      }
    });
  });

  it('bounds the log line of an Event Grid event with a 1 MB subject', async () => {
    const restore = setDurableClientFactory(() => new RecordingDurableClient());
    try {
      const { ctx, lines } = context();
      const subject = '/subscriptions/' + 'a'.repeat(1_000_000);
      await handleEventGridDelivery([{ id: 'e1', topic: '/subscriptions/x', eventType: 'Microsoft.Resources.ResourceWriteSuccess', subject, dataVersion: '2', metadataVersion: '1', eventTime: '2026-01-01T00:00:00Z', data: { operationName: 'Microsoft.RecoveryServices/vaults/write', resourceUri: subject } }], ctx);
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) expect(line.length).toBeLessThan(8 * MAX_LOG_FIELD_LENGTH);
    } finally {
      restore();
    }
  });
});
