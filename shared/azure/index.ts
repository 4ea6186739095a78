/** The Azure side of vaultlink: the ports reconcile talks to, their SDK adapters, and error classification. */
export * from './ports';
export * from './errors';
export { createAzureClients, USER_AGENT_PREFIX, SUBSCRIPTIONS_API_VERSION, type AzureClients, type CreateAzureClientsOptions, type RetryOptions } from './clients';
export { MalformedResponseError } from './mappers';
export { ARM_READ_BUDGET, readBudgetPolicy, type ReadBudget } from './read-budget';
export { withArmCorrelationId, armCorrelationPolicy } from './correlation';
