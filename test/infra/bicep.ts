/**
 * Reads Bicep source for the infra tests, for what the compiled template cannot show: the
 * contract loaded rather than copied, descriptions, section order, how names are built. (What the
 * template deploys is checked on the compiled main.json: compiled.ts, arm.ts.) Files are parsed
 * with the tree-sitter Bicep grammar, and the few expressions the tests care about (variables,
 * resource and module bodies) are evaluated by a small interpreter of Bicep's expression language.
 *
 * What the interpreter knows: literals, interpolated strings, arrays, objects, `for` comprehensions,
 * member and index access (with `.?`/`[?`), `!`, `-`, `==`, `!=`, `=~`, `&&`, `||`, `??`, ternaries,
 * lambdas, and the functions used under infra/ (listed in FUNCTIONS). Values only Azure knows at
 * deployment time (resource properties, module outputs) evaluate to {@link RuntimeValue}; an unknown
 * function or an unsupported node throws, so a test never passes on something it did not read.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** The part of a tree-sitter node that the infra tests use. */
export interface SyntaxNode {
  readonly type: string;
  readonly isNamed: boolean;
  readonly isMissing: boolean;
  readonly hasError: boolean;
  readonly text: string;
  readonly startIndex: number;
  readonly startPosition: { readonly row: number; readonly column: number };
  readonly children: readonly SyntaxNode[];
  readonly namedChildren: readonly SyntaxNode[];
  childForFieldName(name: string): SyntaxNode | null;
}

/** A node as the parsing process serialises it (short keys keep the JSON small). */
interface SerialisedNode {
  t: string;
  n: boolean;
  m: boolean;
  e: boolean;
  s: number;
  x: number;
  r: number;
  c: number;
  f?: string;
  k: SerialisedNode[];
}

class ParsedNode implements SyntaxNode {
  readonly children: ParsedNode[];
  readonly fieldName: string | undefined;

  constructor(
    private readonly raw: SerialisedNode,
    private readonly source: string,
  ) {
    this.children = raw.k.map((child) => new ParsedNode(child, source));
    this.fieldName = raw.f;
  }

  get type(): string {
    return this.raw.t;
  }
  get isNamed(): boolean {
    return this.raw.n;
  }
  get isMissing(): boolean {
    return this.raw.m;
  }
  get hasError(): boolean {
    return this.raw.e;
  }
  get text(): string {
    return this.source.slice(this.raw.s, this.raw.x);
  }
  get startIndex(): number {
    return this.raw.s;
  }
  get startPosition(): { row: number; column: number } {
    return { row: this.raw.r, column: this.raw.c };
  }
  get namedChildren(): ParsedNode[] {
    return this.children.filter((c) => c.isNamed);
  }
  childForFieldName(name: string): ParsedNode | null {
    return this.children.find((c) => c.fieldName === name) ?? null;
  }
}

/*
 * Parsing happens in a child Node.js process. tree-sitter's index.js patches the native
 * prototypes when it loads, and Jest loads modules afresh (in a fresh global) for every test file:
 * a second load in the same worker wraps the patched getters again and every `rootNode` comes
 * back undefined. A child process loads it exactly once.
 */
const PARSE_SCRIPT = `
const Parser = require('tree-sitter');
const parser = new Parser();
parser.setLanguage(require('tree-sitter-bicep'));
const sources = JSON.parse(require('fs').readFileSync(0, 'utf8'));
function serialise(cursor) {
  const node = cursor.currentNode;
  const out = { t: node.type, n: node.isNamed, m: node.isMissing, e: node.hasError, s: node.startIndex, x: node.endIndex, r: node.startPosition.row, c: node.startPosition.column, k: [] };
  if (cursor.currentFieldName) out.f = cursor.currentFieldName;
  if (cursor.gotoFirstChild()) {
    do out.k.push(serialise(cursor)); while (cursor.gotoNextSibling());
    cursor.gotoParent();
  }
  return out;
}
process.stdout.write(JSON.stringify(sources.map((s) => serialise(parser.parse(s, undefined, { bufferSize: Math.max(32 * 1024, s.length * 2) }).walk()))));
`;

