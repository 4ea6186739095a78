/**
 * Reads and validates the policy file. A bad file is refused as a whole, with ONE
 * {@link PolicyError} that lists every problem found — the person fixing the file should not
 * have to run the check once per mistake — each with the file, the JSON path, a line and column,
 * what was expected and what was found.
 */
import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import { formatJsonPath, LineIndex, scanJson, withoutByteOrderMark } from './json-locate';
import { type Policy, policySchema } from './policy';

export interface PolicyProblem {
  /** The policy file as it was named to the loader. */
  readonly file: string;
  /** JSON path of the offending value, e.g. `$.approval.rules[0].requester.subscriptionId`. */
  readonly path: string;
  /** 1-based position of the value (or of its enclosing object when the value is missing); undefined when the file could not be read. */
  readonly line: number | undefined;
  readonly column: number | undefined;
  readonly expected: string;
  readonly found: string;
}

/** `file:line:column: $.path: expected …, found …` */
export function formatPolicyProblem(problem: PolicyProblem): string {
  const where = problem.line === undefined ? problem.file : `${problem.file}:${problem.line}:${problem.column ?? 1}`;
  return `${where}: ${problem.path}: expected ${problem.expected}, found ${problem.found}`;
}

/**
 * At most this many problems are listed (in file order); the rest are counted. A generated file
 * with 200k bad rules should be refused in seconds with a readable answer, not a 50 MB message.
 */
export const MAX_LISTED_PROBLEMS = 1000;

/** `N problems` or `N problems, the first 1000 listed`. */
export function problemCount(listed: number, omitted: number): string {
  const total = listed + omitted;
  const count = total === 1 ? '1 problem' : `${total} problems`;
  return omitted === 0 ? count : `${count}, the first ${listed} listed`;
}

export class PolicyError extends Error {
  override readonly name = 'PolicyError';
  /** The first {@link MAX_LISTED_PROBLEMS} problems, in file order. */
  readonly problems: readonly PolicyProblem[];
  /** How many more problems the file has beyond those listed. */
  readonly omittedProblems: number;
  constructor(
    readonly file: string,
    problems: readonly PolicyProblem[],
  ) {
    const listed = problems.slice(0, MAX_LISTED_PROBLEMS);
    const omitted = problems.length - listed.length;
    const more = omitted === 0 ? '' : `\n  … and ${omitted} more problem${omitted === 1 ? '' : 's'}`;
    super(`policy file ${file} is refused (${problemCount(listed.length, omitted)}):\n${listed.map((p) => `  - ${formatPolicyProblem(p)}`).join('\n')}${more}`);
    this.problems = listed;
    this.omittedProblems = omitted;
  }
}

const ARTICLE_AN = /^[aeiou]/;

