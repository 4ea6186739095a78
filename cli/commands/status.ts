/**
 * `vaultlink status`: the checklist of every vault in scope, computed by observe + plan, writing
 * nothing (so it answers the same whether the Functions app runs or not).
 */
import { summariseChecklist, type Finding } from '../../shared/domain';
import { ExitCode, type ExitCodeValue } from '../errors';
import { formatTable, writeJson, type OutputFormat } from '../format';
import type { CliIO } from '../io';
import { checklistStatuses, renderChecklist, renderFindings } from '../render';
import { wrap } from './plan';
import { eachVault, policyForScan, vaultsToScan, type ConnectBackend, type ScanOptions } from './scan';

export interface StatusOptions extends ScanOptions {
  readonly output: OutputFormat;
}

/** One vault in `status --output json` (and in `simulate --output json`). */
export interface VaultStatusJson {
  readonly id: string;
  readonly checklist: Record<string, string>;
  readonly findings: readonly Finding[];
}

/** Exit 0 every vault converged; 1 some vault not converged; 2 bad options or policy; 3 Azure failed. */
export async function statusCommand(io: CliIO, options: StatusOptions, connect: ConnectBackend): Promise<ExitCodeValue> {
  const policy = await policyForScan(io, options);
  const backend = await connect(io, policy, { ...options, enforce: false });
  try {
    const vaultIds = await vaultsToScan(io, backend, options);
    const plans = await eachVault(io, vaultIds, (id) => wrap(`reading vault ${id}`, () => backend.planVault(id)));
    const converged = plans.every((p) => summariseChecklist(p.checklist).converged);
    if (options.output === 'json') {
      const vaults: VaultStatusJson[] = plans.map((p) => ({ id: p.vaultId, checklist: checklistStatuses(p.checklist), findings: p.findings }));
      writeJson(io.stdout, { converged, vaults });
    } else if (options.vault.length === 1 && plans[0]) {
      const p = plans[0];
      io.stdout.write(`vault ${p.vaultId}: ${summariseChecklist(p.checklist).text}\n${renderChecklist(p.checklist)}findings:\n${renderFindings(p.findings)}`);
    } else {
      if (plans.length === 0) io.stdout.write('no vaults in scope\n');
      else io.stdout.write(formatTable(['VAULT', 'CHECKLIST', 'FINDINGS'], plans.map((p) => [p.vaultId, summariseChecklist(p.checklist).text, String(p.findings.length)])));
    }
    return converged ? ExitCode.ok : ExitCode.notConverged;
  } finally {
    await backend.close();
  }
}
