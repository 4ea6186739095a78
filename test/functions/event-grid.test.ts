import { InvocationContext } from '@azure/functions';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setDurableClientFactory } from '../../functions/durable-client';
import { eventGridHandler, handleEventGridDelivery } from '../../functions/event-grid';
import { PRIVATE_ENDPOINT_ROUTER } from '../../functions/private-endpoint-routing';
import { getRegisteredFunction } from '../../functions/registry';
import { VAULT_ORCHESTRATOR } from '../../functions/signal';
import '../../functions/workflows';
import { RecordingDurableClient } from './recording-client';

const fixtures = join(__dirname, '..', 'fixtures', 'events');
const load = (path: string): unknown[] => JSON.parse(readFileSync(join(fixtures, path), 'utf8')) as unknown[];

const VAULT_INSTANCE = 'vault:7d2a9c4e-1b3f-4e8a-9c6d-2f5b8a1e3c70:rg-backup:rsv-weu-01';
const PE_INSTANCE = 'pe:7d2a9c4e-1b3f-4e8a-9c6d-2f5b8a1e3c70:rg-network:pe-rsv-weu-01';

function context(): { ctx: InvocationContext; lines: { level: string; record: Record<string, unknown> }[] } {
  const lines: { level: string; record: Record<string, unknown> }[] = [];
  const ctx = new InvocationContext({ functionName: 'vaultlinkEvents', invocationId: 'inv-1', logHandler: (level, ...args) => lines.push({ level, record: JSON.parse(String(args[0])) as Record<string, unknown> }) });
  return { ctx, lines };
}

