import contract from '../../../shared/contract.json';
import { BicepEvaluator, BicepFile, BicepValue, isObject } from '../bicep';
import { moduleBicep } from '../files';

const PARAMS = {
  systemTopicName: 'evgt-vaultlink',
  functionAppResourceId: '/subscriptions/s/resourceGroups/rg-vaultlink/providers/Microsoft.Web/sites/func-vaultlink',
  deadLetterStorageAccountResourceId: '/subscriptions/s/resourceGroups/rg-vaultlink/providers/Microsoft.Storage/storageAccounts/stvaultlink',
  deadLetterContainerName: 'eventgrid-deadletter',
};

function record(value: BicepValue | undefined, what: string): Record<string, BicepValue> {
  if (value === undefined || !isObject(value)) throw new Error(`${what} is not an object`);
  return value;
}

function eventSubscriptionProperties(): Record<string, BicepValue> {
  const evaluator = new BicepEvaluator(BicepFile.load(moduleBicep('event-subscription')), PARAMS);
  const [eventSubscription] = evaluator.bodies('resource', 'eventSubscription');
  return record(eventSubscription?.body.properties, 'properties');
}

/** Every operation name in the contract (the lists the intake reads), without "$" comment keys. */
const contractOperationNames = Object.entries(contract.operations)
  .filter(([key]) => !key.startsWith('$'))
  .flatMap(([, names]) => names as string[]);

describe('infra/modules/event-subscription.bicep', () => {
  describe('#filter', () => {
    const filter = record(eventSubscriptionProperties().filter, 'filter');

    it('includes exactly the event types the intake handles', () => {
      expect([...(filter.includedEventTypes as string[])].sort()).toEqual([...contract.eventTypes.handled].sort());
    });

    it('passes exactly the operation names the intake turns into hints, in one StringIn on data.operationName', () => {
      const advancedFilters = filter.advancedFilters as BicepValue[];
      expect(advancedFilters).toHaveLength(1);
      const operationFilter = record(advancedFilters[0], 'advanced filter');
      expect(operationFilter.operatorType).toBe('StringIn');
      expect(operationFilter.key).toBe('data.operationName');
      expect([...(operationFilter.values as string[])].sort()).toEqual([...contractOperationNames].sort());
    });

    it('covers every group of operations in the contract (vault, connection, private endpoint)', () => {
      const values = record((filter.advancedFilters as BicepValue[])[0], 'advanced filter').values as string[];
      for (const group of ['vault', 'vaultConnection', 'privateEndpoint'] as const) {
        for (const name of contract.operations[group]) expect(values).toContain(name);
      }
    });

    it('stays within Event Grid\'s limit of 25 values across advanced filters', () => {
      const total = (filter.advancedFilters as BicepValue[]).reduce<number>((sum, f) => sum + ((record(f, 'filter').values as BicepValue[]).length ?? 0), 0);
      expect(total).toBeLessThanOrEqual(25);
    });
  });

  describe('#destination', () => {
    it('delivers to vaultlink\'s Event Grid function by resource id, with no key or URL', () => {
      const destination = record(eventSubscriptionProperties().destination, 'destination');
      expect(destination.endpointType).toBe('AzureFunction');
      expect(record(destination.properties, 'destination properties').resourceId).toBe(`${PARAMS.functionAppResourceId}/functions/${contract.functions.eventGrid}`);
    });

    it('retries, then dead-letters into the container by the topic\'s identity', () => {
      const properties = eventSubscriptionProperties();
      const retryPolicy = record(properties.retryPolicy, 'retryPolicy');
      expect(retryPolicy.maxDeliveryAttempts).toBe(30);
      expect(retryPolicy.eventTimeToLiveInMinutes).toBe(1440);
      expect(properties.deadLetterDestination).toBeUndefined();
      const deadLetter = record(properties.deadLetterWithResourceIdentity, 'deadLetterWithResourceIdentity');
      expect(deadLetter.identity).toEqual({ type: 'SystemAssigned' });
      expect(record(deadLetter.deadLetterDestination, 'deadLetterDestination')).toEqual({
        endpointType: 'StorageBlob',
        properties: { resourceId: PARAMS.deadLetterStorageAccountResourceId, blobContainerName: PARAMS.deadLetterContainerName },
      });
    });
  });
});
