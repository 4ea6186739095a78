import { join } from 'node:path';
import { runCli } from '../../../cli/program';
import { captureIO } from '../../../cli/io';

const fixtures = join(__dirname, '..', '..', 'fixtures', 'events');
const backupDelivery = join(fixtures, 'derived', 'backup-delivery.event-grid.json');
const backupCloudEvents = join(fixtures, 'derived', 'backup-delivery.cloudevents.json');
const mixedMalformed = join(fixtures, 'derived', 'mixed-malformed.event-grid.json');
const vaultId = '/subscriptions/7d2a9c4e-1b3f-4e8a-9c6d-2f5b8a1e3c70/resourceGroups/rg-backup/providers/Microsoft.RecoveryServices/vaults/rsv-weu-01';

describe('vaultlink explain-event', () => {
  describe('#json output', () => {
    it.each([
      ['Event Grid schema', backupDelivery],
      ['CloudEvents 1.0', backupCloudEvents],
    ])('prints one verdict per event with the issue\'s fields when the delivery is in the %s', async (_schema, file) => {
      const io = captureIO();
      const code = await runCli(['explain-event', file, '--output', 'json'], io);
      expect(code).toBe(0);
      const verdicts = JSON.parse(io.out()) as Record<string, unknown>[];
      expect(verdicts).toHaveLength(5);
      for (const v of verdicts) expect(Object.keys(v).slice(0, 6)).toEqual(['id', 'eventType', 'subject', 'status', 'hint', 'reason']);
      expect(verdicts[0]).toMatchObject({ status: 'hint', hint: { kind: 'vault', id: vaultId } });
      expect(verdicts[2]).toMatchObject({ status: 'hint', hint: { kind: 'private-endpoint' } });
      expect(io.err()).toBe('');
    });

    it('reads the delivery from stdin when FILE is -', async () => {
      const single = { id: 'e1', topic: '/subscriptions/7d2a9c4e-1b3f-4e8a-9c6d-2f5b8a1e3c70', eventType: 'Microsoft.Resources.ResourceWriteSuccess', subject: vaultId, dataVersion: '2', metadataVersion: '1', eventTime: '2026-01-01T00:00:00Z', data: { operationName: 'Microsoft.RecoveryServices/vaults/write', resourceUri: vaultId } };
      const io = captureIO({ stdin: JSON.stringify(single) });
      const code = await runCli(['explain-event', '-', '-o', 'json'], io);
      expect(code).toBe(0);
      expect(JSON.parse(io.out())).toEqual([expect.objectContaining({ id: 'e1', status: 'hint', hint: { kind: 'vault', id: vaultId } })]);
    });

    it('exits 1 and keeps the rest of the batch when some event is invalid', async () => {
      const io = captureIO();
      const code = await runCli(['explain-event', mixedMalformed, '--output', 'json'], io);
      expect(code).toBe(1);
      const verdicts = JSON.parse(io.out()) as { status: string }[];
      expect(verdicts.some((v) => v.status === 'invalid')).toBe(true);
      expect(verdicts.some((v) => v.status === 'hint')).toBe(true);
    });
  });

  describe('#table output', () => {
    it('prints a row per event and the counts', async () => {
      const io = captureIO();
      const code = await runCli(['explain-event', backupDelivery], io);
      expect(code).toBe(0);
      const lines = io.out().trimEnd().split('\n');
      expect(lines[0]).toMatch(/^#\s+STATUS\s+EVENT TYPE\s+HINT\s+REASON$/);
      expect(lines.filter((l) => /^\d+\s+hint\s+ResourceWriteSuccess/.test(l))).toHaveLength(3);
      expect(lines.at(-1)).toBe('5 event(s): 5 hint, 0 ignored, 0 invalid');
    });
  });

  describe('#bad input', () => {
    it.each([
      ['a missing file', ['explain-event', '/nonexistent/delivery.json'], '', /cannot read an Event Grid delivery from \/nonexistent\/delivery.json: no such file/],
      ['stdin that is not JSON', ['explain-event', '-'], '[{"id": ', /stdin is not JSON/],
      ['an unknown output format', ['explain-event', backupDelivery, '--output', 'yaml'], '', /argument 'yaml' is invalid/],
      ['a missing FILE argument', ['explain-event'], '', /missing required argument 'file'/],
    ])('exits 2 with one line on stderr and no stack for %s', async (_case, argv, stdin, message) => {
      const io = captureIO({ stdin });
      const code = await runCli(argv, io);
      expect(code).toBe(2);
      expect(io.err()).toMatch(message);
      expect(io.err()).not.toMatch(/\n\s+at /);
      expect(io.out()).toBe('');
    });

    it('adds the stack when --verbose is given', async () => {
      const io = captureIO({ stdin: 'nope' });
      const code = await runCli(['explain-event', '-', '--verbose'], io);
      expect(code).toBe(2);
      expect(io.err()).toMatch(/\n\s+at /);
      expect(io.err()).toMatch(/caused by: SyntaxError/);
    });
  });
});
