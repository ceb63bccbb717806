// Notices of approval runs: keys, templates, and the outbox record.
import { describe, expect, it } from 'vitest';
import { APPROVAL_NOTICE_TEMPLATES, approvalNoticeKey, approvalNoticeView, composeApprovalNotice, renderApprovalNotice, stepOfApprovalNotice, type ApprovalNoticeKind } from '../../../../lambdas/shared/domain/approvals/approval-notices.js';
import { newRun, openStep, decideStep } from '../../../../lambdas/shared/domain/approvals/approval-run.js';
import { DEFAULT_WORKFLOW, type ApprovalPurpose, type ApprovalRun } from '../../../../lambdas/shared/domain/approvals/model.js';
import { missingPlaceholders } from '../../../../lambdas/shared/domain/templates.js';

const NOW = new Date('2027-01-04T06:00:00.000Z');
const owen = { id: 'owen', displayName: 'Owen Owner', email: 'owen@example.com', status: 'ACTIVE' as const };

function aRun(purpose: ApprovalPurpose): ApprovalRun {
  const draft = newRun({
    purpose,
    assignment: { userId: 'alice', privilegeId: 'p-prod', origin: 'MANUAL', grantedAt: '2025-01-01T00:00:00.000Z', approvedAt: '2026-10-06T00:00:00.000Z', approvedBy: 'mary', endDate: '2027-12-31T00:00:00.000Z' },
    privilege: { id: 'p-prod', name: 'AWS-Prod-Admin', riskLevel: 'CRITICAL' },
    subject: { displayName: 'Alice Adams' },
    workflow: DEFAULT_WORKFLOW,
    now: NOW,
  });
  return openStep(draft, 0, { approverIds: ['owen'] }, NOW).run;
}

const REAPPROVAL: ApprovalPurpose = { kind: 'REAPPROVAL', mode: 'CONTINUOUS', dueAt: '2027-01-04T00:00:00.000Z', intervalDays: 90 };
const CAMPAIGN: ApprovalPurpose = { kind: 'CAMPAIGN', campaignId: 'c-1', runId: 'c-1#1', entryId: 'e-1', itemId: 'p-prod', reason: 'REJECTED' };

describe('run notice keys', () => {
  it('are exactly as documented', () => {
    expect(approvalNoticeKey.start('a-1', 0, false, 'owen')).toBe('a-1|APPROVAL_START|0|0|owen');
    expect(approvalNoticeKey.start('a-1', 1, true, 'dan')).toBe('a-1|APPROVAL_START|1|1|dan');
    expect(approvalNoticeKey.remind('a-1', 0, true, 12, 'dan')).toBe('a-1|APPROVAL_REMIND|0|1|12|dan');
    expect(approvalNoticeKey.timeout('a-1', 0, 'owen')).toBe('a-1|APPROVAL_TIMEOUT|0|owen');
    expect(approvalNoticeKey.assignmentReject('a-1')).toBe('a-1|ASSIGNMENT_REJECT');
  });

  it('name their step (0-based), except Assignment Reject', () => {
    expect(stepOfApprovalNotice(approvalNoticeKey.start('a-1', 1, true, 'dan'))).toBe(1);
    expect(stepOfApprovalNotice(approvalNoticeKey.remind('a-1', 2, false, 12, 'dan'))).toBe(2);
    expect(stepOfApprovalNotice(approvalNoticeKey.timeout('a-1', 0, 'owen'))).toBe(0);
    expect(stepOfApprovalNotice(approvalNoticeKey.assignmentReject('a-1'))).toBeUndefined();
    expect(stepOfApprovalNotice('e-1|APPROVAL_START|x')).toBeUndefined();
  });
});

