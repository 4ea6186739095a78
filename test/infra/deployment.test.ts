/**
 * The compiled infra/main.json deployed on paper (test/infra/arm.ts): the resources Resource
 * Manager would create, with the names, scopes, role definitions, conditions and event filters it
 * would send. What only the Bicep source shows (conventions, comments, how the contract is loaded)
 * stays in main.test.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import contract from '../../shared/contract.json';
import { DeployedResource, Deployment, Runtime, deploy, record, resourcesOfType, simulatedPrincipalId } from './arm';
import { describeCompiled } from './compiled';
import { INFRA_DIR } from './files';

const DEPLOYMENT_SUBSCRIPTION = '00000000-0000-0000-0000-00000000d0d0';
const SUBSCRIPTIONS = ['00000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-000000000002'];
const DNS = { subscriptionId: '00000000-0000-0000-0000-0000000000aa', resourceGroupName: 'rg-private-dns' };
/** An existing system topic of the first subscription, in another team's resource group. */
const EXISTING_TOPIC = `/subscriptions/${SUBSCRIPTIONS[0]}/resourceGroups/rg-security-tooling/providers/Microsoft.EventGrid/systemTopics/sub-events`;
const ACTION_GROUP = `/subscriptions/${DEPLOYMENT_SUBSCRIPTION}/resourceGroups/rg-ops/providers/Microsoft.Insights/actionGroups/ag-platform`;

const ROLE = contract.roleDefinitions;
const TEMPLATE_CONDITION = readFileSync(join(INFRA_DIR, 'rbac-condition.txt'), 'utf8');

function properties(resource: DeployedResource | undefined): Record<string, unknown> {
  if (resource === undefined) throw new Error('no such resource');
  return record(resource.body.properties, `${resource.id} properties`);
}

function roleDefinitionGuid(assignment: DeployedResource): string {
  return String(properties(assignment).roleDefinitionId).split('/').pop() ?? '';
}

function assignmentsAt(deployment: Deployment, scopeId: string): DeployedResource[] {
  return resourcesOfType(deployment, 'Microsoft.Authorization/roleAssignments').filter((a) => a.id.toLowerCase().startsWith(`${scopeId.toLowerCase()}/providers/microsoft.authorization/`));
}

/** A value computed on first use: describe bodies run even where the tests are skipped. */
function lazy<T>(make: () => T): () => T {
  let value: { v: T } | undefined;
  return () => (value ??= { v: make() }).v;
}

