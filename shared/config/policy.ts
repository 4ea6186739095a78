/**
 * The policy file (`vaultlink.policy.json`): one reviewed JSON document that says which vaults
 * vaultlink manages and how. This zod schema is the single definition: the TypeScript type
 * {@link Policy}, the defaults, the refinements and the JSON Schema that editors use
 * (`npm run schema` → `vaultlink.policy.schema.json`) all come from it.
 *
 * Every `error` below is phrased as what was expected ("a GUID like …"): the loader prints it as
 * `<file>: <json path>: expected <error>, found <value>`.
 *
 * Objects are strict: an unknown property is refused, because a misspelt key in an allowlist or a
 * DNS setting would otherwise be ignored silently — and "silently ignored" in this file means an
 * approval that does not happen, or one that does.
 */
import picomatch from 'picomatch';
import { z } from 'zod';
import type { ApprovalPolicy } from '../domain/approval';
import type { DnsPolicy as DomainDnsPolicy, GeoCodeOverrides } from '../domain/dns';
import type { RolesPolicy as DomainRolesPolicy } from '../domain/rbac';
import { armCaseKey, InvalidResourceIdError, isResourceType, parseResourceId, tryParseResourceId } from '../domain/ids';

export { POLICY_FILE_NAME } from './settings';
export const POLICY_SCHEMA_FILE_NAME = 'vaultlink.policy.schema.json';

export const GUID_PATTERN = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
// ARM's rule for resource group names: letters, digits, `-_.()`, 1–90 characters, not ending in a period.
const RESOURCE_GROUP_PATTERN = /^[-\p{L}\p{N}_.()]{0,89}[-\p{L}\p{N}_()]$/u;
const OWNER_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const RULE_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const REGION_PATTERN = /^[a-z][a-z0-9]*$/;
const GEO_CODE_PATTERN = /^[a-z][a-z0-9]{1,7}$/;
// Azure tag names may not contain these characters.
const TAG_NAME_FORBIDDEN = /[<>%&\\?/]/;

/**
 * Lets an object's refinement run even when its properties have problems of their own, so that
 * one pass reports them all. Only for refinements that read properties defensively.
 */
const evenWithOtherProblems = { when: (payload: { value: unknown }) => typeof payload.value === 'object' && payload.value !== null };

function guid(what: string) {
  return z.string().regex(GUID_PATTERN, { error: `${what} (a GUID like 00000000-0000-0000-0000-000000000000)` });
}

const subscriptionId = (what: string) => guid(`a subscription id`).describe(what);

const resourceGroupName = (what: string) =>
  z
    .string()
    .max(90, { error: 'a resource group name of at most 90 characters' })
    .refine((name) => RESOURCE_GROUP_PATTERN.test(name), {
      error: 'a resource group name (letters, digits, "-", "_", ".", "(", ")"; not ending in ".")',
    })
    .describe(what);

/**
 * An ARM resource id of the given type, checked with shared/domain/ids. The id is kept as
 * written (compare with ids.ts, never as strings): a transform to canonical form would make zod
 * drop every enclosing default from the generated JSON Schema.
 */
function resourceIdOf(type: string, what: string, example: string) {
  return z
    .string()
    .superRefine((raw, ctx) => {
      try {
        const id = parseResourceId(raw);
        if (!isResourceType(id, type)) ctx.addIssue({ code: 'custom', message: `the id of a ${type} resource (this id names a ${id.type})` });
      } catch (e) {
        if (!(e instanceof InvalidResourceIdError)) throw e;
        ctx.addIssue({ code: 'custom', message: `a well-formed ${type} resource id (${e.reason})` });
      }
    })
    .describe(what)
    .meta({ examples: [example] });
}

/** Adds one issue per entry whose key (as given by `keyOf`) repeats an earlier one. */
function refuseDuplicates<T>(items: readonly T[], ctx: z.RefinementCtx, keyOf: (item: T) => string, what: string, pathOf: (index: number) => PropertyKey[]): void {
  const firstIndex = new Map<string, number>();
  items.forEach((item, index) => {
    const key = keyOf(item);
    const first = firstIndex.get(key);
    if (first === undefined) firstIndex.set(key, index);
    else ctx.addIssue({ code: 'custom', message: `${what} not repeating entry [${first}]`, path: pathOf(index), input: item });
  });
}

const modeSchema = z
  .enum(['audit', 'enforce'])
  .default('audit')
  .describe('audit: observe, plan and report only, write nothing. enforce: also apply the plan (approve connections, grant roles, write DNS).');

