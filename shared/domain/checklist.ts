/**
 * The per-vault checklist of DESIGN.md ("what converged means"), as a fixed, ordered list of
 * items. The planner fills it; status endpoints and the CLI show it.
 */

/** Item keys in the order of the procedure. */
export const CHECKLIST_ITEM_KEYS = [
  'eligible', // 1. no item protected before PEs existed
  'identity', // 2. v1: system-assigned identity on
  'roles', // 3. v1: identity holds the role profile
  'approval', // 4. pending connections decided per allowlist
  'dns-zones', // 5a. the three zones exist
  'dns-links', // 5b. every PE VNet (and resolver VNet) linked to all three
  'dns-records', // 5c. A records for every FQDN of the vault's PEs
  'secondary-records', // 6. v1: records of the _ecs/_prot PEs as they appear
  'health', // findings: no `error` finding stands (a person must act on each)
] as const;

export type ChecklistItemKey = (typeof CHECKLIST_ITEM_KEYS)[number];

/** What each item asks, for display. */
export const CHECKLIST_ITEM_TITLES: Readonly<Record<ChecklistItemKey, string>> = {
  eligible: 'Vault eligible (no item protected before private endpoints)',
  identity: 'System-assigned identity enabled (classic vaults)',
  roles: 'Vault identity holds the role profile (classic vaults)',
  approval: 'Private endpoint connections decided per allowlist',
  'dns-zones': 'Backup, blob and queue private DNS zones exist',
  'dns-links': 'Every VNet hosting a PE is linked to all three zones',
  'dns-records': 'A records for every FQDN of the vault\'s private endpoints',
  'secondary-records': 'A records for the _ecs/_prot private endpoints (classic vaults)',
  health: 'No error finding (tenant moved, identity changed, network policies, …) stands',
};

/** `ok`: done; `pending`: vaultlink will act or waits for Azure; `failed`: a person must act; `not-applicable`: does not apply to this vault. */
export type ChecklistStatus = 'ok' | 'pending' | 'failed' | 'not-applicable';

export interface ChecklistItem {
  readonly key: ChecklistItemKey;
  readonly status: ChecklistStatus;
  readonly detail: string;
}

export type Checklist = readonly ChecklistItem[];

export type ChecklistEntries = Partial<Record<ChecklistItemKey, { readonly status: ChecklistStatus; readonly detail: string }>>;

/**
 * The full checklist in the fixed order. Items the caller did not evaluate are `pending`
 * ("not evaluated"), never `ok`: an unchecked step is not a converged one.
 */
export function buildChecklist(entries: ChecklistEntries): ChecklistItem[] {
  return CHECKLIST_ITEM_KEYS.map((key) => {
    const e = entries[key];
    return e ? { key, status: e.status, detail: e.detail } : { key, status: 'pending', detail: 'not evaluated' };
  });
}

export interface ChecklistSummary {
  /** Every item is `ok` or `not-applicable`. */
  readonly converged: boolean;
  readonly counts: Readonly<Record<ChecklistStatus, number>>;
  /** Keys of items neither `ok` nor `not-applicable`, in checklist order. */
  readonly open: readonly ChecklistItemKey[];
  /** Keys of `failed` items. */
  readonly failed: readonly ChecklistItemKey[];
  /** One line: `converged` or `3 pending, 1 failed: roles, approval, …`. */
  readonly text: string;
}

/** Summarises a checklist. A checklist missing any of the fixed items is not converged. */
export function summariseChecklist(checklist: Checklist): ChecklistSummary {
  const counts: Record<ChecklistStatus, number> = { ok: 0, pending: 0, failed: 0, 'not-applicable': 0 };
  for (const item of checklist) counts[item.status]++;
  const present = new Set(checklist.map((i) => i.key));
  const missing = CHECKLIST_ITEM_KEYS.filter((k) => !present.has(k));
  const open = [...CHECKLIST_ITEM_KEYS.filter((k) => checklist.some((i) => i.key === k && i.status !== 'ok' && i.status !== 'not-applicable')), ...missing];
  const failed = CHECKLIST_ITEM_KEYS.filter((k) => checklist.some((i) => i.key === k && i.status === 'failed'));
  const converged = open.length === 0;
  const parts: string[] = [];
  if (counts.pending > 0) parts.push(`${counts.pending} pending`);
  if (counts.failed > 0) parts.push(`${counts.failed} failed`);
  if (missing.length > 0) parts.push(`${missing.length} missing`);
  const text = converged ? 'converged' : `${parts.join(', ')}: ${open.join(', ')}`;
  return { converged, counts, open, failed, text };
}
