/**
 * Deploys a compiled ARM template on paper: what `bicep build` wrote, evaluated the way Resource
 * Manager evaluates it, into the list of resources a deployment would create with their names,
 * ids, scopes and bodies.
 *
 * What it knows: template expressions (`[fn(...)]`, with `'…'` strings, `.prop` and `[index]`),
 * the functions Bicep emits for infra/ (FUNCTIONS), parameters with defaults, variables, property
 * and resource copy loops, conditions, symbolic (languageVersion 2.0) and array resources, nested
 * deployments with inner-scoped expressions, and outputs. Values only Azure knows (a storage
 * account's endpoints, a site's host name) are {@link Runtime}. A system-assigned identity gets
 * the principal id {@link simulatedPrincipalId} of its resource id, so that what a deployment hands
 * from one resource to another (vaultlink's principal id into its condition) can be followed. An
 * unknown function throws: a test never passes on something the evaluator did not read.
 */
import { createHash } from 'node:crypto';

/** A value known only when Azure runs the deployment. */
export class Runtime {
  constructor(readonly expression: string) {}
  toString(): string {
    return `<runtime ${this.expression}>`;
  }
}

type Value = unknown;
type Json = Record<string, unknown>;

export interface Scope {
  readonly tenantId: string;
  readonly subscriptionId: string;
  /** Absent at subscription scope. */
  readonly resourceGroup?: string;
  readonly location: string;
}

export interface DeployedResource {
  readonly type: string;
  readonly apiVersion: string;
  readonly name: string;
  readonly id: string;
  readonly scope: Scope;
  /** Symbolic names of the nested deployments that hold it, outermost first (`['subscriptionAccess[0]']`). */
  readonly path: readonly string[];
  /** `existing` resources are referenced, never created. */
  readonly existing: boolean;
  /** The evaluated resource: properties, identity, sku, kind, location, tags, scope. */
  readonly body: Json;
}

export interface Deployment {
  readonly resources: DeployedResource[];
  readonly outputs: Record<string, Value>;
  /** The top-level variables, evaluated. */
  readonly variables: Record<string, Value>;
}

export const SIMULATED_TENANT = '11111111-2222-3333-4444-555555555555';

/** A deterministic GUID of the parts (not ARM's algorithm: the tests compare GUIDs this evaluator made). */
export function simulatedGuid(parts: readonly string[]): string {
  const hex = createHash('sha1').update(parts.join('-')).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The principal id the simulation gives the system-assigned identity of a resource. */
export function simulatedPrincipalId(resourceId: string): string {
  return simulatedGuid(['principal', resourceId.toLowerCase()]);
}

// ---------------------------------------------------------------- expressions

type Node =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'call'; name: string; args: Node[] }
  | { kind: 'member'; object: Node; property: string }
  | { kind: 'index'; object: Node; index: Node };

function parseExpression(text: string): Node {
  let i = 0;
  const fail = (what: string): never => {
    throw new Error(`cannot parse template expression at ${i} (${what}): ${text}`);
  };
  const skip = (): void => {
    while (text[i] === ' ') i++;
  };
  const primary = (): Node => {
    skip();
    const c = text[i];
    if (c === "'") {
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length) fail('unterminated string');
        if (text[i] === "'") {
          if (text[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += text[i++];
      }
      return { kind: 'string', value };
    }
    const number = /^-?\d+/.exec(text.slice(i));
    if (number !== null) {
      i += number[0].length;
      return { kind: 'number', value: Number(number[0]) };
    }
    const name = /^[A-Za-z_][A-Za-z0-9_.]*?(?=\()/.exec(text.slice(i));
    if (name === null) fail('expected a function call');
    const fn = (name as RegExpExecArray)[0];
    i += fn.length + 1;
    const args: Node[] = [];
    skip();
    if (text[i] === ')') i++;
    else
      for (;;) {
        args.push(expression());
        skip();
        if (text[i] === ',') i++;
        else if (text[i] === ')') {
          i++;
          break;
        } else fail('expected , or )');
      }
    return { kind: 'call', name: fn, args };
  };
  const expression = (): Node => {
    let node = primary();
    for (;;) {
      skip();
      if (text[i] === '.') {
        const property = /^\.([A-Za-z_$][A-Za-z0-9_$]*)/.exec(text.slice(i));
        if (property === null) fail('expected a property name');
        i += (property as RegExpExecArray)[0].length;
        node = { kind: 'member', object: node, property: (property as RegExpExecArray)[1] ?? '' };
      } else if (text[i] === '[') {
        i++;
        const index = expression();
        skip();
        if (text[i] !== ']') fail('expected ]');
        i++;
        node = { kind: 'index', object: node, index };
      } else return node;
    }
  };
  const node = expression();
  skip();
  if (i !== text.length) fail('trailing text');
  return node;
}

const parsed = new Map<string, Node>();

function isExpression(value: string): boolean {
  return value.startsWith('[') && value.endsWith(']') && !value.startsWith('[[');
}

// ---------------------------------------------------------------- values

function isObject(value: Value): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Runtime) && !(value instanceof Lambda);
}

