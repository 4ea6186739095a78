/**
 * GET /api/dashboard (function key): the status API as one self-contained HTML page for people —
 * every vault in scope, its checklist, findings and last pass, from the same data as /api/vaults
 * ({@link collectVaultOverviews}). No scripts, no external resources (the CSP forbids both): the
 * page works wherever the function key does, and reads the same with a screen reader (landmarks,
 * captioned tables with header cells, status as words rather than colour alone).
 */
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { CHECKLIST_ITEM_TITLES, type ChecklistItem } from '../shared/domain/checklist';
import type { Finding } from '../shared/domain/findings';
import type { ConfigurationStatus } from './configuration';
import { currentTime } from './clock';
import { declareFunction } from './registry';
import { collectVaultOverviews, reportConfiguration, type VaultOverview } from './status-http';

export const DASHBOARD_FUNCTION = 'vaultlinkDashboard';

export interface DashboardData {
  readonly generatedAt: string;
  readonly configuration: ConfigurationStatus;
  readonly vaults: readonly VaultOverview[];
}

function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

const STATUS_WORDS: Record<string, string> = { ok: 'done', pending: 'pending', failed: 'needs a person', 'not-applicable': 'not applicable' };

function vaultName(vaultId: string): string {
  return vaultId.split('/').pop() ?? vaultId;
}

function anchorOf(index: number): string {
  return `vault-${index + 1}`;
}

