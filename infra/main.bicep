metadata name = 'vaultlink'
metadata description = 'Deploys vaultlink (hands-off private endpoints for Azure Backup): the Function App on Flex Consumption with a managed identity, its storage and monitoring, Event Grid routing from every subscription in scope, and vaultlink\'s least-privilege permissions. Names shared with the code come from shared/contract.json.'

targetScope = 'subscription'

// ============== //
//   Parameters   //
// ============== //

@description('Required. Subscriptions whose Recovery Services vaults vaultlink manages (policy scope.subscriptions). Each gets an Event Grid system topic and vaultlink\'s role assignments.')
@minLength(1)
param subscriptionIdsInScope string[]

@description('Optional. Resource group of the private DNS zones (policy dns.central, for placements "central" and "zone-group"). Null: vaultlink gets no DNS permissions (placement "custom").')
param privateDnsZoneResourceGroup resourceGroupReferenceType?

@description('Optional. Role profiles (policy roles.profile) whose role definitions vaultlink may assign to vault identities. The RBAC Administrator condition allows exactly these role definitions.')
@minLength(1)
param vaultIdentityRoleProfiles roleProfileType[] = [
  'contributor'
]

@description('Optional. GUIDs of least-privilege role definitions that already exist in the tenant (created from the seed by hand). Null with the least-privilege profile: this deployment creates them with deterministic GUIDs (see the output leastPrivilegeCustomRoleDefinitionIds).')
param leastPrivilegeCustomRoleDefinitionIds leastPrivilegeCustomRoleDefinitionIdsType?

@description('Optional. Whether vaultlink may turn on the system-assigned identity of classic vaults (policy identity.enableSystemAssigned, default true). False: vaultlink gets no Microsoft.RecoveryServices/vaults/write and reports such vaults instead.')
param vaultIdentityEnablingAllowed bool = true

@description('Optional. Existing Event Grid system topics, by subscription ID in scope: { \'<subscription id>\': \'<system topic resource id>\' }. Azure allows one system topic per subscription; where one exists (in any resource group), vaultlink adds its event subscription to it instead of creating a topic, and leaves the topic itself as it is. It must have a system-assigned identity (dead-lettering). Find it with az eventgrid system-topic list (docs/deploy.md).')
param existingSystemTopicResourceIds existingSystemTopicResourceIdsType = {}

@description('Optional. Resource ID of an action group that the Event Grid delivery alerts (dead-lettered, failed, dropped events) notify. Empty: the alerts fire in Azure Monitor without notifying anyone.')
param alertActionGroupResourceId string = ''

@description('Optional. Whether to create the Event Grid event subscriptions. Event Grid refuses a subscription to a function that does not exist yet: deploy with false first, publish the code, then deploy again with true.')
param eventRoutingEnabled bool = true

@description('Optional. Location of the resource groups and the app.')
param location string = deployment().location

@description('Optional. Resource group of the Function App, its storage and monitoring (created in the deployment subscription).')
param resourceGroupName string = 'rg-vaultlink'

@description('Optional. Resource group created in each subscription in scope for its Event Grid system topic.')
param eventResourceGroupName string = 'rg-vaultlink-events'

@description('Optional. Name of the Function App (globally unique host name).')
param functionAppName string = 'func-vaultlink-${uniqueString(subscription().id, resourceGroupName)}'

@description('Optional. Name of the storage account (globally unique, 3-24 lowercase letters and digits).')
@maxLength(24)
param storageAccountName string = 'stvaultlink${uniqueString(subscription().id, resourceGroupName)}'

@description('Optional. Name of the custom role that holds vaultlink\'s own actions (unique in the tenant).')
param operatorRoleName string = 'vaultlink operator'

@description('Optional. VAULTLINK_POLICY_FILE: path of the policy file, absolute or relative to the app root. The default is the file published with the package.')
param policyFilePath string = 'vaultlink.policy.json'

@description('Optional. VAULTLINK_SWEEP_SCHEDULE: NCRONTAB schedule of the sweep that re-checks every vault in scope.')
param sweepSchedule string = '0 */30 * * * *'

@description('Optional. VAULTLINK_ARM_ENDPOINT: overrides the cloud\'s ARM endpoint. Empty: the endpoint of the cloud this deployment runs in.')
param armEndpointOverride string = ''

@description('Optional. Days the Log Analytics workspace keeps logs.')
param logRetentionInDays int = 90

