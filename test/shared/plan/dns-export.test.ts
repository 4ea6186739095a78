// exportDns: the records an external DNS server must serve, from observed state.
import { exportDns } from '../../../shared/plan';
import { connectionFor, observed, primaryEndpoint, secondaryEndpoint, vault, vnetId } from './fixtures';

describe('plan: #exportDns', () => {
  const approved = primaryEndpoint('pe-spoke-a', { status: 'Approved' });
  const prot = secondaryEndpoint(approved, 'prot-blob', '10.0.1.40');
  const partitioned = { ...prot, endpoint: { ...prot.endpoint, customDnsConfigs: [{ fqdn: 'abcdeypod01prot120.z12.blob.storage.azure.net', ipAddresses: ['10.0.1.40'] }] } };

  it('exports approved endpoints and their secondaries, with the partitioned namespace as a forwarder', () => {
    const e = exportDns([observed({ vault: vault({ connections: [connectionFor(approved, 'Approved')] }), privateEndpoints: [approved, partitioned] })], { cloud: 'AzurePublicCloud', ttl: 10 });
    expect(e.zones.map((z) => [z.zone, z.records.map((r) => r.name)])).toEqual([
      ['privatelink.blob.core.windows.net', ['abcdeypod01prot120']],
      ['privatelink.uks.backup.windowsazure.com', ['1234567890123456789-ab-pod01-fab1', '1234567890123456789-ab-pod01-fc1']],
    ]);
    expect(e.hostsLines).toContain('10.0.1.40 abcdeypod01prot120.privatelink.blob.core.windows.net abcdeypod01prot120.z12.blob.storage.azure.net');
    expect(e.forwarders.map((f) => f.zone)).toEqual(['privatelink.uks.backup.windowsazure.com', 'privatelink.blob.core.windows.net', 'privatelink.queue.core.windows.net', 'blob.storage.azure.net']);
  });

  it('exports nothing for a pending or rejected endpoint', () => {
    const pending = primaryEndpoint('pe-spoke-a');
    const rejected = primaryEndpoint('pe-spoke-b', { firstIp: 30 });
    const e = exportDns([observed({ vault: vault({ connections: [connectionFor(pending, 'Pending'), connectionFor(rejected, 'Rejected')] }), privateEndpoints: [pending, rejected] })], { cloud: 'AzurePublicCloud', ttl: 10 });
    expect(e.zones).toEqual([]);
    expect(e.hostsLines).toEqual([]);
  });

  it('keeps one answer per name and lists the conflict when two approved endpoints list it with other addresses', () => {
    const other = primaryEndpoint('pe-spoke-b', { status: 'Approved', vnet: vnetId('vnet-b'), firstIp: 30 });
    const e = exportDns([observed({ vault: vault({ connections: [connectionFor(approved, 'Approved'), connectionFor(other, 'Approved')] }), privateEndpoints: [approved, other] })], { cloud: 'AzurePublicCloud', ttl: 10 });
    expect(e.zones[0]?.records.map((r) => r.addresses)).toEqual([['10.0.1.4'], ['10.0.1.5']]);
    expect(e.conflicts).toHaveLength(2);
  });
});
