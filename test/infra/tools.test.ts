import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HOW_TO_GET_BICEP, findBicep, pinnedBicepVersion, requireBicep } from '../../infra/tools/bicep';

/** A fake `bicep` file, executable or not. */
function fakeBicep(dir: string, executable = true): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'bicep');
  writeFileSync(path, '#!/bin/sh\necho fake\n');
  chmodSync(path, executable ? 0o755 : 0o644);
  return path;
}

describe('infra/tools/bicep.ts', () => {
  let root: string;
  let home: string;
  let nuget: string;
  let pathDir: string;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'vaultlink-find-bicep-'));
    home = join(root, 'home');
    nuget = join(root, 'nuget');
    pathDir = join(root, 'bin');
    mkdirSync(home, { recursive: true });
  });

  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const nugetBicep = (): string => join(nuget, 'azure.bicep.commandline.linux-x64', pinnedBicepVersion(), 'tools');

  it('reads the pinned version from infra/tools/bicep.csproj', () => {
    expect(pinnedBicepVersion()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('looks in order: BICEP, PATH, ~/.azure/bin, the NuGet cache', () => {
    const fromEnv = fakeBicep(join(root, 'env'));
    const fromPath = fakeBicep(pathDir);
    const fromAzure = fakeBicep(join(home, '.azure', 'bin'));
    const fromNuGet = fakeBicep(nugetBicep());
    const env = { BICEP: fromEnv, PATH: pathDir, HOME: home, NUGET_PACKAGES: nuget };
    expect(findBicep(env)).toEqual({ path: fromEnv, source: 'BICEP' });
    expect(findBicep({ ...env, BICEP: '' })).toEqual({ path: fromPath, source: 'PATH' });
    expect(findBicep({ ...env, BICEP: '', PATH: '' })).toEqual({ path: fromAzure, source: '~/.azure/bin' });
    rmSync(fromAzure);
    expect(findBicep({ ...env, BICEP: '', PATH: '' })).toEqual({ path: fromNuGet, source: 'NuGet cache' });
  });

  it('makes the NuGet copy executable when the package was extracted without the bit', () => {
    const fromNuGet = fakeBicep(nugetBicep(), false);
    expect(findBicep({ PATH: '', HOME: home, NUGET_PACKAGES: nuget })?.path).toBe(fromNuGet);
    expect(statSync(fromNuGet).mode & 0o111).not.toBe(0);
  });

  it('skips a PATH entry that is not executable', () => {
    fakeBicep(pathDir, false);
    const fromNuGet = fakeBicep(nugetBicep());
    expect(findBicep({ PATH: pathDir, HOME: home, NUGET_PACKAGES: nuget })?.path).toBe(fromNuGet);
  });

  it('refuses a BICEP that names no executable rather than using another one', () => {
    fakeBicep(pathDir);
    expect(() => findBicep({ BICEP: join(root, 'missing'), PATH: pathDir })).toThrow(/BICEP=.*missing: not an executable file/);
  });

  it('finds nothing on a fresh machine, and says in one line how to get it', () => {
    const env = { PATH: '', HOME: home, NUGET_PACKAGES: nuget };
    expect(findBicep(env)).toBeUndefined();
    expect(() => requireBicep(env)).toThrow(HOW_TO_GET_BICEP);
    expect(HOW_TO_GET_BICEP).toContain('dotnet restore infra/tools/bicep.csproj');
    expect(HOW_TO_GET_BICEP).not.toContain('\n');
  });
});
