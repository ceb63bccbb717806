// The whole docs/reference/campaigns.md lifecycle through the real controller handler on a real DynamoDB engine.
import { describe, expect, it } from 'vitest';
import { changeCampaign, changeEntry, showCampaign } from '../../lambdas/shared/use-cases/campaign-admin.js';
import { ClosedError, ForbiddenError, ValidationError } from '../../lambdas/shared/domain/errors.js';
import { collect } from '../../lambdas/shared/use-cases/concurrency.js';
import { createHarness, type Harness } from '../support/controller-harness.js';
import { useEngine } from '../support/engine.js';
import { day, entryOf, highRiskUserCampaign, lifecycleSteps, smallOrg, T0, type Step } from '../support/small-org.js';

const engine = useEngine();

async function setup(): Promise<Harness> {
  const { doc, names } = await engine.freshTables();
  const h = createHarness(doc, names);
  await h.load(smallOrg());
  return h;
}

async function play(h: Harness, campaignId: string, steps: Step[]) {
  for (const step of steps) {
    if ('run' in step) await h.run(step.at);
    else await h.decide(entryOf(campaignId, step.decide.subjectId), step.decide.actor, step.decide.decisions, step.at);
  }
}

const kindsOf = async (h: Harness, campaignId: string) =>
  (await collect(h.outbox.listByCampaign(campaignId))).map((n) => n.kind).sort();

