/**
 * GET /api/dashboard rendered by the registered handler, served over 127.0.0.1 with the handler's
 * own headers (its Content-Security-Policy included), and read in a real headless Chromium
 * (Debian's `chromium`, driven by playwright-core) the way a person or a screen reader would.
 * The screenshot lands in test-output/dashboard/ (gitignored).
 */
import { HttpRequest, InvocationContext, type HttpResponseInit } from '@azure/functions';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { DASHBOARD_FUNCTION, renderDashboard } from '../../functions/dashboard';
import { setDurableClientFactory } from '../../functions/durable-client';
import { getRegisteredFunction } from '../../functions/registry';
import { VAULT_ORCHESTRATOR } from '../../functions/signal';
import { buildChecklist } from '../../shared/domain/checklist';
import '../../functions/workflows';
import { SUB, vaultId } from './fake-reconciler';
import { RecordingDurableClient } from './recording-client';

const CHROMIUM = '/usr/bin/chromium';
const OUTPUT = join(__dirname, '..', '..', 'test-output', 'dashboard');

function statusOf(name: string, converged: boolean) {
  return {
    vaultId: vaultId(name),
    mode: 'enforce',
    state: converged ? 'converged' : 'pending',
    converged,
    summary: converged ? 'converged' : '1 pending: dns-links',
    lastPassAt: '2026-11-29T10:00:00.000Z',
    observedAt: '2026-11-29T10:00:01.000Z',
    checklist: buildChecklist({
      eligible: { status: 'ok', detail: 'no item was protected before private endpoints' },
      identity: { status: 'ok', detail: 'system-assigned identity on' },
      roles: { status: 'ok', detail: 'the identity holds all 2 role assignment(s)' },
      approval: { status: 'ok', detail: 'no pending connection' },
      'dns-zones': { status: 'ok', detail: 'the three zones exist' },
      'dns-links': { status: converged ? 'ok' : 'pending', detail: converged ? '1 VNet linked' : 'vnet-spoke <b>not</b> linked yet' },
      'dns-records': { status: 'ok', detail: '8 record(s) in place' },
      'secondary-records': { status: 'not-applicable', detail: 'v2 vault' },
    }),
    findings: converged ? [] : [{ code: 'subnet-network-policies', severity: 'warning', resourceId: `/subscriptions/${SUB}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-spoke/subnets/pe`, message: 'subnet network policies are enabled' }],
    lastPlan: { actions: [{ key: 'link:vnet', kind: 'link-vnet', summary: 'link vnet-spoke to privatelink.blob.core.windows.net', stage: 0, status: 'failed', message: 'AuthorizationFailed' }], omitted: 0 },
    nextPassAt: '2026-11-29T10:05:00.000Z',
    triggeredBy: { reason: 'sweep', correlationId: 'sweep:1' },
  };
}

