/**
 * ARM's comparison, everywhere: ids and names are equal when ARM says so (ordinal, ignoring case
 * by simple per-code-point upper-casing; no case folding, no normalisation), and nowhere else.
 *
 * The allowlist is attacked with hostile variants of an allowlisted requester: each variant names
 * a resource ARM holds apart from the allowlisted one (or no resource at all), so any approval is
 * a false match. Case variants ARM equates are the control: they must still match. Runs are
 * bounded so the suite stays quick in `npm test`.
 */
import fc from 'fast-check';
import { evaluateApproval, privateEndpointNameMatches, type ApprovalRequest, type ApprovalRule } from '../../../shared/domain/approval';
import { armCaseKey, armEquals, parseResourceId, tryParseResourceId } from '../../../shared/domain/ids';
import { privateEndpointRoutingInstanceId, vaultInstanceId } from '../../../functions/instance-ids';
import { ResourceStore } from '../../../emulator/store';

const RUNS = { numRuns: 300 };

const TENANT = '11111111-1111-1111-1111-111111111111';
const OTHER_TENANT = '22222222-2222-2222-2222-222222222222';
const SPOKE_SUB = '33333333-3333-3333-3333-333333333333';
const OTHER_SUB = '44444444-4444-4444-4444-444444444444';
const VAULT_SUB = '00000000-0000-0000-0000-0000000000aa';
const RG = 'rg-spoke-network';
const PE_NAME = 'pe-spoke-01';
const VAULT_ID = `/subscriptions/${VAULT_SUB}/resourceGroups/rg-backup/providers/Microsoft.RecoveryServices/vaults/rsv-spoke`;

const peIdOf = (sub: string, rg: string, name: string): string => `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Network/privateEndpoints/${name}`;
const ALLOWED_PE = peIdOf(SPOKE_SUB, RG, PE_NAME);

/** Every criterion at once: tenant, subscription, resource group, a name glob and the vault. */
const STRICT: ApprovalRule = {
  name: 'spoke-network',
  requester: { tenantId: TENANT, subscriptionId: SPOKE_SUB, resourceGroup: RG, privateEndpointName: 'pe-spoke-*' },
  vault: { ids: [VAULT_ID] },
};
/** A tenant-wide rule limited by resource group only (the allowlisted RG name, any subscription of the tenant). */
const TENANT_RG: ApprovalRule = { name: 'tenant-rg', requester: { tenantId: TENANT, resourceGroup: RG } };
/** A subscription rule with a literal name (no metacharacters). */
const LITERAL: ApprovalRule = { name: 'literal', requester: { subscriptionId: SPOKE_SUB, resourceGroup: RG, privateEndpointName: PE_NAME } };
/** The allowlisted RG name, pinned to its subscription. */
const SUB_RG: ApprovalRule = { name: 'sub-rg', requester: { subscriptionId: SPOKE_SUB, resourceGroup: RG } };

interface Case {
  readonly what: string;
  readonly privateEndpointId: string;
  readonly tenantId: string | undefined;
  readonly vaultId: string;
  readonly rules: readonly ApprovalRule[];
}

const decide = (c: Case) => {
  const request: ApprovalRequest = { privateEndpointId: c.privateEndpointId, requesterTenantId: c.tenantId, vault: { id: c.vaultId, tags: {} } };
  return evaluateApproval(request, c.rules);
};

