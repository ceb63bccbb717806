// The approver's review in a real browser (Debian's chromium, playwright-core) against the local
// server: Finn (mgr-fin) signs in, sees his tasks, decides items of Ann's entry and finds them saved
// after a reload, completes Bob's entry with the keyboard alone, and the views pass axe-core, keep
// still while loading, fit a phone and show times in the viewer's time zone.
import { gzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApprovalDetailView, EntryView, TaskListView } from '../../lambdas/approver-api/api-types.js';
import { DEFAULT_REAPPROVAL_CONFIG, DEFAULT_WORKFLOW } from '../../lambdas/shared/domain/approvals/model.js';
import { startApprovalRun } from '../../lambdas/shared/use-cases/approvals/approval-engine.js';
import { buildPortal } from '../../src/portal/build.js';
import { useEngine } from '../support/engine.js';
import { BULK_PRIVILEGE_COUNT, DESKTOP, hasChromium, launchChromium, PHONE, startPortalWorld, type PortalWorld } from '../support/portal.js';
import { day } from '../support/small-org.js';
import { apiAs, eventually, hasFocus, seriousAxeViolationsOf, status, Visitors } from './approver-support.js';

const engine = useEngine();

const row = (page: Page, privilegeName: string) => page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: new RegExp(`^${privilegeName}\\b`) }) });

/** The sum of the page's layout shifts not caused by input (the CLS of the visit so far). */
const CLS_OBSERVER = `
  window.__layoutShift = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.__layoutShift += entry.value;
  }).observe({ type: 'layout-shift', buffered: true });
`;

/** The budget for the initial load (index.html, script and stylesheet), compressed. */
const INITIAL_LOAD_BUDGET = 150 * 1024;

it('keeps the initial load within its budget, compressed', () => {
  const files = buildPortal();
  expect(files.map((f) => f.path.replace(/-[A-Z0-9]+\./, '-HASH.')).sort()).toEqual(['/assets/portal-HASH.css', '/assets/portal-HASH.js', '/index.html']);
  const compressed = files.reduce((n, f) => n + gzipSync(f.contents).byteLength, 0);
  expect(compressed).toBeLessThan(INITIAL_LOAD_BUDGET);
});

