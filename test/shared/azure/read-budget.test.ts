import { createHttpHeaders, createPipelineRequest, type PipelineResponse, type SendRequest } from '@azure/core-rest-pipeline';
import { readBudgetPolicy } from '../../../shared/azure/read-budget';

/** A clock that only moves when the policy sleeps: waits are recorded, never taken. */
function fakeTime(): { clock: () => number; sleep: (ms: number) => Promise<void>; slept: number[] } {
  let now = 0;
  const slept: number[] = [];
  return {
    clock: () => now,
    sleep: async (ms) => {
      slept.push(Math.round(ms));
      now += ms;
    },
    slept,
  };
}

const next: SendRequest = async (request) => ({ request, status: 200, headers: createHttpHeaders() }) as PipelineResponse;
const get = (sub: string, method: 'GET' | 'PUT' = 'GET') => createPipelineRequest({ url: `https://127.0.0.1:1/subscriptions/${sub}/resourceGroups/rg?api-version=1`, method });

describe('readBudgetPolicy', () => {
  it('lets a burst through, then paces GETs to the refill rate', async () => {
    const t = fakeTime();
    const policy = readBudgetPolicy({ burst: 3, perSecond: 2 }, t.clock, t.sleep);
    for (let i = 0; i < 5; i++) await policy.sendRequest(get('a'), next);
    expect(t.slept).toEqual([500, 500]);
  });

  it('keeps a bucket per subscription and never holds back writes', async () => {
    const t = fakeTime();
    const policy = readBudgetPolicy({ burst: 1, perSecond: 1 }, t.clock, t.sleep);
    await policy.sendRequest(get('a'), next);
    await policy.sendRequest(get('b'), next);
    await policy.sendRequest(get('a', 'PUT'), next);
    expect(t.slept).toEqual([]);
    await policy.sendRequest(get('A'), next);
    expect(t.slept).toEqual([1000]);
  });

  it('serves concurrent readers in turn, each after its own token', async () => {
    const t = fakeTime();
    const policy = readBudgetPolicy({ burst: 1, perSecond: 4 }, t.clock, t.sleep);
    await Promise.all([1, 2, 3].map(() => policy.sendRequest(get('a'), next)));
    expect(t.slept).toEqual([250, 250]);
  });

  it('refuses a budget that could never grant a read', () => {
    expect(() => readBudgetPolicy({ burst: 0, perSecond: 1 })).toThrow(/burst must be ≥ 1/);
  });
});
