import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { BACKUP_GEO_CODES, BUILT_IN_ROLE_GUIDS, VAULT_APPROVAL_ACTION } from '../../emulator/azure-facts';
import contract from '../../shared/contract.json';
import vaultlinkGeoCodes from '../../shared/domain/backup-geo-codes.json';

/**
 * The emulator is an independent oracle: it keeps its own copy of the Azure facts it shares with
 * vaultlink, and imports nothing of vaultlink's but id parsing. These tests fail on any difference
 * between the two copies (so a correction is made on both sides knowingly) and on any new import.
 */
const ROOT = join(__dirname, '..', '..');
const EMULATOR = join(ROOT, 'emulator');

function typeScriptFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return typeScriptFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

describe('emulator independence', () => {
  it('has its own Backup geo-code table, equal to vaultlink\'s entry for entry', () => {
    const differences: string[] = [];
    for (const region of new Set([...Object.keys(BACKUP_GEO_CODES), ...Object.keys(vaultlinkGeoCodes)])) {
      const ours = BACKUP_GEO_CODES[region];
      const theirs = (vaultlinkGeoCodes as Record<string, string>)[region];
      if (ours !== theirs) differences.push(`${region}: emulator ${ours ?? '(none)'}, vaultlink ${theirs ?? '(none)'}`);
    }
    expect(differences).toEqual([]);
    expect(Object.keys(BACKUP_GEO_CODES)).toHaveLength(91);
    expect(BACKUP_GEO_CODES['uksouth']).toBe('uks');
  });

  it('has its own built-in role GUIDs and approval action, equal to vaultlink\'s contract', () => {
    const theirs = contract.roleDefinitions as Record<string, string>;
    expect(Object.fromEntries(Object.entries(BUILT_IN_ROLE_GUIDS).sort())).toEqual(Object.fromEntries(Object.entries(theirs).sort()));
    expect(VAULT_APPROVAL_ACTION).toBe(contract.approvalAction);
  });

  it('imports nothing from shared/ except the id parsing helpers', () => {
    const offending: string[] = [];
    for (const file of typeScriptFiles(EMULATOR)) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|require\(\s*['"]([^'"]+)['"]\s*\)/g)) {
        const spec = (m[1] ?? m[2]) as string;
        if (!spec.startsWith('.')) continue;
        const target = relative(ROOT, join(file, '..', spec)).replace(/\\/g, '/');
        if (!target.startsWith('shared/')) continue;
        if (target !== 'shared/domain/ids') offending.push(`${relative(ROOT, file)} imports ${spec}`);
      }
    }
    expect(offending).toEqual([]);
  });
});
