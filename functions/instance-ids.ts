/**
 * Orchestration instance ids derived from ARM ids: one singleton per vault (and one routing
 * instance per private endpoint), so that every signal for the same vault reaches the same
 * orchestration whatever casing the event used.
 *
 * Durable's Azure Storage backend keys instances by id in table rows: no `/`, `\`, `#`, `?` or
 * control characters. Ids are lower-cased and readable (`vault:<sub>:<rg>:<name>`); past
 * {@link MAX_READABLE_INSTANCE_ID} characters they become a SHA-256 of the id's key.
 */
import { createHash } from 'node:crypto';
import { isResourceType, parseResourceId } from '../shared/domain/ids';

export const MAX_READABLE_INSTANCE_ID = 200;

const VAULT_TYPE = 'Microsoft.RecoveryServices/vaults';
const PRIVATE_ENDPOINT_TYPE = 'Microsoft.Network/privateEndpoints';

const UNSAFE = /[/\\#?\u0000-\u001f\u007f]/;

function instanceIdFor(prefix: string, type: string, resourceId: string): string {
  const id = parseResourceId(resourceId);
  if (!isResourceType(id, type) || id.subscriptionId === undefined || id.resourceGroup === undefined) {
    throw new Error(`${JSON.stringify(resourceId)} is not a ${type} id`);
  }
  const readable = `${prefix}:${id.subscriptionId}:${id.resourceGroup}:${id.name}`.toLowerCase();
  if (readable.length <= MAX_READABLE_INSTANCE_ID && !UNSAFE.test(readable)) return readable;
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

/** True for ids made by {@link vaultInstanceId}. */
export function isVaultInstanceId(instanceId: string): boolean {
  return instanceId.startsWith('vault:');
}
