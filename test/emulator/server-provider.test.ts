import { armErrors, type EmulatorProvider } from '../../emulator';
import type { JsonObject } from '../../emulator/arm';
import { armRequest, errorCode, newPrincipalId, pollUntilDone, startTestEmulator, type Emulator } from './helpers';

const API = 'api-version=2023-01-01';
const WIDGETS = '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Test/widgets/{widgetName}';

interface WidgetExports {
  /** Creates a widget as another principal, the way Azure Backup writes with the vault identity. */
  createAs(principalId: string, path: string): Promise<{ status: number; body: unknown }>;
}

/** A provider written the way emulator/README.md tells C2 and C3 to write theirs. */
const widgetProvider: EmulatorProvider<WidgetExports> = {
  name: 'widgets',
  register(api) {
    api.route('GET', WIDGETS, (ctx) => {
      const stored = api.store.get(ctx.resourceId as string);
      if (!stored) throw armErrors.resourceNotFound('Microsoft.Test/widgets', ctx.params['widgetName'] as string, ctx.params['resourceGroupName']);
      return { status: 200, body: { ...stored.resource, etag: stored.etag } };
    });
    api.route('PUT', WIDGETS, (ctx) => {
      const body = ctx.requireBody();
      const id = ctx.resourceId as string;
      const resource = (state: string): JsonObject => ({ id, name: ctx.params['widgetName'] as string, type: 'Microsoft.Test/widgets', properties: { ...(body['properties'] as JsonObject), provisioningState: state } });
      api.store.put(id, resource('Updating'), { principalId: ctx.caller.principalId });
      return ctx.longRunning({
        body: resource('Updating'),
        complete: () => {
          if ((body['properties'] as JsonObject | undefined)?.['fail'] === true) throw armErrors.badRequest('WidgetBroken', 'The widget could not be built.');
          return api.store.put(id, resource('Succeeded')).resource;
        },
      });
    });
    api.route('DELETE', WIDGETS, (ctx) => {
      if (!api.store.delete(ctx.resourceId as string)) return { status: 204 };
      return { status: 200 };
    });
    // A POST whose events the handler names itself.
    api.route('POST', `${WIDGETS}/polish`, (ctx) => ({ status: 200, body: { polished: true }, events: [{ kind: 'write', resourceId: ctx.resourceId as string }] }));
    api.controlRoute('POST', 'widgets/count', () => ({ status: 200, body: { count: api.store.list({ type: 'Microsoft.Test/widgets' }).length } }));
    return {
      createAs: (principalId, path) => api.invoke({ principalId, tenantId: api.tenantId }, 'PUT', path, { properties: { size: 1 } }),
    };
  },
};

