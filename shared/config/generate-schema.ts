/**
 * `npm run schema`: writes vaultlink.policy.schema.json and docs/policy.md from the zod schema.
 * Both are committed (editors and readers need them without a build); a test fails when either
 * differs from what this script would write.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { POLICY_FILE_NAME, POLICY_SCHEMA_FILE_NAME, policyJsonSchema } from './policy';
import { policyReferenceMarkdown } from './policy-reference';

export const PROJECT_ROOT = join(__dirname, '..', '..');
export const POLICY_SCHEMA_PATH = join(PROJECT_ROOT, POLICY_SCHEMA_FILE_NAME);
export const POLICY_REFERENCE_PATH = join(PROJECT_ROOT, 'docs', 'policy.md');

/** The generated files, path → content. */
export function generatedPolicyFiles(): Map<string, string> {
  const schema = policyJsonSchema();
  const example = readFileSync(join(PROJECT_ROOT, POLICY_FILE_NAME), 'utf8');
  return new Map([
    [POLICY_SCHEMA_PATH, JSON.stringify(schema, null, 2) + '\n'],
    [POLICY_REFERENCE_PATH, policyReferenceMarkdown(schema, example)],
  ]);
}

if (require.main === module) {
  for (const [path, content] of generatedPolicyFiles()) {
    writeFileSync(path, content);
    console.log(`wrote ${path}`);
  }
}
