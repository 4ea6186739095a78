/**
 * Linear-time input handling: positions from one line index, a policy with thousands of
 * problems refused with the first ones listed and the rest counted, and ONE byte-order-mark rule
 * for every JSON input (the policy loader and `explain-event`). Speed is measured by
 * `npm run bench:config`, not here.
 */
import fc from 'fast-check';
import { runCli } from '../../../cli/program';
import { captureIO } from '../../../cli/io';
import { LineIndex, lineAndColumn, scanJson, withoutByteOrderMark } from '../../../shared/config/json-locate';
import { MAX_LISTED_PROBLEMS, parsePolicy, PolicyError } from '../../../shared/config/load';

function naiveLineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.min(offset, text.length));
  const lines = before.split('\n');
  return { line: lines.length, column: offset - (before.length - (lines[lines.length - 1] as string).length) + 1 };
}

function policyWithInvalidRules(count: number, bom = ''): string {
  const rules = Array.from({ length: count }, (_, i) => `{"name":"rule-${i}","requester":{"subscriptionId":"sub-${i}"}}`);
  return `${bom}{"version":1,"mode":"audit","ownerId":"o","scope":{"subscriptions":["00000000-0000-0000-0000-000000000001"]},"identity":{"enableSystemAssigned":true},"roles":{"profile":"contributor"},
"approval":{"unmatched":"leave-pending","rules":[
${rules.join(',\n')}
]},"dns":{"placement":"central","central":{"subscriptionId":"00000000-0000-0000-0000-000000000001","resourceGroup":"rg-dns"},"recordPolicy":"upsert-only","ttl":10,"linkVirtualNetworks":[]},"geoCodes":{}}`;
}

describe('linear-time input handling', () => {
  describe('LineIndex', () => {
    it('places every offset where a rescan of the text would', () => {
      fc.assert(
        fc.property(fc.string({ unit: fc.constantFrom('a', '\n', '\r', 'é', ' ') }), fc.nat(), (text, at) => {
          const offset = text.length === 0 ? 0 : at % (text.length + 1);
          expect(new LineIndex(text).locate(offset)).toEqual(naiveLineAndColumn(text, offset));
          expect(lineAndColumn(text, offset)).toEqual(naiveLineAndColumn(text, offset));
        }),
        { numRuns: 300 },
      );
    });
  });

  describe('a policy with thousands of invalid rules', () => {
    it('is refused with every problem counted, the first ones listed in file order with their lines', () => {
      const count = MAX_LISTED_PROBLEMS + 1500;
      let error: unknown;
      try {
        parsePolicy(policyWithInvalidRules(count), 'many.json');
      } catch (e) {
        error = e;
      }
      if (!(error instanceof PolicyError)) throw new Error('expected a PolicyError');
      expect(error.problems).toHaveLength(MAX_LISTED_PROBLEMS);
      expect(error.omittedProblems).toBe(1500);
      // Rule i sits on line i + 3.
      expect(error.problems.slice(0, 3).map((p) => [p.path, p.line])).toEqual([
        ['$.approval.rules[0].requester.subscriptionId', 3],
        ['$.approval.rules[1].requester.subscriptionId', 4],
        ['$.approval.rules[2].requester.subscriptionId', 5],
      ]);
      expect(error.message).toMatch(/2500 problems, the first 1000 listed/);
      expect(error.message).toMatch(/… and 1500 more problems$/);
      expect(error.message.split('\n').length).toBe(MAX_LISTED_PROBLEMS + 2);
    });

    it('is refused the same way by `config check`, with the count of the rest', async () => {
      const { mkdtempSync, writeFileSync } = await import('node:fs');
      const { join } = await import('node:path');
      const { tmpdir } = await import('node:os');
      const dir = mkdtempSync(join(tmpdir(), 'vaultlink-linear-'));
      writeFileSync(join(dir, 'p.json'), policyWithInvalidRules(MAX_LISTED_PROBLEMS + 7));
      const io = captureIO({ cwd: dir });
      expect(await runCli(['config', 'check', 'p.json', '--output', 'json'], io)).toBe(2);
      const answer = JSON.parse(io.out()) as { valid: boolean; problems: unknown[]; omittedProblems: number };
      expect([answer.valid, answer.problems.length, answer.omittedProblems]).toEqual([false, MAX_LISTED_PROBLEMS, 7]);
      const text = captureIO({ cwd: dir });
      expect(await runCli(['config', 'check', 'p.json'], text)).toBe(2);
      expect(text.err()).toMatch(/refused \(1007 problems, the first 1000 listed\)/);
      expect(text.err()).toMatch(/… and 7 more\n$/);
    });
  });

  describe('the byte-order mark', () => {
    it('drops one leading U+FEFF and nothing else', () => {
      expect(withoutByteOrderMark('\ufeff{}')).toBe('{}');
      expect(withoutByteOrderMark('\ufeff\ufeff{}')).toBe('\ufeff{}');
      expect(withoutByteOrderMark(' \ufeff{}')).toBe(' \ufeff{}');
      expect(withoutByteOrderMark('{}')).toBe('{}');
      expect(scanJson(withoutByteOrderMark('\ufeff\ufeff{}')).ok).toBe(false);
    });

    it('is the same rule for the policy loader and explain-event', async () => {
      const valid = policyWithInvalidRules(0, '\ufeff').replace('"rules":[\n\n]', '"rules":[]');
      expect(parsePolicy(valid, 'bom.json').ownerId).toBe('o');
      expect(() => parsePolicy('\ufeff' + valid, 'two-boms.json')).toThrow(/1:1/);

      const vaultId = '/subscriptions/7d2a9c4e-1b3f-4e8a-9c6d-2f5b8a1e3c70/resourceGroups/rg-backup/providers/Microsoft.RecoveryServices/vaults/rsv-weu-01';
      const event = { id: 'e1', topic: '/subscriptions/7d2a9c4e-1b3f-4e8a-9c6d-2f5b8a1e3c70', eventType: 'Microsoft.Resources.ResourceWriteSuccess', subject: vaultId, dataVersion: '2', metadataVersion: '1', eventTime: '2026-01-01T00:00:00Z', data: { operationName: 'Microsoft.RecoveryServices/vaults/write', resourceUri: vaultId } };
      const io = captureIO({ stdin: '\ufeff' + JSON.stringify([event]) });
      expect(await runCli(['explain-event', '-', '--output', 'json'], io)).toBe(0);
      expect((JSON.parse(io.out()) as { status: string }[]).map((v) => v.status)).toEqual(['hint']);
      const twice = captureIO({ stdin: '\ufeff\ufeff' + JSON.stringify([event]) });
      expect(await runCli(['explain-event', '-', '--output', 'json'], twice)).toBe(2);
      expect(twice.err()).toMatch(/not JSON/);
    });
  });
});