/** Characters people (and attackers) mistake for ASCII ones, none of which ARM equates with them. */
const LOOKALIKES: Readonly<Record<string, readonly string[]>> = {
  k: ['\u212A', '\u03BA', '\u043A', '\uFF4B', '\u0137'],
  e: ['\u0435', '\u03B5', '\uFF45', '\u0117', '\u212F'],
  o: ['\u043E', '\u03BF', '\u0585', '\uFF4F', '\u2134'],
  p: ['\u0440', '\u03C1', '\uFF50'],
  c: ['\u0441', '\u03F2', '\u217D'],
  a: ['\u0430', '\u03B1', '\uFF41'],
  n: ['\u0578', '\u03B7', '\u0146'],
  r: ['\u0433', '\u027C'],
  s: ['\u0455', '\uFF53'],
  t: ['\u03C4', '\u0163'],
  w: ['\u0461', '\u051D'],
  i: ['\u0456', '\u0131', '\u0130', '\u2170'],
  g: ['\u0261', '\u0123'],
  l: ['\u04CF', '\u217C', '1'],
  b: ['\u0184', '\u042C'],
  '-': ['\u2010', '\u2011', '\u2012', '\u2013', '\u2212', '\uFE63', '\uFF0D', '\u00AD'],
  '0': ['\u041E', '\u0966', '\u06F0', 'O'],
  '1': ['\u0661', '\u06F1', 'l', '\u2160'],
  '2': ['\u0662', '\u01A7'],
  '3': ['\u0663', '\u0417'],
  '4': ['\u0664'],
};
const INVISIBLE = ['\u200B', '\u200C', '\u200D', '\u2060', '\uFEFF', '\u00AD', '\u180E', '\u034F', '\u061C', '\u200E', '\u200F'];
const COMBINING = ['\u0301', '\u0300', '\u0307', '\u0308', '\u0338', '\u20DD', '\u0335'];

// Every look-alike is really another character for ARM (else it would not be hostile).
for (const [plain, list] of Object.entries(LOOKALIKES)) {
  for (const l of list) if (armEquals(l, plain)) throw new Error(`${JSON.stringify(l)} is not a look-alike: ARM equates it with ${plain}`);
}

function recase(s: string, mask: readonly boolean[]): string {
  return [...s].map((c, i) => (mask[i % mask.length] ? c.toUpperCase() : c.toLowerCase())).join('');
}

/** Replaces the character at `at` (among those with look-alikes) by one of its look-alikes. */
function withLookalike(s: string, at: number, pick: number): string {
  const chars = [...s];
  const positions = chars.map((c, i) => (LOOKALIKES[c.toLowerCase()] ? i : -1)).filter((i) => i >= 0);
  const i = positions[at % positions.length] as number;
  const list = LOOKALIKES[(chars[i] as string).toLowerCase()] as readonly string[];
  chars[i] = list[pick % list.length] as string;
  return chars.join('');
}

function insertAt(s: string, at: number, what: string): string {
  const chars = [...s];
  const i = at % (chars.length + 1);
  return [...chars.slice(0, i), what, ...chars.slice(i)].join('');
}

function percentEncode(s: string, at: number): string {
  const chars = [...s];
  const i = at % chars.length;
  chars[i] = [...Buffer.from(chars[i] as string, 'utf8')].map((b) => '%' + b.toString(16).toUpperCase().padStart(2, '0')).join('');
  return chars.join('');
}

/** Which part of the allowlisted requester a mutation bends. */
type Part = 'subscription' | 'resourceGroup' | 'name';
const part = fc.constantFrom<Part>('subscription', 'resourceGroup', 'name');
const bend = (p: Part, f: (s: string) => string): string =>
  p === 'subscription' ? peIdOf(f(SPOKE_SUB), RG, PE_NAME) : p === 'resourceGroup' ? peIdOf(SPOKE_SUB, f(RG), PE_NAME) : peIdOf(SPOKE_SUB, RG, f(PE_NAME));
/** Name mutations stay inside the glob's literal prefix `pe-spoke-`, so the glob cannot absorb them. */
const clampName = (p: Part, at: number, len: number): number => (p === 'name' ? at % 9 : at % len);
const lengthOf = (p: Part): number => [...(p === 'subscription' ? SPOKE_SUB : p === 'resourceGroup' ? RG : PE_NAME)].length;

const allRules = [STRICT, TENANT_RG, LITERAL, SUB_RG];
const strictCase = (what: string, privateEndpointId: string): Case => ({ what, privateEndpointId, tenantId: TENANT, vaultId: VAULT_ID, rules: allRules });
/**
 * A bent part: the rules that constrain that part. A bent subscription is not one of the tenant's
 * (no such subscription can be read), so its tenant is unknown; a bent name is only constrained by
 * the rules that name it.
 */
const bentCase = (p: Part, what: string, privateEndpointId: string): Case => ({
  what,
  privateEndpointId,
  tenantId: p === 'subscription' ? undefined : TENANT,
  vaultId: VAULT_ID,
  rules: p === 'name' ? [STRICT, LITERAL] : allRules,
});