class Lambda {
  constructor(
    readonly parameters: string[],
    readonly body: Node,
    readonly closure: ReadonlyMap<string, Value>,
  ) {}
}

/** Objects that stand for a deployed resource: a property they lack is a runtime value, not an error. */
const deployedViews = new WeakSet<object>();

function view(object: Json): Json {
  deployedViews.add(object);
  return object;
}

function member(object: Value, key: Value, text: string): Value {
  if (object instanceof Runtime) return new Runtime(`${object.expression}.${String(key)}`);
  if (Array.isArray(object) && typeof key === 'number') {
    if (key < 0 || key >= object.length) throw new Error(`${text}: index ${key} out of range (${object.length})`);
    return object[key];
  }
  if (isObject(object) && typeof key === 'string') {
    const found = Object.keys(object).find((k) => k.toLowerCase() === key.toLowerCase());
    if (found !== undefined) return object[found];
    if (deployedViews.has(object)) return new Runtime(`${text}`);
    throw new Error(`${text}: no property ${key} in ${JSON.stringify(Object.keys(object))}`);
  }
  throw new Error(`${text}: cannot read ${JSON.stringify(key)} of ${JSON.stringify(object)}`);
}

function str(value: Value, fn: string): string {
  if (typeof value !== 'string') throw new Error(`${fn}: expected a string, got ${JSON.stringify(value)}`);
  return value;
}

function arr(value: Value, fn: string): Value[] {
  if (!Array.isArray(value)) throw new Error(`${fn}: expected an array, got ${JSON.stringify(value)}`);
  return value;
}

function text(value: Value): string {
  if (typeof value === 'string') return value;
  if (value instanceof Runtime) return value.toString();
  return JSON.stringify(value);
}

function deepEqual(a: Value, b: Value): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

// ---------------------------------------------------------------- deployment

interface TemplateResource extends Json {
  type: string;
  apiVersion: string;
  name: string;
}

interface Context {
  readonly template: Json;
  readonly scope: Scope;
  readonly deploymentName: string;
  readonly path: readonly string[];
  readonly parameters: Record<string, Value>;
  readonly variableCache: Map<string, Value>;
  /** Resources by symbolic name (array templates get `resources[i]`), each with its copy count. */
  readonly declared: Map<string, TemplateResource>;
  /** Deployed instances by `symbol` or `symbol[i]`; null when its condition was false. */
  readonly instances: Map<string, DeployedResource | null>;
  /** Module outputs by `symbol` or `symbol[i]`. */
  readonly moduleOutputs: Map<string, Record<string, Value>>;
  readonly all: DeployedResource[];
}

interface Locals {
  readonly copyIndex: ReadonlyMap<string, number>;
  readonly lambdas: ReadonlyMap<string, Value>;
}

const NO_LOCALS: Locals = { copyIndex: new Map(), lambdas: new Map() };

