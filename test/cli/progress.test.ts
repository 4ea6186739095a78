import { progressOn } from '../../cli/progress';

describe('progressOn', () => {
  describe('#update', () => {
    it('rewrites one line on a terminal and clears it when done', () => {
      let written = '';
      const progress = progressOn({ write: (t: string) => (written += t), isTTY: true, columns: 40 });
      progress.update(1, 3, 'vault a');
      progress.update(2, 3, 'vault b');
      progress.done();
      expect(written).toContain('\r[1/3] vault a');
      expect(written).toContain('\r[2/3] vault b');
      expect(written.endsWith('\r')).toBe(true);
      expect(written).not.toContain('\n');
    });

    it('shortens a label wider than the terminal', () => {
      let written = '';
      progressOn({ write: (t: string) => (written += t), isTTY: true, columns: 30 }).update(1, 1, 'x'.repeat(100));
      expect(written.length).toBeLessThanOrEqual(30);
      expect(written).toContain('…');
    });

    it('writes nothing when the stream is not a terminal', () => {
      let written = '';
      const progress = progressOn({ write: (t: string) => (written += t) });
      progress.update(1, 2, 'vault a');
      progress.done();
      expect(written).toBe('');
    });
  });
});
