/**
 * The wall clock of the triggers and activities (never of the orchestrator, which only reads
 * context.df.currentUtcDateTime). Signals' `sentAt` and observations' `observedAt` must come from
 * the same clock for coalescing to be right, so the local driver swaps it for its controllable one.
 */
let clock: () => Date = () => new Date();

export function currentTime(): Date {
  return clock();
}

/** Replaces the clock (development harness and tests); returns a function that restores the previous one. */
export function setClock(next: () => Date): () => void {
  const previous = clock;
  clock = next;
  return () => {
    clock = previous;
  };
}