const parsedSources = new Map<string, SyntaxNode>();

/** Parses Bicep sources (in one child process); the trees report syntax errors as ERROR or missing nodes. */
export function parseBicepSources(sources: readonly string[]): SyntaxNode[] {
  const missing = [...new Set(sources.filter((s) => !parsedSources.has(s)))];
  if (missing.length > 0) {
    const output = execFileSync(process.execPath, ['-e', PARSE_SCRIPT], { cwd: resolve(__dirname, '..', '..'), input: JSON.stringify(missing), maxBuffer: 256 * 1024 * 1024 });
    const trees = JSON.parse(output.toString('utf8')) as SerialisedNode[];
    missing.forEach((source, i) => {
      const tree = trees[i];
      if (tree === undefined) throw new Error('the parsing process returned fewer trees than sources');
      parsedSources.set(source, new ParsedNode(tree, source));
    });
  }
  return sources.map((s) => parsedSources.get(s) as SyntaxNode);
}

export function parseBicepSource(source: string): SyntaxNode {
  const [root] = parseBicepSources([source]);
  if (root === undefined) throw new Error('no tree');
  return root;
}

/** A value known only during a deployment, e.g. `functionApp.identity.principalId`. */
export class RuntimeValue {
  constructor(readonly expression: string) {}
  toString(): string {
    return `<runtime ${this.expression}>`;
  }
}

export type BicepValue = string | number | boolean | null | RuntimeValue | BicepValue[] | { [key: string]: BicepValue } | BicepLambda;

class BicepLambda {
  constructor(
    readonly parameters: string[],
    readonly body: SyntaxNode,
    readonly closure: Scope,
  ) {}
}

type Scope = ReadonlyMap<string, BicepValue>;

/** Fixed deployment context: the tests evaluate as if deploying into this tenant and subscription. */
export const DEPLOYMENT_CONTEXT = {
  tenantId: '11111111-2222-3333-4444-555555555555',
  subscriptionId: '00000000-0000-0000-0000-00000000d0d0',
  resourceGroupName: 'rg-under-test',
  location: 'uksouth',
  environmentName: 'AzureCloud',
} as const;

/** Every syntax error in a tree, as `line:column: text` (1-based), empty when the source parses. */
export function syntaxErrors(root: SyntaxNode): string[] {
  const errors: string[] = [];
  const visit = (node: SyntaxNode): void => {
    if (node.type === 'ERROR' || node.isMissing) {
      const what = node.isMissing ? `missing ${node.type}` : `unexpected ${JSON.stringify(node.text.slice(0, 40))}`;
      errors.push(`${node.startPosition.row + 1}:${node.startPosition.column + 1}: ${what}`);
    }
    if (node.hasError || node.isMissing) node.children.forEach(visit);
  };
  visit(root);
  return errors;
}

interface Declaration {
  readonly kind: 'param' | 'var' | 'resource' | 'module' | 'output' | 'type';
  readonly name: string;
  readonly node: SyntaxNode;
  /** param: the default value; var/output: the value; resource/module: the body (object, if or for). */
  readonly value: SyntaxNode | null;
  /** resource: the type string (`Microsoft.Web/sites@2024-04-01`); module: the module path. */
  readonly target?: string;
  /** The text of the `@description(...)` decorator before the declaration, if any. */
  readonly description?: string;
}

const DECLARATION_KINDS: Record<string, Declaration['kind']> = {
  parameter_declaration: 'param',
  variable_declaration: 'var',
  resource_declaration: 'resource',
  module_declaration: 'module',
  output_declaration: 'output',
  type_declaration: 'type',
};

