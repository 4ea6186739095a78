metadata name = 'vaultlink dead-letter access'
metadata description = 'Lets one system topic\'s identity write undeliverable events into the dead-letter container, and nothing else.'

// ============== //
//   Parameters   //
// ============== //

@description('Required. Name of the storage account (in this resource group) that holds the dead-letter container.')
param storageAccountName string

@description('Required. Name of the dead-letter container.')
param deadLetterContainerName string

@description('Required. Resource ID of the system topic (names the assignment).')
param systemTopicResourceId string

@description('Required. Principal ID of the system topic\'s system-assigned identity.')
param principalId string

// ============= //
//   Variables   //
// ============= //

var storageBlobDataContributorRoleId = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'

// ============= //
//   Resources   //
// ============= //

resource storageAccount 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName

  resource blobService 'blobServices' existing = {
    name: 'default'

    resource deadLetterContainer 'containers' existing = {
      name: deadLetterContainerName
    }
  }
}

// ==================== //
//   Role assignments   //
// ==================== //

// Storage Blob Data Contributor on the dead-letter container only (not the account, which holds
// the task hub and the deployment package): Event Grid writes each undeliverable event as a blob.
resource deadLetterWriter 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storageAccount::blobService::deadLetterContainer.id, systemTopicResourceId, storageBlobDataContributorRoleId)
  scope: storageAccount::blobService::deadLetterContainer
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataContributorRoleId)
    principalId: principalId
    principalType: 'ServicePrincipal'
    description: 'vaultlink: Event Grid dead-letters undeliverable resource events here.'
  }
}
