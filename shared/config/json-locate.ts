/**
 * A strict JSON scanner that knows where things are. `JSON.parse` is still what produces the
 * value; this scanner exists because Node's syntax errors do not reliably carry a position
 * (`Unexpected token 'a', "abc" is not valid JSON`), because a duplicate key is silently
 * resolved by `JSON.parse` to its last occurrence (in an allowlist, a rule whose first
 * `requester` nobody reads), and so that every policy problem can point at a line and column.
 */

export type JsonPathStep = string | number;

export interface JsonSyntaxProblem {
  readonly offset: number;
  readonly expected: string;
  readonly found: string;
}

export interface JsonDuplicateKey {
  readonly path: readonly JsonPathStep[];
  /** Offset of the repeated key. */
  readonly offset: number;
  /** Offset of the first occurrence of the key. */
  readonly firstOffset: number;
}

export type JsonScan =
  | { readonly ok: true; readonly locations: ReadonlyMap<string, number>; readonly duplicates: readonly JsonDuplicateKey[] }
  | { readonly ok: false; readonly syntax: JsonSyntaxProblem };

const MAX_DEPTH = 256;
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

/** `$.approval.rules[0].requester`, `$.geoCodes["odd key"]`. */
export function formatJsonPath(path: readonly PropertyKey[]): string {
  let out = '$';
  for (const step of path) {
    if (typeof step === 'number') out += `[${step}]`;
    else if (typeof step === 'string' && IDENTIFIER.test(step)) out += `.${step}`;
    else out += `[${JSON.stringify(String(step))}]`;
  }
  return out;
}

/** 1-based line and column of an offset. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

class SyntaxStop extends Error {
  constructor(readonly problem: JsonSyntaxProblem) {
    super(problem.expected);
  }
}

/** Scans `text` as JSON; returns where each value starts (by formatted JSON path) or the first syntax problem. */
export function scanJson(text: string): JsonScan {
  const locations = new Map<string, number>();
  const duplicates: JsonDuplicateKey[] = [];
  let i = 0;

  const foundAt = (at: number): string => {
    if (at >= text.length) return 'the end of the file';
    const c = text[at] as string;
    const code = c.charCodeAt(0);
    if (code < 0x20) return `control character U+${code.toString(16).padStart(4, '0').toUpperCase()}`;
    const token = /^[A-Za-z0-9_.+-]+/.exec(text.slice(at, at + 20))?.[0];
    return JSON.stringify(token ?? c);
  };
  const fail = (expected: string, at = i): never => {
    throw new SyntaxStop({ offset: at, expected, found: foundAt(at) });
  };
  const skipWhiteSpace = (): void => {
    while (i < text.length) {
      const c = text[i];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') i++;
      else break;
    }
  };

  const readString = (): string => {
    const start = i;
    i++; // opening quote
    for (;;) {
      if (i >= text.length) fail('a closing double quote');
      const c = text[i] as string;
      if (c === '"') break;
      if (c.charCodeAt(0) < 0x20) fail('no unescaped control character inside a string (write \\n, \\t, …)');
      if (c === '\\') {
        const e = text[i + 1];
        if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) i += 6;
        else fail('a valid escape (\\" \\\\ \\/ \\b \\f \\n \\r \\t or \\uXXXX)');
      } else i++;
    }
    i++; // closing quote
    return JSON.parse(text.slice(start, i)) as string;
  };

  const readValue = (path: JsonPathStep[], depth: number): void => {
    if (depth > MAX_DEPTH) fail(`nesting no deeper than ${MAX_DEPTH}`);
    skipWhiteSpace();
    locations.set(formatJsonPath(path), i);
    const c = text[i];
    if (c === '{') {
      i++;
      skipWhiteSpace();
      if (text[i] === '}') {
        i++;
        return;
      }
      const seen = new Map<string, number>();
      for (;;) {
        skipWhiteSpace();
        if (text[i] !== '"') fail('a property name in double quotes');
        const keyOffset = i;
        const key = readString();
        const first = seen.get(key);
        if (first !== undefined) duplicates.push({ path: [...path, key], offset: keyOffset, firstOffset: first });
        else seen.set(key, keyOffset);
        skipWhiteSpace();
        if (text[i] !== ':') fail('":" after the property name');
        i++;
        readValue([...path, key], depth + 1);
        skipWhiteSpace();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return;
        }
        fail('"," or "}"');
      }
    }
    if (c === '[') {
      i++;
      skipWhiteSpace();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (let index = 0; ; index++) {
        readValue([...path, index], depth + 1);
        skipWhiteSpace();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return;
        }
        fail('"," or "]"');
      }
    }
    if (c === '"') {
      readString();
      return;
    }
    for (const literal of ['true', 'false', 'null']) {
      if (text.startsWith(literal, i)) {
        i += literal.length;
        return;
      }
    }
    NUMBER.lastIndex = i;
    const number = NUMBER.exec(text);
    if (number !== null && number[0].length > 0) {
      i += number[0].length;
      return;
    }
    fail('a JSON value (object, array, string, number, true, false or null)');
  };

  try {
    readValue([], 0);
    skipWhiteSpace();
    if (i < text.length) fail('the end of the file after the top-level value');
  } catch (e) {
    if (e instanceof SyntaxStop) return { ok: false, syntax: e.problem };
    throw e;
  }
  return { ok: true, locations, duplicates };
}