const scopeSchema = z
  .strictObject({
    subscriptions: z
      .array(subscriptionId('A subscription whose Recovery Services vaults vaultlink manages.'))
      .min(1, { error: 'at least one subscription id' })
      .superRefine((ids, ctx) => refuseDuplicates(ids, ctx, (id) => armCaseKey(id), 'a subscription id', (i) => [i]))
      .describe('Subscriptions whose vaults vaultlink manages (at least one). Vaults elsewhere are never touched.'),
  })
  .describe('Which vaults vaultlink manages.');

const identitySchema = z
  .strictObject({
    enableSystemAssigned: z
      .boolean()
      .default(true)
      .describe(
        "May vaultlink turn on a classic (v1) vault's system-assigned managed identity, which Azure Backup needs to create its own private endpoints. vaultlink never turns it off (the seed: once enabled it must never be disabled).",
      ),
    changeFindingDays: z
      .number()
      .int({ error: 'a whole number of days' })
      .min(1, { error: 'at least 1 day' })
      .max(3650, { error: 'at most 3650 days' })
      .optional()
      .describe(
        "Default 30. How many days an identity change (the vault's system-assigned identity turned off and on again, so it has a new principal) stays an error finding on the vault's status, so that the people who must re-register and check backups see it.",
      ),
  })
  .describe("The vault's managed identity.");

const customRoleDefinitionIdsSchema = z
  .strictObject({
    PrivateEndpointContributor: guid('the GUID of the custom role').describe(
      'GUID of the custom role definition with Microsoft.Network/privateEndpoints/* (granted on the private endpoint resource group).',
    ),
    NetworkInterfaceReader: guid('the GUID of the custom role').describe(
      'GUID of the custom role definition with Microsoft.Network/networkInterfaces/read (granted on the private endpoint resource group).',
    ),
    PrivateEndpointSubnetContributor: guid('the GUID of the custom role').describe(
      'GUID of the custom role definition with Microsoft.Network/virtualNetworks/subnets/join/action (granted on each virtual network that hosts a private endpoint).',
    ),
  })
  .describe("GUIDs of the seed's three custom role definitions (names as in shared/contract.json leastPrivilegeCustomRoles). Required when profile is least-privilege.");

const rolesSchema = z
  .strictObject({
    profile: z
      .enum(['contributor', 'least-privilege'])
      .default('contributor')
      .describe(
        "The roles the vault identity gets. contributor: Contributor on the virtual network, private endpoint and DNS zone resource groups (the seed's recommendation). least-privilege: PrivateEndpointContributor and NetworkInterfaceReader on the private endpoint resource groups, PrivateEndpointSubnetContributor on the virtual networks, and the built-in Private DNS Zone Contributor on the DNS zone resource group.",
      ),
    customRoleDefinitionIds: customRoleDefinitionIdsSchema.optional(),
  })
  .superRefine((roles, ctx) => {
    if (roles.profile === 'least-privilege' && roles.customRoleDefinitionIds === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: 'customRoleDefinitionIds (the GUIDs of PrivateEndpointContributor, NetworkInterfaceReader and PrivateEndpointSubnetContributor) because profile is least-privilege',
        path: ['customRoleDefinitionIds'],
        input: undefined,
      });
    }
  }, evenWithOtherProblems)
  .describe('Role assignments that vaultlink grants to a classic vault\'s identity.');

const privateEndpointNameGlob = z
  .string()
  .min(1, { error: 'a non-empty private endpoint name or glob' })
  .max(260, { error: 'a glob of at most 260 characters' })
  .refine((glob) => !glob.includes('/') && !glob.includes('\\'), { error: 'a private endpoint name glob without "/" or "\\" (it matches one name, not a path)' })
  .refine(
    (glob) => {
      try {
        picomatch.makeRe(glob, { nocase: true });
        return true;
      } catch {
        return false;
      }
    },
    { error: 'a valid glob (picomatch syntax: *, ?, [abc], {a,b})' },
  )
  .describe('Glob on the requesting private endpoint\'s name (picomatch syntax, case-insensitive), e.g. "pe-backup-*". Absent: any name.')
  .meta({ examples: ['pe-backup-*'] });

const requesterSchema = z
  .strictObject({
    tenantId: guid('a tenant id').optional().describe("Tenant of the requesting private endpoint's subscription."),
    subscriptionId: subscriptionId('Subscription that holds the requesting private endpoint.').optional(),
    resourceGroup: resourceGroupName('Resource group that holds the requesting private endpoint (case-insensitive).').optional(),
    privateEndpointName: privateEndpointNameGlob.optional(),
  })
  .superRefine((requester, ctx) => {
    // A rule with neither would let any tenant's private endpoint connect: never by default.
    if (requester.tenantId === undefined && requester.subscriptionId === undefined) {
      ctx.addIssue({ code: 'custom', message: 'tenantId or subscriptionId (a rule must name at least one, so that no stranger matches it)', input: requester });
    }
  }, evenWithOtherProblems)
  .describe('The requesting private endpoint. Every given property must match; at least tenantId or subscriptionId is required.');

