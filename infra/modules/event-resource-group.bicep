metadata name = 'vaultlink event resource group'
metadata description = 'The resource group that holds vaultlink\'s Event Grid system topic in one subscription in scope (a system topic is a resource-group resource even when its source is the subscription).'

targetScope = 'subscription'

// ============== //
//   Parameters   //
// ============== //

@description('Required. Name of the resource group.')
param name string

@description('Required. Location of the resource group.')
param location string

@description('Optional. Tags of the resource group.')
param tags object = {}

// ============= //
//   Resources   //
// ============= //

resource eventResourceGroup 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: name
  location: location
  tags: tags
}

// =========== //
//   Outputs   //
// =========== //

@description('The name of the resource group.')
output name string = eventResourceGroup.name
