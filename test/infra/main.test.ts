import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import contract from '../../shared/contract.json';
import { BicepEvaluator, BicepFile, BicepValue, RuntimeValue, isObject, syntaxErrors } from './bicep';
import { MAIN_BICEP, infraBicepFiles, moduleBicep, repoRelative } from './files';

const main = BicepFile.load(MAIN_BICEP);
const SUBSCRIPTIONS = ['00000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-000000000002'];
const DNS_RESOURCE_GROUP = { subscriptionId: '00000000-0000-0000-0000-0000000000aa', resourceGroupName: 'rg-private-dns' };

/** Roles vaultlink must never be able to hand out: they would let it grant anything. */
const FORBIDDEN_ROLE_GUIDS = [contract.roleDefinitions.Owner, contract.roleDefinitions.UserAccessAdministrator, contract.roleDefinitions.RoleBasedAccessControlAdministrator];

function evaluateMain(parameters: Record<string, BicepValue> = {}): BicepEvaluator {
  return new BicepEvaluator(main, { subscriptionIdsInScope: SUBSCRIPTIONS, privateDnsZoneResourceGroup: DNS_RESOURCE_GROUP, ...parameters });
}

function asRecord(value: BicepValue, what: string): Record<string, BicepValue> {
  if (!isObject(value)) throw new Error(`${what} is not an object`);
  return value;
}

/** The `params` of each instance of a module declared in main.bicep. */
function moduleParams(evaluator: BicepEvaluator, moduleName: string): { condition: BicepValue; params: Record<string, BicepValue> }[] {
  return evaluator.bodies('module', moduleName).map(({ condition, body }) => ({ condition, params: asRecord(body.params ?? null, `${moduleName} params`) }));
}

/**
 * Parses an ABAC condition: per action it constrains, the role definition GUIDs and principal
 * types it allows and the principal ids it refuses.
 */
function parseCondition(condition: string): { action: string; roleDefinitionGuids: string[]; principalTypes: string[]; refusedPrincipalIds: string[] }[] {
  const clauses = [...condition.matchAll(/ActionMatches\{'([^']+)'\}\)\s*\)\s+OR\s+\(([^]*?)\)\s*\)/g)];
  const set = (body: string, pattern: RegExp): string[] => [...body.matchAll(pattern)].flatMap((m) => (m[1] ?? '').split(',').map((g) => g.trim().replace(/^'|'$/g, '')));
  return clauses.map(([, action, body]) => ({
    action: action ?? '',
    roleDefinitionGuids: set(body ?? '', /RoleDefinitionId\] ForAnyOfAnyValues:GuidEquals \{([^}]*)\}/g),
    principalTypes: set(body ?? '', /PrincipalType\] ForAnyOfAnyValues:StringEqualsIgnoreCase \{([^}]*)\}/g),
    refusedPrincipalIds: set(body ?? '', /PrincipalId\] ForAnyOfAllValues:GuidNotEquals \{([^}]*)\}/g),
  }));
}

/** The role definition GUIDs a profile names, resolved through the contract and the custom role GUIDs. */
function expectedProfileGuids(profiles: (keyof typeof contract.roleProfiles)[], customRoleGuids: Record<string, BicepValue>): string[] {
  const byName: Record<string, BicepValue> = { ...contract.roleDefinitions, ...customRoleGuids };
  return [...new Set(profiles.flatMap((profile) => (contract.roleProfiles[profile] as string[]).map((name) => String(byName[name]))))].sort();
}

