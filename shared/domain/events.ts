/**
 * Event intake: one Event Grid delivery in, one {@link EventIntake} per event out.
 *
 * An event is only a hint (DESIGN.md): it tells vaultlink which vault to look at again, never what
 * to do. So the intake keeps nothing of the payload but the key it needs, the normalised id of a
 * vault or a private endpoint, and says for every other event why it was ignored or refused.
 *
 * Decoding goes through the SDK's own `EventGridDeserializer`, one event at a time: the
 * deserializer rejects a whole array when one event is malformed, and at-least-once delivery means
 * a lost hint would only be found again by the next sweep. Both schemas are accepted per event
 * (a CloudEvents 1.0 event carries `specversion`; an Event Grid one `eventType` and `dataVersion`),
 * and so is the single event the Functions Event Grid trigger hands a handler.
 *
 * Decision table (operation names compare case-insensitively; the lists live in shared/contract.json):
 *
 * | event type                     | data.operationName                     | resource id names          | result                              |
 * |--------------------------------|----------------------------------------|----------------------------|-------------------------------------|
 * | not decodable                  | –                                      | –                          | invalid                             |
 * | not in `eventTypes.handled`    | –                                      | –                          | ignored (failure, cancel, action, …)|
 * | handled                        | missing                                | –                          | invalid                             |
 * | handled                        | not listed                             | –                          | ignored (resource type not watched) |
 * | handled                        | listed                                 | malformed / none / disagree | invalid                             |
 * | handled                        | `operations.vault`                     | a vault                    | hint vault                          |
 * | handled                        | `operations.vaultConnection`           | a vault's PE connection    | hint vault (the parent vault)       |
 * | handled                        | `operations.vaultConnectionProxy`      | a vault's connection proxy | hint vault (the parent vault)       |
 * | handled                        | `operations.privateEndpoint`           | a private endpoint         | hint private-endpoint               |
 * | handled                        | `operations.dnsRecord`                 | an A record set            | hint dns-record                     |
 * | handled                        | `operations.dnsLink`                   | a virtual network link     | hint dns-link                       |
 * | handled                        | `operations.roleAssignment` (delete)   | a role assignment          | hint role-assignment                |
 * | handled                        | listed                                 | another type               | invalid                             |
 *
 * Drift (a person deleting or changing a record, a link or a role assignment) and a private
 * endpoint from another subscription connecting (Azure writes the vault's
 * `privateEndpointConnectionProxies` in the vault's subscription while the endpoint's own events go
 * to its subscription) give hints too. A dns-record, dns-link or role-assignment hint names only the
 * resource: which vault it concerns is found by re-reading Azure (the routing orchestration, through
 * vaultlink's ownership metadata and marker), never from the payload.
 */
import { EventGridDeserializer, type KnownSystemEventTypes } from '@azure/eventgrid';
import contract from '../contract.json';
import { isResourceType, parentResourceId, parseResourceId, type ResourceId, InvalidResourceIdError } from './ids';

/** What a hint asks vaultlink to look at again. */
export interface Hint {
  readonly kind: HintKind;
  /** Normalised resource id (see ids.ts): a vault, a private endpoint, an A record set, a zone's virtual network link or a role assignment. */
  readonly id: string;
}

/** What a hint names: a vault (signalled at once) or a resource whose vault(s) a re-read finds. */
export type HintKind = 'vault' | 'private-endpoint' | 'dns-record' | 'dns-link' | 'role-assignment';

/**
 * The intake's verdict on one event. JSON-serialisable as is: `vaultlink explain-event --output json`
 * prints it unchanged. Fields that could not be read from a malformed event are null.
 */
export interface EventIntake {
  readonly id: string | null;
  readonly eventType: string | null;
  readonly subject: string | null;
  readonly status: 'hint' | 'ignored' | 'invalid';
  readonly hint: Hint | null;
  /** Why the event was ignored or refused; for a hint, what it concerns. */
  readonly reason: string;
  /** `data.correlationId` (ARM's id of the request), to find the operation in the activity log. */
  readonly correlationId: string | null;
}

type Outcome = 'success' | 'failure' | 'cancel';
type Verb = 'write' | 'delete' | 'action';

/**
 * The Azure Resource Manager events of a subscription or resource-group system topic, as the SDK
 * knows them. Only those in `contract.eventTypes.handled` give hints; the others are named here so
 * that the reason for ignoring them says what they are.
 */
