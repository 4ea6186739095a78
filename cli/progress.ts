/**
 * A one-line progress display on stderr for long scans, only when stderr is a terminal: piped or
 * captured output stays clean (and `--output json` on stdout is never touched).
 */
import type { OutputStream } from './io';

export interface Progress {
  update(done: number, total: number, label: string): void;
  done(): void;
}

export function progressOn(stream: OutputStream): Progress {
  if (!stream.isTTY) return { update: () => undefined, done: () => undefined };
  const width = Math.max(20, (stream.columns ?? 80) - 1);
  let shown = false;
  return {
    update(done, total, label) {
      const line = `[${done}/${total}] ${label}`;
      stream.write(`\r${line.length > width ? line.slice(0, width - 1) + '…' : line.padEnd(width)}`);
      shown = true;
    },
    done() {
      if (shown) stream.write(`\r${' '.repeat(width)}\r`);
      shown = false;
    },
  };
}
