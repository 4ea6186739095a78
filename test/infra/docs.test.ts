/**
 * The `az` commands the docs give a person deploying vaultlink, checked against the compiled
 * template (infra/main.json, which compiled.test.ts keeps equal to the Bicep): every parameter
 * and output they name exists, every template file they deploy is one of ours, and every
 * `create` is previewed by a `what-if` of the same deployment first.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { INFRA_DIR, REPO_ROOT } from './files';

const template = JSON.parse(readFileSync(join(INFRA_DIR, 'main.json'), 'utf8')) as { parameters: Record<string, unknown>; outputs: Record<string, unknown> };
const PARAMETERS = new Set(Object.keys(template.parameters));
const OUTPUTS = new Set(Object.keys(template.outputs));

interface AzCommand {
  readonly file: string;
  readonly line: number;
  readonly words: string[];
}

/** Splits a shell command line into words (quotes kept out, no expansion). */
function shellWords(line: string): string[] {
  const words: string[] = [];
  let current = '';
  let quote: string | undefined;
  let inWord = false;
  for (const c of line) {
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
      else current += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
    } else {
      current += c;
      inWord = true;
    }
  }
  if (inWord) words.push(current);
  return words;
}

/** Every `az …` command in the fenced sh/bash blocks of a Markdown file, continuation lines joined. */
export function azCommands(file: string, markdown: string): AzCommand[] {
  const commands: AzCommand[] = [];
  const lines = markdown.split('\n');
  let inBlock = false;
  let inShell = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (/^```/.test(line.trim())) {
      inShell = !inBlock && /^```(sh|bash|shell|console)?\s*$/.test(line.trim());
      inBlock = !inBlock;
      continue;
    }
    if (!inShell) continue;
    let command = line;
    const start = i;
    while (command.trimEnd().endsWith('\\') && i + 1 < lines.length) command = `${command.trimEnd().slice(0, -1)} ${lines[++i] ?? ''}`;
    // `X=$(az …)` runs az too.
    const az = /(?:^|\$\()\s*(az\s.*?)(?:\)\s*$|$)/.exec(command.trim());
    if (az?.[1] !== undefined) commands.push({ file, line: start + 1, words: shellWords(az[1]) });
  }
  return commands;
}

function markdownFiles(): string[] {
  const docs = readdirSync(join(REPO_ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => join(REPO_ROOT, 'docs', f));
  return [join(REPO_ROOT, 'README.md'), join(INFRA_DIR, 'README.md'), ...docs];
}

function allAzCommands(): AzCommand[] {
  return markdownFiles().flatMap((file) => azCommands(file.replace(`${REPO_ROOT}/`, ''), readFileSync(file, 'utf8')));
}

function isDeployment(command: AzCommand): boolean {
  return command.words[1] === 'deployment' && ['create', 'what-if', 'validate'].includes(command.words[3] ?? '');
}

/** Values of an option that may repeat (`--parameters a --parameters b c`). */
function optionValues(words: string[], option: string): string[] {
  const values: string[] = [];
  for (let i = 0; i < words.length; i++) {
    if (words[i] !== option) continue;
    for (let j = i + 1; j < words.length && !(words[j] ?? '').startsWith('--'); j++) values.push(words[j] ?? '');
  }
  return values;
}

function where(command: AzCommand): string {
  return `${command.file}:${command.line}`;
}

describe('az commands in the docs', () => {
  const commands = allAzCommands();
  const deployments = commands.filter(isDeployment);

  it('finds the deployment commands of docs/deploy.md', () => {
    expect(deployments.filter((c) => c.file === 'docs/deploy.md').map((c) => c.words[3])).toEqual(['what-if', 'create', 'what-if', 'create']);
  });

  it('names only parameters the compiled template has, in every deployment command', () => {
    const unknown = deployments.flatMap((c) =>
      optionValues(c.words, '--parameters')
        .filter((v) => !v.startsWith('@'))
        .map((v) => v.split('=')[0] ?? '')
        .filter((name) => !PARAMETERS.has(name))
        .map((name) => `${where(c)}: ${name}`),
    );
    expect(unknown).toEqual([]);
  });

  it('deploys only infra/main.bicep or the compiled infra/main.json', () => {
    for (const command of deployments) expect([where(command), optionValues(command.words, '--template-file')]).toEqual([where(command), [expect.stringMatching(/^infra\/main\.(bicep|json)$/)]]);
  });

  it('previews every create with a what-if of the same deployment just before it', () => {
    deployments.forEach((command, i) => {
      if (command.words[3] !== 'create') return;
      const previous = deployments[i - 1];
      expect([where(command), previous?.words[3], previous?.words.slice(4)]).toEqual([where(command), 'what-if', command.words.slice(4)]);
    });
  });

  it('reads only outputs the compiled template has', () => {
    const read = commands.flatMap((c) => optionValues(c.words, '--query').flatMap((q) => [...q.matchAll(/properties\.outputs\.([A-Za-z0-9_]+)/g)].map((m) => [where(c), m[1] ?? ''] as const)));
    expect(read.length).toBeGreaterThan(0);
    expect(read.filter(([, name]) => !OUTPUTS.has(name))).toEqual([]);
  });

  it('shows how to find a subscription\'s existing system topic by its source', () => {
    const lists = commands.filter((c) => c.words.slice(1, 4).join(' ') === 'eventgrid system-topic list');
    expect(lists.length).toBeGreaterThan(0);
    for (const list of lists) expect(optionValues(list.words, '--query')[0]).toMatch(/^\[\?source=='\/subscriptions\/[^']+'\]/);
  });

  describe('the parameter table of docs/deploy.md', () => {
    const deploy = readFileSync(join(REPO_ROOT, 'docs', 'deploy.md'), 'utf8');
    const section = deploy.slice(deploy.indexOf('### 1. Write the parameters'), deploy.indexOf('### 2.'));
    const documented = [...section.matchAll(/^\| `([A-Za-z0-9]+)` \|/gm)].map((m) => m[1] ?? '');

    it('documents parameters the template has', () => {
      expect(documented.length).toBeGreaterThan(5);
      expect(documented.filter((name) => !PARAMETERS.has(name))).toEqual([]);
    });

    it.each(['existingSystemTopicResourceIds', 'alertActionGroupResourceId', 'vaultIdentityEnablingAllowed'])('documents %s', (name) => {
      expect(documented).toContain(name);
    });
  });

  describe('#azCommands', () => {
    it('joins continuation lines, reads `$(az …)` and ignores other blocks', () => {
      const markdown = ['```sh', 'az deployment sub create \\', '  --parameters a=1 \\', "  --query 'x'", 'KEY=$(az functionapp keys list --name n -o tsv)', '```', '```json', 'az not a command', '```'].join('\n');
      expect(azCommands('f.md', markdown).map((c) => c.words)).toEqual([
        ['az', 'deployment', 'sub', 'create', '--parameters', 'a=1', '--query', 'x'],
        ['az', 'functionapp', 'keys', 'list', '--name', 'n', '-o', 'tsv'],
      ]);
    });
  });
});