describeCompiled('infra/main.json (compiled), deployed', (compiled) => {
  const deployMain = (parameters: Record<string, unknown> = {}): Deployment =>
    deploy(compiled().main, { subscriptionIdsInScope: SUBSCRIPTIONS, privateDnsZoneResourceGroup: DNS, ...parameters }, { subscriptionId: DEPLOYMENT_SUBSCRIPTION, location: 'uksouth' });

  describe('#vaultlink identity', () => {
    const main = lazy(() => {
      const deployment = deployMain();
      const [site] = resourcesOfType(deployment, 'Microsoft.Web/sites');
      return { deployment, site, vaultlinkPrincipal: simulatedPrincipalId(site?.id ?? '') };
    });

    it('runs one Function App on Flex Consumption, Node.js 22, with a system-assigned identity', () => {
      const { deployment, site } = main();
      expect(resourcesOfType(deployment, 'Microsoft.Web/sites')).toHaveLength(1);
      expect(site?.body.identity).toEqual({ type: 'SystemAssigned' });
      const config = record(properties(site).functionAppConfig, 'functionAppConfig');
      expect(config.runtime).toEqual({ name: 'node', version: '22' });
      const [plan] = resourcesOfType(deployment, 'Microsoft.Web/serverfarms');
      expect(plan?.body.sku).toEqual({ tier: 'FlexConsumption', name: 'FC1' });
    });

    it('outputs the principal that every role assignment of vaultlink names', () => {
      const { deployment, vaultlinkPrincipal } = main();
      expect(deployment.outputs.systemAssignedMIPrincipalId).toBe(vaultlinkPrincipal);
    });

    it.each(SUBSCRIPTIONS)('grants Reader, the operator role and conditioned RBAC Administrator in subscription %s, and nothing else', (subscriptionId) => {
      const { deployment, vaultlinkPrincipal } = main();
      const assignments = assignmentsAt(deployment, `/subscriptions/${subscriptionId}`);
      const operatorGuid = String(deployment.outputs.operatorRoleDefinitionGuid);
      expect(assignments.map(roleDefinitionGuid).sort()).toEqual([ROLE.Reader, operatorGuid, ROLE.RoleBasedAccessControlAdministrator].sort());
      for (const assignment of assignments) {
        expect(properties(assignment).principalId).toBe(vaultlinkPrincipal);
        expect(properties(assignment).principalType).toBe('ServicePrincipal');
      }
    });

    it('grants Private DNS Zone Contributor and conditioned RBAC Administrator on the DNS resource group', () => {
      const { deployment } = main();
      const assignments = assignmentsAt(deployment, `/subscriptions/${DNS.subscriptionId}/resourceGroups/${DNS.resourceGroupName}`);
      expect(assignments.map(roleDefinitionGuid).sort()).toEqual([ROLE.PrivateDnsZoneContributor, ROLE.RoleBasedAccessControlAdministrator].sort());
    });

    it('never assigns Owner or User Access Administrator, and RBAC Administrator only with a version 2.0 condition', () => {
      const { deployment } = main();
      const assignments = resourcesOfType(deployment, 'Microsoft.Authorization/roleAssignments');
      expect(assignments.length).toBeGreaterThan(8);
      for (const assignment of assignments) {
        expect([ROLE.Owner, ROLE.UserAccessAdministrator]).not.toContain(roleDefinitionGuid(assignment));
        if (roleDefinitionGuid(assignment) === ROLE.RoleBasedAccessControlAdministrator) {
          expect(properties(assignment).conditionVersion).toBe('2.0');
          expect(typeof properties(assignment).condition).toBe('string');
        }
      }
    });

    it('deploys the condition of infra/rbac-condition.txt with the profile\'s role definitions and vaultlink\'s own principal filled in', () => {
      const { deployment, vaultlinkPrincipal } = main();
      const administrators = resourcesOfType(deployment, 'Microsoft.Authorization/roleAssignments').filter((a) => roleDefinitionGuid(a) === ROLE.RoleBasedAccessControlAdministrator);
      expect(administrators).toHaveLength(SUBSCRIPTIONS.length + 1);
      const expected = TEMPLATE_CONDITION.trim()
        .replaceAll('__ROLE_DEFINITION_IDS__', [ROLE.Contributor, ROLE.PrivateDnsZoneContributor].join(', '))
        .replaceAll('__VAULTLINK_PRINCIPAL_ID__', vaultlinkPrincipal);
      for (const administrator of administrators) expect(properties(administrator).condition).toBe(expected);
    });
  });

  describe('#role definitions', () => {
    const operatorActions = (deployment: Deployment): string[] => {
      const [operator] = resourcesOfType(deployment, 'Microsoft.Authorization/roleDefinitions').filter((d) => d.name === deployment.outputs.operatorRoleDefinitionGuid);
      const [permissions] = properties(operator).permissions as Record<string, unknown>[];
      return [...(record(permissions, 'permissions').actions as string[])].sort();
    };

    it.each<[boolean, string[]]>([
      [true, [contract.approvalAction, 'Microsoft.RecoveryServices/vaults/privateEndpointConnections/write', 'Microsoft.Network/virtualNetworks/join/action', 'Microsoft.RecoveryServices/vaults/write']],
      [false, [contract.approvalAction, 'Microsoft.RecoveryServices/vaults/privateEndpointConnections/write', 'Microsoft.Network/virtualNetworks/join/action']],
    ])('gives the operator role vaults/write only when vaultIdentityEnablingAllowed=%s', (allowed, expected) => {
      expect(operatorActions(deployMain({ vaultIdentityEnablingAllowed: allowed }))).toEqual([...expected].sort());
    });

    it('creates the least-privilege roles under the GUIDs the condition allows, assignable in every subscription in scope', () => {
      const deployment = deployMain({ vaultIdentityRoleProfiles: ['least-privilege'] });
      const created = resourcesOfType(deployment, 'Microsoft.Authorization/roleDefinitions').filter((d) => d.name !== deployment.outputs.operatorRoleDefinitionGuid);
      expect(created.map((d) => properties(d).roleName).sort()).toEqual(['NetworkInterfaceReader', 'PrivateEndpointContributor', 'PrivateEndpointSubnetContributor']);
      const [administrator] = resourcesOfType(deployment, 'Microsoft.Authorization/roleAssignments').filter((a) => roleDefinitionGuid(a) === ROLE.RoleBasedAccessControlAdministrator);
      for (const definition of created) {
        expect(String(properties(administrator).condition)).toContain(definition.name);
        expect(properties(definition).assignableScopes).toEqual(SUBSCRIPTIONS.map((s) => `/subscriptions/${s}`));
      }
    });
  });

  describe('#event routing', () => {
    it('creates a resource group and a system topic with an identity in every subscription when none exists', () => {
      const deployment = deployMain();
      const topics = resourcesOfType(deployment, 'Microsoft.EventGrid/systemTopics');
      expect(topics.map((t) => t.id)).toEqual(SUBSCRIPTIONS.map((s) => `/subscriptions/${s}/resourceGroups/rg-vaultlink-events/providers/Microsoft.EventGrid/systemTopics/evgt-vaultlink`));
      expect(topics.map((t) => properties(t).source)).toEqual(SUBSCRIPTIONS.map((s) => `/subscriptions/${s}`));
      for (const topic of topics) expect(topic.body.identity).toEqual({ type: 'SystemAssigned' });
      expect(resourcesOfType(deployment, 'Microsoft.Resources/resourceGroups').map((g) => g.id)).toEqual(expect.arrayContaining(SUBSCRIPTIONS.map((s) => `/subscriptions/${s}/resourceGroups/rg-vaultlink-events`)));
      expect(deployment.outputs.systemTopicResourceIds).toEqual(topics.map((t) => t.id));
    });

    it('subscribes to an existing topic where one is given, creating neither a topic nor a resource group there', () => {
      const deployment = deployMain({ existingSystemTopicResourceIds: { [SUBSCRIPTIONS[0] ?? '']: EXISTING_TOPIC } });
      const created = resourcesOfType(deployment, 'Microsoft.EventGrid/systemTopics');
      expect(created.map((t) => t.scope.subscriptionId)).toEqual([SUBSCRIPTIONS[1]]);
      const groups = resourcesOfType(deployment, 'Microsoft.Resources/resourceGroups').map((g) => g.id);
      expect(groups).toContain(`/subscriptions/${SUBSCRIPTIONS[1]}/resourceGroups/rg-vaultlink-events`);
      expect(groups).not.toContain(`/subscriptions/${SUBSCRIPTIONS[0]}/resourceGroups/rg-vaultlink-events`);
      const subscriptions = resourcesOfType(deployment, 'Microsoft.EventGrid/systemTopics/eventSubscriptions').map((s) => s.id);
      expect(subscriptions).toEqual([`${EXISTING_TOPIC}/eventSubscriptions/vaultlink`, `${created[0]?.id}/eventSubscriptions/vaultlink`]);
      expect(deployment.outputs.systemTopicResourceIds).toEqual([EXISTING_TOPIC, created[0]?.id]);
      // Someone else's topic: no diagnostic setting written onto it.
      const diagnostics = resourcesOfType(deployment, 'Microsoft.Insights/diagnosticSettings').map((d) => d.id);
      expect(diagnostics).toEqual([`${created[0]?.id}/providers/Microsoft.Insights/diagnosticSettings/vaultlink`]);
    });

    it('lets the existing topic\'s own identity write dead letters (the topic is read, not changed)', () => {
      const deployment = deployMain({ existingSystemTopicResourceIds: { [SUBSCRIPTIONS[0] ?? '']: EXISTING_TOPIC } });
      const deadLetterWriters = resourcesOfType(deployment, 'Microsoft.Authorization/roleAssignments').filter((a) => a.id.includes('/containers/eventgrid-deadletter/'));
      expect(deadLetterWriters).toHaveLength(2);
      // Only Azure knows an existing topic's principal: the deployment reads it from the topic.
      expect(properties(deadLetterWriters[0]).principalId).toBeInstanceOf(Runtime);
      expect(String(properties(deadLetterWriters[0]).principalId)).toMatch(/identity\.principalId/);
      const [created] = resourcesOfType(deployment, 'Microsoft.EventGrid/systemTopics');
      expect(properties(deadLetterWriters[1]).principalId).toBe(simulatedPrincipalId(created?.id ?? ''));
    });

    it('creates no event subscription and no alert with eventRoutingEnabled=false, and the topics still', () => {
      const deployment = deployMain({ eventRoutingEnabled: false });
      expect(resourcesOfType(deployment, 'Microsoft.EventGrid/systemTopics/eventSubscriptions')).toEqual([]);
      expect(resourcesOfType(deployment, 'Microsoft.Insights/metricAlerts')).toEqual([]);
      expect(resourcesOfType(deployment, 'Microsoft.EventGrid/systemTopics')).toHaveLength(SUBSCRIPTIONS.length);
    });

    it('filters exactly the contract\'s event types and operation names, and delivers to vaultlink\'s function', () => {
      const deployment = deployMain();
      const [site] = resourcesOfType(deployment, 'Microsoft.Web/sites');
      for (const subscription of resourcesOfType(deployment, 'Microsoft.EventGrid/systemTopics/eventSubscriptions')) {
        const filter = record(properties(subscription).filter, 'filter');
        expect([...(filter.includedEventTypes as string[])].sort()).toEqual([...contract.eventTypes.handled].sort());
        const [operations] = filter.advancedFilters as Record<string, unknown>[];
        expect(operations).toMatchObject({ operatorType: 'StringIn', key: 'data.operationName' });
        const names = Object.entries(contract.operations).filter(([k]) => !k.startsWith('$')).flatMap(([, v]) => v as string[]);
        expect([...(record(operations, 'operations').values as string[])].sort()).toEqual([...names].sort());
        const destination = record(properties(subscription).destination, 'destination');
        expect(record(destination.properties, 'destination properties').resourceId).toBe(`${site?.id}/functions/${contract.functions.eventGrid}`);
      }
    });
  });

  describe('#monitoring', () => {
    it('sends each created topic\'s delivery failures and metrics to the workspace', () => {
      const deployment = deployMain();
      const [workspace] = resourcesOfType(deployment, 'Microsoft.OperationalInsights/workspaces');
      const diagnostics = resourcesOfType(deployment, 'Microsoft.Insights/diagnosticSettings');
      expect(diagnostics).toHaveLength(SUBSCRIPTIONS.length);
      for (const setting of diagnostics) {
        expect(properties(setting).workspaceId).toBe(workspace?.id);
        expect(properties(setting).logs).toEqual([{ category: 'DeliveryFailures', enabled: true }]);
        expect(properties(setting).metrics).toEqual([{ category: 'AllMetrics', enabled: true }]);
      }
    });

    it.each([
      ['with', ACTION_GROUP, [{ actionGroupId: ACTION_GROUP }]],
      ['without', '', []],
    ])('alerts on dead-lettered, failed and dropped deliveries to vaultlink on every topic, %s an action group', (_what, actionGroup, actions) => {
      const deployment = deployMain({ alertActionGroupResourceId: actionGroup, existingSystemTopicResourceIds: { [SUBSCRIPTIONS[0] ?? '']: EXISTING_TOPIC } });
      const alerts = resourcesOfType(deployment, 'Microsoft.Insights/metricAlerts');
      const byTopic = new Map<string, string[]>();
      for (const alert of alerts) {
        const [scope] = properties(alert).scopes as string[];
        const [criterion] = record(properties(alert).criteria, 'criteria').allOf as Record<string, unknown>[];
        expect(criterion).toMatchObject({ metricNamespace: 'Microsoft.EventGrid/systemTopics', operator: 'GreaterThan', threshold: 0, timeAggregation: 'Total' });
        expect(record(criterion, 'criterion').dimensions).toEqual([{ name: 'EventSubscriptionName', operator: 'Include', values: ['VAULTLINK'] }]);
        expect(properties(alert).actions).toEqual(actions);
        byTopic.set(String(scope), [...(byTopic.get(String(scope)) ?? []), String(record(criterion, 'criterion').metricName)].sort());
      }
      expect([...byTopic.keys()]).toEqual(deployment.outputs.systemTopicResourceIds);
      for (const metrics of byTopic.values()) expect(metrics).toEqual(['DeadLetteredCount', 'DeliveryAttemptFailCount', 'DroppedEventCount']);
    });

    it('deploys the workbook of infra/modules/workbook.json reading vaultlink\'s Application Insights', () => {
      const deployment = deployMain();
      const [workbook] = resourcesOfType(deployment, 'Microsoft.Insights/workbooks');
      const [insights] = resourcesOfType(deployment, 'Microsoft.Insights/components');
      expect(properties(workbook).sourceId).toBe(insights?.id);
      const content = JSON.parse(String(properties(workbook).serializedData)) as { version: string; items: { name: string; content: { query?: string } }[]; fallbackResourceIds: string[] };
      expect(content.version).toBe('Notebook/1.0');
      expect(content.fallbackResourceIds).toEqual([insights?.id]);
      expect(content.items.filter((i) => i.content.query !== undefined).map((i) => i.name)).toEqual(['per-vault-status', 'recent-decisions', 'approvals', 'failures']);
    });

    it('turns off ingestion sampling, which would drop approval records after the app kept them', () => {
      const [insights] = resourcesOfType(deployMain(), 'Microsoft.Insights/components');
      expect(properties(insights).SamplingPercentage).toBe(100);
    });

    it("reads vaultlink's records by their custom dimensions (functions/telemetry.ts), the approval audit trail by its own", () => {
      const content = JSON.parse(String(properties(resourcesOfType(deployMain(), 'Microsoft.Insights/workbooks')[0]).serializedData)) as { items: { name: string; content: { query?: string } }[] };
      const query = (name: string): string => content.items.find((i) => i.name === name)?.content.query ?? '';
      for (const name of ['per-vault-status', 'recent-decisions', 'approvals', 'failures']) {
        for (const dimension of ['decision', 'vaultId', 'correlationId', 'action', 'rule', 'outcome']) expect(query(name)).toContain(`customDimensions.${dimension}`);
      }
      expect(query('approvals')).toMatch(/customDimensions\.audit[\s\S]*\| where audit == 'approval'/);
      expect(query('recent-decisions')).toContain('customDimensions.InvocationId');
    });
  });

  describe('#main.parameters.json', () => {
    const example = JSON.parse(readFileSync(join(INFRA_DIR, 'main.parameters.json'), 'utf8')) as { parameters: Record<string, { value: unknown }> };

    it('deploys as it is: every name it gives is a parameter of the template', () => {
      const values = Object.fromEntries(Object.entries(example.parameters).map(([k, v]) => [k, v.value]));
      const deployment = deploy(compiled().main, values, { subscriptionId: DEPLOYMENT_SUBSCRIPTION });
      expect(resourcesOfType(deployment, 'Microsoft.EventGrid/systemTopics/eventSubscriptions')).toHaveLength((values.subscriptionIdsInScope as string[]).length);
    });
  });

  describe('#evaluator', () => {
    it('refuses a parameter the template does not declare, so a test cannot pass on a misspelt one', () => {
      expect(() => deployMain({ subscriptionIdsInScop: SUBSCRIPTIONS })).toThrow(/subscriptionIdsInScop is not declared/);
    });

    it('refuses an unknown template function', () => {
      expect(() => deploy({ resources: [], outputs: { x: { type: 'string', value: "[reverse('ab')]" } } }, {}, { subscriptionId: 's' })).toThrow(/reverse is not known/);
    });
  });
});
