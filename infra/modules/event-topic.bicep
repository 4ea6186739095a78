metadata name = 'vaultlink subscription system topic'
metadata description = 'The Event Grid system topic of one subscription in scope (Microsoft.Resources.Subscriptions): ARM writes and deletes in that subscription become events. Its system-assigned identity dead-letters undeliverable events into vaultlink\'s storage.'

// ============== //
//   Parameters   //
// ============== //

@description('Required. Name of the system topic.')
param name string

@description('Required. ID of the subscription whose resource events the topic publishes.')
param sourceSubscriptionId string

@description('Optional. Tags of the system topic.')
param tags object = {}

// ============= //
//   Resources   //
// ============= //

resource systemTopic 'Microsoft.EventGrid/systemTopics@2022-06-15' = {
  name: name
  // Subscription-level system topics are global.
  location: 'global'
  tags: tags
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    source: '/subscriptions/${sourceSubscriptionId}'
    topicType: 'Microsoft.Resources.Subscriptions'
  }
}

// =========== //
//   Outputs   //
// =========== //

@description('The name of the system topic.')
output name string = systemTopic.name

@description('The resource ID of the system topic.')
output resourceId string = systemTopic.id

@description('The principal ID of the system topic\'s system-assigned identity.')
output systemAssignedMIPrincipalId string = systemTopic.identity.principalId
