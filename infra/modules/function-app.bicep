metadata name = 'vaultlink Function App'
metadata description = 'The vaultlink Function App on the Flex Consumption plan (Node.js 22) with a system-assigned identity, its app settings, and the data-plane roles that identity needs on its own storage and Application Insights. No key, SAS or connection string with a secret is used.'

// ============== //
//   Parameters   //
// ============== //

@description('Required. Name of the Function App (also the host name prefix).')
param name string

@description('Required. Name of the Flex Consumption plan.')
param planName string

@description('Required. Name of the storage account (in this resource group) that the host, the Durable task hub and the deployment package use.')
param storageAccountName string

@description('Required. Name of the blob container that holds the deployment package.')
param deploymentContainerName string

@description('Required. Name of the Application Insights component (in this resource group).')
param applicationInsightsName string

@description('Required. The settings vaultlink itself reads (names from shared/contract.json appSettings), merged over the host settings.')
param vaultlinkAppSettings object

@description('Optional. Location of the plan and the app.')
param location string = resourceGroup().location

@description('Optional. Most instances the plan scales out to.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Optional. Memory of each instance, in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Optional. Tags of the resources.')
param tags object = {}

// ============= //
//   Variables   //
// ============= //

// Built-in data-plane roles (infra-only names; the code never assigns them).
var storageBlobDataOwnerRoleId = 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
var storageQueueDataContributorRoleId = '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
var storageTableDataContributorRoleId = '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
var monitoringMetricsPublisherRoleId = '3913510d-42f4-4b42-8a2a-acf4b1f5d6d7'

// The Functions host and the Durable Functions Azure Storage provider reach storage by identity:
// the "__…ServiceUri" form names each service (works in every cloud), "__credential" says "use
// the managed identity". Flex Consumption takes the runtime from functionAppConfig, so
// FUNCTIONS_WORKER_RUNTIME / FUNCTIONS_EXTENSION_VERSION must not be set here.
var hostAppSettings = {
  AzureWebJobsStorage__accountName: storageAccount.name
  AzureWebJobsStorage__blobServiceUri: storageAccount.properties.primaryEndpoints.blob
  AzureWebJobsStorage__queueServiceUri: storageAccount.properties.primaryEndpoints.queue
  AzureWebJobsStorage__tableServiceUri: storageAccount.properties.primaryEndpoints.table
  AzureWebJobsStorage__credential: 'managedidentity'
  // The connection string names the component (its instrumentation key is an identifier, not a
  // credential, because local auth is disabled); the authentication string makes the SDK send an
  // Entra token of the system-assigned identity.
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsights.properties.ConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD'
}

// ============= //
//   Resources   //
// ============= //

resource storageAccount 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

resource functionApp 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: tags
  kind: 'functionapp,linux'
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storageAccount.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            // The platform fetches the package with the app's identity (Storage Blob Data Owner below).
            type: 'SystemAssignedIdentity'
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'node'
        version: '22'
      }
    }
  }
}

resource appSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: functionApp
  name: 'appsettings'
  properties: union(hostAppSettings, vaultlinkAppSettings)
  dependsOn: [
    // The host starts as soon as settings land: let it find its storage roles in place.
    storageBlobDataOwner
    storageQueueDataContributor
    storageTableDataContributor
    monitoringMetricsPublisher
  ]
}

// ==================== //
//   Role assignments   //
// ==================== //

// Blob Data Owner (not only Contributor): the host keeps leases and the Flex deployment package
// in blobs, and the Durable task hub manages its containers.
resource storageBlobDataOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storageAccount.id, functionApp.id, storageBlobDataOwnerRoleId)
  scope: storageAccount
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataOwnerRoleId)
    principalId: functionApp.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

// Queue Data Contributor: the Durable task hub's control and work-item queues.
resource storageQueueDataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storageAccount.id, functionApp.id, storageQueueDataContributorRoleId)
  scope: storageAccount
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageQueueDataContributorRoleId)
    principalId: functionApp.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

// Table Data Contributor: the Durable task hub's instance and history tables (orchestration status).
resource storageTableDataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storageAccount.id, functionApp.id, storageTableDataContributorRoleId)
  scope: storageAccount
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageTableDataContributorRoleId)
    principalId: functionApp.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

// Monitoring Metrics Publisher: Application Insights with local auth disabled accepts telemetry
// only from identities holding this role.
resource monitoringMetricsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(applicationInsights.id, functionApp.id, monitoringMetricsPublisherRoleId)
  scope: applicationInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', monitoringMetricsPublisherRoleId)
    principalId: functionApp.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

// =========== //
//   Outputs   //
// =========== //

@description('The name of the Function App.')
output name string = functionApp.name

@description('The resource ID of the Function App.')
output resourceId string = functionApp.id

@description('The principal ID of the Function App\'s system-assigned identity.')
output systemAssignedMIPrincipalId string = functionApp.identity.principalId

@description('The default host name of the Function App.')
output defaultHostName string = functionApp.properties.defaultHostName
