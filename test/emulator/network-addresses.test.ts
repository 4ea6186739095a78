import {
  allocateAddresses,
  InvalidAddressPrefixError,
  ipv4ToNumber,
  isAssignableAddress,
  numberToIpv4,
  parseIpv4Prefix,
  prefixContains,
  prefixesOverlap,
  usableAddressCount,
} from '../../emulator/providers/network-addresses';

describe('network-addresses', () => {
  describe('#parseIpv4Prefix', () => {
    it.each([
      ['10.0.0.0/16', 167772160, 16],
      ['192.168.1.0/24', 3232235776, 24],
      ['0.0.0.0/0', 0, 0],
      ['10.0.0.4/32', 167772164, 32],
    ])('parses %s', (text, network, length) => {
      expect(parseIpv4Prefix(text)).toEqual({ text, network, length });
    });

    it.each([
      ['10.0.0.0', 'missing'],
      ['10.0.0.1/24', 'host bits'],
      ['10.0.0.0/33', 'greater than 32'],
      ['10.0.0.256/24', 'out of range'],
      ['fd00::/64', 'not an IPv4 address'],
      ['10.0.0.0/x', 'not a number'],
    ])('refuses %s', (text, reason) => {
      expect(() => parseIpv4Prefix(text)).toThrow(InvalidAddressPrefixError);
      expect(() => parseIpv4Prefix(text)).toThrow(reason);
    });
  });

  describe('#ipv4ToNumber', () => {
    it('round-trips through numberToIpv4', () => {
      for (const address of ['0.0.0.0', '10.1.2.3', '255.255.255.255', '172.16.0.1']) {
        expect(numberToIpv4(ipv4ToNumber(address))).toBe(address);
      }
    });
  });

  describe('#prefixContains', () => {
    it.each([
      ['10.0.0.0/16', '10.0.1.0/24', true],
      ['10.0.0.0/16', '10.0.0.0/16', true],
      ['10.0.0.0/16', '10.1.0.0/24', false],
      ['10.0.0.0/24', '10.0.0.0/16', false],
    ])('%s contains %s: %s', (outer, inner, expected) => {
      expect(prefixContains(parseIpv4Prefix(outer), parseIpv4Prefix(inner))).toBe(expected);
    });
  });

  describe('#prefixesOverlap', () => {
    it.each([
      ['10.0.0.0/24', '10.0.0.128/25', true],
      ['10.0.0.0/25', '10.0.0.128/25', false],
      ['10.0.0.0/8', '10.200.0.0/16', true],
    ])('%s and %s overlap: %s', (a, b, expected) => {
      expect(prefixesOverlap(parseIpv4Prefix(a), parseIpv4Prefix(b))).toBe(expected);
      expect(prefixesOverlap(parseIpv4Prefix(b), parseIpv4Prefix(a))).toBe(expected);
    });
  });

  describe('#usableAddressCount', () => {
    it.each([
      ['10.0.0.0/24', 251],
      ['10.0.0.0/28', 11],
      ['10.0.0.0/29', 3],
      ['10.0.0.0/30', 0],
    ])('leaves Azure its five reserved addresses in %s', (prefix, usable) => {
      expect(usableAddressCount(parseIpv4Prefix(prefix))).toBe(usable);
    });
  });

  describe('#isAssignableAddress', () => {
    it.each([
      ['10.0.0.3', false],
      ['10.0.0.4', true],
      ['10.0.0.14', true],
      ['10.0.0.15', false],
      ['10.0.1.4', false],
    ])('says whether %s can be assigned in 10.0.0.0/28', (address, expected) => {
      expect(isAssignableAddress(parseIpv4Prefix('10.0.0.0/28'), address)).toBe(expected);
    });
  });

  describe('#allocateAddresses', () => {
    const subnet = parseIpv4Prefix('10.0.0.0/28');

    it('hands out the lowest free addresses from .4 up', () => {
      expect(allocateAddresses(subnet, new Set(), 3)).toEqual(['10.0.0.4', '10.0.0.5', '10.0.0.6']);
    });

    it('skips addresses already taken', () => {
      expect(allocateAddresses(subnet, new Set(['10.0.0.4', '10.0.0.6']), 2)).toEqual(['10.0.0.5', '10.0.0.7']);
    });

    it('can take every usable address but never the broadcast one', () => {
      const all = allocateAddresses(subnet, new Set(), 11);
      expect(all).toHaveLength(11);
      expect(all).not.toContain('10.0.0.15');
    });

    it('returns undefined when the subnet has fewer free addresses than asked', () => {
      expect(allocateAddresses(subnet, new Set(), 12)).toBeUndefined();
      expect(allocateAddresses(subnet, new Set(['10.0.0.4']), 11)).toBeUndefined();
    });
  });
});
