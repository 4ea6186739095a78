import { runCli } from '../../cli/program';
import { captureIO } from '../../cli/io';

describe('vaultlink program', () => {
  describe('#help', () => {
    it.each([
      [['--help']],
      [['explain-event', '--help']],
      [['config', 'check', '--help']],
      [['help', 'explain-event']],
    ])('prints help on stdout and exits 0 for %j', async (argv) => {
      const io = captureIO();
      expect(await runCli(argv, io)).toBe(0);
      expect(io.out()).toMatch(/^Usage: vaultlink/);
    });

    it('prints the package version for --version and exits 0', async () => {
      const io = captureIO();
      expect(await runCli(['--version'], io)).toBe(0);
      expect(io.out()).toMatch(/^\d+\.\d+\.\d+\n$/);
    });

    it('documents the exit codes in the top-level help', async () => {
      const io = captureIO();
      await runCli(['--help'], io);
      for (const code of ['0  ok', '1  the command ran', '2  usage', '3  runtime']) expect(io.out()).toContain(code);
    });
  });

  describe('#usage errors', () => {
    it.each([
      ['no command', []],
      ['an unknown command', ['frobnicate']],
      ['an unknown global option', ['--frob']],
      ['config without a subcommand', ['config']],
    ])('exits 2 with the message on stderr for %s', async (_case, argv) => {
      const io = captureIO();
      expect(await runCli(argv, io)).toBe(2);
      expect(io.err()).not.toBe('');
      expect(io.out()).toBe('');
    });
  });
});
