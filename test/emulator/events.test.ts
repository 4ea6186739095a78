import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventGridDeserializer } from '@azure/eventgrid';
import { EventGridPublisher, toCloudEvent, withVariedCasing, type CloudEvent, type EventGridEvent, type ResourceEventInput } from '../../emulator/events';
import { seededRandom } from '../../emulator/faults';
import { armRequest, pollUntilDone, startTestEmulator, type Emulator } from './helpers';

const SUB = '11111111-1111-1111-1111-111111111111';
const input = (n: number): ResourceEventInput => ({
  eventType: 'Microsoft.Resources.ResourceWriteSuccess',
  resourceId: `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Network/privateEndpoints/pe${n}`,
  subscriptionId: SUB,
  tenantId: 'tenant-1',
  operationName: 'Microsoft.Network/privateEndpoints/write',
  claims: { oid: 'caller-oid', tid: 'tenant-1', aud: 'https://management.azure.com/' },
  correlationId: `corr-${n}`,
});

async function deliveredSubjects(options: ConstructorParameters<typeof EventGridPublisher>[0], deliveryOptions: Parameters<EventGridPublisher['subscribe']>[1]): Promise<string[][]> {
  const publisher = new EventGridPublisher(options);
  const batches: string[][] = [];
  publisher.subscribe((batch) => void batches.push(batch.map((e) => (e as EventGridEvent).subject.split('/').pop() as string)), deliveryOptions);
  for (let i = 0; i < 20; i++) publisher.publishResourceEvent(input(i));
  await publisher.drain();
  return batches;
}

describe('EventGridPublisher', () => {
  describe('#publishResourceEvent', () => {
    it('builds the Event Grid envelope of a subscription system topic', async () => {
      const publisher = new EventGridPublisher(1);
      const event = publisher.publishResourceEvent(input(1));
      expect(event).toMatchObject({
        topic: `/subscriptions/${SUB}`,
        subject: input(1).resourceId,
        eventType: 'Microsoft.Resources.ResourceWriteSuccess',
        dataVersion: '2',
        metadataVersion: '1',
        data: {
          operationName: 'Microsoft.Network/privateEndpoints/write',
          resourceUri: input(1).resourceId,
          resourceProvider: 'Microsoft.Network',
          status: 'Succeeded',
          subscriptionId: SUB,
          tenantId: 'tenant-1',
          correlationId: 'corr-1',
          claims: { 'http://schemas.microsoft.com/identity/claims/objectidentifier': 'caller-oid' },
        },
      });
      // The SDK's own deserializer accepts it (it requires metadataVersion and the other fields).
      const [decoded] = await new EventGridDeserializer().deserializeEventGridEvents(JSON.stringify([event]));
      expect(decoded?.eventType).toBe('Microsoft.Resources.ResourceWriteSuccess');
      const [cloud] = await new EventGridDeserializer().deserializeCloudEvents(JSON.stringify([toCloudEvent(event)]));
      expect(cloud).toMatchObject({ type: 'Microsoft.Resources.ResourceWriteSuccess', source: `/subscriptions/${SUB}`, subject: input(1).resourceId, specversion: '1.0' });
    });
  });

  describe('#subscribe', () => {
    it('delivers everything once, in order, in batches of maxEventsPerBatch', async () => {
      const batches = await deliveredSubjects(1, { maxEventsPerBatch: 8 });
      expect(batches.map((b) => b.length)).toEqual([8, 8, 4]);
      expect(batches.flat()).toEqual(Array.from({ length: 20 }, (_, i) => `pe${i}`));
    });

    it('duplicates, drops and reorders deterministically from the seed', async () => {
      const chaos = { duplicateProbability: 0.3, dropProbability: 0.2, reorder: true, maxEventsPerBatch: 50 };
      const first = (await deliveredSubjects(5, chaos)).flat();
      const again = (await deliveredSubjects(5, chaos)).flat();
      const other = (await deliveredSubjects(6, chaos)).flat();
      expect(again).toEqual(first);
      expect(other).not.toEqual(first);
      expect(new Set(first).size).toBeLessThan(20); // some dropped
      expect(first.length).toBeGreaterThan(new Set(first).size); // some duplicated
      expect(first.filter((s, i) => i > 0 && s < (first[i - 1] as string)).length).toBeGreaterThan(0); // out of order
    });

    it('delays batches by at most maxDelayMs and drain() waits for them', async () => {
      const batches = await deliveredSubjects(3, { maxDelayMs: 20, maxEventsPerBatch: 5 });
      expect(batches.flat().sort()).toEqual(Array.from({ length: 20 }, (_, i) => `pe${i}`).sort());
    });

    it('delivers CloudEvents 1.0 when asked and filters by subject and type', async () => {
      const publisher = new EventGridPublisher(1);
      const received: CloudEvent[] = [];
      publisher.subscribe((b) => void received.push(...(b as CloudEvent[])), {
        schema: 'CloudEventSchemaV1_0',
        subjectBeginsWith: `/SUBSCRIPTIONS/${SUB}/resourceGroups/rg/providers/Microsoft.Network/privateEndpoints/pe1`,
        includedEventTypes: ['Microsoft.Resources.ResourceWriteSuccess'],
      });
      publisher.publishResourceEvent(input(1));
      publisher.publishResourceEvent(input(2));
      publisher.publishResourceEvent({ ...input(1), eventType: 'Microsoft.Resources.ResourceDeleteSuccess' });
      await publisher.drain();
      expect(received.map((e) => [e.specversion, e.type, e.subject.endsWith('/pe1')])).toEqual([['1.0', 'Microsoft.Resources.ResourceWriteSuccess', true]]);
    });

    it('records a failing callback as a delivery failure and keeps delivering', async () => {
      const publisher = new EventGridPublisher(1);
      let calls = 0;
      publisher.subscribe(() => {
        calls++;
        if (calls === 1) throw new Error('handler down');
      }, { maxEventsPerBatch: 1 });
      publisher.publishResourceEvent(input(1));
      publisher.publishResourceEvent(input(2));
      await publisher.drain();
      expect(calls).toBe(2);
      expect(publisher.deliveryFailures().map((f) => f.error)).toEqual(['handler down']);
    });

    it('refuses a probability outside [0, 1]', () => {
      expect(() => new EventGridPublisher(1).subscribe(() => undefined, { dropProbability: 1.5 })).toThrow(RangeError);
    });
  });
});