export const resourceEventCatalogue = {
  'Microsoft.Resources.ResourceWriteSuccess': { verb: 'write', outcome: 'success' },
  'Microsoft.Resources.ResourceWriteFailure': { verb: 'write', outcome: 'failure' },
  'Microsoft.Resources.ResourceWriteCancel': { verb: 'write', outcome: 'cancel' },
  'Microsoft.Resources.ResourceDeleteSuccess': { verb: 'delete', outcome: 'success' },
  'Microsoft.Resources.ResourceDeleteFailure': { verb: 'delete', outcome: 'failure' },
  'Microsoft.Resources.ResourceDeleteCancel': { verb: 'delete', outcome: 'cancel' },
  'Microsoft.Resources.ResourceActionSuccess': { verb: 'action', outcome: 'success' },
  'Microsoft.Resources.ResourceActionFailure': { verb: 'action', outcome: 'failure' },
  'Microsoft.Resources.ResourceActionCancel': { verb: 'action', outcome: 'cancel' },
} as const satisfies Partial<Record<KnownSystemEventTypes, { verb: Verb; outcome: Outcome }>>;

export type ResourceEventType = keyof typeof resourceEventCatalogue;

function isResourceEventType(type: string): type is ResourceEventType {
  return Object.hasOwn(resourceEventCatalogue, type);
}

/**
 * The event types that give hints, from shared/contract.json (infra's event subscription filters on
 * the same list). Checked against the catalogue when the module loads, so that a typo in the
 * contract fails every test instead of silently dropping events.
 */
export const handledEventTypes: readonly ResourceEventType[] = contract.eventTypes.handled.map((type) => {
  if (!isResourceEventType(type)) throw new Error(`shared/contract.json eventTypes.handled names ${JSON.stringify(type)}, not a Microsoft.Resources event type`);
  return type;
});

/** True when events of this type can give a hint (exact string, as Event Grid sends it). */
export function isHandledEventType(type: string): type is ResourceEventType {
  return (handledEventTypes as readonly string[]).includes(type);
}

type OperationKind = 'vault' | 'vaultConnection' | 'vaultConnectionProxy' | 'privateEndpoint' | 'dnsRecord' | 'dnsLink' | 'roleAssignment';

/** What each watched operation must be about: the id's resource type and how it is named in reasons. */
const operationTargets: Record<OperationKind, { readonly resourceType: string; readonly noun: string }> = {
  vault: { resourceType: 'Microsoft.RecoveryServices/vaults', noun: 'vault' },
  vaultConnection: { resourceType: 'Microsoft.RecoveryServices/vaults/privateEndpointConnections', noun: 'private endpoint connection' },
  vaultConnectionProxy: { resourceType: 'Microsoft.RecoveryServices/vaults/privateEndpointConnectionProxies', noun: 'private endpoint connection proxy' },
  privateEndpoint: { resourceType: 'Microsoft.Network/privateEndpoints', noun: 'private endpoint' },
  dnsRecord: { resourceType: 'Microsoft.Network/privateDnsZones/A', noun: 'A record set' },
  dnsLink: { resourceType: 'Microsoft.Network/privateDnsZones/virtualNetworkLinks', noun: 'virtual network link' },
  roleAssignment: { resourceType: 'Microsoft.Authorization/roleAssignments', noun: 'role assignment' },
};

const operationKinds = new Map<string, OperationKind>(
  (Object.keys(operationTargets) as OperationKind[]).flatMap((kind) => contract.operations[kind].map((op): [string, OperationKind] => [op.toLowerCase(), kind])),
);

const deserializer = new EventGridDeserializer();

