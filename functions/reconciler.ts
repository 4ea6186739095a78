/**
 * What functions/deps.ts loads at the first invocation that needs the reconciler: shared/reconcile
 * and the Azure SDK clients. A module of its own so that `npm run package` can bundle it into a file
 * of its own (dist/app/reconciler.js), which Node parses only then — at cold start the host parses
 * index.js alone.
 */
export * from '../shared/reconcile';
export { ARM_READ_BUDGET, createAzureClients } from '../shared/azure';
