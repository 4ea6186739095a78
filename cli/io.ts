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
  return { stdout: dropOnClosedPipe(process.stdout), stderr: dropOnClosedPipe(process.stderr), stdin: process.stdin, env: process.env, cwd: process.cwd() };
}

/** The part of a process stream {@link dropOnClosedPipe} needs. */
export interface ProcessOutput {
  write(text: string): boolean;
  on(event: 'error', listener: (error: NodeJS.ErrnoException) => void): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/**
 * `stream`, except that once its reader has gone (`vaultlink status | head -1`: the pipe is closed,
 * the next write fails with EPIPE) what is written is dropped instead of crashing the process with
 * an unhandled 'error' event. The command runs to its end and exits with its own code, so that a
 * `config check` cut short by `head` still fails under `set -o pipefail`, and a replay is not left
 * half done because its reader left. Any other stream error is still thrown.
 */
export function dropOnClosedPipe(stream: ProcessOutput): OutputStream {
  let closed = false;
  stream.on('error', (error) => {
    if (error.code !== 'EPIPE') throw error;
    closed = true;
  });
  return {
    write: (text: string) => (closed ? true : stream.write(text)),
    get isTTY() {
      return stream.isTTY;
    },
    get columns() {
      return stream.columns;
    },
  };
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