describe('USER campaign lifecycle', () => {
  it('runs from PREPARING to DELETED with every notification, decision and revocation', async () => {
    const h = await setup();
    const id = await h.create(highRiskUserCampaign(), T0, 'c-life');

    // Before the start date nothing happens.
    await h.run('2026-06-30T23:00:00.000Z');
    expect((await h.campaigns.getCampaign(id))!.state).toBe('PREPARING');

    const [start, ...rest] = lifecycleSteps();
    await h.run(start!.at);
    let view = await showCampaign(h.campaigns, id);
    expect(view.campaign.state).toBe('RUNNING');
    expect(view.campaign.dueDate).toBe(day(14));
    expect(view.campaign.logs.some((l) => l.level === 'WARN')).toBe(false); // statusExpirationDate given
    const bySubject = Object.fromEntries(view.entries.map((e) => [e.entry.subjectId, e]));
    expect(Object.keys(bySubject).sort()).toEqual(['u1', 'u4', 'u6']); // u2 is LOW risk
    expect(bySubject.u1!.entry).toMatchObject({ state: 'RUNNING', approverIds: ['m1'], itemCount: 3 });
    expect(bySubject.u1!.items.map((i) => i.id).sort()).toEqual(['p-fin', 'p-git', 'p-prod']); // RULE p-mail excluded
    expect(bySubject.u4!.items.map((i) => i.id).sort()).toEqual(['p-git', 'p-prod']); // INHERITED p-fin excluded
    expect(bySubject.u6!.entry).toMatchObject({ state: 'FAILED.PREPARE', approverIds: [] });
    expect(await kindsOf(h, id)).toEqual(['APPROVAL_START', 'APPROVAL_START', 'CAMPAIGN_START', 'NO_APPROVER']);
    expect(h.mailer.sent.map((m) => m.to).sort()).toEqual(['admin@example.com', 'admin@example.com', 'm1@example.com', 'm2@example.com']);

    // Refusals change nothing.
    await expect(h.decide(entryOf(id, 'u1'), 'm2', [{ itemId: 'p-fin', outcome: 'APPROVE' }], day(1))).rejects.toBeInstanceOf(ForbiddenError);
    await expect(h.decide(entryOf(id, 'u1'), 'm1', [{ itemId: 'nope', outcome: 'APPROVE' }], day(1))).rejects.toBeInstanceOf(ValidationError);
    await expect(h.decide(entryOf(id, 'u6'), 'admin', [{ itemId: 'p-fin', outcome: 'APPROVE' }], day(1))).rejects.toBeInstanceOf(ForbiddenError);
    expect((await h.campaigns.getEntryWithItems(entryOf(id, 'u1')))!.items.every((i) => !i.decision)).toBe(true);

    await play(h, id, rest.slice(0, 3)); // decisions on u1, reminders on days 11 and 12
    expect((await kindsOf(h, id)).filter((k) => k === 'APPROVAL_REMIND')).toHaveLength(4);

    await play(h, id, rest.slice(3, 4)); // last decision on u1: entry finished
    expect((await h.campaigns.getEntry(entryOf(id, 'u1')))!.state).toBe('APPROVAL.FINISHED');
    await expect(h.decide(entryOf(id, 'u1'), 'm1', [{ itemId: 'p-fin', outcome: 'REJECT' }], day(13, 2))).rejects.toBeInstanceOf(ClosedError);

    await play(h, id, rest.slice(4, 5)); // due date: expire u4, apply, succeed
    view = await showCampaign(h.campaigns, id);
    expect(view.campaign.state).toBe('SUCCEEDED');
    expect(view.campaign.endDate).toBe(day(14, 1));
    expect(view.campaign.statusExpirationDate).toBe('2026-09-01T00:00:00.000Z');
    const states = Object.fromEntries(view.entries.map((e) => [e.entry.subjectId, e.entry.state]));
    expect(states).toEqual({ u1: 'FINISHED', u4: 'FINISHED', u6: 'FAILED.PREPARE' });
    expect(view.campaign.stats).toMatchObject({ entries: 3, approved: 1, rejected: 1, modified: 1, uncertified: 2, revoked: 3 });

    // Only MANUAL assignments were touched: rejected and uncertified removed, modified changed.
    const u1 = await h.directory.listAssignmentsOfUser('u1');
    expect(u1.map((a) => a.privilegeId).sort()).toEqual(['p-fin', 'p-mail', 'p-prod']);
    expect(u1.find((a) => a.privilegeId === 'p-prod')).toMatchObject({ endDate: '2026-10-01T00:00:00.000Z', parameters: { account: 'prod-1' } });
    expect((await h.directory.listAssignmentsOfUser('u4')).map((a) => `${a.privilegeId}:${a.origin}`)).toEqual(['p-fin:INHERITED']);
    expect((await h.directory.listAssignmentsOfUser('u6')).map((a) => a.privilegeId)).toEqual(['p-fin']);

    const outbox = await collect(h.outbox.listByCampaign(id));
    const rejects = outbox.filter((n) => n.kind === 'ASSIGNMENT_REJECT');
    expect(rejects.map((n) => n.recipientId).sort()).toEqual(['u1', 'u4']); // one per user
    expect(rejects.find((n) => n.recipientId === 'u4')!.body).toMatch(/AWS-Prod-Admin[\s\S]*GitHub-Org-Owner|GitHub-Org-Owner[\s\S]*AWS-Prod-Admin/);
    expect(outbox.filter((n) => n.kind === 'APPROVAL_TIMEOUT').map((n) => n.recipientId)).toEqual(['m2']);
    expect(outbox.filter((n) => n.kind === 'CAMPAIGN_END').map((n) => n.recipientId)).toEqual(['admin']);
    expect(outbox.every((n) => n.status === 'SENT')).toBe(true);
    expect(h.mailer.sent).toHaveLength(outbox.length);

    await play(h, id, rest.slice(5)); // status expiration: DELETED, then cleanup
    view = await showCampaign(h.campaigns, id);
    expect(view.campaign.state).toBe('DELETED');
    expect(view.campaign.cleanedAt).toBe(day(70));
    expect(view.entries).toEqual([]);
    expect(await collect(h.campaigns.listRevocations(view.campaign.runId))).toEqual([]);
    // The run's notifications go with it: no outbox record outlives the status expiration.
    expect(await collect(h.outbox.listByCampaign(id))).toEqual([]);
  });

  it('changes nothing when run again at the same instant', async () => {
    const h = await setup();
    const id = await h.create(highRiskUserCampaign(), T0, 'c-again');
    for (const step of lifecycleSteps()) {
      if (!('run' in step)) {
        await h.decide(entryOf(id, step.decide.subjectId), step.decide.actor, step.decide.decisions, step.at);
        continue;
      }
      await h.run(step.at);
      const before = await h.snapshot();
      const sent = h.mailer.sent.length;
      const report = await h.run(step.at);
      expect(report.transitions).toEqual([]);
      expect(await h.snapshot()).toEqual(before);
      expect(h.mailer.sent.length).toBe(sent);
    }
  });
});

