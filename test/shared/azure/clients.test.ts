/**
 * The client factory's pipeline, seen from the server side: a bare HTTPS server (the emulator's
 * certificate) records what the SDK sends — user agent, token audience, retries after Retry-After.
 */
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';
import { createAzureClients, SUBSCRIPTIONS_API_VERSION, USER_AGENT_PREFIX } from '../../../shared/azure';
import { emulatorCertificate } from '../../../emulator';
import packageJson from '../../../package.json';

const SUBSCRIPTION = '11111111-2222-3333-4444-555555555555';
const TENANT = '99999999-8888-7777-6666-555555555555';

class RecordingCredential implements TokenCredential {
  readonly scopes: string[][] = [];
  async getToken(scopes: string | string[], _options?: GetTokenOptions): Promise<AccessToken> {
    this.scopes.push(Array.isArray(scopes) ? scopes : [scopes]);
    return { token: 'token-for-test', expiresOnTimestamp: Date.now() + 3600_000 };
  }
}

describe('createAzureClients', () => {
  let server: https.Server;
  let endpoint: string;
  let ca: string;
  const seen: { url: string; userAgent: string; authorization: string }[] = [];
  // Answers queued per request; default 200 with the subscription.
  const answers: { status: number; headers?: Record<string, string> }[] = [];

  beforeAll(async () => {
    const { key, cert } = await emulatorCertificate();
    ca = cert;
    server = https.createServer({ key, cert }, (req, res) => {
      seen.push({ url: req.url ?? '', userAgent: String(req.headers['user-agent'] ?? ''), authorization: String(req.headers['authorization'] ?? '') });
      const answer = answers.shift() ?? { status: 200 };
      res.writeHead(answer.status, { 'content-type': 'application/json', ...(answer.headers ?? {}) });
      res.end(answer.status === 200 ? JSON.stringify({ id: `/subscriptions/${SUBSCRIPTION}`, subscriptionId: SUBSCRIPTION, tenantId: TENANT }) : JSON.stringify({ error: { code: 'Busy', message: 'try later' } }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    seen.length = 0;
    answers.length = 0;
  });

  describe('#subscriptions.getSubscriptionTenantId', () => {
    it('sends a vaultlink user agent and asks tokens for the cloud ARM audience', async () => {
      const credential = new RecordingCredential();
      const azure = createAzureClients({ cloud: 'AzureUSGovernment', credential, armEndpoint: endpoint, ca });
      await expect(azure.subscriptions.getSubscriptionTenantId(SUBSCRIPTION)).resolves.toBe(TENANT);
      expect(seen).toHaveLength(1);
      expect(seen[0]?.url).toBe(`/subscriptions/${SUBSCRIPTION}?api-version=${SUBSCRIPTIONS_API_VERSION}`);
      expect(seen[0]?.userAgent.startsWith(`vaultlink/${packageJson.version} `)).toBe(true);
      expect(USER_AGENT_PREFIX).toBe(`vaultlink/${packageJson.version}`);
      expect(seen[0]?.authorization).toBe('Bearer token-for-test');
      expect(credential.scopes).toContainEqual(['https://management.usgovcloudapi.net/.default']);
    });

    it('retries a 429 after its Retry-After and then succeeds', async () => {
      answers.push({ status: 429, headers: { 'retry-after-ms': '10' } }, { status: 503, headers: { 'retry-after-ms': '10' } });
      const azure = createAzureClients({ cloud: 'AzurePublicCloud', credential: new RecordingCredential(), armEndpoint: endpoint, ca, retry: { retryDelayInMs: 5, maxRetryDelayInMs: 10 } });
      await expect(azure.subscriptions.getSubscriptionTenantId(SUBSCRIPTION)).resolves.toBe(TENANT);
      expect(seen).toHaveLength(3);
    });

    it('wraps a final failure with the operation and the subscription', async () => {
      answers.push({ status: 400 });
      const azure = createAzureClients({ cloud: 'AzurePublicCloud', credential: new RecordingCredential(), armEndpoint: endpoint, ca });
      await expect(azure.subscriptions.getSubscriptionTenantId(SUBSCRIPTION)).rejects.toThrow(`reading subscription /subscriptions/${SUBSCRIPTION}: Busy: try later`);
    });
  });
});
