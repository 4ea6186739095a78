/**
 * The client factory: the real adapters on the `@azure/arm-*` clients, one SDK client per
 * (provider, subscription), all sharing one credential and one set of pipeline options.
 *
 * - Credential: `DefaultAzureCredential` (the Function App's managed identity in Azure) unless one
 *   is given (tests give the emulator's).
 * - Endpoint: the cloud's ARM endpoint, or `armEndpoint` (the embedded emulator); tokens are
 *   always asked for the cloud's ARM audience.
 * - Retries: the SDK's default retry policy (429/503 after `Retry-After`, 408/5xx and dropped
 *   connections with exponential back-off); tests may shorten its delays.
 * - User agent: `vaultlink/<version>` before the SDK's own.
 * - Correlation: the id of `withArmCorrelationId`'s context, when there is one (correlation.ts).
 * - `ca`: the emulator's self-signed certificate (bearer-token clients refuse plain http).
 */
import { AuthorizationManagementClient } from '@azure/arm-authorization';
import { NetworkManagementClient } from '@azure/arm-network';
import { PrivateDnsManagementClient } from '@azure/arm-privatedns';
import { RecoveryServicesClient } from '@azure/arm-recoveryservices';
import { RecoveryServicesBackupClient } from '@azure/arm-recoveryservicesbackup';
import { ServiceClient, type CommonClientOptions } from '@azure/core-client';
import { createPipelineRequest, RestError } from '@azure/core-rest-pipeline';
import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import packageJson from '../../package.json';
import { ARM_ENDPOINTS } from '../config/settings';
import type { AzureCloud } from '../domain/dns';
import { subscriptionResourceId } from '../domain/ids';
import { SdkAuthorizationAdapter } from './authorization';
import { armCorrelationPolicy } from './correlation';
import { readOrUndefined } from './errors';
import { SdkNetworkAdapter } from './network';
import type { AzurePorts, SubscriptionPort } from './ports';
import { SdkPrivateDnsAdapter } from './private-dns';
import { SdkRecoveryServicesAdapter } from './recovery-services';
import { readBudgetPolicy, type ReadBudget } from './read-budget';

/** `vaultlink/<version>`: leads the User-Agent of every request, so ARM's logs show who called. */
export const USER_AGENT_PREFIX = `vaultlink/${packageJson.version}`;

/** api-version of `GET /subscriptions/{id}` (Microsoft.Resources). */
export const SUBSCRIPTIONS_API_VERSION = '2022-12-01';

export interface RetryOptions {
  /** Default 3 (the SDK's). */
  readonly maxRetries?: number;
  /** First back-off delay; default 1000 ms (the SDK's). A `Retry-After` header wins. */
  readonly retryDelayInMs?: number;
  /** Default 64000 ms (the SDK's). */
  readonly maxRetryDelayInMs?: number;
}

export interface CreateAzureClientsOptions {
  readonly cloud: AzureCloud;
  /** Default: `DefaultAzureCredential` (with {@link managedIdentityClientId} when given). */
  readonly credential?: TokenCredential;
  /** Client id of a user-assigned managed identity for `DefaultAzureCredential`. */
  readonly managedIdentityClientId?: string;
  /** Overrides the cloud's ARM endpoint (https only), e.g. the emulator's `https://127.0.0.1:PORT/`. */
  readonly armEndpoint?: string;
  /** PEM certificate(s) to trust besides the system's (the emulator's self-signed one). */
  readonly ca?: string | Buffer;
  /** Poll interval of long-running operations; default the SDK's (2 s, or what ARM's Retry-After says). */
  readonly pollIntervalMs?: number;
  readonly retry?: RetryOptions;
  /**
   * Pace GETs to a token bucket per subscription (read-budget.ts) instead of earning 429s:
   * `ARM_READ_BUDGET` in Azure. Default: none (tests and tools that read little).
   */
  readonly readBudget?: ReadBudget;
}

/** The ports plus what they were built with (for logs). */
export interface AzureClients extends AzurePorts {
  readonly endpoint: string;
  readonly cloud: AzureCloud;
}

/** Lazily creates and keeps one SDK client per subscription. */
class PerSubscription<T> {
  private readonly clients = new Map<string, T>();
  constructor(private readonly create: (subscriptionId: string) => T) {}
  get(subscriptionId: string): T {
    const key = subscriptionId.toLowerCase();
    let client = this.clients.get(key);
    if (client === undefined) {
      client = this.create(subscriptionId);
      this.clients.set(key, client);
    }
    return client;
  }
}