describe('PRIVILEGE campaign', () => {
  it('certifies the manual holders of each privilege with its owners as approvers', async () => {
    const h = await setup();
    const id = await h.create(
      highRiskUserCampaign({ name: 'Critical privileges', kind: 'PRIVILEGE', subjects: { filter: '(riskLevel>=HIGH)' }, resources: { filter: '(department=Finance)' } }),
      T0,
      'c-priv',
    );
    await h.run(day(0, 1));
    const view = await showCampaign(h.campaigns, id);
    const bySubject = Object.fromEntries(view.entries.map((e) => [e.entry.subjectId, e]));
    expect(Object.keys(bySubject).sort()).toEqual(['p-fin', 'p-prod']);
    expect(bySubject['p-fin']!.entry).toMatchObject({ state: 'RUNNING', approverIds: ['m1'] });
    expect(bySubject['p-fin']!.items.map((i) => i.id).sort()).toEqual(['u1', 'u2', 'u6']); // u4 holds it INHERITED
    expect(bySubject['p-prod']!.entry.state).toBe('FAILED.PREPARE'); // no owner
    await h.decide(entryOf(id, 'p-fin'), 'm1', [{ itemId: 'u2', outcome: 'REJECT' }, { itemId: 'u1', outcome: 'APPROVE' }, { itemId: 'u6', outcome: 'APPROVE' }], day(3));
    await h.run(day(14, 1));
    expect((await h.campaigns.getCampaign(id))!.state).toBe('SUCCEEDED');
    expect(await h.directory.listAssignmentsOfUser('u2')).toEqual([]);
    // The FAILED.PREPARE entry is left as it is: nobody could certify it.
    expect((await h.directory.listAssignmentsOfUser('u4')).map((a) => a.privilegeId).sort()).toEqual(['p-fin', 'p-git', 'p-prod']);
  });
});

describe('validation and administration', () => {
  it('fails an invalid campaign with a Prepare Error, and retries once the owner fixes it', async () => {
    const h = await setup();
    const id = await h.create(highRiskUserCampaign({ approvalPeriodDays: undefined, subjects: { filter: '(&(department=Finance)' } }), T0, 'c-bad');
    await h.run(day(0, 1));
    let campaign = (await h.campaigns.getCampaign(id))!;
    expect(campaign.state).toBe('FAILED.PREPARED');
    expect(campaign.logs.filter((l) => l.level === 'ERROR').map((l) => l.field).sort()).toEqual(['approvalPeriodDays', 'subjects.filter']);
    const errors = (await collect(h.outbox.listByCampaign(id))).filter((n) => n.kind === 'PREPARE_ERROR');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.body).toContain('approvalPeriodDays');

    // Still broken: set back to PREPARING, fails again, a second Prepare Error.
    await changeCampaign(h, id, { state: 'PREPARING' }, new Date(day(1)), 'admin');
    await h.run(day(1, 1));
    expect((await collect(h.outbox.listByCampaign(id))).filter((n) => n.kind === 'PREPARE_ERROR')).toHaveLength(2);

    // The owner fixes the definition (here: directly in the store) and sets it back to PREPARING.
    campaign = (await h.campaigns.getCampaign(id))!;
    await h.campaigns.saveCampaign({ ...campaign, approvalPeriodDays: 14, subjects: { filter: '(riskLevel>=HIGH)' }, version: campaign.version + 1 });
    await changeCampaign(h, id, { state: 'PREPARING' }, new Date(day(2)), 'admin');
    await h.run(day(2, 1));
    campaign = (await h.campaigns.getCampaign(id))!;
    expect(campaign.state).toBe('RUNNING');
    expect(campaign.dueDate).toBe(day(14)); // start + period
  });

  it('lets the administrator move due dates and reopen an expired entry', async () => {
    const h = await setup();
    const id = await h.create(highRiskUserCampaign(), T0, 'c-admin');
    await h.run(day(0, 1));
    await changeCampaign(h, id, { dueDate: '2026-07-20' }, new Date(day(1)), 'admin');
    expect((await h.campaigns.getEntry(entryOf(id, 'u1')))!.dueDate).toBe('2026-07-20T00:00:00.000Z');
    // u4's entry alone is due earlier.
    await changeEntry(h, entryOf(id, 'u4'), { dueDate: day(5) }, new Date(day(1)));
    await h.run(day(5, 1));
    expect((await h.campaigns.getEntry(entryOf(id, 'u4')))!.state).toBe('FAILED.EXPIRED');
    expect((await h.campaigns.getCampaign(id))!.state).toBe('RUNNING');
    await expect(changeEntry(h, entryOf(id, 'u4'), { state: 'RUNNING' }, new Date(day(6)))).rejects.toThrow(/due date in the future/);
    await changeEntry(h, entryOf(id, 'u4'), { state: 'RUNNING', dueDate: day(9) }, new Date(day(6)));
    await h.decide(entryOf(id, 'u4'), 'm2', [{ itemId: 'p-git', outcome: 'APPROVE' }, { itemId: 'p-prod', outcome: 'APPROVE' }], day(7));
    expect((await h.campaigns.getEntry(entryOf(id, 'u4')))!.state).toBe('APPROVAL.FINISHED');
    await expect(changeCampaign(h, id, { state: 'SUCCEEDED' }, new Date(day(7)), 'admin')).rejects.toBeInstanceOf(ValidationError);

    // Reopened for a second look with everything decided: the approver may revise, but has no open
    // work to be reminded of (its reminder slots pass unused).
    await changeEntry(h, entryOf(id, 'u4'), { state: 'RUNNING', dueDate: day(12) }, new Date(day(8)));
    for (const d of [9, 10, 11]) expect((await h.run(day(d, 1))).errors).toEqual([]);
    const reminders = (await collect(h.outbox.listByCampaign(id))).filter((n) => n.kind === 'APPROVAL_REMIND');
    expect(reminders.filter((n) => n.entryId === entryOf(id, 'u4'))).toEqual([]);
    expect((await h.campaigns.getEntry(entryOf(id, 'u4')))!.lastReminderSlot).toBeDefined();
  });
});

