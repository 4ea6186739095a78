import { InvocationContext } from '@azure/functions';
import { logDecision, MAX_LOG_FIELD_LENGTH, truncateLogField } from '../../functions/log';
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
