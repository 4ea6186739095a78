/**
 * functions/index.ts as the host loads it: registrations go through the real `@azure/functions`
 * into a stand-in of the host's core module, and a bad app setting leaves every function
 * registered, with the status API naming the problem.
 */
import { HttpRequest, InvocationContext } from '@azure/functions';
import { createStandInCore, triggerOf, type StandInCore } from './functions-core-standin';
import { RecordingDurableClient } from './recording-client';

const mockCore: StandInCore = createStandInCore();
jest.mock('@azure/functions-core', () => mockCore, { virtual: true });

const EXPECTED: Record<string, string> = {
  vaultlinkEvents: 'eventGridTrigger',
  vaultlinkSweep: 'timerTrigger',
  vaultlinkHousekeeping: 'timerTrigger',
  vaultlinkVaultOrchestrator: 'orchestrationTrigger',
  vaultlinkObserveAndPlan: 'activityTrigger',
  vaultlinkApplyAction: 'activityTrigger',
  vaultlinkPrivateEndpointRouter: 'orchestrationTrigger',
  vaultlinkFindVaultsOfPrivateEndpoint: 'activityTrigger',
  vaultlinkSignalVault: 'activityTrigger',
  vaultlinkStatusList: 'httpTrigger',
  vaultlinkStatusVault: 'httpTrigger',
  vaultlinkDashboard: 'httpTrigger',
};

describe('functions/index (entry point)', () => {
  const saved = { ...process.env };
  let errors: string[];
  const client = new RecordingDurableClient();
  beforeAll(() => {
    // the reported failure: a five-field cron in the sweep setting
    process.env.VAULTLINK_SWEEP_SCHEDULE = '*/5 * * * *';
    errors = [];
    jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void errors.push(args.map(String).join(' ')));
    jest.isolateModules(() => {
      /* eslint-disable @typescript-eslint/no-require-imports -- the entry point must load inside the isolated module registry */
      // the durable client seam of the module instances the entry point loads (no task hub here)
      const durable = require('../../functions/durable-client') as typeof import('../../functions/durable-client');
      durable.setDurableClientFactory(() => client);
      require('../../functions/index');
      /* eslint-enable @typescript-eslint/no-require-imports */
    });
  });
  afterAll(() => {
    process.env = saved;
    jest.restoreAllMocks();
  });

  it('registers every function with the host through @azure/functions, despite a bad setting', () => {
    const byName = Object.fromEntries(mockCore.registrations.map((r) => [r.metadata.name, triggerOf(r).type]));
    expect(byName).toEqual(EXPECTED);
  });

  it('takes the sweep schedule from the app setting through a binding expression', () => {
    const sweep = mockCore.registrations.find((r) => r.metadata.name === 'vaultlinkSweep');
    expect(sweep && triggerOf(sweep)).toMatchObject({ type: 'timerTrigger', schedule: '%VAULTLINK_SWEEP_SCHEDULE%' });
  });

  it('logs the bad setting once at start, naming it', () => {
    expect(errors.join('\n')).toMatch(/configuration\.invalid.*VAULTLINK_SWEEP_SCHEDULE/);
  });

  it('keeps the status API up, reporting the configuration error', async () => {
    const status = mockCore.registrations.find((r) => r.metadata.name === 'vaultlinkStatusList');
    if (status === undefined) throw new Error('no status registration');
    const lines: string[] = [];
    const context = new InvocationContext({ functionName: 'vaultlinkStatusList', invocationId: 'i1', logHandler: (_level, ...args) => void lines.push(args.map(String).join(' ')) });
    const res = (await status.handler(new HttpRequest({ method: 'GET', url: 'http://localhost/api/vaults' }), context)) as { status: number; jsonBody: { configuration: { ok: boolean; error: string } } };
    expect(res.status).toBe(200);
    expect(res.jsonBody.configuration.ok).toBe(false);
    expect(res.jsonBody.configuration.error).toContain('VAULTLINK_SWEEP_SCHEDULE');
    expect(lines.join('\n')).toMatch(/configuration\.invalid/);
  });
});
