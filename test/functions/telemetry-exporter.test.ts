/**
 * What Application Insights would receive: Azure Monitor's own exporter (as functions/telemetry.ts
 * builds it from the app settings) sends to an HTTPS ingestion endpoint on 127.0.0.1, and the envelopes it
 * posts are decoded. A decision's fields arrive as `properties` (the trace's customDimensions), the
 * invocation's trace id as the `ai.operation.id` tag (operation_Id). Statsbeat is off: nothing
 * leaves the machine.
 */
import * as azureFunctions from '@azure/functions';
import { InvocationContext } from '@azure/functions';
import { createServer, type Server } from 'node:https';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { setVaultReconcilerFactory, type VaultReconciler } from '../../functions/deps';
import { getRegisteredFunction } from '../../functions/registry';
import { createAzureMonitorExporter, startTelemetry, type StartedTelemetry } from '../../functions/telemetry';
import { readTelemetrySettings } from '../../functions/telemetry-settings';
import { APPLY_ACTION_ACTIVITY } from '../../functions/vault-orchestration';
import { emulatorCertificate } from '../../emulator';
import '../../functions/workflows';
import type { PlannedAction } from '../../shared/plan/types';
import { createStandInCore, type StandInCore } from './functions-core-standin';

const mockCore: StandInCore = createStandInCore();
jest.mock('@azure/functions-core', () => mockCore, { virtual: true });

interface Envelope {
  readonly name: string;
  readonly tags: Record<string, string>;
  readonly data: { readonly baseType: string; readonly baseData: { readonly message?: string; readonly severityLevel?: string; readonly properties?: Record<string, string> } };
}

describe('functions/telemetry through Azure Monitor’s exporter', () => {
  const received: Envelope[] = [];
  let server: Server;
  let telemetry: StartedTelemetry;
  let restoreFactory: () => void;
  const saved = { ...process.env };

  beforeAll(async () => {
    Object.assign(process.env, { APPLICATIONINSIGHTS_STATSBEAT_DISABLED: 'true', APPLICATIONINSIGHTS_SDKSTATS_DISABLED: 'true', APPLICATION_INSIGHTS_NO_STATSBEAT: 'true' });
    // Azure Monitor's ingestion speaks HTTPS only: the emulator's self-signed certificate, trusted by this exporter alone
    const { key, cert } = await emulatorCertificate();
    server = createServer({ key, cert }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const text = (req.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body).toString('utf8');
        const envelopes = JSON.parse(text) as Envelope[];
        if (req.url?.includes('/track')) received.push(...envelopes);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ itemsReceived: envelopes.length, itemsAccepted: envelopes.length, errors: [] }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const { settings } = readTelemetrySettings({ APPLICATIONINSIGHTS_CONNECTION_STRING: `InstrumentationKey=00000000-0000-0000-0000-000000000001;IngestionEndpoint=https://127.0.0.1:${port}/` });
    if (settings === undefined) throw new Error('the test connection string was refused');
    // the batch processor, as in Azure: records leave at the latest when the host stops the worker
    telemetry = startTelemetry({ exporter: createAzureMonitorExporter(settings, { tlsOptions: { ca: cert } }), processor: 'batch', azureFunctions });
    restoreFactory = setVaultReconcilerFactory(
      (): VaultReconciler => ({
        observeAndPlan: async () => {
          throw new Error('unused');
        },
        applyAction: async (a) => ({ key: a.key, kind: a.kind, status: 'applied', message: 'approved' }),
        listVaultsInScope: async () => [],
        vaultsForPrivateEndpoint: async () => [],
      }),
    );
  });
  afterAll(async () => {
    restoreFactory();
    await telemetry.shutdown();
    await new Promise((resolve) => server.close(resolve));
    process.env = saved;
  });

  it('sends an approval as a trace whose properties are its custom dimensions, in the invocation’s operation, at the latest when the worker stops', async () => {
    const traceId = randomBytes(16).toString('hex');
    const vaultId = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.RecoveryServices/vaults/v1';
    const action = { key: 'approve-connection:pe-1', kind: 'approve-connection', vaultId, connectionName: 'pe-1.x', privateEndpointId: 'pe-1', rule: 'spoke-team', description: 'vaultlink', needs: [], summary: 'approve' } as unknown as PlannedAction;
    const context = new InvocationContext({ functionName: APPLY_ACTION_ACTIVITY, invocationId: 'inv-wire', traceContext: { traceParent: `00-${traceId}-${randomBytes(8).toString('hex')}-01`, traceState: '', attributes: {} } });
    const hookContext: Record<string, unknown> = { invocationContext: context, inputs: [], functionCallback: getRegisteredFunction(APPLY_ACTION_ACTIVITY, 'activity').handler, hookData: {}, appHookData: {} };
    for (const hook of mockCore.hooks.get('preInvocation') ?? []) await hook(hookContext);
    await (hookContext['functionCallback'] as (i: unknown, c: InvocationContext) => Promise<unknown>)({ vaultId, correlationId: 'corr-wire', action }, context);
    // what the worker does when the host stops it
    for (const hook of mockCore.hooks.get('appTerminate') ?? []) await hook({ hookData: {}, appHookData: {} });
    const approval = received.find((e) => e.data.baseData.properties?.['decision'] === 'action.outcome');
    expect(approval).toMatchObject({
      name: 'Microsoft.ApplicationInsights.Message',
      tags: { 'ai.operation.id': traceId },
      data: {
        baseType: 'MessageData',
        baseData: {
          message: `vaultlink action.outcome applied approve-connection:pe-1 (vault ${vaultId})`,
          properties: { vaultId, correlationId: 'corr-wire', action: 'approve-connection:pe-1', rule: 'spoke-team', outcome: 'applied', audit: 'approval', InvocationId: 'inv-wire' },
        },
      },
    });
  });
});