const hostileCase: fc.Arbitrary<Case> = fc.oneof(
  // look-alikes (the Kelvin sign among them)
  fc.tuple(part, fc.nat(), fc.nat()).map(([p, at, pick]) => bentCase(p, `look-alike in ${p}`, bend(p, (s) => withLookalike(p === 'name' ? s.slice(0, 9) : s, at, pick) + (p === 'name' ? s.slice(9) : '')))),
  // invisible characters anywhere in a part
  fc.tuple(part, fc.nat(), fc.constantFrom(...INVISIBLE)).map(([p, at, ch]) => bentCase(p, `invisible U+${ch.codePointAt(0)?.toString(16)} in ${p}`, bend(p, (s) => insertAt(s, clampName(p, at, lengthOf(p) + 1), ch)))),
  // combining characters after any character
  fc.tuple(part, fc.nat(), fc.constantFrom(...COMBINING)).map(([p, at, ch]) => bentCase(p, `combining U+${ch.codePointAt(0)?.toString(16)} in ${p}`, bend(p, (s) => insertAt(s, 1 + (p === 'name' ? at % 8 : at % lengthOf(p)), ch)))),
  // percent-encoding of one character
  fc.tuple(part, fc.nat()).map(([p, at]) => bentCase(p, `percent-encoded character in ${p}`, bend(p, (s) => percentEncode(s, clampName(p, at, lengthOf(p)))))),
  // subscription prefixes and suffixes
  fc.tuple(fc.stringMatching(/^[0-9a-fA-F-]{1,6}$/), fc.boolean()).map(([x, before]) => bentCase('subscription', 'subscription with a prefix or suffix', peIdOf(before ? x + SPOKE_SUB : SPOKE_SUB + x, RG, PE_NAME))),
  fc.nat(35).map((n) => bentCase('subscription', 'truncated subscription', peIdOf(SPOKE_SUB.slice(0, n), RG, PE_NAME))),
  // resource group prefixes and suffixes
  fc.tuple(fc.stringMatching(/^[a-z0-9-]{1,6}$/), fc.boolean()).map(([x, before]) => strictCase('resource group with a prefix or suffix', peIdOf(SPOKE_SUB, before ? x + RG : RG + x, PE_NAME))),
  // extra segments, "..", slashes, empty fields
  fc
    .tuple(fc.constantFrom('..', '.', '', 'x', '%2F', '%2E%2E', 'a\\b', 'providers', 'resourceGroups'), fc.nat(8))
    // (an empty segment at the very end is the one trailing slash ARM tolerates: the same resource)
    .filter(([seg, at]) => !(seg === '' && 1 + (at % 8) === 8))
    .map(([seg, at]) => {
      const parts = ['subscriptions', SPOKE_SUB, 'resourceGroups', RG, 'providers', 'Microsoft.Network', 'privateEndpoints', PE_NAME];
      parts.splice(1 + (at % parts.length), 0, seg);
      return strictCase(`extra segment ${JSON.stringify(seg)}`, '/' + parts.join('/'));
    }),
  fc.constantFrom(
    peIdOf(SPOKE_SUB, RG, PE_NAME) + '/subnets/x',
    peIdOf(SPOKE_SUB, RG, PE_NAME) + '//',
    peIdOf(SPOKE_SUB, RG, PE_NAME).replace(/\//g, '\\'),
    peIdOf(SPOKE_SUB, RG, PE_NAME).replace('/resourceGroups/', '/resourceGroups//'),
    `/subscriptions/${OTHER_SUB}/resourceGroups/x/providers/Microsoft.Network/privateEndpoints/evil/providers/Microsoft.Network/privateEndpoints/${PE_NAME}`,
    `/subscriptions/${SPOKE_SUB}/resourceGroups/${RG}/providers/Microsoft.Network/privateEndpoints/${PE_NAME}/../x`,
    `/subscriptions/${SPOKE_SUB}/resourceGroups/${RG}/providers/Microsoft.Network/networkInterfaces/${PE_NAME}`,
    `/subscriptions/${SPOKE_SUB}/resourceGroups/${RG}/providers/Microsoft.Network/privateEndpoints/`,
    `/subscriptions//resourceGroups/${RG}/providers/Microsoft.Network/privateEndpoints/${PE_NAME}`,
    `/subscriptions/${SPOKE_SUB}/resourceGroups//providers/Microsoft.Network/privateEndpoints/${PE_NAME}`,
    `subscriptions/${SPOKE_SUB}/resourceGroups/${RG}/providers/Microsoft.Network/privateEndpoints/${PE_NAME}`,
    '',
  ).map((id) => strictCase('malformed id', id)),
  // glob metacharacters in the requester's name, against a literal-name rule
  fc.constantFrom('pe-spoke-0*', 'pe-spoke-*', '*', '**', 'pe-spoke-[0]1', 'pe-spoke-{01}', 'pe-spoke-0[1]', '!(x)', '@(pe-spoke-01)', 'pe-spoke-01*', '+(pe-spoke-01)', 'pe-spoke-0+(1)').map((name) => ({
    what: `glob metacharacters in the name ${name}`,
    privateEndpointId: peIdOf(SPOKE_SUB, RG, name),
    tenantId: TENANT,
    vaultId: VAULT_ID,
    rules: [LITERAL],
  })),
  // a name that matches the glob, in another resource group or another subscription
  fc.tuple(fc.stringMatching(/^[a-z0-9]{1,8}$/), fc.constantFrom('rg-spoke', 'rg-spoke-network-2', 'rg-other', 'rg-spoke-netwrk')).map(([suffix, rg]) => ({
    what: 'a glob-matching name in another resource group',
    privateEndpointId: peIdOf(SPOKE_SUB, rg, `pe-spoke-${suffix}`),
    tenantId: TENANT,
    vaultId: VAULT_ID,
    rules: [STRICT, TENANT_RG, SUB_RG],
  })),
  // the allowlisted resource group name in another subscription (same tenant for SUB_RG, another for TENANT_RG)
  fc.tuple(fc.uuid(), fc.constantFrom(undefined, OTHER_TENANT)).filter(([s]) => !armEquals(s, SPOKE_SUB)).map(([sub, tenant]) => ({
    what: 'the allowlisted resource group in another subscription',
    privateEndpointId: peIdOf(sub, RG, PE_NAME),
    tenantId: tenant,
    vaultId: VAULT_ID,
    rules: [STRICT, SUB_RG, LITERAL, TENANT_RG],
  })),
  // other tenants: another tenant, an unknown one, a bent copy of the allowed one, an empty one
  fc
    .oneof(
      fc.uuid().filter((t) => !armEquals(t, TENANT)),
      fc.constantFrom(undefined, '', ' ', TENANT + ' ', ' ' + TENANT, TENANT.slice(1), TENANT + '1', `{${TENANT}}`),
      fc.tuple(fc.nat(), fc.constantFrom(...INVISIBLE)).map(([at, ch]) => insertAt(TENANT, at, ch)),
      fc.tuple(fc.nat(), fc.nat()).map(([at, pick]) => withLookalike(TENANT, at, pick)),
    )
    .map((tenantId) => ({ what: `requester tenant ${JSON.stringify(tenantId)}`, privateEndpointId: ALLOWED_PE, tenantId, vaultId: VAULT_ID, rules: [STRICT, TENANT_RG] })),
  // another vault: look-alikes and bends of the rule's vault id
  fc.tuple(fc.nat(), fc.nat()).map(([at, pick]) => ({
    what: 'a look-alike vault',
    privateEndpointId: ALLOWED_PE,
    tenantId: TENANT,
    vaultId: VAULT_ID.replace('rsv-spoke', withLookalike('rsv-spoke', at, pick)),
    rules: [STRICT],
  })),
  // empty fields in the rule: they match nothing
  fc.constantFrom<ApprovalRule['requester']>({ tenantId: '' }, { subscriptionId: '' }, { tenantId: TENANT, resourceGroup: '' }, { subscriptionId: SPOKE_SUB, privateEndpointName: '' }, {}).map((requester) => ({
    what: `a rule with an empty field ${JSON.stringify(requester)}`,
    privateEndpointId: peIdOf(SPOKE_SUB, RG, PE_NAME),
    tenantId: '',
    vaultId: VAULT_ID,
    rules: [{ name: 'empty', requester }],
  })),
);

describe('ARM comparison (armEquals, armCaseKey)', () => {
  it.each([
    ['Kelvin sign vs k', 'rg-spo\u212Ae-network', 'rg-spoke-network', false],
    ['Kelvin sign vs K', '\u212A', 'K', false],
    ['Ångström sign vs Å', '\u212B', '\u00C5', false],
    ['ohm sign vs omega', '\u2126', '\u03A9', false],
    ['dotless i vs i', '\u0131', 'i', false],
    ['dotted capital I vs i', '\u0130', 'i', false],
    ['sharp s vs SS (no full mapping)', 'stra\u00DFe', 'STRASSE', false],
    ['precomposed vs decomposed é (no normalisation)', 'caf\u00E9', 'cafe\u0301', false],
    ['ASCII case', 'RG-Spoke-Network', 'rg-spoke-network', true],
    ['Latin-1 case', 'RG-CAF\u00C9', 'rg-caf\u00E9', true],
    ['Greek case', '\u03A3\u039F\u03A6\u0399\u0391', '\u03C3\u03BF\u03C6\u03B9\u03B1', true],
    ['Cyrillic case', '\u0420\u0413-\u0421\u0415\u0422\u042C', '\u0440\u0433-\u0441\u0435\u0442\u044C', true],
    ['long s upper-cases to S (simple mapping)', '\u017F', 's', true],
    ['ypogegrammeni: simple upper is the title-case form', '\u1F80', '\u1F88', true],
    ['astral case (Deseret)', '\u{10428}', '\u{10400}', true],
  ])('%s', (_what, a, b, equal) => {
    expect(armEquals(a, b)).toBe(equal);
    expect(armCaseKey(a) === armCaseKey(b)).toBe(equal);
  });

  it('keeps ordinary ids readable: ASCII keys are the lower-cased id', () => {
    expect(armCaseKey('/subscriptions/ABC/resourceGroups/RG-X')).toBe('/subscriptions/abc/resourcegroups/rg-x');
  });

  it('is an equivalence that ignores ASCII case and nothing else ASCII', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 12 }), fc.string({ unit: 'grapheme', maxLength: 12 }), fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }), (a, b, mask) => {
        expect(armEquals(a, a)).toBe(true);
        expect(armEquals(a, b)).toBe(armEquals(b, a));
        const ascii = a.replace(/[^\u0000-\u007f]/g, '');
        expect(armEquals(recase(ascii, mask), ascii)).toBe(true);
        // the key never changes the length in code points: no full mappings, no normalisation
        expect([...armCaseKey(a)].length).toBe([...a].length);
      }),
      RUNS,
    );
  });
});

