/**
 * What a command may touch of the process: its streams, environment and working directory.
 * Commands take it as an argument so that tests run them in-process and read what they printed.
 */
import { Readable } from 'node:stream';

export interface OutputStream {
  write(text: string): unknown;
  /** True when a person watches (progress displays only then). */
  readonly isTTY?: boolean;
  /** Terminal width, when a TTY. */
  readonly columns?: number;
}

export interface CliIO {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  readonly stdin: NodeJS.ReadableStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
}

export function processIO(): CliIO {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, cwd: process.cwd() };
}

/** An IO whose output is kept in memory, for tests and for embedding. */
export interface CapturedIO extends CliIO {
  readonly out: () => string;
  readonly err: () => string;
}

export function captureIO(options: { stdin?: string; env?: Record<string, string | undefined>; cwd?: string; tty?: boolean } = {}): CapturedIO {
  let out = '';
  let err = '';
  const tty = options.tty ?? false;
  return {
    stdout: { write: (t: string) => (out += t), isTTY: tty, columns: 120 },
    stderr: { write: (t: string) => (err += t), isTTY: tty, columns: 120 },
    stdin: Readable.from(options.stdin === undefined ? [] : [options.stdin]),
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
    out: () => out,
    err: () => err,
  };
}

export async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}
