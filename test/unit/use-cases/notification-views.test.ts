// Every default template, rendered with exactly the view its composer gives: the real controller,
// decisions, reassignment and the administrator's rescue run a scripted lifecycle on the in-memory
// stores (with a directory change refused at the finish and applied by a later run), and every
// render is observed on its way through renderNotification. Mustache renders a missing name as nothing, so
// a composer that forgets a value would otherwise go unnoticed until someone reads the mail.
import { describe, expect, it, vi } from 'vitest';
import { InMemoryApprovalStore } from '../../../lambdas/shared/adapters/memory/in-memory-approval-store.js';
import { InMemoryAuditLog } from '../../../lambdas/shared/adapters/memory/in-memory-audit-log.js';
import { InMemoryCampaignStore } from '../../../lambdas/shared/adapters/memory/in-memory-campaign-store.js';
import { InMemoryDirectoryStore } from '../../../lambdas/shared/adapters/memory/in-memory-directory-store.js';
import { InMemoryOutbox } from '../../../lambdas/shared/adapters/memory/in-memory-outbox.js';
import { NOTIFICATION_KINDS, type NotificationKind, type NotificationTemplate } from '../../../lambdas/shared/domain/model.js';
import {
  DEFAULT_TEMPLATES,
  KIND_PLACEHOLDERS,
  missingPlaceholders,
  type NotificationView,
} from '../../../lambdas/shared/domain/templates.js';
import { createCampaign, nameEntryApprover } from '../../../lambdas/shared/use-cases/campaign-admin.js';
import { runCampaignController } from '../../../lambdas/shared/use-cases/campaign-controller.js';
import { decide } from '../../../lambdas/shared/use-cases/decisions.js';
import { silentLog, type Mailer } from '../../../lambdas/shared/use-cases/ports.js';
import { reassignEntry } from '../../../lambdas/shared/use-cases/reassign-entry.js';
import { refuseChangesTo } from '../../support/refusing-directory.js';
import { withRemovalsNotMade } from '../../support/removals-not-made.js';
import { day, entryOf, highRiskUserCampaign, lifecycleSteps, smallOrg } from '../../support/small-org.js';
import { testEvidenceArchiver } from '../../support/evidence.js';

const renders = vi.hoisted(() => [] as { template: NotificationTemplate; view: NotificationView }[]);

vi.mock('../../../lambdas/shared/domain/templates.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../../lambdas/shared/domain/templates.js')>();
  return {
    ...original,
    renderNotification: (template: NotificationTemplate, view: NotificationView) => {
      renders.push({ template, view: structuredClone(view) });
      return original.renderNotification(template, view);
    },
  };
});

const kindOf = (template: NotificationTemplate): NotificationKind | undefined =>
  NOTIFICATION_KINDS.find((k) => DEFAULT_TEMPLATES[k].subject === template.subject && DEFAULT_TEMPLATES[k].body === template.body);

/**
 * The scripted USER campaign (every lifecycle step), a PRIVILEGE one, one that cannot start, and
 * one for the administrator's powers: its only entry (u6, no manager) fails preparation and is
 * rescued; at the finish the directory refuses to remove u6's access (FAILED.APPLIED.CHANGES, which
 * Campaign End lists), and a run after the directory accepts it again sends a late Assignment Reject;
 * it also accepts the removal of u1's p-git without making it, which verification reports to the owner.
 */
