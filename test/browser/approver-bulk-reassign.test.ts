// The approver's larger moves in a real browser against the local server: a 50-item review decided
// in bulk through a filter and "Select all open items"; a refusal of the API shown next to the field
// it names; a reassignment (the entry leaves Finn's tasks and reaches Carol's); a non-approver who
// opens an entry's URL sees the refusal and nothing of the entry; overdue tasks are marked in words.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EntryView, MeView, TaskListView } from '../../lambdas/approver-api/api-types.js';
import { useEngine } from '../support/engine.js';
import { BULK_PRIVILEGE_COUNT, hasChromium, launchChromium, startPortalWorld, type PortalWorld } from '../support/portal.js';
import { apiAs, eventually, heading, seriousAxeViolationsOf, status, Visitors } from './approver-support.js';

const engine = useEngine();

const taskNames = (page: Page) => page.getByRole('list', { name: /Tasks/ }).getByRole('link').allTextContents();

describe.skipIf(!hasChromium)('the approver portal: bulk decisions, reassignment and refusals', () => {
  let world: PortalWorld;
  let browser: Browser;
  const visitors = new Visitors(
    () => browser,
    () => world,
  );
  const signedIn = (userId: string, path = '/') => visitors.signedIn(userId, path);
  const entryPath = (subjectId: string) => `/entries/${encodeURIComponent(world.entryOf(subjectId))}`;

  beforeAll(async () => {
    [world, browser] = await Promise.all([startPortalWorld(engine), launchChromium()]);
  });
  afterAll(async () => {
    await visitors.close();
    await browser?.close();
    await world?.close();
    expect(visitors.foreign).toEqual([]);
    expect(visitors.cspViolations).toEqual([]);
  });

  it("decides Bea's 50 items in two bulk moves: the critical ones rejected through a filter, then every open one approved", async () => {
    const page = await signedIn('mgr-fin', entryPath('bea'));
    await eventually(() => heading(page).textContent()).toBe('Bea Bulk');
    expect(await page.getByRole('row').count()).toBe(BULK_PRIVILEGE_COUNT + 1);

    // Filter to the critical items (every fourth: App 04, 08, ... 48), select them all, reject with one comment.
    await page.getByRole('combobox', { name: 'Risk' }).selectOption('CRITICAL');
    await eventually(() => page.getByRole('row').count()).toBe(12 + 1);
    await page.getByRole('checkbox', { name: 'Select all open items' }).check();
    expect(await page.getByText('12 items selected').count()).toBe(1);
    await page.getByRole('textbox', { name: 'Comment for selected' }).fill('No critical access without a ticket');
    await page.getByRole('button', { name: 'Reject selected' }).click();
    await eventually(() => status(page).textContent()).toBe('Saved: rejected 12 items for Bea Bulk. 38 of 50 items left.');
    expect(await page.getByRole('checkbox', { name: 'Select all open items' }).isDisabled()).toBe(true);

    // Back to every item, open ones only: select all and approve.
    await page.getByRole('combobox', { name: 'Risk' }).selectOption('');
    await page.getByRole('checkbox', { name: 'Open items only' }).check();
    await eventually(() => page.getByRole('row').count()).toBe(38 + 1);
    await page.getByRole('checkbox', { name: 'Select all open items' }).check();
    await page.getByRole('button', { name: 'Approve selected' }).click();
    await eventually(() => status(page).textContent()).toBe('Saved: approved 38 items for Bea Bulk. No items left: the review of Bea Bulk is complete.');

    const entry = await apiAs<EntryView>(world, 'mgr-fin', entryPath('bea'));
    expect(entry.openItemCount).toBe(0);
    const outcomes = entry.items.map((i) => [i.privilegeRisk, i.decision?.outcome, i.decision?.comment]);
    expect(outcomes.filter(([risk]) => risk === 'CRITICAL').every(([, o, c]) => o === 'REJECT' && c === 'No critical access without a ticket')).toBe(true);
    expect(outcomes.filter(([risk]) => risk !== 'CRITICAL').every(([, o, c]) => o === 'APPROVE' && c === undefined)).toBe(true);
  });

  it('shows a refused change next to the end date it names, then saves the corrected change', async () => {
    const page = await signedIn('mgr-fin', entryPath('bob'));
    await eventually(() => heading(page).textContent()).toBe('Bob Booker');
    await page.getByRole('button', { name: 'Modify Ledger admin' }).click();
    const endDate = page.getByRole('textbox', { name: 'New end date for Ledger admin' });
    // A slip of the finger: a five-digit year, which the date field takes and the API refuses.
    await endDate.focus();
    await page.keyboard.type('3103');
    await page.keyboard.type('20277');
    await page.getByRole('button', { name: 'Save change to Ledger admin' }).click();

    await eventually(() => endDate.getAttribute('aria-invalid')).toBe('true');
    const error = page.locator(`[id="${(await endDate.getAttribute('aria-describedby'))!.split(' ').at(-1)}"]`);
    expect(await error.textContent()).toMatch(/^must be an ISO 8601 date/);
    await eventually(() => status(page).textContent()).toMatch(/^Not saved: must be an ISO 8601 date/);
    expect(await endDate.evaluate((e) => e === (e as unknown as { ownerDocument: { activeElement: unknown } }).ownerDocument.activeElement)).toBe(true);
    expect((await apiAs<EntryView>(world, 'mgr-fin', entryPath('bob'))).items.every((i) => i.decision === null)).toBe(true);

    await endDate.fill('2027-06-30');
    await page.getByRole('textbox', { name: 'Parameter entity for Ledger admin' }).fill('DE02');
    await page.getByRole('button', { name: 'Save change to Ledger admin' }).click();
    await eventually(() => status(page).textContent()).toBe('Saved: changed Ledger admin for Bob Booker (end date 30 Jun 2027; entity DE02). 1 of 2 items left.');
    expect(await page.getByRole('textbox', { name: 'New end date for Ledger admin' }).count()).toBe(0);
    const ledger = (await apiAs<EntryView>(world, 'mgr-fin', entryPath('bob'))).items.find((i) => i.privilegeId === 'p-ledger')!;
    expect(ledger.decision).toMatchObject({ outcome: 'MODIFY', endDate: '2027-06-30T00:00:00.000Z', parameters: { entity: 'DE02' } });
  });

  it('shows a refusal of the API next to the field it names, and keeps the dialog open to fix it', async () => {
    const page = await signedIn('mgr-fin', entryPath('ann'));
    await eventually(() => heading(page).textContent()).toBe('Ann Analyst');
    await page.getByRole('button', { name: 'Reassign' }).click();
    const dialog = page.getByRole('dialog', { name: /Reassign/ });
    // The dialog takes the focus at its first field, and the page behind it is inert.
    await eventually(() => dialog.getByRole('textbox', { name: 'New approver' }).evaluate((e) => e === (e as unknown as { ownerDocument: { activeElement: unknown } }).ownerDocument.activeElement)).toBe(true);
    expect(await dialog.evaluate((d) => (d as unknown as { matches(s: string): boolean }).matches(':modal'))).toBe(true);
    await dialog.getByRole('textbox', { name: 'New approver' }).fill('mgr-ops');
    await dialog.getByRole('textbox', { name: 'Justification' }).fill('busy');
    await dialog.getByRole('button', { name: 'Reassign entry' }).click();

    const justification = dialog.getByRole('textbox', { name: 'Justification' });
    await eventually(() => justification.getAttribute('aria-invalid')).toBe('true');
    const describedBy = (await justification.getAttribute('aria-describedby'))!.split(' ');
    const messages = await Promise.all(describedBy.map((id) => page.locator(`[id="${id}"]`).textContent()));
    expect(messages.at(-1)).toBe('must be at least 10 characters: say why the entry changes hands');
    await eventually(() => status(page).textContent()).toBe('Not reassigned: Justification: must be at least 10 characters: say why the entry changes hands');
    // Nothing changed: Finn still approves the entry.
    expect((await apiAs<EntryView>(world, 'mgr-fin', entryPath('ann'))).approverIds).toEqual(['mgr-fin']);

    // The next refusal names another field: an unknown user.
    await justification.fill('On leave for the whole review period');
    await dialog.getByRole('textbox', { name: 'New approver' }).fill('nobody-here');
    await dialog.getByRole('button', { name: 'Reassign entry' }).click();
    const to = dialog.getByRole('textbox', { name: 'New approver' });
    await eventually(() => to.getAttribute('aria-invalid')).toBe('true');
    expect(await justification.getAttribute('aria-invalid')).toBeNull();
    expect(await page.locator('[id="reassign-to-error"]').textContent()).toBe('nobody-here is not a user of the directory');
    // The dialog, with its refusals showing, passes axe-core too.
    const violations = await seriousAxeViolationsOf(page, async (copy) => {
      await copy.getByRole('button', { name: 'Reassign' }).click();
      await copy.getByRole('textbox', { name: 'New approver' }).fill('nobody-here');
      await copy.getByRole('textbox', { name: 'Justification' }).fill('busy');
      await copy.getByRole('button', { name: 'Reassign entry' }).click();
      await eventually(() => copy.getByRole('textbox', { name: 'Justification' }).getAttribute('aria-invalid')).toBe('true');
    });
    expect(violations).toEqual([]);
    await page.keyboard.press('Escape');
    await eventually(() => page.getByRole('dialog').count()).toBe(0);
    await eventually(() => page.getByRole('button', { name: 'Reassign' }).evaluate((e) => e === (e as unknown as { ownerDocument: { activeElement: unknown } }).ownerDocument.activeElement)).toBe(true);
  });

  it('reassigns an entry to Carol with a justification and an extension: it leaves Finn’s tasks and reaches hers', async () => {
    const before = await apiAs<EntryView>(world, 'mgr-fin', entryPath('ann'));
    const page = await signedIn('mgr-fin', entryPath('ann'));
    await eventually(() => heading(page).textContent()).toBe('Ann Analyst');
    await page.getByRole('button', { name: 'Reassign' }).click();
    const dialog = page.getByRole('dialog', { name: /Reassign/ });
    await dialog.getByRole('textbox', { name: 'New approver' }).fill('mgr-ops');
    await dialog.getByRole('textbox', { name: 'Justification' }).fill('Ann moved to Operations on the first of the month');
    await dialog.getByRole('spinbutton', { name: 'Extend due date by days' }).fill('3');
    await dialog.getByRole('button', { name: 'Reassign entry' }).click();

    // Finn is no longer an approver: back to his tasks, which no longer hold Ann.
    await eventually(() => page.url()).toBe(`${world.url}/tasks`);
    await eventually(() => status(page).textContent()).toMatch(/^Reassigned: Carol Ops now reviews Ann Analyst\. It is now due .*It has left your tasks\.$/);
    await eventually(() => taskNames(page)).not.toContain('Ann Analyst');

    const carol = await signedIn('mgr-ops');
    await eventually(() => taskNames(carol)).toContain('Ann Analyst');
    const after = await apiAs<EntryView>(world, 'mgr-ops', entryPath('ann'));
    expect(after.approverIds).toEqual(['mgr-ops']);
    expect(Date.parse(after.dueDate) - Date.parse(before.dueDate)).toBe(3 * 86_400_000);
    expect(after.reassignments.at(-1)).toMatchObject({ from: ['mgr-fin'], to: 'mgr-ops', by: 'mgr-fin', justification: 'Ann moved to Operations on the first of the month' });
  });

  it("refuses a non-approver who opens an entry's URL, showing nothing of the entry", async () => {
    const page = await signedIn('outsider', entryPath('bob'));
    await eventually(() => heading(page).textContent()).toBe('You cannot open this review');
    expect(await page.getByRole('alert').textContent()).toContain('outsider is neither');
    const text = await page.locator('body').innerText();
    for (const secret of ['Bob Booker', 'Ledger admin', 'Bank portal', 'Team wiki', 'DE01', 'Finance access review']) expect(text).not.toContain(secret);
    expect(await page.getByRole('table').count()).toBe(0);
  });

  it('shows the campaign owner an entry read-only, with Reassign, and the owner’s view in the menu', async () => {
    expect((await apiAs<MeView>(world, 'owner', '/me')).isCampaignOwner).toBe(true);
    const page = await signedIn('owner', entryPath('bob'));
    await eventually(() => heading(page).textContent()).toBe('Bob Booker');
    expect(await page.getByText('You own this campaign and may reassign this review').count()).toBe(1);
    expect(await page.getByRole('button', { name: /^(Approve|Reject|Modify)/ }).count()).toBe(0);
    expect(await page.getByRole('checkbox', { name: /^Select/ }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Reassign' }).count()).toBe(1);
    expect(await page.getByRole('row').count()).toBe(1 + 2);
    await eventually(() => page.getByRole('link', { name: 'My campaigns' }).count()).toBe(1);
  });

  it('marks overdue tasks with the word, and closes their decisions', async () => {
    const { tasks } = await apiAs<TaskListView>(world, 'mgr-fin', '/tasks');
    const bob = tasks.find((t) => t.subjectId === 'bob')!;
    world.clock.at = new Date(Date.parse(bob.dueDate) + 3_600_000).toISOString();
    const page = await signedIn('mgr-fin');
    await eventually(() => taskNames(page)).toContain('Bob Booker');
    const card = page.getByRole('listitem').filter({ has: page.getByRole('link', { name: /^Bob Booker/ }) });
    expect(await card.getByText('Overdue', { exact: true }).count()).toBe(1);
    expect(await page.locator('.counts').innerText()).toMatch(/Overdue\s+1/);

    await page.getByRole('link', { name: /^Bob Booker/ }).click();
    await eventually(() => heading(page).textContent()).toBe('Bob Booker');
    expect(await page.getByText('Overdue', { exact: true }).count()).toBe(1);
    expect(await page.getByText(/decisions are closed/).count()).toBe(1);
    expect(await page.getByRole('button', { name: /^Approve/ }).count()).toBe(0);
  });
});
