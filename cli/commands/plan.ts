/**
 * `vaultlink plan`: observe every vault in scope and print what vaultlink would do (the plan),
 * the findings a person must act on and the checklist; writes nothing. `--apply` then applies
 * it in enforce mode, vault by vault, and prints the outcomes and the resulting checklist.
 */
import { summariseChecklist } from '../../shared/domain';
import type { ActionOutcome, VaultPlan } from '../../shared/plan/types';
import { ExitCode, RuntimeError, messageOf, type ExitCodeValue } from '../errors';
import { writeJson, type OutputFormat } from '../format';
import type { CliIO } from '../io';
import { actionableFindings, actionCount, renderChecklist, renderOutcomes, renderPlan } from '../render';
import { eachVault, policyForScan, vaultsToScan, type ConnectBackend, type ScanOptions } from './scan';

export interface PlanOptions extends ScanOptions {
  readonly output: OutputFormat;
  readonly apply: boolean;
}

interface AppliedVault {
  readonly vaultId: string;
  readonly outcomes: ActionOutcome[];
  readonly after: VaultPlan;
}

function needsAttention(plan: VaultPlan): boolean {
  return actionCount(plan) > 0 || !summariseChecklist(plan.checklist).converged || actionableFindings(plan.findings).length > 0;
}

/**
 * Exit 0: nothing to do and every vault converged without findings (after applying, with --apply);
 * 1: changes pending, a vault not converged, or findings; 2 bad options or policy; 3 Azure failed.
 */
export async function planCommand(io: CliIO, options: PlanOptions, connect: ConnectBackend): Promise<ExitCodeValue> {
  const policy = await policyForScan(io, options);
  const backend = await connect(io, policy, { ...options, enforce: options.apply });
  try {
    const vaultIds = await vaultsToScan(io, backend, options);
    const plans = await eachVault(io, vaultIds, (id) => wrap(`planning vault ${id}`, () => backend.planVault(id)));
    if (options.output === 'table') {
      if (plans.length === 0) io.stdout.write('no vaults in scope\n');
      for (const plan of plans) io.stdout.write(renderPlan(plan) + '\n');
    }
    if (!options.apply) {
      if (options.output === 'json') writeJson(io.stdout, { vaults: plans.map((plan) => ({ id: plan.vaultId, plan })) });
      return plans.some(needsAttention) ? ExitCode.notConverged : ExitCode.ok;
    }

    // reconcileVault runs as many passes as the plan needs (the identity's principal id exists only
    // after the identity is on) and reports the plan as it stands after its writes.
    const applied: AppliedVault[] = [];
    for (const plan of plans.filter((p) => actionCount(p) > 0)) {
      const report = await wrap(`applying the plan of vault ${plan.vaultId}`, () => backend.reconcileVault(plan.vaultId));
      applied.push({ vaultId: plan.vaultId, outcomes: [...report.outcomes], after: report.plan });
      if (options.output === 'table') {
        io.stdout.write(`applied to vault ${plan.vaultId}\n${renderOutcomes(report.outcomes)}  checklist now: ${summariseChecklist(report.plan.checklist).text}\n${renderChecklist(report.plan.checklist, '    ')}\n`);
      }
    }
    const finalPlans = plans.map((p) => applied.find((a) => a.vaultId === p.vaultId)?.after ?? p);
    if (options.output === 'json') {
      writeJson(io.stdout, { vaults: plans.map((plan) => ({ id: plan.vaultId, plan, applied: applied.find((a) => a.vaultId === plan.vaultId)?.outcomes ?? [], after: finalPlans.find((p) => p.vaultId === plan.vaultId) })) });
    }
    const failed = applied.some((a) => a.outcomes.some((o) => o.status === 'failed'));
    return failed || finalPlans.some(needsAttention) ? ExitCode.notConverged : ExitCode.ok;
  } finally {
    await backend.close();
  }
}

/** Azure failures become exit 3 with what was being done; the cause stays for --verbose. */
export async function wrap<T>(doing: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    throw new RuntimeError(`${doing}: ${messageOf(e)}`, { cause: e });
  }
}
