metadata name = 'vaultlink monitoring'
metadata description = 'Log Analytics workspace and workspace-based Application Insights for the vaultlink Function App. Local (key) authentication is off: telemetry is accepted only from Entra identities.'

// ============== //
//   Parameters   //
// ============== //

@description('Required. Name of the Log Analytics workspace.')
param logAnalyticsWorkspaceName string

@description('Required. Name of the Application Insights component.')
param applicationInsightsName string

@description('Optional. Location of the resources.')
param location string = resourceGroup().location

@description('Optional. Days the workspace keeps logs (the audit trail of every plan and write).')
@minValue(30)
@maxValue(730)
param retentionInDays int = 90

@description('Optional. Display name of the Azure Monitor workbook (per-vault status, recent decisions, failures).')
param workbookDisplayName string = 'vaultlink'

@description('Optional. Tags of the resources.')
param tags object = {}

// ============= //
//   Resources   //
// ============= //

resource logAnalyticsWorkspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: logAnalyticsWorkspaceName
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionInDays
  }
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: applicationInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logAnalyticsWorkspace.id
    // Telemetry is accepted only with an Entra token (the app sends APPLICATIONINSIGHTS_AUTHENTICATION_STRING):
    // the instrumentation key in the connection string then grants nothing on its own.
    DisableLocalAuth: true
    // No ingestion sampling: it would act after the app and could drop approval records, which the
    // app itself never samples out (docs/operations.md).
    SamplingPercentage: 100
  }
}

// The operators' view in Azure Monitor: per-vault status, recent decisions and failures, read
// from Application Insights. The workbook's content is workbook.json (edit it in the portal's
// Advanced Editor and paste it back); its one placeholder names the Application Insights
// component it reads.
resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  name: guid(resourceGroup().id, applicationInsightsName, 'vaultlink-workbook')
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: workbookDisplayName
    category: 'workbook'
    sourceId: applicationInsights.id
    serializedData: replace(loadTextContent('workbook.json'), '__APPLICATION_INSIGHTS_ID__', applicationInsights.id)
  }
}

// =========== //
//   Outputs   //
// =========== //

@description('The resource ID of the Application Insights component.')
output applicationInsightsResourceId string = applicationInsights.id

@description('The name of the Application Insights component.')
output applicationInsightsName string = applicationInsights.name

@description('The resource ID of the workbook.')
output workbookResourceId string = workbook.id

@description('The resource ID of the Log Analytics workspace.')
output logAnalyticsWorkspaceResourceId string = logAnalyticsWorkspace.id
