metadata name = 'vaultlink storage'
metadata description = 'The storage account of the vaultlink Function App (host, Durable Functions task hub, Flex deployment package) and the container that keeps undeliverable Event Grid events. Shared-key access is disabled: everything reaches it by identity.'

// ============== //
//   Parameters   //
// ============== //

@description('Required. Name of the storage account (3-24 lowercase letters and digits, globally unique).')
@minLength(3)
@maxLength(24)
param name string

@description('Required. Name of the blob container that holds the Flex Consumption deployment package.')
param deploymentContainerName string

@description('Required. Name of the blob container where Event Grid dead-letters events it could not deliver.')
param deadLetterContainerName string

@description('Optional. Location of the storage account.')
param location string = resourceGroup().location

@description('Optional. Tags of the storage account.')
param tags object = {}

// ============= //
//   Resources   //
// ============= //

resource storageAccount 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    // No account keys, no SAS: the Function App and Event Grid authenticate with their managed identities.
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowBlobPublicAccess: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storageAccount
  name: 'default'
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: deploymentContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource deadLetterContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: deadLetterContainerName
  properties: {
    publicAccess: 'None'
  }
}

// =========== //
//   Outputs   //
// =========== //

@description('The resource ID of the storage account.')
output resourceId string = storageAccount.id

@description('The name of the storage account.')
output name string = storageAccount.name

@description('The blob service endpoint (ends with a slash).')
output blobEndpoint string = storageAccount.properties.primaryEndpoints.blob

@description('The queue service endpoint (ends with a slash).')
output queueEndpoint string = storageAccount.properties.primaryEndpoints.queue

@description('The table service endpoint (ends with a slash).')
output tableEndpoint string = storageAccount.properties.primaryEndpoints.table

@description('The name of the dead-letter container.')
output deadLetterContainerName string = deadLetterContainer.name

@description('The name of the deployment package container.')
output deploymentContainerName string = deploymentContainer.name
