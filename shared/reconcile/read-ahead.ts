/**
 * Read-ahead for one observation: ports whose reads (`get…`, `list…`) are shared by identical
 * calls, so that observe can START a read as soon as its inputs are known and the code that needs
 * the answer later awaits the same request instead of sending another. Writes pass through.
 *
 * Scope: one observation (a new wrapper per `observeVault` call): nothing is kept across passes.
 * Keys compare arguments ignoring case, as ARM compares ids and names.
 */
import type { AzurePorts } from '../azure/ports';
import { armCaseKey } from '../domain/ids';

const READ_METHOD = /^(get|list)/;

export function withReadAhead(azure: AzurePorts): AzurePorts {
  const inFlight = new Map<string, Promise<unknown>>();
  const wrap = <T extends object>(portName: string, port: T): T =>
    new Proxy(port, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (typeof value !== 'function' || typeof prop !== 'string' || !READ_METHOD.test(prop)) return value;
        return (...args: unknown[]): Promise<unknown> => {
          // ARM's comparison, not toLowerCase(): two ids that differ by a Kelvin sign are two resources.
          const key = `${portName}.${prop}(${armCaseKey(JSON.stringify(args))})`;
          let read = inFlight.get(key);
          if (read === undefined) {
            read = (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
            // whoever awaits it sees a failure; a read started ahead and never awaited must not be "unhandled"
            read.catch(() => undefined);
            inFlight.set(key, read);
          }
          return read;
        };
      },
    });
  return {
    recoveryServices: wrap('recoveryServices', azure.recoveryServices),
    network: wrap('network', azure.network),
    privateDns: wrap('privateDns', azure.privateDns),
    authorization: wrap('authorization', azure.authorization),
    subscriptions: wrap('subscriptions', azure.subscriptions),
  };
}