/** What could be read from an event before (or without) decoding it, for the verdict. */
interface Envelope {
  id: string | null;
  eventType: string | null;
  subject: string | null;
  correlationId: string | null;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describeJsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

function ownString(o: Record<string, unknown>, key: string): string | null {
  const v = Object.hasOwn(o, key) ? o[key] : undefined;
  return typeof v === 'string' ? v : null;
}

function verdict(envelope: Envelope, status: 'ignored' | 'invalid', reason: string): EventIntake {
  return { ...envelope, status, hint: null, reason };
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The event's schema, told from its own fields (a delivery may in principle mix them). */
function detectSchema(e: Record<string, unknown>): 'cloudevents' | 'eventgrid' | undefined {
  if (Object.hasOwn(e, 'specversion')) return 'cloudevents';
  if (Object.hasOwn(e, 'eventType') && Object.hasOwn(e, 'dataVersion')) return 'eventgrid';
  return undefined;
}

interface DecodedEvent {
  eventType: string;
  subject: string | undefined;
  /** `data` as delivered: the SDK's mapper turns a string or an array into an object with index keys, which would hide a malformed payload. */
  data: unknown;
}

/** Decodes one event with the SDK; throws with the deserializer's reason when it is malformed. */
async function deserialize(schema: 'cloudevents' | 'eventgrid', e: Record<string, unknown>): Promise<DecodedEvent> {
  if (schema === 'cloudevents') {
    const [ce] = await deserializer.deserializeCloudEvents(e);
    if (ce === undefined) throw new Error('the deserializer returned no event');
    if (ce.time !== undefined && Number.isNaN(ce.time.getTime())) throw new Error(`time ${JSON.stringify(e['time'])} is not a date`);
    return { eventType: ce.type, subject: ce.subject, data: e['data'] };
  }
  // The SDK types eventTime as a Date once decoded; an event someone already decoded (or built in
  // code) may still carry one. Event Grid and the Functions trigger send the string form.
  const eventTime = e['eventTime'];
  const wire = eventTime instanceof Date ? { ...e, eventTime: eventTime.toISOString() } : e;
  const [eg] = await deserializer.deserializeEventGridEvents(wire);
  if (eg === undefined) throw new Error('the deserializer returned no event');
  // The deserializer turns a bad timestamp into an Invalid Date instead of refusing it.
  if (Number.isNaN(eg.eventTime.getTime())) throw new Error(`eventTime ${JSON.stringify(wire['eventTime'])} is not a date`);
  return { eventType: eg.eventType, subject: eg.subject, data: wire['data'] };
}

function ignoredTypeReason(eventType: string): string {
  if (!isResourceEventType(eventType)) return `event type ${eventType} is not a resource write or delete that vaultlink handles`;
  const { verb, outcome } = resourceEventCatalogue[eventType];
  if (verb === 'action') return `${eventType} reports an action (POST), which creates, changes or deletes no resource vaultlink watches`;
  if (outcome === 'failure') return `${eventType} reports a failed ${verb}: nothing changed to reconcile`;
  return `${eventType} reports a cancelled ${verb}: nothing changed to reconcile`;
}

/**
 * The resource the event is about, from `subject` and `data.resourceUri`. Both are ARM ids in
 * resource events; when both are there they must name the same resource, or the event is refused
 * rather than trusted for either.
 */
function resourceOf(subject: string | undefined, resourceUri: unknown): ResourceId | string {
  const candidates: [string, string][] = [];
  if (subject !== undefined && subject !== '') candidates.push(['subject', subject]);
  if (resourceUri !== undefined && resourceUri !== null) {
    if (typeof resourceUri !== 'string') return `data.resourceUri is ${describeJsonType(resourceUri)}, not a string`;
    candidates.push(['data.resourceUri', resourceUri]);
  }
  if (candidates.length === 0) return 'the event names no resource (no subject and no data.resourceUri)';
  const parsed: ResourceId[] = [];
  for (const [field, raw] of candidates) {
    try {
      parsed.push(parseResourceId(raw));
    } catch (e) {
      if (e instanceof InvalidResourceIdError) return `${field}: ${e.message}`;
      throw e;
    }
  }
  const [first, second] = parsed as [ResourceId, ResourceId | undefined];
  if (second !== undefined && second.key !== first.key) {
    return `subject ${JSON.stringify(subject)} and data.resourceUri ${JSON.stringify(resourceUri)} name different resources`;
  }
  return first;
}

function hintFor(kind: OperationKind, operationName: string, resource: ResourceId): { hint: Hint; reason: string } | string {
  const target = operationTargets[kind];
  if (!isResourceType(resource, target.resourceType)) {
    return `operation ${operationName} concerns a ${target.noun} (${target.resourceType}), but the event names a ${resource.type}: ${resource.id}`;
  }
  const verb = operationName.slice(operationName.lastIndexOf('/') + 1).toLowerCase();
  switch (kind) {
    case 'vault':
      return { hint: { kind: 'vault', id: resource.id }, reason: `${verb} of vault ${resource.id}` };
    case 'vaultConnection': {
      // a connection's parent is its vault: the vault is what gets reconciled
      const vaultId = parentResourceId(resource.id) as string;
      return { hint: { kind: 'vault', id: vaultId }, reason: `${verb} of private endpoint connection ${resource.name} of vault ${vaultId}` };
    }
    case 'vaultConnectionProxy': {
      // Azure's side of a connection from an endpoint in another subscription: the vault is what gets reconciled
      const vaultId = parentResourceId(resource.id) as string;
      return { hint: { kind: 'vault', id: vaultId }, reason: `${verb} of private endpoint connection proxy ${resource.name} of vault ${vaultId}` };
    }
    case 'privateEndpoint':
      return { hint: { kind: 'private-endpoint', id: resource.id }, reason: `${verb} of private endpoint ${resource.id}` };
    case 'dnsRecord':
      return { hint: { kind: 'dns-record', id: resource.id }, reason: `${verb} of A record set ${resource.id}` };
    case 'dnsLink':
      return { hint: { kind: 'dns-link', id: resource.id }, reason: `${verb} of virtual network link ${resource.id}` };
    case 'roleAssignment':
      return { hint: { kind: 'role-assignment', id: resource.id }, reason: `${verb} of role assignment ${resource.id}` };
  }
}

/**
 * Turns one event (Event Grid schema, CloudEvents 1.0, or as the Functions Event Grid trigger hands
 * it) into a hint, or says why it is ignored or invalid. Never throws for bad input.
 */
export async function decodeEvent(e: unknown): Promise<EventIntake> {
  const envelope: Envelope = { id: null, eventType: null, subject: null, correlationId: null };
  if (!isPlainObject(e)) return verdict(envelope, 'invalid', `the event is ${describeJsonType(e)}, not a JSON object`);

  const schema = detectSchema(e);
  envelope.id = ownString(e, 'id');
  envelope.eventType = schema === 'cloudevents' ? ownString(e, 'type') : (ownString(e, 'eventType') ?? ownString(e, 'type'));
  envelope.subject = ownString(e, 'subject');
  const rawData = Object.hasOwn(e, 'data') ? e['data'] : undefined;
  if (isPlainObject(rawData)) envelope.correlationId = ownString(rawData, 'correlationId');

  if (schema === undefined) {
    return verdict(envelope, 'invalid', 'the event is in neither schema: no "specversion" (CloudEvents 1.0) and no "eventType" with "dataVersion" (Event Grid)');
  }
  let decoded: DecodedEvent;
  try {
    decoded = await deserialize(schema, e);
  } catch (err) {
    const schemaName = schema === 'cloudevents' ? 'CloudEvents 1.0' : 'Event Grid schema';
    return verdict(envelope, 'invalid', `cannot decode the event (${schemaName}): ${errorMessage(err)}`);
  }

  if (!isHandledEventType(decoded.eventType)) return verdict(envelope, 'ignored', ignoredTypeReason(decoded.eventType));

  const data = decoded.data;
  if (!isPlainObject(data)) return verdict(envelope, 'invalid', `data is ${describeJsonType(data)}, not an object with operationName`);
  const operationName = ownString(data, 'operationName');
  if (operationName === null) return verdict(envelope, 'invalid', 'data.operationName is missing or not a string');

  const kind = operationKinds.get(operationName.toLowerCase());
  if (kind === undefined) {
    return verdict(envelope, 'ignored', `operation ${operationName} is not on a vault, a vault's private endpoint connection, a private endpoint, an A record set, a zone's virtual network link or a deleted role assignment`);
  }

  const resource = resourceOf(decoded.subject, Object.hasOwn(data, 'resourceUri') ? data['resourceUri'] : undefined);
  if (typeof resource === 'string') return verdict(envelope, 'invalid', resource);

  const hint = hintFor(kind, operationName, resource);
  if (typeof hint === 'string') return verdict(envelope, 'invalid', hint);
  return { ...envelope, status: 'hint', hint: hint.hint, reason: hint.reason };
}

/**
 * Turns one Event Grid delivery (parsed JSON: an array of events, or a single event) into one
 * verdict per event, in delivery order. A malformed event gives an `invalid` verdict of its own and
 * never costs the rest of the batch. Never throws for bad input.
 */
export async function decodeDelivery(json: unknown): Promise<EventIntake[]> {
  if (Array.isArray(json)) return Promise.all(json.map((e) => decodeEvent(e)));
  return [await decodeEvent(json)];
}
