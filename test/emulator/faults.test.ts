import { randomUUID } from 'node:crypto';
import contract from '../../shared/contract.json';
import { FaultInjector, seededRandom, type FaultRule } from '../../emulator/faults';
import { DEFAULT_PAGE_SIZE } from '../../emulator/server';
import { armRequest, authorizationClientFor, errorCode, newPrincipalId, startTestEmulator, type Emulator } from './helpers';

const API = 'api-version=2021-04-01';
const WRITE = { method: 'PUT', path: '/x', operation: 'Microsoft.Network/privateEndpoints/write', principalId: 'p' };

describe('FaultInjector', () => {
  describe('#decide', () => {
    it.each<[string, FaultRule['match'], boolean]>([
      ['an operation wildcard', { operation: 'Microsoft.Network/privateEndpoints/*' }, true],
      ['another provider', { operation: 'Microsoft.RecoveryServices/*' }, false],
      ['the method', { method: 'put' }, true],
      ['another method', { method: 'GET' }, false],
      ['a path pattern', { path: '/*' }, true],
      ['the principal', { principalId: 'P' }, true],
      ['another principal', { principalId: 'q' }, false],
    ])('matches on %s: %s', (_what, match, expected) => {
      const faults = new FaultInjector(1);
      faults.add({ match, fault: { kind: 'drop' } });
      expect(faults.decide(WRITE) !== undefined).toBe(expected);
    });

    it('skips the first matches and stops after `times`', () => {
      const faults = new FaultInjector(1);
      faults.add({ match: {}, fault: { kind: 'error' }, skip: 1, times: 2 });
      expect([1, 2, 3, 4].map(() => faults.decide(WRITE)?.kind)).toEqual([undefined, 'error', 'error', undefined]);
    });

    it('draws probabilities from the seed: the same seed gives the same faults', () => {
      const run = (seed: number) => {
        const faults = new FaultInjector(seed);
        faults.add({ match: {}, fault: { kind: 'throttle' }, probability: 0.5 });
        return Array.from({ length: 40 }, () => faults.decide(WRITE) !== undefined);
      };
      expect(run(7)).toEqual(run(7));
      expect(run(7)).not.toEqual(run(8));
      const hits = run(7).filter(Boolean).length;
      expect(hits).toBeGreaterThan(5);
      expect(hits).toBeLessThan(35);
    });

    it.each<[string, FaultRule]>([
      ['a probability above 1', { match: {}, fault: { kind: 'drop' }, probability: 2 }],
      ['a negative latency', { match: {}, fault: { kind: 'latency', ms: -1 } }],
      ['an error status below 400', { match: {}, fault: { kind: 'error', status: 200 } }],
    ])('refuses %s', (_what, rule) => {
      expect(() => new FaultInjector(1).add(rule)).toThrow(RangeError);
    });

    it('removes one rule by id and all rules on reset', () => {
      const faults = new FaultInjector(1);
      const id = faults.add({ match: {}, fault: { kind: 'drop' } });
      faults.add({ match: {}, fault: { kind: 'error' } });
      expect(faults.remove(id)).toBe(true);
      expect(faults.decide(WRITE)?.kind).toBe('error');
      faults.reset();
      expect(faults.decide(WRITE)).toBeUndefined();
    });
  });

  describe('seededRandom', () => {
    it('yields the same sequence for the same seed, within [0, 1)', () => {
      const a = seededRandom(3);
      const b = seededRandom(3);
      const xs = Array.from({ length: 100 }, () => a());
      expect(xs).toEqual(Array.from({ length: 100 }, () => b()));
      expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    });
  });
});

