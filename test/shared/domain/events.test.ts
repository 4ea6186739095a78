import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EventGridEvent as FunctionsEventGridEvent } from '@azure/functions';
import contract from '../../../shared/contract.json';
import {
  decodeDelivery,
  decodeEvent,
  handledEventTypes,
  isHandledEventType,
  resourceEventCatalogue,
  type EventIntake,
  type ResourceEventType,
} from '../../../shared/domain/events';

const fixtures = join(__dirname, '../../fixtures/events');
function fixture(path: string): unknown {
  return JSON.parse(readFileSync(join(fixtures, path), 'utf8')) as unknown;
}
function fixtureObject(path: string): Record<string, unknown> {
  return fixture(path) as Record<string, unknown>;
}

const SUB = '7d2a9c4e-1b3f-4e8a-9c6d-2f5b8a1e3c70';
const VAULT = `/subscriptions/${SUB}/resourceGroups/rg-backup/providers/Microsoft.RecoveryServices/vaults/rsv-weu-01`;
const PE = `/subscriptions/${SUB}/resourceGroups/rg-network/providers/Microsoft.Network/privateEndpoints/pe-rsv-weu-01`;
const CONNECTION = 'pe-rsv-weu-01.4785626538573528281.backup.8a3b5f0e-2c4d-4e6f-9a1b-3c5d7e9f1a2b';

/** A minimal well-formed Event Grid schema resource event, as Event Grid delivers it. */
function resourceEvent(overrides: { eventType?: string; subject?: string; operationName?: string; resourceUri?: string | null; id?: string } = {}): Record<string, unknown> {
  const subject = overrides.subject ?? VAULT;
  const data: Record<string, unknown> = {
    operationName: overrides.operationName ?? 'Microsoft.RecoveryServices/vaults/write',
    correlationId: 'corr-1',
    status: 'Succeeded',
    subscriptionId: SUB,
  };
  if (overrides.resourceUri !== null) data['resourceUri'] = overrides.resourceUri ?? subject;
  return {
    id: overrides.id ?? 'evt-1',
    topic: `/subscriptions/${SUB}`,
    subject,
    eventType: overrides.eventType ?? 'Microsoft.Resources.ResourceWriteSuccess',
    eventTime: '2026-11-29T15:00:00.0000000Z',
    data,
    dataVersion: '2',
    metadataVersion: '1',
  };
}

/** The same event in CloudEvents 1.0. */
function cloudEvent(overrides: Parameters<typeof resourceEvent>[0] = {}): Record<string, unknown> {
  const eg = resourceEvent(overrides);
  return { specversion: '1.0', id: eg['id'], source: eg['topic'], subject: eg['subject'], type: eg['eventType'], time: eg['eventTime'], data: eg['data'] };
}

const INTAKE_KEYS = ['correlationId', 'eventType', 'hint', 'id', 'reason', 'status', 'subject'];