describe('event-grid', () => {
  let client: RecordingDurableClient;
  let restore: () => void;
  beforeEach(() => {
    client = new RecordingDurableClient();
    restore = setDurableClientFactory(() => client);
  });
  afterEach(() => restore());

  describe('#handleEventGridDelivery', () => {
    it.each([['backup-delivery.event-grid.json'], ['backup-delivery.cloudevents.json']])('starts one vault orchestration and one PE routing for the batch in %s', async (file) => {
      const { ctx } = context();
      const report = await handleEventGridDelivery(load(`derived/${file}`), ctx);
      expect(report.verdicts.map((v) => v.status)).toEqual(['hint', 'hint', 'hint', 'hint', 'hint']);
      // five events, two distinct keys: the vault (write, connection write, delete) and the PE (write, delete)
      expect(client.calls.map((c) => [c.op, c.instanceId, c.name])).toEqual([
        ['startNew', VAULT_INSTANCE, VAULT_ORCHESTRATOR],
        ['startNew', PE_INSTANCE, PRIVATE_ENDPOINT_ROUTER],
      ]);
      expect(report.hints.map((h) => [h.kind, h.delivery, h.eventIds.length])).toEqual([
        ['vault', 'started', 3],
        ['private-endpoint', 'routing', 2],
      ]);
    });

    it('keeps two vaults apart whose resource groups differ only by a Kelvin sign (ARM\'s comparison, not toLowerCase)', async () => {
      const [event] = load('derived/backup-delivery.event-grid.json');
      // rg-bac\u212Aup is another resource group to ARM; toLowerCase() folded it into rg-backup and one of the two events was lost.
      const twin = JSON.parse(JSON.stringify(event).replaceAll('rg-backup', 'rg-bac\u212Aup').replace(/"id":"[^"]+"/, '"id":"kelvin-twin"')) as unknown;
      const report = await handleEventGridDelivery([event, twin], context().ctx);
      expect(report.hints.map((h) => [h.kind, h.eventIds.length])).toEqual([
        ['vault', 1],
        ['vault', 1],
      ]);
      expect(new Set(client.calls.map((c) => c.instanceId)).size).toBe(2);
      expect(client.calls.map((c) => c.op)).toEqual(['startNew', 'startNew']);
    });

    it('raises a signal instead of starting when the vault orchestration is running', async () => {
      client.instances.set(VAULT_INSTANCE, { name: VAULT_ORCHESTRATOR, instanceId: VAULT_INSTANCE, runtimeStatus: 'Running' });
      const events = load('derived/backup-delivery.event-grid.json').slice(0, 1);
      await handleEventGridDelivery(events, context().ctx);
      expect(client.calls).toHaveLength(1);
      expect(client.calls[0]).toMatchObject({ op: 'raiseEvent', instanceId: VAULT_INSTANCE, name: 'signal' });
      expect(client.calls[0]?.data).toMatchObject({ reason: expect.stringContaining('write of vault'), correlationId: expect.any(String) });
    });

    it('raises when a start loses the race to another start', async () => {
      client.startRaces.add(VAULT_INSTANCE);
      await handleEventGridDelivery(load('derived/backup-delivery.event-grid.json').slice(0, 1), context().ctx);
      expect(client.calls.map((c) => c.op)).toEqual(['raiseEvent']);
    });

    it('restarts a vault orchestration that completed (deleted vault) or failed', async () => {
      client.instances.set(VAULT_INSTANCE, { name: VAULT_ORCHESTRATOR, instanceId: VAULT_INSTANCE, runtimeStatus: 'Completed' });
      await handleEventGridDelivery(load('derived/backup-delivery.event-grid.json').slice(0, 1), context().ctx);
      expect(client.calls.map((c) => c.op)).toEqual(['startNew']);
    });

    it('leaves a running PE routing alone', async () => {
      client.instances.set(PE_INSTANCE, { name: PRIVATE_ENDPOINT_ROUTER, instanceId: PE_INSTANCE, runtimeStatus: 'Running' });
      const report = await handleEventGridDelivery(load('derived/backup-delivery.event-grid.json').slice(2, 3), context().ctx);
      expect(client.calls).toEqual([]);
      expect(report.hints[0]?.delivery).toBe('routing-in-progress');
    });

    it('logs the malformed events with their reason and still processes the rest of the batch', async () => {
      const { ctx, lines } = context();
      const report = await handleEventGridDelivery(load('derived/mixed-malformed.event-grid.json'), ctx);
      expect(report.verdicts.filter((v) => v.status === 'invalid')).toHaveLength(8);
      const warnings = lines.filter((l) => l.level === 'warning');
      expect(warnings).toHaveLength(8);
      for (const w of warnings) {
        expect(w.record.decision).toBe('event.invalid');
        expect(typeof w.record.reason).toBe('string');
      }
      // the good vault write and the good connection delete: one signal for the vault
      expect(client.calls.map((c) => [c.op, c.instanceId])).toEqual([['startNew', VAULT_INSTANCE]]);
    });

    it.each([['event-grid-schema'], ['cloud-events-schema']])('does nothing for the unrelated published examples (%s)', async (schema) => {
      const events = ['resource_write_success', 'resource_write_failure', 'resource_delete_success', 'resource_action_success'].map((n) => load(`published/${schema}/${n}.json`)).flat();
      const { ctx, lines } = context();
      const report = await handleEventGridDelivery(events, ctx);
      expect(report.hints).toEqual([]);
      expect(client.calls).toEqual([]);
      expect(lines.map((l) => l.record.decision)).toEqual(['event.ignored', 'event.ignored', 'event.ignored', 'event.ignored']);
    });

    it('throws after trying every hint when signalling fails, so Event Grid redelivers', async () => {
      client.failAll = new Error('task hub storage unavailable');
      const { ctx, lines } = context();
      await expect(handleEventGridDelivery(load('derived/backup-delivery.event-grid.json'), ctx)).rejects.toThrow(/could not signal 2 of 2 hint\(s\)/);
      expect(lines.filter((l) => l.record.decision === 'signal.failed')).toHaveLength(2);
    });
  });

  describe('#eventGridHandler', () => {
    it('is the registered handler and takes the single event the host hands over', async () => {
      expect(getRegisteredFunction('vaultlinkEvents', 'eventGrid').declaration).toMatchObject({ options: { handler: eventGridHandler } });
      const [event] = load('derived/backup-delivery.cloudevents.json');
      await eventGridHandler(event, context().ctx);
      expect(client.calls.map((c) => c.instanceId)).toEqual([VAULT_INSTANCE]);
    });
  });
});