/** One parsed .bicep file with its top-level declarations. */
export class BicepFile {
  readonly root: SyntaxNode;
  readonly declarations: readonly Declaration[];

  constructor(
    readonly path: string,
    readonly source: string,
  ) {
    this.root = parseBicepSource(source);
    this.declarations = readDeclarations(this.root);
  }

  static load(path: string): BicepFile {
    return new BicepFile(path, readFileSync(path, 'utf8'));
  }

  /** The declarations of a kind, in source order. */
  all(kind: Declaration['kind']): Declaration[] {
    return this.declarations.filter((d) => d.kind === kind);
  }

  /** The declaration of a kind and name; throws when absent (a test must not pass on a missing symbol). */
  get(kind: Declaration['kind'], name: string): Declaration {
    const found = this.declarations.find((d) => d.kind === kind && d.name === name);
    if (found === undefined) throw new Error(`${this.path}: no ${kind} named ${name}`);
    return found;
  }

  /** The first top-level section (by kind) as it appears in the file, e.g. ['param', 'var', …]. */
  sectionOrder(): Declaration['kind'][] {
    const order: Declaration['kind'][] = [];
    for (const d of this.declarations) if (order[order.length - 1] !== d.kind) order.push(d.kind);
    return order;
  }
}

function readDeclarations(root: SyntaxNode): Declaration[] {
  const declarations: Declaration[] = [];
  let pendingDescription: string | undefined;
  for (const node of root.namedChildren) {
    if (node.type === 'decorators') {
      pendingDescription = descriptionOf(node);
      continue;
    }
    const kind = DECLARATION_KINDS[node.type];
    if (kind === undefined) {
      pendingDescription = undefined;
      continue;
    }
    const named = node.namedChildren;
    const name = named[0]?.text ?? '';
    let value: SyntaxNode | null = null;
    let target: string | undefined;
    if (kind === 'param') value = named.length >= 3 ? (named[named.length - 1] ?? null) : null;
    else if (kind === 'var') value = named[named.length - 1] ?? null;
    else if (kind === 'output') value = named[named.length - 1] ?? null;
    else if (kind === 'resource' || kind === 'module') {
      target = stringLiteral(named[1] ?? null);
      value = named[named.length - 1] ?? null;
    }
    declarations.push({ kind, name, node, value, ...(target !== undefined ? { target } : {}), ...(pendingDescription !== undefined ? { description: pendingDescription } : {}) });
    pendingDescription = undefined;
  }
  return declarations;
}

function descriptionOf(decorators: SyntaxNode): string | undefined {
  for (const decorator of decorators.namedChildren) {
    const call = decorator.namedChildren[0];
    if (call?.type === 'call_expression' && call.childForFieldName('function')?.text === 'description') {
      const argument = call.childForFieldName('arguments')?.namedChildren[0] ?? null;
      return stringLiteral(argument);
    }
  }
  return undefined;
}

/** The value of a string literal without interpolation (undefined for anything else). */
function stringLiteral(node: SyntaxNode | null): string | undefined {
  if (node?.type !== 'string') return undefined;
  if (node.namedChildren.some((c) => c.type === 'interpolation')) return undefined;
  return node.namedChildren.map(stringPart).join('');
}

function stringPart(part: SyntaxNode): string {
  if (part.type === 'string_content') return part.text;
  if (part.type === 'escape_sequence') return unescape(part.text);
  throw new Error(`unexpected string part ${part.type}`);
}

function unescape(sequence: string): string {
  const escapes: Record<string, string> = { "\\'": "'", '\\\\': '\\', '\\n': '\n', '\\r': '\r', '\\t': '\t', '\\$': '$' };
  const plain = escapes[sequence];
  if (plain !== undefined) return plain;
  const unicode = /^\\u\{([0-9a-fA-F]+)\}$/.exec(sequence);
  if (unicode?.[1] !== undefined) return String.fromCodePoint(parseInt(unicode[1], 16));
  throw new Error(`unknown escape ${sequence}`);
}

