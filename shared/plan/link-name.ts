/**
 * Deterministic names for the virtual network links vaultlink creates: the same VNet gets the
 * same link name in every zone and on every pass, so a retried or concurrent `ensure-link`
 * converges on one link instead of piling up duplicates.
 */
import { v5 as uuidv5 } from 'uuid';
import { parseResourceId } from '../domain/ids';

/**
 * Namespace of the link-name hash (UUIDv5). Fixed forever: changing it would rename every link
 * vaultlink ever made (the old ones would still count as done, but new zones would get new names).
 */
export const LINK_NAME_NAMESPACE = '9798ae3d-cc72-45ed-8a56-af7c4a9a2619';

/** ARM's limit for a private DNS zone virtual network link name. */
export const MAX_LINK_NAME_LENGTH = 80;

const PREFIX = 'vaultlink-';
const HASH_LENGTH = 8;

/**
 * `vaultlink-<vnet name>-<8 hex of the VNet id>`, at most 80 characters. The hash is of the
 * canonical, lower-cased VNet id, so two VNets of the same name in different resource groups or
 * subscriptions get different links; the name is lower-cased too, so id casing does not matter.
 * A long VNet name is cut; the hash keeps the name unique.
 */
export function virtualNetworkLinkName(vnetId: string): string {
  const vnet = parseResourceId(vnetId);
  const hash = uuidv5(vnet.key, LINK_NAME_NAMESPACE).replace(/-/g, '').slice(0, HASH_LENGTH);
  const room = MAX_LINK_NAME_LENGTH - PREFIX.length - 1 - HASH_LENGTH;
  // Link names allow letters, digits, `_`, `.` and `-` (VNet names use the same set).
  const name = vnet.name.toLowerCase().replace(/[^a-z0-9_.-]/g, '-').slice(0, room);
  return `${PREFIX}${name}-${hash}`;
}
