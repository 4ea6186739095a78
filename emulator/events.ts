/**
 * Event Grid for the emulator: every successful ARM write or delete becomes a
 * `Microsoft.Resources.ResourceWriteSuccess` / `ResourceDeleteSuccess` event with the envelope of a
 * subscription system topic, delivered in batches to subscribers (in-process callbacks or HTTP(S)
 * webhooks) in the Event Grid schema or CloudEvents 1.0.
 *
 * Real delivery is at-least-once and unordered; a subscriber can ask for that deliberately:
 * duplicates, drops, reordering and delays are drawn from a PRNG seeded per subscriber, so a run
 * replays exactly.
 */
import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import * as https from 'node:https';
import type { JsonObject } from './arm';
import { seededRandom } from './faults';

export const RESOURCE_WRITE_SUCCESS = 'Microsoft.Resources.ResourceWriteSuccess';
export const RESOURCE_DELETE_SUCCESS = 'Microsoft.Resources.ResourceDeleteSuccess';
export const RESOURCE_ACTION_SUCCESS = 'Microsoft.Resources.ResourceActionSuccess';
export const RESOURCE_WRITE_FAILURE = 'Microsoft.Resources.ResourceWriteFailure';
export const RESOURCE_DELETE_FAILURE = 'Microsoft.Resources.ResourceDeleteFailure';
export const RESOURCE_ACTION_FAILURE = 'Microsoft.Resources.ResourceActionFailure';

export type ResourceEventType =
  | typeof RESOURCE_WRITE_SUCCESS
  | typeof RESOURCE_DELETE_SUCCESS
  | typeof RESOURCE_ACTION_SUCCESS
  | typeof RESOURCE_WRITE_FAILURE
  | typeof RESOURCE_DELETE_FAILURE
  | typeof RESOURCE_ACTION_FAILURE;

/** An event in the Event Grid schema, as a subscription system topic sends it. */
export interface EventGridEvent {
  readonly id: string;
  readonly topic: string;
  readonly subject: string;
  readonly eventType: ResourceEventType;
  readonly eventTime: string;
  readonly data: JsonObject;
  readonly dataVersion: string;
  readonly metadataVersion: string;
}

/** The same event in CloudEvents 1.0. */
export interface CloudEvent {
  readonly specversion: '1.0';
  readonly id: string;
  readonly source: string;
  readonly subject: string;
  readonly type: ResourceEventType;
  readonly time: string;
  readonly datacontenttype: 'application/json';
  readonly data: JsonObject;
}

export type EventSchema = 'EventGridSchema' | 'CloudEventSchemaV1_0';

/** What the server knows about a successful operation; {@link EventGridPublisher.publishResourceEvent} builds the envelope. */
export interface ResourceEventInput {
  readonly eventType: ResourceEventType;
  readonly resourceId: string;
  readonly subscriptionId: string;
  readonly tenantId: string;
  readonly operationName: string;
  /** The caller's token claims (its `oid` appears as the objectidentifier claim, as in real events). */
  readonly claims: Readonly<Record<string, unknown>>;
  readonly correlationId: string;
  readonly httpRequest?: { readonly method: string; readonly url: string; readonly clientRequestId?: string };
  /** `Succeeded` (default) or `Failed` (the *Failure event types). */
  readonly status?: 'Succeeded' | 'Failed';
  /** What ARM answered a failed write (carried in `data.properties.statusMessage`, as the Failure events do). */
  readonly error?: { readonly code: string; readonly message: string };
}

export interface DeliveryOptions {
  readonly schema?: EventSchema;
  /** Seed of this subscriber's PRNG; default: the emulator's seed plus the subscriber's number. */
  readonly seed?: number;
  /** Chance that an event is delivered twice. */
  readonly duplicateProbability?: number;
  /** Chance that an event is never delivered. */
  readonly dropProbability?: number;
  /** Shuffle the events collected in one batch window before delivering them. */
  readonly reorder?: boolean;
  /** Each batch waits a random 0…maxDelayMs before delivery. */
  readonly maxDelayMs?: number;
  /**
   * Largest batch; default 1: Event Grid delivers one event per request unless the subscription
   * opts into batching (`maxEventsPerBatch` in its delivery settings).
   */
  readonly maxEventsPerBatch?: number;
  /** How long events are collected before a batch is cut; default 0 (the next turn of the event loop). */
  readonly batchWindowMs?: number;
  /**
   * How subjects and resource URIs are cased. `azure` (default): as ARM's events show them, with
   * `resourcegroups` in lower case and the rest as written. `varied`: also lower-cased or
   * capitalised provider types (`privateendpoints`, `Vaults`), drawn from the PRNG. `asWritten`:
   * the id as the resource was first written.
   */
  readonly idCasing?: 'azure' | 'asWritten' | 'varied';
  /** Only events whose subject starts with this (case-insensitive). */
  readonly subjectBeginsWith?: string;
  /** Only these event types. */
  readonly includedEventTypes?: readonly ResourceEventType[];
}

