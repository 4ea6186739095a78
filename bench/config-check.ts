/**
 * `npm run bench:config`: how long `vaultlink config check` takes to refuse a policy file with many
 * invalid approval rules. It generates files of 2.5k … 200k rules (each with one bad subscription
 * id, on its own line, as a generator would write them; ~10 MB at 200k), runs the CLI's own `checkConfig` on each
 * (the same loader the Functions app uses at start) and prints the size, the problems found and
 * the time. A measurement, not a test: it asserts nothing. Target: under 10 s at 200k (~10 MB).
 *
 * Options: --sizes 2500,5000,10000,20000,50000,100000,200000
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { Command } from 'commander';
import { checkConfig } from '../cli/commands/config-check';
import type { CliIO } from '../cli/io';

function policyWithInvalidRules(count: number): string {
  const rules: string[] = [];
  for (let i = 0; i < count; i++) {
    // Not a GUID: one problem per rule.
    rules.push(`{"name":"rule-${i}","requester":{"subscriptionId":"sub-${i}"}}`);
  }
  return `{
  "version": 1,
  "mode": "audit",
  "ownerId": "bench",
  "scope": { "subscriptions": ["00000000-0000-0000-0000-000000000001"] },
  "identity": { "enableSystemAssigned": true },
  "roles": { "profile": "contributor" },
  "approval": {
    "unmatched": "leave-pending",
    "rules": [
${rules.join(',\n')}
    ]
  },
  "dns": { "placement": "central", "central": { "subscriptionId": "00000000-0000-0000-0000-000000000001", "resourceGroup": "rg-dns" }, "recordPolicy": "upsert-only", "ttl": 10, "linkVirtualNetworks": [] },
  "geoCodes": {}
}
`;
}

function sink(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

async function main(): Promise<void> {
  const options = new Command()
    .option('--sizes <list>', 'comma-separated rule counts', '2500,5000,10000,20000,50000,100000,200000')
    .parse(process.argv)
    .opts<{ sizes: string }>();
  const sizes = options.sizes.split(',').map((s) => Number(s.trim())).filter((n) => Number.isInteger(n) && n > 0);
  const dir = mkdtempSync(join(tmpdir(), 'vaultlink-bench-config-'));
  try {
    console.log('rules     size      problems  listed  exit  seconds');
    for (const size of sizes) {
      const file = join(dir, `policy-${size}.json`);
      const text = policyWithInvalidRules(size);
      writeFileSync(file, text);
      const stdout = sink();
      const stderr = sink();
      const io = { cwd: dir, stdin: new PassThrough(), stdout: stdout.stream, stderr: stderr.stream, env: {} } as unknown as CliIO;
      const started = process.hrtime.bigint();
      const exit = await checkConfig(io, file, { output: 'json' });
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const answer = JSON.parse(stdout.text()) as { problems: unknown[]; omittedProblems?: number };
      const total = answer.problems.length + (answer.omittedProblems ?? 0);
      const mb = (Buffer.byteLength(text) / 1e6).toFixed(1) + ' MB';
      console.log(`${String(size).padEnd(9)} ${mb.padEnd(9)} ${String(total).padEnd(9)} ${String(answer.problems.length).padEnd(7)} ${String(exit).padEnd(5)} ${seconds.toFixed(2)}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
