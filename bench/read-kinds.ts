/** What an ARM read was for, from its path: the benchmarks count vaultlink's reads by kind. */

/**
 * Items per page of the emulator's lists in a benchmark: ARM's (record sets, PEs, role
 * assignments: 100), so that a list counts the reads it costs in Azure, not one per page of the
 * emulator's default 2 (which exists to make every test cross pages).
 */
export const ARM_PAGE_SIZE = 100;

/** The kind of an ARM read, from its path (what vaultlink asked for). */
export function readKind(path: string): string {
  const p = path.split('?')[0]?.toLowerCase() ?? '';
  if (/\/(operations|operationstatuses|operationresults|backupoperations|asyncoperations|emulatoroperations|operationsstatus)\//.test(p)) return 'poll';
  if (/\/providers\/microsoft\.recoveryservices\/vaults$/.test(p)) return 'vault list';
  if (/\/backupusagesummaries$|\/usages$/.test(p)) return 'backup usage';
  if (/\/providers\/microsoft\.recoveryservices\/vaults\/[^/]+$/.test(p)) return 'vault';
  if (/\/privatednszonegroups(\/[^/]+)?$/.test(p)) return 'PE zone groups';
  if (/\/privateendpoints$/.test(p)) return 'PE list';
  if (/\/privateendpoints\/[^/]+$/.test(p)) return 'PE';
  if (/\/subnets\/[^/]+$/.test(p)) return 'subnet';
  if (/\/virtualnetworklinks$/.test(p)) return 'zone link list';
  if (/\/privatednszones\/[^/]+\/a$/.test(p)) return 'record list';
  if (/\/privatednszones\/[^/]+\/(a|all)\/[^/]+$/.test(p)) return 'record';
  if (/\/privatednszones\/[^/]+$/.test(p)) return 'zone';
  if (/\/providers\/microsoft\.network\/privatednszones$/.test(p)) return 'zone list';
  if (/\/roleassignments$/.test(p)) return 'role assignment list';
  if (/^\/subscriptions\/[^/]+$/.test(p)) return 'subscription';
  return p.replace(/\/subscriptions\/[^/]+/, '/…').replace(/[0-9a-f-]{36}/g, '…');
}