describe('composeApprovalNotice', () => {
  it('names the run as campaign, run and approval, renders the product template, and links the run in the portal', () => {
    const run = aRun(REAPPROVAL);
    const n = composeApprovalNotice({ run, intent: { kind: 'APPROVAL_START', key: 'k', recipientId: 'owen' }, recipient: owen, portalUrl: 'https://portal.example/', now: NOW });
    expect(n).toMatchObject({ key: 'k', kind: 'APPROVAL_START', campaignId: run.id, runId: run.id, approvalId: run.id, recipientId: 'owen', to: 'owen@example.com', status: 'PENDING', attempts: 0, createdAt: NOW.toISOString() });
    expect(n.entryId).toBeUndefined();
    expect(n.entryVersion).toBeUndefined();
    expect(composeApprovalNotice({ run, intent: { kind: 'APPROVAL_START', key: 'k', recipientId: 'owen' }, recipient: owen, portalUrl: 'https://portal.example/', now: NOW, entryVersion: 3 }).entryVersion).toBe(3);
    expect(n.subject).toBe('Action required: re-approve AWS-Prod-Admin for Alice Adams, due 2027-01-19');
    expect(n.body).toContain('Hello Owen Owner,');
    expect(n.body).toContain(`Open this decision: https://portal.example/entries/${run.id}\n`);
    expect(n.body).not.toContain('/tasks');
    const remind = composeApprovalNotice({ run, intent: { kind: 'APPROVAL_REMIND', key: 'k', recipientId: 'owen' }, recipient: owen, portalUrl: 'https://portal.example', now: NOW });
    expect(remind.body).toContain(`Please decide before the due date: https://portal.example/entries/${run.id}\n`);
    expect(n.body).toContain('Under review: AWS-Prod-Admin (p-prod, risk CRITICAL) held by Alice Adams (alice)');
    expect(n.body).toContain('Last approved: 2026-10-06 by mary');
  });

  it('a campaign hand-over reads as an approval, not a re-approval', () => {
    const n = composeApprovalNotice({ run: aRun(CAMPAIGN), intent: { kind: 'APPROVAL_START', key: 'k', recipientId: 'owen' }, recipient: owen, portalUrl: 'https://p', now: NOW });
    expect(n.subject).toBe('Action required: approve AWS-Prod-Admin for Alice Adams, due 2027-01-19');
    expect(n.body).toContain('An access review handed this assignment to its approval workflow.');
  });

  it('a recipient unknown or without an email address is recorded SKIPPED with the reason', () => {
    const run = aRun(REAPPROVAL);
    const intent = { kind: 'APPROVAL_REMIND' as const, key: 'k', recipientId: 'ghost' };
    expect(composeApprovalNotice({ run, intent, recipient: undefined, portalUrl: 'https://p', now: NOW })).toMatchObject({ status: 'SKIPPED', lastError: 'recipient ghost is not in the directory' });
    expect(composeApprovalNotice({ run, intent, recipient: { ...owen, email: '' }, portalUrl: 'https://p', now: NOW })).toMatchObject({ status: 'SKIPPED', lastError: 'recipient ghost has no email address' });
  });

  it('Assignment Reject tells the user what was removed, when and why', () => {
    const rejected = decideStep(aRun(REAPPROVAL), { outcome: 'REJECT', via: 'TIMEOUT', by: 'workflow:default' }, new Date('2027-02-01T06:00:00.000Z')).run;
    const alice = { id: 'alice', displayName: 'Alice Adams', email: 'alice@example.com', status: 'ACTIVE' as const };
    const n = composeApprovalNotice({ run: rejected, intent: { kind: 'ASSIGNMENT_REJECT', key: 'k', recipientId: 'alice' }, recipient: alice, portalUrl: 'https://p', now: NOW });
    expect(n.subject).toBe('Your access AWS-Prod-Admin has been removed');
    expect(n.body).toContain('needed to be re-approved and was not on 2027-02-01 (nobody approved it in time)');
  });

  it.each(Object.keys(APPROVAL_NOTICE_TEMPLATES) as ApprovalNoticeKind[])('every placeholder of the %s template is filled, for both purposes', (kind) => {
    for (const purpose of [REAPPROVAL, CAMPAIGN]) {
      const run = kind === 'ASSIGNMENT_REJECT' ? decideStep(aRun(purpose), { outcome: 'REJECT', via: 'DECISION', by: 'owen' }, NOW).run : aRun(purpose);
      const view = approvalNoticeView(run, 'owen', owen, 'https://p');
      const template = APPROVAL_NOTICE_TEMPLATES[kind];
      expect([...missingPlaceholders(template.subject, view), ...missingPlaceholders(template.body, view)]).toEqual([]);
    }
  });

  it.each(Object.keys(APPROVAL_NOTICE_TEMPLATES) as ApprovalNoticeKind[])('the %s template leaves out only optional sections for a run that has none of them', (kind) => {
    const bare = newRun({ purpose: REAPPROVAL, assignment: { userId: 'alice', privilegeId: 'p-prod', origin: 'MANUAL' }, privilege: { id: 'p-prod', name: 'P' }, subject: undefined, workflow: DEFAULT_WORKFLOW, now: NOW });
    const view = approvalNoticeView(openStep(bare, 0, { approverIds: ['owen'] }, NOW).run, 'owen', undefined, 'https://p');
    const template = APPROVAL_NOTICE_TEMPLATES[kind];
    const optional = ['privilegeRisk', 'grantedAt', 'approvedAt', 'endDate', 'outcomeDate', 'outcomeReason'];
    expect([...missingPlaceholders(template.subject, view), ...missingPlaceholders(template.body, view)].filter((name) => !optional.includes(name))).toEqual([]);
    const { body } = renderApprovalNotice(template, view);
    expect(body).toContain('Hello owen,');
    expect(body).not.toMatch(/\{\{|undefined/);
  });
});