function withArticle(type: string): string {
  return `${ARTICLE_AN.test(type) ? 'an' : 'a'} ${type}`;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, k) => k);
  for (let x = 1; x <= a.length; x++) {
    let diagonal = row[0] as number;
    row[0] = x;
    for (let y = 1; y <= b.length; y++) {
      const above = row[y] as number;
      row[y] = Math.min(above + 1, (row[y - 1] as number) + 1, diagonal + (a[x - 1] === b[y - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length] as number;
}

/** A known property that `key` was probably meant to be. */
function closestKey(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const distance = candidate.toLowerCase() === key.toLowerCase() ? 0 : editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= Math.max(1, Math.floor(key.length / 3)) ? best : undefined;
}

function knownKeysOf(schema: unknown): string[] {
  const shape = (schema as { _zod?: { def?: { shape?: Record<string, unknown> } } } | undefined)?._zod?.def?.shape;
  return shape ? Object.keys(shape) : [];
}

// Marks an unrecognized-keys message so that it can be split into one problem per key later.
const UNKNOWN_KEYS_MARKER = '\u0000known:';

/**
 * Phrases zod's own issues as "what was expected" for this parse only (never the global zod
 * config, which other modules share). Messages set in the schema take precedence over this.
 */
const expectedPhrase: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      return withArticle(issue.expected === 'int' ? 'whole number' : issue.expected) + (issue.input === undefined ? ' (required)' : '');
    case 'invalid_value':
      return issue.values.length === 1 ? JSON.stringify(issue.values[0]) : `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_small':
      if (issue.origin === 'array') return `at least ${issue.minimum} item${issue.minimum === 1 ? '' : 's'}`;
      if (issue.origin === 'string') return `at least ${issue.minimum} character${issue.minimum === 1 ? '' : 's'}`;
      return `a number ${issue.inclusive ? '≥' : '>'} ${issue.minimum}`;
    case 'too_big':
      if (issue.origin === 'array') return `at most ${issue.maximum} items`;
      if (issue.origin === 'string') return `at most ${issue.maximum} characters`;
      return `a number ${issue.inclusive ? '≤' : '<'} ${issue.maximum}`;
    case 'invalid_format':
      return issue.pattern ? `a string matching ${issue.pattern}` : `a valid ${issue.format}`;
    case 'unrecognized_keys':
      return UNKNOWN_KEYS_MARKER + knownKeysOf(issue.inst).join(',');
    default:
      return undefined;
  }
};

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const step of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = Object.prototype.hasOwnProperty.call(value, step) ? (value as Record<PropertyKey, unknown>)[step] : undefined;
  }
  return value;
}

function truncate(text: string, max = 80): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** What was found, for a person: `"abc"`, `42`, `nothing`, `an object with properties a, b`. */
export function describeFound(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') return truncate(JSON.stringify(value));
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.length === 0 ? 'an empty array' : `an array of ${value.length} item${value.length === 1 ? '' : 's'}`;
  if (typeof value === 'object') {
    const keys = Object.keys(value);
    return keys.length === 0 ? 'an empty object' : truncate(`an object with propert${keys.length === 1 ? 'y' : 'ies'} ${keys.join(', ')}`);
  }
  return typeof value;
}

/**
 * Parses and validates the text of a policy file. Throws {@link PolicyError} listing every
 * problem; returns the policy with defaults applied.
 */
export function parsePolicy(text: string, fileName: string): Policy {
  const json = withoutByteOrderMark(text);
  const scan = scanJson(json);
  // One index of line starts for every position below: linear in the file, not in file × problems.
  const lines = new LineIndex(json);
  const lineAndColumn = (_text: string, offset: number) => lines.locate(offset);
  if (!scan.ok) {
    const { line, column } = lineAndColumn(json, scan.syntax.offset);
    throw new PolicyError(fileName, [{ file: fileName, path: '(JSON syntax)', line, column, expected: scan.syntax.expected, found: scan.syntax.found }]);
  }
  const data: unknown = JSON.parse(json);

  const located = (path: readonly PropertyKey[]): { line: number; column: number } => {
    // A missing value has no position: point at the nearest enclosing value that exists.
    for (let n = path.length; n >= 0; n--) {
      const offset = scan.offsetOf(path.slice(0, n));
      if (offset !== undefined) return lineAndColumn(json, offset);
    }
    return { line: 1, column: 1 };
  };
  const problem = (path: readonly PropertyKey[], expected: string, found: string): PolicyProblem => ({
    file: fileName,
    path: formatJsonPath(path),
    ...located(path),
    expected,
    found,
  });

  const problems: PolicyProblem[] = scan.duplicates.map((d) => {
    const first = lineAndColumn(json, d.firstOffset);
    const at = lineAndColumn(json, d.offset);
    return { file: fileName, path: formatJsonPath(d.path), ...at, expected: `each property once (JSON keeps only the last "${String(d.path[d.path.length - 1])}")`, found: `a second one (the first is at line ${first.line}, column ${first.column})` };
  });

  const result = policySchema.safeParse(data, { error: expectedPhrase });
  if (!result.success) {
    for (const issue of result.error.issues) {
      if (issue.code === 'unrecognized_keys') {
        const known = issue.message.startsWith(UNKNOWN_KEYS_MARKER) ? issue.message.slice(UNKNOWN_KEYS_MARKER.length).split(',').filter(Boolean) : [];
        for (const key of issue.keys) {
          const hint = closestKey(key, known);
          const expected = `only known properties${known.length > 0 ? ` (${known.join(', ')})` : ''}${hint ? `; did you mean "${hint}"?` : ''}`;
          problems.push(problem([...issue.path, key], expected, `unknown property "${key}"`));
        }
      } else if (issue.code === 'invalid_key') {
        problems.push(problem(issue.path, issue.issues.map((i) => i.message).join('; '), `property name ${JSON.stringify(String(issue.path[issue.path.length - 1]))}`));
      } else {
        problems.push(problem(issue.path, issue.message, describeFound(valueAt(data, issue.path))));
      }
    }
  }
  if (!result.success || problems.length > 0) {
    problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
    throw new PolicyError(fileName, problems);
  }
  return result.data;
}

/** Reads and validates a policy file; a file that cannot be read is a {@link PolicyError} too. */
export async function loadPolicyFile(path: string): Promise<Policy> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const found = code === 'ENOENT' ? 'no such file' : `an unreadable file (${code ?? (e as Error).message})`;
    throw new PolicyError(path, [{ file: path, path: '$', line: undefined, column: undefined, expected: 'a readable policy file', found }]);
  }
  return parsePolicy(text, path);
}