describe('events', () => {
  describe('catalogue', () => {
    it('handles exactly the event types of shared/contract.json', () => {
      expect([...handledEventTypes]).toEqual(contract.eventTypes.handled);
      expect(handledEventTypes).toEqual(expect.arrayContaining(['Microsoft.Resources.ResourceWriteSuccess', 'Microsoft.Resources.ResourceDeleteSuccess']));
    });

    it.each(Object.keys(resourceEventCatalogue) as ResourceEventType[])('knows %s and handles it only when the contract lists it', (type) => {
      expect(isHandledEventType(type)).toBe(contract.eventTypes.handled.includes(type));
    });

    it('compares event types exactly, as Event Grid filters do', () => {
      expect(isHandledEventType('microsoft.resources.resourcewritesuccess')).toBe(false);
      expect(isHandledEventType('Microsoft.Storage.BlobCreated')).toBe(false);
    });
  });

  describe('#decodeEvent', () => {
    describe('published examples (azure-rest-api-specs)', () => {
      it.each([
        ['event-grid-schema/resource_write_success.json', 'Microsoft.Resources.ResourceWriteSuccess', /Microsoft\.Storage\/storageAccounts\/write is not on a vault/],
        ['event-grid-schema/resource_delete_success.json', 'Microsoft.Resources.ResourceDeleteSuccess', /Microsoft\.Storage\/storageAccounts\/delete is not on a vault/],
        ['event-grid-schema/resource_write_failure.json', 'Microsoft.Resources.ResourceWriteFailure', /failed write/],
        ['event-grid-schema/resource_action_success.json', 'Microsoft.Resources.ResourceActionSuccess', /an action/],
        ['cloud-events-schema/resource_write_success.json', 'Microsoft.Resources.ResourceWriteSuccess', /Microsoft\.Storage\/storageAccounts\/write is not on a vault/],
        ['cloud-events-schema/resource_delete_success.json', 'Microsoft.Resources.ResourceDeleteSuccess', /Microsoft\.Storage\/storageAccounts\/delete is not on a vault/],
        ['cloud-events-schema/resource_write_failure.json', 'Microsoft.Resources.ResourceWriteFailure', /failed write/],
        ['cloud-events-schema/resource_action_success.json', 'Microsoft.Resources.ResourceActionSuccess', /an action/],
      ])('decodes %s and ignores it with the reason', async (file, eventType, reason) => {
        const published = fixtureObject(`published/${file}`);
        const intake = await decodeEvent(published);
        expect(intake).toMatchObject({ status: 'ignored', hint: null, eventType, id: published['id'], subject: published['subject'], correlationId: '{ID}' });
        expect(intake.reason).toMatch(reason);
      });

      it('hints at the vault when a published example is about a vault', async () => {
        // the published write-success envelope, unchanged but for the resource it is about
        const published = fixtureObject('published/event-grid-schema/resource_write_success.json');
        const vault = '/subscriptions/{subscription-id}/resourcegroups/{resource-group}/providers/Microsoft.RecoveryServices/vaults/{vault-name}';
        const data = { ...(published['data'] as Record<string, unknown>), resourceUri: vault, operationName: 'Microsoft.RecoveryServices/vaults/write' };
        const intake = await decodeEvent({ ...published, subject: vault, data });
        expect(intake.hint).toEqual({ kind: 'vault', id: '/subscriptions/{subscription-id}/resourceGroups/{resource-group}/providers/Microsoft.RecoveryServices/vaults/{vault-name}' });
      });
    });

    describe('hints', () => {
      it.each([
        ['a vault write', 'Microsoft.Resources.ResourceWriteSuccess', VAULT, 'Microsoft.RecoveryServices/vaults/write', { kind: 'vault', id: VAULT }, `write of vault ${VAULT}`],
        ['a vault delete', 'Microsoft.Resources.ResourceDeleteSuccess', VAULT, 'Microsoft.RecoveryServices/vaults/delete', { kind: 'vault', id: VAULT }, `delete of vault ${VAULT}`],
        [
          'a connection write (the parent vault)',
          'Microsoft.Resources.ResourceWriteSuccess',
          `${VAULT}/privateEndpointConnections/${CONNECTION}`,
          'Microsoft.RecoveryServices/vaults/privateEndpointConnections/write',
          { kind: 'vault', id: VAULT },
          `write of private endpoint connection ${CONNECTION} of vault ${VAULT}`,
        ],
        [
          'a connection delete (the parent vault)',
          'Microsoft.Resources.ResourceDeleteSuccess',
          `${VAULT}/privateEndpointConnections/${CONNECTION}`,
          'Microsoft.RecoveryServices/vaults/privateEndpointConnections/delete',
          { kind: 'vault', id: VAULT },
          `delete of private endpoint connection ${CONNECTION} of vault ${VAULT}`,
        ],
        ['a PE write', 'Microsoft.Resources.ResourceWriteSuccess', PE, 'Microsoft.Network/privateEndpoints/write', { kind: 'private-endpoint', id: PE }, `write of private endpoint ${PE}`],
        ['a PE delete', 'Microsoft.Resources.ResourceDeleteSuccess', PE, 'Microsoft.Network/privateEndpoints/delete', { kind: 'private-endpoint', id: PE }, `delete of private endpoint ${PE}`],
        [
          'a connection proxy write: a PE from another subscription connects (the parent vault)',
          'Microsoft.Resources.ResourceWriteSuccess',
          `${VAULT}/privateEndpointConnectionProxies/pe-remote.1234`,
          'Microsoft.RecoveryServices/vaults/privateEndpointConnectionProxies/write',
          { kind: 'vault', id: VAULT },
          `write of private endpoint connection proxy pe-remote.1234 of vault ${VAULT}`,
        ],
        [
          'an A record set delete (drift, routed by a re-read)',
          'Microsoft.Resources.ResourceDeleteSuccess',
          `/subscriptions/${SUB}/resourceGroups/rg-dns/providers/Microsoft.Network/privateDnsZones/privatelink.blob.core.windows.net/A/st1`,
          'Microsoft.Network/privateDnsZones/A/delete',
          { kind: 'dns-record', id: `/subscriptions/${SUB}/resourceGroups/rg-dns/providers/Microsoft.Network/privateDnsZones/privatelink.blob.core.windows.net/A/st1` },
          'delete of A record set',
        ],
        [
          'a virtual network link write',
          'Microsoft.Resources.ResourceWriteSuccess',
          `/subscriptions/${SUB}/resourceGroups/rg-dns/providers/Microsoft.Network/privateDnsZones/privatelink.blob.core.windows.net/virtualNetworkLinks/l1`,
          'Microsoft.Network/privateDnsZones/virtualNetworkLinks/write',
          { kind: 'dns-link', id: `/subscriptions/${SUB}/resourceGroups/rg-dns/providers/Microsoft.Network/privateDnsZones/privatelink.blob.core.windows.net/virtualNetworkLinks/l1` },
          'write of virtual network link',
        ],
        [
          'a role assignment delete',
          'Microsoft.Resources.ResourceDeleteSuccess',
          `/subscriptions/${SUB}/resourceGroups/rg-pe/providers/Microsoft.Authorization/roleAssignments/0b1e4c9e-0000-4000-8000-000000000001`,
          'Microsoft.Authorization/roleAssignments/delete',
          { kind: 'role-assignment', id: `/subscriptions/${SUB}/resourceGroups/rg-pe/providers/Microsoft.Authorization/roleAssignments/0b1e4c9e-0000-4000-8000-000000000001` },
          'delete of role assignment',
        ],
        [
          'odd casing of ids and operation names',
          'Microsoft.Resources.ResourceWriteSuccess',
          `//SUBSCRIPTIONS/${SUB}/resourcegroups/rg-backup/PROVIDERS/Microsoft.RecoveryServices/Vaults/rsv-weu-01/`,
          'MICROSOFT.RECOVERYSERVICES/VAULTS/WRITE',
          { kind: 'vault', id: `/subscriptions/${SUB}/resourceGroups/rg-backup/providers/Microsoft.RecoveryServices/Vaults/rsv-weu-01` },
          'write of vault',
        ],
      ])('gives %s', async (_what, eventType, subject, operationName, hint, reason) => {
        for (const event of [resourceEvent({ eventType, subject, operationName }), cloudEvent({ eventType, subject, operationName })]) {
          const intake = await decodeEvent(event);
          expect(intake).toEqual({ id: 'evt-1', eventType, subject, status: 'hint', hint, reason: expect.stringContaining(reason), correlationId: 'corr-1' });
        }
      });

      it.each(
        (['vault', 'vaultConnection', 'privateEndpoint'] as const).flatMap((kind) => contract.operations[kind].map((op) => [kind, op] as const)),
      )('gives a hint for every %s operation of the contract (%s)', async (kind, operationName) => {
        const subject = kind === 'privateEndpoint' ? PE : kind === 'vault' ? VAULT : `${VAULT}/privateEndpointConnections/${CONNECTION}`;
        const intake = await decodeEvent(resourceEvent({ subject, operationName, eventType: handledEventTypes[0] }));
        expect(intake.status).toBe('hint');
        expect(intake.hint?.kind).toBe(kind === 'privateEndpoint' ? 'private-endpoint' : 'vault');
      });

      it('keeps nothing of the payload but the hint: the verdict has exactly its seven fields', async () => {
        const intake = await decodeEvent(resourceEvent());
        expect(Object.keys(intake).sort()).toEqual(INTAKE_KEYS);
        expect(Object.keys(intake.hint ?? {}).sort()).toEqual(['id', 'kind']);
        expect(JSON.parse(JSON.stringify(intake))).toEqual(intake);
      });

      it('takes the id from data.resourceUri when the subject is absent (CloudEvents subject is optional)', async () => {
        const event = cloudEvent({ subject: PE, operationName: 'Microsoft.Network/privateEndpoints/write' });
        delete event['subject'];
        const intake = await decodeEvent(event);
        expect(intake).toMatchObject({ status: 'hint', subject: null, hint: { kind: 'private-endpoint', id: PE } });
      });

      it('takes the id from the subject when data.resourceUri is absent', async () => {
        const intake = await decodeEvent(resourceEvent({ resourceUri: null }));
        expect(intake.hint).toEqual({ kind: 'vault', id: VAULT });
      });

      it('accepts the event as the Functions Event Grid trigger hands it (eventTime a string)', async () => {
        const triggerEvent: FunctionsEventGridEvent = {
          id: 'evt-fn',
          topic: `/subscriptions/${SUB}`,
          subject: PE,
          eventType: 'Microsoft.Resources.ResourceDeleteSuccess',
          eventTime: '2026-11-29T15:00:00Z',
          data: { operationName: 'Microsoft.Network/privateEndpoints/delete', resourceUri: PE },
          dataVersion: '2',
          metadataVersion: '1',
        };
        const intake = await decodeEvent(triggerEvent);
        expect(intake).toEqual({ id: 'evt-fn', eventType: 'Microsoft.Resources.ResourceDeleteSuccess', subject: PE, status: 'hint', hint: { kind: 'private-endpoint', id: PE }, reason: `delete of private endpoint ${PE}`, correlationId: null });
      });

      it('accepts an event whose eventTime is already a Date (decoded by the SDK earlier)', async () => {
        const intake = await decodeEvent({ ...resourceEvent(), eventTime: new Date('2026-11-29T15:00:00Z') });
        expect(intake.status).toBe('hint');
      });
    });

    describe('ignored', () => {
      it.each([
        ['Microsoft.Resources.ResourceWriteFailure', /failed write/],
        ['Microsoft.Resources.ResourceDeleteFailure', /failed delete/],
        ['Microsoft.Resources.ResourceWriteCancel', /cancelled write/],
        ['Microsoft.Resources.ResourceDeleteCancel', /cancelled delete/],
        ['Microsoft.Resources.ResourceActionSuccess', /an action/],
        ['Microsoft.Resources.ResourceActionFailure', /an action/],
        ['Microsoft.Resources.ResourceActionCancel', /an action/],
        ['Microsoft.Storage.BlobCreated', /not a resource write or delete that vaultlink handles/],
        ['Microsoft.EventGrid.SubscriptionValidationEvent', /not a resource write or delete that vaultlink handles/],
      ])('ignores %s about a vault, with the reason', async (eventType, reason) => {
        const intake = await decodeEvent(resourceEvent({ eventType }));
        expect(intake).toMatchObject({ status: 'ignored', hint: null, eventType, id: 'evt-1', subject: VAULT, correlationId: 'corr-1' });
        expect(intake.reason).toMatch(reason);
      });

      it.each([
        ['a storage account', `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st1`, 'Microsoft.Storage/storageAccounts/write'],
        ['a CNAME record set', `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Network/privateDnsZones/privatelink.blob.core.windows.net/CNAME/st1`, 'Microsoft.Network/privateDnsZones/CNAME/write'],
        ['a role assignment write (only deletes are drift vaultlink repairs)', `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Authorization/roleAssignments/0b1e4c9e-0000-4000-8000-000000000001`, 'Microsoft.Authorization/roleAssignments/write'],
        ['a vault child other than a connection', `${VAULT}/backupFabrics/Azure`, 'Microsoft.RecoveryServices/vaults/backupFabrics/write'],
        ['the approval action (an operation name, not a write)', VAULT, 'Microsoft.RecoveryServices/vaults/privateEndpointConnectionsApproval/action'],
      ])('ignores a write of %s', async (_what, subject, operationName) => {
        const intake = await decodeEvent(resourceEvent({ subject, operationName }));
        expect(intake).toMatchObject({ status: 'ignored', hint: null });
        expect(intake.reason).toContain(operationName);
      });
    });

    describe('invalid', () => {
      it.each([
        ['null', null, /is null, not a JSON object/],
        ['a number', 42, /is a number, not a JSON object/],
        ['a string', 'event', /is a string, not a JSON object/],
        ['an array', [resourceEvent()], /is an array, not a JSON object/],
      ])('refuses %s', async (_what, event, reason) => {
        const intake = await decodeEvent(event);
        expect(intake).toEqual({ id: null, eventType: null, subject: null, status: 'invalid', hint: null, reason: expect.stringMatching(reason), correlationId: null });
      });

      it.each<[string, (e: Record<string, unknown>) => Record<string, unknown>, RegExp]>([
        ['without metadataVersion', ({ metadataVersion: _m, ...e }) => e, /missing required property 'metadataVersion'/],
        ['with metadataVersion "2"', (e) => ({ ...e, metadataVersion: '2' }), /not in the Event Grid schema/],
        ['without eventTime', ({ eventTime: _t, ...e }) => e, /missing required property 'eventTime'/],
        ['with an eventTime that is no date', (e) => ({ ...e, eventTime: 'yesterday' }), /eventTime "yesterday" is not a date/],
        ['without topic', ({ topic: _t, ...e }) => e, /missing required property 'topic'/],
        ['with a numeric subject', (e) => ({ ...e, subject: 7 }), /'subject should be a 'string'/],
        ['without data', ({ data: _d, ...e }) => e, /missing required property 'data'/],
        ['without schema markers', ({ dataVersion: _d, ...e }) => e, /neither schema/],
      ])('refuses an Event Grid event %s, keeping what it could read', async (_what, change, reason) => {
        const intake = await decodeEvent(change(resourceEvent()));
        expect(intake).toMatchObject({ status: 'invalid', hint: null, id: 'evt-1', eventType: 'Microsoft.Resources.ResourceWriteSuccess' });
        expect(intake.reason).toMatch(reason);
      });

      it.each<[string, (e: Record<string, unknown>) => Record<string, unknown>, RegExp]>([
        ['with specversion 0.3', (e) => ({ ...e, specversion: '0.3' }), /not in the Cloud Event 1.0 schema/],
        ['without source', ({ source: _s, ...e }) => e, /missing required property 'source'/],
        ['with a time that is no date', (e) => ({ ...e, time: 'soon' }), /time "soon" is not a date/],
        // older revisions of the published CloudEvents examples spelled it so; the SDK refuses it
        ['spelling the attribute specVersion', ({ specversion, ...e }) => ({ ...e, specVersion: specversion }), /neither schema/],
      ])('refuses a CloudEvent %s', async (_what, change, reason) => {
        const intake = await decodeEvent(change(cloudEvent()));
        expect(intake).toMatchObject({ status: 'invalid', hint: null, id: 'evt-1', subject: VAULT });
        expect(intake.reason).toMatch(reason);
      });

      it.each<[string, Record<string, unknown>, RegExp]>([
        ['data is a string', { ...resourceEvent(), data: 'x' }, /data is a string, not an object/],
        ['data is an array', { ...resourceEvent(), data: [VAULT] }, /data is an array, not an object/],
        ['data is null', { ...resourceEvent(), data: null }, /data is null, not an object/],
        ['data has no operationName', { ...resourceEvent(), data: { resourceUri: VAULT } }, /data\.operationName is missing/],
        ['subject and resourceUri disagree', resourceEvent({ resourceUri: VAULT.replace('rsv-weu-01', 'rsv-weu-02') }), /name different resources/],
        ['resourceUri is not a string', { ...resourceEvent(), data: { operationName: 'Microsoft.RecoveryServices/vaults/write', resourceUri: 3 } }, /data\.resourceUri is a number/],
        ['no id at all', resourceEvent({ subject: '', resourceUri: null }), /names no resource/],
        ['the subject is malformed', resourceEvent({ subject: `/subscriptions/${SUB}/resourceGroups/rg/../x/providers/Microsoft.RecoveryServices/vaults/v` }), /subject: invalid resource id .*relative segment/],
        ['the subject has an encoded separator', resourceEvent({ subject: `/subscriptions/${SUB}/resourceGroups/rg%2Fx/providers/Microsoft.RecoveryServices/vaults/v`, resourceUri: null }), /subject: invalid resource id/],
        ['resourceUri is malformed though the subject is fine', resourceEvent({ resourceUri: `${VAULT}//` }), /data\.resourceUri: invalid resource id .*empty segment/],
        [
          'a vault operation names a storage account',
          resourceEvent({ subject: `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st1` }),
          /concerns a vault \(Microsoft\.RecoveryServices\/vaults\), but the event names a Microsoft\.Storage\/storageAccounts/,
        ],
        [
          'a PE operation names a vault',
          resourceEvent({ operationName: 'Microsoft.Network/privateEndpoints/write' }),
          /concerns a private endpoint .* but the event names a Microsoft\.RecoveryServices\/vaults/,
        ],
        ['a connection operation names the vault itself', resourceEvent({ operationName: 'Microsoft.RecoveryServices/vaults/privateEndpointConnections/write' }), /concerns a private endpoint connection/],
      ])('refuses a handled event when %s', async (_what, event, reason) => {
        const intake = await decodeEvent(event);
        expect(intake).toMatchObject({ status: 'invalid', hint: null, id: 'evt-1' });
        expect(intake.reason).toMatch(reason);
      });
    });
  });

  describe('#decodeDelivery', () => {
    const hints = (intakes: EventIntake[]) => intakes.map((i) => i.hint);
    const expectedBackupHints = [
      { kind: 'vault', id: VAULT },
      { kind: 'vault', id: VAULT.replace('/vaults/', '/Vaults/') },
      { kind: 'private-endpoint', id: PE },
      { kind: 'private-endpoint', id: PE },
      { kind: 'vault', id: VAULT },
    ];

    it.each([['Event Grid schema', 'derived/backup-delivery.event-grid.json'], ['CloudEvents 1.0', 'derived/backup-delivery.cloudevents.json']])(
      'gives one hint per event of a Backup batch in the %s, in delivery order',
      async (_schema, file) => {
        const intakes = await decodeDelivery(fixture(file));
        expect(intakes.map((i) => i.status)).toEqual(['hint', 'hint', 'hint', 'hint', 'hint']);
        expect(hints(intakes)).toEqual(expectedBackupHints);
        // casing differs between events, the keys do not: one vault, one PE
        expect(new Set(intakes.map((i) => i.hint?.id.toLowerCase())).size).toBe(2);
        expect(intakes[0]?.correlationId).toBe('c0a8e1f2-0001-4b6e-9d3a-7f2c5e8b1a01');
      },
    );

    it('keeps the good events of a batch with malformed ones between them', async () => {
      const intakes = await decodeDelivery(fixture('derived/mixed-malformed.event-grid.json'));
      expect(intakes.map((i) => [i.id, i.status])).toEqual([
        ['0b4f7c52-6a1e-4d3b-8f29-1c7e5a9d3b01', 'hint'],
        [null, 'invalid'],
        [null, 'invalid'],
        ['malformed-no-metadata-version', 'invalid'],
        ['malformed-metadata-version-2', 'invalid'],
        ['malformed-no-schema', 'invalid'],
        ['malformed-disagree', 'invalid'],
        ['malformed-type-mismatch', 'invalid'],
        ['malformed-dotdot', 'invalid'],
        ['0b4f7c52-6a1e-4d3b-8f29-1c7e5a9d3b1a', 'hint'],
      ]);
      expect(intakes[0]?.hint).toEqual({ kind: 'vault', id: VAULT });
      // the connection's subject spells /Vaults/: the canonical id keeps the type's casing, the key does not
      expect(intakes[9]?.hint).toEqual({ kind: 'vault', id: VAULT.replace('/vaults/', '/Vaults/') });
      expect(intakes.every((i) => i.reason.length > 0)).toBe(true);
    });

    it('decodes the published examples of both schemas in one batch, each on its own', async () => {
      const files = ['resource_write_success', 'resource_write_failure', 'resource_delete_success', 'resource_action_success'];
      const batch = files.flatMap((f) => [fixture(`published/event-grid-schema/${f}.json`), fixture(`published/cloud-events-schema/${f}.json`)]);
      const intakes = await decodeDelivery(batch);
      expect(intakes).toHaveLength(8);
      expect(intakes.every((i) => i.status === 'ignored')).toBe(true);
    });

    it.each([
      ['a single event object', resourceEvent(), ['hint']],
      ['an empty array', [], []],
      ['null', null, ['invalid']],
      ['a string', '[{"id":"x"}]', ['invalid']],
    ])('takes %s', async (_what, delivery, statuses) => {
      const intakes = await decodeDelivery(delivery);
      expect(intakes.map((i) => i.status)).toEqual(statuses);
    });
  });
});
