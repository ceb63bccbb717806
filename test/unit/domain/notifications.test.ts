import { describe, expect, it } from 'vitest';
import {
  composeNotification,
  notificationKey,
  entryUrl,
  runLabel,
  tasksUrl,
  type ComposeInput,
} from '../../../lambdas/shared/domain/notifications.js';
import { buildTemplates } from '../../../lambdas/shared/domain/templates.js';
import { aCampaign, aUser, at, DUE } from '../../support/fixtures.js';

const NOW = '2026-07-01T06:00:00.000Z';
const campaign = aCampaign({ state: 'RUNNING', phase: { name: 'DONE' }, dueDate: DUE });
const manager = aUser({ id: 'u-manager', displayName: 'Mia Manager', email: 'mia@example.com' });

const input = (overrides: Partial<ComposeInput> = {}): ComposeInput => ({
  campaign,
  kind: 'APPROVAL_START',
  key: notificationKey.approvalStart('e-1', 'u-manager'),
  recipientId: 'u-manager',
  recipient: manager,
  ownerName: 'Olga Owner',
  portalUrl: 'https://idgov.example.com/',
  now: at(NOW),
  entryId: 'e-1',
  ...overrides,
});

describe('notificationKey', () => {
  it('gives each kind of notification about the same things its own key', () => {
    const keys = [
      notificationKey.prepareError(campaign, 1),
      notificationKey.noApprover('e-1'),
      notificationKey.approvalStart('e-1', 'u-manager'),
      notificationKey.approverRemind(campaign, '2026-07-10T00:00:00.000Z', 'u-manager'),
      notificationKey.approvalTimeout('e-1', 'u-manager'),
      notificationKey.campaignStart(campaign),
      notificationKey.assignmentReject(campaign, 'u-manager'),
      notificationKey.campaignEnd(campaign),
      notificationKey.revocationUnverified(campaign),
    ];
    expect(new Set(keys).size).toBe(9);
  });

  it('is deterministic', () => {
    expect(notificationKey.approverRemind(campaign, '2026-07-10T00:00:00.000Z', 'u-a')).toBe(notificationKey.approverRemind(aCampaign({ state: 'RUNNING' }), '2026-07-10T00:00:00.000Z', 'u-a'));
    expect(notificationKey.campaignStart(campaign)).toBe(notificationKey.campaignStart(aCampaign({ state: 'RUNNING' })));
  });

  it('distinguishes recipients, entries, runs, reminder periods and preparation attempts', () => {
    const keys = [
      notificationKey.approverRemind(campaign, '2026-07-10T00:00:00.000Z', 'u-a'),
      notificationKey.approverRemind(campaign, '2026-07-11T00:00:00.000Z', 'u-a'),
      notificationKey.approverRemind(campaign, '2026-07-10T00:00:00.000Z', 'u-b'),
      notificationKey.approverRemind({ runId: 'c-other#1' }, '2026-07-10T00:00:00.000Z', 'u-a'),
      notificationKey.approvalStart('e-1', 'u-a'),
      notificationKey.approvalStart('e-1', 'u-b'),
      notificationKey.approvalStart('e-2', 'u-a'),
      notificationKey.assignmentReject(campaign, 'u-a'),
      notificationKey.assignmentReject(campaign, 'u-b'),
      notificationKey.prepareError(campaign, 1),
      notificationKey.prepareError(campaign, 2),
    ];
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('starts over with each run of a recurring campaign', () => {
    const second = aCampaign({ run: 2 });
    expect(notificationKey.campaignStart(second)).not.toBe(notificationKey.campaignStart(campaign));
    expect(notificationKey.campaignEnd(second)).not.toBe(notificationKey.campaignEnd(campaign));
    expect(notificationKey.prepareError(second, 1)).not.toBe(notificationKey.prepareError(campaign, 1));
    expect(notificationKey.assignmentReject(second, 'u-a')).not.toBe(notificationKey.assignmentReject(campaign, 'u-a'));
  });
});

describe('runLabel, tasksUrl and entryUrl', () => {
  it('labels a run with the campaign name and start date', () => {
    expect(runLabel({ name: 'Finance high-risk users', startDate: '2026-07-01T00:00:00.000Z' })).toBe('Finance high-risk users 2026-07-01');
  });

  it('links the approver tasks, with or without a trailing slash, encoding the id', () => {
    expect(tasksUrl('https://idgov.example.com//', 'u a&b')).toBe('https://idgov.example.com/tasks?approver=u%20a%26b');
    expect(tasksUrl('https://idgov.example.com', 'u-1')).toBe('https://idgov.example.com/tasks?approver=u-1');
  });

  it("links an entry's page in the portal, with or without a trailing slash, encoding the id as one path segment", () => {
    expect(entryUrl('https://idgov.example.com/', 'e-0123456789ab')).toBe('https://idgov.example.com/entries/e-0123456789ab');
    expect(entryUrl('https://idgov.example.com', 'a/b c')).toBe('https://idgov.example.com/entries/a%2Fb%20c');
  });
});

describe('composeNotification', () => {
  it('renders a PENDING notification to the recipient email', () => {
    expect(composeNotification(input())).toStrictEqual({
      key: 'e-1|APPROVAL_START|u-manager',
      kind: 'APPROVAL_START',
      campaignId: 'c-test',
      runId: 'c-test#1',
      entryId: 'e-1',
      recipientId: 'u-manager',
      to: 'mia@example.com',
      subject: 'APPROVAL_START: Finance high-risk users due 2026-07-15',
      body: 'Hello Mia Manager, Finance high-risk users 2026-07-01: https://idgov.example.com/tasks?approver=u-manager',
      status: 'PENDING',
      createdAt: NOW,
      attempts: 0,
    });
  });

  it('uses the template of the kind it composes', () => {
    expect(composeNotification(input({ kind: 'CAMPAIGN_END' })).subject).toBe('CAMPAIGN_END: Finance high-risk users due 2026-07-15');
  });

  it('leaves out the entry of a campaign-level notification', () => {
    const n = composeNotification(input({ kind: 'CAMPAIGN_START', key: notificationKey.campaignStart(campaign), entryId: undefined }));
    expect('entryId' in n).toBe(false);
  });

  it('renders an empty due date before the campaign has one', () => {
    const preparing = aCampaign();
    expect(composeNotification(input({ campaign: preparing, kind: 'PREPARE_ERROR' })).subject).toBe(
      'PREPARE_ERROR: Finance high-risk users due',
    );
  });

  it('skips, with the reason, when the template is inactive', () => {
    const quiet = aCampaign({ dueDate: DUE });
    quiet.templates.APPROVAL_START = { ...quiet.templates.APPROVAL_START, active: false };
    const n = composeNotification(input({ campaign: quiet }));
    expect(n).toMatchObject({ status: 'SKIPPED', lastError: 'template inactive' });
    // Still rendered, so the outbox shows what was not sent.
    expect(n.subject).toBe('APPROVAL_START: Finance high-risk users due 2026-07-15');
  });

  it('skips, with the reason, when the recipient is not in the directory', () => {
    const n = composeNotification(input({ recipient: undefined, recipientId: 'u-gone' }));
    expect(n).toMatchObject({ status: 'SKIPPED', lastError: 'recipient u-gone is not in the directory', recipientId: 'u-gone' });
    expect('to' in n).toBe(false);
    // The greeting falls back to the id.
    expect(n.body).toContain('Hello u-gone,');
  });

  it('skips, with the reason, when the recipient has no email address', () => {
    const n = composeNotification(input({ recipient: aUser({ id: 'u-manager', email: '' }) }));
    expect(n).toMatchObject({ status: 'SKIPPED', lastError: 'recipient u-manager has no email address' });
    expect('to' in n).toBe(false);
  });

  it('passes extras to the template', () => {
    const custom = aCampaign({ dueDate: DUE });
    custom.templates.NO_APPROVER = { active: true, subject: 'No approver for {{subjectName}} ({{itemCount}})', body: '{{ownerName}}' };
    const n = composeNotification(
      input({ campaign: custom, kind: 'NO_APPROVER', extras: { subjectName: 'Alice', itemCount: 3 }, recipient: aUser({ id: 'u-owner' }) }),
    );
    expect(n.subject).toBe('No approver for Alice (3)');
    expect(n.body).toBe('Olga Owner');
  });

  it('renders the product default templates with the campaign name and due date', () => {
    const withDefaults = aCampaign({ dueDate: DUE, templates: buildTemplates() });
    const n = composeNotification(input({ campaign: withDefaults, extras: { subjectName: 'Alice', itemCount: 2 } }));
    expect(n.status).toBe('PENDING');
    expect(n.subject).toContain('Finance high-risk users');
    expect(n.subject).toContain('2026-07-15');
    expect(n.body).toContain('Mia Manager');
    // The mail about an entry lands on that entry.
    expect(n.body).toContain('Open this review: https://idgov.example.com/entries/e-1\n');
    expect(n.body).not.toContain('/tasks');
  });

  it('gives templates the entry link only for a notice about an entry', () => {
    const custom = aCampaign({ dueDate: DUE });
    custom.templates.APPROVAL_REMIND = { active: true, subject: 'Remind', body: '{{entryUrl}} {{tasksUrl}}' };
    custom.templates.CAMPAIGN_START = { active: true, subject: 'Start', body: '[{{entryUrl}}] {{tasksUrl}}' };
    expect(composeNotification(input({ campaign: custom, kind: 'APPROVAL_REMIND' })).body).toBe(
      'https://idgov.example.com/entries/e-1 https://idgov.example.com/tasks?approver=u-manager',
    );
    expect(composeNotification(input({ campaign: custom, kind: 'CAMPAIGN_START', entryId: undefined })).body).toBe('[] https://idgov.example.com/tasks?approver=u-manager');
  });
});

describe('a campaign created before a notification kind existed', () => {
  it('has no copy of its template: the product default renders it', () => {
    const { REVOCATION_UNVERIFIED: _missing, ...older } = buildTemplates();
    const before = aCampaign({ state: 'RUNNING', dueDate: DUE, templates: older as ReturnType<typeof buildTemplates> });
    const notice = composeNotification(
      input({
        campaign: before,
        kind: 'REVOCATION_UNVERIFIED',
        key: notificationKey.revocationUnverified(before),
        entryId: undefined,
        extras: { stillPresent: [{ userId: 'u-b', privilegeId: 'p-git', privilegeName: 'Git' }], stillPresentCount: 1, verifiedCount: 4 },
      }),
    );
    expect(notice).toMatchObject({ kind: 'REVOCATION_UNVERIFIED', status: 'PENDING', subject: 'Access still present after the review "Finance high-risk users"' });
    expect(notice.body).toContain('Removals still present: 1 of 4 checked\n- u-b: Git (p-git)\n');
  });
});