/** Deploys a template at a scope with parameter values (plain values, not `{ value }`). */
export function deploy(template: Json, parameters: Record<string, Value>, scope: Partial<Scope> & { subscriptionId: string }): Deployment {
  const all: DeployedResource[] = [];
  const full: Scope = { tenantId: SIMULATED_TENANT, location: 'uksouth', ...scope };
  const context = deployTemplate(template, parameters, full, 'main', [], all);
  const variables: Record<string, Value> = {};
  const declaredVariables = (template.variables as Json | undefined) ?? {};
  const names = [...Object.keys(declaredVariables).filter((n) => n !== 'copy'), ...((declaredVariables.copy as Json[] | undefined) ?? []).map((c) => String(c.name))];
  for (const name of names) variables[name] = variable(context, name);
  return { resources: all, outputs: outputsOf(context), variables };
}

function deployTemplate(template: Json, given: Record<string, Value>, scope: Scope, deploymentName: string, path: readonly string[], all: DeployedResource[]): Context {
  const declared = new Map<string, TemplateResource>();
  const resources = template.resources as Json | Json[] | undefined;
  if (Array.isArray(resources)) resources.forEach((r, i) => declared.set(`resources[${i}]`, r as TemplateResource));
  else for (const [name, r] of Object.entries(resources ?? {})) declared.set(name, r as TemplateResource);
  const context: Context = { template, scope, deploymentName, path, parameters: {}, variableCache: new Map(), declared, instances: new Map(), moduleOutputs: new Map(), all };
  const declaredParameters = (template.parameters as Record<string, Json> | undefined) ?? {};
  for (const name of Object.keys(given)) if (!(name in declaredParameters)) throw new Error(`${path.join('/') || 'main'}: parameter ${name} is not declared by the template`);
  for (const [name, definition] of Object.entries(declaredParameters)) {
    if (Object.prototype.hasOwnProperty.call(given, name)) context.parameters[name] = given[name];
    else if ('defaultValue' in definition) context.parameters[name] = evaluateValue(context, definition.defaultValue, NO_LOCALS);
    else if (definition.nullable === true) context.parameters[name] = null;
    else throw new Error(`${path.join('/') || 'main'}: parameter ${name} has no value and no default`);
  }
  for (const symbol of declared.keys()) deploySymbol(context, symbol);
  return context;
}

function outputsOf(context: Context): Record<string, Value> {
  const outputs: Record<string, Value> = {};
  for (const [name, definition] of Object.entries((context.template.outputs as Record<string, Json> | undefined) ?? {})) {
    // An output built by a `for` comes as { copy: { count, input } }.
    const copy = definition.copy as Json | undefined;
    if (copy !== undefined) {
      const count = Number(evaluateValue(context, copy.count, NO_LOCALS));
      outputs[name] = Array.from({ length: count }, (_, i) => evaluateValue(context, copy.input, { copyIndex: new Map([['', i]]), lambdas: new Map() }));
    } else outputs[name] = evaluateValue(context, definition.value, NO_LOCALS);
  }
  return outputs;
}

function variable(context: Context, name: string): Value {
  if (!context.variableCache.has(name)) {
    const variables = (context.template.variables as Json | undefined) ?? {};
    // A variable built by a `for` comes as a copy loop: { copy: [{ name, count, input }] }.
    const loop = ((variables.copy as Json[] | undefined) ?? []).find((c) => c.name === name);
    if (loop !== undefined) context.variableCache.set(name, (evaluateValue(context, { copy: [loop] }, NO_LOCALS) as Json)[name]);
    else if (name in variables && name !== 'copy') context.variableCache.set(name, evaluateValue(context, variables[name], NO_LOCALS));
    else throw new Error(`${context.path.join('/') || 'main'}: no variable ${name}`);
  }
  return context.variableCache.get(name);
}

function copyCount(context: Context, resource: TemplateResource): number | undefined {
  const copy = resource.copy as Json | undefined;
  if (copy === undefined) return undefined;
  const count = evaluateValue(context, copy.count, NO_LOCALS);
  if (typeof count !== 'number') throw new Error(`copy count of ${resource.type} is not a number`);
  return count;
}

function deploySymbol(context: Context, symbol: string): void {
  const resource = context.declared.get(symbol);
  if (resource === undefined) throw new Error(`no resource ${symbol}`);
  const count = copyCount(context, resource);
  if (count === undefined) deployInstance(context, symbol, resource, symbol, NO_LOCALS);
  else {
    const loop = String((resource.copy as Json).name);
    for (let i = 0; i < count; i++) deployInstance(context, `${symbol}[${i}]`, resource, symbol, { copyIndex: new Map([['', i], [loop, i]]), lambdas: new Map() });
  }
}