@description('Optional. Most instances the Flex Consumption plan scales out to.')
param maximumInstanceCount int = 40

@description('Optional. Tags of every resource.')
param tags object = {}

// ============= //
//   Variables   //
// ============= //

var contract = loadJsonContent('../shared/contract.json')

var deploymentContainerName = 'app-package'
var eventSubscriptionName = 'vaultlink'
var createdSystemTopicName = 'evgt-vaultlink'

// Where each subscription's system topic is: the existing one the parameter names (its id gives
// subscription, resource group and name), else the one this deployment creates.
var systemTopics = [for subscriptionId in subscriptionIdsInScope: existingSystemTopicResourceIds[?subscriptionId] == null ? {
  existing: false
  subscriptionId: subscriptionId
  resourceGroupName: eventResourceGroupName
  name: createdSystemTopicName
} : {
  existing: true
  subscriptionId: split(existingSystemTopicResourceIds[subscriptionId], '/')[2]
  resourceGroupName: split(existingSystemTopicResourceIds[subscriptionId], '/')[4]
  name: last(split(existingSystemTopicResourceIds[subscriptionId], '/'))
}]
var deadLetterContainerName = 'eventgrid-deadletter'

// VAULTLINK_CLOUD names the cloud the way the code does; Bicep knows it as environment().name.
var cloudNames = {
  AzureCloud: 'AzurePublicCloud'
  AzureUSGovernment: 'AzureUSGovernment'
  AzureChinaCloud: 'AzureChinaCloud'
}
var vaultlinkCloud = cloudNames[?environment().name] ?? 'AzurePublicCloud'

// Every setting vaultlink reads (shared/contract.json appSettings; a test keeps the two equal).
var vaultlinkAppSettings = {
  VAULTLINK_POLICY_FILE: policyFilePath
  VAULTLINK_SWEEP_SCHEDULE: sweepSchedule
  VAULTLINK_CLOUD: vaultlinkCloud
  VAULTLINK_ARM_ENDPOINT: armEndpointOverride
  // Empty: DefaultAzureCredential uses the app's system-assigned identity.
  AZURE_CLIENT_ID: ''
}

// Deterministic GUIDs: a redeployment finds the same role definitions instead of duplicating them.
var operatorRoleDefinitionGuid = guid(tenant().tenantId, 'vaultlink', operatorRoleName)
var leastPrivilegeRoleNames = map(filter(items(contract.leastPrivilegeCustomRoles), role => (!startsWith(role.key, '$'))), role => (role.key))
var createLeastPrivilegeRoles = contains(vaultIdentityRoleProfiles, 'least-privilege') && leastPrivilegeCustomRoleDefinitionIds == null
var leastPrivilegeRoleDefinitionGuids = leastPrivilegeCustomRoleDefinitionIds ?? toObject(leastPrivilegeRoleNames, name => (name), name => (guid(tenant().tenantId, 'vaultlink', name)))

// Role definition GUID of every role a profile may name: built-in (contract roleDefinitions) or
// least-privilege custom (created above or brought by the platform team).
var roleDefinitionGuidsByName = union(contract.roleDefinitions, leastPrivilegeRoleDefinitionGuids)
var vaultIdentityRoleDefinitionGuids = union(flatten(map(vaultIdentityRoleProfiles, profile => (map(contract.roleProfiles[profile], roleName => (roleDefinitionGuidsByName[roleName]))))), [])

// ABAC condition on Role Based Access Control Administrator (Microsoft's "constrain roles and
// principal types" pattern), kept in rbac-condition.txt so that the emulator's condition evaluator
// reads the same text Azure gets: a role assignment may be written or deleted only if its role
// definition is one of the profile's, its principal is a service principal (a vault's managed
// identity), and that principal is not vaultlink itself. Anything else — Owner, User Access
// Administrator, users, groups, vaultlink's own identity — is denied. The role definition set is
// filled in here; vaultlink's principal id in the access modules, which know it (README,
// "The role assignment condition").
var vaultIdentityRoleAssignmentCondition = replace(trim(loadTextContent('rbac-condition.txt')), '__ROLE_DEFINITION_IDS__', join(vaultIdentityRoleDefinitionGuids, ', '))

// ============= //
//   Resources   //
// ============= //

resource appResourceGroup 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: resourceGroupName
  location: location
  tags: tags
}

// ================= //
//   Child modules   //
// ================= //

