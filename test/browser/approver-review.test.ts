// The approver's review in a real browser (Debian's chromium, playwright-core) against the local
// server: Finn (mgr-fin) signs in, sees his tasks, decides items of Ann's entry and finds them saved
// after a reload, completes Bob's entry with the keyboard alone, and the views pass axe-core, keep
// still while loading, fit a phone and show times in the viewer's time zone.
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EntryView, TaskListView } from '../../lambdas/approver-api/api-types.js';
import { useEngine } from '../support/engine.js';
import {
  BULK_PRIVILEGE_COUNT,
  hasChromium,
  launchChromium,
  newContext,
  PHONE,
  recordForeignRequests,
  seriousAxeViolations,
  startPortalWorld,
  type PortalWorld,
} from '../support/portal.js';

const engine = useEngine();
/** Polls until the page catches up (the machine may be busy: longer than expect.poll's default second). */
const eventually = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 10_000, interval: 50 });

/** The API as a given user sees it (the local server takes the X-Idgov-User header). */
async function apiAs<T>(world: PortalWorld, userId: string, path: string): Promise<T> {
  const response = await fetch(`${world.url}${path}`, { headers: { accept: 'application/json', 'x-idgov-user': userId } });
  expect(response.status, `${path} as ${userId}`).toBe(200);
  return (await response.json()) as T;
}

const status = (page: Page) => page.getByRole('status');
const row = (page: Page, privilegeName: string) => page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: new RegExp(`^${privilegeName}\\b`) }) });

/** The sum of the page's layout shifts not caused by input (the CLS of the visit so far). */
const CLS_OBSERVER = `
  window.__layoutShift = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.__layoutShift += entry.value;
  }).observe({ type: 'layout-shift', buffered: true });
`;

describe.skipIf(!hasChromium)('the approver portal: reviewing an entry', () => {
  let world: PortalWorld;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const foreign: string[] = [];

  async function signedIn(userId: string, options: Parameters<typeof newContext>[1] = {}): Promise<Page> {
    const context = await newContext(browser, options);
    contexts.push(context);
    const page = await context.newPage();
    foreign.push(...recordForeignRequests(page, world.url));
    await page.goto(`${world.url}/?as=${userId}`);
    return page;
  }

  beforeAll(async () => {
    [world, browser] = await Promise.all([startPortalWorld(engine), launchChromium()]);
  });
  afterAll(async () => {
    await Promise.all(contexts.map((c) => c.close()));
    await browser?.close();
    await world?.close();
    // Every request of every page of this file went to the local server.
    expect(foreign).toEqual([]);
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

  it('keeps still while the views load (layout shift below 0.1), even when the API is slow', async () => {
    const context = await newContext(browser);
    contexts.push(context);
    await context.addInitScript({ content: CLS_OBSERVER });
    const page = await context.newPage();
    foreign.push(...recordForeignRequests(page, world.url));
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

/** axe-core needs its script in the page, which the portal's CSP forbids: the same page again, in a context that bypasses it. */
async function seriousAxeViolationsOf(page: Page) {
  const browser = page.context().browser()!;
  const viewport = page.viewportSize() ?? undefined;
  const cookies = await page.context().cookies();
  const context = await newContext(browser, { bypassCSP: true, ...(viewport ? { viewport } : {}) });
  try {
    await context.addCookies(cookies);
    const copy = await context.newPage();
    await copy.goto(page.url());
    await copy.getByRole('heading', { level: 1 }).waitFor();
    await copy.waitForFunction(() => !(globalThis as unknown as { document: { querySelector(s: string): unknown } }).document.querySelector('[aria-busy="true"]'));
    return (await seriousAxeViolations(copy)).map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  } finally {
    await context.close();
  }
}

function focusedText(page: Page): Promise<string | undefined> {
  return page.evaluate(() => (globalThis as unknown as { document: { activeElement: { textContent: string } | null } }).document.activeElement?.textContent?.trim());
}

/** The element has the keyboard focus. */
function hasFocus(locator: Locator): Promise<boolean> {
  return locator.evaluate((element) => (element as unknown as { ownerDocument: { activeElement: unknown } }).ownerDocument.activeElement === element);
}

function layoutShift(page: Page): Promise<number> {
  return page.evaluate(() => (globalThis as unknown as { __layoutShift: number }).__layoutShift);
}
