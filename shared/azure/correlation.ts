/**
 * ARM correlation ids for vaultlink's own writes. ARM keeps the `x-ms-correlation-request-id` a
 * client sends and hands it on in the Event Grid events of that request (`data.correlationId`),
 * the long-running operation's completion included. A vault pass sends one id with all of its
 * writes, so that the events its own writes raise can be told apart from everybody else's: the
 * orchestration skips their signals once a later observation covered those writes
 * (functions/vault-orchestration.ts), instead of observing the vault again for each of them.
 *
 * The id travels in an AsyncLocalStorage: the ports keep their signatures, and a call outside
 * {@link withArmCorrelationId} lets the SDK and ARM choose as before.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';

const CORRELATION_HEADER = 'x-ms-correlation-request-id';

const current = new AsyncLocalStorage<string>();

/** Runs `fn` with every ARM request it makes carrying `correlationId`. */
export function withArmCorrelationId<T>(correlationId: string, fn: () => Promise<T>): Promise<T> {
  return current.run(correlationId, fn);
}

/** The pipeline policy that sets the header from {@link withArmCorrelationId}'s context (a header already set is kept). */
export function armCorrelationPolicy(): PipelinePolicy {
  return {
    name: 'vaultlinkArmCorrelation',
    sendRequest: (request, next) => {
      const id = current.getStore();
      if (id !== undefined && !request.headers.has(CORRELATION_HEADER)) request.headers.set(CORRELATION_HEADER, id);
      return next(request);
    },
  };
}