async function runScenario() {
  const org = smallOrg();
  const directory = new InMemoryDirectoryStore();
  await directory.putUsers(org.users);
  await directory.putPrivileges(org.privileges);
  await directory.putAssignments(org.assignments);
  const outbox = new InMemoryOutbox();
  const campaigns = new InMemoryCampaignStore({ outbox });
  const approvals = new InMemoryApprovalStore();
  const audit = new InMemoryAuditLog();
  const admin = { campaigns, audit };
  const mailer: Mailer = { send: async () => ({ messageId: 'm' }) };
  const portalUrl = 'https://idgov.example.com';
  const created = new Date(day(-1));
  await createCampaign(admin, highRiskUserCampaign(), created, 'c-users');
  await createCampaign(admin,
    highRiskUserCampaign({ name: 'Critical privileges', kind: 'PRIVILEGE', subjects: { filter: '(riskLevel>=HIGH)' } }),
    created,
    'c-privileges',
  );
  await createCampaign(admin, highRiskUserCampaign({ name: 'Misconfigured', statusExpirationDate: '2026-07-05' }), created, 'c-broken');
  await createCampaign(admin, highRiskUserCampaign({ name: 'Admin powers', subjects: { filter: '(id=u6)' } }), created, 'c-powers');
  // Nobody decides it: every item uncertified and removed, over its cap, so its owner is asked to confirm (Apply Confirmation).
  await createCampaign(admin, highRiskUserCampaign({ name: 'Guarded', guard: { maxRemovalShare: 0.2 } }), created, 'c-guarded');

  const evidence = testEvidenceArchiver({ campaigns, approvals, outbox, audit, directory });
  let wallMs = Date.parse('2030-01-01T00:00:00.000Z');
  const run = (at: string, through = directory) =>
    runCampaignController({
      directory: through,
      campaigns,
      approvals,
      outbox,
      audit,
      mailer,
      clock: { now: () => new Date(at) },
      wallClock: { now: () => new Date((wallMs += 3_600_000)) },
      log: silentLog,
      settings: { portalUrl, leaseSeconds: 900 },
      evidence,
    });
  /** The renders of the run that retried the refused change, once the directory took it. */
  let retryRenders: typeof renders = [];
  for (const step of lifecycleSteps()) {
    if ('run' in step) {
      // The finish: the directory refuses to remove u6's FinanceAdmin (c-users leaves it alone).
      const refusal = step.at === day(14, 1) ? refuseChangesTo(directory, 'u6', 'p-fin') : undefined;
      // And accepts the removal of u1's GitAdmin without making it: verification finds it (Revocation Unverified).
      await run(step.at, step.at === day(14, 1) ? withRemovalsNotMade(directory, [['u1', 'p-git']]) : directory);
      if (refusal) {
        refusal.heal();
        const before = renders.length;
        await run(day(15, 1));
        retryRenders = renders.slice(before);
      }
    } else {
      const { subjectId, actor, decisions } = step.decide;
      await decide(admin, { entryId: entryOf('c-users', subjectId), actorId: actor, decisions }, new Date(step.at));
    }
    if (step.at === day(2)) {
      // A reassignment composes its Approval Start apart from preparation.
      await reassignEntry(
        { campaigns, directory, outbox, audit, portalUrl },
        { entryId: entryOf('c-users', 'u4'), actor: { kind: 'administrator', name: 'administrator' }, input: { to: 'm1', justification: 'm2 is on leave until August' } },
        new Date(step.at),
      );
      // So does the administrator's rescue of an entry that failed preparation.
      await nameEntryApprover({ campaigns, directory, outbox, audit, portalUrl }, { entryId: entryOf('c-powers', 'u6'), approverId: 'm1', by: 'ops-admin' }, new Date(step.at));
    }
  }
  return { directory, retryRenders };
}

