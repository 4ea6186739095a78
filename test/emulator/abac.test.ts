import { evaluateCondition, InvalidConditionError, parseCondition, type ConditionContext } from '../../emulator/abac';

/** Unit tests of the ABAC condition parser and evaluator (emulator/abac.ts). */
const WRITE = 'Microsoft.Authorization/roleAssignments/write';
const DELETE = 'Microsoft.Authorization/roleAssignments/delete';
const CONTRIBUTOR = 'b24988ac-6180-42a0-ab88-20f7382dd24c';
const DNS_CONTRIBUTOR = 'b12aa53e-6015-4669-85d0-8515ebb3ae7f';
const OWNER = '8e3af657-a8ff-443c-a75c-2fe8c4bcb635';
const SELF = '11111111-2222-4333-8444-555555555555';

/** The condition infra/main.bicep builds for vaultlink's RBAC Administrator grant (contributor profile). */
const roleSet = `${CONTRIBUTOR}, ${DNS_CONTRIBUTOR}`;
const writeCondition = `(!(ActionMatches{'${WRITE}'})) OR (@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${roleSet}} AND @Request[Microsoft.Authorization/roleAssignments:PrincipalType] ForAnyOfAnyValues:StringEqualsIgnoreCase {'ServicePrincipal'})`;
const deleteCondition = `(!(ActionMatches{'${DELETE}'})) OR (@Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${roleSet}} AND @Resource[Microsoft.Authorization/roleAssignments:PrincipalType] ForAnyOfAnyValues:StringEqualsIgnoreCase {'ServicePrincipal'})`;
const INFRA_CONDITION = `(${writeCondition}) AND (${deleteCondition})`;

function attrs(role: string, type: string, principal = SELF): Record<string, string[]> {
  return {
    'Microsoft.Authorization/roleAssignments:RoleDefinitionId': [role],
    'Microsoft.Authorization/roleAssignments:PrincipalType': [type],
    'Microsoft.Authorization/roleAssignments:PrincipalId': [principal],
  };
}

const write = (role: string, type: string, principal?: string): ConditionContext => ({ action: WRITE, request: attrs(role, type, principal) });
const del = (role: string, type: string, principal?: string): ConditionContext => ({ action: DELETE, resource: attrs(role, type, principal) });

