/**
 * The simulation's timeline: what people and Azure did, and what vaultlink did in answer, with
 * the time since the simulation started and — for vaultlink's writes — how long after the step
 * that caused them. Kept as data (the JSON output and the tests read it) and rendered as text.
 */

/** Who did it: the platform team, the spoke (application) team, Azure Backup, vaultlink, or the chaos of the scenario. */
export type Actor = 'platform' | 'spoke-team' | 'outsider' | 'azure-backup' | 'vm' | 'vaultlink' | 'chaos';

export interface TimelineEntry {
  /** Milliseconds since the simulation started. */
  readonly atMs: number;
  readonly actor: Actor;
  readonly text: string;
  /** For vaultlink's actions: milliseconds since the step that caused them began. */
  readonly afterStepMs?: number;
  /** For a step: true when it went as the scenario expected (a backup that succeeded, …). */
  readonly ok?: boolean;
}

export class Timeline {
  private readonly list: TimelineEntry[] = [];
  private readonly startedAt: number;

  constructor(
    private readonly onEntry: (entry: TimelineEntry) => void = () => undefined,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.startedAt = clock();
  }

  /** Milliseconds since the simulation started. */
  now(): number {
    return Math.round(this.clock() - this.startedAt);
  }

  add(actor: Actor, text: string, extra: { afterStepMs?: number; ok?: boolean; atMs?: number } = {}): TimelineEntry {
    const entry: TimelineEntry = { atMs: extra.atMs ?? this.now(), actor, text, ...(extra.afterStepMs !== undefined ? { afterStepMs: extra.afterStepMs } : {}), ...(extra.ok !== undefined ? { ok: extra.ok } : {}) };
    this.list.push(entry);
    this.onEntry(entry);
    return entry;
  }

  entries(): readonly TimelineEntry[] {
    return this.list;
  }
}

const ACTOR_LABEL: Readonly<Record<Actor, string>> = {
  platform: 'platform team',
  'spoke-team': 'spoke team',
  outsider: 'outsider',
  'azure-backup': 'Azure Backup',
  vm: 'VM',
  vaultlink: 'vaultlink',
  chaos: 'chaos',
};

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(3)}s`;
}

const ACTOR_WIDTH = Math.max(...Object.values(ACTOR_LABEL).map((l) => l.length));

/** One line: `  0.412s  vaultlink     → approved … (+38 ms after the event)`. */
export function renderTimelineEntry(e: TimelineEntry): string {
  const mark = e.ok === false ? ' [FAILED]' : '';
  const after = e.afterStepMs !== undefined ? ` (+${e.afterStepMs} ms after the event)` : '';
  const arrow = e.afterStepMs !== undefined ? '→ ' : '';
  return `${seconds(e.atMs).padStart(8)}  ${ACTOR_LABEL[e.actor].padEnd(ACTOR_WIDTH)}  ${arrow}${e.text}${after}${mark}\n`;
}

export function renderTimeline(entries: readonly TimelineEntry[]): string {
  return entries.map(renderTimelineEntry).join('');
}
