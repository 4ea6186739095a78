import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../../cli/program';
import { captureIO } from '../../../cli/io';

const root = join(__dirname, '..', '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'vaultlink-config-check-'));

function policyFile(name: string, body: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof body === 'string' ? body : JSON.stringify(body, null, 2));
  return path;
}

const sub = '00000000-0000-0000-0000-000000000001';
const validPolicy = {
  version: 1,
  mode: 'enforce',
  ownerId: 'alz-platform',
  scope: { subscriptions: [sub] },
  dns: { placement: 'central', central: { subscriptionId: sub, resourceGroup: 'rg-private-dns' } },
};

describe('vaultlink config check', () => {
  describe('#valid files', () => {
    it.each([
      ['the shipped default policy', join(root, 'vaultlink.policy.json')],
      ['a shipped example', join(root, 'examples', 'zone-group-hub-resolver.policy.json')],
      ['a minimal enforce policy', policyFile('minimal.json', validPolicy)],
    ])('exits 0 and says valid for %s', async (_case, file) => {
      const io = captureIO();
      const code = await runCli(['config', 'check', file], io);
      expect(code).toBe(0);
      expect(io.out()).toMatch(/: valid \(mode (audit|enforce),/);
      expect(io.err()).toBe('');
    });

    it('prints valid: true in JSON', async () => {
      const io = captureIO();
      const code = await runCli(['config', 'check', policyFile('minimal-json.json', validPolicy), '-o', 'json'], io);
      expect(code).toBe(0);
      expect(JSON.parse(io.out())).toMatchObject({ valid: true, problems: [], mode: 'enforce' });
    });
  });

  describe('#refused files', () => {
    it.each([
      ['a subscription that is not a GUID', { ...validPolicy, scope: { subscriptions: ['not-a-guid'] } }, '$.scope.subscriptions[0]'],
      ['a misspelt key', { ...validPolicy, moed: 'enforce' }, '$.moed'],
      ['a missing required field', { version: 1, scope: { subscriptions: [sub] }, dns: validPolicy.dns }, '$.ownerId'],
    ])('exits 2 and names the JSON path for %s', async (_case, body, path) => {
      const file = policyFile(`bad-${path.replace(/\W/g, '')}.json`, body);
      const io = captureIO();
      const code = await runCli(['config', 'check', file], io);
      expect(code).toBe(2);
      expect(io.err()).toContain(`${file}:`);
      expect(io.err()).toContain(path);
      expect(io.out()).toBe('');
    });

    it('exits 2 with line and column when the file is not JSON', async () => {
      const file = policyFile('syntax.json', '{\n  "version": 1,\n  "mode": \n}');
      const io = captureIO();
      expect(await runCli(['config', 'check', file], io)).toBe(2);
      expect(io.err()).toMatch(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: \\(JSON syntax\\)`));
    });

    it('exits 2 when the file does not exist', async () => {
      const io = captureIO();
      expect(await runCli(['config', 'check', join(dir, 'absent.json')], io)).toBe(2);
      expect(io.err()).toMatch(/no such file/);
    });

    it('lists every problem in the JSON output', async () => {
      const file = policyFile('two.json', { ...validPolicy, mode: 'yolo', ownerId: '' });
      const io = captureIO();
      expect(await runCli(['config', 'check', file, '--output', 'json'], io)).toBe(2);
      const result = JSON.parse(io.out()) as { valid: boolean; problems: { path: string }[] };
      expect(result.valid).toBe(false);
      expect(result.problems.map((p) => p.path).sort()).toEqual(['$.mode', '$.ownerId']);
    });
  });
});
