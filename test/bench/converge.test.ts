/**
 * The reads of the seed's lifecycle, as `npm run bench:converge` counts them, pinned: request
 * counts do not depend on the machine (times do, and no test asserts one). A change that makes a
 * pass read more, or adds a pass, fails here with the step it happened in.
 */
import { criticalPathMs, runLifecycle, type RunFigures } from '../../bench/converge';

/** Latencies of the emulator's Azure profile × this: an approval takes 2–12 ms, so runs take a second or two. */
const SCALE = 0.0002;

describe('lifecycle reads (bench/converge.ts)', () => {
  const log = console.log;
  const info = console.info;
  const warn = console.warn;
  const runs: Partial<Record<'reconciler' | 'functions', RunFigures>> = {};
  beforeAll(async () => {
    // The Functions app logs every decision; keep the test output readable.
    console.log = console.info = console.warn = (): void => undefined;
    try {
      runs.reconciler = await runLifecycle('reconciler', SCALE, 1);
      runs.functions = await runLifecycle('functions', SCALE, 1);
    } finally {
      console.log = log;
      console.info = info;
      console.warn = warn;
    }
  }, 300_000);

  const stepReads = (r: RunFigures | undefined): Record<string, number> => Object.fromEntries((r?.steps ?? []).map((s) => [s.step, s.reads]));

  it('converges on both paths with the 18 writes the lifecycle needs', () => {
    expect([runs.reconciler?.converged, runs.functions?.converged]).toEqual([true, true]);
    expect([runs.reconciler?.writes, runs.functions?.writes]).toEqual([18, 18]);
  });

  it('reconciler alone: each step is one observation, its writes, and a re-read of what they wrote', () => {
    expect(stepReads(runs.reconciler)).toEqual({ 'vault created': 19, 'endpoint created': 31, 'VM registered (_ecs)': 15, 'first backup (_prot)': 14 });
    expect(runs.reconciler?.reads).toBe(79);
  });

  it("Functions path: the events of vaultlink's own writes start no pass of their own (8 observations, as the reconciler)", () => {
    expect(runs.functions?.activities?.observe).toBe(8);
    expect(stepReads(runs.functions)).toEqual({ 'vault created': 19, 'endpoint created': 43, 'VM registered (_ecs)': 21, 'first backup (_prot)': 17 });
    expect(runs.functions?.reads).toBe(100);
  });
});

describe('criticalPathMs (bench/converge.ts)', () => {
  it('is the longest chain of drawn write durations along needs and followsFrom, not their sum', () => {
    const vault = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.RecoveryServices/vaults/v';
    const zone = '/subscriptions/s/resourceGroups/dns/providers/Microsoft.Network/privateDnsZones/z';
    const plan = {
      actions: [
        { kind: 'enable-identity', key: 'id', summary: '', needs: [], vaultId: vault },
        { kind: 'grant-role', key: 'role', summary: '', needs: [], followsFrom: 'id', scope: '/subscriptions/s/resourceGroups/dns', name: 'g1' },
        { kind: 'approve-connection', key: 'approve', summary: '', needs: ['role'], vaultId: vault, connectionName: 'c' },
        { kind: 'upsert-record', key: 'record', summary: '', needs: ['approve'], zoneId: zone, recordName: 'r' },
        { kind: 'ensure-link', key: 'link', summary: '', needs: [], zoneId: zone, linkName: 'l' },
      ],
    } as unknown as Parameters<typeof criticalPathMs>[0][number];
    const drawn = new Map([
      [vault.toLowerCase(), 100],
      ['/subscriptions/s/resourcegroups/dns/providers/microsoft.authorization/roleassignments/g1', 10],
      [`${vault}/privateEndpointConnections/c`.toLowerCase(), 300],
      [`${zone}/A/r`.toLowerCase(), 5],
      [`${zone}/virtualNetworkLinks/l`.toLowerCase(), 50],
    ]);
    expect(criticalPathMs([plan], drawn)).toBe(100 + 10 + 300 + 5);
    // a step where only the link was written: the others weigh nothing
    expect(criticalPathMs([plan], new Map([[`${zone}/virtualNetworkLinks/l`.toLowerCase(), 500]]))).toBe(500);
  });
});
