/** How plans, checklists and findings look on a terminal; shared by plan, status and simulate. */
import { CHECKLIST_ITEM_KEYS, summariseChecklist, type Checklist, type ChecklistStatus, type Finding } from '../shared/domain';
import type { ActionOutcome, PlannedAction, VaultPlan } from '../shared/plan/types';
import { formatTable } from './format';

const STATUS_MARK: Readonly<Record<ChecklistStatus, string>> = { ok: 'ok', pending: 'PENDING', failed: 'FAILED', 'not-applicable': 'n/a' };

/** `{item: status}` in checklist order: the JSON shape of `simulate --output json` and `status --output json`. */
export function checklistStatuses(checklist: Checklist): Record<string, ChecklistStatus> {
  const byKey = new Map(checklist.map((i) => [i.key, i.status]));
  return Object.fromEntries(CHECKLIST_ITEM_KEYS.map((k) => [k, byKey.get(k) ?? 'pending']));
}

export function renderChecklist(checklist: Checklist, indent = '  '): string {
  const rows = checklist.map((i) => [STATUS_MARK[i.status], i.key, i.detail]);
  return formatTable(['STATUS', 'ITEM', 'DETAIL'], rows)
    .split('\n')
    .map((l) => (l ? indent + l : l))
    .join('\n');
}

export function renderFindings(findings: readonly Finding[], indent = '  '): string {
  if (findings.length === 0) return `${indent}no findings\n`;
  return findings.map((f) => `${indent}${f.severity.toUpperCase()} ${f.code}: ${f.message}\n${indent}  on ${f.resourceId}\n`).join('');
}

export function actionCount(plan: VaultPlan): number {
  return plan.actions.length;
}

/**
 * The plan as a numbered list in graph order. `[needs 2, 3]` names the actions (by number) an
 * action waits for; actions that need nothing in common run side by side. An action that follows
 * from the identity step is marked: it is shown so that the whole plan can be read, and written in
 * the pass after the identity is on.
 */
export function renderActions(plan: VaultPlan, indent = '  '): string {
  if (actionCount(plan) === 0) return `${indent}no changes\n`;
  const number = new Map(plan.actions.map((a, i) => [a.key, i + 1]));
  return (
    plan.actions
      .map((a: PlannedAction, i) => {
        const needs = a.needs.map((k) => number.get(k)).filter((n): n is number => n !== undefined);
        const after = needs.length > 0 ? ` [needs ${needs.join(', ')}]` : '';
        const follows = a.followsFrom !== undefined ? ` (follows from the identity step ${number.get(a.followsFrom) ?? a.followsFrom}: written in the pass after it)` : '';
        return `${indent}${String(i + 1).padStart(2)}. ${a.kind.padEnd(18)} ${a.summary}${after}${follows}`;
      })
      .join('\n') + '\n'
  );
}

export function renderOutcomes(outcomes: readonly ActionOutcome[], indent = '  '): string {
  if (outcomes.length === 0) return `${indent}nothing applied\n`;
  return outcomes.map((o) => `${indent}${o.status.padEnd(12)} ${o.kind.padEnd(18)} ${o.message}`).join('\n') + '\n';
}

export function renderPlan(plan: VaultPlan): string {
  const summary = summariseChecklist(plan.checklist);
  return [
    `vault ${plan.vaultId}`,
    `  mode ${plan.mode}; checklist: ${summary.text}`,
    '  plan:',
    renderActions(plan, '    ').trimEnd(),
    // Later steps need what this pass makes (the identity's principal id): say so, or the plan looks complete.
    ...(plan.requeue ? ['    then another pass right away: the steps that need the identity\'s principal id (roles, then approvals and DNS)'] : []),
    '  findings:',
    renderFindings(plan.findings, '    ').trimEnd(),
    '  checklist:',
    renderChecklist(plan.checklist, '    ').trimEnd(),
    '',
  ].join('\n');
}

/** Findings a person must act on (warnings and errors; info findings are reported, not counted). */
export function actionableFindings(findings: readonly Finding[]): Finding[] {
  return findings.filter((f) => f.severity !== 'info');
}
