import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeFound, formatPolicyProblem, loadPolicyFile, parsePolicy, PolicyError, type PolicyProblem } from '../../../shared/config/load';

const SUB = '00000000-0000-0000-0000-000000000001';
const VALID = JSON.stringify({ version: 1, ownerId: 'o', scope: { subscriptions: [SUB] }, dns: { placement: 'custom' } }, null, 2);

function refusal(text: string, file = 'p.json'): PolicyError {
  try {
    parsePolicy(text, file);
  } catch (e) {
    if (e instanceof PolicyError) return e;
    throw e;
  }
  throw new Error('the policy was accepted');
}

describe('load', () => {
  describe('#parsePolicy', () => {
    // [what, text, line, column, expected, found]
    it.each<[string, string, number, number, string, string]>([
      ['a trailing comma', '{\n  "version": 1,\n}', 3, 1, 'a property name in double quotes', '"}"'],
      ['a missing colon', '{\n  "version" 1\n}', 2, 13, '":" after the property name', '"1"'],
      ['an unquoted value', '{\n  "mode": audit\n}', 2, 11, 'a JSON value', '"audit"'],
      ['an unterminated array', '{ "scope": { "subscriptions": ["a"', 1, 35, '"," or "]"', 'the end of the file'],
      ['an empty file', '', 1, 1, 'a JSON value', 'the end of the file'],
      ['a comment', '{\n  // owner\n  "ownerId": "o"\n}', 2, 3, 'a property name in double quotes', '"/"'],
      ['text after the document', '{}\n{}', 2, 1, 'the end of the file', '"{"'],
      ['a raw line break in a string', '{ "ownerId": "a\nb" }', 1, 16, 'no unescaped control character', 'control character U+000A'],
      ['a bad escape', '{ "ownerId": "a\\qb" }', 1, 16, 'a valid escape', '"\\\\"'],
      ['a leading zero', '{ "version": 01 }', 1, 15, '"," or "}"', '"1"'],
      ['a single-quoted string', "{ 'version': 1 }", 1, 3, 'a property name in double quotes', `"'"`],
    ])('reports %s as a syntax problem with line and column', (_what, text, line, column, expected, found) => {
      const error = refusal(text);
      expect(error.problems).toHaveLength(1);
      expect(error.problems[0]).toMatchObject({ file: 'p.json', path: '(JSON syntax)', line, column, found });
      expect(error.problems[0]?.expected).toContain(expected);
    });

    it('accepts a file that starts with a byte-order mark', () => {
      expect(parsePolicy('\ufeff' + VALID, 'bom.json').ownerId).toBe('o');
    });

    it('refuses a property written twice, which JSON.parse would silently resolve', () => {
      const text = '{\n  "version": 1, "ownerId": "o", "scope": { "subscriptions": ["' + SUB + '"] },\n  "dns": { "placement": "central", "placement": "custom" }\n}';
      const error = refusal(text);
      expect(error.problems).toHaveLength(1);
      expect(error.problems[0]).toMatchObject({ path: '$.dns.placement', line: 3, column: 36 });
      expect(error.problems[0]?.found).toContain('line 3, column 12');
    });

    it('locates a schema problem at its value, and a missing value at its enclosing object', () => {
      const text = '{\n  "version": 1,\n  "ownerId": "o",\n  "scope": { "subscriptions": ["x"] },\n  "dns": {\n    "placement": "central"\n  }\n}';
      const byPath = new Map(refusal(text).problems.map((p) => [p.path, p]));
      expect(byPath.get('$.scope.subscriptions[0]')).toMatchObject({ line: 4, column: 32 });
      expect(byPath.get('$.dns.central')).toMatchObject({ line: 5, column: 10 });
    });

    it('names the file, the path, what was expected and what was found in one message', () => {
      const text = VALID.replace(SUB, 'not-a-guid');
      const error = refusal(text, 'policies/prod.json');
      expect(error).toBeInstanceOf(Error);
      expect(error.name).toBe('PolicyError');
      expect(error.file).toBe('policies/prod.json');
      expect(error.message).toContain('policy file policies/prod.json is refused (1 problem)');
      expect(error.message).toContain('policies/prod.json:6:7: $.scope.subscriptions[0]: expected a subscription id (a GUID like 00000000-0000-0000-0000-000000000000), found "not-a-guid"');
    });

    it('gives a JSON path in bracket notation for keys that are not identifiers', () => {
      const text = JSON.stringify({ ...JSON.parse(VALID), geoCodes: { 'west-eu': 'weu' } });
      expect(refusal(text).problems.map((p) => p.path)).toEqual(['$.geoCodes["west-eu"]']);
    });
  });

  describe('#loadPolicyFile', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'vaultlink-policy-'));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('reads and validates a file', async () => {
      const path = join(dir, 'ok.json');
      writeFileSync(path, VALID);
      await expect(loadPolicyFile(path)).resolves.toMatchObject({ ownerId: 'o', mode: 'audit' });
    });

    it('names the file in every problem of a bad file', async () => {
      const path = join(dir, 'bad.json');
      writeFileSync(path, VALID.replace('"custom"', '"everywhere"'));
      const error = (await loadPolicyFile(path).catch((e: unknown) => e)) as PolicyError;
      expect(error).toBeInstanceOf(PolicyError);
      expect(error.problems.map((p) => [p.file, p.path])).toEqual([[path, '$.dns.placement']]);
    });

    it('refuses a missing file with a PolicyError', async () => {
      const path = join(dir, 'absent.json');
      const error = (await loadPolicyFile(path).catch((e: unknown) => e)) as PolicyError;
      expect(error).toBeInstanceOf(PolicyError);
      expect(error.problems).toEqual([{ file: path, path: '$', line: undefined, column: undefined, expected: 'a readable policy file', found: 'no such file' }]);
    });
  });

  describe('#describeFound', () => {
    it.each<[unknown, string]>([
      [undefined, 'nothing'],
      [null, 'null'],
      ['x', '"x"'],
      [false, 'false'],
      [[], 'an empty array'],
      [[1, 2], 'an array of 2 items'],
      [{}, 'an empty object'],
      [{ a: 1 }, 'an object with property a'],
      ['y'.repeat(200), `"${'y'.repeat(78)}…`],
    ])('describes %p as %s', (value, text) => {
      expect(describeFound(value)).toBe(text);
    });
  });

  describe('#formatPolicyProblem', () => {
    it.each<[PolicyProblem, string]>([
      [{ file: 'f.json', path: '$.a', line: 2, column: 3, expected: 'x', found: 'y' }, 'f.json:2:3: $.a: expected x, found y'],
      [{ file: 'f.json', path: '$', line: undefined, column: undefined, expected: 'x', found: 'y' }, 'f.json: $: expected x, found y'],
    ])('formats a problem', (problem, text) => {
      expect(formatPolicyProblem(problem)).toBe(text);
    });
  });
});
