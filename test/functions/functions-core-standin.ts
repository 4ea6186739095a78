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
  registerHook() { return { dispose() {} }; },
  log() {},
};
`;

export interface StandInCore {
  readonly registrations: CoreRegistration[];
  setProgrammingModel(model: unknown): void;
  registerFunction(metadata: CoreRegistration['metadata'], handler: CoreRegistration['handler']): { dispose(): void };
  registerHook(): { dispose(): void };
  log(): void;
}

export function createStandInCore(): StandInCore {
  const registrations: CoreRegistration[] = [];
  return {
    registrations,
    setProgrammingModel: () => undefined,
    registerFunction: (metadata, handler) => {
      registrations.push({ metadata, handler });
      return { dispose: () => undefined };
    },
    registerHook: () => ({ dispose: () => undefined }),
    log: () => undefined,
  };
}

/** The trigger binding of a registration. */
export function triggerOf(r: CoreRegistration): CoreBinding {
  const found = Object.values(r.metadata.bindings).find((b) => /trigger$/i.test(b.type));
  if (found === undefined) throw new Error(`registration ${r.metadata.name} has no trigger binding`);
  return found;
}
