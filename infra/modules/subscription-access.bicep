metadata name = 'vaultlink access to a subscription in scope'
metadata description = 'What vaultlink\'s identity may do in one subscription whose vaults it manages: read, approve connections and link VNets (operator role), and grant a vault identity only the role definitions of the configured profile.'

targetScope = 'subscription'

// ============== //
//   Parameters   //
// ============== //

@description('Required. Principal ID of the vaultlink Function App\'s system-assigned identity.')
param principalId string

@description('Required. GUID of the vaultlink operator role definition.')
param operatorRoleDefinitionGuid string

@description('Required. The ABAC condition (version 2.0, infra/rbac-condition.txt with the role definitions filled in) that limits Role Based Access Control Administrator to the profile\'s role definitions and to service principals other than vaultlink; __VAULTLINK_PRINCIPAL_ID__ in it becomes principalId.')
param roleAssignmentConditionTemplate string

// ============= //
//   Variables   //
// ============= //

var contract = loadJsonContent('../../shared/contract.json')

// ==================== //
//   Role assignments   //
// ==================== //

// Reader: vaultlink observes vaults, private endpoints, subnets, role assignments and network
// interfaces across the subscription (the sweep lists every vault in scope). Read only.
resource reader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(subscription().id, principalId, contract.roleDefinitions.Reader)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', contract.roleDefinitions.Reader)
    principalId: principalId
    principalType: 'ServicePrincipal'
    description: 'vaultlink: observe vaults, private endpoints, subnets and role assignments.'
  }
}

// Operator role: approve private endpoint connections, link VNets to the DNS zones, and (only if
// the deployment allows it) turn on a classic vault's identity. See role-definitions.bicep.
resource operator 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(subscription().id, principalId, operatorRoleDefinitionGuid)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', operatorRoleDefinitionGuid)
    principalId: principalId
    principalType: 'ServicePrincipal'
    description: 'vaultlink: approve private endpoint connections, link virtual networks to private DNS zones.'
  }
}

// Role Based Access Control Administrator, constrained: classic vaults need their identity to
// hold the profile's roles on the VNet and private endpoint resource groups (checklist item 3).
// The condition lets vaultlink write or delete only assignments of exactly those role
// definitions, only to service principals (vault identities) other than vaultlink itself — never
// User Access Administrator or Owner, never to users or groups, never to its own identity.
resource roleAssignmentAdministrator 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(subscription().id, principalId, contract.roleDefinitions.RoleBasedAccessControlAdministrator)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', contract.roleDefinitions.RoleBasedAccessControlAdministrator)
    principalId: principalId
    principalType: 'ServicePrincipal'
    description: 'vaultlink: grant vault identities the roles of the configured profile.'
    conditionVersion: '2.0'
    condition: replace(roleAssignmentConditionTemplate, '__VAULTLINK_PRINCIPAL_ID__', principalId)
  }
}
