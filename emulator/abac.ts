/**
 * Azure ABAC role assignment conditions (`conditionVersion: "2.0"`), as far as role assignment
 * delegation uses them: a small parser and evaluator, so that a Role Based Access Control
 * Administrator grant WITH a condition constrains what its holder may assign, as in Azure.
 *
 * Grammar (Azure's condition format, learn.microsoft.com "Azure role assignment condition format
 * and syntax"; keywords and operators case-insensitive):
 *
 *   condition  := or
 *   or         := and (("OR" | "||") and)*
 *   and        := unary (("AND" | "&&") unary)*
 *   unary      := ("!" | "NOT") unary | "(" condition ")" | actionMatch | comparison
 *   actionMatch:= ("ActionMatches" | "SubOperationMatches") "{" 'text' "}"
 *   comparison := attribute [quantifier ":"] operator value
 *   attribute  := "@" ("Request" | "Resource" | "Principal" | "Environment") "[" name "]"
 *   quantifier := ForAnyOfAnyValues | ForAllOfAnyValues | ForAnyOfAllValues | ForAllOfAllValues
 *   operator   := StringEquals | StringNotEquals | StringEqualsIgnoreCase | StringNotEqualsIgnoreCase
 *               | StringLike | StringNotLike | StringStartsWith | StringNotStartsWith
 *               | GuidEquals | GuidNotEquals
 *   value      := 'text' | bare-guid | "{" value ("," value)* "}"
 *
 * Attributes known here are the role assignment ones (`Microsoft.Authorization/roleAssignments:
 * RoleDefinitionId | PrincipalType | PrincipalId`, under `@Request` for writes and `@Resource` for
 * deletes): a condition naming any other attribute is refused when the assignment is written, as
 * Azure refuses attributes it does not know for the action (Azure/azure-cli#15683: "The given role
 * assignment condition is invalid.").
 */

export type AttributeSource = 'Request' | 'Resource' | 'Principal' | 'Environment';
export type Quantifier = 'ForAnyOfAnyValues' | 'ForAllOfAnyValues' | 'ForAnyOfAllValues' | 'ForAllOfAllValues';
export type BaseOperator =
  | 'StringEquals'
  | 'StringNotEquals'
  | 'StringEqualsIgnoreCase'
  | 'StringNotEqualsIgnoreCase'
  | 'StringLike'
  | 'StringNotLike'
  | 'StringStartsWith'
  | 'StringNotStartsWith'
  | 'GuidEquals'
  | 'GuidNotEquals';

export type Condition =
  | { readonly kind: 'and' | 'or'; readonly left: Condition; readonly right: Condition }
  | { readonly kind: 'not'; readonly operand: Condition }
  | { readonly kind: 'actionMatches'; readonly pattern: string; readonly subOperation: boolean }
  | {
      readonly kind: 'compare';
      readonly source: AttributeSource;
      readonly attribute: string;
      readonly quantifier: Quantifier | undefined;
      readonly operator: BaseOperator;
      readonly values: readonly string[];
      /** The value was written as a set (`{…}`). */
      readonly isSet: boolean;
    };

/** What a condition is evaluated against: the action and the attribute values (multi-valued). */
export interface ConditionContext {
  readonly action: string;
  readonly request?: Readonly<Record<string, readonly string[]>>;
  readonly resource?: Readonly<Record<string, readonly string[]>>;
  readonly principal?: Readonly<Record<string, readonly string[]>>;
}

export class InvalidConditionError extends Error {
  constructor(
    readonly reason: string,
    readonly position: number,
  ) {
    super(`${reason} (at character ${position + 1})`);
    this.name = 'InvalidConditionError';
  }
}

const ROLE_ASSIGNMENT_ATTRIBUTES = ['RoleDefinitionId', 'PrincipalType', 'PrincipalId'].map((a) => `Microsoft.Authorization/roleAssignments:${a}`);

/** Attributes each source offers in the emulator (case-insensitive names). */
const KNOWN_ATTRIBUTES: Readonly<Record<AttributeSource, readonly string[]>> = {
  Request: ROLE_ASSIGNMENT_ATTRIBUTES,
  Resource: ROLE_ASSIGNMENT_ATTRIBUTES,
  Principal: [],
  Environment: [],
};