function deployInstance(context: Context, key: string, resource: TemplateResource, symbol: string, locals: Locals): DeployedResource | null {
  if (context.instances.has(key)) return context.instances.get(key) ?? null;
  const condition = resource.condition === undefined ? true : evaluateValue(context, resource.condition, locals);
  if (condition !== true) {
    context.instances.set(key, null);
    return null;
  }
  const name = str(evaluateValue(context, resource.name, locals), `${symbol} name`);
  const type = resource.type;
  if (type === 'Microsoft.Resources/deployments') return deployModule(context, key, resource, name, locals);
  const body: Json = {};
  for (const [k, v] of Object.entries(resource)) {
    if (['type', 'apiVersion', 'name', 'copy', 'condition', 'dependsOn', 'existing', 'comments', 'metadata'].includes(k)) continue;
    body[k] = evaluateValue(context, v, locals);
  }
  const id = resourceIdOf(context, type, name, body.scope);
  const deployed: DeployedResource = { type, apiVersion: resource.apiVersion, name, id, scope: context.scope, path: context.path, existing: resource.existing === true, body };
  context.instances.set(key, deployed);
  context.all.push(deployed);
  return deployed;
}

function deployModule(context: Context, key: string, resource: TemplateResource, name: string, locals: Locals): null {
  const properties = resource.properties as Json;
  if ((properties.expressionEvaluationOptions as Json | undefined)?.scope !== 'inner') throw new Error(`${key}: only inner-scoped nested deployments are known`);
  const subscriptionId = resource.subscriptionId === undefined ? context.scope.subscriptionId : str(evaluateValue(context, resource.subscriptionId, locals), `${key} subscriptionId`);
  const resourceGroup = resource.resourceGroup === undefined ? (resource.subscriptionId === undefined ? context.scope.resourceGroup : undefined) : str(evaluateValue(context, resource.resourceGroup, locals), `${key} resourceGroup`);
  const parameters: Record<string, Value> = {};
  for (const [p, v] of Object.entries((properties.parameters as Record<string, Value> | undefined) ?? {})) {
    // Either { value: … } or an expression that yields one (Bicep's form for a conditional value).
    const entry = typeof v === 'string' ? evaluateValue(context, v, locals) : v;
    parameters[p] = evaluateValue(context, record(entry, `${key} parameter ${p}`).value, typeof v === 'string' ? { ...NO_LOCALS, copyIndex: new Map() } : locals);
  }
  const scope: Scope = { tenantId: context.scope.tenantId, subscriptionId, location: context.scope.location, ...(resourceGroup !== undefined ? { resourceGroup } : {}) };
  const nested = deployTemplate(properties.template as Json, parameters, scope, name, [...context.path, key], context.all);
  context.moduleOutputs.set(key, outputsOf(nested));
  context.instances.set(key, null);
  return null;
}

function scopeId(scope: Scope): string {
  return `/subscriptions/${scope.subscriptionId}${scope.resourceGroup !== undefined ? `/resourceGroups/${scope.resourceGroup}` : ''}`;
}

/** `/…/providers/A.B/t1/n1/t2/n2` from a type `A.B/t1/t2` and a name `n1/n2`. */
function typedPath(type: string, name: string): string {
  const [namespace, ...types] = type.split('/');
  const names = name.split('/');
  if (types.length !== names.length) throw new Error(`name ${name} does not fit type ${type}`);
  return `providers/${namespace}/${types.map((t, i) => `${t}/${names[i]}`).join('/')}`;
}

function resourceIdOf(context: Context, type: string, name: string, scope: Value): string {
  if (type === 'Microsoft.Resources/resourceGroups') return `/subscriptions/${context.scope.subscriptionId}/resourceGroups/${name}`;
  if (scope === undefined) return `${scopeId(context.scope)}/${typedPath(type, name)}`;
  const scopeText = text(scope);
  // Bicep writes an extension resource's scope as an id, or relative to the deployment's scope.
  const base = scopeText.startsWith('/') ? scopeText : `${scopeId(context.scope)}/providers/${scopeText}`;
  return `${base}/${typedPath(type, name)}`;
}

