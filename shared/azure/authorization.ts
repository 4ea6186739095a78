/** The Authorization port on `@azure/arm-authorization` 9: role assignments of the vault identity. */
import type { AuthorizationManagementClient } from '@azure/arm-authorization';
import { parseResourceId } from '../domain/ids';
import type { RoleAssignment } from '../domain/model';
import { roleDefinitionIdFor } from '../domain/rbac';
import { describeAzureCall } from './errors';
import { toRoleAssignment } from './mappers';
import type { AuthorizationPort, RoleAssignmentRequest } from './ports';

export interface AuthorizationClients {
  authorization(subscriptionId: string): AuthorizationManagementClient;
}

// Principal ids are GUIDs; anything else must not reach an OData filter.
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function subscriptionOfScope(scope: string): { id: string; subscriptionId: string } {
  const p = parseResourceId(scope);
  if (p.subscriptionId === undefined) throw new Error(`role assignment scope names no subscription: ${scope}`);
  return { id: p.id, subscriptionId: p.subscriptionId };
}

export class SdkAuthorizationAdapter implements AuthorizationPort {
  constructor(private readonly clients: AuthorizationClients) {}

  async listRoleAssignments(scope: string, principalId?: string): Promise<RoleAssignment[]> {
    const s = subscriptionOfScope(scope);
    if (principalId !== undefined && !GUID.test(principalId)) throw new Error(`not a principal id (GUID): ${principalId}`);
    return describeAzureCall(principalId === undefined ? 'listing role assignments at' : `listing role assignments of principal ${principalId} at`, s.id, async () => {
      const out: RoleAssignment[] = [];
      const pages = this.clients.authorization(s.subscriptionId).roleAssignments.listForScope(s.id, principalId === undefined ? {} : { filter: `principalId eq '${principalId}'` });
      for await (const a of pages) out.push(toRoleAssignment(a));
      return out;
    });
  }

  async listRoleAssignmentsAtScope(scope: string): Promise<RoleAssignment[]> {
    const s = subscriptionOfScope(scope);
    return describeAzureCall('listing role assignments at', s.id, async () => {
      const out: RoleAssignment[] = [];
      for await (const a of this.clients.authorization(s.subscriptionId).roleAssignments.listForScope(s.id)) out.push(toRoleAssignment(a));
      return out;
    });
  }

  async createRoleAssignment(scope: string, name: string, assignment: RoleAssignmentRequest): Promise<RoleAssignment> {
    const s = subscriptionOfScope(scope);
    const raw = await describeAzureCall(`granting role ${assignment.roleDefinitionGuid} to principal ${assignment.principalId} at`, s.id, () =>
      this.clients.authorization(s.subscriptionId).roleAssignments.create(s.id, name, {
        roleDefinitionId: roleDefinitionIdFor(s.subscriptionId, assignment.roleDefinitionGuid),
        principalId: assignment.principalId,
        // A vault's identity is a service principal; saying so spares ARM a directory lookup
        // that fails right after the identity was created (replication delay).
        principalType: 'ServicePrincipal',
        ...(assignment.description === undefined ? {} : { description: assignment.description }),
      }),
    );
    return toRoleAssignment(raw);
  }

  async deleteRoleAssignment(assignmentId: string): Promise<void> {
    const p = parseResourceId(assignmentId);
    if (p.subscriptionId === undefined) throw new Error(`role assignment id names no subscription: ${assignmentId}`);
    const subscriptionId = p.subscriptionId;
    await describeAzureCall('revoking role assignment', p.id, () => this.clients.authorization(subscriptionId).roleAssignments.deleteById(p.id));
  }
}
