// The approver portal in a real browser: Debian's chromium driven by playwright-core, against the
// local server (`idgov api serve`'s startApiServer with the portal) over a campaign the real
// controller drove to RUNNING on the test engine. Shared by the test/browser portal suites.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { DynamoApprovalStore } from '../../lambdas/shared/adapters/dynamo/dynamo-approval-store.js';
import type { DirectoryFile } from '../../lambdas/shared/domain/schemas.js';
import type { Log } from '../../lambdas/shared/use-cases/ports.js';
import { startApiServer, type ApiServer } from '../../src/local/api-server.js';
import { createHarness, type Harness } from './controller-harness.js';
import type { TestEngine } from './engine.js';
import { day, entryOf, T0 } from './small-org.js';

export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);

/** Where the suites save their screenshots (README shows them). */
export const SCREENSHOT_DIR = join(import.meta.dirname, '..', '..', 'docs', 'screenshots');

/** The flags this machine's closed network needs (no background connections, no first-run work). */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 390, height: 844 };

/** A fresh context (no cookies) at a size and time zone; the local portal's CSP is strict, and axe needs `bypassCSP`. */
export function newContext(browser: Browser, options: { viewport?: { width: number; height: number }; timezoneId?: string; bypassCSP?: boolean } = {}): Promise<BrowserContext> {
  return browser.newContext({
    viewport: options.viewport ?? DESKTOP,
    timezoneId: options.timezoneId ?? 'Europe/Berlin',
    locale: 'en-GB',
    bypassCSP: options.bypassCSP ?? false,
  });
}

const AXE_SOURCE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** axe-core's WCAG 2.x A/AA rules over the page as it is; serious and critical violations only. */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  await page.addScriptTag({ path: AXE_SOURCE });
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run((globalThis as unknown as { document: unknown }).document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

export async function saveScreenshot(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: false });
}

/** Requests the page made to anywhere but the server under test. */
export function recordForeignRequests(page: Page, origin: string): string[] {
  const foreign: string[] = [];
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(origin) && !url.startsWith('data:')) foreign.push(url);
  });
  return foreign;
}

const quietLog: Log = { info() {}, warn() {}, error() {} };

const person = (id: string, displayName: string, department: string, managerId?: string, riskLevel: 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL' = 'HIGH') => ({
  id,
  displayName,
  email: `${id}@example.com`,
  department,
  status: 'ACTIVE' as const,
  riskLevel,
  ...(managerId ? { managerId } : {}),
});

/** Privileges the bulk reviewer's report holds: enough to need filters and select-all. */
export const BULK_PRIVILEGE_COUNT = 50;

/**
 * Finance: Finn (mgr-fin) manages Ann, Bob and Bea (5, 3 and 50 assignments); Olivia (owner) owns the
 * campaign and approves nothing; Otto (outsider) is neither. Carol (mgr-ops) is who entries are
 * reassigned to.
 */
export function portalOrg(): DirectoryFile {
  const privileges = [
    { id: 'p-ledger', name: 'Ledger admin', ownerIds: ['mgr-ops'], riskLevel: 'CRITICAL' as const },
    { id: 'p-payroll', name: 'Payroll approver', ownerIds: ['mgr-ops'], riskLevel: 'HIGH' as const },
    { id: 'p-bank', name: 'Bank portal', ownerIds: ['mgr-ops'], riskLevel: 'HIGH' as const },
    { id: 'p-wiki', name: 'Team wiki', ownerIds: ['mgr-ops'], riskLevel: 'LOW' as const },
    { id: 'p-crm', name: 'CRM reader', ownerIds: ['mgr-ops'], riskLevel: 'MEDIUM' as const },
  ];
  const bulk = Array.from({ length: BULK_PRIVILEGE_COUNT }, (_, i) => ({
    id: `p-app-${String(i + 1).padStart(2, '0')}`,
    name: `App ${String(i + 1).padStart(2, '0')}`,
    ownerIds: ['mgr-ops'],
    riskLevel: (['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const)[i % 4],
  }));
  const granted = { grantedAt: '2025-02-03T09:00:00.000Z' };
  return {
    users: [
      person('cfo', 'Chris Chief', 'Finance', undefined, 'LOW'),
      person('mgr-fin', 'Finn Manager', 'Finance', 'cfo', 'LOW'),
      person('mgr-ops', 'Carol Ops', 'Operations', 'cfo', 'LOW'),
      person('owner', 'Olivia Owner', 'Compliance', 'cfo', 'LOW'),
      person('outsider', 'Otto Outsider', 'Sales', 'cfo', 'LOW'),
      person('ann', 'Ann Analyst', 'Finance', 'mgr-fin', 'HIGH'),
      person('bob', 'Bob Booker', 'Finance', 'mgr-fin', 'CRITICAL'),
      person('bea', 'Bea Bulk', 'Finance', 'mgr-fin', 'HIGH'),
    ],
    privileges: [...privileges, ...bulk],
    assignments: [
      ...privileges.map((p) => ({ userId: 'ann', privilegeId: p.id, origin: 'MANUAL' as const, ...granted })),
      { userId: 'bob', privilegeId: 'p-ledger', origin: 'MANUAL' as const, endDate: '2027-03-31T00:00:00.000Z', parameters: { entity: 'DE01' }, ...granted },
      { userId: 'bob', privilegeId: 'p-bank', origin: 'MANUAL' as const, ...granted },
      { userId: 'bob', privilegeId: 'p-wiki', origin: 'RULE' as const },
      ...bulk.map((p) => ({ userId: 'bea', privilegeId: p.id, origin: 'MANUAL' as const, ...granted })),
    ],
  };
}

export const PORTAL_CAMPAIGN_ID = 'c-portal';

export const portalCampaign = () => ({
  name: 'Finance access review',
  description: 'Quarterly review of Finance staff with high-risk access',
  kind: 'USER',
  ownerId: 'owner',
  startDate: T0.slice(0, 10),
  approvalPeriodDays: 14,
  statusExpirationDate: '2026-09-01',
  subjects: { filter: '(&(department=Finance)(riskLevel>=HIGH))' },
  reminders: { daysBeforeDue: 3, intervalHours: 24 },
  revocation: { rejected: 'REMOVE', modified: 'KEEP', uncertified: 'REMOVE' },
});

export interface PortalWorld {
  url: string;
  h: Harness;
  server: ApiServer;
  /** The server's clock: every request is answered as of `clock.at`. */
  clock: { at: string; now(): Date };
  entryOf(subjectId: string): string;
  close(): Promise<void>;
}

/** The portal world on fresh tables: the campaign RUNNING, answered as of day 2. */
export async function startPortalWorld(engine: TestEngine): Promise<PortalWorld> {
  const { doc, names } = await engine.freshTables();
  const h = createHarness(doc, names);
  await h.load(portalOrg());
  await h.create(portalCampaign(), T0, PORTAL_CAMPAIGN_ID);
  await h.run(day(0, 1));
  const clock = { at: day(2, 9), now: () => new Date(clock.at) };
  const server = await startApiServer({
    deps: {
      campaigns: h.campaigns,
      directory: h.directory,
      approvals: new DynamoApprovalStore({ doc, tableName: names.campaign }),
      outbox: h.outbox,
      audit: h.audit,
      portalUrl: 'http://127.0.0.1',
      log: quietLog,
    },
    portal: true,
    clock,
  });
  return {
    url: server.url,
    h,
    server,
    clock,
    entryOf: (subjectId) => entryOf(PORTAL_CAMPAIGN_ID, subjectId),
    close: () => server.close(),
  };
}
