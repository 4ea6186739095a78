/**
 * `plan` and `status` against the embedded emulator (`--emulator`: the simulation's landing zone
 * with a new classic vault and the spoke team's Pending endpoint, before vaultlink acted), through
 * the real reconciler and SDK clients.
 */
import { join } from 'node:path';
import { runCli } from '../../../cli/program';
import { captureIO } from '../../../cli/io';

const vaultId = '/subscriptions/5b0c0000-0000-4000-8000-000000000001/resourceGroups/rg-spoke-backup/providers/Microsoft.RecoveryServices/vaults/rsv-app01';

interface StatusJson {
  converged: boolean;
  vaults: { id: string; checklist: Record<string, string>; findings: { code: string }[] }[];
}

describe('vaultlink plan and status', () => {
  describe('#status', () => {
    it('prints each vault\'s checklist in JSON and exits 1 when the vault is not converged', async () => {
      const io = captureIO();
      const code = await runCli(['status', '--emulator', '--output', 'json'], io);
      expect(io.err()).toBe('');
      expect(code).toBe(1);
      const status = JSON.parse(io.out()) as StatusJson;
      expect(status.converged).toBe(false);
      expect(status.vaults).toHaveLength(1);
      expect(status.vaults[0]?.id).toBe(vaultId);
      // Not converged because steps are pending, not because of an error: the identity of a new
      // vault was never on, so turning it on is a step of the procedure, not a breach of the seed's rule.
      expect(status.vaults[0]?.checklist).toMatchObject({ eligible: 'ok', identity: 'pending', approval: 'pending', 'dns-zones': 'ok', health: 'ok' });
      expect(status.vaults[0]?.findings.map((f) => f.code)).not.toContain('identity-disabled');
      expect(status.vaults[0]?.findings.filter((f) => (f as { severity?: string }).severity === 'error')).toEqual([]);
    });

    it('prints the full checklist of one --vault as a table', async () => {
      const io = captureIO();
      const code = await runCli(['status', '--emulator', '--vault', vaultId], io);
      expect(code).toBe(1);
      expect(io.out()).toContain(`vault ${vaultId}:`);
      expect(io.out()).toMatch(/PENDING\s+approval\s+approving pe-backup-app01 \(rule 'spoke-app-team'\)/);
    });
  });

  describe('#plan', () => {
    it('shows the plan without writing and exits 1 when there are changes', async () => {
      const io = captureIO();
      const code = await runCli(['plan', '--emulator', '--output', 'json'], io);
      expect(code).toBe(1);
      const result = JSON.parse(io.out()) as {
        vaults: { id: string; plan: { actions: { kind: string; key: string; needs: string[]; followsFrom?: string; principalId?: string }[]; requeue: boolean; checklist: { key: string; status: string; detail: string }[] } }[];
      };
      const plan = result.vaults[0]?.plan;
      const actions = plan?.actions ?? [];
      // The whole plan, for audit: the identity first; the roles and the approval follow from it
      // (planned against a placeholder principal, written in the requeued pass); links need nothing.
      const enable = actions.find((a) => a.kind === 'enable-identity');
      expect(actions[0]?.kind).toBe('enable-identity');
      const followers = actions.filter((a) => a.followsFrom !== undefined).map((a) => a.kind);
      expect(new Set(followers)).toEqual(new Set(['grant-role', 'approve-connection', 'upsert-record']));
      for (const a of actions.filter((x) => x.kind === 'grant-role')) expect([a.followsFrom, a.principalId]).toEqual([enable?.key, "the vault's identity, once on"]);
      expect(actions.filter((a) => a.kind === 'ensure-link').every((a) => a.followsFrom === undefined)).toBe(true);
      expect(plan?.requeue).toBe(true);
      expect(plan?.checklist.find((i) => i.key === 'approval')).toMatchObject({ status: 'pending', detail: expect.stringMatching(/approving pe-backup-app01/) });
    });

    it('says in the table that another pass follows when the plan requeues', async () => {
      const io = captureIO();
      const code = await runCli(['plan', '--emulator'], io);
      expect(code).toBe(1);
      expect(io.out()).toMatch(/1\. enable-identity[^\n]*\n/);
      expect(io.out()).toMatch(/grant-role[^\n]*\[needs 1\] \(follows from the identity step 1: written in the pass after it\)/);
      expect(io.out()).toMatch(/\n\s+then another pass right away: the steps that need the identity's principal id/);
    });

    it('applies the plan with --apply and shows the checklist after it', async () => {
      const io = captureIO();
      const code = await runCli(['plan', '--emulator', '--apply', '--output', 'json'], io);
      const result = JSON.parse(io.out()) as { vaults: { applied: { kind: string; status: string }[]; after: { checklist: { key: string; status: string }[] } }[] };
      const vault = result.vaults[0];
      expect(vault?.applied.length).toBeGreaterThan(0);
      // The first pass skips what follows from the identity step; the requeued pass applies it.
      expect(vault?.applied.every((o) => o.status === 'applied' || (o.status === 'skipped' && /follows from enable-identity/.test((o as { message?: string }).message ?? '')))).toBe(true);
      expect(vault?.applied.map((o) => o.kind)).toEqual(expect.arrayContaining(['enable-identity', 'grant-role', 'approve-connection']));
      const after = Object.fromEntries(vault?.after.checklist.map((i) => [i.key, i.status]) ?? []);
      expect(after).toMatchObject({ identity: 'ok', roles: 'ok', approval: 'ok', 'dns-links': 'ok', 'dns-records': 'ok' });
      // Azure Backup has not registered anything yet: its _ecs/_prot endpoints are still to come.
      expect(after['secondary-records']).toBe('pending');
      expect(code).toBe(1);
    });
  });

  describe('#bad options', () => {
    const policy = join(__dirname, '..', '..', '..', 'vaultlink.policy.json');
    it.each([
      ['a --vault that is not a vault id', ['status', '--emulator', '--vault', '/subscriptions/x/resourceGroups/y'], /--vault .*: expected a Recovery Services vault id/],
      ['a --subscription outside the policy scope', ['plan', '--emulator', '--subscription', '11111111-1111-4111-8111-111111111111'], /not in the policy's scope/],
      ['--emulator with --endpoint', ['status', '--emulator', '--endpoint', 'https://127.0.0.1:1'], /exclude each other/],
      ['a missing policy file', ['status', '--policy', '/nonexistent/policy.json'], /no such file/],
      ['--principal without --endpoint', ['status', '--policy', policy, '--principal', 'p'], /--principal needs --endpoint/],
      ['an unknown cloud', ['status', '--policy', policy, '--cloud', 'Mars'], /--cloud Mars/],
    ])('exits 2 for %s', async (_case, argv, message) => {
      const io = captureIO();
      expect(await runCli(argv, io)).toBe(2);
      expect(io.err()).toMatch(message);
    });

    it('exits 3 when the emulator endpoint cannot be reached', async () => {
      const io = captureIO();
      expect(await runCli(['status', '--policy', policy, '--endpoint', 'https://127.0.0.1:1', '--principal', 'p'], io)).toBe(3);
      expect(io.err()).toMatch(/^vaultlink: error: getting an emulator token for p: /);
    });
  });
});

describe('vaultlink status on a terminal', () => {
  it('shows progress on stderr and keeps stdout\'s JSON clean', async () => {
    const io = captureIO({ tty: true });
    await runCli(['status', '--emulator', '--output', 'json'], io);
    expect(io.err()).toContain('\r[0/1] ');
    expect(() => JSON.parse(io.out()) as unknown).not.toThrow();
  });
});
