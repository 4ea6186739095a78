/**
 * Orchestration instance ids derived from ARM ids: one singleton per vault (and one routing
 * instance per private endpoint), so that every signal for the same vault reaches the same
 * orchestration whatever casing the event used.
 *
 * Two ids name the same instance exactly when ARM says they name the same resource: the parts go
 * through {@link armCaseKey} (ARM's comparison, not `toLowerCase()`, which would merge a vault in
 * `rg-spo\u212Ae` with one in `rg-spoke`).
 *
 * Durable's Azure Storage backend keys instances by id in table rows: no `/`, `\`, `#`, `?` or
 * control characters. Ids are readable (`vault:<sub>:<rg>:<name>`, ASCII lower case) when every
 * part is plain ASCII without `:` (so that the separator cannot be forged: rg `a:b` + vault `c` vs
 * rg `a` + vault `b:c`) and the whole fits in {@link MAX_READABLE_INSTANCE_ID} characters;
 * otherwise they are a SHA-256 of the id's key.
 */
import { createHash } from 'node:crypto';
import { armCaseKey, isResourceType, parseResourceId } from '../shared/domain/ids';

export const MAX_READABLE_INSTANCE_ID = 200;

const VAULT_TYPE = 'Microsoft.RecoveryServices/vaults';
const PRIVATE_ENDPOINT_TYPE = 'Microsoft.Network/privateEndpoints';

/** What a readable part may hold: ASCII letters, digits and the punctuation ARM names use. */
const READABLE_PART = /^[a-z0-9_.()-]+$/;

function instanceIdFor(prefix: string, type: string, resourceId: string): string {
  const id = parseResourceId(resourceId);
  if (!isResourceType(id, type) || id.subscriptionId === undefined || id.resourceGroup === undefined) {
    throw new Error(`${JSON.stringify(resourceId)} is not a ${type} id`);
  }
  const parts = [id.subscriptionId, id.resourceGroup, id.name].map(armCaseKey);
  const readable = `${prefix}:${parts.join(':')}`;
  if (readable.length <= MAX_READABLE_INSTANCE_ID && parts.every((p) => READABLE_PART.test(p))) return readable;
  return `${prefix}:sha256:${createHash('sha256').update(id.key).digest('hex')}`;
}

/** The per-vault orchestration's instance id, e.g. `vault:0000…:rg-backup:rsv-prod`. Throws on a non-vault id. */
export function vaultInstanceId(vaultId: string): string {
  return instanceIdFor('vault', VAULT_TYPE, vaultId);
}

/** The routing orchestration's instance id for a private endpoint hint. Throws on a non-PE id. */
export function privateEndpointRoutingInstanceId(privateEndpointId: string): string {
  return instanceIdFor('pe', PRIVATE_ENDPOINT_TYPE, privateEndpointId);
}

/**
 * The routing orchestration's instance id for a drift hint (an A record set, a zone's virtual
 * network link, a role assignment): `route:sha256:<hash of the id's key>`, one per resource.
 */
export function resourceRoutingInstanceId(resourceId: string): string {
  return `route:sha256:${createHash('sha256').update(parseResourceId(resourceId).key).digest('hex')}`;
}

/** True for ids made by {@link vaultInstanceId}. */
export function isVaultInstanceId(instanceId: string): boolean {
  return instanceId.startsWith('vault:');
}
