/**
 * `prepack` / `postpack`: the published CLI carries an npm-shrinkwrap.json, the production part of
 * package-lock.json. npm's advice for command-line tools: the installed `vaultlink` then runs on
 * exactly the dependency versions the tests ran, and an install needs no registry metadata (it
 * works offline from the npm cache). The file exists only while `npm pack`/`npm publish` runs,
 * because in the checkout npm would prefer it to package-lock.json.
 *
 *   tsx scripts/shrinkwrap.ts write    package-lock.json → npm-shrinkwrap.json (no dev packages)
 *   tsx scripts/shrinkwrap.ts remove
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');
const SHRINKWRAP = join(ROOT, 'npm-shrinkwrap.json');

interface LockPackage {
  dev?: boolean;
  devOptional?: boolean;
  devDependencies?: Record<string, string>;
  [field: string]: unknown;
}

interface Lockfile {
  lockfileVersion: number;
  packages: Record<string, LockPackage>;
  [field: string]: unknown;
}

export function productionLockfile(lock: Lockfile): Lockfile {
  const packages: Record<string, LockPackage> = {};
  for (const [path, info] of Object.entries(lock.packages)) {
    if (path === '') {
      const { devDependencies: _dev, ...root } = info;
      packages[path] = root;
    } else if (info.dev !== true) {
      packages[path] = info;
    }
  }
  return { ...lock, packages };
}

if (require.main === module) {
  const command = process.argv[2];
  if (command === 'write') {
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as Lockfile;
    writeFileSync(SHRINKWRAP, `${JSON.stringify(productionLockfile(lock), null, 2)}\n`);
  } else if (command === 'remove') {
    rmSync(SHRINKWRAP, { force: true });
  } else {
    console.error('usage: tsx scripts/shrinkwrap.ts write|remove');
    process.exitCode = 2;
  }
}