describe('recurrence', () => {
  it('archives the finished run under its name and start date and starts the next one', async () => {
    const h = await setup();
    const id = await h.create(
      highRiskUserCampaign({
        recurrence: { intervalDays: 90 },
        statusExpirationDate: undefined,
        notifications: { CAMPAIGN_START: { subject: 'Custom: {{campaignName}} starts' } },
      }),
      T0,
      'c-rec',
    );
    await h.run(day(0, 1));
    await changeCampaign(h, id, { dueDate: '2026-07-10' }, new Date(day(1)), 'admin');
    await h.run(day(10, 1));
    const first = (await h.campaigns.getCampaign(id))!;
    expect(first.state).toBe('SUCCEEDED');
    // Recurring: it does not expire at end + 30 days, it restarts at start + 90 days.
    await h.run(day(45));
    expect((await h.campaigns.getCampaign(id))!.state).toBe('SUCCEEDED');

    await h.run(day(90, 1));
    const next = (await h.campaigns.getCampaign(id))!;
    expect(next).toMatchObject({ state: 'RUNNING', run: 2, runId: `${id}#2`, startDate: day(90) });
    expect(next.dueDate).toBe(day(104)); // recomputed: the old run's manual due date does not carry over
    expect(next.templates).toEqual(first.templates);
    const archive = (await h.campaigns.getCampaign(`${id}-r1`))!;
    expect(archive).toMatchObject({ name: 'Finance high-risk users 2026-07-01', state: 'SUCCEEDED', archived: true, runId: `${id}#1` });
    expect((await showCampaign(h.campaigns, archive.id)).entries.length).toBe(3);
    const starts = (await collect(h.outbox.listByCampaign(id))).filter((n) => n.kind === 'CAMPAIGN_START');
    expect(starts.map((n) => n.subject)).toEqual(['Custom: Finance high-risk users starts', 'Custom: Finance high-risk users starts']);

    // Clearing the interval stops the recurrence; the archive expires on its own.
    await changeCampaign(h, id, { recurrenceDays: null }, new Date(day(91)), 'admin');
    await h.run(day(200));
    expect((await h.campaigns.getCampaign(archive.id))!.state).toBe('DELETED'); // its end + 30 days passed long ago
    await h.run(day(200, 1));
    // Its cleanup takes the first run's notifications and leaves the second run's.
    expect(await collect(h.outbox.listByRun(id, `${id}#1`))).toEqual([]);
    expect(new Set((await collect(h.outbox.listByCampaign(id))).map((n) => n.runId))).toEqual(new Set([`${id}#2`]));
    const second = (await h.campaigns.getCampaign(id))!;
    expect(second).toMatchObject({ state: 'SUCCEEDED', run: 2, statusExpirationDate: '2027-02-16T00:00:00.000Z' });
    await h.run(day(231, 2));
    expect((await h.campaigns.getCampaign(id))!.state).toBe('DELETED');
    expect(await h.campaigns.getCampaign(`${id}-r2`)).toBeUndefined();
  });
});

