import { ResourceStore } from '../../emulator/store';

const RG = '/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-Store';
const ZONE = `${RG}/providers/Microsoft.Network/privateDnsZones/privatelink.blob.core.windows.net`;

describe('ResourceStore', () => {
  describe('#put / #get', () => {
    it('finds a resource by any casing or a leading double slash, keeping the first casing', () => {
      const store = new ResourceStore();
      store.put(ZONE, { name: 'z' }, { principalId: 'creator' });
      const found = store.get('/' + ZONE.toUpperCase().replace('/SUBSCRIPTIONS/', '/subscriptions/'));
      expect(found?.id).toBe(ZONE);
      store.put(ZONE.toLowerCase(), { name: 'z2' }, { principalId: 'someone-else' });
      expect(store.get(ZONE)?.id).toBe(ZONE);
      expect(store.get(ZONE)?.createdBy).toBe('creator');
      expect(store.get(ZONE)?.resource).toEqual({ name: 'z2' });
    });

    it('changes the etag on every write and stores a copy', () => {
      const store = new ResourceStore();
      const body = { properties: { ttl: 10 } };
      const first = store.put(ZONE, body);
      body.properties.ttl = 99;
      const second = store.put(ZONE, { properties: { ttl: 20 } });
      expect(first.etag).not.toBe(second.etag);
      expect(first.resource).toEqual({ properties: { ttl: 10 } });
    });

    it('finds nothing for a malformed id and throws when writing one', () => {
      const store = new ResourceStore();
      expect(store.get('not/an/id')).toBeUndefined();
      expect(() => store.put('/subscriptions/s/resourceGroups/../x', {})).toThrow(/invalid resource id/);
    });
  });

  describe('#list / #children / #deleteTree', () => {
    it('lists by type and scope, children by parent, and deletes a subtree', () => {
      const store = new ResourceStore();
      store.put(RG, {});
      store.put(ZONE, {});
      store.put(`${ZONE}/A/rec1`, {});
      store.put(`${ZONE}/A/rec2`, {});
      store.put(`${ZONE}/virtualNetworkLinks/link1`, {});
      store.put(`${RG}2/providers/Microsoft.Network/privateDnsZones/other`, {});
      expect(store.list({ type: 'microsoft.network/privatednszones' }).map((r) => r.parsed.name)).toEqual(['privatelink.blob.core.windows.net', 'other']);
      expect(store.list({ type: 'Microsoft.Network/privateDnsZones', scope: RG }).map((r) => r.parsed.name)).toEqual(['privatelink.blob.core.windows.net']);
      expect(store.children(ZONE, 'Microsoft.Network/privateDnsZones/A').map((r) => r.parsed.name)).toEqual(['rec1', 'rec2']);
      expect(store.children(ZONE)).toHaveLength(3);
      const removed = store.deleteTree(RG);
      expect(removed).toHaveLength(5);
      expect(store.size).toBe(1);
      expect(store.children(ZONE)).toEqual([]);
    });

    it('bumps the version of a type on write and delete', () => {
      const store = new ResourceStore();
      const type = 'Microsoft.Network/privateDnsZones';
      const v0 = store.version(type);
      store.put(ZONE, {});
      const v1 = store.version(type);
      store.delete(ZONE);
      expect(v1).toBeGreaterThan(v0);
      expect(store.version(type)).toBeGreaterThan(v1);
      expect(store.delete(ZONE)).toBeUndefined();
    });
  });
});
