import * as https from 'node:https';
import { createAccessToken } from '../../emulator/auth';
import { armRequest, errorCode, newPrincipalId, startTestEmulator, type Emulator } from './helpers';

const API = 'api-version=2021-04-01';

describe('ArmServer', () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startTestEmulator();
  });
  afterAll(() => emulator.close());

  describe('#transport', () => {
    it('serves HTTPS on 127.0.0.1 with a certificate the given CA verifies', async () => {
      expect(emulator.endpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const r = await armRequest(emulator, { path: `/subscriptions/${emulator.subscriptionId}?${API}` });
      expect(r.status).toBe(200);
    });

    it('is refused by a client that does not trust the emulator CA', async () => {
      const url = new URL(emulator.endpoint);
      const failure = await new Promise<Error>((resolve) => {
        const req = https.request({ host: url.hostname, port: url.port, path: '/_emulator/health', agent: false }, () => resolve(new Error('connected')));
        req.on('error', resolve);
        req.end();
      });
      expect(failure.message).toMatch(/self.signed|certificate/i);
    });
  });

  describe('#authenticate', () => {
    it.each([
      ['no Authorization header', { principalId: null }],
      ['a Basic header', { authorization: 'Basic dXNlcjpwYXNz' }],
      ['a token that is not a JWT', { authorization: 'Bearer not-a-jwt' }],
      ['a JWT without oid', { authorization: `Bearer ${Buffer.from('{}').toString('base64url')}.${Buffer.from(JSON.stringify({ tid: 't' })).toString('base64url')}.` }],
      ['an expired token', { authorization: `Bearer ${createAccessToken({ principalId: 'p', tenantId: 't' }, Date.now() - 3 * 24 * 3600 * 1000)}` }],
    ])('answers 401 InvalidAuthenticationToken for %s', async (_name, auth) => {
      const r = await armRequest(emulator, { path: `/subscriptions/${emulator.subscriptionId}/resourcegroups?${API}`, ...auth });
      expect(r.status).toBe(401);
      expect(errorCode(r)).toBe('InvalidAuthenticationToken');
    });

    it('answers 401 InvalidAuthenticationTokenTenant for a token from another tenant', async () => {
      const token = createAccessToken({ principalId: emulator.ownerPrincipalId, tenantId: 'f0000000-0000-0000-0000-00000000000f' });
      const r = await armRequest(emulator, { path: `/subscriptions/${emulator.subscriptionId}/resourcegroups?${API}`, authorization: `Bearer ${token}` });
      expect(r.status).toBe(401);
      expect(errorCode(r)).toBe('InvalidAuthenticationTokenTenant');
    });
  });

  describe('#tenant move', () => {
    it('refuses tokens of the old tenant once a subscription moves, and accepts the new tenant', async () => {
      const moved = emulator.control.createSubscription();
      const newTenant = 'e0000000-0000-0000-0000-00000000000e';
      emulator.control.setSubscriptionTenant(moved, newTenant);
      const old = await armRequest(emulator, { path: `/subscriptions/${moved}/resourcegroups?${API}` });
      expect(old.status).toBe(401);
      expect(errorCode(old)).toBe('InvalidAuthenticationTokenTenant');
      const token = emulator.control.tokenFor(emulator.ownerPrincipalId, newTenant);
      const fresh = await armRequest(emulator, { path: `/subscriptions/${moved}/resourcegroups?${API}`, authorization: `Bearer ${token}` });
      expect(fresh.status).toBe(200);
    });
  });

  describe('#handle', () => {
    it('requires an api-version', async () => {
      const r = await armRequest(emulator, { path: `/subscriptions/${emulator.subscriptionId}/resourcegroups` });
      expect(r.status).toBe(400);
      expect(errorCode(r)).toBe('MissingApiVersionParameter');
    });

    it('accepts any api-version', async () => {
      for (const version of ['2019-05-01', '2099-01-01-preview']) {
        const r = await armRequest(emulator, { path: `/subscriptions/${emulator.subscriptionId}/resourcegroups?api-version=${version}` });
        expect(r.status).toBe(200);
      }
    });

    it('answers 404 SubscriptionNotFound for an unknown subscription', async () => {
      const r = await armRequest(emulator, { path: `/subscriptions/${newPrincipalId()}/resourcegroups?${API}` });
      expect(r.status).toBe(404);
      expect(errorCode(r)).toBe('SubscriptionNotFound');
    });

    it('collapses leading slashes and matches ids case-insensitively', async () => {
      emulator.control.createResourceGroup(emulator.subscriptionId, 'rg-Casing', 'westeurope');
      const r = await armRequest(emulator, { path: `//SUBSCRIPTIONS/${emulator.subscriptionId}/RESOURCEGROUPS/RG-CASING?${API}` });
      expect(r.status).toBe(200);
      expect((r.body as { name: string }).name).toBe('rg-Casing');
    });

    it('answers 404 for a path no provider serves', async () => {
      const r = await armRequest(emulator, { path: `/subscriptions/${emulator.subscriptionId}/providers/Microsoft.Nope/things/x?${API}` });
      expect(r.status).toBe(404);
      expect(errorCode(r)).toBe('InvalidResourceType');
    });

    it('answers 405 for a method the route does not serve', async () => {
      const r = await armRequest(emulator, { method: 'POST', path: `/subscriptions/${emulator.subscriptionId}/resourcegroups/rg-Casing?${API}` });
      expect(r.status).toBe(405);
    });

    it('answers 400 InvalidRequestContent for a body that is not JSON', async () => {
      const r = await armRequest(emulator, {
        method: 'PUT',
        path: `/subscriptions/${emulator.subscriptionId}/resourcegroups/rg-bad?${API}`,
        rawBody: '{"location": "westeurope",',
      });
      expect(r.status).toBe(400);
      expect(errorCode(r)).toBe('InvalidRequestContent');
    });

    it('answers 403 AuthorizationFailed to a principal without a role', async () => {
      const r = await armRequest(emulator, { path: `/subscriptions/${emulator.subscriptionId}/resourcegroups/rg-Casing?${API}`, principalId: newPrincipalId() });
      expect(r.status).toBe(403);
      expect(errorCode(r)).toBe('AuthorizationFailed');
      expect((r.body as { error: { message: string } }).error.message).toContain('Microsoft.Resources/subscriptions/resourceGroups/read');
    });
  });
});
