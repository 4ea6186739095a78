import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { generatedPolicyFiles, PROJECT_ROOT } from '../../../shared/config/generate-schema';
import { CROSS_FIELD_RULES } from '../../../shared/config/policy-reference';

describe('generate-schema', () => {
  describe('#generatedPolicyFiles', () => {
    const files = [...generatedPolicyFiles()];

    it.each(files.map(([path, content]) => [relative(PROJECT_ROOT, path), path, content]))('%s is committed as generated (run npm run schema)', (_name, path, content) => {
      expect(readFileSync(path, 'utf8')).toBe(content);
    });

    it('gives every property of the JSON Schema a description for editors', () => {
      const schema = JSON.parse(files.find(([path]) => path.endsWith('.schema.json'))?.[1] ?? '{}') as Record<string, unknown>;
      const undescribed: string[] = [];
      const walk = (node: Record<string, unknown>, path: string): void => {
        if (path !== '$' && typeof node.description !== 'string') undescribed.push(path);
        for (const [key, child] of Object.entries((node.properties ?? {}) as Record<string, Record<string, unknown>>)) walk(child, `${path}.${key}`);
        if (node.items) walk(node.items as Record<string, unknown>, `${path}[]`);
        if (typeof node.additionalProperties === 'object') walk(node.additionalProperties as Record<string, unknown>, `${path}.*`);
      };
      walk(schema, '$');
      expect(schema.additionalProperties).toBe(false);
      expect(undescribed).toEqual([]);
    });

    it('documents every field and every rule across fields', () => {
      const reference = files.find(([path]) => path.endsWith('policy.md'))?.[1] ?? '';
      for (const field of ['`mode`', '`scope.subscriptions`', '`approval.rules[].requester.privateEndpointName`', '`approval.rules[].vault.tags`', '`dns.linkVirtualNetworks`', '`geoCodes`']) {
        expect(reference).toContain(field);
      }
      for (const rule of CROSS_FIELD_RULES) expect(reference).toContain(rule);
    });
  });
});