describe('infra/main.bicep', () => {
  describe('#syntax', () => {
    const files = infraBicepFiles();

    it('finds main.bicep and its modules', () => {
      expect(files.map(repoRelative)).toEqual(expect.arrayContaining(['infra/main.bicep', 'infra/modules/function-app.bicep', 'infra/modules/event-subscription.bicep']));
    });

    it.each(files.map((f) => [repoRelative(f), f]))('parses %s without a syntax error', (_name, path) => {
      expect(syntaxErrors(BicepFile.load(path).root)).toEqual([]);
    });

    it.each(files.map((f) => [repoRelative(f), f]))('references only existing modules from %s', (_name, path) => {
      const file = BicepFile.load(path);
      for (const module of file.all('module')) {
        expect(() => readFileSync(resolve(dirname(path), module.target ?? ''), 'utf8')).not.toThrow();
      }
    });
  });

  describe('#conventions (Azure Verified Modules)', () => {
    const files = infraBicepFiles();

    it.each(files.map((f) => [repoRelative(f), f]))('describes every parameter of %s as Required. or Optional.', (_name, path) => {
      const file = BicepFile.load(path);
      const undescribed = file.all('param').filter((p) => !/^(Required|Optional)\. /.test(p.description ?? '')).map((p) => p.name);
      expect(undescribed).toEqual([]);
    });

    it.each(files.map((f) => [repoRelative(f), f]))('keeps the fixed section order in %s', (_name, path) => {
      const rank: Record<string, number> = { param: 0, var: 1, resource: 2, module: 2, output: 3, type: 4 };
      const ranks = BicepFile.load(path).sectionOrder().map((kind) => rank[kind] ?? -1);
      expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    });

    it('declares user-defined types under a Definitions banner', () => {
      const banner = main.source.indexOf('//   Definitions   //');
      expect(banner).toBeGreaterThan(0);
      for (const type of main.all('type')) expect(type.node.startIndex).toBeGreaterThan(banner);
    });

    it.each(files.map((f) => [repoRelative(f), f]))('names every role assignment in %s guid(scope, principal, role)', (_name, path) => {
      const file = BicepFile.load(path);
      const assignments = file.all('resource').filter((r) => r.target?.startsWith('Microsoft.Authorization/roleAssignments@'));
      for (const assignment of assignments) {
        const nameProperty = assignment.value?.namedChildren.find((p) => p.type === 'object_property' && p.namedChildren[0]?.text === 'name');
        const nameValue = nameProperty?.namedChildren[1];
        expect(nameValue?.type).toBe('call_expression');
        expect(nameValue?.childForFieldName('function')?.text).toBe('guid');
        expect(nameValue?.childForFieldName('arguments')?.namedChildren).toHaveLength(3);
      }
    });

    it.each(['functionAppName', 'systemAssignedMIPrincipalId', 'leastPrivilegeCustomRoleDefinitionIds'])('outputs %s', (name) => {
      expect(main.get('output', name).value).not.toBeNull();
    });
  });

  describe('#contract', () => {
    // Operation names are left out: the same strings are also RBAC actions (vaults/write), which
    // the operator role names on purpose.
    const sharedNames: [string, string][] = [
      ...Object.entries(contract.roleDefinitions).map(([name, guid]): [string, string] => [`roleDefinitions.${name}`, guid]),
      ...contract.eventTypes.handled.map((type): [string, string] => ['eventTypes.handled', type]),
      ...Object.entries(contract.functions).filter(([key]) => !key.startsWith('$')).map(([key, name]): [string, string] => [`functions.${key}`, name]),
      ['approvalAction', contract.approvalAction],
    ];

    it.each(infraBicepFiles().map((f) => [repoRelative(f), f]))('reads shared names from shared/contract.json instead of copying them into %s', (_name, path) => {
      const source = readFileSync(path, 'utf8');
      const copied = sharedNames.filter(([, value]) => source.includes(`'${value}'`) || source.includes(`${value}'`)).map(([name]) => name);
      expect(copied).toEqual([]);
    });

    it.each(infraBicepFiles().map((f) => [repoRelative(f), f]))('loads the contract in %s, if it uses it, with loadJsonContent from shared/contract.json', (_name, path) => {
      const file = BicepFile.load(path);
      const declaration = file.declarations.find((d) => d.kind === 'var' && d.name === 'contract');
      if (declaration === undefined) return;
      const match = /^loadJsonContent\('([^']+)'\)$/.exec(declaration.value?.text ?? '');
      expect(match).not.toBeNull();
      expect(resolve(dirname(path), match?.[1] ?? '')).toBe(resolve(__dirname, '..', '..', 'shared', 'contract.json'));
    });

    it('loads the contract in main.bicep and the modules that name shared values', () => {
      const users = infraBicepFiles().filter((path) => BicepFile.load(path).declarations.some((d) => d.kind === 'var' && d.name === 'contract'));
      expect(users.map(repoRelative).sort()).toEqual(['infra/main.bicep', 'infra/modules/dns-access.bicep', 'infra/modules/event-subscription.bicep', 'infra/modules/role-definitions.bicep', 'infra/modules/subscription-access.bicep']);
    });
  });

  describe('#vaultIdentityRoleAssignmentCondition', () => {
    it.each<[string, (keyof typeof contract.roleProfiles)[]]>([
      ['contributor', ['contributor']],
      ['least-privilege', ['least-privilege']],
      ['both profiles', ['contributor', 'least-privilege']],
    ])('allows exactly the role definitions of %s, on write and on delete, only to service principals', (_what, profiles) => {
      const evaluator = evaluateMain({ vaultIdentityRoleProfiles: profiles });
      const customGuids = asRecord(evaluator.variable('leastPrivilegeRoleDefinitionGuids'), 'leastPrivilegeRoleDefinitionGuids');
      const condition = evaluator.variable('vaultIdentityRoleAssignmentCondition');
      expect(typeof condition).toBe('string');
      const clauses = parseCondition(String(condition));
      expect(clauses.map((c) => c.action).sort()).toEqual(['Microsoft.Authorization/roleAssignments/delete', 'Microsoft.Authorization/roleAssignments/write']);
      for (const clause of clauses) {
        expect([...clause.roleDefinitionGuids].sort()).toEqual(expectedProfileGuids(profiles, customGuids));
        expect(clause.principalTypes).toEqual(['ServicePrincipal']);
        // Filled in by the access modules with the principal they grant RBAC Administrator to.
        expect(clause.refusedPrincipalIds).toEqual(['__VAULTLINK_PRINCIPAL_ID__']);
        for (const forbidden of FORBIDDEN_ROLE_GUIDS) expect(clause.roleDefinitionGuids).not.toContain(forbidden);
      }
    });

    it('reads the condition from infra/rbac-condition.txt, whose only placeholders are the role definition set and vaultlink\'s principal id', () => {
      const template = readFileSync(resolve(dirname(MAIN_BICEP), 'rbac-condition.txt'), 'utf8');
      expect([...new Set(template.match(/__[A-Z_]+__/g))].sort()).toEqual(['__ROLE_DEFINITION_IDS__', '__VAULTLINK_PRINCIPAL_ID__']);
      const condition = String(evaluateMain().variable('vaultIdentityRoleAssignmentCondition'));
      expect(condition).toBe(template.trim().replaceAll('__ROLE_DEFINITION_IDS__', contract.roleProfiles.contributor.map((name) => contract.roleDefinitions[name as keyof typeof contract.roleDefinitions]).join(', ')));
    });

    it('uses the least-privilege role GUIDs the platform team brings, and creates none', () => {
      const brought = { PrivateEndpointContributor: 'aaaaaaaa-0000-0000-0000-000000000001', NetworkInterfaceReader: 'aaaaaaaa-0000-0000-0000-000000000002', PrivateEndpointSubnetContributor: 'aaaaaaaa-0000-0000-0000-000000000003' };
      const evaluator = evaluateMain({ vaultIdentityRoleProfiles: ['least-privilege'], leastPrivilegeCustomRoleDefinitionIds: brought });
      const [clause] = parseCondition(String(evaluator.variable('vaultIdentityRoleAssignmentCondition')));
      expect(clause?.roleDefinitionGuids.sort()).toEqual([...Object.values(brought), contract.roleDefinitions.PrivateDnsZoneContributor].sort());
      expect(moduleParams(evaluator, 'roleDefinitions')[0]?.params.leastPrivilegeRoleDefinitionGuids).toEqual({});
    });

    it('creates the least-privilege roles under the same GUIDs the condition allows', () => {
      const evaluator = evaluateMain({ vaultIdentityRoleProfiles: ['least-privilege'] });
      const created = asRecord(moduleParams(evaluator, 'roleDefinitions')[0]?.params.leastPrivilegeRoleDefinitionGuids ?? null, 'created roles');
      expect(Object.keys(created).sort()).toEqual(Object.keys(contract.leastPrivilegeCustomRoles).filter((k) => !k.startsWith('$')).sort());
      const [clause] = parseCondition(String(evaluator.variable('vaultIdentityRoleAssignmentCondition')));
      for (const guid of Object.values(created)) expect(clause?.roleDefinitionGuids).toContain(guid);
    });

    it('creates no least-privilege role for the contributor profile', () => {
      expect(moduleParams(evaluateMain({ vaultIdentityRoleProfiles: ['contributor'] }), 'roleDefinitions')[0]?.params.leastPrivilegeRoleDefinitionGuids).toEqual({});
    });

    it('names only role definitions that exist in the contract in every profile', () => {
      const known = new Set([...Object.keys(contract.roleDefinitions), ...Object.keys(contract.leastPrivilegeCustomRoles)]);
      for (const [profile, roles] of Object.entries(contract.roleProfiles)) {
        if (profile.startsWith('$')) continue;
        for (const role of roles as string[]) expect(known.has(role) ? role : `${profile}: unknown ${role}`).toBe(role);
        for (const forbidden of ['Owner', 'UserAccessAdministrator', 'RoleBasedAccessControlAdministrator']) expect(roles).not.toContain(forbidden);
      }
    });

    it('hands the same condition to every scope where vaultlink is RBAC Administrator', () => {
      const evaluator = evaluateMain();
      const condition = evaluator.variable('vaultIdentityRoleAssignmentCondition');
      const subscriptionAccess = moduleParams(evaluator, 'subscriptionAccess');
      expect(subscriptionAccess.map((m) => (m.params.roleAssignmentConditionTemplate === condition ? 'same' : 'different'))).toEqual(SUBSCRIPTIONS.map(() => 'same'));
      const [dnsAccess] = moduleParams(evaluator, 'dnsAccess');
      expect(dnsAccess?.condition).toBe(true);
      expect(dnsAccess?.params.roleAssignmentConditionTemplate).toBe(condition);
    });

    it('deploys no DNS permissions when no central DNS resource group is given', () => {
      const evaluator = new BicepEvaluator(main, { subscriptionIdsInScope: SUBSCRIPTIONS });
      expect(moduleParams(evaluator, 'dnsAccess').map((m) => m.condition)).toEqual([false]);
    });
  });

  describe('#role assignments in modules', () => {
    const CONDITION = "((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) OR (x GuidNotEquals {__VAULTLINK_PRINCIPAL_ID__})) AND (y GuidNotEquals {__VAULTLINK_PRINCIPAL_ID__})";

    it.each(['subscription-access', 'dns-access'])('%s: assigns RBAC Administrator only with the condition it is given, refusing the principal it is assigned to', (name) => {
      const evaluator = new BicepEvaluator(BicepFile.load(moduleBicep(name)), { principalId: 'p', operatorRoleDefinitionGuid: 'o', roleAssignmentConditionTemplate: CONDITION });
      const [administrator] = evaluator.bodies('resource', 'roleAssignmentAdministrator');
      const properties = asRecord(administrator?.body.properties ?? null, 'properties');
      expect(String(properties.roleDefinitionId)).toMatch(new RegExp(`${contract.roleDefinitions.RoleBasedAccessControlAdministrator}$`));
      expect(properties.conditionVersion).toBe('2.0');
      expect(properties.condition).toBe(CONDITION.replaceAll('__VAULTLINK_PRINCIPAL_ID__', 'p'));
      expect(properties.principalType).toBe('ServicePrincipal');
    });

    it.each(infraBicepFiles().map((f) => [repoRelative(f), f]))('never assigns Owner or User Access Administrator, nor RBAC Administrator without a condition, in %s', (_name, path) => {
      const file = BicepFile.load(path);
      const evaluator = new BicepEvaluator(file, { principalId: 'p', operatorRoleDefinitionGuid: 'o', roleAssignmentConditionTemplate: 'c', subscriptionIdsInScope: SUBSCRIPTIONS, systemTopicResourceId: 't', storageAccountName: 's', deadLetterContainerName: 'd', name: 'n', planName: 'p', deploymentContainerName: 'd', applicationInsightsName: 'a', vaultlinkAppSettings: {} });
      for (const assignment of file.all('resource').filter((r) => r.target?.startsWith('Microsoft.Authorization/roleAssignments@'))) {
        for (const { body } of evaluator.bodies('resource', assignment.name)) {
          const properties = asRecord(body.properties ?? null, 'properties');
          const roleDefinitionId = String(properties.roleDefinitionId);
          for (const forbidden of [contract.roleDefinitions.Owner, contract.roleDefinitions.UserAccessAdministrator]) expect(roleDefinitionId).not.toContain(forbidden);
          if (roleDefinitionId.endsWith(contract.roleDefinitions.RoleBasedAccessControlAdministrator)) expect(properties.condition).toBe('c');
        }
      }
    });

    it('grants Reader and the operator role on every subscription in scope', () => {
      const evaluator = new BicepEvaluator(BicepFile.load(moduleBicep('subscription-access')), { principalId: 'p', operatorRoleDefinitionGuid: 'o', roleAssignmentConditionTemplate: 'c' });
      const roleOf = (name: string) => String(asRecord(evaluator.bodies('resource', name)[0]?.body.properties ?? null, name).roleDefinitionId);
      expect(roleOf('reader')).toMatch(new RegExp(`/roleDefinitions/${contract.roleDefinitions.Reader}$`));
      expect(roleOf('operator')).toMatch(/\/roleDefinitions\/o$/);
    });
  });

  describe('#app settings', () => {
    const appSettingNames = Object.keys(contract.appSettings).filter((k) => !k.startsWith('$'));

    it('sets exactly the settings vaultlink reads (shared/contract.json appSettings)', () => {
      expect(Object.keys(asRecord(evaluateMain().variable('vaultlinkAppSettings'), 'vaultlinkAppSettings')).sort()).toEqual([...appSettingNames].sort());
    });

    it('hands them to the Function App, which sets every one of them with its host settings', () => {
      const [functionAppModule] = moduleParams(evaluateMain({ policyFilePath: 'policies/prod.json' }), 'functionApp');
      const params = functionAppModule?.params ?? {};
      const functionApp = new BicepEvaluator(BicepFile.load(moduleBicep('function-app')), params);
      const [settings] = functionApp.bodies('resource', 'appSettings');
      const properties = asRecord(settings?.body.properties ?? null, 'appsettings');
      for (const name of appSettingNames) expect(Object.keys(properties)).toContain(name);
      expect(properties.VAULTLINK_POLICY_FILE).toBe('policies/prod.json');
      expect(properties.VAULTLINK_CLOUD).toBe('AzurePublicCloud');
    });

    it('reaches storage and Application Insights by identity, without a connection string with a key', () => {
      const functionApp = new BicepEvaluator(BicepFile.load(moduleBicep('function-app')), { name: 'n', planName: 'p', storageAccountName: 's', deploymentContainerName: 'd', applicationInsightsName: 'a', vaultlinkAppSettings: {} });
      const properties = asRecord(functionApp.bodies('resource', 'appSettings')[0]?.body.properties ?? null, 'appsettings');
      expect(Object.keys(properties)).not.toContain('AzureWebJobsStorage');
      expect(properties.AzureWebJobsStorage__credential).toBe('managedidentity');
      expect(properties.AzureWebJobsStorage__queueServiceUri).toBeInstanceOf(RuntimeValue);
      expect(properties.APPLICATIONINSIGHTS_AUTHENTICATION_STRING).toBe('Authorization=AAD');
      // Flex Consumption refuses these: the runtime comes from functionAppConfig.
      expect(Object.keys(properties)).not.toContain('FUNCTIONS_WORKER_RUNTIME');
      expect(Object.keys(properties)).not.toContain('FUNCTIONS_EXTENSION_VERSION');
    });

    it('runs Node.js 22 on the Flex Consumption plan with a system-assigned identity', () => {
      const functionApp = new BicepEvaluator(BicepFile.load(moduleBicep('function-app')), { name: 'n', planName: 'p', storageAccountName: 's', deploymentContainerName: 'd', applicationInsightsName: 'a', vaultlinkAppSettings: {} });
      const site = functionApp.bodies('resource', 'functionApp')[0]?.body ?? {};
      const plan = functionApp.bodies('resource', 'plan')[0]?.body ?? {};
      expect(plan.sku).toEqual({ tier: 'FlexConsumption', name: 'FC1' });
      expect(site.identity).toEqual({ type: 'SystemAssigned' });
      const config = asRecord(asRecord(site.properties ?? null, 'properties').functionAppConfig ?? null, 'functionAppConfig');
      expect(config.runtime).toEqual({ name: 'node', version: '22' });
      expect(asRecord(asRecord(config.deployment ?? null, 'deployment').storage ?? null, 'storage').authentication).toEqual({ type: 'SystemAssignedIdentity' });
    });
  });

  describe('#eventRoutingEnabled', () => {
    it.each([
      [true, [true, true]],
      [false, [false, false]],
    ])('creates the event subscriptions only when %s, and the topics and dead-letter access always', (enabled, expected) => {
      const evaluator = evaluateMain({ eventRoutingEnabled: enabled });
      expect(moduleParams(evaluator, 'eventSubscriptions').map((m) => m.condition)).toEqual(expected);
      expect(moduleParams(evaluator, 'eventTopics').map((m) => m.condition)).toEqual([true, true]);
      expect(moduleParams(evaluator, 'deadLetterAccess').map((m) => m.condition)).toEqual([true, true]);
    });
  });

  describe('#main.parameters.json', () => {
    const example = JSON.parse(readFileSync(MAIN_BICEP.replace(/main\.bicep$/, 'main.parameters.json'), 'utf8')) as { parameters: Record<string, { value: BicepValue }> };

    it('names only parameters that main.bicep declares', () => {
      const declared = main.all('param').map((p) => p.name);
      for (const name of Object.keys(example.parameters)) expect(declared).toContain(name);
    });

    it('gives every required parameter a value', () => {
      const required = main.all('param').filter((p) => p.value === null && !(p.node.namedChildren[1]?.text.endsWith('?') ?? false)).map((p) => p.name);
      expect(required.length).toBeGreaterThan(0);
      for (const name of required) expect(Object.keys(example.parameters)).toContain(name);
    });

    it('evaluates: the example deploys event routing for every subscription it names', () => {
      const values = Object.fromEntries(Object.entries(example.parameters).map(([k, v]) => [k, v.value]));
      const evaluator = new BicepEvaluator(main, values);
      const subscriptions = values.subscriptionIdsInScope as string[];
      expect(moduleParams(evaluator, 'eventSubscriptions').map((m) => m.condition)).toEqual(subscriptions.map(() => true));
      expect(moduleParams(evaluator, 'eventTopics').map((m) => m.params.sourceSubscriptionId)).toEqual(subscriptions);
    });
  });
});
