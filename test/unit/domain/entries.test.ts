import { describe, expect, it } from 'vitest';
import {
  APPLICABLE_STATES,
  buildEntry,
  closeDueEntry,
  countPrepared,
  defaultApproverIds,
  entryIdFor,
  entryIdOf,
  finishIfAllDecided,
  isDecided,
  itemIdFor,
  nextRunningEntryStep,
  openItems,
  withEntryChange,
  withReminderSlot,
  type CertifiableAssignment,
} from '../../../lambdas/shared/domain/entries.js';
import type { EntryState, ReminderSettings } from '../../../lambdas/shared/domain/model.js';
import { aCampaign, aDecision, anEntry, anItem, aPrivilege, aUser, at, DUE, peopleById, START } from '../../support/fixtures.js';

const NOW = '2026-07-01T06:00:00.000Z';

describe('entryIdFor', () => {
  it('is deterministic, so that a re-run of preparation overwrites the same entry', () => {
    expect(entryIdFor('c-1#1', 1, 'u-alice')).toBe(entryIdFor('c-1#1', 1, 'u-alice'));
    expect(entryIdFor('c-1#1', 1, 'u-alice')).toMatch(/^e-[0-9a-f]{24}$/);
  });

  it('is 24 hex digits for a new run and keeps 12 for a run created before ids grew, so its rewritten chunks keep their ids', () => {
    const build = (c: ReturnType<typeof aCampaign>) =>
      buildEntry({ campaign: c, subject: { id: 'u-alice', name: 'Alice' }, stage: 1, approverIds: ['u-m'], assignments: [], now: at(NOW) }).entry.id;
    const { entryIdDigits: _digits, ...legacy } = aCampaign();
    expect(build(legacy)).toMatch(/^e-[0-9a-f]{12}$/);
    expect(build(aCampaign())).toMatch(/^e-[0-9a-f]{24}$/);
    // The long id begins with the short one: the same hash, only longer.
    expect(build(aCampaign()).startsWith(build(legacy))).toBe(true);
    expect(entryIdOf(legacy, 1, 'u-alice')).toBe(build(legacy));
  });

  it('differs per run, stage and subject', () => {
    const ids = [
      entryIdFor('c-1#1', 1, 'u-alice'),
      entryIdFor('c-1#2', 1, 'u-alice'),
      entryIdFor('c-1#1', 2, 'u-alice'),
      entryIdFor('c-1#1', 1, 'u-bob'),
      entryIdFor('c-2#1', 1, 'u-alice'),
    ];
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('itemIdFor', () => {
  it('names a USER entry item by its privilege and a PRIVILEGE entry item by its user', () => {
    expect(itemIdFor('USER', 'u-alice', 'p-admin')).toBe('p-admin');
    expect(itemIdFor('PRIVILEGE', 'u-alice', 'p-admin')).toBe('u-alice');
  });
});

describe('buildEntry', () => {
  const campaign = aCampaign({ state: 'PREPARING', phase: { name: 'PREPARE' }, dueDate: DUE });
  const alice = aUser({ id: 'u-alice', displayName: 'Alice Adams' });
  const payroll = aPrivilege({ id: 'p-payroll', name: 'Payroll', riskLevel: 'CRITICAL' });
  const fullAssignment: CertifiableAssignment = {
    user: alice,
    privilege: payroll,
    origin: 'MANUAL',
    endDate: '2026-12-31T00:00:00.000Z',
    parameters: { project: 'apollo' },
    approvedAt: '2025-01-10T00:00:00.000Z',
    approvedBy: 'u-boss',
  };

  it('builds a RUNNING entry with items carrying the approver context', () => {
    const { entry, items } = buildEntry({
      campaign,
      subject: { id: 'u-alice', name: 'Alice Adams' },
      stage: 1,
      approverIds: ['u-manager'],
      assignments: [fullAssignment],
      now: at(NOW),
    });
    const id = entryIdFor(campaign.runId, 1, 'u-alice');
    expect(entry).toStrictEqual({
      id,
      campaignId: campaign.id,
      runId: campaign.runId,
      subjectKind: 'USER',
      subjectId: 'u-alice',
      subjectName: 'Alice Adams',
      stage: 1,
      state: 'RUNNING',
      approverIds: ['u-manager'],
      dueDate: DUE,
      itemCount: 1,
      createdAt: NOW,
      updatedAt: NOW,
      version: 1,
    });
    expect(items).toStrictEqual([
      {
        entryId: id,
        id: 'p-payroll',
        userId: 'u-alice',
        privilegeId: 'p-payroll',
        userName: 'Alice Adams',
        privilegeName: 'Payroll',
        privilegeRisk: 'CRITICAL',
        origin: 'MANUAL',
        endDate: '2026-12-31T00:00:00.000Z',
        parameters: { project: 'apollo' },
        grantedAt: '2025-01-10T00:00:00.000Z',
        grantedBy: 'u-boss',
      },
    ]);
  });

  it('shows when an assignment never approved since was first granted, and by nobody known', () => {
    const { items } = buildEntry({
      campaign,
      subject: { id: 'u-alice', name: 'Alice' },
      stage: 1,
      approverIds: ['u-manager'],
      assignments: [
        { user: alice, privilege: { id: 'p-x', name: 'X' }, grantedAt: '2024-05-01T00:00:00.000Z' },
        { user: alice, privilege: { id: 'p-y', name: 'Y' }, grantedAt: '2024-05-01T00:00:00.000Z', approvedAt: '2025-06-01T00:00:00.000Z', approvedBy: 'u-boss' },
      ],
      now: at(NOW),
    });
    expect(items.map((i) => [i.grantedAt, i.grantedBy])).toEqual([
      ['2024-05-01T00:00:00.000Z', undefined],
      ['2025-06-01T00:00:00.000Z', 'u-boss'],
    ]);
  });

  it('leaves out context the assignment does not have', () => {
    const { items } = buildEntry({
      campaign,
      subject: { id: 'u-alice', name: 'Alice' },
      stage: 1,
      approverIds: ['u-manager'],
      assignments: [{ user: alice, privilege: { id: 'p-x', name: 'X' } }],
      now: at(NOW),
    });
    expect(Object.keys(items[0]!).sort()).toEqual(['entryId', 'id', 'privilegeId', 'privilegeName', 'userId', 'userName']);
  });

  it('names PRIVILEGE entry items by user', () => {
    const privilegeCampaign = aCampaign({ kind: 'PRIVILEGE', dueDate: DUE });
    const bob = aUser({ id: 'u-bob' });
    const { entry, items } = buildEntry({
      campaign: privilegeCampaign,
      subject: { id: 'p-payroll', name: 'Payroll' },
      stage: 1,
      approverIds: ['u-owner'],
      assignments: [fullAssignment, { user: bob, privilege: payroll }],
      now: at(NOW),
    });
    expect(entry.subjectKind).toBe('PRIVILEGE');
    expect(items.map((i) => i.id)).toEqual(['u-alice', 'u-bob']);
    expect(entry.itemCount).toBe(2);
  });

  it('fails preparation of an entry without an approver, closed at once', () => {
    const { entry, items } = buildEntry({
      campaign,
      subject: { id: 'u-alice', name: 'Alice' },
      stage: 1,
      approverIds: [],
      assignments: [fullAssignment],
      now: at(NOW),
    });
    expect(entry).toMatchObject({ state: 'FAILED.PREPARE', error: 'no approver found', closedAt: NOW, itemCount: 1 });
    expect(items).toHaveLength(1);
  });

  it('runs an entry with nothing to certify (it closes at the end)', () => {
    const { entry, items } = buildEntry({
      campaign,
      subject: { id: 'u-alice', name: 'Alice' },
      stage: 1,
      approverIds: ['u-manager'],
      assignments: [],
      now: at(NOW),
    });
    expect(entry.state).toBe('RUNNING');
    expect(entry.itemCount).toBe(0);
    expect(entry.closedAt).toBeUndefined();
    expect(items).toEqual([]);
  });

  it('lists each approver once, in order', () => {
    const { entry } = buildEntry({
      campaign,
      subject: { id: 'p-1', name: 'P' },
      stage: 2,
      approverIds: ['u-b', 'u-a', 'u-b', 'u-a', 'u-c'],
      assignments: [],
      now: at(NOW),
    });
    expect(entry.approverIds).toEqual(['u-b', 'u-a', 'u-c']);
    expect(entry.stage).toBe(2);
    expect(entry.id).toBe(entryIdFor(campaign.runId, 2, 'p-1'));
  });
});

describe('countPrepared', () => {
  it('adds a chunk to the counts so far: every entry, the items sent to approvers, the entries without one', () => {
    const chunk = [
      anEntry({ id: 'e-1', itemCount: 3 }),
      anEntry({ id: 'e-2', itemCount: 0 }),
      anEntry({ id: 'e-3', itemCount: 4, state: 'FAILED.PREPARE', approverIds: [] }),
    ];
    expect(countPrepared(undefined, chunk)).toEqual({ entries: 3, items: 3, failedEntries: 1 });
    const before = { entries: 10, items: 40, failedEntries: 2 };
    expect(countPrepared(before, chunk)).toEqual({ entries: 13, items: 43, failedEntries: 3 });
    expect(before).toEqual({ entries: 10, items: 40, failedEntries: 2 });
    expect(countPrepared(undefined, [])).toEqual({ entries: 0, items: 0, failedEntries: 0 });
  });
});

describe('defaultApproverIds', () => {
  const manager = aUser({ id: 'u-manager' });
  const retired = aUser({ id: 'u-retired', status: 'DISABLED' });
  const people = peopleById(manager, retired);

  it('is the manager of a USER subject when present and active', () => {
    expect(defaultApproverIds('USER', { managerId: 'u-manager' }, people)).toEqual(['u-manager']);
  });

  it.each([
    ['has no manager', {}],
    ['has a disabled manager', { managerId: 'u-retired' }],
    ['has a manager missing from the directory', { managerId: 'u-gone' }],
  ])('is nobody when the USER subject %s', (_, subject) => {
    expect(defaultApproverIds('USER', subject, people)).toEqual([]);
  });

  it('ignores owner ids for a USER subject', () => {
    expect(defaultApproverIds('USER', { ownerIds: ['u-manager'] }, people)).toEqual([]);
  });

  it('is the active owners present in the directory for a PRIVILEGE subject', () => {
    const owner2 = aUser({ id: 'u-owner2' });
    const all = peopleById(manager, retired, owner2);
    expect(defaultApproverIds('PRIVILEGE', { ownerIds: ['u-manager', 'u-retired', 'u-gone', 'u-owner2'] }, all)).toEqual([
      'u-manager',
      'u-owner2',
    ]);
  });

  it('is nobody for a PRIVILEGE without owners, whatever its manager field', () => {
    expect(defaultApproverIds('PRIVILEGE', { managerId: 'u-manager' }, people)).toEqual([]);
    expect(defaultApproverIds('PRIVILEGE', { ownerIds: [] }, people)).toEqual([]);
  });
});

describe('isDecided and openItems', () => {
  const closedAt = '2026-07-10T00:00:00.000Z';

  it('counts any decision while the entry is open', () => {
    expect(isDecided(anItem({ decision: aDecision() }), {})).toBe(true);
    expect(isDecided(anItem(), {})).toBe(false);
  });

  it('counts a decision made up to the closing instant, not after', () => {
    expect(isDecided(anItem({ decision: aDecision({ decidedAt: closedAt }) }), { closedAt })).toBe(true);
    expect(isDecided(anItem({ decision: aDecision({ decidedAt: '2026-07-10T00:00:00.001Z' }) }), { closedAt })).toBe(false);
  });

  it('lists the items still open', () => {
    const decided = anItem({ id: 'p-1', decision: aDecision() });
    const open = anItem({ id: 'p-2' });
    const late = anItem({ id: 'p-3', decision: aDecision({ decidedAt: '2026-07-11T00:00:00.000Z' }) });
    expect(openItems(anEntry({ closedAt }), [decided, open, late]).map((i) => i.id)).toEqual(['p-2', 'p-3']);
  });
});

describe('nextRunningEntryStep', () => {
  // Due 2026-07-15T00:00Z; reminders from 2026-07-12T00:00Z, every 24 hours.
  const reminders: ReminderSettings = { daysBeforeDue: 3, intervalHours: 24 };
  const entry = anEntry({ createdAt: START, dueDate: DUE, itemCount: 2 });
  const step = (iso: string, e = entry, r: ReminderSettings = reminders) => nextRunningEntryStep(e, r, at(iso));

  it.each<EntryState>(['APPROVAL.FINISHED', 'FAILED.PREPARE', 'FAILED.EXPIRED', 'FAILED.APPLIED.CHANGES', 'FINISHED'])(
    'owes nothing to a %s entry, even past its due date',
    (state) => {
      expect(step('2026-07-20T00:00:00.000Z', anEntry({ state }))).toEqual({ action: 'NONE' });
    },
  );

  it('owes nothing to an entry with no items, even past its due date (it closes with the campaign)', () => {
    expect(step('2026-07-20T00:00:00.000Z', anEntry({ itemCount: 0 }))).toEqual({ action: 'NONE' });
  });

  it('closes an entry from its due date on', () => {
    expect(step(DUE)).toEqual({ action: 'CLOSE_DUE' });
    expect(step('2026-08-01T00:00:00.000Z')).toEqual({ action: 'CLOSE_DUE' });
    expect(nextRunningEntryStep(entry, undefined, at(DUE))).toEqual({ action: 'CLOSE_DUE' });
  });

  it('closes a due entry rather than reminding it', () => {
    expect(step(DUE, anEntry({ lastReminderSlot: 1 }))).toEqual({ action: 'CLOSE_DUE' });
  });

  it('does not remind before the reminder window', () => {
    expect(step('2026-07-11T23:59:59.999Z')).toEqual({ action: 'NONE' });
  });

  it('does not remind without reminder settings', () => {
    expect(nextRunningEntryStep(entry, undefined, at('2026-07-14T00:00:00.000Z'))).toEqual({ action: 'NONE' });
  });

  it('reminds in the window, once per slot', () => {
    const first = step('2026-07-12T00:00:00.000Z');
    expect(first).toEqual({ action: 'REMIND', slot: expect.any(Number) });
    const slot = (first as { slot: number }).slot;
    const reminded = anEntry({ ...entry, lastReminderSlot: slot });
    expect(step('2026-07-12T01:00:00.000Z', reminded)).toEqual({ action: 'NONE' });
    expect(step('2026-07-12T23:59:59.999Z', reminded)).toEqual({ action: 'NONE' });
  });

  it('reminds again in the next slot, intervalHours later', () => {
    const first = step('2026-07-12T03:00:00.000Z') as { action: 'REMIND'; slot: number };
    const reminded = anEntry({ ...entry, lastReminderSlot: first.slot });
    expect(step('2026-07-13T00:00:00.000Z', reminded)).toEqual({ action: 'REMIND', slot: first.slot + 1 });
    expect(step('2026-07-14T00:00:00.000Z', anEntry({ ...entry, lastReminderSlot: first.slot + 1 }))).toEqual({
      action: 'REMIND',
      slot: first.slot + 2,
    });
  });

  it('catches up with one reminder, not one per missed slot', () => {
    const first = step('2026-07-12T00:00:00.000Z') as { action: 'REMIND'; slot: number };
    const late = step('2026-07-14T12:00:00.000Z', anEntry({ ...entry, lastReminderSlot: first.slot }));
    expect(late).toEqual({ action: 'REMIND', slot: first.slot + 2 });
  });

  it('honours an interval shorter than a day', () => {
    const hourly = { daysBeforeDue: 1, intervalHours: 6 };
    const first = step('2026-07-14T00:00:00.000Z', entry, hourly) as { action: 'REMIND'; slot: number };
    expect(first.action).toBe('REMIND');
    const reminded = anEntry({ ...entry, lastReminderSlot: first.slot });
    expect(step('2026-07-14T05:59:59.999Z', reminded, hourly)).toEqual({ action: 'NONE' });
    expect(step('2026-07-14T06:00:00.000Z', reminded, hourly)).toEqual({ action: 'REMIND', slot: first.slot + 1 });
  });

  it('sends no reminder within intervalHours of the entry creation (Approval Start was just sent)', () => {
    const lateStage = anEntry({ createdAt: '2026-07-12T10:00:00.000Z' });
    expect(step('2026-07-12T12:00:00.000Z', lateStage)).toEqual({ action: 'NONE' });
    expect(step('2026-07-13T09:59:59.999Z', lateStage)).toEqual({ action: 'NONE' });
    expect(step('2026-07-13T10:00:00.000Z', lateStage)).toMatchObject({ action: 'REMIND' });
  });

  // docs/reference/campaigns.md.3: approvers with open work get a reminder every intervalHours from daysBeforeDue before
  // the due date, also after the administrator moved the due date.
  it('reminds again after the due date was extended, although reminders were sent for the old one', () => {
    const sent = [step('2026-07-12T00:00:00.000Z')];
    let current = anEntry({ ...entry, lastReminderSlot: (sent[0] as { slot: number }).slot });
    for (const iso of ['2026-07-13T00:00:00.000Z', '2026-07-14T00:00:00.000Z']) {
      const s = step(iso, current) as { action: 'REMIND'; slot: number };
      expect(s.action).toBe('REMIND');
      current = anEntry({ ...current, lastReminderSlot: s.slot });
    }
    // The administrator moves the due date ten days later; the new window opens on 2026-07-22.
    const extended = withEntryChange(current, at('2026-07-14T12:00:00.000Z'), { dueDate: '2026-07-25T00:00:00.000Z' });
    expect(step('2026-07-21T12:00:00.000Z', extended)).toEqual({ action: 'NONE' });
    const inNewWindow = step('2026-07-22T01:00:00.000Z', extended);
    expect(inNewWindow.action).toBe('REMIND');
    // ...with a slot never used before, so that its notification key is new too.
    expect((inNewWindow as { slot: number }).slot).toBeGreaterThan(current.lastReminderSlot!);
  });
});

describe('closeDueEntry', () => {
  const now = DUE;

  it('finishes an entry whose items are all decided', () => {
    const items = [anItem({ id: 'p-1', decision: aDecision() }), anItem({ id: 'p-2', decision: aDecision({ outcome: 'REJECT' }) })];
    const { next, timedOut } = closeDueEntry(anEntry({ itemCount: 2, version: 4 }), items, at(now));
    expect(timedOut).toBe(false);
    expect(next).toMatchObject({ state: 'APPROVAL.FINISHED', closedAt: now, updatedAt: now, version: 5 });
  });

  it('expires an entry with an undecided item (Approval Timeout)', () => {
    const items = [anItem({ id: 'p-1', decision: aDecision() }), anItem({ id: 'p-2' })];
    const { next, timedOut } = closeDueEntry(anEntry({ itemCount: 2 }), items, at(now));
    expect(timedOut).toBe(true);
    expect(next).toMatchObject({ state: 'FAILED.EXPIRED', closedAt: now, version: 2 });
  });

  it('does not change the entry it was given', () => {
    const entry = anEntry();
    closeDueEntry(entry, [anItem()], at(now));
    expect(entry).toStrictEqual(anEntry());
  });
});

describe('finishIfAllDecided', () => {
  const now = '2026-07-06T00:00:00.000Z';

  it('finishes a RUNNING entry once every item is decided', () => {
    const next = finishIfAllDecided(anEntry({ version: 3 }), [anItem({ decision: aDecision() })], at(now));
    expect(next).toMatchObject({ state: 'APPROVAL.FINISHED', closedAt: now, updatedAt: now, version: 4 });
  });

  it('leaves an entry with an open item alone', () => {
    expect(finishIfAllDecided(anEntry(), [anItem({ id: 'p-1', decision: aDecision() }), anItem({ id: 'p-2' })], at(now))).toBeUndefined();
  });

  it('leaves an entry without items alone (it closes at the end)', () => {
    expect(finishIfAllDecided(anEntry({ itemCount: 0 }), [], at(now))).toBeUndefined();
  });

  it('leaves an entry that is no longer RUNNING alone', () => {
    expect(finishIfAllDecided(anEntry({ state: 'FAILED.EXPIRED' }), [anItem({ decision: aDecision() })], at(now))).toBeUndefined();
  });
});

describe('withReminderSlot and withEntryChange', () => {
  it('records the slot sent and bumps the version', () => {
    const next = withReminderSlot(anEntry({ version: 2 }), 3, at('2026-07-12T00:00:00.000Z'));
    expect(next).toMatchObject({ lastReminderSlot: 3, version: 3, updatedAt: '2026-07-12T00:00:00.000Z' });
  });

  it('applies a patch with a new version', () => {
    const next = withEntryChange(anEntry(), at('2026-07-03T00:00:00.000Z'), { dueDate: '2026-07-20T00:00:00.000Z' });
    expect(next).toMatchObject({ dueDate: '2026-07-20T00:00:00.000Z', version: 2, updatedAt: '2026-07-03T00:00:00.000Z' });
  });
});

describe('APPLICABLE_STATES', () => {
  it('holds the entries whose decisions are applied at the finish, and not the failed preparations', () => {
    expect([...APPLICABLE_STATES].sort()).toEqual(['APPROVAL.FINISHED', 'FAILED.EXPIRED', 'RUNNING']);
  });
});
