/**
 * Structured telemetry (functions/telemetry.ts), with OpenTelemetry's in-memory exporter where
 * Azure Monitor's exporter sits in Azure. A real decision: a spoke team's private endpoint waits
 * for approval on the emulator; the app's own activities (observe-and-plan, then apply, through the
 * real reconciler and SDK clients) approve it, invoked as the host's worker invokes them — through
 * the pre-invocation hooks the instrumentation registered with (a stand-in of) the host's core, with
 * the host's traceparent on the invocation. Azure's answer (the connection's state) is checked
 * first, then the records: their attributes (Application Insights' customDimensions) and their
 * trace (its operation_Id).
 */
import * as azureFunctions from '@azure/functions';
import { InvocationContext } from '@azure/functions';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { InMemoryLogRecordExporter, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { randomBytes } from 'node:crypto';
import { reconcilerFromContext, setVaultReconcilerFactory, type ObservedPlan } from '../../functions/deps';
import { invocationReconcileLogger } from '../../functions/log';
import { getRegisteredFunction } from '../../functions/registry';
import { keepsRecord, startTelemetry, type StartedTelemetry } from '../../functions/telemetry';
import { readTelemetrySettings, startTelemetryFromSettings } from '../../functions/telemetry-settings';
import { APPLY_ACTION_ACTIVITY, OBSERVE_AND_PLAN_ACTIVITY } from '../../functions/vault-orchestration';
import '../../functions/workflows';
import { planVault } from '../../shared/plan';
import type { ActionOutcome } from '../../shared/plan/types';
import { World } from '../shared/reconcile/world';
import { createStandInCore, type StandInCore } from './functions-core-standin';

const mockCore: StandInCore = createStandInCore();
jest.mock('@azure/functions-core', () => mockCore, { virtual: true });

interface Invocation {
  readonly invocationId: string;
  readonly traceId: string;
  readonly lines: string[];
}

let invocations = 0;

/** Calls a registered activity as the worker does: pre-invocation hooks first (they may wrap the handler), with the host's traceparent. */
async function invokeActivity(name: string, input: unknown): Promise<{ result: unknown; invocation: Invocation }> {
  const traceId = randomBytes(16).toString('hex');
  const invocationId = `${name}-${++invocations}`;
  const lines: string[] = [];
  const context = new InvocationContext({
    functionName: name,
    invocationId,
    traceContext: { traceParent: `00-${traceId}-${randomBytes(8).toString('hex')}-01`, traceState: '', attributes: {} },
    logHandler: (_level, ...args) => void lines.push(args.map(String).join(' ')),
  });
  const hookContext: Record<string, unknown> = { invocationContext: context, inputs: [input], functionCallback: getRegisteredFunction(name, 'activity').handler, hookData: {}, appHookData: {} };
  for (const hook of mockCore.hooks.get('preInvocation') ?? []) await hook(hookContext);
  const handler = hookContext['functionCallback'] as (input: unknown, context: InvocationContext) => Promise<unknown>;
  return { result: await handler(input, context), invocation: { invocationId, traceId, lines } };
}

interface Passes {
  readonly vaultId: string;
  /** The observe-and-plan invocation of each pass. */
  readonly planned: Invocation[];
  /** The apply invocation of each action, by action kind (the last one of a kind). */
  readonly applied: Map<string, Invocation>;
  readonly outcomes: ActionOutcome[];
}

/**
 * A classic vault with a spoke team's pending endpoint, and the passes the orchestration would make
 * over it (observe and plan, apply, again while the plan asks for it), through the app's activities.
 */
async function approveThroughTheActivities(world: World, name: string, correlationId: string): Promise<Passes> {
  const vaultId = await world.createVault(name);
  await world.createPrivateEndpoint(vaultId, `pe-${name}`);
  const planned: Invocation[] = [];
  const applied = new Map<string, Invocation>();
  const outcomes: ActionOutcome[] = [];
  for (let pass = 0; pass < 5; pass++) {
    const { result, invocation } = await invokeActivity(OBSERVE_AND_PLAN_ACTIVITY, { vaultId, correlationId });
    planned.push(invocation);
    const { plan } = result as ObservedPlan;
    // in the plan's order (every action after the ones it needs); what follows from a step Azure must finish waits for the next pass
    const now = plan.actions.filter((a) => a.followsFrom === undefined);
    for (const action of now) {
      const { result: outcome, invocation: applying } = await invokeActivity(APPLY_ACTION_ACTIVITY, { vaultId, correlationId, action });
      applied.set(action.kind, applying);
      outcomes.push(outcome as ActionOutcome);
    }
    if (now.length === 0 && !plan.requeue) break;
  }
  return { vaultId, planned, applied, outcomes };
}

function attributesOf(records: readonly ReadableLogRecord[], match: Readonly<Record<string, unknown>>): Record<string, unknown>[] {
  return records.map((r) => r.attributes as Record<string, unknown>).filter((a) => Object.entries(match).every(([k, v]) => a[k] === v));
}

describe('functions/telemetry', () => {
  let world: World;
  let restoreFactory: () => void;
  beforeAll(async () => {
    world = await World.start();
    restoreFactory = setVaultReconcilerFactory(() => reconcilerFromContext({ ...world.context(planVault), log: invocationReconcileLogger }));
  }, 60_000);
  afterAll(async () => {
    restoreFactory();
    await world.close();
  });

  describe('with no connection string', () => {
    it('does not start, and the decisions go to the invocation logs as JSON lines, as before', async () => {
      expect(startTelemetryFromSettings(azureFunctions, {})).toEqual({ started: false, problems: [] });
      expect(mockCore.hooks.size).toBe(0);
      const pass = await approveThroughTheActivities(world, 'vault-plain', 'corr-plain');
      expect((await world.azure().recoveryServices.getVault(pass.vaultId))?.connections.map((c) => c.status)).toEqual(['Approved']);
      const approval = pass.applied.get('approve-connection');
      const lines = (approval?.lines ?? []).map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines).toEqual(
        expect.arrayContaining([expect.objectContaining({ source: 'vaultlink', decision: 'action.outcome', vaultId: pass.vaultId, correlationId: 'corr-plain', kind: 'approve-connection', rule: 'spoke-team', outcome: 'applied' })]),
      );
    });

    it('names a bad setting and keeps the safe value', () => {
      expect(readTelemetrySettings({ VAULTLINK_TELEMETRY_SAMPLING_RATIO: '25%' }).problems).toEqual([expect.stringMatching(/^app setting VAULTLINK_TELEMETRY_SAMPLING_RATIO: expected a number from 0 to 1, got "25%"/)]);
      expect(readTelemetrySettings({ APPLICATIONINSIGHTS_CONNECTION_STRING: 'IngestionEndpoint=https://127.0.0.1' })).toEqual({
        settings: undefined,
        problems: [expect.stringMatching(/^app setting APPLICATIONINSIGHTS_CONNECTION_STRING: expected .*InstrumentationKey/)],
      });
      expect(
        readTelemetrySettings({
          APPLICATIONINSIGHTS_CONNECTION_STRING: 'InstrumentationKey=00000000-0000-0000-0000-000000000001',
          APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD;ClientId=11111111-1111-1111-1111-111111111111',
          VAULTLINK_TELEMETRY_SAMPLING_RATIO: '0.5',
        }).settings,
      ).toEqual({ connectionString: 'InstrumentationKey=00000000-0000-0000-0000-000000000001', entraAuthentication: true, managedIdentityClientId: '11111111-1111-1111-1111-111111111111', samplingRatio: 0.5 });
    });
  });

  describe('started, keeping every record', () => {
    const exporter = new InMemoryLogRecordExporter();
    let telemetry: StartedTelemetry;
    let pass: Passes;
    beforeAll(async () => {
      telemetry = startTelemetry({ exporter, processor: 'simple', azureFunctions });
      pass = await approveThroughTheActivities(world, 'vault-otel', 'corr-otel');
    }, 60_000);
    afterAll(() => telemetry.shutdown());

    it('approves the endpoint (Azure shows the connection Approved)', async () => {
      expect((await world.azure().recoveryServices.getVault(pass.vaultId))?.connections.map((c) => c.status)).toEqual(['Approved']);
      expect(pass.outcomes.find((o) => o.kind === 'approve-connection')?.status).toBe('applied');
    });

    it('registers the instrumentation\'s hooks with the host (log forwarding, trace context), and a flush at termination', () => {
      expect([...mockCore.hooks.keys()].sort()).toEqual(['appTerminate', 'log', 'preInvocation']);
    });

    it('gives the approval record its vault, correlation id, action, rule and outcome as attributes (custom dimensions)', () => {
      const approval = pass.applied.get('approve-connection');
      const [record] = attributesOf(exporter.getFinishedLogRecords(), { decision: 'action.outcome', kind: 'approve-connection' });
      expect(record).toMatchObject({
        source: 'vaultlink',
        decision: 'action.outcome',
        vaultId: pass.vaultId,
        correlationId: 'corr-otel',
        action: expect.stringMatching(/^approve-connection:/),
        rule: 'spoke-team',
        outcome: 'applied',
        audit: 'approval',
        InvocationId: approval?.invocationId,
        functionName: APPLY_ACTION_ACTIVITY,
      });
      // dimensions are flat: an object field travels as JSON text
      for (const value of Object.values(record ?? {})) expect(['string', 'number', 'boolean']).toContain(typeof value);
    });

    it('ties each record to its invocation: the host trace id (operation_Id) and the invocation id', () => {
      const records = exporter.getFinishedLogRecords();
      for (const invocation of [...pass.planned, ...pass.applied.values()]) {
        const own = records.filter((r) => r.attributes['InvocationId'] === invocation.invocationId);
        expect(own.length).toBeGreaterThan(0);
        for (const r of own) expect(r.spanContext?.traceId).toBe(invocation.traceId);
      }
    });

    it("routes the reconciler's lines through the same logger, tied to the activity that ran them", () => {
      const approval = pass.applied.get('approve-connection');
      const reconcilerLines = attributesOf(exporter.getFinishedLogRecords(), { source: 'vaultlink.reconcile', kind: 'approve-connection' });
      expect(reconcilerLines).toEqual([expect.objectContaining({ status: 'applied', audit: 'approval', InvocationId: approval?.invocationId })]);
    });

    it('writes each decision once: as a record, not also as a line in the invocation log', () => {
      for (const invocation of [...pass.planned, ...pass.applied.values()]) expect(invocation.lines).toEqual([]);
      expect(attributesOf(exporter.getFinishedLogRecords(), { decision: 'pass.planned', vaultId: pass.vaultId })).toHaveLength(pass.planned.length);
      const warnings = exporter.getFinishedLogRecords().filter((r) => r.severityNumber !== SeverityNumber.INFO);
      expect(warnings.map((r) => r.body)).toEqual([]);
    });

    it("forwards other context.log lines through the library's log hook to the same exporter", async () => {
      const context = new InvocationContext({ functionName: 'f', invocationId: 'plain-line' });
      for (const hook of mockCore.hooks.get('log') ?? []) await hook({ level: 'information', category: 'user', message: 'a plain line', invocationContext: context });
      expect(exporter.getFinishedLogRecords().filter((r) => r.body === 'a plain line')).toHaveLength(1);
    });
  });

  describe('started with a sampling ratio of 0', () => {
    const exporter = new InMemoryLogRecordExporter();
    let telemetry: StartedTelemetry;
    let pass: Passes;
    beforeAll(async () => {
      telemetry = startTelemetry({ exporter, processor: 'simple', samplingRatio: 0, azureFunctions });
      pass = await approveThroughTheActivities(world, 'vault-sampled', 'corr-sampled');
    }, 60_000);
    afterAll(() => telemetry.shutdown());

    it('still approves (sampling concerns records only)', async () => {
      expect((await world.azure().recoveryServices.getVault(pass.vaultId))?.connections.map((c) => c.status)).toEqual(['Approved']);
    });

    it('keeps every approval record and drops the routine ones', () => {
      const records = exporter.getFinishedLogRecords();
      expect(attributesOf(records, { decision: 'action.outcome', kind: 'approve-connection', vaultId: pass.vaultId, rule: 'spoke-team', outcome: 'applied' })).toHaveLength(1);
      expect(attributesOf(records, { source: 'vaultlink.reconcile', kind: 'approve-connection' })).toHaveLength(1);
      // the pass's plan and the other actions' outcomes (zones, links, records, identity) were dropped
      expect(pass.outcomes.filter((o) => o.kind !== 'approve-connection').length).toBeGreaterThan(0);
      expect(attributesOf(records, { decision: 'pass.planned' })).toEqual([]);
      expect(records.every((r) => r.attributes['audit'] === 'approval')).toBe(true);
    });
  });

  describe('#keepsRecord', () => {
    const record = (traceId: string, attributes: Record<string, string> = {}, severityNumber = SeverityNumber.INFO): Parameters<typeof keepsRecord>[0] => ({
      attributes,
      severityNumber,
      spanContext: { traceId, spanId: '0000000000000001', traceFlags: 1 },
    });

    it('keeps about the ratio of operations, the same decision for every record of one operation', () => {
      const traceIds = Array.from({ length: 4000 }, () => randomBytes(16).toString('hex'));
      const kept = traceIds.filter((t) => keepsRecord(record(t), 0.25));
      expect(kept.length / traceIds.length).toBeGreaterThan(0.2);
      expect(kept.length / traceIds.length).toBeLessThan(0.3);
      for (const t of traceIds.slice(0, 200)) expect(keepsRecord(record(t, { decision: 'other' }), 0.25)).toBe(kept.includes(t));
    });

    it('never drops approvals, warnings or errors', () => {
      const t = randomBytes(16).toString('hex');
      expect(keepsRecord(record(t), 0)).toBe(false);
      expect(keepsRecord(record(t, { audit: 'approval' }), 0)).toBe(true);
      expect(keepsRecord(record(t, {}, SeverityNumber.WARN), 0)).toBe(true);
      expect(keepsRecord(record(t, {}, SeverityNumber.ERROR), 0)).toBe(true);
    });
  });
});
