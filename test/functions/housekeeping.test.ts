import { InvocationContext } from '@azure/functions';
import { setClock } from '../../functions/clock';
import { setDurableClientFactory } from '../../functions/durable-client';
import { COMPLETED_RETENTION_MS, FAILED_RETENTION_MS, HOUSEKEEPING_FUNCTION, HOUSEKEEPING_SCHEDULE } from '../../functions/housekeeping';
import { getRegisteredFunction } from '../../functions/registry';
import '../../functions/workflows';
import { RecordingDurableClient } from './recording-client';

const NOW = new Date('2026-12-01T03:15:00.000Z');
const ago = (ms: number): string => new Date(NOW.getTime() - ms).toISOString();

describe('housekeeping', () => {
  let client: RecordingDurableClient;
  const restores: (() => void)[] = [];
  beforeEach(() => {
    client = new RecordingDurableClient();
    restores.push(setDurableClientFactory(() => client));
    restores.push(setClock(() => NOW));
  });
  afterEach(() => restores.splice(0).forEach((r) => r()));

  it('is a daily timer with a fixed schedule (no setting can stop it)', () => {
    const fn = getRegisteredFunction(HOUSEKEEPING_FUNCTION, 'timer');
    expect(fn.declaration).toMatchObject({ kind: 'timer', options: { schedule: HOUSEKEEPING_SCHEDULE } });
  });

  it('purges finished routing instances after a day, failed ones after 30 days, never a running vault orchestration', async () => {
    const add = (instanceId: string, name: string, runtimeStatus: string, createdTime: string): void => void client.instances.set(instanceId, { instanceId, name, runtimeStatus, createdTime });
    add('pe:old', 'vaultlinkPrivateEndpointRouter', 'Completed', ago(COMPLETED_RETENTION_MS + 60_000));
    add('pe:fresh', 'vaultlinkPrivateEndpointRouter', 'Completed', ago(60_000));
    add('vault:deleted', 'vaultlinkVaultOrchestrator', 'Completed', ago(2 * COMPLETED_RETENTION_MS));
    add('vault:failed-recently', 'vaultlinkVaultOrchestrator', 'Failed', ago(2 * COMPLETED_RETENTION_MS));
    add('vault:failed-long-ago', 'vaultlinkVaultOrchestrator', 'Failed', ago(FAILED_RETENTION_MS + 60_000));
    add('vault:running', 'vaultlinkVaultOrchestrator', 'Running', ago(FAILED_RETENTION_MS * 2));
    const lines: string[] = [];
    const ctx = new InvocationContext({ functionName: HOUSEKEEPING_FUNCTION, invocationId: 'h1', logHandler: (_l, ...a) => void lines.push(a.map(String).join(' ')) });
    const report = await getRegisteredFunction(HOUSEKEEPING_FUNCTION).handler({}, ctx);
    expect(report).toEqual({ completedPurged: 2, failedPurged: 1 });
    expect([...client.instances.keys()].sort()).toEqual(['pe:fresh', 'vault:failed-recently', 'vault:running']);
    expect(client.purges.every((f) => f.runtimeStatus !== undefined && !f.runtimeStatus.some((s) => s === 'Running'))).toBe(true);
    expect(lines.join('\n')).toContain('housekeeping.purged');
  });
});
