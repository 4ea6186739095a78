metadata name = 'vaultlink subscription system topic'
metadata description = 'The Event Grid system topic of one subscription in scope (Microsoft.Resources.Subscriptions): ARM writes and deletes in that subscription become events. Created here, with a system-assigned identity that dead-letters undeliverable events into vaultlink\'s storage and diagnostic settings into vaultlink\'s workspace, or, where the subscription already has one (Azure allows one system topic per source), that topic, read and left as it is.'

// ============== //
//   Parameters   //
// ============== //

@description('Required. Name of the system topic: the one to create, or the existing one (in this resource group).')
param name string

@description('Required. ID of the subscription whose resource events the topic publishes.')
param sourceSubscriptionId string

@description('Optional. Whether the topic already exists (another team\'s, in this resource group): then it is only read, and must have a system-assigned identity.')
param existingTopic bool = false

@description('Optional. Resource ID of the Log Analytics workspace that receives the topic\'s delivery failures and metrics (created topics only). Empty: no diagnostic settings.')
param logAnalyticsWorkspaceResourceId string = ''

@description('Optional. Tags of the system topic (created topics only).')
param tags object = {}

// ============= //
//   Resources   //
// ============= //

resource systemTopic 'Microsoft.EventGrid/systemTopics@2022-06-15' = if (!existingTopic) {
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

// Someone else's topic on the same source: vaultlink adds its event subscription to it and
// changes nothing on the topic itself.
resource sharedSystemTopic 'Microsoft.EventGrid/systemTopics@2022-06-15' existing = if (existingTopic) {
  name: name
}

// Delivery failures (each with its reason) and the delivery metrics, next to the app's own logs:
// an operator sees in one workspace why an event never reached vaultlink.
resource diagnosticSettings 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = if (!existingTopic && !empty(logAnalyticsWorkspaceResourceId)) {
  name: 'vaultlink'
  scope: systemTopic
  properties: {
    workspaceId: logAnalyticsWorkspaceResourceId
    logs: [
      {
        category: 'DeliveryFailures'
        enabled: true
      }
    ]
    metrics: [
      {
        category: 'AllMetrics'
        enabled: true
      }
    ]
  }
}

// =========== //
//   Outputs   //
// =========== //

@description('The name of the system topic.')
output name string = name

@description('The resource ID of the system topic.')
output resourceId string = existingTopic ? sharedSystemTopic.id : systemTopic.id

@description('The principal ID of the system topic\'s system-assigned identity.')
output systemAssignedMIPrincipalId string = existingTopic ? sharedSystemTopic!.identity.principalId : systemTopic!.identity.principalId