/**
 * Evaluates expressions of one Bicep file. Parameters take the values given, else their defaults;
 * variables are evaluated on demand; resources and modules are runtime values.
 */
export class BicepEvaluator {
  private readonly variableCache = new Map<string, BicepValue>();

  constructor(
    readonly file: BicepFile,
    private readonly parameters: Record<string, BicepValue> = {},
  ) {}

  /** The value of a parameter (given, else its default). */
  param(name: string): BicepValue {
    if (Object.prototype.hasOwnProperty.call(this.parameters, name)) return this.parameters[name] ?? null;
    const declaration = this.file.get('param', name);
    if (declaration.value === null) {
      // A nullable parameter (`param x type?`) without a value is null.
      if (declaration.node.namedChildren[1]?.text.endsWith('?') === true) return null;
      throw new Error(`${this.file.path}: parameter ${name} has no default and no value was given`);
    }
    return this.evaluate(declaration.value);
  }

  /** The value of a variable. */
  variable(name: string): BicepValue {
    if (!this.variableCache.has(name)) this.variableCache.set(name, this.evaluate(this.file.get('var', name).value));
    return this.variableCache.get(name) ?? null;
  }

  /**
   * The bodies of a resource or module: one per loop item (with the loop variables bound), or one;
   * `condition` is the `if` value (true without one).
   */
  bodies(kind: 'resource' | 'module', name: string): { condition: BicepValue; body: { [key: string]: BicepValue } }[] {
    const declaration = this.file.get(kind, name);
    const results: { condition: BicepValue; body: { [key: string]: BicepValue } }[] = [];
    const evaluateBody = (node: SyntaxNode, scope: Scope): void => {
      let condition: BicepValue = true;
      let objectNode = node;
      if (node.type === 'if_statement') {
        const [test, object] = node.namedChildren;
        if (test === undefined || object === undefined) throw new Error('malformed if');
        condition = this.evaluate(test, scope);
        objectNode = object;
      }
      const body = this.evaluate(objectNode, scope);
      if (!isObject(body)) throw new Error(`${kind} ${name}: body is not an object`);
      results.push({ condition, body });
    };
    const value = declaration.value;
    if (value === null) throw new Error(`${kind} ${name}: no body`);
    if (value.type === 'for_statement') this.forEach(value, (scope, body) => evaluateBody(body, scope), new Map());
    else evaluateBody(value, new Map());
    return results;
  }