export type EventBatchHandler = (batch: (EventGridEvent | CloudEvent)[]) => void | Promise<void>;

export interface WebhookOptions extends DeliveryOptions {
  /** CA to trust for an https webhook with a self-signed certificate. */
  readonly ca?: string;
  /** Delivery attempts per batch before giving up; default 3. */
  readonly maxAttempts?: number;
}

export interface EventSubscription {
  readonly id: string;
  unsubscribe(): void;
}

export interface DeliveryFailure {
  readonly subscriptionId: string;
  readonly eventIds: readonly string[];
  readonly error: string;
}

interface Subscriber {
  readonly id: string;
  readonly options: DeliveryOptions;
  readonly deliver: EventBatchHandler;
  readonly random: () => number;
  queue: EventGridEvent[];
  timer: NodeJS.Timeout | undefined;
  active: boolean;
}

const CLAIM_NAMES: Readonly<Record<string, string>> = {
  oid: 'http://schemas.microsoft.com/identity/claims/objectidentifier',
  tid: 'http://schemas.microsoft.com/identity/claims/tenantid',
  sub: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier',
  scp: 'http://schemas.microsoft.com/identity/claims/scope',
};

/** Token claims as Event Grid shows them: JWT names mapped to their long claim-type URIs, values as strings. */
export function eventClaims(claims: Readonly<Record<string, unknown>>): JsonObject {
  const out: JsonObject = {};
  for (const [name, value] of Object.entries(claims)) {
    if (value === undefined || value === null) continue;
    out[CLAIM_NAMES[name] ?? name] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return out;
}

export class EventGridPublisher {
  private readonly subscribers = new Map<string, Subscriber>();
  private readonly log: EventGridEvent[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly failures: DeliveryFailure[] = [];
  private subscriberCount = 0;

  constructor(private readonly seed: number) {}

  /** Builds the event for a successful operation, records it and hands it to every matching subscriber. */
  publishResourceEvent(input: ResourceEventInput): EventGridEvent {
    const topic = `/subscriptions/${input.subscriptionId}`;
    const data: JsonObject = {
      authorization: { scope: input.resourceId, action: input.operationName, evidence: { role: 'Emulator role assignment' } },
      claims: eventClaims(input.claims),
      correlationId: input.correlationId,
      resourceProvider: input.operationName.split('/')[0] ?? '',
      resourceUri: input.resourceId,
      operationName: input.operationName,
      status: input.status ?? 'Succeeded',
      subscriptionId: input.subscriptionId,
      tenantId: input.tenantId,
    };
    if (input.error) {
      data['properties'] = { statusCode: input.error.code, statusMessage: JSON.stringify({ error: { code: input.error.code, message: input.error.message } }) };
    }
    if (input.httpRequest) {
      data['httpRequest'] = {
        clientRequestId: input.httpRequest.clientRequestId ?? '',
        clientIpAddress: '127.0.0.1',
        method: input.httpRequest.method,
        url: input.httpRequest.url,
      };
    }
    const event: EventGridEvent = {
      id: randomUUID(),
      topic,
      subject: input.resourceId,
      eventType: input.eventType,
      eventTime: new Date().toISOString(),
      data,
      dataVersion: '2',
      metadataVersion: '1',
    };
    this.log.push(event);
    for (const s of this.subscribers.values()) {
      if (!wants(s.options, event)) continue;
      s.queue.push(event);
      this.schedule(s);
    }
    return event;
  }

  /** Delivers batches to an in-process callback. */
  subscribe(handler: EventBatchHandler, options: DeliveryOptions = {}): EventSubscription {
    return this.addSubscriber(handler, options);
  }

  /** Delivers batches as HTTP POSTs to a webhook URL (retried; failures kept in {@link deliveryFailures}). */
  subscribeWebhook(url: string, options: WebhookOptions = {}): EventSubscription {
    const target = new URL(url);
    if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new TypeError(`webhook URL must be http(s): ${url}`);
    const schema = options.schema ?? 'EventGridSchema';
    const maxAttempts = options.maxAttempts ?? 3;
    return this.addSubscriber(async (batch) => {
      let lastError: unknown;
      for (let attempt = 1; attempt <= maxAttempts; attempt++) {
        try {
          await postJson(target, batch, schema, options.ca);
          return;
        } catch (e) {
          lastError = e;
          await sleep(50 * attempt);
        }
      }
      throw lastError;
    }, options);
  }

  /** Every event published since start (or the last {@link clear}), in publication order, in the Event Grid schema. */
  published(): readonly EventGridEvent[] {
    return this.log;
  }

  deliveryFailures(): readonly DeliveryFailure[] {
    return this.failures;
  }

  clear(): void {
    this.log.length = 0;
    this.failures.length = 0;
  }

  /** Resolves when every queued or in-flight delivery has finished (delays included). */
  async drain(): Promise<void> {
    for (;;) {
      for (const s of this.subscribers.values()) {
        if (s.timer) {
          clearTimeout(s.timer);
          s.timer = undefined;
          this.flush(s);
        }
      }
      if (this.inFlight.size === 0) return;
      await Promise.allSettled([...this.inFlight]);
    }
  }

  /** Stops every subscription (pending deliveries are abandoned). */
  close(): void {
    for (const s of this.subscribers.values()) {
      s.active = false;
      if (s.timer) clearTimeout(s.timer);
    }
    this.subscribers.clear();
  }

  private addSubscriber(deliver: EventBatchHandler, options: DeliveryOptions): EventSubscription {
    for (const p of ['duplicateProbability', 'dropProbability'] as const) {
      const v = options[p];
      if (v !== undefined && !(v >= 0 && v <= 1)) throw new RangeError(`${p} must be within [0, 1], got ${v}`);
    }
    const number = ++this.subscriberCount;
    const id = `subscriber-${number}`;
    const s: Subscriber = {
      id,
      options,
      deliver,
      random: seededRandom(options.seed ?? this.seed + number),
      queue: [],
      timer: undefined,
      active: true,
    };
    this.subscribers.set(id, s);
    return {
      id,
      unsubscribe: () => {
        s.active = false;
        if (s.timer) clearTimeout(s.timer);
        this.subscribers.delete(id);
      },
    };
  }

  private schedule(s: Subscriber): void {
    if (s.timer) return;
    s.timer = setTimeout(() => {
      s.timer = undefined;
      this.flush(s);
    }, s.options.batchWindowMs ?? 0);
    s.timer.unref();
  }

  private flush(s: Subscriber): void {
    const taken = s.queue;
    s.queue = [];
    if (!s.active || taken.length === 0) return;
    const events: EventGridEvent[] = [];
    for (const e of taken) {
      if (s.options.dropProbability && s.random() < s.options.dropProbability) continue;
      events.push(e);
      if (s.options.duplicateProbability && s.random() < s.options.duplicateProbability) events.push(e);
    }
    if (s.options.reorder) shuffle(events, s.random);
    const casings = new Map<EventGridEvent, EventGridEvent>();
    const casing = s.options.idCasing ?? 'azure';
    if (casing !== 'asWritten') {
      for (const e of events) if (!casings.has(e)) casings.set(e, casing === 'varied' ? withVariedCasing(e, s.random) : withAzureCasing(e));
    }
    const size = Math.max(1, s.options.maxEventsPerBatch ?? 1);
    const schema = s.options.schema ?? 'EventGridSchema';
    for (let i = 0; i < events.length; i += size) {
      const batch = events.slice(i, i + size);
      const delay = s.options.maxDelayMs ? Math.floor(s.random() * (s.options.maxDelayMs + 1)) : 0;
      const delivery = (async () => {
        if (delay > 0) await sleep(delay);
        if (!s.active) return;
        const payload = batch.map((e) => {
          const cased = casings.get(e) ?? e;
          return schema === 'CloudEventSchemaV1_0' ? toCloudEvent(cased) : structuredClone(cased);
        });
        try {
          await s.deliver(payload);
        } catch (e) {
          this.failures.push({ subscriptionId: s.id, eventIds: batch.map((b) => b.id), error: e instanceof Error ? e.message : String(e) });
        }
      })();
      this.inFlight.add(delivery);
      void delivery.finally(() => this.inFlight.delete(delivery));
    }
  }
}

/** The CloudEvents 1.0 form of an Event Grid event. */
export function toCloudEvent(e: EventGridEvent): CloudEvent {
  return {
    specversion: '1.0',
    id: e.id,
    source: e.topic,
    subject: e.subject,
    type: e.eventType,
    time: e.eventTime,
    datacontenttype: 'application/json',
    data: structuredClone(e.data),
  };
}

/**
 * The event as ARM's system topic sends it: `resourcegroups` in lower case (the segment ARM
 * writes into subjects and resource URIs), everything else as written.
 */
export function withAzureCasing(e: EventGridEvent): EventGridEvent {
  const segments = e.subject.split('/');
  for (let i = 2; i < segments.length; i++) {
    if (segments[i - 2]?.toLowerCase() === 'subscriptions' && segments[i]?.toLowerCase() === 'resourcegroups') segments[i] = 'resourcegroups';
  }
  const subject = segments.join('/');
  return subject === e.subject ? e : { ...e, subject, data: { ...e.data, resourceUri: subject } };
}

/**
 * The event with its subject and resourceUri re-cased as ARM sometimes sends them:
 * `resourcegroups` for `resourceGroups`, resource types lower-cased (`privateendpoints`) or
 * capitalised (`Vaults`). Names are left alone.
 */
export function withVariedCasing(e: EventGridEvent, random: () => number): EventGridEvent {
  const segments = e.subject.split('/');
  let typeNext = false;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] as string;
    const previous = segments[i - 1]?.toLowerCase();
    if (segment.toLowerCase() === 'resourcegroups' && previous !== undefined && segments[i - 2]?.toLowerCase() === 'subscriptions') {
      if (random() < 0.5) segments[i] = 'resourcegroups';
      continue;
    }
    if (segment.toLowerCase() === 'providers') {
      typeNext = false;
      continue;
    }
    if (previous === 'providers') {
      typeNext = true; // the namespace; a type follows
      continue;
    }
    if (typeNext) {
      const draw = random();
      if (draw < 0.25) segments[i] = segment.toLowerCase();
      else if (draw < 0.5) segments[i] = segment.charAt(0).toUpperCase() + segment.slice(1);
    }
    typeNext = typeNext ? false : segments.slice(0, i).some((x) => x.toLowerCase() === 'providers');
  }
  const subject = segments.join('/');
  return { ...e, subject, data: { ...e.data, resourceUri: subject } };
}

