metadata name = 'vaultlink access to the central private DNS zones'
metadata description = 'What vaultlink\'s identity may do in the resource group of the central private DNS zones: manage zones, links and A records, and grant a vault identity only the role definitions of the configured profile.'

// ============== //
//   Parameters   //
// ============== //

@description('Required. Principal ID of the vaultlink Function App\'s system-assigned identity.')
param principalId string

@description('Required. The ABAC condition (version 2.0, infra/rbac-condition.txt with the role definitions filled in) that limits Role Based Access Control Administrator to the profile\'s role definitions and to service principals other than vaultlink; __VAULTLINK_PRINCIPAL_ID__ in it becomes principalId.')
param roleAssignmentConditionTemplate string

// ============= //
//   Variables   //
// ============= //

var contract = loadJsonContent('../../shared/contract.json')

// ==================== //
//   Role assignments   //
// ==================== //

// Private DNS Zone Contributor on this resource group only: vaultlink creates the three zones if
// missing and writes virtual network links and A records (checklist items 5 and 6). It owns
// nothing elsewhere in DNS.
resource privateDnsZoneContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(resourceGroup().id, principalId, contract.roleDefinitions.PrivateDnsZoneContributor)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', contract.roleDefinitions.PrivateDnsZoneContributor)
    principalId: principalId
    principalType: 'ServicePrincipal'
    description: 'vaultlink: create the Backup, blob and queue private DNS zones, their links and records.'
  }
}

// Role Based Access Control Administrator, constrained: the seed's third resource group — a
// classic vault's identity needs Private DNS Zone Contributor here so that Azure Backup can write
// its own records. Same condition as on the subscriptions in scope.
resource roleAssignmentAdministrator 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(resourceGroup().id, principalId, contract.roleDefinitions.RoleBasedAccessControlAdministrator)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', contract.roleDefinitions.RoleBasedAccessControlAdministrator)
    principalId: principalId
    principalType: 'ServicePrincipal'
    description: 'vaultlink: grant vault identities the roles of the configured profile on the DNS zone resource group.'
    conditionVersion: '2.0'
    condition: replace(roleAssignmentConditionTemplate, '__VAULTLINK_PRINCIPAL_ID__', principalId)
  }
}
