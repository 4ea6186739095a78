import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import contract from '../../../shared/contract.json';
import { DEFAULT_SWEEP_SCHEDULE, findAppRoot, readSettings, SettingsError, type SettingProblem } from '../../../shared/config/settings';

const APP_ROOT = resolve('/srv/app');

function problemsOf(env: Record<string, string | undefined>): SettingProblem[] {
  try {
    readSettings(env, { appRoot: APP_ROOT });
  } catch (e) {
    if (e instanceof SettingsError) return [...e.problems];
    throw e;
  }
  throw new Error('the settings were accepted');
}

describe('settings', () => {
  describe('#readSettings', () => {
    it('applies every default when nothing is set', () => {
      expect(readSettings({}, { appRoot: APP_ROOT })).toEqual({
        policyFile: join(APP_ROOT, 'vaultlink.policy.json'),
        sweepSchedule: DEFAULT_SWEEP_SCHEDULE,
        cloud: 'AzurePublicCloud',
        armEndpoint: 'https://management.azure.com/',
        armEndpointOverridden: false,
        managedIdentityClientId: undefined,
      });
    });

    it('treats empty and blank settings as unset, as local.settings.json and Bicep write them', () => {
      const blank = Object.fromEntries(Object.keys(contract.appSettings).map((name) => [name, ' ']));
      expect(readSettings(blank, { appRoot: APP_ROOT })).toEqual(readSettings({}, { appRoot: APP_ROOT }));
    });

    it.each<[string, Record<string, string>, Partial<ReturnType<typeof readSettings>>]>([
      ['a relative policy file against the app root', { VAULTLINK_POLICY_FILE: 'policies/prod.json' }, { policyFile: join(APP_ROOT, 'policies', 'prod.json') }],
      ['an absolute policy file as is', { VAULTLINK_POLICY_FILE: resolve('/etc/vaultlink/policy.json') }, { policyFile: resolve('/etc/vaultlink/policy.json') }],
      ['a sweep schedule, collapsing white space', { VAULTLINK_SWEEP_SCHEDULE: '0  */5 * * * *' }, { sweepSchedule: '0 */5 * * * *' }],
      ['the US Government cloud and its ARM endpoint', { VAULTLINK_CLOUD: 'AzureUSGovernment' }, { cloud: 'AzureUSGovernment', armEndpoint: 'https://management.usgovcloudapi.net/' }],
      ['a cloud name in any casing', { VAULTLINK_CLOUD: 'azurechinacloud' }, { cloud: 'AzureChinaCloud', armEndpoint: 'https://management.chinacloudapi.cn/' }],
      ['an ARM endpoint override, with a trailing slash', { VAULTLINK_ARM_ENDPOINT: 'https://127.0.0.1:8443' }, { armEndpoint: 'https://127.0.0.1:8443/', armEndpointOverridden: true }],
      ['a user-assigned identity', { AZURE_CLIENT_ID: '2f1e6a3b-5c4d-4e8f-9a0b-1c2d3e4f5a6b' }, { managedIdentityClientId: '2f1e6a3b-5c4d-4e8f-9a0b-1c2d3e4f5a6b' }],
    ])('reads %s', (_what, env, expected) => {
      expect(readSettings(env, { appRoot: APP_ROOT })).toMatchObject(expected);
    });

    it.each<[string, Record<string, string>, SettingProblem['setting'], string, string]>([
      ['a five-field cron', { VAULTLINK_SWEEP_SCHEDULE: '*/30 * * * *' }, 'VAULTLINK_SWEEP_SCHEDULE', '6 fields, seconds first', '"*/30 * * * *"'],
      ['a schedule with stray characters', { VAULTLINK_SWEEP_SCHEDULE: '0 */30 * * * ?' }, 'VAULTLINK_SWEEP_SCHEDULE', 'NCRONTAB fields', '"0 */30 * * * ?"'],
      ['an unknown cloud', { VAULTLINK_CLOUD: 'AzureGermanCloud' }, 'VAULTLINK_CLOUD', 'one of AzurePublicCloud, AzureUSGovernment, AzureChinaCloud', '"AzureGermanCloud"'],
      ['a plain-http ARM endpoint', { VAULTLINK_ARM_ENDPOINT: 'http://127.0.0.1:8080' }, 'VAULTLINK_ARM_ENDPOINT', 'an https:// URL', '"http://127.0.0.1:8080"'],
      ['an ARM endpoint that is no URL', { VAULTLINK_ARM_ENDPOINT: '127.0.0.1:8443' }, 'VAULTLINK_ARM_ENDPOINT', 'an https:// URL', '"127.0.0.1:8443"'],
      ['an ARM endpoint with a query', { VAULTLINK_ARM_ENDPOINT: 'https://127.0.0.1:8443/?x=1' }, 'VAULTLINK_ARM_ENDPOINT', 'without query', '"https://127.0.0.1:8443/?x=1"'],
      ['a client id that is not a GUID', { AZURE_CLIENT_ID: 'vaultlink-identity' }, 'AZURE_CLIENT_ID', 'a GUID', '"vaultlink-identity"'],
    ])('refuses %s, naming the setting', (_what, env, setting, expected, found) => {
      const problems = problemsOf(env);
      expect(problems).toHaveLength(1);
      expect(problems[0]?.setting).toBe(setting);
      expect(problems[0]?.expected).toContain(expected);
      expect(problems[0]?.found).toBe(found);
    });

    it('reports every bad setting in one error', () => {
      const env = { VAULTLINK_CLOUD: 'Mars', VAULTLINK_ARM_ENDPOINT: 'ftp://x', AZURE_CLIENT_ID: 'me', VAULTLINK_SWEEP_SCHEDULE: 'hourly' };
      expect(() => readSettings(env, { appRoot: APP_ROOT })).toThrow(/VAULTLINK_SWEEP_SCHEDULE[\s\S]*VAULTLINK_CLOUD[\s\S]*VAULTLINK_ARM_ENDPOINT[\s\S]*AZURE_CLIENT_ID/);
      expect(problemsOf(env).map((p) => p.setting)).toEqual(['VAULTLINK_SWEEP_SCHEDULE', 'VAULTLINK_CLOUD', 'VAULTLINK_ARM_ENDPOINT', 'AZURE_CLIENT_ID']);
    });

    it('reads every setting that shared/contract.json names, and only those', () => {
      const seen = new Set<string>();
      const env = new Proxy<Record<string, string | undefined>>({}, { get: (_t, name) => (typeof name === 'string' && seen.add(name), undefined) });
      readSettings(env, { appRoot: APP_ROOT });
      expect([...seen].sort()).toEqual(Object.keys(contract.appSettings).sort());
    });
  });

  describe('#findAppRoot', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'vaultlink-root-'));
      mkdirSync(join(dir, 'dist', 'shared', 'config'), { recursive: true });
      writeFileSync(join(dir, 'host.json'), '{}');
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('prefers the Functions host script root when set', () => {
      expect(findAppRoot({ AzureWebJobsScriptRoot: '/home/site/wwwroot' }, join(dir, 'dist'))).toBe(resolve('/home/site/wwwroot'));
    });

    it('finds the nearest folder with host.json above the module', () => {
      expect(findAppRoot({}, join(dir, 'dist', 'shared', 'config'))).toBe(dir);
    });

    it('finds this project from its own sources', () => {
      expect(findAppRoot({})).toBe(resolve(__dirname, '..', '..', '..'));
    });
  });
});
