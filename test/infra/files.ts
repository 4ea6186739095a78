/** Where the infra tests find what they read: infra/ and the contract it shares with the code. */
import { readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '..', '..');
export const INFRA_DIR = join(REPO_ROOT, 'infra');
export const MAIN_BICEP = join(INFRA_DIR, 'main.bicep');

export function moduleBicep(name: string): string {
  return join(INFRA_DIR, 'modules', `${name}.bicep`);
}

/** Every file under infra/, recursively, as absolute paths. */
export function infraFiles(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? walk(join(dir, entry.name)) : [join(dir, entry.name)]));
  return walk(INFRA_DIR).sort();
}

export function infraBicepFiles(): string[] {
  return infraFiles().filter((path) => path.endsWith('.bicep'));
}

export function repoRelative(path: string): string {
  return relative(REPO_ROOT, path);
}