describe('the allowlist under hostile input', () => {
  it('does not approve the Kelvin sign for k (the named example)', () => {
    const kelvin = peIdOf(SPOKE_SUB, 'rg-spo\u212Ae-network', PE_NAME);
    const d = decide({ what: 'Kelvin', privateEndpointId: kelvin, tenantId: TENANT, vaultId: VAULT_ID, rules: [STRICT, SUB_RG, TENANT_RG, LITERAL] });
    expect(d.decision).toBe('no-match');
    expect(d.decision === 'no-match' && d.reasons.join('\n')).toContain('requires resource group rg-spoke-network');
    expect(privateEndpointNameMatches('pe-spoke-*', 'pe-spo\u212Ae-01')).toBe(false);
    expect(privateEndpointNameMatches('PE-SPOKE-*', 'pe-spoke-01')).toBe(true);
  });

  it('approves the allowlisted requester in any ASCII casing (no false rejection)', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 1, maxLength: 16 }), fc.array(fc.boolean(), { minLength: 1, maxLength: 16 }), (mask, mask2) => {
        const id = recase(ALLOWED_PE, mask);
        const d = decide({ what: 'recased', privateEndpointId: id, tenantId: recase(TENANT, mask2), vaultId: recase(VAULT_ID, mask2), rules: [STRICT] });
        expect(d).toEqual({ decision: 'approve', rule: STRICT });
      }),
      RUNS,
    );
  });

  it('approves non-ASCII names in the casings ARM equates', () => {
    const rule: ApprovalRule = { name: 'cafe', requester: { subscriptionId: SPOKE_SUB, resourceGroup: 'rg-caf\u00E9', privateEndpointName: 'pe-\u00E9t\u00E9-*' } };
    const d = decide({ what: 'é', privateEndpointId: peIdOf(SPOKE_SUB, 'RG-CAF\u00C9', 'PE-\u00C9T\u00C9-1'), tenantId: TENANT, vaultId: VAULT_ID, rules: [rule] });
    expect(d.decision).toBe('approve');
    const decomposed = decide({ what: 'e+combining', privateEndpointId: peIdOf(SPOKE_SUB, 'rg-cafe\u0301', 'pe-\u00E9t\u00E9-1'), tenantId: TENANT, vaultId: VAULT_ID, rules: [rule] });
    expect(decomposed.decision).toBe('no-match');
  });

  it('makes 0 false matches over hostile requesters, tenants, vaults and rules', () => {
    const falseMatches: string[] = [];
    fc.assert(
      fc.property(hostileCase, (c) => {
        const d = decide(c);
        if (d.decision === 'approve') falseMatches.push(`${c.what}: ${JSON.stringify(c.privateEndpointId)} tenant ${JSON.stringify(c.tenantId)} vault ${c.vaultId} by rule ${d.rule.name}`);
      }),
      { numRuns: 3000 },
    );
    expect(falseMatches).toEqual([]);
  });
});