describe.skipIf(!hasChromium)('the approver portal: reviewing an entry', () => {
  let world: PortalWorld;
  let browser: Browser;
  const visitors = new Visitors(
    () => browser,
    () => world,
  );
  const signedIn = (userId: string, options: Parameters<Visitors['signedIn']>[2] = {}) => visitors.signedIn(userId, '/', options);

  beforeAll(async () => {
    [world, browser] = await Promise.all([startPortalWorld(engine), launchChromium()]);
  });
  afterAll(async () => {
    await visitors.close();
    await browser?.close();
    await world?.close();
    // Every request of every page of this file went to the local server, and the CSP refused nothing.
    expect(visitors.foreign).toEqual([]);
    expect(visitors.cspViolations).toEqual([]);
  });

  it('signs Finn in to his tasks: soonest due first, with counts, each a link named after the person under review', async () => {
    const page = await signedIn('mgr-fin');
    await eventually(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('My tasks');
    await eventually(() => page.getByRole('link', { name: /^Ann Analyst/ }).count()).toBe(1);
    expect(await page.getByRole('banner').textContent()).toContain('Finn Manager');
    expect(await page.getByRole('link', { name: 'My tasks' }).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(1);
    // Finn owns no campaign: no owner's view in his menu.
    expect(await page.getByRole('link', { name: 'My campaigns' }).count()).toBe(0);
    expect(await page.title()).toBe('My tasks · Access reviews');

    const names = await page.getByRole('list', { name: /Tasks/ }).getByRole('link').allTextContents();
    const { tasks } = await apiAs<TaskListView>(world, 'mgr-fin', '/tasks');
    expect(names).toEqual([...tasks].sort((a, b) => a.dueDate.localeCompare(b.dueDate)).map((t) => t.subjectName));
    expect(names.slice().sort()).toEqual(['Ann Analyst', 'Bea Bulk', 'Bob Booker']);
    const openItems = tasks.reduce((n, t) => n + (t.kind === 'CAMPAIGN' ? t.openItemCount : t.openItemIds.length), 0);
    expect(openItems).toBeGreaterThan(BULK_PRIVILEGE_COUNT);
    const counts = await page.locator('.counts').innerText();
    expect(counts).toMatch(/Open tasks\s+3\b/);
    expect(counts).toMatch(new RegExp(`Open items\\s+${openItems}\\b`));
    expect(counts).toMatch(/Overdue\s+0\b/);
    const bea = page.getByRole('listitem').filter({ has: page.getByRole('link', { name: /^Bea Bulk/ }) });
    expect(await bea.innerText()).toContain(`${BULK_PRIVILEGE_COUNT} of ${BULK_PRIVILEGE_COUNT} items open`);
    expect(await page.getByText('Overdue', { exact: true }).count()).toBe(1); // the count's label only: no task is overdue

    expect(await page.getByText('The link you followed').count()).toBe(0);
    // A mail's link names its approver; opened by someone else, the page says whose tasks it shows.
    await page.goto(`${world.url}/tasks?approver=mgr-ops`);
    await eventually(() => page.getByText('The link you followed lists the tasks of mgr-ops').count()).toBe(1);
    await eventually(() => page.getByRole('link', { name: /^Bea Bulk/ }).count()).toBe(1);

    await page.getByLabel('Filter tasks').fill('bea');
    await eventually(() => page.getByRole('list', { name: /Tasks/ }).getByRole('link').allTextContents()).toEqual(['Bea Bulk']);
    expect(await seriousAxeViolationsOf(page)).toEqual([]);
  });

  it('approves one item and rejects another with a comment; each is saved at once and still there after a reload', async () => {
    const page = await signedIn('mgr-fin');
    await page.getByRole('link', { name: /^Ann Analyst/ }).click();
    await eventually(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Ann Analyst');
    expect(page.url()).toBe(`${world.url}/entries/${encodeURIComponent(world.entryOf('ann'))}`);
    expect(await page.title()).toBe('Review of Ann Analyst · Access reviews');
    const subject = await page.getByRole('region', { name: 'Person under review' }).innerText();
    expect(subject).toContain('Finance');
    expect(subject).toContain('Finn Manager');
    expect(subject).toContain('High');
    expect(subject).toContain('ann@example.com');
    expect(await row(page, 'Ledger admin').innerText()).toMatch(/Critical[\s\S]*Manual/);

    await page.getByRole('button', { name: 'Approve Ledger admin' }).click();
    await eventually(() => status(page).textContent()).toBe('Saved: approved Ledger admin for Ann Analyst. 4 of 5 items left.');
    await page.getByRole('textbox', { name: 'Comment on Payroll approver' }).fill('Moved to Treasury in May');
    await page.getByRole('button', { name: 'Reject Payroll approver' }).click();
    await eventually(() => status(page).textContent()).toBe('Saved: rejected Payroll approver for Ann Analyst, with your comment. 3 of 5 items left.');

    await page.reload();
    await eventually(() => row(page, 'Ledger admin').locator('.decision').textContent()).toMatch(/^Approved by you/);
    expect(await row(page, 'Payroll approver').locator('.decision').textContent()).toMatch(/^Rejected by you.*Moved to Treasury in May/);
    expect(await row(page, 'Bank portal').locator('.decision').textContent()).toBe('Open');
    // The API holds the same: the page showed what was saved, not what it hoped.
    const entry = await apiAs<EntryView>(world, 'mgr-fin', `/entries/${encodeURIComponent(world.entryOf('ann'))}`);
    const decision = (name: string) => entry.items.find((i) => i.privilegeName === name)?.decision;
    expect(decision('Ledger admin')).toMatchObject({ outcome: 'APPROVE', decidedBy: 'mgr-fin' });
    expect(decision('Payroll approver')).toMatchObject({ outcome: 'REJECT', comment: 'Moved to Treasury in May' });
    expect(entry.openItemCount).toBe(3);
    expect(await seriousAxeViolationsOf(page)).toEqual([]);
    // And with the shortcuts' help open.
    expect(await seriousAxeViolationsOf(page, (copy) => copy.getByRole('button', { name: 'Keyboard shortcuts' }).click())).toEqual([]);
  });

  it("completes Bob's entry with the keyboard alone: shortcuts move, comment, approve and reject, and say what is left", async () => {
    const page = await signedIn('mgr-fin');
    await eventually(() => page.getByRole('link', { name: /^Bob Booker/ }).count()).toBe(1);
    // Tab from the top of the page to Bob's task, as a keyboard user would.
    for (let i = 0; i < 20 && (await focusedText(page)) !== 'Bob Booker'; i++) await page.keyboard.press('Tab');
    expect(await focusedText(page)).toBe('Bob Booker');
    await page.keyboard.press('Enter');
    await eventually(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Bob Booker');

    await page.keyboard.press('?');
    await eventually(() => page.getByRole('dialog', { name: 'Keyboard shortcuts' }).isVisible()).toBe(true);
    await page.keyboard.press('Escape');
    await eventually(() => page.getByRole('dialog').count()).toBe(0);

    // Bob's entry holds his two manually granted privileges, in this order.
    expect(await page.locator('tbody .privilege-name').allTextContents()).toEqual(['Bank portal', 'Ledger admin']);
    await page.keyboard.press('j');
    expect(await hasFocus(page.getByRole('checkbox', { name: 'Select Bank portal' }))).toBe(true);
    // The focus is visible: a solid outline of at least 2 px around the focused control.
    const outline = await page.getByRole('checkbox', { name: 'Select Bank portal' }).evaluate((e) => {
      const style = (globalThis as unknown as { getComputedStyle(e: unknown): { outlineStyle: string; outlineWidth: string } }).getComputedStyle(e);
      return { style: style.outlineStyle, width: parseFloat(style.outlineWidth) };
    });
    expect(outline.style).toBe('solid');
    expect(outline.width).toBeGreaterThanOrEqual(2);
    await page.keyboard.press('c');
    await eventually(() => hasFocus(page.getByRole('textbox', { name: 'Comment on Bank portal' }))).toBe(true);
    // Letters typed in a field are text, never shortcuts.
    await page.keyboard.type('Needed for the year-end close');
    await page.keyboard.press('Escape');
    expect(await hasFocus(page.getByRole('checkbox', { name: 'Select Bank portal' }))).toBe(true);
    await page.keyboard.press('a');
    await eventually(() => status(page).textContent()).toBe('Saved: approved Bank portal for Bob Booker, with your comment. 1 of 2 items left.');
    // The next open item takes focus.
    await eventually(() => hasFocus(page.getByRole('checkbox', { name: 'Select Ledger admin' }))).toBe(true);
    await page.keyboard.press('r');
    await eventually(() => status(page).textContent()).toBe('Saved: rejected Ledger admin for Bob Booker. No items left: the review of Bob Booker is complete.');

    // Every item decided: the entry is closed and read-only.
    await eventually(() => page.getByRole('button', { name: /^Approve/ }).count()).toBe(0);
    expect(await page.getByText('This review is closed').count()).toBe(1);
    const entry = await apiAs<EntryView>(world, 'mgr-fin', `/entries/${encodeURIComponent(world.entryOf('bob'))}`);
    expect(entry.state).not.toBe('RUNNING');
    expect(entry.items.map((i) => [i.privilegeName, i.decision?.outcome, i.decision?.comment])).toEqual([
      ['Bank portal', 'APPROVE', 'Needed for the year-end close'],
      ['Ledger admin', 'REJECT', undefined],
    ]);
  });

  it('serves a re-approval (an a- id) to the privilege owner: its one assignment, approved with a comment', async () => {
    const { h } = world;
    const deps = { campaigns: h.campaigns, directory: h.directory, approvals: h.approvals, outbox: h.outbox, audit: h.audit, portalUrl: world.url, log: { info() {}, warn() {}, error() {} } };
    const purpose = { kind: 'REAPPROVAL' as const, mode: 'CONTINUOUS' as const, dueAt: day(1), intervalDays: 90 };
    const run = await startApprovalRun(
      deps,
      { purpose, assignment: (await h.directory.getAssignment('ann', 'p-crm'))!, privilege: (await h.directory.getPrivilege('p-crm'))!, workflow: DEFAULT_WORKFLOW },
      DEFAULT_REAPPROVAL_CONFIG,
      new Date(day(1)),
    );
    expect(run.id.startsWith('a-')).toBe(true);
    expect(run.approverIds).toEqual(['mgr-ops']);

    const page = await signedIn('mgr-ops');
    const link = page.getByRole('link', { name: /^Ann Analyst/ });
    await eventually(() => link.count()).toBe(1);
    expect(await page.getByRole('listitem').filter({ has: link }).innerText()).toContain('Re-approval of CRM reader');
    await link.click();
    await eventually(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Ann Analyst');
    expect(page.url()).toBe(`${world.url}/entries/${run.id}`);
    expect(await page.getByText('Re-approval: the assignment is due for renewal').count()).toBe(1);
    expect(await seriousAxeViolationsOf(page)).toEqual([]);

    await page.getByRole('textbox', { name: 'Comment on CRM reader' }).fill('Still needed for the customer reports');
    await page.getByRole('button', { name: 'Approve CRM reader' }).click();
    await eventually(() => status(page).textContent()).toMatch(/^Saved: approved CRM reader for Ann Analyst\./);
    await eventually(() => page.getByRole('button', { name: 'Approve CRM reader' }).count()).toBe(0);
    const after = await apiAs<ApprovalDetailView>(world, 'mgr-ops', `/entries/${run.id}`);
    expect(after.openItemIds).toEqual([]);
    expect(after.state).not.toBe('RUNNING');
    expect(JSON.stringify(after.history)).toContain('Still needed for the customer reports');
  });

  it("shows due dates in the viewer's time zone", async () => {
    const { tasks } = await apiAs<TaskListView>(world, 'mgr-fin', '/tasks');
    const due = tasks.find((t) => t.subjectId === 'bea')!.dueDate;
    const shown: string[] = [];
    for (const timeZone of ['Europe/Berlin', 'America/New_York']) {
      const page = await signedIn('mgr-fin', { timezoneId: timeZone });
      const time = page.getByRole('link', { name: /^Bea Bulk/ }).locator('xpath=..').locator(`time[datetime="${due}"]`);
      await eventually(() => time.count()).toBe(1);
      const text = (await time.textContent())!;
      const parts = new Intl.DateTimeFormat('en-GB', { timeZone, day: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' }).formatToParts(new Date(due));
      const part = (type: string) => parts.find((p) => p.type === type)!.value;
      expect(text).toContain(`${part('hour')}:${part('minute')}`);
      expect(text).toContain(part('timeZoneName'));
      expect(text.startsWith(part('day'))).toBe(true);
      shown.push(text);
    }
    expect(shown[0]).not.toBe(shown[1]);
  });

  it.each([
    ['desktop', DESKTOP],
    ['phone', PHONE],
  ])('keeps still while the views load on a %s (layout shift below 0.1), even when the API is slow', async (_, viewport) => {
    const page = await visitors.page({ viewport }, (context) => context.addInitScript({ content: CLS_OBSERVER }));
    // The page's own API calls answer after 400 ms, so the placeholders show first.
    await page.route(
      (url) => /^\/(me|tasks|entries\/.*)$/.test(url.pathname),
      async (route) => {
        if (route.request().resourceType() === 'fetch') await new Promise((resolve) => setTimeout(resolve, 400));
        await route.continue();
      },
    );
    await page.goto(`${world.url}/?as=mgr-fin`);
    await eventually(() => page.getByRole('link', { name: /^Bea Bulk/ }).count()).toBe(1);
    await page.waitForTimeout(300);
    expect(await layoutShift(page)).toBeLessThan(0.1);

    await page.goto(`${world.url}/entries/${encodeURIComponent(world.entryOf('bea'))}`);
    await eventually(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Bea Bulk');
    await eventually(() => page.getByRole('row').count()).toBe(BULK_PRIVILEGE_COUNT + 1);
    await page.waitForTimeout(300);
    expect(await layoutShift(page)).toBeLessThan(0.1);
  });

  it('fits a phone: the items become stacked cards and nothing scrolls sideways', async () => {
    const page = await signedIn('mgr-fin', { viewport: PHONE });
    await page.goto(`${world.url}/entries/${encodeURIComponent(world.entryOf('bea'))}`);
    await eventually(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Bea Bulk');
    const card = row(page, 'App 01');
    expect(await card.evaluate((tr) => (globalThis as unknown as { getComputedStyle(e: unknown): { display: string } }).getComputedStyle(tr).display)).toBe('block');
    const box = (await card.boundingBox())!;
    expect(box.width).toBeLessThanOrEqual(PHONE.width);
    expect(box.width).toBeGreaterThan(PHONE.width * 0.8);
    expect(await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await eventually(() => page.getByRole('button', { name: 'Approve App 01' }).isVisible()).toBe(true);
    expect(await seriousAxeViolationsOf(page)).toEqual([]);
  });
});

function focusedText(page: Page): Promise<string | undefined> {
  return page.evaluate(() => (globalThis as unknown as { document: { activeElement: { textContent: string } | null } }).document.activeElement?.textContent?.trim());
}

function layoutShift(page: Page): Promise<number> {
  return page.evaluate(() => (globalThis as unknown as { __layoutShift: number }).__layoutShift);
}