const tagsSchema = z
  .record(
    z
      .string()
      .min(1, { error: 'a non-empty tag name' })
      .max(512, { error: 'a tag name of at most 512 characters' })
      .refine((name) => !TAG_NAME_FORBIDDEN.test(name), { error: 'a tag name without < > % & \\ ? /' }),
    z.string().max(256, { error: 'a tag value of at most 256 characters' }).describe('The exact value the tag must have.'),
  )
  .superRefine((tags, ctx) => {
    // Keys match case-insensitively, so two keys differing only by case could never both match.
    const seen = new Map<string, string>();
    for (const key of Object.keys(tags)) {
      const earlier = seen.get(armCaseKey(key));
      if (earlier !== undefined) ctx.addIssue({ code: 'custom', message: `tag names that differ by more than case ("${earlier}" and "${key}"; tag names are case-insensitive)`, input: tags });
      else seen.set(armCaseKey(key), key);
    }
  })
  .describe('Tags the vault must carry, all of them: names case-insensitive, values exact.')
  .meta({ examples: [{ landingZone: 'corp' }] });

const vaultMatchSchema = z
  .strictObject({
    ids: z
      .array(
        resourceIdOf(
          'Microsoft.RecoveryServices/vaults',
          'A Recovery Services vault id.',
          '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-backup/providers/Microsoft.RecoveryServices/vaults/rsv-corp',
        ),
      )
      .min(1, { error: 'at least one vault id (leave ids out to match any vault)' })
      .optional()
      .describe('The vault must be one of these (ids compared case-insensitively).'),
    tags: tagsSchema.optional(),
  })
  .describe('The target vault. Absent: any vault in scope. Every given property must match.');

const approvalRuleSchema = z
  .strictObject({
    name: z
      .string()
      .regex(RULE_NAME_PATTERN, { error: 'a rule name of 1–64 letters, digits, ".", "_" or "-", starting with a letter or digit' })
      .describe('Unique name of the rule; written into the approval description and the audit log.'),
    requester: requesterSchema,
    vault: vaultMatchSchema.optional(),
  })
  .describe('Approves a pending private endpoint connection when the requester and the vault both match.');

const approvalSchema = z
  .strictObject({
    unmatched: z
      .enum(['leave-pending', 'reject'])
      .default('leave-pending')
      .describe('What happens to a pending connection that no rule matches: leave-pending (a person decides) or reject.'),
    rules: z
      .array(approvalRuleSchema)
      .superRefine((rules, ctx) => refuseDuplicates(rules, ctx, (rule) => armCaseKey(rule.name), 'a unique rule name (names compare case-insensitively),', (i) => [i, 'name']))
      .default([])
      .describe('The allowlist: a pending connection is approved when any rule matches it. Empty: nothing is approved.'),
  })
  .describe('Approval of private endpoint connections to the vaults in scope.');

const centralDnsSchema = z
  .strictObject({
    subscriptionId: subscriptionId('Subscription of the central private DNS zones.'),
    resourceGroup: resourceGroupName('Resource group of the central private DNS zones.'),
  })
  .describe('Where the private DNS zones live. Required for placement central and zone-group.');

const dnsSchema = z
  .strictObject({
    placement: z
      .enum(['central', 'zone-group', 'custom'])
      .describe(
        'central: vaultlink writes the A records in central private DNS zones. zone-group: the private endpoints carry privateDnsZoneGroups; vaultlink checks, links and reports. custom: external DNS; vaultlink reports hosts-file and zone-file records and writes no DNS.',
      ),
    central: centralDnsSchema.optional(),
    recordPolicy: z
      .enum(['upsert-only', 'sync'])
      .default('upsert-only')
      .describe(
        'upsert-only: create and update records, never delete; records vaultlink owns whose private endpoint is gone, rejected or disconnected are reported. sync: also delete exactly those records (by the ownership registry in their metadata, never by name).',
      ),
    ttl: z
      .number()
      .int({ error: 'a whole number of seconds' })
      .min(1, { error: 'a TTL of at least 1 second' })
      .max(2147483647, { error: 'a TTL of at most 2147483647 seconds' })
      .default(10)
      .describe('TTL in seconds of the A records vaultlink writes.'),
    linkVirtualNetworks: z
      .array(
        resourceIdOf(
          'Microsoft.Network/virtualNetworks',
          'A virtual network id.',
          '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-hub/providers/Microsoft.Network/virtualNetworks/vnet-hub',
        ),
      )
      .superRefine((ids, ctx) => refuseDuplicates(ids, ctx, (id) => tryParseResourceId(id)?.key ?? id, 'a virtual network id', (i) => [i]))
      .default([])
      .describe('Virtual networks to link to the three zones besides those that host private endpoints (DNS resolver or hub networks).'),
    linkedZones: z
      .enum(['report', 'adopt'])
      .default('report')
      .describe(
        "A VNet already linked to another private DNS zone of the same name resolves through that zone (Azure refuses a second link). report: an error finding names that zone, its link and the choices; vaultlink writes nothing there. adopt: vaultlink writes the vault's records into that zone (never touching records it does not own).",
      ),
  })
  .superRefine((dns, ctx) => {
    if ((dns.placement === 'central' || dns.placement === 'zone-group') && dns.central === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: `central (the subscriptionId and resourceGroup of the private DNS zones) because placement is ${dns.placement}`,
        path: ['central'],
        input: undefined,
      });
    }
  }, evenWithOtherProblems)
  .describe('DNS for the vaults\' private endpoints.');