describe('instance ids', () => {
  // Names as hostile as ids.ts lets through: ':' (the readable separator), case pairs ARM equates
  // or not (k K Kelvin), accents, invisible and combining characters.
  const unit = fc.constantFrom('a', 'A', 'k', 'K', '\u212A', ':', '-', '_', '.', '(', '\u00E9', '\u00C9', '\u200B', '\u0301', '1', '\u0131', 'I');
  const namePart = fc.string({ unit, minLength: 1, maxLength: 6 }).filter((s) => s !== '.' && s !== '..' && s.trim() === s);
  const vaultIdOf = (rg: string, name: string) => `/subscriptions/${VAULT_SUB}/resourceGroups/${rg}/providers/Microsoft.RecoveryServices/vaults/${name}`;

  it('gives two vaults the same instance exactly when ARM says they are the same vault', () => {
    fc.assert(
      fc.property(namePart, namePart, namePart, namePart, (rg1, n1, rg2, n2) => {
        const a = vaultIdOf(rg1, n1);
        const b = vaultIdOf(rg2, n2);
        const same = armEquals(rg1, rg2) && armEquals(n1, n2);
        expect(vaultInstanceId(a) === vaultInstanceId(b)).toBe(same);
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps a vault in rg-spo\u212Ae apart from the one in rg-spoke, and a forged separator apart', () => {
    expect(vaultInstanceId(vaultIdOf('rg-spo\u212Ae', 'v'))).not.toBe(vaultInstanceId(vaultIdOf('rg-spoke', 'v')));
    expect(vaultInstanceId(vaultIdOf('a:b', 'c'))).not.toBe(vaultInstanceId(vaultIdOf('a', 'b:c')));
    expect(vaultInstanceId(vaultIdOf('RG-Backup', 'RSV'))).toBe(`vault:${VAULT_SUB}:rg-backup:rsv`);
    expect(privateEndpointRoutingInstanceId(ALLOWED_PE)).toBe(privateEndpointRoutingInstanceId(ALLOWED_PE.toUpperCase().replace('/SUBSCRIPTIONS/', '/subscriptions/')));
  });
});

describe("the emulator's store", () => {
  it('keeps resources ARM holds apart apart, and finds one in any casing ARM equates', () => {
    const store = new ResourceStore();
    const plain = `/subscriptions/${SPOKE_SUB}/resourceGroups/rg-spoke`;
    const kelvin = `/subscriptions/${SPOKE_SUB}/resourceGroups/rg-spo\u212Ae`;
    store.put(plain, { name: 'plain' });
    store.put(kelvin, { name: 'kelvin' });
    expect(store.size).toBe(2);
    expect(store.get(plain.toUpperCase().replace('/SUBSCRIPTIONS/', '/subscriptions/'))?.resource['name']).toBe('plain');
    expect(store.get(kelvin.replace('rg-spo', 'RG-SPO'))?.resource['name']).toBe('kelvin');
    expect(store.get(`/subscriptions/${SPOKE_SUB}/resourceGroups/rg-spoke\u200B`)).toBeUndefined();
    expect(tryParseResourceId(kelvin)?.key).not.toBe(parseResourceId(plain).key);
  });
});