/** Evaluates a template value: strings that are expressions, objects (with property copies), arrays. */
function evaluateValue(context: Context, value: Value, locals: Locals): Value {
  if (typeof value === 'string') {
    if (isExpression(value)) {
      const body = value.slice(1, -1);
      let node = parsed.get(body);
      if (node === undefined) {
        node = parseExpression(body);
        parsed.set(body, node);
      }
      return evaluate(context, node, locals, body);
    }
    return value.startsWith('[[') ? value.slice(1) : value;
  }
  if (Array.isArray(value)) return value.map((v) => evaluateValue(context, v, locals));
  if (isObject(value)) {
    const result: Json = {};
    for (const [k, v] of Object.entries(value)) {
      if (k === 'copy' && Array.isArray(v) && v.every((c) => isObject(c) && 'input' in c)) {
        for (const loop of v as Json[]) {
          const count = evaluateValue(context, loop.count, locals);
          const loopName = String(loop.name);
          result[loopName] = Array.from({ length: Number(count) }, (_, i) => evaluateValue(context, loop.input, { ...locals, copyIndex: new Map([...locals.copyIndex, [loopName, i]]) }));
        }
        continue;
      }
      result[k] = evaluateValue(context, v, locals);
    }
    return result;
  }
  return value;
}

/** What `reference(x)` answers for a deployed resource: its properties, or the whole resource with 'full'. */
function referenceOf(deployed: DeployedResource, full: boolean): Json {
  const properties = view({ ...((deployed.body.properties as Json | undefined) ?? {}) });
  if (!full) return properties;
  const identity = deployed.body.identity as Json | undefined;
  const simulatedIdentity =
    identity !== undefined && String(identity.type).includes('SystemAssigned') ? view({ ...identity, principalId: simulatedPrincipalId(deployed.id), tenantId: deployed.scope.tenantId }) : identity;
  return view({ ...deployed.body, id: deployed.id, name: deployed.name, type: deployed.type, properties, ...(simulatedIdentity !== undefined ? { identity: simulatedIdentity } : {}) });
}

function referenceById(context: Context, id: string, full: boolean, textOf: string): Value {
  for (const [symbol, resource] of context.declared) {
    if (resource.type === 'Microsoft.Resources/deployments') continue;
    const count = copyCount(context, resource);
    const keys = count === undefined ? [[symbol, NO_LOCALS] as const] : Array.from({ length: count }, (_, i) => [`${symbol}[${i}]`, { copyIndex: new Map([['', i]]), lambdas: new Map() }] as const);
    for (const [key, locals] of keys) {
      // Match on the id alone (name, type, scope) before deploying: deploying every resource to
      // find one would follow references in circles.
      const name = evaluateValue(context, resource.name, locals);
      const scope = resource.scope === undefined ? undefined : evaluateValue(context, resource.scope, locals);
      if (typeof name !== 'string' || resourceIdOf(context, resource.type, name, scope).toLowerCase() !== id.toLowerCase()) continue;
      const deployed = deployInstance(context, key, resource, symbol, locals);
      if (deployed !== null) return referenceOf(deployed, full);
    }
  }
  // A resource outside this template (existing in Azure): only Azure knows its state.
  return new Runtime(textOf);
}

function referenceBySymbol(context: Context, key: string, full: boolean): Value {
  const symbol = key.replace(/\[\d+\]$/, '');
  const resource = context.declared.get(symbol);
  if (resource === undefined) return undefined;
  if (!context.instances.has(key)) {
    const index = /\[(\d+)\]$/.exec(key)?.[1];
    const loop = String((resource.copy as Json | undefined)?.name ?? '');
    deployInstance(context, key, resource, symbol, index === undefined ? NO_LOCALS : { copyIndex: new Map([['', Number(index)], [loop, Number(index)]]), lambdas: new Map() });
  }
  if (resource.type === 'Microsoft.Resources/deployments') {
    const outputs = context.moduleOutputs.get(key);
    if (outputs === undefined) throw new Error(`reference('${key}'): the module is not deployed (its condition is false)`);
    return view({ outputs: Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, { value: v }])) });
  }
  const deployed = context.instances.get(key);
  if (deployed === null || deployed === undefined) throw new Error(`reference('${key}'): not deployed`);
  return referenceOf(deployed, full);
}