  /** Evaluates an expression node in a scope of local names (loop variables, lambda parameters). */
  evaluate(node: SyntaxNode | null, scope: Scope = new Map()): BicepValue {
    if (node === null) throw new Error('missing expression');
    switch (node.type) {
      case 'string':
        return this.evaluateString(node, scope);
      case 'number':
        return Number(node.text);
      case 'boolean':
        return node.text === 'true';
      case 'null':
        return null;
      case 'parenthesized_expression':
        return this.evaluate(node.namedChildren[0] ?? null, scope);
      case 'array': {
        const items: BicepValue[] = [];
        for (const child of node.namedChildren) {
          if (child.type === 'array') throw new Error(`${this.file.path}:${child.startPosition.row + 1}: "x[i]" on its own line in an array is read as two items by the grammar; write it inline or bind it to a variable`);
          items.push(this.evaluate(child, scope));
        }
        return items;
      }
      case 'object': {
        const object: { [key: string]: BicepValue } = {};
        for (const property of node.namedChildren) {
          if (property.type !== 'object_property') continue;
          const [keyNode, valueNode] = property.namedChildren;
          if (keyNode === undefined || valueNode === undefined) throw new Error('malformed object property');
          const key = keyNode.type === 'identifier' ? keyNode.text : this.evaluate(keyNode, scope);
          if (typeof key !== 'string') throw new Error(`object key ${keyNode.text} is not a string`);
          // dependsOn lists symbols (deployment ordering), never values; the grammar also splits
          // `x[i]` in it into two items.
          object[key] = key === 'dependsOn' ? new RuntimeValue(valueNode.text) : this.evaluate(valueNode, scope);
        }
        return object;
      }
      case 'for_statement': {
        const items: BicepValue[] = [];
        this.forEach(node, (loopScope, body) => items.push(this.evaluate(body, loopScope)), scope);
        return items;
      }
      case 'identifier':
        return this.resolve(node.text, scope);
      case 'member_expression': {
        const object = this.evaluate(node.childForFieldName('object'), scope);
        const property = node.childForFieldName('property')?.text ?? '';
        const safe = node.children.some((c) => !c.isNamed && c.type === '.?');
        return access(object, property, safe, node.text);
      }
      case 'subscript_expression': {
        const object = this.evaluate(node.childForFieldName('object'), scope);
        const index = this.evaluate(node.childForFieldName('index'), scope);
        const safe = node.children.some((c) => !c.isNamed && c.type === '?');
        if (typeof index !== 'string' && typeof index !== 'number') return new RuntimeValue(node.text);
        return access(object, index, safe, node.text);
      }
      case 'unary_expression': {
        const operator = node.children.find((c) => !c.isNamed)?.type;
        const argument = this.evaluate(node.childForFieldName('argument'), scope);
        if (argument instanceof RuntimeValue) return new RuntimeValue(node.text);
        if (operator === '!' && typeof argument === 'boolean') return !argument;
        if (operator === '-' && typeof argument === 'number') return -argument;
        throw new Error(`cannot apply ${operator} to ${JSON.stringify(argument)}`);
      }
      case 'binary_expression':
        return this.evaluateBinary(node, scope);
      case 'ternary_expression': {
        const condition = this.evaluate(node.childForFieldName('condition'), scope);
        if (condition instanceof RuntimeValue) return new RuntimeValue(node.text);
        if (typeof condition !== 'boolean') throw new Error(`condition of ${node.text} is not a bool`);
        return this.evaluate(node.childForFieldName(condition ? 'consequence' : 'alternative'), scope);
      }
      case 'lambda_expression': {
        const named = node.namedChildren;
        const body = named[named.length - 1];
        if (body === undefined) throw new Error('lambda without a body');
        return new BicepLambda(
          named.slice(0, -1).map((p) => p.text),
          body,
          scope,
        );
      }
      case 'call_expression':
        return this.evaluateCall(node, scope);
      case 'resource_expression':
        // `parent::child`: a deployed resource.
        return new RuntimeValue(node.text);
      default:
        throw new Error(`${this.file.path}:${node.startPosition.row + 1}: cannot evaluate ${node.type} (${node.text.slice(0, 60)})`);
    }
  }

  private forEach(node: SyntaxNode, visit: (scope: Scope, body: SyntaxNode) => void, scope: Scope): void {
    const initializer = node.childForFieldName('initializer') ?? node.namedChildren[0] ?? null;
    const body = node.childForFieldName('body') ?? node.namedChildren[node.namedChildren.length - 1] ?? null;
    const enumerable = node.namedChildren[1] ?? null;
    if (initializer === null || body === null || enumerable === null) throw new Error('malformed for');
    let itemName: string;
    let indexName: string | undefined;
    if (initializer.type === 'for_loop_parameters') {
      itemName = initializer.namedChildren.find((c) => c.type === 'loop_variable')?.text ?? '';
      indexName = initializer.namedChildren.find((c) => c.type === 'loop_enumerator')?.text;
    } else itemName = initializer.text;
    const items = this.evaluate(enumerable, scope);
    if (!Array.isArray(items)) throw new Error(`for over ${enumerable.text}: not an array`);
    items.forEach((item, index) => {
      const loopScope = new Map(scope);
      loopScope.set(itemName, item);
      if (indexName !== undefined) loopScope.set(indexName, index);
      visit(loopScope, body);
    });
  }

