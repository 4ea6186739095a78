import { BicepEvaluator, BicepFile, RuntimeValue, parseBicepSource, syntaxErrors } from './bicep';

describe('bicep (the infra tests\' reader)', () => {
  describe('#syntaxErrors', () => {
    it.each([
      ['a resource body without its closing brace', "resource sa 'Microsoft.Storage/storageAccounts@2023-05-01' = {\n  name: 'x'\n"],
      ['a stray token after a parameter', 'param location string = 1 2 3 )\n'],
      ['an unterminated string', "var name = 'vaultlink\n"],
      ['an object property without a value', 'var settings = {\n  VAULTLINK_CLOUD:\n}\n'],
      ['a keyword misspelt', "paramm location string\n"],
    ])('reports %s', (_what, source) => {
      expect(syntaxErrors(parseBicepSource(source)).length).toBeGreaterThan(0);
    });

    it('reports nothing when the source is valid Bicep', () => {
      const source = "targetScope = 'subscription'\n@description('Required. Where.')\nparam location string\nvar names = [for i in range(0, 2): 'n${i}']\noutput first string = names[0]\n";
      expect(syntaxErrors(parseBicepSource(source))).toEqual([]);
    });
  });

  describe('#evaluate', () => {
    const file = new BicepFile(
      '/virtual/main.bicep',
      [
        "param prefix string = 'vl'",
        'param optional object?',
        "var groups = { '$comment': 'x', b: ['b1', 'b2'], a: ['a1'] }",
        "var names = flatten(map(filter(items(groups), g => (!startsWith(g.key, '$'))), g => (g.value)))",
        "var interpolated = '${prefix}-\\'quoted\\'-${length(names)}'",
        "var fallback = optional.?missing ?? 'default'",
        "var merged = union({ a: 1 }, { b: 2 })",
        "var looped = [for (name, i) in names: '${i}:${name}']",
        "var chosen = contains(names, 'a1') ? 'yes' : 'no'",
        "var fromRuntime = '${someResource.properties.endpoint}/x'",
        "var unknownFunction = reverse(names)",
        "resource someResource 'Microsoft.Web/sites@2024-04-01' = { name: prefix }",
      ].join('\n'),
    );

    it.each<[string, unknown]>([
      ['names', ['a1', 'b1', 'b2']],
      ['interpolated', "vl-'quoted'-3"],
      ['fallback', 'default'],
      ['merged', { a: 1, b: 2 }],
      ['looped', ['0:a1', '1:b1', '2:b2']],
      ['chosen', 'yes'],
    ])('evaluates var %s', (name, expected) => {
      expect(new BicepEvaluator(file).variable(name)).toEqual(expected);
    });

    it('uses a given parameter value over the default', () => {
      expect(new BicepEvaluator(file, { prefix: 'x' }).variable('interpolated')).toBe("x-'quoted'-3");
    });

    it('returns a runtime value when the expression needs a deployed resource', () => {
      expect(new BicepEvaluator(file).variable('fromRuntime')).toBeInstanceOf(RuntimeValue);
    });

    it('throws when a function is unknown, so a test never passes on what it did not read', () => {
      expect(() => new BicepEvaluator(file).variable('unknownFunction')).toThrow(/reverse is not known/);
    });

    it('throws when a name is not declared', () => {
      expect(() => new BicepEvaluator(file).variable('nope')).toThrow(/no var named nope/);
    });
  });
});