module monitoring 'modules/monitoring.bicep' = {
  name: 'vaultlink-monitoring'
  scope: appResourceGroup
  params: {
    logAnalyticsWorkspaceName: 'log-${functionAppName}'
    applicationInsightsName: 'appi-${functionAppName}'
    location: location
    retentionInDays: logRetentionInDays
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'vaultlink-storage'
  scope: appResourceGroup
  params: {
    name: storageAccountName
    deploymentContainerName: deploymentContainerName
    deadLetterContainerName: deadLetterContainerName
    location: location
    tags: tags
  }
}

module functionApp 'modules/function-app.bicep' = {
  name: 'vaultlink-function-app'
  scope: appResourceGroup
  params: {
    name: functionAppName
    planName: 'plan-${functionAppName}'
    storageAccountName: storage.outputs.name
    deploymentContainerName: storage.outputs.deploymentContainerName
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    vaultlinkAppSettings: vaultlinkAppSettings
    location: location
    maximumInstanceCount: maximumInstanceCount
    tags: tags
  }
}

// Role definitions live in the first subscription in scope: a definition is created at a scope
// it can be assigned at, and every subscription in scope is one of its assignable scopes.
module roleDefinitions 'modules/role-definitions.bicep' = {
  name: 'vaultlink-role-definitions'
  scope: subscription(subscriptionIdsInScope[0])
  params: {
    subscriptionIdsInScope: subscriptionIdsInScope
    operatorRoleDefinitionGuid: operatorRoleDefinitionGuid
    operatorRoleName: operatorRoleName
    vaultIdentityEnablingAllowed: vaultIdentityEnablingAllowed
    leastPrivilegeRoleDefinitionGuids: createLeastPrivilegeRoles ? leastPrivilegeRoleDefinitionGuids : {}
  }
}

// A resource group for vaultlink's own topic, only where the subscription has no topic yet.
module eventResourceGroups 'modules/event-resource-group.bicep' = [for (subscriptionId, i) in subscriptionIdsInScope: if (!systemTopics[i].existing) {
  name: 'vaultlink-events-rg-${subscriptionId}'
  scope: subscription(subscriptionId)
  params: {
    name: eventResourceGroupName
    location: location
    tags: tags
  }
}]

module eventTopics 'modules/event-topic.bicep' = [for (subscriptionId, i) in subscriptionIdsInScope: {
  name: 'vaultlink-events-topic-${subscriptionId}'
  scope: resourceGroup(systemTopics[i].subscriptionId, systemTopics[i].resourceGroupName)
  params: {
    name: systemTopics[i].name
    sourceSubscriptionId: subscriptionId
    existingTopic: systemTopics[i].existing
    logAnalyticsWorkspaceResourceId: monitoring.outputs.logAnalyticsWorkspaceResourceId
    tags: tags
  }
  dependsOn: [
    eventResourceGroups
  ]
}]

module deadLetterAccess 'modules/dead-letter-access.bicep' = [for (subscriptionId, i) in subscriptionIdsInScope: {
  name: 'vaultlink-deadletter-${subscriptionId}'
  scope: appResourceGroup
  params: {
    storageAccountName: storage.outputs.name
    deadLetterContainerName: storage.outputs.deadLetterContainerName
    systemTopicResourceId: eventTopics[i].outputs.resourceId
    principalId: eventTopics[i].outputs.systemAssignedMIPrincipalId
  }
}]

module eventSubscriptions 'modules/event-subscription.bicep' = [for (subscriptionId, i) in subscriptionIdsInScope: if (eventRoutingEnabled) {
  name: 'vaultlink-events-sub-${subscriptionId}'
  scope: resourceGroup(systemTopics[i].subscriptionId, systemTopics[i].resourceGroupName)
  params: {
    name: eventSubscriptionName
    systemTopicName: eventTopics[i].outputs.name
    functionAppResourceId: functionApp.outputs.resourceId
    deadLetterStorageAccountResourceId: storage.outputs.resourceId
    deadLetterContainerName: storage.outputs.deadLetterContainerName
  }
  dependsOn: [
    // The topic's identity must be able to write dead letters before events can fail.
    deadLetterAccess[i]
  ]
}]

// Alerts on vaultlink's deliveries from each topic, created or existing, in the app's group.
module eventAlerts 'modules/event-alerts.bicep' = [for (subscriptionId, i) in subscriptionIdsInScope: if (eventRoutingEnabled) {
  name: 'vaultlink-events-alerts-${subscriptionId}'
  scope: appResourceGroup
  params: {
    systemTopicResourceId: eventTopics[i].outputs.resourceId
    eventSubscriptionName: eventSubscriptionName
    nameSuffix: subscriptionId
    actionGroupResourceId: alertActionGroupResourceId
    tags: tags
  }
}]

// ==================== //
//   Role assignments   //
// ==================== //

module subscriptionAccess 'modules/subscription-access.bicep' = [for subscriptionId in subscriptionIdsInScope: {
  name: 'vaultlink-access-${subscriptionId}'
  scope: subscription(subscriptionId)
  params: {
    principalId: functionApp.outputs.systemAssignedMIPrincipalId
    operatorRoleDefinitionGuid: roleDefinitions.outputs.operatorRoleDefinitionGuid
    roleAssignmentConditionTemplate: vaultIdentityRoleAssignmentCondition
  }
}]

module dnsAccess 'modules/dns-access.bicep' = if (privateDnsZoneResourceGroup != null) {
  name: 'vaultlink-access-dns'
  scope: resourceGroup(privateDnsZoneResourceGroup.?subscriptionId ?? (subscription().subscriptionId), privateDnsZoneResourceGroup.?resourceGroupName ?? resourceGroupName)
  params: {
    principalId: functionApp.outputs.systemAssignedMIPrincipalId
    roleAssignmentConditionTemplate: vaultIdentityRoleAssignmentCondition
  }
}

// =========== //
//   Outputs   //
// =========== //

@description('The name of the Function App (func azure functionapp publish <name>).')
output functionAppName string = functionApp.outputs.name

@description('The resource ID of the Function App.')
output functionAppResourceId string = functionApp.outputs.resourceId

@description('The principal ID of the Function App\'s system-assigned identity (vaultlink\'s identity in Azure).')
output systemAssignedMIPrincipalId string = functionApp.outputs.systemAssignedMIPrincipalId

@description('The host name of the status API (https://<host>/api/vaults).')
output functionAppHostName string = functionApp.outputs.defaultHostName

@description('The resource group of the Function App.')
output resourceGroupName string = appResourceGroup.name

@description('The GUID of the vaultlink operator role definition.')
output operatorRoleDefinitionGuid string = operatorRoleDefinitionGuid

@description('The GUIDs of the least-privilege role definitions, keyed by name: copy into the policy file as roles.customRoleDefinitionIds.')
output leastPrivilegeCustomRoleDefinitionIds object = leastPrivilegeRoleDefinitionGuids

@description('The role definition GUIDs vaultlink may assign to vault identities.')
output vaultIdentityRoleDefinitionGuids string[] = vaultIdentityRoleDefinitionGuids

@description('The resource IDs of the system topics vaultlink\'s event subscriptions are on, created or existing, in the order of subscriptionIdsInScope.')
output systemTopicResourceIds string[] = [for (subscriptionId, i) in subscriptionIdsInScope: eventTopics[i].outputs.resourceId]

@description('The storage container where undeliverable events are kept.')
output deadLetterContainerName string = storage.outputs.deadLetterContainerName

// =============== //
//   Definitions   //
// =============== //

@description('A resource group in a given subscription.')
type resourceGroupReferenceType = {
  @description('Required. ID of the subscription that holds the resource group.')
  subscriptionId: string

  @description('Required. Name of the resource group.')
  resourceGroupName: string
}

@description('Existing Event Grid system topics: subscription ID in scope to the resource ID of its system topic.')
type existingSystemTopicResourceIdsType = {
  @description('The resource ID of the subscription\'s system topic (/subscriptions/…/resourceGroups/…/providers/Microsoft.EventGrid/systemTopics/…).')
  *: string
}

@description('A role profile of the policy file (roles.profile); its role definitions are listed in shared/contract.json roleProfiles.')
type roleProfileType = 'contributor' | 'least-privilege'

@description('GUIDs of the seed\'s least-privilege custom role definitions, named as in shared/contract.json leastPrivilegeCustomRoles.')
type leastPrivilegeCustomRoleDefinitionIdsType = {
  @description('Required. GUID of the role with Microsoft.Network/privateEndpoints/*.')
  PrivateEndpointContributor: string

  @description('Required. GUID of the role with Microsoft.Network/networkInterfaces/read.')
  NetworkInterfaceReader: string

  @description('Required. GUID of the role with Microsoft.Network/virtualNetworks/subnets/join/action.')
  PrivateEndpointSubnetContributor: string
}
