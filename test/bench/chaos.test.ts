/**
 * `npm run chaos` in small: a few seeded lifecycles under every kind of fault at once, with every
 * invariant checked. The 1,000-run figures are a benchmark (README, docs/reliability.md).
 */
import { formatChaosReport, poolChaosReports, runChaos, type ChaosReport } from '../../bench/chaos';

describe('chaos (bench/chaos.ts)', () => {
  let report: ChaosReport;
  const log = console.log;
  const info = console.info;
  const warn = console.warn;
  beforeAll(async () => {
    // The Functions app logs every decision; keep the test output readable.
    console.log = console.info = console.warn = (): void => undefined;
    try {
      report = await runChaos({ runs: 5, faultRate: 0.1, seed: 7 });
    } finally {
      console.log = log;
      console.info = info;
      console.warn = warn;
    }
  }, 600_000);

  it('converges every run', () => {
    expect(report.failures).toEqual([]);
    expect(report.converged).toBe(5);
  });

  it('approves nothing the allowlist does not match and rejects nothing it matches', () => {
    expect([report.wrongApprovals, report.wrongRejections]).toEqual([0, 0]);
  });

  it('never writes what it does not own and never duplicates a role assignment', () => {
    expect([report.unownedWrites, report.duplicateRoleAssignments]).toEqual([0, 0]);
  });

  it('loses no event: each one is handled or dead-lettered', () => {
    expect(report.events.lost).toBe(0);
    expect(report.events.published).toBeGreaterThan(0);
    expect(report.events.delivered + report.events.deadLettered).toBe(report.events.published);
  });

  it('injected faults of every kind it claims', () => {
    expect(report.injectedFaults.arm).toBeGreaterThan(0);
    expect(report.injectedFaults.crashes).toBeGreaterThan(0);
    expect(report.injectedFaults.failedDeliveries).toBeGreaterThan(0);
    expect(report.injectedFaults.total).toBe(report.injectedFaults.arm + report.injectedFaults.races + report.injectedFaults.crashes + report.injectedFaults.failedDeliveries);
  });

  it('prints the figures', () => {
    const text = formatChaosReport(report);
    for (const label of ['converged', 'wrong approvals', 'wrong rejections', 'writes to unowned resources', 'duplicate role assignments', 'events dead-lettered', 'events lost', 'extra writes per fault', 'time to converge']) expect(text).toContain(label);
  });

  describe('#poolChaosReports', () => {
    it('pools chunks of one measurement as if they were one run of all their seeds', () => {
      const chunk = (seed: number, runs: number, times: number[], faults: number, writes: number): ChaosReport => ({
        ...report,
        runs,
        seed,
        converged: runs,
        injectedFaults: { arm: faults, races: 0, crashes: 0, failedDeliveries: 0, total: faults },
        baselineWrites: 20,
        writes,
        convergeMinutesByRun: times,
        wallSeconds: 10 * runs,
        failures: [],
      });
      const pooled = poolChaosReports([chunk(0, 2, [1, 3], 10, 44), chunk(2, 3, [2, 30, 4], 30, 66)]);
      expect([pooled.runs, pooled.converged, pooled.seed, pooled.wallSeconds]).toEqual([5, 5, 0, 30]);
      expect(pooled.convergeMinutesByRun).toEqual([1, 2, 3, 4, 30]);
      expect(pooled.convergeDriverMinutes).toEqual({ median: 3, p99: 30 });
      // (44 − 2·20) + (66 − 3·20) = 10 extra writes over 40 faults
      expect(pooled.extraWritesPerFault).toBe(0.25);
    });

    it('refuses chunks whose seeds overlap and chunks of different fault rates', () => {
      expect(() => poolChaosReports([report, report])).toThrow(/seeds overlap/);
      expect(() => poolChaosReports([report, { ...report, seed: report.seed + report.runs, faultRate: 0.2 }])).toThrow(/different fault rates/);
      expect(() => poolChaosReports([])).toThrow(/no chaos reports/);
    });
  });
});
