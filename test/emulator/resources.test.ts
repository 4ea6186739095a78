import { armRequest, errorCode, newPrincipalId, pollUntilDone, startTestEmulator, type Emulator } from './helpers';

const API = 'api-version=2021-04-01';

describe('resources provider', () => {
  let emulator: Emulator;
  let sub: string;
  beforeAll(async () => {
    emulator = await startTestEmulator();
    sub = `/subscriptions/${emulator.subscriptionId}`;
  });
  afterAll(() => emulator.close());

  describe('subscriptions', () => {
    it('answers GET /subscriptions/{id} with its tenant', async () => {
      const r = await armRequest(emulator, { path: `${sub}?${API}` });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ id: sub, subscriptionId: emulator.subscriptionId, tenantId: emulator.tenantId, state: 'Enabled' });
    });

    it('serves several subscriptions of one tenant created through the control API', async () => {
      const other = emulator.control.createSubscription({ displayName: 'spoke' });
      const r = await armRequest(emulator, { path: `/subscriptions/${other}?${API}` });
      expect(r.body).toMatchObject({ subscriptionId: other, tenantId: emulator.tenantId, displayName: 'spoke' });
      const list = await armRequest(emulator, { path: `/subscriptions?${API}` });
      expect((list.body as { value: { subscriptionId: string }[] }).value.map((s) => s.subscriptionId)).toEqual(expect.arrayContaining([emulator.subscriptionId, other]));
    });

    it('shows a subscription only to principals holding a role in it', async () => {
      const stranger = newPrincipalId();
      expect((await armRequest(emulator, { path: `${sub}?${API}`, principalId: stranger })).status).toBe(403);
      emulator.control.createResourceGroup(emulator.subscriptionId, 'rg-visible', 'westeurope');
      emulator.control.grantRole({ role: 'Reader', principalId: stranger, scope: `${sub}/resourceGroups/rg-visible` });
      expect((await armRequest(emulator, { path: `${sub}?${API}`, principalId: stranger })).status).toBe(200);
    });
  });

  describe('resource groups', () => {
    it('creates (201), updates (200), reads, checks and lists a resource group', async () => {
      const path = `${sub}/resourcegroups/rg-life?${API}`;
      const created = await armRequest(emulator, { method: 'PUT', path, body: { location: 'West Europe', tags: { team: 'platform' } } });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({
        id: `${sub}/resourceGroups/rg-life`,
        name: 'rg-life',
        type: 'Microsoft.Resources/resourceGroups',
        location: 'westeurope',
        tags: { team: 'platform' },
        properties: { provisioningState: 'Succeeded' },
      });
      expect((await armRequest(emulator, { method: 'PUT', path, body: { location: 'westeurope' } })).status).toBe(200);
      expect((await armRequest(emulator, { path })).body).toMatchObject({ name: 'rg-life' });
      expect((await armRequest(emulator, { method: 'HEAD', path })).status).toBe(204);
      expect((await armRequest(emulator, { method: 'HEAD', path: `${sub}/resourcegroups/rg-none?${API}` })).status).toBe(404);
      const list = await armRequest(emulator, { path: `${sub}/resourcegroups?${API}` });
      expect((list.body as { value: { name: string }[] }).value.map((g) => g.name)).toContain('rg-life');
    });

    it('updates tags with PATCH', async () => {
      await armRequest(emulator, { method: 'PUT', path: `${sub}/resourcegroups/rg-patch?${API}`, body: { location: 'westeurope' } });
      const patched = await armRequest(emulator, { method: 'PATCH', path: `${sub}/resourcegroups/rg-patch?${API}`, body: { tags: { a: 'b' } } });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({ tags: { a: 'b' }, location: 'westeurope' });
    });

    it.each([
      ['no location', {}, 400, 'LocationRequired'],
      ['another location for an existing group', { location: 'northeurope' }, 409, 'InvalidResourceGroupLocation'],
    ])('refuses a PUT with %s', async (_what, body, status, code) => {
      emulator.control.createResourceGroup(emulator.subscriptionId, 'rg-fixed', 'westeurope');
      const r = await armRequest(emulator, { method: 'PUT', path: `${sub}/resourcegroups/rg-fixed?${API}`, body });
      expect(r.status).toBe(status);
      expect(errorCode(r)).toBe(code);
    });

    it('answers 404 ResourceGroupNotFound for the group and for resources in it', async () => {
      const r = await armRequest(emulator, { path: `${sub}/resourcegroups/rg-missing?${API}` });
      expect(r.status).toBe(404);
      expect(errorCode(r)).toBe('ResourceGroupNotFound');
      const child = await armRequest(emulator, { path: `${sub}/resourceGroups/rg-missing/providers/Microsoft.Authorization/roleAssignments?${API}` });
      expect(errorCode(child)).toBe('ResourceGroupNotFound');
    });

    it('deletes a group and everything in it as a long-running operation (202 + Location)', async () => {
      emulator.control.createResourceGroup(emulator.subscriptionId, 'rg-doomed', 'westeurope');
      const inside = emulator.control.grantRole({ role: 'Reader', principalId: newPrincipalId(), scope: `${sub}/resourceGroups/rg-doomed` });
      const r = await armRequest(emulator, { method: 'DELETE', path: `${sub}/resourcegroups/rg-doomed?${API}` });
      expect(r.status).toBe(202);
      expect(r.headers['azure-asyncoperation']).toBeUndefined();
      const location = r.headers['location'] as string;
      expect(location).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/subscriptions\//);
      const first = await armRequest(emulator, { path: new URL(location).pathname + new URL(location).search });
      expect(first.status).toBe(202); // one poll in progress (lroPollsBeforeDone = 1)
      const done = await pollUntilDone(emulator, location);
      expect(done.status).toBe(204);
      expect(emulator.store.has(`${sub}/resourceGroups/rg-doomed`)).toBe(false);
      expect(emulator.store.has(inside.id)).toBe(false);
    });

    it('emits ResourceWriteSuccess and ResourceDeleteSuccess events and counts the writes', async () => {
      emulator.events.clear();
      emulator.writes.reset();
      await armRequest(emulator, { method: 'PUT', path: `${sub}/resourcegroups/rg-evented?${API}`, body: { location: 'westeurope' } });
      const del = await armRequest(emulator, { method: 'DELETE', path: `${sub}/resourcegroups/rg-evented?${API}` });
      await pollUntilDone(emulator, del.headers['location'] as string);
      const events = emulator.events.published();
      expect(events.map((e) => [e.eventType, e.data['operationName']])).toEqual([
        ['Microsoft.Resources.ResourceWriteSuccess', 'Microsoft.Resources/subscriptions/resourceGroups/write'],
        ['Microsoft.Resources.ResourceDeleteSuccess', 'Microsoft.Resources/subscriptions/resourceGroups/delete'],
      ]);
      expect(events[0]?.subject).toBe(`${sub}/resourceGroups/rg-evented`);
      expect(emulator.writes.count()).toBe(2);
      expect(emulator.writes.count(emulator.ownerPrincipalId)).toBe(2);
    });
  });
});
