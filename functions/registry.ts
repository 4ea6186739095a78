/**
 * Every function vaultlink registers, by name, with the handler the Functions host would call.
 *
 * The host calls these handlers in Azure; on machines without a host, `@azure/functions` runs in
 * test mode and keeps no registrations, so tests and the local driver (functions/local) look the
 * handlers up here instead. Durable orchestrations and activities are captured from the very
 * options `durable-functions` passes to `app.generic`: the orchestrator's handler is the library's
 * replay engine wrapped around our generator, not a copy of it.
 */
import { app, type FunctionHandler, type GenericFunctionOptions } from '@azure/functions';

export type RegisteredFunctionKind = 'orchestration' | 'activity' | 'eventGrid' | 'timer' | 'http';

export interface RegisteredFunction {
  readonly name: string;
  readonly kind: RegisteredFunctionKind;
  /** The handler as registered with the host (for orchestrations: the replay engine's entry point). */
  readonly handler: FunctionHandler;
}

const registered = new Map<string, RegisteredFunction>();

/** The registrations made so far (functions/index.ts imports every workflow, so after importing it: all of them). */
export function registeredFunctions(): ReadonlyMap<string, RegisteredFunction> {
  return registered;
}

/** The registration of `name`; throws naming the known ones when there is none. */
export function getRegisteredFunction(name: string, kind?: RegisteredFunctionKind): RegisteredFunction {
  const found = registered.get(name);
  if (found === undefined || (kind !== undefined && found.kind !== kind)) {
    throw new Error(`no ${kind ?? 'function'} named ${JSON.stringify(name)} is registered (registered: ${[...registered.keys()].join(', ') || 'none'})`);
  }
  return found;
}

function remember(name: string, kind: RegisteredFunctionKind, handler: FunctionHandler): void {
  if (registered.has(name)) throw new Error(`function ${JSON.stringify(name)} is registered twice`);
  registered.set(name, { name, kind, handler });
}

/**
 * Runs a `durable-functions` registration (`df.app.orchestration`, `df.app.activity`) and keeps the
 * handler it hands to `app.generic`. `app.generic` is only swapped for the duration of the call.
 */
export function captureDurableRegistration(name: string, kind: 'orchestration' | 'activity', register: () => void): void {
  // `app` is the module's exports object; `generic` is a plain writable property there.
  const mutableApp = app as unknown as { generic: (functionName: string, options: GenericFunctionOptions) => void };
  const original = mutableApp.generic;
  let captured: GenericFunctionOptions | undefined;
  mutableApp.generic = (functionName, options) => {
    if (functionName === name) captured = options;
    original(functionName, options);
  };
  try {
    register();
  } finally {
    mutableApp.generic = original;
  }
  if (captured === undefined) throw new Error(`durable-functions did not register ${JSON.stringify(name)} through app.generic`);
  remember(name, kind, captured.handler);
}

/** Records a trigger function registered with `app.eventGrid`, `app.timer` or `app.http`. */
export function rememberTrigger(name: string, kind: 'eventGrid' | 'timer' | 'http', handler: FunctionHandler): void {
  remember(name, kind, handler);
}