describe('Event Grid through the emulator', () => {
  let emulator: Emulator;
  let webhook: http.Server;
  let received: { headers: http.IncomingHttpHeaders; body: unknown[] }[] = [];
  let failNext = 0;
  beforeAll(async () => {
    emulator = await startTestEmulator();
    webhook = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (failNext > 0) {
          failNext--;
          res.writeHead(503).end();
          return;
        }
        received.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown[] });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await emulator.close();
    await new Promise((resolve) => webhook.close(resolve));
  });
  beforeEach(() => {
    received = [];
    emulator.events.clear();
  });

  it('posts write and delete events to a webhook subscribed through the control API, retrying a failed POST', async () => {
    const url = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/events`;
    const sub = await armRequest(emulator, { method: 'POST', path: '/_emulator/eventSubscriptions', principalId: null, body: { url, schema: 'EventGridSchema', maxEventsPerBatch: 1 } });
    expect(sub.status).toBe(201);
    failNext = 1;
    const path = `/subscriptions/${emulator.subscriptionId}/resourcegroups/rg-hooked?api-version=2021-04-01`;
    await armRequest(emulator, { method: 'PUT', path, body: { location: 'westeurope' } });
    const del = await armRequest(emulator, { method: 'DELETE', path });
    await pollUntilDone(emulator, del.headers['location'] as string);
    await emulator.events.drain();
    // The retried first POST arrives after the second batch: retries reorder, as in Event Grid.
    expect(received.map((r) => (r.body[0] as EventGridEvent).eventType).sort()).toEqual(['Microsoft.Resources.ResourceDeleteSuccess', 'Microsoft.Resources.ResourceWriteSuccess']);
    expect(received.every((r) => r.headers['aeg-event-type'] === 'Notification')).toBe(true);
    const event = received.map((r) => r.body[0] as EventGridEvent).find((e) => e.eventType === 'Microsoft.Resources.ResourceWriteSuccess') as EventGridEvent;
    expect((event.data['claims'] as Record<string, string>)['http://schemas.microsoft.com/identity/claims/objectidentifier']).toBe(emulator.ownerPrincipalId);
    expect(event.data['httpRequest']).toMatchObject({ method: 'PUT' });
    const id = (sub.body as { id: string }).id;
    expect((await armRequest(emulator, { method: 'DELETE', path: `/_emulator/eventSubscriptions/${id}`, principalId: null })).status).toBe(204);
  });

  it('emits nothing for reads and control-API writes, and a ResourceWriteFailure for a failed write', async () => {
    emulator.control.createResourceGroup(emulator.subscriptionId, 'rg-quiet', 'westeurope');
    await armRequest(emulator, { path: `/subscriptions/${emulator.subscriptionId}/resourcegroups/rg-quiet?api-version=2021-04-01` });
    await armRequest(emulator, { method: 'PUT', path: `/subscriptions/${emulator.subscriptionId}/resourcegroups/rg-quiet?api-version=2021-04-01`, body: {} });
    await emulator.events.drain();
    expect(emulator.events.published().map((e) => [e.eventType, e.data['status'], e.data['operationName']])).toEqual([
      ['Microsoft.Resources.ResourceWriteFailure', 'Failed', 'Microsoft.Resources/subscriptions/resourceGroups/write'],
    ]);
  });
});

describe('withVariedCasing', () => {
  it('re-cases resourceGroups and resource types but never names, deterministically from the seed', () => {
    const event = new EventGridPublisher(1).publishResourceEvent({
      ...input(1),
      resourceId: `/subscriptions/${SUB}/resourceGroups/RG-Apps/providers/Microsoft.RecoveryServices/vaults/Vault-A/privateEndpointConnections/Conn.1`,
    });
    const random = seededRandom(9);
    const variants = Array.from({ length: 30 }, () => withVariedCasing(event, random));
    for (const v of variants) {
      expect(v.subject.toLowerCase()).toBe(event.subject.toLowerCase());
      expect(v.data['resourceUri']).toBe(v.subject);
      expect(v.subject).toContain('/RG-Apps/');
      expect(v.subject).toContain('/Vault-A/');
      expect(v.subject).toContain('/Conn.1');
      expect(v.subject).toContain('/Microsoft.RecoveryServices/');
    }
    const distinct = new Set(variants.map((v) => v.subject));
    expect(distinct.size).toBeGreaterThan(3);
    expect([...distinct].some((s) => s.includes('/resourcegroups/'))).toBe(true);
    expect([...distinct].some((s) => s.includes('/Vaults/'))).toBe(true);
    const again = seededRandom(9);
    expect(Array.from({ length: 30 }, () => withVariedCasing(event, again).subject)).toEqual(variants.map((v) => v.subject));
  });
});
