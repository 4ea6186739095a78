metadata name = 'vaultlink event delivery alerts'
metadata description = 'Metric alerts on one system topic for vaultlink\'s event subscription: events dead-lettered, delivery attempts failed, events dropped. Each means a vault change vaultlink may not have seen until the next sweep.'

// ============== //
//   Parameters   //
// ============== //

@description('Required. Resource ID of the system topic (created by vaultlink or existing).')
param systemTopicResourceId string

@description('Required. Name of vaultlink\'s event subscription on the topic: the alerts count only its deliveries, not other teams\' on a shared topic.')
param eventSubscriptionName string

@description('Required. Short name of the subscription in scope, for the alert names.')
param nameSuffix string

@description('Optional. Resource ID of the action group the alerts notify. Empty: the alerts fire in Azure Monitor without notifying anyone.')
param actionGroupResourceId string = ''

@description('Optional. Tags of the alert rules.')
param tags object = {}

// ============= //
//   Variables   //
// ============= //

// Event Grid system topic metrics (Microsoft.EventGrid/systemTopics), each with the severity an
// operator should give it: a dead letter is an event lost to the event path (the sweep is the only
// remaining catch), a failed attempt will be retried, a dropped event is gone.
var alertedMetrics = [
  {
    metricName: 'DeadLetteredCount'
    severity: 2
    description: 'vaultlink: events to vaultlink were dead-lettered (see the eventgrid-deadletter container and the DeliveryFailures log); `vaultlink replay-dead-letters` signals their vaults again.'
  }
  {
    metricName: 'DeliveryAttemptFailCount'
    severity: 3
    description: 'vaultlink: Event Grid failed to deliver events to the vaultlink function (it retries for up to 24 hours); check that the Function App runs.'
  }
  {
    metricName: 'DroppedEventCount'
    severity: 1
    description: 'vaultlink: Event Grid dropped events for vaultlink (neither delivered nor dead-lettered); the sweep re-checks every vault, sooner if you run it.'
  }
]

// ============= //
//   Resources   //
// ============= //

resource metricAlerts 'Microsoft.Insights/metricAlerts@2018-03-01' = [for metric in alertedMetrics: {
  name: 'vaultlink-${metric.metricName}-${nameSuffix}'
  location: 'global'
  tags: tags
  properties: {
    description: metric.description
    severity: metric.severity
    enabled: true
    scopes: [
      systemTopicResourceId
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    autoMitigate: true
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: metric.metricName
          metricNamespace: 'Microsoft.EventGrid/systemTopics'
          metricName: metric.metricName
          dimensions: [
            {
              name: 'EventSubscriptionName'
              operator: 'Include'
              // Event Grid reports event subscription names upper-case in its metrics.
              values: [
                toUpper(eventSubscriptionName)
              ]
            }
          ]
          operator: 'GreaterThan'
          threshold: 0
          timeAggregation: 'Total'
        }
      ]
    }
    actions: empty(actionGroupResourceId) ? [] : [
      {
        actionGroupId: actionGroupResourceId
      }
    ]
  }
}]

// =========== //
//   Outputs   //
// =========== //

@description('The resource IDs of the alert rules.')
output resourceIds string[] = [for (metric, i) in alertedMetrics: metricAlerts[i].id]