const QUANTIFIERS: readonly Quantifier[] = ['ForAnyOfAnyValues', 'ForAllOfAnyValues', 'ForAnyOfAllValues', 'ForAllOfAllValues'];
const OPERATORS: readonly BaseOperator[] = [
  'StringEquals',
  'StringNotEquals',
  'StringEqualsIgnoreCase',
  'StringNotEqualsIgnoreCase',
  'StringLike',
  'StringNotLike',
  'StringStartsWith',
  'StringNotStartsWith',
  'GuidEquals',
  'GuidNotEquals',
];
const SOURCES: readonly AttributeSource[] = ['Request', 'Resource', 'Principal', 'Environment'];
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Token =
  | { readonly t: 'lparen' | 'rparen' | 'lbrace' | 'rbrace' | 'comma' | 'not' | 'and' | 'or'; readonly at: number }
  | { readonly t: 'string'; readonly value: string; readonly at: number }
  | { readonly t: 'attribute'; readonly source: AttributeSource; readonly name: string; readonly at: number }
  | { readonly t: 'word'; readonly value: string; readonly at: number };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const at = i;
    if (c === '(') tokens.push({ t: 'lparen', at });
    else if (c === ')') tokens.push({ t: 'rparen', at });
    else if (c === '{') tokens.push({ t: 'lbrace', at });
    else if (c === '}') tokens.push({ t: 'rbrace', at });
    else if (c === ',') tokens.push({ t: 'comma', at });
    else if (c === '!') tokens.push({ t: 'not', at });
    else if (text.startsWith('&&', i)) {
      tokens.push({ t: 'and', at });
      i += 2;
      continue;
    } else if (text.startsWith('||', i)) {
      tokens.push({ t: 'or', at });
      i += 2;
      continue;
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new InvalidConditionError('unterminated string', at);
      tokens.push({ t: 'string', value: text.slice(i + 1, end), at });
      i = end + 1;
      continue;
    } else if (c === '@') {
      const m = /^@([A-Za-z]+)\[([^\]]*)\]/.exec(text.slice(i));
      if (!m) throw new InvalidConditionError('malformed attribute: expected @Source[name]', at);
      const source = SOURCES.find((s) => s.toLowerCase() === (m[1] as string).toLowerCase());
      if (!source) throw new InvalidConditionError(`unknown attribute source '@${m[1]}'`, at);
      tokens.push({ t: 'attribute', source, name: (m[2] as string).trim(), at });
      i += m[0].length;
      continue;
    } else {
      const m = /^[A-Za-z0-9_:.\-/]+/.exec(text.slice(i));
      if (!m) throw new InvalidConditionError(`unexpected character '${c}'`, at);
      const word = m[0];
      const lower = word.toLowerCase();
      if (lower === 'and') tokens.push({ t: 'and', at });
      else if (lower === 'or') tokens.push({ t: 'or', at });
      else if (lower === 'not') tokens.push({ t: 'not', at });
      else tokens.push({ t: 'word', value: word, at });
      i += word.length;
      continue;
    }
    i++;
  }
  return tokens;
}

