// ESLint flat config. Besides typescript-eslint's recommended rules, it keeps the pure core
// (shared/domain, shared/plan) free of SDKs, Durable Functions and process.env (DESIGN.md, "Layout").
import tseslint from 'typescript-eslint';
import globals from 'globals';

const pureCoreBans = {
  'no-restricted-imports': ['error', {
    patterns: [
      { group: ['@azure/*'], message: 'shared/domain and shared/plan are pure: no Azure SDK.' },
      { group: ['durable-functions', 'durable-functions/*'], message: 'shared/domain and shared/plan are pure: no Durable Functions.' },
      { group: ['node:*', 'fs', 'http', 'https', 'net', 'child_process'], message: 'shared/domain and shared/plan are pure: no I/O.' },
    ],
  }],
  'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'shared/domain and shared/plan are pure: no process.env; take settings as arguments.' }],
};

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'coverage/**'] },
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  { files: ['shared/domain/**/*.ts', 'shared/plan/**/*.ts'], rules: pureCoreBans },
  // Issue 2: the event intake decodes deliveries with the SDK's own EventGridDeserializer (no I/O).
  // It may import @azure/eventgrid and nothing else from the SDK; the other bans stay.
  {
    files: ['shared/domain/events.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: pureCoreBans['no-restricted-imports'][1].patterns.map((p) => (p.group.includes('@azure/*') ? { ...p, group: [...p.group, '!@azure/eventgrid'] } : p)),
      }],
    },
  },
  // The reconciler logs through its ReconcileLogger only: in the app, functions/log.ts ties those
  // lines to the invocation they run in and sends them to telemetry; a bare console line would be neither.
  { files: ['shared/reconcile/**/*.ts'], rules: { 'no-console': 'error' } },
  { files: ['**/*.js', '**/*.cjs'], rules: { '@typescript-eslint/no-require-imports': 'off' } },
);