function checklistTable(checklist: readonly ChecklistItem[], caption: string): string {
  if (checklist.length === 0) return '<p>No checklist yet: no pass has finished.</p>';
  const rows = checklist
    .map((item) => {
      const title = CHECKLIST_ITEM_TITLES[item.key] ?? item.key;
      return `<tr><th scope="row">${escapeHtml(title)}</th><td><span class="badge s-${escapeHtml(item.status)}">${escapeHtml(STATUS_WORDS[item.status] ?? item.status)}</span></td><td>${escapeHtml(item.detail)}</td></tr>`;
    })
    .join('');
  return `<table><caption>${escapeHtml(caption)}</caption><thead><tr><th scope="col">Step</th><th scope="col">Status</th><th scope="col">Detail</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function findingsList(findings: readonly Finding[]): string {
  if (findings.length === 0) return '<p>No findings.</p>';
  return `<ul class="findings">${findings
    .map((f) => `<li><strong class="sev-${escapeHtml(f.severity.toLowerCase())}">${escapeHtml(f.severity)}</strong> <code>${escapeHtml(f.code)}</code>: ${escapeHtml(f.message)} <span class="rid">(${escapeHtml(f.resourceId)})</span></li>`)
    .join('')}</ul>`;
}

function lastPass(o: VaultOverview): string {
  const s = o.status;
  if (s === undefined || s.lastPassAt === undefined) return '<p>No pass has finished yet.</p>';
  const actions = s.lastPlan.actions;
  const counts = new Map<string, number>();
  for (const a of actions) counts.set(a.status, (counts.get(a.status) ?? 0) + 1);
  const countText = actions.length === 0 ? 'no actions' : [...counts].map(([k, n]) => `${n} ${k}`).join(', ');
  const items = actions.map((a) => `<li><span class="badge a-${escapeHtml(a.status)}">${escapeHtml(a.status)}</span> ${escapeHtml(a.summary)}${a.status === 'failed' ? `: ${escapeHtml(a.message)}` : ''}</li>`).join('');
  return `<dl>
<dt>Started</dt><dd><time datetime="${escapeHtml(s.lastPassAt)}">${escapeHtml(s.lastPassAt)}</time></dd>
<dt>Triggered by</dt><dd>${escapeHtml(s.triggeredBy?.reason ?? 'unknown')}</dd>
<dt>Actions</dt><dd>${escapeHtml(countText)}${s.lastPlan.omitted > 0 ? ` (${s.lastPlan.omitted} more not kept)` : ''}</dd>
<dt>Next pass</dt><dd>${escapeHtml(s.nextPassAt ?? 'on the next signal')}</dd>
${s.error === undefined ? '' : `<dt>Error</dt><dd>${escapeHtml(s.error)}</dd>`}
</dl>${items === '' ? '' : `<ul class="actions">${items}</ul>`}`;
}

/** The page (pure: tests render it from data, the handler from the durable client). */
export function renderDashboard(data: DashboardData): string {
  const converged = data.vaults.filter((v) => v.entry.converged).length;
  const summaryRows = data.vaults
    .map(
      (v, i) =>
        `<tr><th scope="row"><a href="#${anchorOf(i)}">${escapeHtml(vaultName(v.entry.vaultId))}</a></th><td>${escapeHtml(v.entry.mode ?? 'unknown')}</td><td><span class="badge ${v.entry.converged ? 's-ok' : 's-pending'}">${v.entry.converged ? 'converged' : escapeHtml(v.entry.state ?? 'not yet')}</span></td><td>${escapeHtml(v.entry.summary)}</td><td>${escapeHtml(v.entry.lastPassAt ?? 'none yet')}</td></tr>`,
    )
    .join('');
  const sections = data.vaults
    .map((v, i) => {
      const id = anchorOf(i);
      return `<section aria-labelledby="${id}-h" class="vault">
<h2 id="${id}-h"><a id="${id}"></a>${escapeHtml(vaultName(v.entry.vaultId))}</h2>
<p class="rid">${escapeHtml(v.entry.vaultId)}</p>
<p>${escapeHtml(v.entry.summary)}${v.entry.passInProgress ? ' — a pass is in progress' : ''}</p>
<h3>Checklist</h3>
${checklistTable(v.status?.checklist ?? [], `Checklist of ${vaultName(v.entry.vaultId)}`)}
<h3>Findings</h3>
${findingsList(v.status?.findings ?? [])}
<h3>Last pass</h3>
${lastPass(v)}
</section>`;
    })
    .join('\n');
  const config = data.configuration.ok
    ? '<p class="ok-banner">Configuration: app settings and policy file are valid.</p>'
    : `<div role="alert" class="alert"><h2>Configuration error</h2><p>Every pass fails until this is fixed:</p><pre>${escapeHtml(data.configuration.error)}</pre></div>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>vaultlink status</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1b1b1b;background:#fff;line-height:1.45}
header,main{max-width:72rem;margin:0 auto;padding:0 1rem}
header{border-bottom:2px solid #0b5cad}
h1{font-size:1.6rem}h2{font-size:1.3rem;margin-top:2rem}h3{font-size:1.05rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}
caption{text-align:left;font-weight:600;padding:.25rem 0}
th,td{border:1px solid #8a8a8a;padding:.35rem .5rem;text-align:left;vertical-align:top}
thead th{background:#eef2f7}
.badge{display:inline-block;padding:0 .4rem;border-radius:.3rem;border:1px solid currentColor;font-weight:600;white-space:nowrap}
.s-ok,.a-applied,.a-already-done{color:#0a5a1f}
.s-pending,.a-skipped{color:#6b4b00}
.s-failed,.a-failed{color:#a4131b}
.s-not-applicable{color:#4a4a4a}
.rid{font-family:ui-monospace,monospace;font-size:.85rem;color:#3d3d3d;word-break:break-all}
.alert{border:2px solid #a4131b;padding:.5rem 1rem;background:#fff5f5}
.alert pre{white-space:pre-wrap}
.ok-banner{color:#0a5a1f}
.vault{border-top:1px solid #8a8a8a}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dt{font-weight:600}dd{margin:0}
a{color:#0b4f94}a:focus{outline:3px solid #0b5cad;outline-offset:2px}
</style>
</head>
<body>
<header><h1>vaultlink status</h1><p>Private endpoints for Azure Backup, per vault. Generated <time datetime="${escapeHtml(data.generatedAt)}">${escapeHtml(data.generatedAt)}</time>.</p></header>
<main>
${config}
<h2>Vaults</h2>
<p>${data.vaults.length} vault(s) known, ${converged} converged.</p>
${
  data.vaults.length === 0
    ? '<p>No vault orchestration yet: no event or sweep has reached a vault in scope.</p>'
    : `<table><caption>Every vault in scope</caption><thead><tr><th scope="col">Vault</th><th scope="col">Mode</th><th scope="col">State</th><th scope="col">Summary</th><th scope="col">Last pass</th></tr></thead><tbody>${summaryRows}</tbody></table>`
}
${sections}
</main>
</body>
</html>
`;
}

export async function dashboardHandler(_request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const [vaults, configuration] = await Promise.all([collectVaultOverviews(context), reportConfiguration(context)]);
  return {
    status: 200,
    body: renderDashboard({ generatedAt: currentTime().toISOString(), configuration, vaults }),
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      // self-contained: inline styles only, nothing fetched, nothing run
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
      'x-content-type-options': 'nosniff',
    },
  };
}

declareFunction({ kind: 'http', name: DASHBOARD_FUNCTION, options: { methods: ['GET'], authLevel: 'function', route: 'dashboard', extraInputs: [df.input.durableClient()], handler: dashboardHandler } });