describe('abac', () => {
  describe('#evaluateCondition on the condition infra deploys', () => {
    const condition = parseCondition(INFRA_CONDITION);

    it.each([
      ['writes Contributor for a service principal', write(CONTRIBUTOR, 'ServicePrincipal'), true],
      ['writes Private DNS Zone Contributor for a service principal (any casing of the type)', write(DNS_CONTRIBUTOR.toUpperCase(), 'serviceprincipal'), true],
      ['writes Owner for a service principal', write(OWNER, 'ServicePrincipal'), false],
      ['writes Contributor for a user', write(CONTRIBUTOR, 'User'), false],
      ['writes Contributor for a group', write(CONTRIBUTOR, 'Group'), false],
      ['deletes a Contributor assignment of a service principal', del(CONTRIBUTOR, 'ServicePrincipal'), true],
      ['deletes an Owner assignment', del(OWNER, 'ServicePrincipal'), false],
      ['deletes a user\'s Contributor assignment', del(CONTRIBUTOR, 'User'), false],
      ['writes without any request attribute', { action: WRITE }, false],
    ])('%s → %s', (_what, ctx, allowed) => {
      expect(evaluateCondition(condition, ctx)).toBe(allowed);
    });

    it('does not constrain an action it does not name (the ActionMatches guards)', () => {
      expect(evaluateCondition(condition, { action: 'Microsoft.Authorization/roleAssignments/read' })).toBe(true);
    });
  });

  describe('#evaluateCondition operators', () => {
    it.each([
      // ForAnyOfAllValues:GuidNotEquals: "a role that is none of these" (Microsoft's "exclude roles" example)
      [`@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAllValues:GuidNotEquals {${OWNER}}`, write(CONTRIBUTOR, 'User'), true],
      [`@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAllValues:GuidNotEquals {${OWNER}, ${CONTRIBUTOR}}`, write(CONTRIBUTOR, 'User'), false],
      // GuidNotEquals on the principal: a delegate may not grant itself
      [`@Request[Microsoft.Authorization/roleAssignments:PrincipalId] GuidNotEquals ${SELF}`, write(CONTRIBUTOR, 'User', SELF), false],
      [`@Request[Microsoft.Authorization/roleAssignments:PrincipalId] GuidNotEquals '${SELF}'`, write(CONTRIBUTOR, 'User', '99999999-2222-4333-8444-555555555555'), true],
      [`@Request[Microsoft.Authorization/roleAssignments:PrincipalType] StringEqualsIgnoreCase 'user'`, write(CONTRIBUTOR, 'User'), true],
      [`@Request[Microsoft.Authorization/roleAssignments:PrincipalType] StringEquals 'user'`, write(CONTRIBUTOR, 'User'), false],
      [`@Request[Microsoft.Authorization/roleAssignments:PrincipalType] ForAnyOfAnyValues:StringEqualsIgnoreCase {'Group', 'User'}`, write(CONTRIBUTOR, 'User'), true],
      [`@Request[Microsoft.Authorization/roleAssignments:PrincipalType] ForAllOfAllValues:StringNotEquals {'Group', 'User'}`, write(CONTRIBUTOR, 'ServicePrincipal'), true],
      // precedence: AND binds tighter than OR; NOT and && / || spellings
      [`@Request[Microsoft.Authorization/roleAssignments:PrincipalType] StringEquals 'User' OR @Request[Microsoft.Authorization/roleAssignments:PrincipalType] StringEquals 'Group' AND @Request[Microsoft.Authorization/roleAssignments:PrincipalType] StringEquals 'X'`, write(CONTRIBUTOR, 'User'), true],
      [`NOT @Request[Microsoft.Authorization/roleAssignments:PrincipalType] StringEquals 'User' || ActionMatches{'Microsoft.Authorization/roleAssignments/*'}`, write(CONTRIBUTOR, 'User'), true],
      [`!(ActionMatches{'Microsoft.Authorization/*'}) && @Request[Microsoft.Authorization/roleAssignments:PrincipalType] StringEquals 'User'`, write(CONTRIBUTOR, 'User'), false],
    ])('%s', (text, ctx, expected) => {
      expect(evaluateCondition(parseCondition(text), ctx)).toBe(expected);
    });
  });

  describe('#parseCondition refuses malformed conditions, naming what and where', () => {
    it.each([
      ['', 'empty'],
      ['(', 'ended'],
      [`(!(ActionMatches{'${WRITE}'}) OR`, 'ended'],
      [`@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] GuidEquals`, 'expected a value'],
      [`@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {not-a-guid}`, 'is not a GUID'],
      [`@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForSomeValues:GuidEquals {${OWNER}}`, 'unknown quantifier'],
      [`@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] GuidMatches ${OWNER}`, 'unknown operator'],
      [`@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] GuidEquals {${OWNER}, ${CONTRIBUTOR}}`, 'cross-product'],
      [`@Resource[Microsoft.ServiceBus/namespaces/queues:Name] StringEquals 'foo'`, 'not supported'],
      [`@Request[Microsoft.Authorization/roleAssignments:PrincipalType] StringEquals 'User`, 'unterminated'],
      [`ActionMatches{'${WRITE}'} ActionMatches{'${DELETE}'}`, 'after a complete expression'],
      [`@Bogus[x] StringEquals 'a'`, 'unknown attribute source'],
      [`ActionMatches('${WRITE}')`, "expected '{'"],
    ])('%j', (text, reason) => {
      let error: unknown;
      try {
        parseCondition(text);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(InvalidConditionError);
      expect((error as InvalidConditionError).message).toContain(reason);
      expect((error as InvalidConditionError).message).toMatch(/at character \d+/);
    });
  });
});
