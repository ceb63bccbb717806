// The campaign owner's work in the browser, against the local server over a campaign the real
// controller drove to RUNNING: My campaigns, a campaign's progress (entries by state, approvers,
// entries overdue first, due dates in the viewer's zone), a reassignment whose refusals show next to
// their fields, the keyboard alone, a refusal for anyone but the owner, and the confirmation a
// campaign over its revocation cap waits for.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import { useEngine } from '../support/engine.js';
import { hasChromium, launchChromium, newContext, PORTAL_CAMPAIGN_ID, portalCampaign, recordForeignRequests, seriousAxeViolations, startPortalWorld, type PortalWorld } from '../support/portal.js';
import { day, T0 } from '../support/small-org.js';

const engine = useEngine();
const CAMPAIGN = 'Finance access review';

describe.skipIf(!hasChromium)('the campaign owner in the portal', () => {
  let world: PortalWorld;
  let browser: Browser;
  beforeAll(async () => {
    world = await startPortalWorld(engine);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await world?.close();
  });

  async function signedIn(userId: string, path: string, timezoneId = 'Europe/Berlin'): Promise<Page> {
    const context = await newContext(browser, { timezoneId });
    const page = await context.newPage();
    await page.goto(`${world.url}${path}${path.includes('?') ? '&' : '?'}as=${userId}`);
    return page;
  }

  /** The cells of each body row, as text, of the table named `name`. */
  const rows = (table: Locator) =>
    table.locator('tbody tr').evaluateAll((trs) =>
      (trs as unknown as { children: ArrayLike<{ innerText: string }> }[]).map((tr) => Array.from(tr.children).map((cell) => cell.innerText.replace(/\s+/g, ' ').trim())),
    );

  /** The accessible description of a field: the texts its aria-describedby names. */
  const description = (field: Locator) =>
    field.evaluate((element) => {
      const doc = element.ownerDocument;
      return (element.getAttribute('aria-describedby') ?? '')
        .split(' ')
        .map((id: string) => doc.getElementById(id)?.textContent ?? '')
        .join(' ');
    });

  it("lists the owner's campaigns with state, due date, progress and entries by state", async () => {
    const page = await signedIn('owner', '/campaigns');
    const foreign = recordForeignRequests(page, world.url);
    await page.getByRole('heading', { level: 1, name: 'My campaigns' }).waitFor();
    const card = page.getByRole('listitem').filter({ has: page.getByRole('link', { name: CAMPAIGN }) });
    await card.waitFor();
    const text = (await card.textContent())!.replace(/\s+/g, ' ');
    expect(text).toContain('Running');
    expect(text).toContain('0 of 3 entries closed (0 %)');
    expect(text).toContain('3 Open');
    expect(text).toMatch(/Overdue ?None/);
    // Due 14 days after the start (midnight UTC), shown in the viewer's zone, from the server's now (day 2).
    expect(text).toContain(berlin(day(14)));
    expect(text).toContain('(in 12 days)');
    expect(await page.getByRole('progressbar', { name: `Progress of ${CAMPAIGN}` }).getAttribute('value')).toBe('0');
    expect(foreign).toEqual([]);

    await page.getByRole('link', { name: CAMPAIGN }).click();
    await page.getByRole('heading', { level: 1, name: CAMPAIGN }).waitFor();
    expect(page.url()).toBe(`${world.url}/campaigns/${PORTAL_CAMPAIGN_ID}`);
    await page.context().close();
  });

  it("shows a campaign's progress: entries by state, each approver's share, every entry with its due date in the viewer's time zone", async () => {
    for (const timezoneId of ['Europe/Berlin', 'Asia/Tokyo']) {
      const page = await signedIn('owner', `/campaigns/${PORTAL_CAMPAIGN_ID}`, timezoneId);
      await page.getByRole('heading', { level: 1, name: CAMPAIGN }).waitFor();
      expect(await rows(page.getByRole('table', { name: 'Entries by state' }))).toEqual([['Open', '3']]);
      expect(await rows(page.getByRole('table', { name: 'Approvers' }))).toEqual([['Finn Manager mgr-fin', '3', '3', '0']]);
      const entries = await rows(page.getByRole('table', { name: 'Entries', exact: true }));
      expect(entries.map((r) => r[0]).sort()).toEqual(['Ann Analyst User ann · 5 items', 'Bea Bulk User bea · 50 items', 'Bob Booker User bob · 2 items']);
      const due = new Intl.DateTimeFormat('en-GB', { timeZone: timezoneId, year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' }).format(new Date(day(14)));
      for (const row of entries) expect(row).toEqual([expect.any(String), '1', 'Open', 'Finn Manager', due, expect.stringMatching(/^Reassign /)]);
      expect(entries.some((r) => r[4]!.includes('Overdue'))).toBe(false);
      await page.context().close();
    }
  });

  it('puts overdue entries first and says so in words', async () => {
    const asOf = world.clock.at;
    // Bob's entry is due a day after the server's now; the others keep the campaign's due date.
    const bob = (await world.h.campaigns.getEntryWithItems(world.entryOf('bob')))!.entry;
    await world.h.campaigns.saveEntry({ ...bob, dueDate: day(5), version: bob.version + 1 });
    world.clock.at = day(6, 9);
    try {
      const page = await signedIn('owner', `/campaigns/${PORTAL_CAMPAIGN_ID}`);
      await page.getByRole('heading', { level: 1, name: CAMPAIGN }).waitFor();
      const entries = await rows(page.getByRole('table', { name: 'Entries', exact: true }));
      expect(entries[0]![0]).toMatch(/^Bob Booker/);
      expect(entries[0]![4]).toBe(`${berlin(day(5))} Overdue`);
      expect(entries.slice(1).every((r) => !r[4]!.includes('Overdue'))).toBe(true);
      expect(await rows(page.getByRole('table', { name: 'Approvers' }))).toEqual([['Finn Manager mgr-fin', '3', '3', '1 overdue']]);
      await page.context().close();
    } finally {
      world.clock.at = asOf;
      const saved = (await world.h.campaigns.getEntryWithItems(world.entryOf('bob')))!.entry;
      await world.h.campaigns.saveEntry({ ...saved, dueDate: bob.dueDate, version: saved.version + 1 });
    }
  });

  it('reassigns an entry: each refusal next to its field, then the new approver in the table and the live region', async () => {
    const page = await signedIn('owner', `/campaigns/${PORTAL_CAMPAIGN_ID}`);
    await page.getByRole('heading', { level: 1, name: CAMPAIGN }).waitFor();
    const annRow = page.getByRole('table', { name: 'Entries', exact: true }).getByRole('row').filter({ hasText: 'Ann Analyst' });
    await annRow.getByRole('button', { name: 'Reassign' }).click();
    const dialog = page.getByRole('dialog', { name: 'Reassign the review of Ann Analyst' });
    await dialog.waitFor();
    const to = dialog.getByRole('textbox', { name: 'New approver' });
    const why = dialog.getByRole('textbox', { name: 'Justification' });
    const days = dialog.getByRole('spinbutton', { name: 'Extend due date by days' });

    // Too short a justification: the API names the field, the message sits under it.
    await to.fill('mgr-ops');
    await why.fill('leave');
    await dialog.getByRole('button', { name: 'Reassign entry' }).click();
    await expect.poll(() => why.getAttribute('aria-invalid'), { timeout: 10_000 }).toBe('true');
    expect(await description(why)).toMatch(/must be at least 10 characters/i);
    await expect.poll(() => page.getByRole('status').textContent(), { timeout: 10_000 }).toMatch(/^Not reassigned: Justification: must be at least 10 characters/);
    expect(await to.getAttribute('aria-invalid')).toBeNull();

    // Ann cannot review her own access: the refusal moves to the new approver's field.
    await to.fill('ann');
    await why.fill('Finn is on leave until August');
    await dialog.getByRole('button', { name: 'Reassign entry' }).click();
    await expect.poll(() => to.getAttribute('aria-invalid'), { timeout: 10_000 }).toBe('true');
    expect(await description(to)).toContain('nobody certifies their own access');
    expect(await why.getAttribute('aria-invalid')).toBeNull();

    await to.fill('mgr-ops');
    await days.fill('3');
    await dialog.getByRole('button', { name: 'Reassign entry' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const status = page.getByRole('status');
    await expect.poll(() => status.textContent(), { timeout: 10_000 }).toBe(`Reassigned Ann Analyst to Carol Ops. Now due ${berlin(day(17))}.`);
    await expect.poll(async () => (await annRow.locator('th, td').allInnerTexts())[3], { timeout: 10_000 }).toBe('Carol Ops');
    expect(await rows(page.getByRole('table', { name: 'Approvers' }))).toEqual(
      expect.arrayContaining([
        ['Finn Manager mgr-fin', '2', '2', '0'],
        ['Carol Ops mgr-ops', '1', '1', '0'],
      ]),
    );
    // Saved: the entry is Carol's alone, with the owner's reason and the later due date.
    const saved = (await world.h.campaigns.getEntryWithItems(world.entryOf('ann')))!.entry;
    expect(saved.approverIds).toEqual(['mgr-ops']);
    expect(saved.dueDate).toBe(day(17));
    expect(saved.reassignments?.at(-1)).toMatchObject({ to: 'mgr-ops', by: 'owner', justification: 'Finn is on leave until August' });
    await page.context().close();
  });

  it('works with the keyboard alone: Tab to Reassign, Enter opens the dialog, Escape closes it and focus comes back', async () => {
    const page = await signedIn('owner', `/campaigns/${PORTAL_CAMPAIGN_ID}`);
    await page.getByRole('heading', { level: 1, name: CAMPAIGN }).waitFor();
    const firstReassign = page.getByRole('button', { name: /^Reassign / }).first();
    const label = (await firstReassign.textContent())!;
    let reached = false;
    for (let i = 0; i < 40 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await firstReassign.evaluate((el) => el === el.ownerDocument.activeElement);
    }
    expect(reached).toBe(true);
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    // The modal takes focus into its first field.
    expect(await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } } }).document.activeElement.id)).toBe('reassign-to');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { textContent: string } } }).document.activeElement.textContent)).toBe(label);
    await page.context().close();
  });

  it("refuses a campaign's progress to anyone but its owner, and shows them none of its data", async () => {
    const page = await signedIn('mgr-fin', `/campaigns/${PORTAL_CAMPAIGN_ID}`);
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('Only the campaign owner sees its progress.');
    expect(await page.getByRole('table').count()).toBe(0);
    expect(await page.getByText('Ann Analyst').count()).toBe(0);

    await page.goto(`${world.url}/campaigns`);
    await page.getByText('You own no campaign.').waitFor();
    await page.context().close();
  });

  it('asks the owner to confirm a campaign over its revocation cap: a stale count is refused, the count shown is confirmed', async () => {
    // A second campaign of the owner's, waiting for confirmation as the controller's guard leaves one
    // (the controller's way there is in test/integration/approver-api.test.ts).
    const id = await world.h.create({ ...portalCampaign(), name: 'Engineering access review' }, T0, 'c-over-cap');
    const waitOn = async (remove: number) => {
      const c = (await world.h.campaigns.getCampaign(id))!;
      const counts = { items: 40, remove, modify: 1, handOver: 0, keep: 39 - remove, keptByGuard: 0 };
      await world.h.campaigns.saveCampaign({ ...c, state: 'RUNNING', phase: { name: 'AWAIT_CONFIRMATION', counts, since: day(2, 8) }, version: c.version + 1 });
    };
    await waitOn(12);

    const page = await signedIn('owner', '/campaigns');
    const card = page.getByRole('listitem').filter({ has: page.getByRole('link', { name: 'Engineering access review' }) });
    await card.getByText('Waiting for your confirmation').waitFor();
    await card.getByRole('link', { name: 'Engineering access review' }).click();
    const panel = page.getByRole('region', { name: 'Waiting for your confirmation' });
    await panel.waitFor();
    const text = (await panel.textContent())!.replace(/\s+/g, ' ');
    expect(text).toContain("remove 12 assignments of 40 (30 %), more than this campaign's cap of 20 %");
    expect(text).toContain(`since ${berlin(day(2, 8))}`);
    expect(await panel.getByRole('list', { name: 'What applying would do' }).getByRole('listitem').allTextContents()).toEqual([
      '12 removed',
      '1 changed',
      '0 handed to an approval workflow',
      '27 kept',
      '0 kept: protected',
    ]);

    // No serious or critical axe-core violation, the panel shown and its dialog open (axe runs only where the CSP is bypassed).
    const checked = await (await newContext(browser, { bypassCSP: true })).newPage();
    await checked.goto(`${world.url}/campaigns/${id}?as=owner`);
    await checked.getByRole('region', { name: 'Waiting for your confirmation' }).getByRole('button', { name: 'Review and confirm' }).click();
    await checked.getByRole('dialog', { name: 'Remove 12 assignments?' }).waitFor();
    expect((await seriousAxeViolations(checked)).map((v) => `${v.impact} ${v.id}: ${v.help}`)).toEqual([]);
    await checked.context().close();

    // Meanwhile the count changed (say, a new guard count): the page's 12 is refused, nothing confirmed.
    await waitOn(13);
    await panel.getByRole('button', { name: 'Review and confirm' }).click();
    const dialog = page.getByRole('dialog', { name: 'Remove 12 assignments?' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Confirm: remove 12 assignments' }).click();
    await expect.poll(() => dialog.getByRole('alert').textContent(), { timeout: 10_000 }).toContain('waits to remove 13 of 40 items, not 12');
    expect((await world.h.campaigns.getCampaign(id))!.phase.name).toBe('AWAIT_CONFIRMATION');
    await dialog.getByRole('button', { name: 'Cancel' }).click();

    // Reloaded, the page shows 13; confirmed, the campaign moves on and the panel goes.
    await page.reload();
    await page.getByRole('region', { name: 'Waiting for your confirmation' }).getByRole('button', { name: 'Review and confirm' }).click();
    await page.getByRole('dialog', { name: 'Remove 13 assignments?' }).getByRole('button', { name: 'Confirm: remove 13 assignments' }).click();
    await expect.poll(() => page.getByRole('status').textContent(), { timeout: 10_000 }).toBe('Confirmed: the next controller run removes 13 assignments.');
    await page.getByRole('region', { name: 'Waiting for your confirmation' }).waitFor({ state: 'detached' });
    expect((await world.h.campaigns.getCampaign(id))!.phase).toMatchObject({ name: 'APPLY', confirmed: { by: 'owner', counts: { remove: 13 } } });
    await page.context().close();
  });
});

function berlin(iso: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' }).format(new Date(iso));
}
