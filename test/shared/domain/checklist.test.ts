import { buildChecklist, CHECKLIST_ITEM_KEYS, summariseChecklist, type ChecklistEntries, type ChecklistItem } from '../../../shared/domain/checklist';

describe('checklist', () => {
  describe('#buildChecklist', () => {
    it('lists every item in the fixed order, unevaluated ones pending', () => {
      const list = buildChecklist({ roles: { status: 'ok', detail: 'granted' }, eligible: { status: 'ok', detail: 'no items' } });
      expect(list.map((i) => i.key)).toEqual([...CHECKLIST_ITEM_KEYS]);
      expect(list[0]).toEqual({ key: 'eligible', status: 'ok', detail: 'no items' });
      expect(list[2]).toEqual({ key: 'roles', status: 'ok', detail: 'granted' });
      expect(list[1]).toEqual({ key: 'identity', status: 'pending', detail: 'not evaluated' });
    });
  });

  describe('#summariseChecklist', () => {
    const all = (status: ChecklistItem['status']): ChecklistEntries => Object.fromEntries(CHECKLIST_ITEM_KEYS.map((k) => [k, { status, detail: '' }]));

    it.each<[string, ChecklistEntries, boolean]>([
      ['every item ok', all('ok'), true],
      ['ok and not-applicable', { ...all('ok'), identity: { status: 'not-applicable', detail: 'v2' }, roles: { status: 'not-applicable', detail: 'v2' } }, true],
      ['one pending', { ...all('ok'), 'dns-links': { status: 'pending', detail: 'linking' } }, false],
      ['one failed', { ...all('ok'), eligible: { status: 'failed', detail: 'items protected' } }, false],
      ['nothing evaluated', {}, false],
    ])('with %s, converged is %s', (_what, entries, converged) => {
      expect(summariseChecklist(buildChecklist(entries)).converged).toBe(converged);
    });

    it('counts statuses and lists open and failed items in checklist order', () => {
      const s = summariseChecklist(
        buildChecklist({ ...all('ok'), 'dns-records': { status: 'pending', detail: '' }, approval: { status: 'failed', detail: '' }, roles: { status: 'pending', detail: '' } }),
      );
      expect(s.counts).toEqual({ ok: 6, pending: 2, failed: 1, 'not-applicable': 0 });
      expect(s.open).toEqual(['roles', 'approval', 'dns-records']);
      expect(s.failed).toEqual(['approval']);
      expect(s.text).toBe('2 pending, 1 failed: roles, approval, dns-records');
    });

    it('is not converged when a hand-made checklist lacks items', () => {
      const s = summariseChecklist([{ key: 'eligible', status: 'ok', detail: '' }]);
      expect(s.converged).toBe(false);
      expect(s.open).toHaveLength(CHECKLIST_ITEM_KEYS.length - 1);
      expect(s.text).toContain(`${CHECKLIST_ITEM_KEYS.length - 1} missing`);
    });

    it('says converged in its one-line text', () => {
      expect(summariseChecklist(buildChecklist(all('ok'))).text).toBe('converged');
    });
  });
});