  private evaluateString(node: SyntaxNode, scope: Scope): BicepValue {
    const quote = node.children[0]?.type;
    if (quote === "'''") return node.namedChildren.map((c) => c.text).join('');
    let text = '';
    let runtime = false;
    for (const part of node.namedChildren) {
      if (part.type === 'interpolation') {
        const value = this.evaluate(part.namedChildren[0] ?? null, scope);
        if (value instanceof RuntimeValue) runtime = true;
        text += stringify(value);
      } else text += stringPart(part);
    }
    return runtime ? new RuntimeValue(text) : text;
  }

  private evaluateBinary(node: SyntaxNode, scope: Scope): BicepValue {
    const operator = node.children.find((c) => !c.isNamed)?.type;
    const left = this.evaluate(node.childForFieldName('left'), scope);
    if (operator === '??') return left === null ? this.evaluate(node.childForFieldName('right'), scope) : left;
    if (operator === '&&' && left === false) return false;
    if (operator === '||' && left === true) return true;
    const right = this.evaluate(node.childForFieldName('right'), scope);
    if (left instanceof RuntimeValue || right instanceof RuntimeValue) return new RuntimeValue(node.text);
    switch (operator) {
      case '==':
        return JSON.stringify(left) === JSON.stringify(right);
      case '!=':
        return JSON.stringify(left) !== JSON.stringify(right);
      case '=~':
        return typeof left === 'string' && typeof right === 'string' && left.toLowerCase() === right.toLowerCase();
      case '&&':
      case '||':
        if (typeof left !== 'boolean' || typeof right !== 'boolean') throw new Error(`${node.text}: operands are not bools`);
        return operator === '&&' ? left && right : left || right;
      case '+':
      case '-':
        if (typeof left !== 'number' || typeof right !== 'number') throw new Error(`${node.text}: operands are not ints`);
        return operator === '+' ? left + right : left - right;
      default:
        throw new Error(`unsupported operator ${operator} in ${node.text}`);
    }
  }

  private resolve(name: string, scope: Scope): BicepValue {
    if (scope.has(name)) return scope.get(name) ?? null;
    const declaration = this.file.declarations.find((d) => d.name === name && d.kind !== 'output' && d.kind !== 'type');
    if (declaration === undefined) throw new Error(`${this.file.path}: unknown name ${name}`);
    if (declaration.kind === 'param') return this.param(name);
    if (declaration.kind === 'var') return this.variable(name);
    return new RuntimeValue(name);
  }

  private evaluateCall(node: SyntaxNode, scope: Scope): BicepValue {
    const name = node.childForFieldName('function')?.text ?? '';
    const argumentNodes = node.childForFieldName('arguments')?.namedChildren ?? [];
    if (name === 'loadJsonContent') {
      const path = stringLiteral(argumentNodes[0] ?? null);
      if (path === undefined || argumentNodes.length !== 1) throw new Error('loadJsonContent takes one literal path here');
      return JSON.parse(readFileSync(resolve(dirname(this.file.path), path), 'utf8')) as BicepValue;
    }
    if (name === 'loadTextContent') {
      const path = stringLiteral(argumentNodes[0] ?? null);
      if (path === undefined || argumentNodes.length !== 1) throw new Error('loadTextContent takes one literal path here');
      return readFileSync(resolve(dirname(this.file.path), path), 'utf8');
    }
    const fn = FUNCTIONS[name];
    if (fn === undefined) throw new Error(`${this.file.path}: function ${name} is not known to the test evaluator`);
    const args = argumentNodes.map((a) => this.evaluate(a, scope));
    return fn(args, (lambda, lambdaArgs) => this.invoke(lambda, lambdaArgs));
  }