describe('self-review prevention', () => {
  it('gives an owner’s own access to their manager in an entry of its own, and logs it', async () => {
    const { doc, names } = await engine.freshTables();
    const h = createHarness(doc, names);
    const org = smallOrg();
    org.assignments.push({ userId: 'm1', privilegeId: 'p-fin', origin: 'MANUAL' });
    await h.load(org);
    const id = await h.create(highRiskUserCampaign({ kind: 'PRIVILEGE', subjects: { filter: '(id=p-fin)' } }), T0, 'c-self');
    await h.run(day(0, 1));
    const view = await showCampaign(h.campaigns, id);
    expect(view.entries).toHaveLength(2);
    const main = view.entries.find((e) => e.entry.id === entryOf(id, 'p-fin'))!;
    const own = view.entries.find((e) => e.entry.id !== main.entry.id)!;
    expect(main.entry.approverIds).toEqual(['m1']);
    expect(main.items.map((i) => i.id).sort()).toEqual(['u1', 'u2', 'u6']);
    expect(own.entry).toMatchObject({ subjectId: 'p-fin', approverIds: ['admin'], state: 'RUNNING' });
    expect(own.items.map((i) => i.id)).toEqual(['m1']);
    expect(own.entry.substitutions).toEqual([{ itemId: 'm1', from: 'm1', to: 'admin', reason: 'm1 would certify their own access' }]);
    expect(view.campaign.logs.some((l) => /self-review: m1's own access in p-fin goes to admin/.test(l.message))).toBe(true);
    await expect(h.decide(own.entry.id, 'm1', [{ itemId: 'm1', outcome: 'APPROVE' }], day(1))).rejects.toBeInstanceOf(ForbiddenError);
    await h.decide(own.entry.id, 'admin', [{ itemId: 'm1', outcome: 'APPROVE' }], day(1));
    expect((await h.campaigns.getEntry(own.entry.id))!.state).toBe('APPROVAL.FINISHED');
  });
});

describe('bulk decisions', () => {
  it('decides every open item of an entry, or of one privilege across the approver’s tasks, in one call', async () => {
    const h = await setup();
    const id = await h.create(highRiskUserCampaign(), T0, 'c-bulk');
    await h.run(day(0, 1));
    const { decide: decideUseCase, decideForPrivilege } = await import('../../lambdas/shared/use-cases/decisions.js');
    await h.decide(entryOf(id, 'u1'), 'm1', [{ itemId: 'p-git', outcome: 'REJECT' }], day(1));
    const bulk = await decideUseCase(h, { entryId: entryOf(id, 'u1'), actorId: 'm1', all: { outcome: 'APPROVE', comment: 'all fine' } }, new Date(day(2)));
    expect(bulk.decided.sort()).toEqual(['p-fin', 'p-prod']); // the rejected item keeps its decision
    expect(bulk.finished).toBe(true);
    const items = (await h.campaigns.getEntryWithItems(entryOf(id, 'u1')))!.items;
    expect(Object.fromEntries(items.map((i) => [i.id, i.decision!.outcome]))).toEqual({ 'p-fin': 'APPROVE', 'p-git': 'REJECT', 'p-prod': 'APPROVE' });
    await expect(
      decideUseCase(h, { entryId: entryOf(id, 'u4'), actorId: 'm2', all: { outcome: 'MODIFY' } }, new Date(day(2))),
    ).rejects.toThrow(/outcome: a bulk decision is APPROVE or REJECT/);
    const results = await decideForPrivilege(h, { actorId: 'm2', privilegeId: 'p-prod', outcome: 'REJECT' }, new Date(day(3)));
    expect(results.map((r) => r.decided)).toEqual([['p-prod']]);
    await expect(decideForPrivilege(h, { actorId: 'm2', privilegeId: 'p-prod', outcome: 'REJECT' }, new Date(day(3)))).rejects.toThrow(
      /privilegeId: no open item of p-prod/,
    );
  });
});

describe('only MANUAL assignments are touched', () => {
  it('leaves an assignment that became rule-based during the campaign, and tells nobody it was removed', async () => {
    const h = await setup();
    const id = await h.create(highRiskUserCampaign(), T0, 'c-origin');
    await h.run(day(0, 1));
    // A directory reload turns u4's GitHub access into a rule-based one; u4 decides nothing.
    await h.directory.putAssignments([{ userId: 'u4', privilegeId: 'p-git', origin: 'RULE' }]);
    await h.run(day(14, 1));
    expect((await h.directory.listAssignmentsOfUser('u4')).map((a) => `${a.privilegeId}:${a.origin}`).sort()).toEqual(['p-fin:INHERITED', 'p-git:RULE']);
    const revoked = await collect(h.campaigns.listRevocations(`${id}#1`));
    expect(revoked.filter((r) => r.userId === 'u4').map((r) => r.privilegeId)).toEqual(['p-prod']);
    const reject = (await collect(h.outbox.listByCampaign(id))).find((n) => n.kind === 'ASSIGNMENT_REJECT' && n.recipientId === 'u4')!;
    expect(reject.body).toContain('AWS-Prod-Admin');
    expect(reject.body).not.toContain('GitHub-Org-Owner');
    expect((await h.campaigns.getEntry(entryOf(id, 'u4')))!.stats).toMatchObject({ uncertified: 2, revoked: 1 });
  });
});
