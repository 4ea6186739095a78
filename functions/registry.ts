/**
 * The table of every function vaultlink registers: each workflow module declares its functions
 * here (a name, a kind, the options it gives the host), and the entry point (functions/index.ts)
 * walks the table once, registering each through `app.*` or `df.app.*` — the library's own API,
 * never patched.
 *
 * The table is also how code without a Functions host reaches the handlers: on machines without a
 * host `@azure/functions` runs in test mode and keeps no registrations, so tests and the local
 * driver (functions/local) look them up here. For orchestrations they get what `df.app.orchestration`
 * hands the host: the library's replay engine (`createOrchestrator`) wrapped around our generator.
 */
import { app, type EventGridFunctionOptions, type FunctionHandler, type HttpFunctionOptions, type TimerFunctionOptions } from '@azure/functions';
import * as df from 'durable-functions';
import type { ActivityOptions, OrchestrationHandler } from 'durable-functions';
import { runInInvocation } from './log';

export type RegisteredFunctionKind = 'orchestration' | 'activity' | 'eventGrid' | 'timer' | 'http';

/** One row of the table: exactly what the entry point passes to `app.*` / `df.app.*`. */
export type FunctionDeclaration =
  | { readonly kind: 'orchestration'; readonly name: string; readonly orchestrator: OrchestrationHandler }
  | { readonly kind: 'activity'; readonly name: string; readonly options: ActivityOptions }
  | { readonly kind: 'eventGrid'; readonly name: string; readonly options: EventGridFunctionOptions }
  | { readonly kind: 'timer'; readonly name: string; readonly options: TimerFunctionOptions }
  | { readonly kind: 'http'; readonly name: string; readonly options: HttpFunctionOptions };

export interface RegisteredFunction {
  readonly name: string;
  readonly kind: RegisteredFunctionKind;
  /** The handler the host would call (for orchestrations: the replay engine's entry point). */
  readonly handler: FunctionHandler;
  readonly declaration: FunctionDeclaration;
}

// durable-functions' own factory of the orchestrator handler (what df.app.orchestration registers).
// It is not in the package's typings, hence the narrow declaration.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createOrchestrator } = require('durable-functions/lib/src/util/testingUtils') as { createOrchestrator: (fn: OrchestrationHandler) => FunctionHandler };

const declared = new Map<string, RegisteredFunction>();

/** The handler with its invocation as the target of deeper code's logs (functions/log.ts). Orchestrators log through their own context, only when not replaying. */
function inInvocation(handler: FunctionHandler): FunctionHandler {
  return (trigger, context) => runInInvocation(context, () => handler(trigger, context));
}

/** Adds a function to the table (at module load of its workflow); a name may appear once. */
export function declareFunction(declaration: FunctionDeclaration): void {
  if (declared.has(declaration.name)) throw new Error(`function ${JSON.stringify(declaration.name)} is declared twice`);
  const handler = declaration.kind === 'orchestration' ? createOrchestrator(declaration.orchestrator) : inInvocation(declaration.options.handler as FunctionHandler);
  declared.set(declaration.name, { name: declaration.name, kind: declaration.kind, handler, declaration });
}

/** Every function declared so far (after importing functions/workflows.ts: all of them). */
export function registeredFunctions(): ReadonlyMap<string, RegisteredFunction> {
  return declared;
}

/** The function named `name`; throws naming the known ones when there is none. */
export function getRegisteredFunction(name: string, kind?: RegisteredFunctionKind): RegisteredFunction {
  const found = declared.get(name);
  if (found === undefined || (kind !== undefined && found.kind !== kind)) {
    throw new Error(`no ${kind ?? 'function'} named ${JSON.stringify(name)} is registered (registered: ${[...declared.keys()].join(', ') || 'none'})`);
  }
  return found;
}

/** Registers one declaration with the host through the library's API. */
function registerWithHost(fn: RegisteredFunction): void {
  const d = fn.declaration;
  switch (d.kind) {
    case 'orchestration':
      df.app.orchestration(d.name, d.orchestrator);
      return;
    case 'activity':
      df.app.activity(d.name, { ...d.options, handler: fn.handler as ActivityOptions['handler'] });
      return;
    case 'eventGrid':
      app.eventGrid(d.name, { ...d.options, handler: fn.handler as EventGridFunctionOptions['handler'] });
      return;
    case 'timer':
      app.timer(d.name, { ...d.options, handler: fn.handler as TimerFunctionOptions['handler'] });
      return;
    case 'http':
      app.http(d.name, { ...d.options, handler: fn.handler as HttpFunctionOptions['handler'] });
      return;
  }
}

/**
 * Registers every declared function with the host. One registration that throws does not stop
 * the others: the failure is returned (and logged by the entry point), the rest stay up.
 */
export function registerDeclaredFunctions(): { registered: string[]; failed: { name: string; error: unknown }[] } {
  const registered: string[] = [];
  const failed: { name: string; error: unknown }[] = [];
  for (const fn of declared.values()) {
    try {
      registerWithHost(fn);
      registered.push(fn.name);
    } catch (error) {
      failed.push({ name: fn.name, error });
    }
  }
  return { registered, failed };
}
