import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseIsoDurationMs } from '../../functions/duration';
import { MAX_READABLE_INSTANCE_ID, privateEndpointRoutingInstanceId, vaultInstanceId } from '../../functions/instance-ids';
import { CUSTOM_STATUS_LIMIT_BYTES, trimVaultStatus, type VaultStatus } from '../../functions/vault-status';
import { registeredFunctions } from '../../functions/registry';
import '../../functions/workflows';
import contract from '../../shared/contract.json';
import { SUB, vaultId } from './fake-reconciler';

const root = join(__dirname, '..', '..');

describe('instance-ids', () => {
  describe('#vaultInstanceId', () => {
    it.each([
      [vaultId('rsv-one'), `vault:${SUB}:rg-backup:rsv-one`],
      [`//subscriptions/${SUB.toUpperCase()}/resourcegroups/RG-Backup/providers/microsoft.recoveryservices/Vaults/RSV-One/`, `vault:${SUB}:rg-backup:rsv-one`],
    ])('derives the same readable id from %s', (id, expected) => {
      expect(vaultInstanceId(id)).toBe(expected);
    });

    it('hashes ids too long to stay readable', () => {
      const id = vaultInstanceId(vaultId('v'.repeat(50), 'r'.repeat(90) + 'x'.repeat(80)));
      expect(id).toMatch(/^vault:sha256:[0-9a-f]{64}$/);
      expect(id.length).toBeLessThanOrEqual(MAX_READABLE_INSTANCE_ID);
    });

    it.each([[`/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Network/privateEndpoints/pe`], ['not-an-id'], [`/subscriptions/${SUB}/resourceGroups/rg/../x/providers/Microsoft.RecoveryServices/vaults/v`]])('refuses %s', (id) => {
      expect(() => vaultInstanceId(id)).toThrow();
    });
  });

  describe('#privateEndpointRoutingInstanceId', () => {
    it('derives a pe: id and refuses a vault id', () => {
      expect(privateEndpointRoutingInstanceId(`/subscriptions/${SUB}/resourceGroups/RG/providers/Microsoft.Network/privateEndpoints/PE-1`)).toBe(`pe:${SUB}:rg:pe-1`);
      expect(() => privateEndpointRoutingInstanceId(vaultId('v'))).toThrow(/privateEndpoints/);
    });
  });
});

describe('duration', () => {
  describe('#parseIsoDurationMs', () => {
    it.each([
      ['PT5M', 300_000],
      ['PT0.5S', 500],
      ['P1DT2H', 93_600_000],
      ['P1W', 604_800_000],
      ['PT1H30M15S', 5_415_000],
    ])('reads %s', (text, ms) => expect(parseIsoDurationMs(text)).toBe(ms));
    it.each([['P1M'], ['P1Y'], ['PT'], ['P'], ['5 minutes'], ['']])('refuses %s', (text) => expect(parseIsoDurationMs(text)).toBeUndefined());
  });
});

describe('vault-status', () => {
  describe('#trimVaultStatus', () => {
    const base: VaultStatus = {
      vaultId: vaultId('v'),
      mode: 'enforce',
      state: 'failed',
      lastPassAt: undefined,
      observedAt: undefined,
      converged: false,
      summary: 's',
      checklist: [],
      findings: [],
      lastPlan: { actions: [], omitted: 0 },
      nextPassAt: undefined,
      triggeredBy: undefined,
    };
    it('returns a status that fits unchanged', () => {
      expect(trimVaultStatus(base)).toBe(base);
    });
    it('drops actions under the limit, failed ones kept first, and counts the dropped', () => {
      const actions = Array.from({ length: 400 }, (_, i) => ({ key: `record-${i}`, kind: 'upsert-record' as const, summary: 'x'.repeat(60), stage: 2, status: i === 399 ? ('failed' as const) : ('applied' as const), message: 'created' }));
      const trimmed = trimVaultStatus({ ...base, lastPlan: { actions, omitted: 0 } });
      expect(Buffer.byteLength(JSON.stringify(trimmed))).toBeLessThanOrEqual(CUSTOM_STATUS_LIMIT_BYTES);
      expect(trimmed.lastPlan.actions[0]?.key).toBe('record-399');
      expect(trimmed.lastPlan.omitted + trimmed.lastPlan.actions.length).toBe(400);
      expect(trimmed.lastPlan.omitted).toBeGreaterThan(0);
    });
  });
});

describe('functions/index', () => {
  it('registers every function shared/contract.json names, with the kind infra expects', () => {
    const kinds = Object.fromEntries([...registeredFunctions().values()].map((f) => [f.name, f.kind]));
    expect(kinds).toMatchObject({
      [contract.functions.eventGrid]: 'eventGrid',
      [contract.functions.sweep]: 'timer',
      [contract.functions.orchestrator]: 'orchestration',
      [contract.functions.statusList]: 'http',
      [contract.functions.statusVault]: 'http',
    });
  });
});

describe('local settings and docs', () => {
  const sample = JSON.parse(readFileSync(join(root, 'local.settings.sample.json'), 'utf8')) as { Values: Record<string, string>; _explained: Record<string, string> };
  const doc = readFileSync(join(root, 'docs', 'run-locally.md'), 'utf8');
  const appSettings = Object.keys(contract.appSettings).filter((k) => !k.startsWith('$'));

  it('local.settings.sample.json sets every app setting the code reads, and explains each value', () => {
    expect(Object.keys(sample.Values)).toEqual(expect.arrayContaining(appSettings));
    expect(Object.keys(sample._explained).sort()).toEqual(Object.keys(sample.Values).sort());
  });

  it('docs/run-locally.md names every app setting and every function', () => {
    for (const name of [...appSettings, ...Object.values(contract.functions).filter((v) => !v.includes(' '))]) expect(doc).toContain(name);
  });

  it('host.json names the Durable task hub and the extension bundle the v4 model needs', () => {
    const host = JSON.parse(readFileSync(join(root, 'host.json'), 'utf8')) as { version: string; extensionBundle: { id: string }; extensions: { durableTask: { hubName: string } } };
    expect(host.version).toBe('2.0');
    expect(host.extensionBundle.id).toBe('Microsoft.Azure.Functions.ExtensionBundle');
    expect(host.extensions.durableTask.hubName).toMatch(/^[A-Za-z][A-Za-z0-9]{2,49}$/);
  });
});