  private invoke(lambda: BicepValue, args: BicepValue[]): BicepValue {
    if (!(lambda instanceof BicepLambda)) throw new Error('expected a lambda');
    const scope = new Map(lambda.closure);
    lambda.parameters.forEach((p, i) => scope.set(p, args[i] ?? null));
    return this.evaluate(lambda.body, scope);
  }
}

export function isObject(value: BicepValue): value is { [key: string]: BicepValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof RuntimeValue) && !(value instanceof BicepLambda);
}

function access(object: BicepValue, key: string | number, safe: boolean, text: string): BicepValue {
  if (object instanceof RuntimeValue) return new RuntimeValue(text);
  if (object === null && safe) return null;
  if (typeof key === 'number' && Array.isArray(object)) {
    if (key < object.length) return object[key] ?? null;
  } else if (typeof key === 'string' && isObject(object)) {
    // Bicep property names are case-insensitive.
    const found = Object.keys(object).find((k) => k.toLowerCase() === key.toLowerCase());
    if (found !== undefined) return object[found] ?? null;
  } else throw new Error(`cannot read ${key} of ${JSON.stringify(object)} in ${text}`);
  if (safe) return null;
  throw new Error(`${text}: no ${key}`);
}

function stringify(value: BicepValue): string {
  if (typeof value === 'string') return value;
  if (value instanceof RuntimeValue) return value.toString();
  return JSON.stringify(value);
}

function asArray(value: BicepValue, fn: string): BicepValue[] {
  if (!Array.isArray(value)) throw new Error(`${fn}: expected an array, got ${JSON.stringify(value)}`);
  return value;
}

function asString(value: BicepValue, fn: string): string {
  if (typeof value !== 'string') throw new Error(`${fn}: expected a string, got ${stringify(value)}`);
  return value;
}

/**
 * A deterministic GUID of the arguments. Not ARM's exact algorithm: the tests compare GUIDs that
 * the same expressions produce, never a GUID Azure computed.
 */
