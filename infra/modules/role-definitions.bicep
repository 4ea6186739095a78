metadata name = 'vaultlink custom role definitions'
metadata description = 'The custom roles vaultlink needs: its own operator role (approve private endpoint connections, link VNets to DNS zones, optionally turn on vault identities) and, optionally, the seed\'s three least-privilege roles for vault identities. GUIDs are deterministic, so a redeployment updates the same definitions.'

targetScope = 'subscription'

// ============== //
//   Parameters   //
// ============== //

@description('Required. Subscriptions in scope: the assignable scopes of every role defined here.')
@minLength(1)
param subscriptionIdsInScope string[]

@description('Required. GUID (resource name) of the vaultlink operator role definition.')
param operatorRoleDefinitionGuid string

@description('Required. Name of the vaultlink operator role (unique in the tenant).')
param operatorRoleName string

@description('Required. Whether vaultlink may turn on the system-assigned identity of classic vaults (policy identity.enableSystemAssigned). Adds Microsoft.RecoveryServices/vaults/write to the operator role.')
param vaultIdentityEnablingAllowed bool

@description('Optional. GUIDs (resource names) of the seed\'s least-privilege roles to create, keyed by the names in shared/contract.json leastPrivilegeCustomRoles. Empty: create none (contributor profile, or roles brought by the platform team).')
param leastPrivilegeRoleDefinitionGuids object = {}

// ============= //
//   Variables   //
// ============= //

var contract = loadJsonContent('../../shared/contract.json')

var assignableScopes = [for subscriptionId in subscriptionIdsInScope: '/subscriptions/${subscriptionId}']

// Every action of the operator role, with why vaultlink needs it:
// - the approval action: the Backup RP checks it before it lets a PUT change a connection's status
//   (checklist item 4, approving allowlisted requesters);
// - privateEndpointConnections/write: ARM authorizes that PUT on the vault's connection child
//   against this action before the RP sees it;
// - virtualNetworks/join/action: creating a virtual network link in a private DNS zone requires
//   it on the linked VNet (checklist item 5); Private DNS Zone Contributor does not include it.
var operatorActions = [
  contract.approvalAction
  'Microsoft.RecoveryServices/vaults/privateEndpointConnections/write'
  'Microsoft.Network/virtualNetworks/join/action'
]

// vaults/write: turning on a classic vault's system-assigned identity is a PATCH of the vault
// (checklist item 2). Granted only when the policy may do it; vaultlink never turns it off.
var vaultIdentityActions = vaultIdentityEnablingAllowed ? ['Microsoft.RecoveryServices/vaults/write'] : []

var leastPrivilegeRoleDescriptions = {
  PrivateEndpointContributor: 'Allows management of Private Endpoint (Azure Backup private endpoints, granted to a vault identity on the private endpoint resource group).'
  NetworkInterfaceReader: 'Allows read on networkInterfaces (granted to a vault identity on the private endpoint resource group).'
  PrivateEndpointSubnetContributor: 'Allows adding of Private Endpoint connection to Virtual Networks (granted to a vault identity on the virtual network resource group).'
}

// ============= //
//   Resources   //
// ============= //

resource operatorRole 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: operatorRoleDefinitionGuid
  properties: {
    roleName: operatorRoleName
    description: 'vaultlink: approve private endpoint connections of Recovery Services vaults, link virtual networks to private DNS zones${vaultIdentityEnablingAllowed ? ', turn on vault system-assigned identities' : ''}.'
    type: 'CustomRole'
    permissions: [
      {
        actions: concat(operatorActions, vaultIdentityActions)
        notActions: []
      }
    ]
    assignableScopes: assignableScopes
  }
}

resource leastPrivilegeRoles 'Microsoft.Authorization/roleDefinitions@2022-04-01' = [for role in items(leastPrivilegeRoleDefinitionGuids): {
  name: role.value
  properties: {
    roleName: role.key
    description: leastPrivilegeRoleDescriptions[role.key]
    type: 'CustomRole'
    permissions: [
      {
        actions: contract.leastPrivilegeCustomRoles[role.key]
        notActions: []
      }
    ]
    assignableScopes: assignableScopes
  }
}]

// =========== //
//   Outputs   //
// =========== //

@description('The GUID of the vaultlink operator role definition.')
output operatorRoleDefinitionGuid string = operatorRole.name

@description('The GUIDs of the least-privilege role definitions created here, keyed by role name.')
output leastPrivilegeRoleDefinitionGuids object = leastPrivilegeRoleDefinitionGuids
