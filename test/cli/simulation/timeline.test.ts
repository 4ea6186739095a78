import { Timeline, renderTimeline, renderTimelineEntry } from '../../../cli/simulation/timeline';

describe('Timeline', () => {
  describe('#add', () => {
    it('stamps entries with the time since the start and hands each to the live display', () => {
      let t = 1000;
      const seen: string[] = [];
      const timeline = new Timeline((e) => seen.push(e.text), () => t);
      t = 1250;
      const entry = timeline.add('platform', 'creates vault v');
      expect(entry).toEqual({ atMs: 250, actor: 'platform', text: 'creates vault v' });
      timeline.add('vaultlink', 'approves c', { atMs: 300, afterStepMs: 50 });
      expect(seen).toEqual(['creates vault v', 'approves c']);
      expect(timeline.entries().map((e) => e.atMs)).toEqual([250, 300]);
    });
  });

  describe('#renderTimelineEntry', () => {
    it.each([
      [{ atMs: 412, actor: 'vaultlink' as const, text: 'approves c', afterStepMs: 38 }, '  0.412s  vaultlink      → approves c (+38 ms after the event)\n'],
      [{ atMs: 2000, actor: 'azure-backup' as const, text: 'backs up', ok: false }, '  2.000s  Azure Backup   backs up [FAILED]\n'],
      [{ atMs: 5, actor: 'spoke-team' as const, text: 'creates pe', ok: true }, '  0.005s  spoke team     creates pe\n'],
    ])('renders %j', (entry, line) => {
      expect(renderTimelineEntry(entry)).toBe(line);
    });

    it('renders a whole timeline one line per entry', () => {
      expect(renderTimeline([{ atMs: 1, actor: 'vm', text: 'a' }, { atMs: 2, actor: 'chaos', text: 'b' }]).split('\n')).toHaveLength(3);
    });
  });
});