type Fn = (args: Value[], context: Context, locals: Locals, source: string) => Value;

function evaluate(context: Context, node: Node, locals: Locals, source: string): Value {
  switch (node.kind) {
    case 'string':
    case 'number':
      return node.value;
    case 'member':
      return member(evaluate(context, node.object, locals, source), node.property, source);
    case 'index': {
      const object = evaluate(context, node.object, locals, source);
      const index = evaluate(context, node.index, locals, source);
      if (index instanceof Runtime) return new Runtime(source);
      return member(object, index, source);
    }
    case 'call': {
      const lazy = LAZY[node.name];
      if (lazy !== undefined) return lazy(node.args, context, locals, source);
      const fn = FUNCTIONS[node.name];
      if (fn === undefined) throw new Error(`template function ${node.name} is not known to the test evaluator (in ${source})`);
      return fn(
        node.args.map((a) => evaluate(context, a, locals, source)),
        context,
        locals,
        source,
      );
    }
  }
}

type LazyFn = (args: Node[], context: Context, locals: Locals, source: string) => Value;

const LAZY: Record<string, LazyFn> = {
  if: ([test, yes, no], context, locals, source) => {
    const condition = evaluate(context, test as Node, locals, source);
    if (condition instanceof Runtime) return new Runtime(source);
    return evaluate(context, (condition === true ? yes : no) as Node, locals, source);
  },
  lambda: (args, _context, locals) => {
    const body = args[args.length - 1];
    const parameters = args.slice(0, -1).map((a) => (a.kind === 'string' ? a.value : ''));
    return new Lambda(parameters, body as Node, locals.lambdas);
  },
};

function invoke(context: Context, locals: Locals, lambda: Value, args: Value[], source: string): Value {
  if (!(lambda instanceof Lambda)) throw new Error(`${source}: expected a lambda`);
  const scope = new Map(lambda.closure);
  lambda.parameters.forEach((p, i) => scope.set(p, args[i]));
  return evaluate(context, lambda.body, { ...locals, lambdas: scope }, source);
}

