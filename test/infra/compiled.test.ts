import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pinnedBicepVersion } from '../../infra/tools/bicep';
import { describeCompiled } from './compiled';
import { INFRA_DIR, infraBicepFiles } from './files';

/** The template without what only says which compiler wrote it (version, hash of the template). */
function withoutGenerator(template: Record<string, unknown>): unknown {
  const strip = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(strip);
    if (typeof value !== 'object' || value === null) return value;
    return Object.fromEntries(Object.entries(value).filter(([key]) => key !== '_generator').map(([key, v]) => [key, strip(v)]));
  };
  return strip(template);
}

describeCompiled('infra/ compiled by the Bicep CLI', (compiled) => {
  it('uses the version infra/tools/bicep.csproj pins, or says which one it found', () => {
    const { bicep, main } = compiled();
    const generator = (main.metadata as { _generator?: { version?: string } } | undefined)?._generator?.version ?? '';
    if (bicep.source === 'NuGet cache') expect(generator.startsWith(`${pinnedBicepVersion()}.`)).toBe(true);
    else expect(generator).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('compiles every .bicep file under infra/ without an error or a warning', () => {
    const { build } = compiled();
    expect(build.diagnostics).toEqual([]);
    expect(build.status).toBe(0);
  });

  it('has a compiled template for each of them', () => {
    const { modules, main } = compiled();
    const names = [...Object.keys(modules), ...(Object.keys(main).length > 0 ? ['main.bicep'] : [])].sort();
    expect(names).toEqual(infraBicepFiles().map((f) => relative(INFRA_DIR, f)).sort());
  });

  it('lints every file clean under infra/bicepconfig.json', () => {
    const { lint } = compiled();
    expect(lint.diagnostics).toEqual([]);
    expect(lint.status).toBe(0);
  });

  it('keeps the committed infra/main.json equal to main.bicep compiled now (npm run infra:build)', () => {
    const committed = JSON.parse(readFileSync(join(INFRA_DIR, 'main.json'), 'utf8')) as Record<string, unknown>;
    const versionOf = (template: Record<string, unknown>): string => (template.metadata as { _generator?: { version?: string } } | undefined)?._generator?.version ?? 'unknown';
    // Another Bicep version may write the same template differently: say so, so the fix is clear.
    const versions = versionOf(committed) === versionOf(compiled().main) ? '' : ` (committed by Bicep ${versionOf(committed)}, compiled now by ${versionOf(compiled().main)} from ${compiled().bicep.source}; the pinned one is ${pinnedBicepVersion()})`;
    const drift = JSON.stringify(withoutGenerator(committed)) === JSON.stringify(withoutGenerator(compiled().main)) ? 'in step' : `infra/main.json differs from main.bicep: run npm run infra:build and commit infra/main.json${versions}`;
    expect(drift).toBe('in step');
  });
});

describe('infra/bicepconfig.json', () => {
  const config = JSON.parse(readFileSync(join(INFRA_DIR, 'bicepconfig.json'), 'utf8')) as { analyzers: { core: { enabled: boolean; rules: Record<string, { level: string }> } } };

  it('turns the core analyzer on and raises every rule it names to error', () => {
    expect(config.analyzers.core.enabled).toBe(true);
    const levels = Object.entries(config.analyzers.core.rules).filter(([, rule]) => rule.level !== 'error');
    expect(levels).toEqual([]);
  });

  it.each([
    // The rules whose default is a warning: a warning would otherwise pass the build.
    'no-unused-params',
    'no-unused-vars',
    'no-unnecessary-dependson',
    'no-hardcoded-env-urls',
    'outputs-should-not-contain-secrets',
    'secure-secrets-in-params',
    'use-safe-access',
    'use-stable-resource-identifiers',
    'use-resource-symbol-reference',
    'prefer-interpolation',
    'simplify-interpolation',
  ])('raises %s', (rule) => {
    expect(config.analyzers.core.rules[rule]?.level).toBe('error');
  });
});
