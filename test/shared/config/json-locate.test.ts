import fc from 'fast-check';
import { formatJsonPath, lineAndColumn, scanJson } from '../../../shared/config/json-locate';

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

describe('json-locate', () => {
  describe('#scanJson', () => {
    it('accepts exactly what JSON.parse accepts, for any JSON document', () => {
      fc.assert(fc.property(fc.json(), (text) => scanJson(text).ok === true), { numRuns: 300 });
    });

    it('agrees with JSON.parse on damaged documents', () => {
      const damaged = fc
        .tuple(fc.json(), fc.nat(), fc.constantFrom('', ',', '}', ']', '"', ':', '\\', '\n', 'x', '0', '-', '{', '['), fc.nat({ max: 3 }))
        .map(([text, at, insert, cut]) => {
          const i = text.length === 0 ? 0 : at % text.length;
          return text.slice(0, i) + insert + text.slice(i + cut);
        });
      fc.assert(fc.property(damaged, (text) => scanJson(text).ok === parses(text)), { numRuns: 500 });
    });

    it('records where each value starts, by JSON path', () => {
      const scan = scanJson('{\n  "a": [1, {"b": true}],\n  "odd key": null\n}');
      expect(scan.ok).toBe(true);
      if (!scan.ok) return;
      expect(Object.fromEntries(scan.locations)).toEqual({ $: 0, '$.a': 9, '$.a[0]': 10, '$.a[1]': 13, '$.a[1].b': 19, '$["odd key"]': 40 });
    });

    it('lists every repeated key with both positions', () => {
      const scan = scanJson('{"a": 1, "b": {"c": 1, "c": 2}, "a": 3}');
      expect(scan.ok && scan.duplicates).toEqual([
        { path: ['b', 'c'], offset: 23, firstOffset: 15 },
        { path: ['a'], offset: 32, firstOffset: 1 },
      ]);
    });

    it('refuses nesting deeper than it will follow', () => {
      const scan = scanJson('['.repeat(300) + ']'.repeat(300));
      expect(scan.ok === false && scan.syntax.expected).toContain('nesting no deeper than');
    });
  });

  describe('#formatJsonPath', () => {
    it.each<[PropertyKey[], string]>([
      [[], '$'],
      [['approval', 'rules', 0, 'requester', 'subscriptionId'], '$.approval.rules[0].requester.subscriptionId'],
      [['geoCodes', 'west-eu'], '$.geoCodes["west-eu"]'],
      [['$schema'], '$.$schema'],
      [['a"b'], '$["a\\"b"]'],
    ])('formats %p as %s', (path, text) => {
      expect(formatJsonPath(path)).toBe(text);
    });
  });

  describe('#lineAndColumn', () => {
    it.each<[number, number, number]>([
      [0, 1, 1],
      [2, 1, 3],
      [3, 2, 1],
      [5, 2, 3],
      [7, 3, 1],
    ])('places offset %i at line %i, column %i', (offset, line, column) => {
      expect(lineAndColumn('ab\ncde\nf', offset)).toEqual({ line, column });
    });
  });
});
