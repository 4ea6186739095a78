/** The policy file and the app settings: what the rest of vaultlink imports from shared/config. */
export { loadPolicyFile, parsePolicy, PolicyError, formatPolicyProblem, type PolicyProblem } from './load';
export { policySchema, policyJsonSchema, POLICY_FILE_NAME, POLICY_SCHEMA_FILE_NAME, type Policy, type PolicyFile, type PolicyMode, type ApprovalRule, type DnsPolicy, type RolesPolicy } from './policy';
export { readSettings, findAppRoot, SettingsError, ARM_ENDPOINTS, DEFAULT_CLOUD, DEFAULT_SWEEP_SCHEDULE, type VaultlinkSettings, type SettingProblem, type SettingName, type AzureCloudName, type ReadSettingsOptions } from './settings';
