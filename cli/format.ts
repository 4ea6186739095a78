/** Plain-text tables and JSON output: what every command prints. */
import type { OutputStream } from './io';

export type OutputFormat = 'table' | 'json';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['table', 'json'];

/**
 * A left-aligned table with a header row. Cells are never truncated (ids are what operators copy);
 * embedded newlines become spaces so that one row stays one line.
 */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const clean = (s: string): string => s.replace(/\s*\n\s*/g, ' ');
  const all = [header, ...rows].map((r) => r.map(clean));
  const widths = header.map((_, c) => Math.max(...all.map((r) => (r[c] ?? '').length)));
  const line = (r: readonly string[]): string =>
    r
      .map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c] ?? 0)))
      .join('  ')
      .trimEnd();
  return all.map(line).join('\n') + '\n';
}

export function writeJson(stream: OutputStream, value: unknown): void {
  stream.write(JSON.stringify(value, null, 2) + '\n');
}
