/**
 * `vaultlink dns export`: what a custom DNS server must serve for the vaults in scope — a zone
 * file per zone, hosts-file lines, and the conditional forwarders for the three namespaces
 * (placement `custom`, or a resolver vaultlink does not write). Observes, writes nothing.
 */
import { exportDns, type DnsExport } from '../../shared/plan';
import { ExitCode, type ExitCodeValue } from '../errors';
import { writeJson, type OutputFormat } from '../format';
import type { CliIO } from '../io';
import { wrap } from './plan';
import { eachVault, policyForScan, vaultsToScan, type ConnectBackend, type ScanOptions } from './scan';

export type DnsExportFormat = 'all' | 'zone-file' | 'hosts' | 'forwarders';
export const DNS_EXPORT_FORMATS: readonly DnsExportFormat[] = ['all', 'zone-file', 'hosts', 'forwarders'];

export interface DnsExportCommandOptions extends ScanOptions {
  readonly output: OutputFormat;
  /** With table output: which part to print (all by default). */
  readonly format: DnsExportFormat;
}

/** The export as text: zone files, hosts lines and forwarders, each a section a person can paste. */
export function renderDnsExport(e: DnsExport, format: DnsExportFormat): string {
  const out: string[] = [];
  if (format === 'all' || format === 'zone-file') {
    for (const z of e.zoneFiles) out.push(...(format === 'all' ? [`; zone file for ${z.zone}`] : []), ...z.lines, '');
    if (e.zoneFiles.length === 0 && format === 'zone-file') out.push('; no approved private endpoint: no record to serve', '');
  }
  if (format === 'all' || format === 'hosts') {
    if (format === 'all') out.push('# hosts file');
    out.push(...(e.hostsLines.length > 0 ? e.hostsLines : ['# no approved private endpoint: no name to serve']), '');
  }
  if (format === 'all' || format === 'forwarders') {
    if (format === 'all') out.push('; conditional forwarders (instead of hosting the zones)');
    out.push(...e.forwarders.map((f) => `${f.zone} ${f.forwarder}`), '');
  }
  if (format === 'all') {
    for (const c of e.conflicts) out.push(`; conflict: ${c}`);
    for (const u of e.unnamed) out.push(`; not exported: ${u.vaultId}: ${u.reason}`);
  }
  return out.join('\n').replace(/\n+$/, '\n');
}

/** Exit 0 (something to serve, or nothing yet); 1 when a vault's zones cannot be named; 2 bad options or policy; 3 Azure failed. */
export async function dnsExportCommand(io: CliIO, options: DnsExportCommandOptions, connect: ConnectBackend): Promise<ExitCodeValue> {
  const policy = await policyForScan(io, options);
  const backend = await connect(io, policy, { ...options, enforce: false });
  try {
    const vaultIds = await vaultsToScan(io, backend, options);
    const observed = await eachVault(io, vaultIds, (id) => wrap(`reading vault ${id}`, () => backend.observeVault(id)));
    const e = exportDns(observed, { cloud: backend.cloud, geoCodes: backend.policy.geoCodes, ttl: backend.policy.dns.ttl });
    if (options.output === 'json') writeJson(io.stdout, e);
    else io.stdout.write(renderDnsExport(e, options.format));
    return e.unnamed.length > 0 ? ExitCode.notConverged : ExitCode.ok;
  } finally {
    await backend.close();
  }
}
