import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as https from 'node:https';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const MAIN = join(ROOT, 'emulator', 'main.ts');

function get(url: string, ca: string, token: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca, headers: { authorization: `Bearer ${token}` }, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
      })
      .on('error', reject);
  });
}

function put(url: string, ca: string, token: string, body: unknown): Promise<{ status: number; retryAfter: string | undefined }> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method: 'PUT', ca, agent: false, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] as string | undefined }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

describe('emulator/main', () => {
  describe('#main', () => {
    it('prints one JSON line, serves ARM with the owner token, and exits 0 on SIGTERM', async () => {
      const child = spawn(TSX, [MAIN, '--port', '0', '--seed', '3'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      const line = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (c: Buffer) => {
          stdout += c.toString('utf8');
          if (stdout.includes('\n')) resolve(stdout.split('\n')[0] as string);
        });
        child.on('exit', (code) => reject(new Error(`exited ${code} before printing`)));
      });
      const info = JSON.parse(line) as { endpoint: string; caFile: string; tenantId: string; subscriptionId: string; ownerToken: string };
      expect(Object.keys(info).sort()).toEqual(['caFile', 'endpoint', 'ownerToken', 'subscriptionId', 'tenantId']);
      const ca = readFileSync(info.caFile, 'utf8');
      const sub = await get(`${info.endpoint}/subscriptions/${info.subscriptionId}?api-version=2022-12-01`, ca, info.ownerToken);
      expect(sub).toEqual({ status: 200, body: expect.objectContaining({ subscriptionId: info.subscriptionId, tenantId: info.tenantId }) });
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(stdout.trim().split('\n')).toHaveLength(1);
    });

    it('prints usage for --help and refuses a bad port', () => {
      const help = spawnSync(TSX, [MAIN, '--help'], { cwd: ROOT, encoding: 'utf8' });
      expect(help.status).toBe(0);
      expect(help.stdout).toContain('--port <port>');
      const bad = spawnSync(TSX, [MAIN, '--port', 'eighty'], { cwd: ROOT, encoding: 'utf8' });
      expect(bad.status).not.toBe(0);
      expect(bad.stderr).toMatch(/port must be an integer/);
    });

    it('takes --latency azure with --latency-scale, and refuses an unknown profile', async () => {
      const help = spawnSync(TSX, [MAIN, '--help'], { cwd: ROOT, encoding: 'utf8' });
      expect(help.stdout).toContain('--latency <profile>');
      expect(help.stdout).toContain('--latency-scale <factor>');
      const bad = spawnSync(TSX, [MAIN, '--latency', 'fast'], { cwd: ROOT, encoding: 'utf8' });
      expect(bad.status).not.toBe(0);
      expect(bad.stderr).toMatch(/latency must be none or azure/);

      const child = spawn(TSX, [MAIN, '--port', '0', '--latency', 'azure', '--latency-scale', '1'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString('utf8');
          if (out.includes('\n')) resolve(out.split('\n')[0] as string);
        });
        child.on('exit', (code) => reject(new Error(`exited ${code} before printing`)));
      });
      const info = JSON.parse(line) as { endpoint: string; caFile: string; subscriptionId: string; ownerToken: string };
      const ca = readFileSync(info.caFile, 'utf8');
      // At Azure's pace a vault write is answered with the Recovery Services RP's Retry-After: 60.
      const rg = await put(`${info.endpoint}/subscriptions/${info.subscriptionId}/resourceGroups/rg1?api-version=2021-04-01`, ca, info.ownerToken, { location: 'uksouth' });
      expect(rg.status).toBe(201);
      const vault = await put(`${info.endpoint}/subscriptions/${info.subscriptionId}/resourceGroups/rg1/providers/Microsoft.RecoveryServices/vaults/v1?api-version=2023-04-01`, ca, info.ownerToken, { location: 'uksouth', properties: {} });
      expect([vault.status, vault.retryAfter]).toEqual([201, '60']);
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    });
  });
});