describe('the notifications every composer renders with the default templates', async () => {
  const { directory, retryRenders } = await runScenario();
  const byKind = new Map<NotificationKind, NotificationView[]>();
  const foreign: string[] = [];
  for (const { template, view } of renders) {
    const kind = kindOf(template);
    if (!kind) foreign.push(template.subject);
    else byKind.set(kind, [...(byKind.get(kind) ?? []), view]);
  }
  const owner = (await directory.getUser('admin'))!;

  it('covers every kind, each rendered from the product default template', () => {
    expect(foreign).toEqual([]);
    expect([...byKind.keys()].sort()).toEqual([...NOTIFICATION_KINDS].sort());
  });

  it.each(NOTIFICATION_KINDS)('%s: every placeholder of its subject and body has a value', (kind) => {
    const views = byKind.get(kind) ?? [];
    expect(views.length).toBeGreaterThan(0);
    for (const view of views) {
      const missing = [
        ...missingPlaceholders(DEFAULT_TEMPLATES[kind].subject, view).map((name) => `subject: ${name}`),
        ...missingPlaceholders(DEFAULT_TEMPLATES[kind].body, view).map((name) => `body: ${name}`),
      ];
      expect(missing, `${kind} for ${view.recipientName} about ${view.subjectName ?? view.runLabel}`).toEqual([]);
    }
  });

  it.each(NOTIFICATION_KINDS)('%s: the composer fills every placeholder a custom template of its kind may use', (kind) => {
    for (const view of byKind.get(kind) ?? []) {
      const unfilled = KIND_PLACEHOLDERS[kind].filter((name) => view[name] === undefined || view[name] === '');
      expect(unfilled, `${kind} for ${view.recipientName}`).toEqual([]);
    }
  });

  it.each(NOTIFICATION_KINDS)('%s: names the owner and the recipient by their names, never by id', (kind) => {
    for (const view of byKind.get(kind) ?? []) {
      expect(view.ownerName).toBe(owner.displayName);
      expect(view.recipientName).toMatch(/^Name /);
    }
  });

  it('tells the owner at the start how many entries and assignments went out', () => {
    const start = byKind.get('CAMPAIGN_START')!.find((v) => v.campaignId === 'c-users')!;
    // u1 (3 items) and u4 (2) go to their managers; u6 has no manager: No Approver, 1 item.
    expect({ entryCount: start.entryCount, itemCount: start.itemCount, failedEntryCount: start.failedEntryCount }).toEqual({
      entryCount: 3,
      itemCount: 5,
      failedEntryCount: 1,
    });
  });

  it('counts at the end only the entries whose changes failed to apply, as the mail says', () => {
    const end = byKind.get('CAMPAIGN_END')!.find((v) => v.campaignId === 'c-users')!;
    // u6's entry failed preparation (No Approver): nothing was there to apply.
    expect(end.failedEntryCount).toBe(0);
    expect(end.entryCount).toBe(3);
  });

  it('renders the rescue’s Approval Start, a Campaign End that lists the entries whose changes failed, and the retry’s late Assignment Reject', () => {
    const powers = (kind: NotificationKind) => (byKind.get(kind) ?? []).filter((v) => v.campaignId === 'c-powers');
    // Preparation found nobody for u6; the rescue's notice goes to the approver named.
    expect(powers('APPROVAL_START').map((v) => `${v.recipientName} about ${v.subjectName}`)).toEqual(['Name m1 about Name u6']);
    const [end] = powers('CAMPAIGN_END');
    expect(end).toMatchObject({ failedEntryCount: 1, failedEntries: [{ entryId: entryOf('c-powers', 'u6'), subjectName: 'Name u6' }] });
    expect(end!.failedEntries![0]!.error).toContain('directory refused the change to u6/p-fin (injected)');
    // Each item of the section has every value the template reads from it.
    expect(missingPlaceholders(DEFAULT_TEMPLATES.CAMPAIGN_END.body, end!)).toEqual([]);
    // Nothing was removed at the finish: u6 hears of it only from the retry, in a notice of its own.
    expect(powers('ASSIGNMENT_REJECT').filter((v) => !retryRenders.some((r) => r.view.campaignId === v.campaignId && r.view.recipientName === v.recipientName))).toEqual([]);
    const late = retryRenders.filter((r) => r.view.campaignId === 'c-powers').map((r) => [kindOf(r.template), r.view.recipientName, r.view.revoked]);
    expect(late).toEqual([['ASSIGNMENT_REJECT', 'Name u6', [expect.objectContaining({ privilegeId: 'p-fin', privilegeName: 'FinanceAdmin' })]]]);
  });
});