function testGuid(parts: string[]): string {
  const hex = createHash('sha1').update(parts.join('-')).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

type BicepFunction = (args: BicepValue[], invoke: (lambda: BicepValue, args: BicepValue[]) => BicepValue) => BicepValue;

const FUNCTIONS: Record<string, BicepFunction> = {
  tenant: () => ({ tenantId: DEPLOYMENT_CONTEXT.tenantId }),
  subscription: (args) => {
    const id = args.length > 0 ? asString(args[0] ?? null, 'subscription') : DEPLOYMENT_CONTEXT.subscriptionId;
    return { id: `/subscriptions/${id}`, subscriptionId: id, tenantId: DEPLOYMENT_CONTEXT.tenantId };
  },
  resourceGroup: (args) => {
    const [subscriptionId, name] = args.length === 2 ? args.map((a) => stringify(a)) : [DEPLOYMENT_CONTEXT.subscriptionId, args.length === 1 ? stringify(args[0] ?? null) : DEPLOYMENT_CONTEXT.resourceGroupName];
    return { id: `/subscriptions/${subscriptionId}/resourceGroups/${name}`, name: name ?? '', location: DEPLOYMENT_CONTEXT.location };
  },
  deployment: () => ({ name: 'test-deployment', location: DEPLOYMENT_CONTEXT.location }),
  environment: () => ({ name: DEPLOYMENT_CONTEXT.environmentName }),
  guid: (args) => testGuid(args.map(stringify)),
  uniqueString: (args) => createHash('sha1').update(args.map(stringify).join('-')).digest('hex').slice(0, 13),
  subscriptionResourceId: (args) => {
    // subscriptionResourceId([subscriptionId,] 'Namespace/type[/child]', name[, childName])
    const parts = args.map(stringify);
    const hasSubscription = !(parts[0] ?? '').includes('/');
    const subscriptionId = hasSubscription ? parts[0] : DEPLOYMENT_CONTEXT.subscriptionId;
    const [type, ...names] = hasSubscription ? parts.slice(1) : parts;
    const [namespace, ...types] = (type ?? '').split('/');
    return `/subscriptions/${subscriptionId}/providers/${namespace}/${types.map((t, i) => `${t}/${names[i]}`).join('/')}`;
  },
  concat: (args) => (args.every(Array.isArray) ? args.flatMap((a) => asArray(a, 'concat')) : args.map(stringify).join('')),
  union: (args) => {
    if (args.every(Array.isArray)) {
      const result: BicepValue[] = [];
      for (const item of args.flatMap((a) => asArray(a, 'union'))) if (!result.some((r) => JSON.stringify(r) === JSON.stringify(item))) result.push(item);
      return result;
    }
    if (args.every(isObject)) return Object.assign({}, ...args) as { [key: string]: BicepValue };
    return new RuntimeValue('union(...)');
  },
  flatten: (args) => asArray(args[0] ?? null, 'flatten').flatMap((a) => asArray(a, 'flatten')),
  join: (args) => asArray(args[0] ?? null, 'join').map(stringify).join(asString(args[1] ?? null, 'join')),
  contains: (args) => {
    const container = args[0] ?? null;
    const item = args[1] ?? null;
    if (Array.isArray(container)) return container.some((c) => JSON.stringify(c) === JSON.stringify(item));
    if (typeof container === 'string') return container.toLowerCase().includes(asString(item, 'contains').toLowerCase());
    if (isObject(container)) return Object.keys(container).some((k) => k.toLowerCase() === asString(item, 'contains').toLowerCase());
    throw new Error('contains: bad container');
  },
  empty: ([value]) => value === null || value === '' || (Array.isArray(value) && value.length === 0) || (isObject(value ?? null) && Object.keys(value as object).length === 0),
  length: ([value]) => (Array.isArray(value) || typeof value === 'string' ? value.length : Object.keys(value as object).length),
  startsWith: (args) => asString(args[0] ?? null, 'startsWith').toLowerCase().startsWith(asString(args[1] ?? null, 'startsWith').toLowerCase()),
  replace: (args) => {
    if (args.some((a) => a instanceof RuntimeValue)) return new RuntimeValue(`replace(${args.map(stringify).join(', ')})`);
    return asString(args[0] ?? null, 'replace').split(asString(args[1] ?? null, 'replace')).join(asString(args[2] ?? null, 'replace'));
  },
  trim: (args) => asString(args[0] ?? null, 'trim').trim(),
  split: (args) => asString(args[0] ?? null, 'split').split(asString(args[1] ?? null, 'split')),
  last: ([value]) => {
    if (typeof value === 'string') return value.slice(-1);
    const array = asArray(value ?? null, 'last');
    return array[array.length - 1] ?? null;
  },
  toUpper: (args) => asString(args[0] ?? null, 'toUpper').toUpperCase(),
  toLower: (args) => asString(args[0] ?? null, 'toLower').toLowerCase(),
  items: ([value]) => {
    if (!isObject(value ?? null)) throw new Error('items: expected an object');
    return Object.keys(value as object)
      .sort((a, b) => a.localeCompare(b))
      .map((key) => ({ key, value: (value as { [key: string]: BicepValue })[key] ?? null }));
  },
  map: ([array, lambda], invoke) => asArray(array ?? null, 'map').map((item, i) => invoke(lambda ?? null, [item, i])),
  filter: ([array, lambda], invoke) => asArray(array ?? null, 'filter').filter((item, i) => invoke(lambda ?? null, [item, i]) === true),
  toObject: ([array, keyLambda, valueLambda], invoke) => {
    const object: { [key: string]: BicepValue } = {};
    for (const item of asArray(array ?? null, 'toObject')) object[asString(invoke(keyLambda ?? null, [item]), 'toObject')] = valueLambda === undefined ? item : invoke(valueLambda, [item]);
    return object;
  },
};
