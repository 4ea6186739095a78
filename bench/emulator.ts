/**
 * `npm run bench`: how fast the emulator answers simple ARM GETs through real HTTPS keep-alive.
 * Starts `emulator/main.ts` as a child process (so the load generator does not share its event
 * loop), seeds a fleet-like store (resource groups and role assignments for many principals, so
 * that authorization works against a realistic table), then runs concurrent GETs of a resource
 * group for a fixed time and prints requests per second and p50/p99 latency. A measurement, not
 * a test: it asserts nothing.
 *
 * Options: --duration <s> (5), --concurrency <n> (32), --fleet <n> (1000 resource groups, three
 * role assignments each).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as https from 'node:https';
import { join } from 'node:path';
import { Command } from 'commander';

interface EmulatorInfo {
  endpoint: string;
  caFile: string;
  tenantId: string;
  subscriptionId: string;
  ownerToken: string;
}

function request(agent: https.Agent, info: EmulatorInfo, ca: string, method: string, path: string, token: string | undefined, body?: unknown): Promise<number> {
  const url = new URL(info.endpoint);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: url.hostname,
        port: url.port,
        path,
        method,
        agent,
        ca,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

async function main(): Promise<void> {
  const o = new Command()
    .option('--duration <s>', 'seconds of load', Number, 5)
    .option('--concurrency <n>', 'requests in flight', Number, 32)
    .option('--fleet <n>', 'resource groups to seed (three role assignments each)', Number, 1000)
    .parse(process.argv)
    .opts<{ duration: number; concurrency: number; fleet: number }>();

  const root = join(__dirname, '..');
  const child = spawn(join(root, 'node_modules', '.bin', 'tsx'), [join(root, 'emulator', 'main.ts'), '--port', '0'], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const info = await new Promise<EmulatorInfo>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString('utf8');
        const line = out.split('\n').find((l) => l.startsWith('{'));
        if (line && out.includes('\n')) resolve(JSON.parse(line) as EmulatorInfo);
      });
      child.on('exit', (code) => reject(new Error(`emulator exited with ${code}`)));
    });
    const ca = readFileSync(info.caFile, 'utf8');
    const agent = new https.Agent({ keepAlive: true, maxSockets: o.concurrency });
    const sub = `/subscriptions/${info.subscriptionId}`;

    const seedStart = Date.now();
    const seeds: Promise<number>[] = [];
    for (let i = 0; i < o.fleet; i++) {
      const rg = `${sub}/resourceGroups/rg-${i}`;
      seeds.push(request(agent, info, ca, 'PUT', `${rg}?api-version=2021-04-01`, info.ownerToken, { location: 'westeurope' }));
      for (const role of ['Contributor', 'Network Contributor', 'Reader']) {
        seeds.push(request(agent, info, ca, 'POST', '/_emulator/roleAssignments', undefined, { role, principalId: `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`, scope: rg }));
      }
      if (seeds.length >= 256) await Promise.all(seeds.splice(0));
    }
    await Promise.all(seeds);
    const seedSeconds = (Date.now() - seedStart) / 1000;

    // A principal that reads through a resource-group role assignment (no subscription-wide role).
    const reader = '00000000-0000-0000-0000-000000000007';
    const tokenResponse = await new Promise<string>((resolve, reject) => {
      const url = new URL(info.endpoint);
      const req = https.request({ host: url.hostname, port: url.port, path: '/_emulator/tokens', method: 'POST', agent, ca, headers: { 'content-type': 'application/json' } }, (res) => {
        let s = '';
        res.on('data', (c: Buffer) => (s += c.toString('utf8')));
        res.on('end', () => resolve((JSON.parse(s) as { token: string }).token));
      });
      req.on('error', reject);
      req.end(JSON.stringify({ principalId: reader }));
    });
    const path = `${sub}/resourceGroups/rg-7?api-version=2021-04-01`;
    if ((await request(agent, info, ca, 'GET', path, tokenResponse)) !== 200) throw new Error('warm-up GET failed');

    const latencies: number[] = [];
    let errors = 0;
    const deadline = process.hrtime.bigint() + BigInt(Math.round(o.duration * 1e9));
    const started = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: o.concurrency }, async () => {
        while (process.hrtime.bigint() < deadline) {
          const t0 = process.hrtime.bigint();
          const status = await request(agent, info, ca, 'GET', path, tokenResponse);
          latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
          if (status !== 200) errors++;
        }
      }),
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    latencies.sort((a, b) => a - b);
    agent.destroy();

    const figures = {
      scenario: 'GET resource group, RBAC through a resource-group role assignment, HTTPS keep-alive',
      fleetResourceGroups: o.fleet,
      roleAssignments: o.fleet * 3 + 1,
      seedSeconds: Number(seedSeconds.toFixed(2)),
      concurrency: o.concurrency,
      seconds: Number(seconds.toFixed(2)),
      requests: latencies.length,
      errors,
      requestsPerSecond: Math.round(latencies.length / seconds),
      p50Ms: Number(percentile(latencies, 50).toFixed(2)),
      p99Ms: Number(percentile(latencies, 99).toFixed(2)),
    };
    process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
  } finally {
    child.kill('SIGTERM');
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
