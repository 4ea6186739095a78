/**
 * ISO 8601 durations (`PT5M`, `P1DT2H`, `PT0.5S`) in milliseconds, for the planner's
 * `followUpAfter`. Pure and deterministic: the orchestrator uses it during replay.
 * Years and months are refused: they have no fixed length.
 */
const DURATION = /^P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

const UNIT_MS = [7 * 24 * 3_600_000, 24 * 3_600_000, 3_600_000, 60_000, 1_000] as const;

/** Milliseconds of an ISO 8601 duration; undefined when it is not one (or has years/months, or is `P`/`PT` alone). */
export function parseIsoDurationMs(text: string): number | undefined {
  const m = DURATION.exec(text.trim());
  if (m === null || text.trim().endsWith('T')) return undefined;
  const parts = m.slice(1);
  if (parts.every((p) => p === undefined)) return undefined;
  return parts.reduce((sum, p, i) => sum + (p === undefined ? 0 : Number(p) * (UNIT_MS[i] as number)), 0);
}