describe('dashboard', () => {
  let client: RecordingDurableClient;
  let restore: () => void;
  beforeEach(() => {
    client = new RecordingDurableClient();
    restore = setDurableClientFactory(() => client);
    for (const [name, converged] of [['rsv-b', false], ['rsv-a', true]] as const) {
      const id = `vault:${SUB}:rg-backup:${name}`;
      client.instances.set(id, { name: VAULT_ORCHESTRATOR, instanceId: id, runtimeStatus: 'Running', customStatus: statusOf(name, converged) });
    }
    client.instances.set(`pe:${SUB}:rg-net:pe-1`, { name: 'vaultlinkPrivateEndpointRouter', instanceId: `pe:${SUB}:rg-net:pe-1`, runtimeStatus: 'Completed' });
  });
  afterEach(() => restore());

  const ctx = (): InvocationContext => new InvocationContext({ functionName: DASHBOARD_FUNCTION, invocationId: 'd1', logHandler: () => undefined });
  const get = async (): Promise<HttpResponseInit> => (await getRegisteredFunction(DASHBOARD_FUNCTION, 'http').handler(new HttpRequest({ method: 'GET', url: 'http://localhost/api/dashboard' }), ctx())) as HttpResponseInit;

  it('is a function-key GET on /api/dashboard', () => {
    expect(getRegisteredFunction(DASHBOARD_FUNCTION, 'http').declaration).toMatchObject({ options: { route: 'dashboard', authLevel: 'function', methods: ['GET'] } });
  });

  it('serves one self-contained page: no script, nothing fetched, a CSP that forbids both', async () => {
    const res = await get();
    const html = String(res.body);
    expect(res.status).toBe(200);
    expect((res.headers as Record<string, string>)['content-type']).toBe('text/html; charset=utf-8');
    expect((res.headers as Record<string, string>)['content-security-policy']).toContain("default-src 'none'");
    expect(html).not.toMatch(/<script|<link|src=|https?:\/\//i);
    // the routers are not vaults; values are escaped
    expect(html).not.toContain('pe-1');
    expect(html).toContain('vnet-spoke &lt;b&gt;not&lt;/b&gt; linked yet');
  });

  it('shows a configuration error as an alert', () => {
    const html = renderDashboard({ generatedAt: '2026-11-29T10:00:00.000Z', configuration: { ok: false, error: 'invalid app settings: VAULTLINK_CLOUD' }, vaults: [] });
    expect(html).toMatch(/<div role="alert"[^>]*>[\s\S]*VAULTLINK_CLOUD/);
  });

  const hasChromium = existsSync(CHROMIUM);
  if (!hasChromium && process.env.CI === 'true') {
    it('runs in Chromium (CI must have it)', () => {
      throw new Error(`${CHROMIUM} is missing: CI installs it (.ci/run: apt-get install -y chromium)`);
    });
  }
  if (!hasChromium && process.env.CI !== 'true') console.warn(`dashboard browser test skipped: ${CHROMIUM} is absent (sudo apt-get install -y chromium)`);
  (hasChromium ? describe : describe.skip)('in headless Chromium', () => {
    let browser: Browser;
    let server: Server;
    let url: string;
    let page: Page;
    const pageErrors: string[] = [];

    beforeAll(async () => {
      server = createServer((_req, res) => {
        get().then(
          (r) => {
            res.writeHead(r.status ?? 200, r.headers as Record<string, string>);
            res.end(String(r.body));
          },
          (e: unknown) => {
            res.writeHead(500);
            res.end(String(e));
          },
        );
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/dashboard`;
      browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--no-first-run'] });
    }, 60_000);
    afterAll(async () => {
      await browser?.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });
    beforeEach(async () => {
      page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      page.on('console', (m) => {
        if (m.type() === 'error') pageErrors.push(m.text());
      });
      page.on('pageerror', (e) => pageErrors.push(e.message));
      await page.goto(url);
    });
    afterEach(async () => page.close());

    it('lists every vault in a captioned table, sorted, with its state in words', async () => {
      await expect(page.title()).resolves.toBe('vaultlink status');
      const table = page.getByRole('table', { name: 'Every vault in scope' });
      const rows = table.getByRole('row');
      await expect(rows.count()).resolves.toBe(3);
      await expect(rows.nth(1).innerText()).resolves.toMatch(/^rsv-a\s+enforce\s+converged/);
      await expect(rows.nth(2).innerText()).resolves.toMatch(/^rsv-b\s+enforce\s+pending\s+1 pending: dns-links/);
    });

    it('gives each vault a section with its checklist, findings and last pass, reachable from the summary', async () => {
      await page.getByRole('link', { name: 'rsv-b' }).click();
      const section = page.getByRole('region', { name: 'rsv-b' });
      const checklist = section.getByRole('table', { name: 'Checklist of rsv-b' });
      // a header and the ten items (health included)
      await expect(checklist.getByRole('row').count()).resolves.toBe(10);
      await expect(checklist.getByRole('row', { name: /Every VNet hosting a PE/ }).innerText()).resolves.toMatch(/pending\s+vnet-spoke <b>not<\/b> linked yet/);
      await expect(section.getByRole('listitem').filter({ hasText: 'subnet network policies are enabled' }).count()).resolves.toBe(1);
      await expect(section.getByRole('heading', { name: 'Last pass' }).isVisible()).resolves.toBe(true);
      await expect(section.getByText('link vnet-spoke to privatelink.blob.core.windows.net: AuthorizationFailed').isVisible()).resolves.toBe(true);
      // the headings give the page its outline
      const outline = await page.getByRole('heading').allInnerTexts();
      expect(outline.slice(0, 3)).toEqual(['vaultlink status', 'Vaults', 'rsv-a']);
    });

    it('renders without errors and is saved as a screenshot', async () => {
      mkdirSync(OUTPUT, { recursive: true });
      const file = join(OUTPUT, 'dashboard.png');
      await page.screenshot({ path: file, fullPage: true });
      expect(existsSync(file)).toBe(true);
      expect(pageErrors).toEqual([]);
    });
  });
});
