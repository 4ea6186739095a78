/**
 * `vaultlink explain-event FILE|-`: what vaultlink's event intake makes of an Event Grid delivery,
 * offline. The verdicts come from the same `decodeDelivery` the Event Grid handler runs, so what
 * this prints is what the deployed function would do with the delivery.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { withoutByteOrderMark } from '../../shared/config/json-locate';
import { decodeDelivery, type EventIntake } from '../../shared/domain';
import { ExitCode, UsageError, messageOf, type ExitCodeValue } from '../errors';
import { formatTable, writeJson, type OutputFormat } from '../format';
import { readAll, type CliIO } from '../io';

export interface ExplainEventOptions {
  readonly output: OutputFormat;
}

/** Reads a JSON document from a file, or from stdin for `-`; bad input is a usage error (exit 2). */
export async function readJsonInput(io: CliIO, file: string, what: string): Promise<unknown> {
  let text: string;
  const source = file === '-' ? 'stdin' : file;
  try {
    text = file === '-' ? await readAll(io.stdin) : await readFile(resolve(io.cwd, file), 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read ${what} from ${source}: ${code === 'ENOENT' ? 'no such file' : messageOf(e)}`, { cause: e });
  }
  try {
    return JSON.parse(withoutByteOrderMark(text)) as unknown;
  } catch (e) {
    throw new UsageError(`${source} is not JSON (${what} expected): ${messageOf(e)}`, { cause: e });
  }
}

/** The verdict as printed: the field order first. */
export function explainedEvent(v: EventIntake): Record<string, unknown> {
  return { id: v.id, eventType: v.eventType, subject: v.subject, status: v.status, hint: v.hint, reason: v.reason, correlationId: v.correlationId };
}

export function formatVerdictTable(verdicts: readonly EventIntake[]): string {
  // The type without its namespace: every handled type is a Microsoft.Resources one.
  const rows = verdicts.map((v, i) => [String(i + 1), v.status, (v.eventType ?? '-').replace(/^Microsoft\.Resources\./, ''), v.hint ? `${v.hint.kind} ${v.hint.id}` : '-', v.reason]);
  return formatTable(['#', 'STATUS', 'EVENT TYPE', 'HINT', 'REASON'], rows);
}

/** Exit 0 when every event is a hint or ignored, 1 when any event is invalid, 2 on unreadable input. */
export async function explainEvent(io: CliIO, file: string, options: ExplainEventOptions): Promise<ExitCodeValue> {
  const delivery = await readJsonInput(io, file, 'an Event Grid delivery');
  const verdicts = await decodeDelivery(delivery);
  if (options.output === 'json') writeJson(io.stdout, verdicts.map(explainedEvent));
  else {
    io.stdout.write(formatVerdictTable(verdicts));
    const counts = (['hint', 'ignored', 'invalid'] as const).map((s) => `${verdicts.filter((v) => v.status === s).length} ${s}`);
    io.stdout.write(`\n${verdicts.length} event(s): ${counts.join(', ')}\n`);
  }
  return verdicts.some((v) => v.status === 'invalid') ? ExitCode.notConverged : ExitCode.ok;
}
