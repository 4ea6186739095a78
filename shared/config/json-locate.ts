/**
 * A strict JSON scanner that knows where things are. `JSON.parse` is still what produces the
 * value; this scanner exists because Node's syntax errors do not reliably carry a position
 * (`Unexpected token 'a', "abc" is not valid JSON`), because a duplicate key is silently
 * resolved by `JSON.parse` to its last occurrence (in an allowlist, a rule whose first
 * `requester` nobody reads), and so that every policy problem can point at a line and column.
 */

export type JsonPathStep = string | number;

/**
 * The ONE byte-order-mark rule for every JSON input vaultlink reads (the policy file, an Event
 * Grid delivery given to `explain-event`): a single U+FEFF at the very start is an encoding
 * signature that Windows editors write, not part of the JSON, and is dropped. Nothing else is:
 * a second mark, or one after white space, is a character JSON does not allow, and the parser
 * says so with its position.
 */
export function withoutByteOrderMark(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

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
  | {
      readonly ok: true;
      /** Where the value at a path starts (offset into the text), or undefined when there is none. */
      readonly offsetOf: (path: readonly PropertyKey[]) => number | undefined;
      /** Every value's start by formatted JSON path (built on first use: tests and small files). */
      readonly locations: ReadonlyMap<string, number>;
      readonly duplicates: readonly JsonDuplicateKey[];
    }
  | { readonly ok: false; readonly syntax: JsonSyntaxProblem };

/**
 * Where each value starts, as a tree shaped like the document: one small node per value, looked
 * up by walking the path. No path strings are built while scanning (building and hashing one
 * per value made a 10 MB file spend seconds in the garbage collector).
 */
interface PositionNode {
  readonly offset: number;
  keys?: Map<string, Position>;
  items?: Position[];
}
/** A scalar is just its offset: no object per string or number. */
type Position = PositionNode | number;

const offsetOfPosition = (p: Position): number => (typeof p === 'number' ? p : p.offset);

function nodeAt(root: Position, path: readonly PropertyKey[]): Position | undefined {
  let node: Position | undefined = root;
  for (const step of path) {
    if (node === undefined || typeof node === 'number') return undefined;
    node = typeof step === 'number' ? node.items?.[step] : node.keys?.get(String(step));
  }
  return node;
}

function allLocations(root: Position): Map<string, number> {
  const out = new Map<string, number>();
  const visit = (node: Position, path: string): void => {
    out.set(path, offsetOfPosition(node));
    if (typeof node === 'number') return;
    node.items?.forEach((child, index) => visit(child, `${path}[${index}]`));
    node.keys?.forEach((child, key) => visit(child, path + formattedKeyStep(key)));
  };
  visit(root, '$');
  return out;
}

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

/**
 * Line starts of a text, built once (one pass), so that each position is a binary search: a file
 * with 200k problems costs 200k × log(lines), not 200k rescans of the file.
 */
export class LineIndex {
  private readonly starts: number[] = [0];
  constructor(readonly text: string) {
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }

  /** 1-based line and column of an offset (offsets past the end count as the end). */
  locate(offset: number): { line: number; column: number } {
    const at = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if ((this.starts[mid] as number) <= at) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - (this.starts[lo] as number) + 1 };
  }
}

let lastIndex: LineIndex | undefined;

/** 1-based line and column of an offset (the text's {@link LineIndex} is kept for the next call on the same text). */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  if (lastIndex === undefined || lastIndex.text !== text) lastIndex = new LineIndex(text);
  return lastIndex.locate(offset);
}

class SyntaxStop extends Error {
  constructor(readonly problem: JsonSyntaxProblem) {
    super(problem.expected);
  }
}

/** One formatted step (`.key` or `["odd key"]`), cached: the same few keys repeat in every rule. */
const stepCache = new Map<string, string>();
function formattedKeyStep(key: string): string {
  let step = stepCache.get(key);
  if (step === undefined) {
    step = IDENTIFIER.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
    if (stepCache.size < 10_000) stepCache.set(key, step);
  }
  return step;
}

/**
 * Scans `text` as JSON; returns where each value starts (by formatted JSON path) or the first
 * syntax problem. Linear in the text: each value's path is its parent's path plus one step (no
 * path arrays copied per value), and strings without escapes are sliced, not parsed.
 */