class Parser {
  private i = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly length: number,
  ) {}

  parse(): Condition {
    if (this.tokens.length === 0) throw new InvalidConditionError('the condition is empty', 0);
    const c = this.or();
    const rest = this.tokens[this.i];
    if (rest) throw new InvalidConditionError(`unexpected '${describe(rest)}' after a complete expression`, rest.at);
    return c;
  }

  private peek(): Token | undefined {
    return this.tokens[this.i];
  }

  private next(what: string): Token {
    const t = this.tokens[this.i++];
    if (!t) throw new InvalidConditionError(`expected ${what} but the condition ended`, this.length);
    return t;
  }

  private or(): Condition {
    let left = this.and();
    while (this.peek()?.t === 'or') {
      this.i++;
      left = { kind: 'or', left, right: this.and() };
    }
    return left;
  }

  private and(): Condition {
    let left = this.unary();
    while (this.peek()?.t === 'and') {
      this.i++;
      left = { kind: 'and', left, right: this.unary() };
    }
    return left;
  }

  private unary(): Condition {
    const t = this.next('an expression');
    if (t.t === 'not') return { kind: 'not', operand: this.unary() };
    if (t.t === 'lparen') {
      const inner = this.or();
      const close = this.next("')'");
      if (close.t !== 'rparen') throw new InvalidConditionError(`expected ')' but found '${describe(close)}'`, close.at);
      return inner;
    }
    if (t.t === 'word' && /^(ActionMatches|SubOperationMatches)$/i.test(t.value)) {
      const open = this.next("'{'");
      if (open.t !== 'lbrace') throw new InvalidConditionError(`expected '{' after ${t.value}`, open.at);
      const pattern = this.next('a quoted action');
      if (pattern.t !== 'string') throw new InvalidConditionError(`${t.value} takes a quoted action name`, pattern.at);
      const close = this.next("'}'");
      if (close.t !== 'rbrace') throw new InvalidConditionError(`expected '}' after the action of ${t.value}`, close.at);
      return { kind: 'actionMatches', pattern: pattern.value, subOperation: /^Sub/i.test(t.value) };
    }
    if (t.t === 'attribute') return this.comparison(t);
    throw new InvalidConditionError(`unexpected '${describe(t)}'`, t.at);
  }

  private comparison(attribute: Extract<Token, { t: 'attribute' }>): Condition {
    const known = KNOWN_ATTRIBUTES[attribute.source].find((a) => a.toLowerCase() === attribute.name.toLowerCase());
    if (!known) throw new InvalidConditionError(`attribute @${attribute.source}[${attribute.name}] is not supported for role assignment conditions`, attribute.at);
    const op = this.next('an operator');
    if (op.t !== 'word') throw new InvalidConditionError(`expected an operator after @${attribute.source}[${attribute.name}]`, op.at);
    const parts = op.value.split(':');
    let quantifier: Quantifier | undefined;
    let operatorText: string;
    if (parts.length === 2) {
      quantifier = QUANTIFIERS.find((q) => q.toLowerCase() === (parts[0] as string).toLowerCase());
      if (!quantifier) throw new InvalidConditionError(`unknown quantifier '${parts[0]}'`, op.at);
      operatorText = parts[1] as string;
    } else if (parts.length === 1) {
      operatorText = parts[0] as string;
    } else {
      throw new InvalidConditionError(`malformed operator '${op.value}'`, op.at);
    }
    const operator = OPERATORS.find((o) => o.toLowerCase() === operatorText.toLowerCase());
    if (!operator) throw new InvalidConditionError(`unknown operator '${operatorText}'`, op.at);
    const { values, isSet, at } = this.value();
    if (isSet && quantifier === undefined) throw new InvalidConditionError(`a set of values needs a cross-product operator (ForAnyOfAnyValues:${operator}, …)`, at);
    if (operator.startsWith('Guid')) {
      const bad = values.find((v) => !GUID.test(v));
      if (bad !== undefined) throw new InvalidConditionError(`'${bad}' is not a GUID (operator ${operator})`, at);
    }
    return { kind: 'compare', source: attribute.source, attribute: known, quantifier, operator, values, isSet };
  }

  private value(): { values: string[]; isSet: boolean; at: number } {
    const t = this.next('a value');
    if (t.t === 'string') return { values: [t.value], isSet: false, at: t.at };
    if (t.t === 'word') return { values: [t.value], isSet: false, at: t.at };
    if (t.t !== 'lbrace') throw new InvalidConditionError(`expected a value but found '${describe(t)}'`, t.at);
    const values: string[] = [];
    for (;;) {
      const v = this.next('a value or }');
      if (v.t === 'string' || v.t === 'word') values.push(v.value);
      else throw new InvalidConditionError(`expected a value in the set but found '${describe(v)}'`, v.at);
      const sep = this.next("',' or '}'");
      if (sep.t === 'rbrace') break;
      if (sep.t !== 'comma') throw new InvalidConditionError(`expected ',' or '}' but found '${describe(sep)}'`, sep.at);
    }
    return { values, isSet: true, at: t.at };
  }
}

