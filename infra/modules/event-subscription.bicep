metadata name = 'vaultlink event subscription'
metadata description = 'Routes the resource events vaultlink handles from one subscription\'s system topic to its Event Grid function, with retries and dead-lettering by identity.'

// ============== //
//   Parameters   //
// ============== //

@description('Required. Name of the system topic (in this resource group).')
param systemTopicName string

@description('Required. Resource ID of the vaultlink Function App.')
param functionAppResourceId string

@description('Required. Resource ID of the storage account that holds the dead-letter container.')
param deadLetterStorageAccountResourceId string

@description('Required. Name of the dead-letter container.')
param deadLetterContainerName string

@description('Optional. Name of the event subscription.')
param name string = 'vaultlink'

@description('Optional. Delivery attempts before an event is dead-lettered.')
@minValue(1)
@maxValue(30)
param maxDeliveryAttempts int = 30

@description('Optional. Minutes Event Grid keeps retrying an event before it is dead-lettered.')
@minValue(1)
@maxValue(1440)
param eventTimeToLiveInMinutes int = 1440

// ============= //
//   Variables   //
// ============= //

var contract = loadJsonContent('../../shared/contract.json')

// Every operation name the intake turns into a hint (shared/domain/events.ts reads the same
// lists). Keys starting with "$" are comments.
var handledOperationNames = flatten(map(filter(items(contract.operations), group => (!startsWith(group.key, '$'))), group => (group.value)))

// ============= //
//   Resources   //
// ============= //

resource systemTopic 'Microsoft.EventGrid/systemTopics@2022-06-15' existing = {
  name: systemTopicName
}

resource eventSubscription 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2022-06-15' = {
  parent: systemTopic
  name: name
  properties: {
    // Event Grid calls the function through its system key, which it fetches itself: no key here.
    destination: {
      endpointType: 'AzureFunction'
      properties: {
        resourceId: '${functionAppResourceId}/functions/${contract.functions.eventGrid}'
        maxEventsPerBatch: 10
        preferredBatchSizeInKilobytes: 64
      }
    }
    eventDeliverySchema: 'EventGridSchema'
    filter: {
      includedEventTypes: contract.eventTypes.handled
      // Event Grid compares strings case-insensitively, so ARM's varying casing still matches.
      advancedFilters: [
        {
          operatorType: 'StringIn'
          key: 'data.operationName'
          values: handledOperationNames
        }
      ]
    }
    // An event is only a hint, but a lost hint delays convergence to the next sweep: retry for a
    // day, then keep it.
    retryPolicy: {
      maxDeliveryAttempts: maxDeliveryAttempts
      eventTimeToLiveInMinutes: eventTimeToLiveInMinutes
    }
    deadLetterWithResourceIdentity: {
      identity: {
        type: 'SystemAssigned'
      }
      deadLetterDestination: {
        endpointType: 'StorageBlob'
        properties: {
          resourceId: deadLetterStorageAccountResourceId
          blobContainerName: deadLetterContainerName
        }
      }
    }
  }
}

// =========== //
//   Outputs   //
// =========== //

@description('The resource ID of the event subscription.')
output resourceId string = eventSubscription.id