/** Reads a subscription's tenant with a plain GET through the same pipeline (no subscriptions client is installed). */
class PipelineSubscriptionAdapter implements SubscriptionPort {
  constructor(
    private readonly client: ServiceClient,
    private readonly endpoint: string,
  ) {}

  async getSubscriptionTenantId(subscriptionId: string): Promise<string | undefined> {
    const id = subscriptionResourceId(subscriptionId);
    const body = await readOrUndefined('reading subscription', id, async () => {
      const request = createPipelineRequest({ url: `${this.endpoint}${id}?api-version=${SUBSCRIPTIONS_API_VERSION}`, method: 'GET' });
      request.headers.set('Accept', 'application/json');
      const response = await this.client.sendRequest(request);
      const parsed: unknown = response.bodyAsText ? JSON.parse(response.bodyAsText) : undefined;
      if (response.status !== 200) {
        // Same shape as the generated clients' errors, so errors.ts classifies it the same way.
        const error = (parsed as { error?: { code?: string; message?: string } } | undefined)?.error;
        throw new RestError(error?.message ?? `GET ${id} answered ${response.status}`, { code: error?.code, statusCode: response.status, request, response });
      }
      return parsed as { tenantId?: unknown };
    });
    return typeof body?.tenantId === 'string' && body.tenantId.length > 0 ? body.tenantId : undefined;
  }
}

/** Creates the ports on the real SDK clients. */
export function createAzureClients(options: CreateAzureClientsOptions): AzureClients {
  const cloudEndpoint = ARM_ENDPOINTS[options.cloud];
  if (cloudEndpoint === undefined) throw new Error(`unknown Azure cloud: ${String(options.cloud)}`);
  const endpointUrl = new URL(options.armEndpoint ?? cloudEndpoint);
  if (endpointUrl.protocol !== 'https:') throw new Error(`the ARM endpoint must be https (bearer tokens are never sent in clear): ${endpointUrl.href}`);
  // The generated clients append paths that start with "/".
  const endpoint = endpointUrl.href.replace(/\/+$/, '');
  const credential = options.credential ?? new DefaultAzureCredential(options.managedIdentityClientId ? { managedIdentityClientId: options.managedIdentityClientId } : {});

  const common: CommonClientOptions & { endpoint: string; $host: string; credentialScopes: string[] } = {
    endpoint,
    $host: endpoint,
    // Tokens for the cloud's ARM audience, whatever endpoint serves the calls.
    credentialScopes: [`${cloudEndpoint.replace(/\/+$/, '')}/.default`],
    userAgentOptions: { userAgentPrefix: USER_AGENT_PREFIX },
    retryOptions: { ...options.retry },
    additionalPolicies: [
      { policy: armCorrelationPolicy(), position: 'perCall' as const },
      // one policy instance, so every client of this factory draws from the same buckets
      ...(options.readBudget !== undefined ? [{ policy: readBudgetPolicy(options.readBudget), position: 'perRetry' as const }] : []),
    ],
    ...(options.ca !== undefined ? { tlsOptions: { ca: options.ca } } : {}),
  };

  const recoveryServices = new PerSubscription((s) => new RecoveryServicesClient(credential, s, common));
  const backup = new PerSubscription((s) => new RecoveryServicesBackupClient(credential, s, common));
  const network = new PerSubscription((s) => new NetworkManagementClient(credential, s, common));
  const privateDns = new PerSubscription((s) => new PrivateDnsManagementClient(credential, s, common));
  const authorization = new PerSubscription((s) => new AuthorizationManagementClient(credential, s, common));
  const resources = new ServiceClient({ ...common, credential });

  return {
    endpoint,
    cloud: options.cloud,
    recoveryServices: new SdkRecoveryServicesAdapter({ recoveryServices: (s) => recoveryServices.get(s), backup: (s) => backup.get(s) }, options.pollIntervalMs),
    network: new SdkNetworkAdapter({ network: (s) => network.get(s) }),
    privateDns: new SdkPrivateDnsAdapter({ privateDns: (s) => privateDns.get(s) }, options.pollIntervalMs),
    authorization: new SdkAuthorizationAdapter({ authorization: (s) => authorization.get(s) }),
    subscriptions: new PipelineSubscriptionAdapter(resources, endpoint),
  };
}
