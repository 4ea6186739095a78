/**
 * The emulator's own copy of the Azure facts it needs, kept apart from vaultlink's copy
 * (shared/contract.json, shared/domain/backup-geo-codes.json) on purpose: the emulator is the
 * independent oracle, so a wrong belief in vaultlink must not pass because both sides read the same
 * file. test/emulator/independence.test.ts diffs the two copies and fails on any difference, so
 * that a correction lands on both sides knowingly.
 *
 * Sources:
 * - built-in role definition GUIDs: learn.microsoft.com "Azure built-in roles" (each role's `id`);
 * - the approval action: the Microsoft.RecoveryServices operations list and the seed
 *   ("privateEndpointConnectionsApproval/action");
 * - Backup geo codes (data/backup-geo-codes.json): the Azure Landing Zones Library policy-set
 *   parameter `dnzZoneRegionShortNames` merged with the ALZ Terraform module's
 *   `builtin_azure_backup_geo_codes` (the published table in the project's reference facts).
 */
import backupGeoCodes from './data/backup-geo-codes.json';

/** Built-in role definitions by the names the emulator uses; GUIDs as Azure publishes them. */
export const BUILT_IN_ROLE_GUIDS = {
  Owner: '8e3af657-a8ff-443c-a75c-2fe8c4bcb635',
  Contributor: 'b24988ac-6180-42a0-ab88-20f7382dd24c',
  Reader: 'acdd72a7-3385-48ef-bd42-f606fba81ae7',
  NetworkContributor: '4d97b98b-1d4f-4787-a291-c67834d212e7',
  PrivateDnsZoneContributor: 'b12aa53e-6015-4669-85d0-8515ebb3ae7f',
  RoleBasedAccessControlAdministrator: 'f58310d9-a9f6-439a-9e8d-f62e7b41a168',
  UserAccessAdministrator: '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9',
} as const;

/** The permission a vault owner needs to approve (or auto-approve) a private endpoint connection. */
export const VAULT_APPROVAL_ACTION = 'Microsoft.RecoveryServices/vaults/privateEndpointConnectionsApproval/action';

/**
 * What the vault identity needs for Backup to create its own `_ecs`/`_prot` endpoints (the seed's
 * "Managing permissions on Resource Groups"), by the scope it must hold it on.
 */
export const BACKUP_IDENTITY_PERMISSIONS = {
  privateEndpointResourceGroup: ['Microsoft.Network/privateEndpoints/*', 'Microsoft.Network/networkInterfaces/read'],
  virtualNetwork: ['Microsoft.Network/virtualNetworks/subnets/join/action'],
  /** Private DNS Zone Contributor on the zones' resource group, when the endpoint integrates with private DNS. */
  privateDnsZoneResourceGroup: ['Microsoft.Network/privateDnsZones/*'],
} as const;

/** Region (normalised: `uksouth`) → Backup geo code (`uks`). */
export const BACKUP_GEO_CODES: Readonly<Record<string, string>> = backupGeoCodes;
