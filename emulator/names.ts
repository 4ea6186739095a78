/**
 * Resource names as Azure accepts them, checked on every PUT that creates or replaces a resource.
 *
 * The emulator's own copy of the published rules ("Naming rules and restrictions for Azure
 * resources", learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules),
 * so that a wrong belief in vaultlink cannot pass because both sides share it:
 *
 * | type                                   | length | characters                                                   |
 * |----------------------------------------|--------|--------------------------------------------------------------|
 * | resource group                         | 1–90   | letters or digits (.NET `Char.IsLetterOrDigit`), `_ - . ( )`; not ending in `.` |
 * | Microsoft.RecoveryServices/vaults      | 2–50   | letters or digits and `-`; starts with a letter              |
 * | Microsoft.Network/privateEndpoints     | 2–64   | letters or digits, `_ . -`; starts with a letter or digit, ends with one or `_` |
 * | Microsoft.Network/virtualNetworks      | 2–64   | as private endpoints                                         |
 * | Microsoft.Network/virtualNetworks/subnets | 1–80 | as private endpoints                                         |
 * | Microsoft.Network/privateDnsZones      | 2–34 labels of 1–63, ≤ 253 | letters or digits, `_ -` in labels separated by `.` |
 * | …/privateDnsZones/virtualNetworkLinks  | 1–80   | as private endpoints                                         |
 * | …/privateDnsZones/A (record sets)      | `@`, or labels of 1–63, ≤ 253 | letters or digits, `_ -`, a leading `*` label |
 *
 * "Letter or digit" is .NET's `Char.IsLetterOrDigit`, per UTF-16 code unit: Unicode categories
 * Lu, Ll, Lt, Lm, Lo and Nd. A code point outside the BMP is two surrogates, which are neither:
 * ARM refuses it. Lengths count UTF-16 code units, as .NET's `string.Length` does. Refusals answer
 * 400 `InvalidResourceGroup` or `InvalidResourceName`, as ARM and the resource providers do.
 */
import { ArmError } from './arm';

const LETTER_OR_DIGIT = /^[\p{Lu}\p{Ll}\p{Lt}\p{Lm}\p{Lo}\p{Nd}]$/u;

/** .NET `Char.IsLetterOrDigit` of one UTF-16 code unit. */
export function isLetterOrDigit(codeUnit: string): boolean {
  return codeUnit.length === 1 && LETTER_OR_DIGIT.test(codeUnit);
}

function units(name: string): string[] {
  // Code units, not code points: a surrogate half on its own is no letter.
  return Array.from({ length: name.length }, (_, i) => name.charAt(i));
}

function allOf(name: string, extra: string): boolean {
  return units(name).every((c) => isLetterOrDigit(c) || extra.includes(c));
}

/** Why a resource group name is refused, or undefined when Azure accepts it. */
export function resourceGroupNameProblem(name: string): string | undefined {
  if (name.length < 1 || name.length > 90) return 'must be 1 to 90 characters long';
  if (!allOf(name, '_-.()')) return 'may contain only letters, digits, underscores, hyphens, periods and parentheses';
  if (name.endsWith('.')) return 'cannot end with a period';
  return undefined;
}

interface NameRule {
  readonly min: number;
  readonly max: number;
  readonly check: (name: string) => string | undefined;
}

const networkName = (min: number, max: number): NameRule => ({
  min,
  max,
  check: (name) => {
    if (!allOf(name, '_.-')) return 'may contain only letters, digits, underscores, periods and hyphens';
    if (!isLetterOrDigit(name.charAt(0))) return 'must begin with a letter or digit';
    const last = name.charAt(name.length - 1);
    if (!isLetterOrDigit(last) && last !== '_') return 'must end with a letter, a digit or an underscore';
    return undefined;
  },
});

function dnsLabelsProblem(name: string, options: { minLabels: number; maxLabels: number; wildcard: boolean }): string | undefined {
  if (name.length > 253) return 'must be at most 253 characters long';
  const labels = name.split('.');
  if (labels.length < options.minLabels || labels.length > options.maxLabels) return `must have ${options.minLabels} to ${options.maxLabels} labels`;
  for (const [i, label] of labels.entries()) {
    if (options.wildcard && i === 0 && label === '*') continue;
    if (label.length < 1 || label.length > 63) return 'labels must be 1 to 63 characters long';
    if (!allOf(label, '_-')) return 'labels may contain only letters, digits, underscores and hyphens';
  }
  return undefined;
}

const RULES: ReadonlyMap<string, NameRule> = new Map<string, NameRule>([
  [
    'microsoft.recoveryservices/vaults',
    {
      min: 2,
      max: 50,
      check: (name) => {
        if (!allOf(name, '-')) return 'may contain only letters, digits and hyphens';
        if (!/^\p{L}$/u.test(name.charAt(0))) return 'must begin with a letter';
        return undefined;
      },
    },
  ],
  ['microsoft.network/privateendpoints', networkName(2, 64)],
  ['microsoft.network/virtualnetworks', networkName(2, 64)],
  ['microsoft.network/virtualnetworks/subnets', networkName(1, 80)],
  ['microsoft.network/privatednszones/virtualnetworklinks', networkName(1, 80)],
  ['microsoft.network/privatednszones', { min: 1, max: 253, check: (name) => dnsLabelsProblem(name, { minLabels: 2, maxLabels: 34, wildcard: false }) }],
  ['microsoft.network/privatednszones/a', { min: 1, max: 253, check: (name) => (name === '@' ? undefined : dnsLabelsProblem(name, { minLabels: 1, maxLabels: 127, wildcard: true })) }],
]);

/** Why a resource name is refused for its type, or undefined (also for types without a rule here). */
export function resourceNameProblem(type: string, name: string): string | undefined {
  const rule = RULES.get(type.toLowerCase());
  if (rule === undefined) return undefined;
  if (name.length < rule.min || name.length > rule.max) return `must be ${rule.min} to ${rule.max} characters long`;
  return rule.check(name);
}

/**
 * Checks the names a PUT would create, from the request path's segments (decoded): the resource
 * group of `…/resourcegroups/{name}` and the last name of a typed resource. Throws the ARM error.
 */
export function assertResourceNamesValid(segments: readonly string[]): void {
  const lower = segments.map((s) => s.toLowerCase());
  if (lower[0] === 'subscriptions' && lower[2] === 'resourcegroups' && segments.length === 4) {
    const name = segments[3] as string;
    const problem = resourceGroupNameProblem(name);
    if (problem !== undefined) throw new ArmError(400, 'InvalidResourceGroup', `The provided resource group name '${name}' has these invalid characters or is too long: it ${problem}.`);
    return;
  }
  const providers = lower.lastIndexOf('providers');
  if (providers < 0 || providers + 2 >= segments.length) return;
  const typed = segments.slice(providers + 2);
  if (typed.length % 2 !== 0) return;
  const types = typed.filter((_, i) => i % 2 === 0);
  const name = typed[typed.length - 1] as string;
  const type = `${segments[providers + 1]}/${types.join('/')}`;
  const problem = resourceNameProblem(type, name);
  if (problem !== undefined) throw new ArmError(400, 'InvalidResourceName', `Resource name '${name}' is invalid for type '${type}': it ${problem}.`);
}
