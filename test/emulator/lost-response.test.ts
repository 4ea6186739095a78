/** The `lose-response` fault: the write is applied (and counted), its answer never arrives. */
import { PrivateDnsManagementClient } from '@azure/arm-privatedns';
import { FAST_POLLING, noRetrySdkClient, startTestEmulator, type Emulator } from './helpers';

describe('faults: lose-response (emulator)', () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startTestEmulator();
    emu.control.createResourceGroup(emu.subscriptionId, 'rg-dns', 'uksouth');
  });
  afterAll(() => emu.close());

  it('applies the write, counts it, and drops the connection before the answer', async () => {
    const dns = noRetrySdkClient(emu, PrivateDnsManagementClient);
    await dns.privateZones.beginCreateOrUpdateAndWait('rg-dns', 'privatelink.blob.core.windows.net', { location: 'global' }, FAST_POLLING);
    const rule = emu.faults.add({ match: { method: 'PUT', path: '*/A/*' }, fault: { kind: 'lose-response' }, times: 1 });
    const before = emu.writes.count(emu.ownerPrincipalId);
    const answer = await dns.recordSets.createOrUpdate('rg-dns', 'privatelink.blob.core.windows.net', 'A', 'rec1', { ttl: 10, aRecords: [{ ipv4Address: '10.0.0.4' }] }).then(
      () => 'answered',
      (e: unknown) => (e as { code?: string }).code ?? 'failed',
    );
    emu.faults.remove(rule);
    expect(answer).not.toBe('answered');
    expect(emu.writes.count(emu.ownerPrincipalId)).toBe(before + 1);
    const record = await dns.recordSets.get('rg-dns', 'privatelink.blob.core.windows.net', 'A', 'rec1');
    expect(record.aRecords).toEqual([{ ipv4Address: '10.0.0.4' }]);
  });
});
