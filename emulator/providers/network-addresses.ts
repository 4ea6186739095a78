/**
 * IPv4 address prefixes and private IP allocation, as the emulated Microsoft.Network provider
 * needs them: address spaces of virtual networks, subnet prefixes inside them, and dynamic
 * private IPs handed to private endpoint NICs.
 *
 * Azure reserves five addresses in every subnet (the network address, the default gateway, two
 * for Azure DNS, and the broadcast address), so a /28 has 11 usable addresses, not 16; the
 * seed's "11 free IPs per Backup private endpoint" is measured against that usable count.
 * IPv6 prefixes are refused: nothing in vaultlink's scenarios uses them.
 */

export class InvalidAddressPrefixError extends Error {
  override readonly name = 'InvalidAddressPrefixError';
  constructor(
    readonly prefix: string,
    readonly reason: string,
  ) {
    super(`invalid address prefix ${JSON.stringify(prefix)}: ${reason}`);
  }
}

/** A parsed IPv4 CIDR prefix. `network` is the first address as an unsigned 32-bit number. */
export interface Ipv4Prefix {
  readonly text: string;
  readonly network: number;
  readonly length: number;
}

/** The first four addresses and the last one of every Azure subnet are not assignable. */
export const AZURE_RESERVED_LEADING_ADDRESSES = 4;
export const AZURE_RESERVED_ADDRESSES_PER_SUBNET = 5;

const DOTTED_QUAD = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** `10.0.1.4` → 167772420; throws on anything that is not a dotted quad of octets. */
export function ipv4ToNumber(address: string): number {
  const m = DOTTED_QUAD.exec(address);
  if (!m) throw new InvalidAddressPrefixError(address, 'not an IPv4 address');
  let value = 0;
  for (let k = 1; k <= 4; k++) {
    const octet = Number(m[k]);
    if (octet > 255) throw new InvalidAddressPrefixError(address, `octet ${octet} is out of range`);
    value = value * 256 + octet;
  }
  return value;
}

export function numberToIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

/** Parses `10.0.0.0/16`; refuses host bits set after the mask, as ARM does (`InvalidAddressPrefix`). */
export function parseIpv4Prefix(text: string): Ipv4Prefix {
  if (typeof text !== 'string') throw new InvalidAddressPrefixError(String(text), 'not a string');
  const slash = text.indexOf('/');
  if (slash < 0) throw new InvalidAddressPrefixError(text, 'missing "/length"');
  const network = ipv4ToNumber(text.slice(0, slash));
  const lengthText = text.slice(slash + 1);
  if (!/^\d{1,2}$/.test(lengthText)) throw new InvalidAddressPrefixError(text, 'prefix length is not a number');
  const length = Number(lengthText);
  if (length > 32) throw new InvalidAddressPrefixError(text, 'prefix length is greater than 32');
  if (network % 2 ** (32 - length) !== 0) throw new InvalidAddressPrefixError(text, 'host bits are set after the prefix length');
  return { text, network, length };
}

export function prefixSize(prefix: Ipv4Prefix): number {
  return 2 ** (32 - prefix.length);
}

/** True when `inner` lies entirely inside `outer`. */
export function prefixContains(outer: Ipv4Prefix, inner: Ipv4Prefix): boolean {
  return inner.length >= outer.length && inner.network >= outer.network && inner.network + prefixSize(inner) <= outer.network + prefixSize(outer);
}

export function prefixesOverlap(a: Ipv4Prefix, b: Ipv4Prefix): boolean {
  return a.network < b.network + prefixSize(b) && b.network < a.network + prefixSize(a);
}

/** Addresses a subnet can hand out: its size minus Azure's five reserved ones (never negative). */
export function usableAddressCount(prefix: Ipv4Prefix): number {
  return Math.max(0, prefixSize(prefix) - AZURE_RESERVED_ADDRESSES_PER_SUBNET);
}

/** True when `address` is an assignable (non-reserved) address of `prefix`. */
export function isAssignableAddress(prefix: Ipv4Prefix, address: string): boolean {
  const value = ipv4ToNumber(address);
  return value >= prefix.network + AZURE_RESERVED_LEADING_ADDRESSES && value < prefix.network + prefixSize(prefix) - 1;
}

/**
 * The `count` lowest assignable addresses of `prefix` that are not in `taken` (dynamic
 * allocation hands out addresses in ascending order, the way Azure does from `.4` up).
 * Returns undefined when the subnet has fewer free addresses than asked: the caller turns that
 * into ARM's error, with its own wording.
 */
export function allocateAddresses(prefix: Ipv4Prefix, taken: ReadonlySet<string>, count: number): string[] | undefined {
  const allocated: string[] = [];
  const last = prefix.network + prefixSize(prefix) - 1; // broadcast, reserved
  for (let value = prefix.network + AZURE_RESERVED_LEADING_ADDRESSES; value < last && allocated.length < count; value++) {
    const address = numberToIpv4(value);
    if (!taken.has(address)) allocated.push(address);
  }
  return allocated.length === count ? allocated : undefined;
}