describe('ArmEngine with a provider', () => {
  let emulator: Emulator;
  let rg: string;
  beforeAll(async () => {
    emulator = await startTestEmulator({ providers: [widgetProvider] });
    rg = emulator.control.createResourceGroup(emulator.subscriptionId, 'rg-widgets', 'westeurope').id;
  });
  afterAll(() => emulator.close());
  beforeEach(() => {
    emulator.events.clear();
    emulator.writes.reset();
  });

  describe('#longRunning', () => {
    it('answers 201 with Azure-AsyncOperation and Location, InProgress once, then Succeeded, then emits the write event', async () => {
      const path = `${rg}/providers/Microsoft.Test/widgets/w1?${API}`;
      const put = await armRequest(emulator, { method: 'PUT', path, body: { properties: { size: 3 } } });
      expect(put.status).toBe(201);
      expect(put.body).toMatchObject({ properties: { provisioningState: 'Updating' } });
      const asyncUrl = new URL(put.headers['azure-asyncoperation'] as string);
      expect(put.headers['location']).toMatch(/^https:\/\/127\.0\.0\.1/);
      const first = await armRequest(emulator, { path: asyncUrl.pathname + asyncUrl.search });
      expect(first.body).toMatchObject({ status: 'InProgress' });
      expect(emulator.events.published()).toHaveLength(0); // not before the operation succeeds
      const done = await pollUntilDone(emulator, asyncUrl.href);
      expect(done.body).toMatchObject({ status: 'Succeeded' });
      expect((await armRequest(emulator, { path })).body).toMatchObject({ properties: { size: 3, provisioningState: 'Succeeded' } });
      expect(emulator.events.published().map((e) => e.data['operationName'])).toEqual(['Microsoft.Test/widgets/write']);
    });

    it('reports Failed with the ARM error when the completion throws, and emits only a ResourceWriteFailure', async () => {
      const put = await armRequest(emulator, { method: 'PUT', path: `${rg}/providers/Microsoft.Test/widgets/w-bad?${API}`, body: { properties: { fail: true } } });
      const done = await pollUntilDone(emulator, put.headers['azure-asyncoperation'] as string);
      expect(done.body).toMatchObject({ status: 'Failed', error: { code: 'WidgetBroken' } });
      const viaLocation = await pollUntilDone(emulator, put.headers['location'] as string);
      expect(viaLocation.status).toBe(400);
      expect(errorCode(viaLocation)).toBe('WidgetBroken');
      expect(emulator.events.published().map((e) => [e.eventType, e.data['status']])).toEqual([['Microsoft.Resources.ResourceWriteFailure', 'Failed']]);
    });

    it('completes pending operations on settleOperations()', async () => {
      await armRequest(emulator, { method: 'PUT', path: `${rg}/providers/Microsoft.Test/widgets/w-settle?${API}`, body: { properties: {} } });
      await emulator.control.settleOperations();
      expect(emulator.store.get(`${rg}/providers/Microsoft.Test/widgets/w-settle`)?.resource['properties']).toMatchObject({ provisioningState: 'Succeeded' });
    });
  });

  describe('#invoke', () => {
    it('runs a side-effect write as another principal through authorization, events and the write counter', async () => {
      const identity = newPrincipalId();
      const path = `${rg}/providers/Microsoft.Test/widgets/w-side`;
      const widgets = emulator.provider<WidgetExports>('widgets');
      const denied = await widgets.createAs(identity, path);
      expect(denied.status).toBe(403);
      expect((denied.body as { error: { code: string } }).error.code).toBe('AuthorizationFailed');

      emulator.control.grantRole({ role: 'Contributor', principalId: identity, scope: rg });
      const created = await widgets.createAs(identity, path);
      expect(created.status).toBe(200);
      expect(created.body).toMatchObject({ properties: { provisioningState: 'Succeeded' } });
      expect(emulator.store.get(path)?.createdBy).toBe(identity);
      const [event] = emulator.events.published();
      expect((event?.data['claims'] as Record<string, string>)['http://schemas.microsoft.com/identity/claims/objectidentifier']).toBe(identity);
      expect(emulator.writes.log().map((w) => [w.principalId, w.status, w.sideEffect])).toEqual([
        [identity, 403, true],
        [identity, 201, true],
      ]);
    });
  });

  describe('#handle', () => {
    it('uses the events a handler names, and derives `<type>/<verb>/action` for a POST', async () => {
      const r = await armRequest(emulator, { method: 'POST', path: `${rg}/providers/Microsoft.Test/widgets/w1/polish?${API}` });
      expect(r.status).toBe(200);
      expect(emulator.writes.log()[0]?.operation).toBe('Microsoft.Test/widgets/polish/action');
      expect(emulator.events.published().map((e) => [e.eventType, e.data['operationName']])).toEqual([['Microsoft.Resources.ResourceWriteSuccess', 'Microsoft.Test/widgets/write']]);
    });

    it('emits no delete event for a 204 (nothing existed)', async () => {
      const r = await armRequest(emulator, { method: 'DELETE', path: `${rg}/providers/Microsoft.Test/widgets/never?${API}` });
      expect(r.status).toBe(204);
      expect(emulator.events.published()).toHaveLength(0);
    });

    it('percent-decodes path segments before routing', async () => {
      const r = await armRequest(emulator, { path: `${rg}/providers/Microsoft.Test/widgets/w%31?${API}` });
      expect(r.status).toBe(200);
      expect((r.body as { name: string }).name).toBe('w1');
    });
  });

  describe('control API', () => {
    it('serves provider control routes and the framework ones without a token', async () => {
      expect((await armRequest(emulator, { method: 'POST', path: '/_emulator/widgets/count', principalId: null })).body).toEqual({ count: expect.any(Number) });
      const token = await armRequest(emulator, { method: 'POST', path: '/_emulator/tokens', principalId: null, body: { principalId: 'p-9' } });
      const asP9 = await armRequest(emulator, { path: `${rg}?${API}`, authorization: `Bearer ${(token.body as { token: string }).token}` });
      expect(asP9.status).toBe(403); // a valid token, no role
      const writes = await armRequest(emulator, { path: '/_emulator/writes', principalId: null });
      expect(writes.body).toMatchObject({ total: expect.any(Number), byPrincipal: expect.any(Object) });
      const missing = await armRequest(emulator, { path: '/_emulator/nothing-here', principalId: null });
      expect(missing.status).toBe(404);
    });

    it('adds and resets faults over HTTP', async () => {
      const added = await armRequest(emulator, { method: 'POST', path: '/_emulator/faults', principalId: null, body: { match: { operation: 'Microsoft.Test/*' }, fault: { kind: 'error', status: 503 } } });
      expect(added.status).toBe(201);
      expect((await armRequest(emulator, { path: `${rg}/providers/Microsoft.Test/widgets/w1?${API}` })).status).toBe(503);
      expect((await armRequest(emulator, { method: 'DELETE', path: '/_emulator/faults', principalId: null })).status).toBe(204);
      expect((await armRequest(emulator, { path: `${rg}/providers/Microsoft.Test/widgets/w1?${API}` })).status).toBe(200);
    });
  });
});
