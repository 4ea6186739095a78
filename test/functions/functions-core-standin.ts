/**
 * A stand-in for `@azure/functions-core`, the module the Functions host's Node.js worker provides
 * to `@azure/functions` (the narrowest seam between the library and the host). With it, the real
 * `@azure/functions` leaves test mode and registers through it, so a test sees exactly the
 * metadata (bindings) and handlers the host would receive.
 */
export interface CoreBinding {
  readonly type: string;
  readonly direction: string;
  readonly [field: string]: unknown;
}

export interface CoreRegistration {
  readonly metadata: { readonly name: string; readonly bindings: Readonly<Record<string, CoreBinding>>; readonly [field: string]: unknown };
  readonly handler: (...args: unknown[]) => unknown;
}

/** The module's source, for a bundle loaded from disk (written as node_modules/@azure/functions-core/index.js). */
export const STAND_IN_CORE_SOURCE = `'use strict';
const registrations = [];
module.exports = {
  registrations,
  programmingModel: undefined,
  setProgrammingModel(model) { module.exports.programmingModel = model; },
  registerFunction(metadata, handler) { registrations.push({ metadata, handler }); return { dispose() {} }; },
  hooks: [],
  registerHook(name) { module.exports.hooks.push(name); return { dispose() {} }; },
  log() {},
};
`;

/** A hook callback as the worker calls it (`preInvocation`, `log`, …), with the worker's context object. */
export type CoreHookCallback = (context: Record<string, unknown>) => unknown;

export interface StandInCore {
  readonly registrations: CoreRegistration[];
  /** Hooks registered through `app.hook.*`, by hook name, in registration order (disposed ones removed). */
  readonly hooks: Map<string, CoreHookCallback[]>;
  setProgrammingModel(model: unknown): void;
  registerFunction(metadata: CoreRegistration['metadata'], handler: CoreRegistration['handler']): { dispose(): void };
  registerHook(name: string, callback: CoreHookCallback): { dispose(): void };
  log(): void;
}

export function createStandInCore(): StandInCore {
  const registrations: CoreRegistration[] = [];
  const hooks = new Map<string, CoreHookCallback[]>();
  return {
    registrations,
    hooks,
    setProgrammingModel: () => undefined,
    registerFunction: (metadata, handler) => {
      registrations.push({ metadata, handler });
      return { dispose: () => undefined };
    },
    registerHook: (name, callback) => {
      const list = hooks.get(name) ?? [];
      list.push(callback);
      hooks.set(name, list);
      return { dispose: () => void list.splice(list.indexOf(callback), 1) };
    },
    log: () => undefined,
  };
}

/** The trigger binding of a registration. */
export function triggerOf(r: CoreRegistration): CoreBinding {
  const found = Object.values(r.metadata.bindings).find((b) => /trigger$/i.test(b.type));
  if (found === undefined) throw new Error(`registration ${r.metadata.name} has no trigger binding`);
  return found;
}
