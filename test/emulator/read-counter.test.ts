import { randomUUID } from 'node:crypto';
import contract from '../../shared/contract.json';
import { authorizationClientFor, newPrincipalId, startTestEmulator, type Emulator } from './helpers';

describe('read counter', () => {
  let emulator: Emulator;
  let rgId: string;
  beforeAll(async () => {
    emulator = await startTestEmulator();
    rgId = emulator.control.createResourceGroup(emulator.subscriptionId, 'rg-reads', 'westeurope').id;
  });
  afterAll(() => emulator.close());

  it('counts GETs per principal, with their operation and status, and leaves writes to the write counter', async () => {
    emulator.reads.reset();
    emulator.writes.reset();
    const client = authorizationClientFor(emulator);
    const principalId = newPrincipalId();
    await client.roleAssignments.create(rgId, randomUUID(), {
      roleDefinitionId: `/subscriptions/${emulator.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${contract.roleDefinitions.Reader}`,
      principalId,
    });
    const listed = [];
    for await (const a of client.roleAssignments.listForScope(rgId, { filter: `principalId eq '${principalId}'` })) listed.push(a);
    expect(listed).toHaveLength(1);

    expect(emulator.reads.count(emulator.ownerPrincipalId)).toBe(1);
    expect(emulator.reads.count(newPrincipalId())).toBe(0);
    const [read] = emulator.reads.log();
    expect(read?.method).toBe('GET');
    expect(read?.status).toBe(200);
    expect(read?.operation).toMatch(/^Microsoft\.Authorization\/roleAssignments\/read$/i);
    expect(emulator.writes.count()).toBe(1);
  });
});
