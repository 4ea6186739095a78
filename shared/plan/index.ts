// The pure planner (DESIGN.md "Layout"): observed state + policy → staged actions, findings, checklist.
export * from './types';
export { planVault, FOLLOW_UP_ON_AZURE, FOLLOW_UP_ON_PEOPLE, KIND_ORDER, PLACEHOLDER_PRINCIPAL, DEFAULT_IDENTITY_CHANGE_FINDING_DAYS } from './plan';
export { virtualNetworkLinkName, LINK_NAME_NAMESPACE, MAX_LINK_NAME_LENGTH } from './link-name';
export { readErrorBlocking } from './read-errors';
export { targetIdOf, connectionIdOf, linkIdOf, recordIdOf } from './targets';
export { exportDns, type DnsExport, type DnsExportOptions, type ExportedRecord } from './dns-export';
