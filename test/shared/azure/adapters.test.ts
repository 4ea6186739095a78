/**
 * Contract tests: each port's real adapter, with the real @azure/arm-* client, against the emulator.
 */
import { randomUUID } from 'node:crypto';
import { AzureOperationError, classifyAzureError, createAzureClients, isConflict, isNotFound, isPreconditionFailed, type AzureClients } from '../../../shared/azure';
import { ownershipMetadata } from '../../../shared/domain';
import { roleAssignmentName } from '../../../shared/domain/rbac';
import { RG, World } from '../reconcile/world';

const CONTRIBUTOR = 'b24988ac-6180-42a0-ab88-20f7382dd24c';

describe('Azure adapters (real SDK clients, emulator)', () => {
  let world: World;
  let azure: AzureClients;
  let vaultId: string;

  beforeAll(async () => {
    world = await World.start();
    azure = world.azure();
    vaultId = await world.createVault('vault-adapters');
    await world.createPrivateEndpoint(vaultId, 'pe-adapters');
  });
  afterAll(() => world.close());

  describe('RecoveryServicesPort', () => {
    describe('#getVault', () => {
      it('reads the usage counts of a vault that never had a private endpoint (they decide its eligibility), and only then', async () => {
        const id = await world.createVault('vault-usage');
        world.emu.reads.reset();
        const vault = await azure.recoveryServices.getVault(id);
        expect(vault).toMatchObject({ protectedItemCount: 0, registeredContainerCount: 0 });
        expect(world.emu.reads.log().filter((r) => /backupusagesummaries$/i.test(r.path.split('?')[0] ?? '')).length).toBe(2);
        world.emu.reads.reset();
        await azure.recoveryServices.getVault(vaultId);
        expect(world.emu.reads.log().filter((r) => /backupusagesummaries$/i.test(r.path.split('?')[0] ?? '')).length).toBe(0);
      });

      it('maps the vault, its connections and usage counts into the domain type', async () => {
        const vault = await azure.recoveryServices.getVault(vaultId);
        // it has a connection: the usage counts decide nothing then (eligibility is for a first endpoint) and are not read
        expect(vault).toMatchObject({ name: 'vault-adapters', resourceGroup: RG.vault, location: 'uksouth', experience: 'classic', protectedItemCount: undefined, registeredContainerCount: undefined });
        expect(vault?.identity).toEqual({ type: 'None', principalId: undefined, tenantId: undefined });
        expect(vault?.connections).toHaveLength(1);
        expect(vault?.connections[0]).toMatchObject({ status: 'Pending', groupIds: ['AzureBackup'] });
        expect(vault?.connections[0]?.privateEndpointId.toLowerCase()).toBe(world.peId('pe-adapters').toLowerCase());
      });

      it('answers undefined when the vault does not exist', async () => {
        await expect(azure.recoveryServices.getVault(world.vaultId('no-such-vault'))).resolves.toBeUndefined();
      });

      it('refuses an id that is not a vault id', async () => {
        await expect(azure.recoveryServices.getVault(world.peId())).rejects.toThrow(/not a Recovery Services vault id/);
      });
    });

    describe('#listVaultIds', () => {
      it('lists the vaults of the subscription', async () => {
        const ids = await azure.recoveryServices.listVaultIds(world.sub);
        expect(ids.map((i) => i.toLowerCase())).toContain(vaultId.toLowerCase());
      });
    });

    describe('#enableSystemAssignedIdentity', () => {
      it('turns the identity on once, then reports it on without writing', async () => {
        const id = await world.createVault('vault-identity');
        const first = await azure.recoveryServices.enableSystemAssignedIdentity(id);
        expect(first.alreadyEnabled).toBe(false);
        expect(first.identity.type).toBe('SystemAssigned');
        expect(first.identity.principalId).toMatch(/^[0-9a-f-]{36}$/);
        const writes = world.vaultlinkWrites();
        const second = await azure.recoveryServices.enableSystemAssignedIdentity(id);
        expect(second).toEqual({ alreadyEnabled: true, identity: first.identity });
        expect(world.vaultlinkWrites()).toBe(writes);
      });
    });

    describe('#putConnectionState', () => {
      it('approves a pending connection through the Backup RP with the description', async () => {
        const id = await world.createVault('vault-approve');
        const pe = await world.createPrivateEndpoint(id, 'pe-approve');
        const connection = (await azure.recoveryServices.getVault(id))?.connections[0];
        if (!connection) throw new Error('no connection');
        const status = await azure.recoveryServices.putConnectionState(id, connection.name, { status: 'Approved', description: 'vaultlink: rule spoke-team', privateEndpointId: pe.id as string });
        expect(status).toBe('Approved');
        const after = (await azure.recoveryServices.getVault(id))?.connections[0];
        expect(after).toMatchObject({ status: 'Approved', description: 'vaultlink: rule spoke-team' });
      });

      it('fails with the operation and the connection named when the connection does not exist', async () => {
        const error = await azure.recoveryServices.putConnectionState(vaultId, 'nope', { status: 'Approved', description: 'x', privateEndpointId: world.peId('nope') }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(AzureOperationError);
        expect((error as Error).message).toMatch(/approving private endpoint connection .*vault-adapters\/privateEndpointConnections\/nope/);
        expect(isNotFound(error)).toBe(true);
      });
    });
  });

  describe('NetworkPort', () => {
    describe('#getPrivateEndpoint', () => {
      it('maps the PE with its manual connection, DNS configs and (no) zone groups', async () => {
        const pe = await azure.network.getPrivateEndpoint(world.peId('pe-adapters'));
        expect(pe).toMatchObject({ name: 'pe-adapters', resourceGroup: RG.pe, location: 'uksouth', zoneGroups: [] });
        expect(pe?.subnetId.toLowerCase()).toBe(world.subnetId.toLowerCase());
        expect(pe?.connections).toEqual([{ privateLinkServiceId: expect.stringMatching(/vault-adapters$/), groupIds: ['AzureBackup'], status: 'Pending', manual: true }]);
        expect(pe?.customDnsConfigs.length).toBeGreaterThan(0);
        expect(pe?.customDnsConfigs.every((c) => c.ipAddresses.length > 0)).toBe(true);
      });

      it('answers undefined when the PE does not exist', async () => {
        await expect(azure.network.getPrivateEndpoint(world.peId('gone'))).resolves.toBeUndefined();
      });

      it('reads the PE alone, without its zone groups, when asked to (one read instead of two)', async () => {
        world.emu.reads.reset();
        const pe = await azure.network.getPrivateEndpoint(world.peId('pe-adapters'), { zoneGroups: false });
        expect(pe?.name).toBe('pe-adapters');
        expect(world.emu.reads.log().filter((r) => r.principalId.toLowerCase() === world.vaultlink.toLowerCase()).map((r) => r.path.split('/').pop())).toEqual(['pe-adapters']);
      });
    });

    describe('#listPrivateEndpoints', () => {
      it('lists the PEs of a resource group and of the subscription', async () => {
        const inGroup = (await azure.network.listPrivateEndpoints(world.sub, RG.pe)).map((p) => p.name);
        const inSubscription = (await azure.network.listPrivateEndpoints(world.sub)).map((p) => p.name);
        expect(inGroup).toContain('pe-adapters');
        expect(inSubscription).toEqual(expect.arrayContaining(inGroup));
      });
    });

    describe('#getSubnet', () => {
      it('maps prefixes, network policies and free addresses', async () => {
        const subnet = await azure.network.getSubnet(world.subnetId);
        expect(subnet).toMatchObject({ addressPrefixes: ['10.1.1.0/24'], privateEndpointNetworkPolicies: 'Disabled' });
        expect(subnet?.vnetId.toLowerCase()).toBe(world.vnetId.toLowerCase());
        expect(subnet?.usedIpCount).toBeGreaterThan(0);
        expect(subnet?.freeIpCount).toBe(251 - (subnet?.usedIpCount ?? 0));
      });

      it('answers undefined for a missing subnet', async () => {
        await expect(azure.network.getSubnet(`${world.vnetId}/subnets/missing`)).resolves.toBeUndefined();
      });
    });
  });

  describe('PrivateDnsPort', () => {
    const zoneName = 'privatelink.adapters.example';
    const zoneId = () => world.zoneId(zoneName);

    describe('#createZone / #getZone', () => {
      it('creates a zone with tags once; a second create is refused with 412', async () => {
        await expect(azure.privateDns.getZone(zoneId())).resolves.toBeUndefined();
        const zone = await azure.privateDns.createZone(zoneId(), ownershipMetadata('platform'));
        expect(zone.name).toBe(zoneName);
        await expect(azure.privateDns.getZone(zoneId())).resolves.toEqual(zone);
        const again = await azure.privateDns.createZone(zoneId(), {}).catch((e: unknown) => e);
        expect(isPreconditionFailed(again)).toBe(true);
      });
    });

    describe('#createVirtualNetworkLink / #listVirtualNetworkLinks', () => {
      it('creates a link with ownership tags and lists it', async () => {
        const link = await azure.privateDns.createVirtualNetworkLink(zoneId(), 'link-spoke', world.vnetId, ownershipMetadata('platform'));
        expect(link).toMatchObject({ name: 'link-spoke', metadata: { managedBy: 'vaultlink', vaultlinkOwner: 'platform' } });
        const links = await azure.privateDns.listVirtualNetworkLinks(zoneId());
        expect(links.map((l) => l.vnetId.toLowerCase())).toEqual([world.vnetId.toLowerCase()]);
      });

      it('answers [] for a zone that does not exist', async () => {
        await expect(azure.privateDns.listVirtualNetworkLinks(world.zoneId('privatelink.none.example'))).resolves.toEqual([]);
      });
    });

    describe('A record sets', () => {
      const content = { ttl: 10, ipv4Addresses: ['10.1.1.4'], metadata: ownershipMetadata('platform', '/subscriptions/x/resourceGroups/y/providers/Microsoft.Network/privateEndpoints/z') };

      it('creates only when absent, updates only with the current etag, deletes with it', async () => {
        const created = await azure.privateDns.createARecordSet(zoneId(), 'Rec1', content);
        expect(created).toMatchObject({ name: 'rec1', ttl: 10, ipv4Addresses: ['10.1.1.4'], metadata: content.metadata });
        expect(created.fqdn).toBe(`rec1.${zoneName}.`);
        expect(isPreconditionFailed(await azure.privateDns.createARecordSet(zoneId(), 'rec1', content).catch((e: unknown) => e))).toBe(true);

        const updated = await azure.privateDns.updateARecordSet(zoneId(), 'rec1', { ...content, ipv4Addresses: ['10.1.1.5', '10.1.1.6'] }, created.etag);
        expect(updated.ipv4Addresses).toEqual(['10.1.1.5', '10.1.1.6']);
        expect(updated.etag).not.toBe(created.etag);
        const stale = await azure.privateDns.updateARecordSet(zoneId(), 'rec1', content, created.etag).catch((e: unknown) => e);
        expect(isPreconditionFailed(stale)).toBe(true);
        expect((stale as Error).message).toMatch(/updating A record set .*\/A\/rec1/);

        expect((await azure.privateDns.listARecordSets(zoneId())).map((r) => r.name)).toEqual(['rec1']);
        await azure.privateDns.deleteARecordSet(zoneId(), 'rec1', updated.etag);
        await expect(azure.privateDns.getARecordSet(zoneId(), 'rec1')).resolves.toBeUndefined();
      });
    });
  });

  describe('AuthorizationPort', () => {
    const principal = randomUUID();
    const scope = () => world.rgId(RG.net);

    it('creates an assignment by name and lists it by principal (role compared by GUID)', async () => {
      const name = roleAssignmentName(scope(), principal, CONTRIBUTOR);
      const created = await azure.authorization.createRoleAssignment(scope(), name, { roleDefinitionGuid: CONTRIBUTOR, principalId: principal });
      expect(created).toMatchObject({ name, principalId: principal, roleDefinitionGuid: CONTRIBUTOR });
      const listed = await azure.authorization.listRoleAssignments(`/subscriptions/${world.sub}`, principal);
      expect(listed.map((a) => a.name)).toEqual([name]);
      expect(listed[0]?.scope.toLowerCase()).toBe(scope().toLowerCase());
    });

    it('answers 409 RoleAssignmentExists for the same grant under another name', async () => {
      const error = await azure.authorization.createRoleAssignment(scope(), randomUUID(), { roleDefinitionGuid: CONTRIBUTOR, principalId: principal }).catch((e: unknown) => e);
      expect(isConflict(error)).toBe(true);
      expect(classifyAzureError(error).code).toBe('RoleAssignmentExists');
    });

    it('lists nothing for a principal without assignments', async () => {
      await expect(azure.authorization.listRoleAssignments(scope(), randomUUID())).resolves.toEqual([]);
    });

    it('refuses a principal id that is not a GUID (it would reach an OData filter)', async () => {
      await expect(azure.authorization.listRoleAssignments(scope(), "x' or 1 eq 1")).rejects.toThrow(/not a principal id/);
    });
  });

  describe('SubscriptionPort', () => {
    describe('#getSubscriptionTenantId', () => {
      it("reads the subscription's tenant", async () => {
        await expect(azure.subscriptions.getSubscriptionTenantId(world.sub)).resolves.toBe(world.emu.tenantId);
      });

      it('answers undefined for a subscription that does not exist', async () => {
        await expect(azure.subscriptions.getSubscriptionTenantId(randomUUID())).resolves.toBeUndefined();
      });
    });
  });

  describe('createAzureClients', () => {
    it('refuses a plain-http endpoint (bearer tokens are never sent in clear)', () => {
      expect(() => createAzureClients({ cloud: 'AzurePublicCloud', credential: world.emu.credentialFor(world.vaultlink), armEndpoint: 'http://127.0.0.1:1' })).toThrow(/must be https/);
    });

    describe('retries', () => {
      it.each([
        ['a 429 with Retry-After', { kind: 'throttle', retryAfterMs: 5 }],
        ['a 500', { kind: 'error', status: 500 }],
        ['a dropped connection', { kind: 'drop' }],
      ] as const)('reads through %s', async (_name, fault) => {
        const id = world.emu.faults.add({ match: { operation: 'Microsoft.RecoveryServices/vaults/read' }, fault, times: 2 });
        try {
          const vault = await azure.recoveryServices.getVault(vaultId);
          expect(vault?.name).toBe('vault-adapters');
        } finally {
          world.emu.faults.remove(id);
        }
      });

      it('gives up after the retries with a transient, wrapped error', async () => {
        const id = world.emu.faults.add({ match: { operation: 'Microsoft.RecoveryServices/vaults/read' }, fault: { kind: 'error', status: 503 } });
        try {
          const error = await azure.recoveryServices.getVault(vaultId).catch((e: unknown) => e);
          expect(error).toBeInstanceOf(AzureOperationError);
          expect((error as AzureOperationError).transient).toBe(true);
          expect((error as Error).message).toMatch(/^reading vault .*vault-adapters/);
        } finally {
          world.emu.faults.remove(id);
        }
      });
    });
  });

});

