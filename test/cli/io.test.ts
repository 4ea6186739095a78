/**
 * The CLI's process streams when the reader goes away: `vaultlink simulate | head -1` closes the
 * pipe after one line, and the next write fails with EPIPE. The command must end quietly with its
 * own exit code, not with a stack trace of an unhandled 'error' event.
 */
import { spawnSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dropOnClosedPipe, type ProcessOutput } from '../../cli/io';

const ROOT = join(__dirname, '..', '..');
const TSX = join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');

class FakeStream extends EventEmitter implements ProcessOutput {
  readonly written: string[] = [];
  readonly isTTY = false;
  write(text: string): boolean {
    this.written.push(text);
    return true;
  }
}

function epipe(code = 'EPIPE'): NodeJS.ErrnoException {
  return Object.assign(new Error(`write ${code}`), { code });
}

describe('cli/io', () => {
  describe('#dropOnClosedPipe', () => {
    it('writes through until the reader has gone, then drops what is written', () => {
      const stream = new FakeStream();
      const out = dropOnClosedPipe(stream);
      out.write('first\n');
      stream.emit('error', epipe());
      expect(out.write('second\n')).toBe(true);
      expect(stream.written).toEqual(['first\n']);
      expect(out.isTTY).toBe(false);
    });

    it('still throws any other stream error', () => {
      const stream = new FakeStream();
      dropOnClosedPipe(stream);
      expect(() => stream.emit('error', epipe('EIO'))).toThrow('write EIO');
    });
  });

  describe('a command piped into head -1', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'vaultlink-epipe-'));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    /** Runs `vaultlink <args> 2>stderr | head -1` in bash; the command's own exit code, what head printed, what the command wrote to stderr. */
    function pipedIntoHead(args: string): { code: number; head: string; stderr: string } {
      const stderr = join(dir, 'stderr.txt');
      const script = `"${process.execPath}" "${TSX}" cli/main.ts ${args} 2>"${stderr}" | head -1; exit \${PIPESTATUS[0]}`;
      const run = spawnSync('bash', ['-c', script], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
      return { code: run.status ?? -1, head: run.stdout, stderr: readFileSync(stderr, 'utf8') };
    }

    it('ends quietly with its own exit code when the reader closes the pipe (simulate: 55 lines, the first one read)', () => {
      const piped = pipedIntoHead('simulate');
      expect(piped.stderr).toBe('');
      expect(piped.head.split('\n').filter((l) => l !== '')).toHaveLength(1);
      expect(piped.code).toBe(0);
    }, 120_000);
  });
});
