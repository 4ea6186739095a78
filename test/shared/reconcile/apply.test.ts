/**
 * observe and apply on their own, against the emulator: read errors, idempotent actions, ownership
 * refusals (defence in depth beside the planner), audit mode and dependency skips.
 */
import { ownershipMetadata } from '../../../shared/domain';
import { planVault, type PlannedAction, type UpsertRecordAction, type VaultPlan } from '../../../shared/plan';
import { applyAction, applyPlan, observeVault, rememberOutcomes, VaultReadError, type ReconcileContext } from '../../../shared/reconcile';
import { RG, World, ZONE_NAMES } from './world';

describe('observe and apply (emulator)', () => {
  let world: World;
  let vaultId: string;
  let ctx: ReconcileContext;
  beforeAll(async () => {
    world = await World.start();
    vaultId = await world.createVault('vault-apply');
    await world.createPrivateEndpoint(vaultId, 'pe-apply');
    ctx = world.context(planVault);
  });
  afterAll(() => world.close());

  describe('observeVault', () => {
    it('reads the vault, its primary PE with subnet, the zones to be, and nothing it cannot', async () => {
      const observed = await observeVault(ctx, vaultId.toUpperCase().replace('/SUBSCRIPTIONS/', '/subscriptions/'));
      expect(observed.vault?.name).toBe('vault-apply');
      expect(observed.privateEndpoints.map((p) => [p.endpoint.name, p.classification.kind])).toEqual([['pe-apply', 'backup-primary']]);
      expect(observed.privateEndpoints[0]?.subnet?.privateEndpointNetworkPolicies).toBe('Disabled');
      expect(observed.zones.map((z) => [z.kind, z.name, z.zone])).toEqual([
        ['backup', ZONE_NAMES.backup, undefined],
        ['blob', ZONE_NAMES.blob, undefined],
        ['queue', ZONE_NAMES.queue, undefined],
      ]);
      expect(observed.subscriptionTenants).toEqual({ [world.sub.toLowerCase()]: world.emu.tenantId });
      expect(observed.readErrors).toEqual([]);
    });

    it('answers an absent vault as undefined with no read error', async () => {
      const observed = await observeVault(ctx, world.vaultId('never-made'));
      expect(observed.vault).toBeUndefined();
      expect(observed.readErrors).toEqual([]);
    });

    it('turns a failed non-vault read into a read error naming the resource', async () => {
      const rule = world.emu.faults.add({ match: { operation: 'Microsoft.Network/virtualNetworks/subnets/read' }, fault: { kind: 'error', status: 403, code: 'AuthorizationFailed' } });
      try {
        const observed = await observeVault(ctx, vaultId);
        expect(observed.privateEndpoints[0]?.subnet).toBeUndefined();
        expect(observed.readErrors).toEqual([expect.objectContaining({ operation: 'reading subnet', code: 'AuthorizationFailed' })]);
        expect(observed.readErrors[0]?.resourceId.toLowerCase()).toBe(world.subnetId.toLowerCase());
      } finally {
        world.emu.faults.remove(rule);
      }
    });

    it('throws when the vault itself fails transiently (after the SDK retries), so the caller retries', async () => {
      const rule = world.emu.faults.add({ match: { operation: 'Microsoft.RecoveryServices/vaults/read' }, fault: { kind: 'error', status: 503 } });
      try {
        await expect(observeVault(ctx, vaultId)).rejects.toBeInstanceOf(VaultReadError);
      } finally {
        world.emu.faults.remove(rule);
      }
    });

    it('reports a vault it may not read as a read error, not as a deleted vault', async () => {
      const rule = world.emu.faults.add({ match: { operation: 'Microsoft.RecoveryServices/vaults/read' }, fault: { kind: 'error', status: 403, code: 'AuthorizationFailed' } });
      try {
        const observed = await observeVault(ctx, vaultId);
        expect(observed.vault).toBeUndefined();
        expect(observed.readErrors.map((e) => [e.operation, e.code])).toEqual([['reading vault', 'AuthorizationFailed']]);
      } finally {
        world.emu.faults.remove(rule);
      }
    });
  });

  describe('applyAction / applyPlan', () => {
    let plan: VaultPlan;
    beforeAll(async () => {
      // Identity first (the planner requeues for the roles), then the plan with everything else.
      plan = planVault(await observeVault(ctx, vaultId), ctx.policy, { cloud: 'AzurePublicCloud' });
      await applyPlan(ctx, plan);
      plan = planVault(await observeVault(ctx, vaultId), ctx.policy, { cloud: 'AzurePublicCloud' });
    });

    it('makes zero writes in audit mode and skips every action', async () => {
      const before = world.vaultlinkWrites();
      const outcomes = await applyPlan({ ...ctx, policy: world.policy({ mode: 'audit' }) }, plan);
      expect(outcomes.length).toBe(plan.actions.length);
      expect(outcomes.length).toBeGreaterThan(0);
      expect(outcomes.every((o) => o.status === 'skipped')).toBe(true);
      expect(world.vaultlinkWrites()).toBe(before);
    });

    it('skips a single action under an audit policy without writing (whoever calls applyAction)', async () => {
      const before = world.vaultlinkWrites();
      const action = plan.actions[0];
      if (action === undefined) throw new Error('the plan has no action');
      const result = await applyAction({ ...ctx, policy: world.policy({ mode: 'audit' }) }, action);
      expect(result).toMatchObject({ key: action.key, status: 'skipped' });
      expect(result.message).toMatch(/^audit mode: would /);
      expect(world.vaultlinkWrites()).toBe(before);
    });

    it('applies a plan once; applying the same plan again confirms each action by a read and writes nothing', async () => {
      const first = await applyPlan(ctx, plan, { concurrency: 3 });
      expect(first.filter((o) => o.status === 'failed')).toEqual([]);
      expect(first.some((o) => o.status === 'applied')).toBe(true);
      const before = world.vaultlinkWrites();
      const second = await applyPlan(ctx, plan, { concurrency: 3 });
      expect(second.map((o) => o.status)).toEqual(second.map(() => 'already-done'));
      expect(world.vaultlinkWrites()).toBe(before);
    });

    describe('#applyAction on a record vaultlink does not own', () => {
      const recordName = 'handmade';
      const zoneId = () => world.zoneId(ZONE_NAMES.backup);
      let etag: string;
      beforeAll(async () => {
        const made = await world.dns().recordSets.createOrUpdate(RG.dns, ZONE_NAMES.backup, 'A', recordName, { ttl: 60, aRecords: [{ ipv4Address: '192.0.2.7' }] });
        etag = made.etag as string;
      });
      const upsert = (etagOf: string | undefined): UpsertRecordAction => ({
        kind: 'upsert-record',
        key: `upsert-record:${recordName}`,
        summary: 'test',
        needs: [],
        zoneId: zoneId(),
        recordName,
        ipv4Addresses: ['10.1.1.4'],
        ttl: 10,
        sourcePrivateEndpointId: world.peId('pe-apply'),
        etag: etagOf,
      });

      it.each([
        ['an update with its etag', () => upsert(etag)],
        ['a create', () => upsert(undefined)],
        ['a delete with its etag', (): PlannedAction => ({ kind: 'delete-record', key: 'delete-record:handmade', summary: 'test', needs: [], zoneId: zoneId(), recordName, etag })],
      ])('refuses %s, writing nothing', async (_name, make) => {
        const before = world.vaultlinkWrites();
        const outcome = await applyAction(ctx, make());
        expect(outcome).toMatchObject({ status: 'failed', error: { code: 'RecordNotManaged', transient: false } });
        expect(world.vaultlinkWrites()).toBe(before);
        const after = await world.dns().recordSets.get(RG.dns, ZONE_NAMES.backup, 'A', recordName);
        expect([after.etag, after.aRecords]).toEqual([etag, [{ ipv4Address: '192.0.2.7' }]]);
      });
    });

    describe('#applyAction on an owned record', () => {
      it('updates it with If-Match; with a stale etag it looks again and re-plans against the record as it is (412 means look again)', async () => {
        const azure = ctx.azure.privateDns;
        const source = world.peId('pe-apply');
        const made = await azure.createARecordSet(world.zoneId(ZONE_NAMES.backup), 'owned1', { ttl: 10, ipv4Addresses: ['10.1.1.9'], metadata: ownershipMetadata('platform', source) });
        const action: UpsertRecordAction = { kind: 'upsert-record', key: 'upsert-record:owned1', summary: 'test', needs: [], zoneId: world.zoneId(ZONE_NAMES.backup), recordName: 'owned1', ipv4Addresses: ['10.1.1.10'], ttl: 10, sourcePrivateEndpointId: source, etag: made.etag };
        await expect(applyAction(ctx, action)).resolves.toMatchObject({ status: 'applied' });
        await expect(applyAction(ctx, action)).resolves.toMatchObject({ status: 'already-done' });
        const before = world.vaultlinkWrites();
        const stale = await applyAction(ctx, { ...action, ipv4Addresses: ['10.1.1.11'] });
        expect(stale).toMatchObject({ status: 'applied' });
        expect(stale.message).toMatch(/re-planned against the record as it is now/);
        // one write, with the etag Azure holds now: no blind retry of the stale If-Match
        expect(world.vaultlinkWrites() - before).toBe(1);
        expect((await azure.getARecordSet(world.zoneId(ZONE_NAMES.backup), 'owned1'))?.ipv4Addresses).toEqual(['10.1.1.11']);
      });

      it('re-reads after a 412 on the write itself and writes again with the fresh etag, within the action', async () => {
        const azure = ctx.azure.privateDns;
        const source = world.peId('pe-apply');
        const zone = world.zoneId(ZONE_NAMES.backup);
        const made = await azure.createARecordSet(zone, 'owned2', { ttl: 10, ipv4Addresses: ['10.1.2.9'], metadata: ownershipMetadata('platform', source) });
        // A concurrent writer changes the record between vaultlink's read and its write.
        let raced = false;
        const racing: typeof ctx = {
          ...ctx,
          azure: {
            ...ctx.azure,
            privateDns: Object.assign(Object.create(azure) as typeof azure, {
              updateARecordSet: async (...args: Parameters<typeof azure.updateARecordSet>) => {
                if (!raced) {
                  raced = true;
                  await azure.updateARecordSet(zone, 'owned2', { ttl: 10, ipv4Addresses: ['10.1.2.8'], metadata: ownershipMetadata('platform', source) }, args[3]);
                }
                return azure.updateARecordSet(...args);
              },
            }),
          },
        };
        const action: UpsertRecordAction = { kind: 'upsert-record', key: 'upsert-record:owned2', summary: 'test', needs: [], zoneId: zone, recordName: 'owned2', ipv4Addresses: ['10.1.2.10'], ttl: 10, sourcePrivateEndpointId: source, etag: made.etag };
        const result = await applyAction(racing, action);
        expect(result).toMatchObject({ status: 'applied' });
        expect((await azure.getARecordSet(zone, 'owned2'))?.ipv4Addresses).toEqual(['10.1.2.10']);
      });
    });

    it('never throws: an action on a malformed id is a failed outcome', async () => {
      const outcome = await applyAction(ctx, { kind: 'ensure-zone', key: 'ensure-zone:bad', summary: 'bad', needs: [], zoneId: '/not/an/id', zoneName: 'x' });
      expect(outcome.status).toBe('failed');
      expect(outcome.error?.message).toMatch(/invalid resource id/);
    });

    it('turns a link Azure refuses for a same-named zone already linked to the VNet into a linked-zone-conflict finding, which the memory keeps', async () => {
      const name = 'privatelink.conflict.example';
      const poll = { updateIntervalInMs: 5 };
      world.emu.control.createResourceGroup(world.sub, 'rg-team-dns', 'uksouth');
      await world.dns().privateZones.beginCreateOrUpdateAndWait('rg-team-dns', name, { location: 'global' }, poll);
      await world.dns().virtualNetworkLinks.beginCreateOrUpdateAndWait('rg-team-dns', name, 'team', { location: 'global', virtualNetwork: { id: world.vnetId }, registrationEnabled: false }, poll);
      await world.dns().privateZones.beginCreateOrUpdateAndWait(RG.dns, name, { location: 'global' }, poll);
      const link: PlannedAction = { kind: 'ensure-link', key: 'ensure-link:conflict', summary: 'link', needs: [], zoneId: world.zoneId(name), vnetId: world.vnetId, linkName: 'l-conflict' };
      const [o] = await applyPlan(ctx, { ...plan, actions: [link] });
      expect([o?.status, o?.error?.code, o?.finding?.code, o?.finding?.severity]).toEqual(['failed', 'Conflict', 'linked-zone-conflict', 'error']);
      expect(o?.finding?.resourceId.toLowerCase()).toBe(`${world.rgId('rg-team-dns')}/providers/Microsoft.Network/privateDnsZones/${name}`.toLowerCase());
      const memory = rememberOutcomes(undefined, { ...plan, actions: [link] }, o ? [o] : [], '2026-12-02T03:00:00.000Z');
      expect(memory.linkConflicts).toEqual([expect.objectContaining({ vnetId: world.vnetId, zoneName: name, zoneId: world.zoneId(name), at: '2026-12-02T03:00:00.000Z', linkedZoneId: expect.stringMatching(/rg-team-dns/) })]);
    });

    it('skips the links and records of a zone that could not be created, and still runs the others', async () => {
      const badZone = `${world.rgId('rg-missing')}/providers/Microsoft.Network/privateDnsZones/privatelink.skip.example`;
      const goodZone = world.zoneId('privatelink.other.example');
      const skipPlan: VaultPlan = {
        ...plan,
        actions: [
          { kind: 'ensure-zone', key: 'ensure-zone:bad', summary: 'bad zone', needs: [], zoneId: badZone, zoneName: 'privatelink.skip.example' },
          { kind: 'ensure-zone', key: 'ensure-zone:good', summary: 'good zone', needs: [], zoneId: goodZone, zoneName: 'privatelink.other.example' },
          { kind: 'ensure-link', key: 'ensure-link:bad', summary: 'link', needs: ['ensure-zone:bad'], zoneId: badZone, vnetId: world.vnetId, linkName: 'l1' },
          { kind: 'ensure-link', key: 'ensure-link:good', summary: 'link', needs: ['ensure-zone:good'], zoneId: goodZone, vnetId: world.vnetId, linkName: 'l1' },
        ],
      };
      const outcomes = await applyPlan(ctx, skipPlan);
      expect(outcomes.map((o) => [o.key, o.status])).toEqual([
        ['ensure-zone:bad', 'failed'],
        ['ensure-zone:good', 'applied'],
        ['ensure-link:bad', 'skipped'],
        ['ensure-link:good', 'applied'],
      ]);
      expect(outcomes[0]?.error?.code).toBe('ResourceGroupNotFound');
      // the failure names what it held back
      expect(outcomes[0]?.skippedDependents).toEqual(['ensure-link:bad']);
      expect(outcomes[2]?.message).toMatch(/needs ensure-zone:bad, which failed/);
    });
  });
});