function describe(t: Token): string {
  switch (t.t) {
    case 'lparen':
      return '(';
    case 'rparen':
      return ')';
    case 'lbrace':
      return '{';
    case 'rbrace':
      return '}';
    case 'comma':
      return ',';
    case 'not':
      return '!';
    case 'and':
      return 'AND';
    case 'or':
      return 'OR';
    case 'string':
      return `'${t.value}'`;
    case 'attribute':
      return `@${t.source}[${t.name}]`;
    case 'word':
      return t.value;
  }
}

/** Parses a condition; throws {@link InvalidConditionError} naming what and where. */
export function parseCondition(text: string): Condition {
  return new Parser(tokenize(text), text.length).parse();
}

function likeToRegExp(pattern: string): RegExp {
  return new RegExp('^' + pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\/]/g, '\\$&')).join('.*') + '$', 's');
}

function compareOne(operator: BaseOperator, attribute: string, value: string): boolean {
  switch (operator) {
    case 'StringEquals':
      return attribute === value;
    case 'StringNotEquals':
      return attribute !== value;
    case 'StringEqualsIgnoreCase':
      return attribute.toLowerCase() === value.toLowerCase();
    case 'StringNotEqualsIgnoreCase':
      return attribute.toLowerCase() !== value.toLowerCase();
    case 'StringLike':
      return likeToRegExp(value).test(attribute);
    case 'StringNotLike':
      return !likeToRegExp(value).test(attribute);
    case 'StringStartsWith':
      return attribute.startsWith(value);
    case 'StringNotStartsWith':
      return !attribute.startsWith(value);
    case 'GuidEquals':
      return attribute.toLowerCase() === value.toLowerCase();
    case 'GuidNotEquals':
      return attribute.toLowerCase() !== value.toLowerCase();
  }
}

/** RBAC action pattern match, case-insensitive, `*` wildcards. */
function actionPatternMatches(pattern: string, action: string): boolean {
  return new RegExp('^' + pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\/]/g, '\\$&')).join('.*') + '$', 'i').test(action);
}

function attributeValues(ctx: ConditionContext, source: AttributeSource, name: string): readonly string[] {
  const bag = source === 'Request' ? ctx.request : source === 'Resource' ? ctx.resource : source === 'Principal' ? ctx.principal : undefined;
  if (!bag) return [];
  const key = Object.keys(bag).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? [] : (bag[key] ?? []);
}

/**
 * Evaluates a parsed condition. An attribute the request does not carry has no values: a
 * `ForAnyOf…` comparison on it is false, a `ForAllOf…` one vacuously true, a plain one false.
 */
export function evaluateCondition(condition: Condition, ctx: ConditionContext): boolean {
  switch (condition.kind) {
    case 'and':
      return evaluateCondition(condition.left, ctx) && evaluateCondition(condition.right, ctx);
    case 'or':
      return evaluateCondition(condition.left, ctx) || evaluateCondition(condition.right, ctx);
    case 'not':
      return !evaluateCondition(condition.operand, ctx);
    case 'actionMatches':
      return actionPatternMatches(condition.pattern, ctx.action);
    case 'compare': {
      const attrs = attributeValues(ctx, condition.source, condition.attribute);
      const test = (a: string, v: string): boolean => compareOne(condition.operator, a, v);
      const vs = condition.values;
      switch (condition.quantifier) {
        case undefined:
          return attrs.length === 1 && test(attrs[0] as string, vs[0] as string);
        case 'ForAnyOfAnyValues':
          return attrs.some((a) => vs.some((v) => test(a, v)));
        case 'ForAllOfAnyValues':
          return attrs.every((a) => vs.some((v) => test(a, v)));
        case 'ForAnyOfAllValues':
          return attrs.some((a) => vs.every((v) => test(a, v)));
        case 'ForAllOfAllValues':
          return attrs.every((a) => vs.every((v) => test(a, v)));
      }
    }
  }
}

/** The actions whose authorization evaluates role assignment conditions in the emulator. */
export const CONDITIONED_ACTIONS: readonly string[] = ['Microsoft.Authorization/roleAssignments/write', 'Microsoft.Authorization/roleAssignments/delete'];

export function isConditionedAction(action: string): boolean {
  return CONDITIONED_ACTIONS.some((a) => a.toLowerCase() === action.toLowerCase());
}