function resourceIdFunction(context: Context, args: Value[], at: 'resourceGroup' | 'subscription'): string {
  const parts = args.map((a) => text(a));
  const typeIndex = parts.findIndex((p) => p.includes('/'));
  if (typeIndex < 0) throw new Error(`resourceId(${parts.join(', ')}): no resource type`);
  const type = parts[typeIndex] ?? '';
  const before = parts.slice(0, typeIndex);
  const name = parts.slice(typeIndex + 1).join('/');
  if (at === 'subscription') {
    const subscriptionId = before[0] ?? context.scope.subscriptionId;
    return `/subscriptions/${subscriptionId}/${typedPath(type, name)}`;
  }
  const [subscriptionId, resourceGroup] = before.length === 2 ? before : before.length === 1 ? [context.scope.subscriptionId, before[0]] : [context.scope.subscriptionId, context.scope.resourceGroup];
  if (resourceGroup === undefined) return `/subscriptions/${subscriptionId}/${typedPath(type, name)}`;
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/${typedPath(type, name)}`;
}

const FUNCTIONS: Record<string, Fn> = {
  parameters: ([name], context) => {
    const key = str(name, 'parameters');
    if (!Object.prototype.hasOwnProperty.call(context.parameters, key)) throw new Error(`no parameter ${key}`);
    return context.parameters[key];
  },
  variables: ([name], context) => variable(context, str(name, 'variables')),
  lambdaVariables: ([name], _context, locals) => {
    const key = str(name, 'lambdaVariables');
    if (!locals.lambdas.has(key)) throw new Error(`no lambda variable ${key}`);
    return locals.lambdas.get(key);
  },
  copyIndex: (args, _context, locals) => {
    const loop = typeof args[0] === 'string' ? args[0] : '';
    const offset = typeof args[0] === 'number' ? args[0] : typeof args[1] === 'number' ? args[1] : 0;
    const index = locals.copyIndex.get(loop);
    if (index === undefined) throw new Error(`copyIndex(${loop}) outside its loop`);
    return index + offset;
  },
  reference: (args, context, _locals, source) => {
    const [target, , mode] = args;
    const full = mode === 'full';
    const key = str(target, 'reference');
    if (!key.startsWith('/')) {
      const bySymbol = referenceBySymbol(context, key, full);
      if (bySymbol !== undefined) return bySymbol;
    }
    return referenceById(context, key, full, source);
  },
  resourceId: (args, context) => resourceIdFunction(context, args, 'resourceGroup'),
  subscriptionResourceId: (args, context) => resourceIdFunction(context, args, 'subscription'),
  tenantResourceId: (args) => `/${typedPath(text(args[0]), args.slice(1).map(text).join('/'))}`,
  extensionResourceId: (args) => `${text(args[0])}/${typedPath(text(args[1]), args.slice(2).map(text).join('/'))}`,
  subscription: (_args, context) => ({ id: `/subscriptions/${context.scope.subscriptionId}`, subscriptionId: context.scope.subscriptionId, tenantId: context.scope.tenantId, displayName: 'simulated' }),
  resourceGroup: (_args, context) => {
    if (context.scope.resourceGroup === undefined) throw new Error('resourceGroup() at subscription scope');
    return { id: scopeId(context.scope), name: context.scope.resourceGroup, location: context.scope.location, type: 'Microsoft.Resources/resourceGroups' };
  },
  tenant: (_args, context) => ({ tenantId: context.scope.tenantId }),
  deployment: (_args, context) => ({ name: context.deploymentName, location: context.scope.location }),
  environment: () => ({ name: 'AzureCloud', suffixes: { storage: 'core.windows.net' } }),
  guid: (args) => simulatedGuid(args.map(text)),
  uniqueString: (args) => createHash('sha1').update(args.map(text).join('-')).digest('hex').slice(0, 13),
  format: (args, _context, _locals, source) => {
    const [template, ...rest] = args;
    if (rest.some((r) => r instanceof Runtime)) return new Runtime(source);
    return str(template, 'format').replace(/\{(\d+)\}/g, (_m, i: string) => text(rest[Number(i)]));
  },
  concat: (args, _context, _locals, source) => {
    if (args.every(Array.isArray)) return args.flatMap((a) => arr(a, 'concat'));
    if (args.some((a) => a instanceof Runtime)) return new Runtime(source);
    return args.map(text).join('');
  },
  replace: (args, _context, _locals, source) => {
    if (args.some((a) => a instanceof Runtime)) return new Runtime(source);
    return str(args[0], 'replace').split(str(args[1], 'replace')).join(str(args[2], 'replace'));
  },
  trim: ([value]) => str(value, 'trim').trim(),
  toLower: ([value]) => str(value, 'toLower').toLowerCase(),
  toUpper: ([value]) => str(value, 'toUpper').toUpperCase(),
  startsWith: ([a, b]) => str(a, 'startsWith').toLowerCase().startsWith(str(b, 'startsWith').toLowerCase()),
  endsWith: ([a, b]) => str(a, 'endsWith').toLowerCase().endsWith(str(b, 'endsWith').toLowerCase()),
  split: ([a, b]) => str(a, 'split').split(str(b, 'split')),
  last: ([value]) => (typeof value === 'string' ? value.slice(-1) : arr(value, 'last')[arr(value, 'last').length - 1]),
  first: ([value]) => (typeof value === 'string' ? value.slice(0, 1) : arr(value, 'first')[0]),
  string: ([value]) => text(value),
  json: ([value]) => JSON.parse(str(value, 'json')) as Value,
  join: ([array, separator]) => arr(array, 'join').map(text).join(str(separator, 'join')),
  length: ([value]) => (Array.isArray(value) || typeof value === 'string' ? value.length : Object.keys(value as Json).length),
  empty: ([value]) => value === null || value === '' || (Array.isArray(value) && value.length === 0) || (isObject(value) && Object.keys(value).length === 0),
  contains: ([container, item]) => {
    if (Array.isArray(container)) return container.some((c) => deepEqual(c, item));
    if (typeof container === 'string') return container.includes(str(item, 'contains'));
    if (isObject(container)) return Object.keys(container).some((k) => k.toLowerCase() === str(item, 'contains').toLowerCase());
    throw new Error('contains: bad container');
  },
  createArray: (args) => args,
  createObject: (args) => {
    const object: Json = {};
    for (let i = 0; i < args.length; i += 2) object[str(args[i], 'createObject')] = args[i + 1];
    return object;
  },
  union: (args, _context, _locals, source) => {
    if (args.every(Array.isArray)) {
      const result: Value[] = [];
      for (const item of args.flatMap((a) => arr(a, 'union'))) if (!result.some((r) => deepEqual(r, item))) result.push(item);
      return result;
    }
    if (args.every(isObject)) return Object.assign({}, ...args) as Json;
    return new Runtime(source);
  },
  flatten: ([value]) => arr(value, 'flatten').flatMap((a) => arr(a, 'flatten')),
  items: ([value]) => {
    if (!isObject(value)) throw new Error('items: expected an object');
    return Object.keys(value)
      .sort((a, b) => a.localeCompare(b))
      .map((key) => ({ key, value: value[key] }));
  },
  map: ([array, lambda], context, locals, source) => arr(array, 'map').map((item, i) => invoke(context, locals, lambda, [item, i], source)),
  filter: ([array, lambda], context, locals, source) => arr(array, 'filter').filter((item, i) => invoke(context, locals, lambda, [item, i], source) === true),
  toObject: ([array, keyLambda, valueLambda], context, locals, source) => {
    const object: Json = {};
    for (const item of arr(array, 'toObject')) object[str(invoke(context, locals, keyLambda, [item], source), 'toObject')] = valueLambda === undefined ? item : invoke(context, locals, valueLambda, [item], source);
    return object;
  },
  coalesce: (args) => args.find((a) => a !== null && a !== undefined) ?? null,
  tryGet: ([object, ...keys]) => {
    let current: Value = object;
    for (const key of keys) {
      if (current === null || current === undefined) return null;
      if (Array.isArray(current) && typeof key === 'number') current = current[key];
      else if (isObject(current) && typeof key === 'string') {
        const found = Object.keys(current).find((k) => k.toLowerCase() === key.toLowerCase());
        current = found === undefined ? null : current[found];
      } else return null;
    }
    return current ?? null;
  },
  null: () => null,
  true: () => true,
  false: () => false,
  not: ([value], _context, _locals, source) => (value instanceof Runtime ? new Runtime(source) : !(value as boolean)),
  and: (args, _context, _locals, source) => (args.some((a) => a instanceof Runtime) ? new Runtime(source) : args.every((a) => a === true)),
  or: (args, _context, _locals, source) => (args.some((a) => a instanceof Runtime) ? new Runtime(source) : args.some((a) => a === true)),
  equals: ([a, b], _context, _locals, source) => (a instanceof Runtime || b instanceof Runtime ? new Runtime(source) : deepEqual(a, b)),
  greater: ([a, b]) => (a as number) > (b as number),
  less: ([a, b]) => (a as number) < (b as number),
  add: ([a, b]) => (a as number) + (b as number),
  sub: ([a, b]) => (a as number) - (b as number),
  int: ([value]) => Number(value),
  bool: ([value]) => value === true || value === 'true',
  range: ([start, count]) => Array.from({ length: Number(count) }, (_, i) => Number(start) + i),
};

// ---------------------------------------------------------------- queries

/** The resources of a type (case-insensitive), in deployment order. */
export function resourcesOfType(deployment: Deployment, type: string): DeployedResource[] {
  return deployment.resources.filter((r) => r.type.toLowerCase() === type.toLowerCase() && !r.existing);
}

/** A value as a plain record; throws naming what it was when it is not an object. */
export function record(value: Value, what: string): Json {
  if (!isObject(value)) throw new Error(`${what} is not an object: ${text(value)}`);
  return value;
}