function wants(options: DeliveryOptions, event: EventGridEvent): boolean {
  if (options.includedEventTypes && !options.includedEventTypes.includes(event.eventType)) return false;
  if (options.subjectBeginsWith && !event.subject.toLowerCase().startsWith(options.subjectBeginsWith.toLowerCase())) return false;
  return true;
}

function shuffle<T>(items: T[], random: () => number): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function postJson(target: URL, batch: unknown[], schema: EventSchema, ca: string | undefined): Promise<void> {
  const body = JSON.stringify(batch);
  const contentType = schema === 'CloudEventSchemaV1_0' ? 'application/cloudevents-batch+json; charset=utf-8' : 'application/json';
  return new Promise((resolve, reject) => {
    const request = (target.protocol === 'https:' ? https : http).request(
      target,
      {
        method: 'POST',
        headers: { 'content-type': contentType, 'content-length': Buffer.byteLength(body), 'aeg-event-type': 'Notification' },
        ...(ca ? { ca } : {}),
        timeout: 10_000,
      },
      (response) => {
        response.resume();
        response.on('end', () => {
          const status = response.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve();
          else reject(new Error(`webhook ${target.href} answered ${status}`));
        });
      },
    );
    request.on('timeout', () => request.destroy(new Error(`webhook ${target.href} timed out`)));
    request.on('error', reject);
    request.end(body);
  });
}