const geoCodesSchema = z
  .record(
    z.string().regex(REGION_PATTERN, { error: 'a region name as ARM writes it: lower case, no spaces (e.g. uksouth)' }),
    z
      .string()
      .regex(GEO_CODE_PATTERN, { error: 'a Backup geo code: 2–8 lower-case letters and digits (e.g. uks)' })
      .describe('The Backup geo code of the region named by the property, e.g. uks for uksouth.'),
  )
  .default({})
  .describe('Overrides of and additions to the region → Azure Backup geo code table (the <geo> of privatelink.<geo>.backup.windowsazure.com).')
  .meta({ examples: [{ newregion: 'nrg' }] });

export const policySchema = z
  .strictObject({
    $schema: z.string().optional().describe('The JSON Schema that editors check this file against.'),
    version: z.literal(1, { error: 'version 1 (the only policy file version)' }).describe('Version of the policy file format.'),
    mode: modeSchema,
    ownerId: z
      .string()
      .regex(OWNER_ID_PATTERN, { error: 'an owner id of 1–64 letters, digits, ".", "_" or "-", starting with a letter or digit' })
      .describe('Who runs this vaultlink; written into the ownership metadata of everything it creates. vaultlink only updates or deletes what carries its own owner id.')
      .meta({ examples: ['alz-platform'] }),
    scope: scopeSchema,
    identity: identitySchema.default({ enableSystemAssigned: true }),
    roles: rolesSchema.default({ profile: 'contributor' }),
    approval: approvalSchema.default({ unmatched: 'leave-pending', rules: [] }),
    dns: dnsSchema,
    geoCodes: geoCodesSchema,
  })
  .superRefine((policy, ctx) => {
    // A rule naming a vault outside scope can never apply: almost certainly a mistake in the id.
    const inScope = new Set(policy.scope.subscriptions.map((s) => armCaseKey(s)));
    policy.approval.rules.forEach((rule, r) => {
      rule.vault?.ids?.forEach((id, i) => {
        const subscription = parseResourceId(id).subscriptionId ?? '';
        if (!inScope.has(armCaseKey(subscription))) {
          ctx.addIssue({ code: 'custom', message: `a vault in a subscription listed in scope.subscriptions (this vault is in ${subscription})`, path: ['approval', 'rules', r, 'vault', 'ids', i], input: id });
        }
      });
    });
  })
  .describe('vaultlink policy: which Recovery Services vaults it manages and how it approves, grants and writes DNS for their private endpoints.');

/** The policy as vaultlink uses it: defaults applied. */
export type Policy = z.output<typeof policySchema>;
/** The policy as written in the file (defaults optional). */
export type PolicyFile = z.input<typeof policySchema>;
export type PolicyMode = Policy['mode'];
export type ApprovalRule = Policy['approval']['rules'][number];
export type DnsPolicy = Policy['dns'];
export type RolesPolicy = Policy['roles'];

/** The JSON Schema of the policy file (input side: properties with defaults are optional). */
export function policyJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(policySchema, { io: 'input', target: 'draft-7', unrepresentable: 'any' }),
    title: 'vaultlink policy',
  };
}

// Compile-time checks: the parts of the policy that the pure domain evaluates must be assignable
// to the domain's own types (shared/domain defines them and never imports shared/config).
type AssignableTo<Target, Source extends Target> = Source;
type _ApprovalFitsDomain = AssignableTo<ApprovalPolicy, Policy['approval']>;
type _RolesFitDomain = AssignableTo<DomainRolesPolicy, Policy['roles']>;
type _DnsFitsDomain = AssignableTo<DomainDnsPolicy, Policy['dns']>;
type _GeoCodesFitDomain = AssignableTo<GeoCodeOverrides, Policy['geoCodes']>;