export function scanJson(text: string): JsonScan {
  const duplicates: JsonDuplicateKey[] = [];
  // The current path as steps, for the rare duplicate key (pushed and popped, never copied per value).
  const steps: JsonPathStep[] = [];
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
      const c = text.charCodeAt(i);
      if (c === 32 || c === 9 || c === 10 || c === 13) i++;
      else break;
    }
  };

  const readString = (): string => {
    const start = i;
    let escaped = false;
    i++; // opening quote
    for (;;) {
      if (i >= text.length) fail('a closing double quote');
      const c = text.charCodeAt(i);
      if (c === 34) break;
      if (c < 0x20) fail('no unescaped control character inside a string (write \\n, \\t, …)');
      if (c === 92) {
        escaped = true;
        const e = text[i + 1];
        if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) i += 6;
        else fail('a valid escape (\\" \\\\ \\/ \\b \\f \\n \\r \\t or \\uXXXX)');
      } else i++;
    }
    i++; // closing quote
    return escaped ? (JSON.parse(text.slice(start, i)) as string) : text.slice(start + 1, i - 1);
  };

  // The offset of `key`'s first occurrence in the object that starts at `objectStart` (only asked
  // for a repeated key, which is rare: re-reading that one object beats remembering every key).
  let quiet = 0;
  const firstKeyOffset = (objectStart: number, key: string, depth: number): number => {
    const resume = i;
    i = objectStart + 1;
    quiet++;
    try {
      for (;;) {
        skipWhiteSpace();
        const at = i;
        if (readString() === key) return at;
        skipWhiteSpace();
        i++; // ':'
        readValue(depth + 1);
        skipWhiteSpace();
        i++; // ','
      }
    } finally {
      quiet--;
      i = resume;
    }
  };

  const readValue = (depth: number): Position => {
    if (depth > MAX_DEPTH) fail(`nesting no deeper than ${MAX_DEPTH}`);
    skipWhiteSpace();
    const start = i;
    const c = text[i];
    if (c !== '{' && c !== '[') {
      readScalar();
      return start;
    }
    const node: PositionNode = { offset: start };
    if (c === '{') {
      i++;
      skipWhiteSpace();
      if (text[i] === '}') {
        i++;
        return node;
      }
      const keys = (node.keys = new Map<string, Position>());
      for (;;) {
        skipWhiteSpace();
        if (text[i] !== '"') fail('a property name in double quotes');
        const keyOffset = i;
        const key = readString();
        if (keys.has(key) && quiet === 0) duplicates.push({ path: [...steps, key], offset: keyOffset, firstOffset: firstKeyOffset(start, key, depth) });
        skipWhiteSpace();
        if (text[i] !== ':') fail('":" after the property name');
        i++;
        steps.push(key);
        // A repeated key's value replaces the first, as in JSON.parse.
        keys.set(key, readValue(depth + 1));
        steps.pop();
        skipWhiteSpace();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return node;
        }
        fail('"," or "}"');
      }
    }
    if (c === '[') {
      i++;
      skipWhiteSpace();
      if (text[i] === ']') {
        i++;
        return node;
      }
      const items: Position[] = (node.items = []);
      for (let index = 0; ; index++) {
        steps.push(index);
        items.push(readValue(depth + 1));
        steps.pop();
        skipWhiteSpace();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return node;
        }
        fail('"," or "]"');
      }
    }
    return fail('a JSON value');
  };

  const readScalar = (): void => {
    const c = text[i];
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

  let root: Position;
  try {
    root = readValue(0);
    skipWhiteSpace();
    if (i < text.length) fail('the end of the file after the top-level value');
  } catch (e) {
    if (e instanceof SyntaxStop) return { ok: false, syntax: e.problem };
    throw e;
  }
  let locations: Map<string, number> | undefined;
  return {
    ok: true,
    offsetOf: (path) => {
      const p = nodeAt(root, path);
      return p === undefined ? undefined : offsetOfPosition(p);
    },
    get locations() {
      return (locations ??= allLocations(root));
    },
    duplicates,
  };
}