describe('faults through the server', () => {
  let emulator: Emulator;
  let rgId: string;
  beforeAll(async () => {
    emulator = await startTestEmulator();
    rgId = emulator.control.createResourceGroup(emulator.subscriptionId, 'rg-faults', 'westeurope').id;
  });
  afterEach(() => emulator.faults.reset());
  afterAll(() => emulator.close());

  it('answers 429 with Retry-After, which the real SDK client waits out and retries to success', async () => {
    emulator.faults.add({ match: { operation: 'Microsoft.Authorization/roleAssignments/write' }, fault: { kind: 'throttle', retryAfterSeconds: 1 }, times: 1 });
    emulator.writes.reset();
    const client = authorizationClientFor(emulator);
    const principalId = newPrincipalId();
    const created = await client.roleAssignments.create(rgId, randomUUID(), {
      roleDefinitionId: `/subscriptions/${emulator.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${contract.roleDefinitions.Reader}`,
      principalId,
    });
    expect(created.principalId).toBe(principalId);
    const log = emulator.writes.log();
    expect(log.map((w) => [w.status, w.faulted])).toEqual([
      [429, true],
      [201, false],
    ]);
    expect(emulator.writes.count()).toBe(1);
    expect(emulator.faults.list()[0]?.applied).toBe(1);
  });

  it('sends the Retry-After header and TooManyRequests envelope on a throttled request', async () => {
    emulator.faults.add({ match: { method: 'GET' }, fault: { kind: 'throttle', retryAfterSeconds: 7 } });
    const r = await armRequest(emulator, { path: `${rgId}?${API}` });
    expect(r.status).toBe(429);
    expect(r.headers['retry-after']).toBe('7');
    expect(errorCode(r)).toBe('TooManyRequests');
  });

  it('answers 500 for an error fault', async () => {
    emulator.faults.add({ match: { path: '*/resourceGroups/rg-faults' }, fault: { kind: 'error' } });
    const r = await armRequest(emulator, { path: `${rgId}?${API}` });
    expect(r.status).toBe(500);
    expect(errorCode(r)).toBe('InternalServerError');
  });

  it('drops the connection without an answer', async () => {
    emulator.faults.add({ match: {}, fault: { kind: 'drop' } });
    await expect(armRequest(emulator, { path: `${rgId}?${API}` })).rejects.toThrow(/socket hang up|ECONNRESET/);
  });

  it('applies a write and then drops its answer for a lose-response fault, set through the control API like the other kinds', async () => {
    const added = await armRequest(emulator, { method: 'POST', path: '/_emulator/faults', principalId: null, body: { match: { operation: 'Microsoft.Authorization/roleAssignments/write' }, fault: { kind: 'lose-response' }, times: 1 } });
    expect(added.status).toBe(201);
    emulator.writes.reset();
    const name = randomUUID();
    const path = `${rgId}/providers/Microsoft.Authorization/roleAssignments/${name}?api-version=2022-04-01`;
    const body = { properties: { roleDefinitionId: `/subscriptions/${emulator.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${contract.roleDefinitions.Reader}`, principalId: newPrincipalId(), principalType: 'ServicePrincipal' } };
    await expect(armRequest(emulator, { method: 'PUT', path, body })).rejects.toThrow(/socket hang up|ECONNRESET/);
    // The assignment exists: the answer was lost, not the write.
    expect((await armRequest(emulator, { path })).status).toBe(200);
    expect(emulator.writes.log().map((w) => [w.status, w.faulted, w.answerLost])).toEqual([[201, false, true]]);
  });

  it('delays a request by the latency given, then serves it', async () => {
    emulator.faults.add({ match: {}, fault: { kind: 'latency', ms: 30 } });
    const r = await armRequest(emulator, { path: `${rgId}?${API}` });
    expect(r.status).toBe(200);
    expect(emulator.faults.list()[0]?.applied).toBe(1);
  });

  it('lets the real SDK client retry a transient 500 to success', async () => {
    emulator.faults.add({ match: { operation: 'Microsoft.Authorization/roleAssignments/read' }, fault: { kind: 'error', status: 500 }, times: 1 });
    const names: string[] = [];
    for await (const a of authorizationClientFor(emulator).roleAssignments.listForScope(rgId, { filter: 'atScope()' })) names.push(a.principalId ?? '');
    expect(names).toContain(emulator.ownerPrincipalId);
    // The rule met the failed first request, its retry, and each further page of the list (role
    // assignment lists page like Azure's, at DEFAULT_PAGE_SIZE here); it failed only the first.
    const pages = Math.max(1, Math.ceil(names.length / DEFAULT_PAGE_SIZE));
    expect(emulator.faults.list()[0]).toMatchObject({ matched: 1 + pages, applied: 1 });
  });
});
