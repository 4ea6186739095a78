import { HttpRequest, InvocationContext } from '@azure/functions';
import { setDurableClientFactory } from '../../functions/durable-client';
import { getRegisteredFunction } from '../../functions/registry';
import { VAULT_ORCHESTRATOR } from '../../functions/signal';
import { STATUS_LIST_FUNCTION, STATUS_VAULT_FUNCTION } from '../../functions/status-http';
import '../../functions/workflows';
import { RecordingDurableClient } from './recording-client';
import { SUB, vaultId } from './fake-reconciler';

const ctx = (): InvocationContext => new InvocationContext({ functionName: 'status', invocationId: 'i', logHandler: () => undefined });

function statusOf(name: string, state: string, converged: boolean) {
  return { vaultId: vaultId(name), mode: 'enforce', state, converged, summary: converged ? 'converged' : '1 pending: dns-zones', lastPassAt: '2026-11-29T10:00:00.000Z', checklist: [{ key: 'eligible', status: 'ok', detail: '' }], findings: [], lastPlan: { actions: [], omitted: 0 } };
}

describe('status-http', () => {
  let client: RecordingDurableClient;
  let restore: () => void;
  beforeEach(() => {
    client = new RecordingDurableClient();
    restore = setDurableClientFactory(() => client);
    client.instances.set(`vault:${SUB}:rg-backup:rsv-b`, { name: VAULT_ORCHESTRATOR, instanceId: `vault:${SUB}:rg-backup:rsv-b`, runtimeStatus: 'Running', customStatus: statusOf('rsv-b', 'pending', false) });
    client.instances.set(`vault:${SUB}:rg-backup:rsv-a`, { name: VAULT_ORCHESTRATOR, instanceId: `vault:${SUB}:rg-backup:rsv-a`, runtimeStatus: 'Running', customStatus: statusOf('rsv-a', 'converged', true) });
    client.instances.set(`pe:${SUB}:rg-net:pe-1`, { name: 'vaultlinkPrivateEndpointRouter', instanceId: `pe:${SUB}:rg-net:pe-1`, runtimeStatus: 'Completed' });
    // started, no pass finished yet: known from its input
    client.instances.set(`vault:${SUB}:rg-backup:rsv-c`, { name: VAULT_ORCHESTRATOR, instanceId: `vault:${SUB}:rg-backup:rsv-c`, runtimeStatus: 'Pending', input: { vaultId: vaultId('rsv-c') } });
  });
  afterEach(() => restore());

  describe('#listVaultStatuses', () => {
    it('lists every vault orchestration (not the routers), sorted, with its summary', async () => {
      const res = await getRegisteredFunction(STATUS_LIST_FUNCTION, 'http').handler(new HttpRequest({ method: 'GET', url: 'http://localhost/api/vaults' }), ctx());
      expect(res.status).toBe(200);
      const rows = (res.jsonBody as { vaults: { vaultId: string; converged: boolean; summary: string; runtimeStatus: string }[] }).vaults;
      expect(rows.map((r) => [r.vaultId.split('/').pop(), r.converged, r.summary, r.runtimeStatus])).toEqual([
        ['rsv-a', true, 'converged', 'Running'],
        ['rsv-b', false, '1 pending: dns-zones', 'Running'],
        ['rsv-c', false, 'no pass finished yet', 'Pending'],
      ]);
    });
  });

  describe('#getVaultStatus', () => {
    const get = (sub: string, rg: string, name: string) =>
      getRegisteredFunction(STATUS_VAULT_FUNCTION, 'http').handler(new HttpRequest({ method: 'GET', url: `http://localhost/api/vaults/${sub}/${rg}/${name}`, params: { subscriptionId: sub, resourceGroup: rg, vaultName: name } }), ctx());

    it('answers the full status of a known vault, whatever the casing of the path', async () => {
      const res = await get(SUB, 'RG-Backup', 'RSV-B');
      expect(res.status).toBe(200);
      const body = res.jsonBody as { status: { state: string; checklist: unknown[] }; runtimeStatus: string };
      expect(body.runtimeStatus).toBe('Running');
      expect(body.status.state).toBe('pending');
      expect(body.status.checklist).toHaveLength(1);
    });

    it('answers 404 with a JSON error for an unknown vault', async () => {
      const res = await get(SUB, 'rg-backup', 'rsv-unknown');
      expect(res.status).toBe(404);
      expect(res.jsonBody).toMatchObject({ error: { code: 'VaultNotKnown' } });
    });

    it('answers 400 for a path that names no valid vault', async () => {
      const res = await get(SUB, 'rg-backup', '..');
      expect(res.status).toBe(400);
      expect(res.jsonBody).toMatchObject({ error: { code: 'InvalidVaultId' } });
    });
  });
});
