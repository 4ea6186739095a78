import { MAX_LINK_NAME_LENGTH, virtualNetworkLinkName } from '../../../shared/plan';
import { vnetId } from './fixtures';

describe('link-name', () => {
  describe('#virtualNetworkLinkName', () => {
    it.each([
      ['a short VNet name', vnetId('vnet-a'), /^vaultlink-vnet-a-[0-9a-f]{8}$/],
      ['a 64-character VNet name (cut to fit)', vnetId('v'.repeat(64)), /^vaultlink-v{61}-[0-9a-f]{8}$/],
    ])('names the link for %s', (_what, id, pattern) => {
      const name = virtualNetworkLinkName(id);
      expect(name).toMatch(pattern);
      expect(name.length).toBeLessThanOrEqual(MAX_LINK_NAME_LENGTH);
    });

    it('gives the same name whatever the id casing', () => {
      expect(virtualNetworkLinkName(vnetId('vnet-a').toUpperCase().replace('/SUBSCRIPTIONS/', '/subscriptions/'))).toBe(virtualNetworkLinkName(vnetId('vnet-a')));
    });

    it.each([
      ['another resource group', vnetId('vnet-a', undefined, 'rg-other')],
      ['another subscription', vnetId('vnet-a', '00000000-0000-0000-0000-0000000000ee')],
    ])('gives a VNet of the same name in %s another name', (_what, other) => {
      expect(virtualNetworkLinkName(other)).not.toBe(virtualNetworkLinkName(vnetId('vnet-a')));
    });

    it('refuses a malformed VNet id', () => {
      expect(() => virtualNetworkLinkName('vnet-a')).toThrow(/invalid resource id/);
    });
  });
});
