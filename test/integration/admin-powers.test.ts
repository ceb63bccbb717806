// The administrator's powers over a campaign at any time (docs/reference/campaigns.md step 3, issue 6 section 5), through
// the use cases and the real controller handler on a real engine: restart a SUCCEEDED campaign,
// rescue a FAILED.PREPARE entry by naming its approver, remove a role parameter, and a directory
// change refused at the finish (FAILED.APPLIED.CHANGES) that a later run retries. After each, a
// controller run at the same instant changes nothing and sends nothing.
import { describe, expect, it } from 'vitest';
import { archiveOf } from '../../lambdas/shared/domain/campaign-lifecycle.js';
import { nextActionAt } from '../../lambdas/shared/domain/campaign-schedule.js';
import { ClosedError, ConflictError, ValidationError } from '../../lambdas/shared/domain/errors.js';
import { changeCampaign, nameEntryApprover, showCampaign } from '../../lambdas/shared/use-cases/campaign-admin.js';
import { collect, mapLimit } from '../../lambdas/shared/use-cases/concurrency.js';
import { listTasks } from '../../lambdas/shared/use-cases/decisions.js';
import { createHarness, KilledError, type Harness } from '../support/controller-harness.js';
import { useEngine } from '../support/engine.js';
import { refuseChangesTo } from '../support/refusing-directory.js';
import { day, entryOf, highRiskUserCampaign, smallOrg, T0 } from '../support/small-org.js';

const engine = useEngine();

async function setup(): Promise<Harness> {
  const { doc, names } = await engine.freshTables();
  const h = createHarness(doc, names);
  const org = smallOrg();
  org.users.push({ id: 'gone', displayName: 'Name gone', email: 'gone@example.com', department: 'IT', status: 'DISABLED', riskLevel: 'LOW' });
  await h.load(org);
  return h;
}

/** A controller run at the same instant again: no transition, no record changed, no mail. */
async function expectRerunChangesNothing(h: Harness, at: string): Promise<void> {
  const before = await h.snapshot();
  const sent = h.mailer.sent.length;
  const report = await h.run(at);
  expect(report.transitions).toEqual([]);
  expect(report.errors).toEqual([]);
  expect(await h.snapshot()).toEqual(before);
  expect(h.mailer.sent.length).toBe(sent);
}

const mailTo = (h: Harness, address: string) => h.mailer.sent.filter((m) => m.to === address);

describe('restarting a SUCCEEDED campaign by hand', () => {
  it('archives the finished run as the recurrence does, and the next controller run prepares the new one', async () => {
    const h = await setup();
    const id = await h.create(highRiskUserCampaign({ notifications: { CAMPAIGN_START: { subject: 'Custom: {{campaignName}} starts' } } }), T0, 'c-restart');
    await h.run(day(0, 1));
    await h.decide(
      entryOf(id, 'u1'),
      'm1',
      [{ itemId: 'p-git', outcome: 'REJECT' }, { itemId: 'p-fin', outcome: 'APPROVE' }, { itemId: 'p-prod', outcome: 'APPROVE' }],
      day(1),
    );
    await h.run(day(14, 1));
    const finished = (await h.campaigns.getCampaign(id))!;
    expect(finished).toMatchObject({ state: 'SUCCEEDED', run: 1 });

    // Refused, changing nothing: a start before the run ended, or one already overdue.
    await expect(changeCampaign(h, id, { state: 'PREPARING', start: day(14) }, new Date(day(20)), 'ops-admin')).rejects.toThrow(
      /^start: must not be before the end of the finished run/,
    );
    await expect(changeCampaign(h, id, { state: 'PREPARING', start: day(5) }, new Date(day(20)), 'ops-admin')).rejects.toBeInstanceOf(ValidationError);
    await expect(changeCampaign(h, id, { start: day(21) }, new Date(day(20)), 'ops-admin')).rejects.toThrow(/^start: only applies when restarting/);
    expect(await h.campaigns.getCampaign(id)).toEqual(finished);

    const now = new Date(day(20));
    const restarted = await changeCampaign(h, id, { state: 'PREPARING' }, now, 'ops-admin');
    expect(restarted).toMatchObject({ state: 'PREPARING', run: 2, runId: `${id}#2`, startDate: day(20), version: finished.version + 1 });
    expect(restarted.logs).toEqual([expect.objectContaining({ message: `run 2 restarted by ops-admin, starting ${day(20)}; run 1 archived as ${id}-r1` })]);
    // Exactly the archive the recurrence writes, with the run's entries.
    const archive = (await h.campaigns.getCampaign(`${id}-r1`))!;
    expect(archive).toEqual(archiveOf(finished, now));
    expect(archive).toMatchObject({ name: 'Finance high-risk users 2026-07-01', archived: true, state: 'SUCCEEDED', runId: `${id}#1` });
    expect((await showCampaign(h.campaigns, archive.id)).entries).toHaveLength(3);

    const report = await h.run(day(20, 1));
    expect(report.transitions).toEqual([{ campaignId: id, from: 'PREPARING', to: 'RUNNING' }]);
    const second = (await h.campaigns.getCampaign(id))!;
    expect(second).toMatchObject({ state: 'RUNNING', run: 2, dueDate: day(34) }); // start + 14 days
    expect(second.templates).toEqual(finished.templates);
    const starts = (await collect(h.outbox.listByCampaign(id))).filter((n) => n.kind === 'CAMPAIGN_START');
    expect(starts.map((n) => `${n.runId}|${n.subject}`)).toEqual([`${id}#1|Custom: Finance high-risk users starts`, `${id}#2|Custom: Finance high-risk users starts`]);
    // The new run certifies the directory as it is now: u1's rejected access is gone.
    expect((await h.campaigns.getEntryWithItems(entryOf(id, 'u1', 2)))!.items.map((i) => i.id).sort()).toEqual(['p-fin', 'p-prod']);
    await expectRerunChangesNothing(h, day(20, 1));

    // Refused: a run that is not finished, an archived run, a deleted campaign.
    await expect(changeCampaign(h, id, { state: 'PREPARING' }, new Date(day(21)), 'ops-admin')).rejects.toThrow(/^state: cannot change RUNNING to PREPARING/);
    await expect(changeCampaign(h, archive.id, { state: 'PREPARING' }, new Date(day(21)), 'ops-admin')).rejects.toThrow(
      new ClosedError(`campaign ${id}-r1 is an archived run; it cannot be restarted (restart ${id} instead)`),
    );
    await changeCampaign(h, id, { state: 'DELETED' }, new Date(day(21)), 'ops-admin');
    await expect(changeCampaign(h, id, { state: 'PREPARING' }, new Date(day(22)), 'ops-admin')).rejects.toThrow(/is DELETED; a deleted campaign cannot be restarted/);
  });
});

describe('rescuing a FAILED.PREPARE entry', () => {
  it('runs it with the named approver, who gets one Approval Start; the campaign log says who did it', async () => {
    const h = await setup();
    const id = await h.create(highRiskUserCampaign(), T0, 'c-rescue');
    await h.run(day(0, 1));
    const u6 = entryOf(id, 'u6'); // u6 has no manager: no approver was found
    const deps = { campaigns: h.campaigns, directory: h.directory, outbox: h.outbox, audit: h.audit, portalUrl: 'https://idgov.example.com' };
    const failed = (await h.campaigns.getEntry(u6))!;
    expect(failed.state).toBe('FAILED.PREPARE');
    const outboxBefore = await collect(h.outbox.listByCampaign(id));

    // Refusals name the field and change nothing.
    const rescue = (approverId: string, entryId = u6) => nameEntryApprover(deps, { entryId, approverId, by: 'ops-admin' }, new Date(day(1)));
    await expect(rescue('u6')).rejects.toThrow('approver: u6 is the user under review');
    await expect(rescue('nobody')).rejects.toThrow('approver: nobody is not a user of the directory');
    await expect(rescue('gone')).rejects.toThrow('approver: gone is DISABLED; the approver must be ACTIVE');
    await expect(rescue('m2', entryOf(id, 'u1'))).rejects.toThrow(new ClosedError(`entry ${entryOf(id, 'u1')} is RUNNING; only a FAILED.PREPARE entry can be given an approver (hand a running entry to someone else with \`entry reassign\`)`));
    expect(await h.campaigns.getEntry(u6)).toEqual(failed);
    expect(await collect(h.outbox.listByCampaign(id))).toEqual(outboxBefore);

    const result = await rescue('m2');
    expect(result.entry).toMatchObject({ state: 'RUNNING', approverIds: ['m2'], dueDate: day(14) }); // the campaign's due date
    expect(result.notification).toEqual({ key: `${u6}|APPROVAL_START|m2`, kind: 'APPROVAL_START', recipientId: 'm2', status: 'PENDING' });
    const stored = (await h.campaigns.getEntry(u6))!;
    expect(stored).toMatchObject({ state: 'RUNNING', approverIds: ['m2'] });
    expect(stored.closedAt).toBeUndefined();
    expect(stored.reassignments).toEqual([expect.objectContaining({ from: [], to: 'm2', by: 'ops-admin' })]);
    expect((await h.campaigns.getCampaign(id))!.logs.at(-1)).toEqual({
      at: day(1),
      level: 'INFO',
      message: `entry ${u6} (Name u6) was FAILED.PREPARE: approver m2 named by ops-admin; RUNNING, due ${day(14)}`,
    });
    expect((await listTasks(h.campaigns, 'm2')).map((t) => t.entry.id).sort()).toEqual([entryOf(id, 'u4'), u6].sort());

    // Again: the same rescue answers the same and changes nothing; naming someone else is refused.
    const rescued = await h.snapshot();
    expect(await rescue('m2')).toEqual(result);
    await expect(rescue('m1')).rejects.toThrow(
      new ClosedError(`entry ${u6} already has the approver the administrator named: m2, by ops-admin at ${day(1)}; hand it to someone else with \`entry reassign\``),
    );
    await expect(nameEntryApprover(deps, { entryId: u6, approverId: 'm2', by: 'ops-admin', dueDate: day(10) }, new Date(day(1)))).rejects.toThrow(
      new ValidationError(`entry ${u6} was given approver m2 with due date ${day(14)}; move it with \`entry set --due-date\``, 'dueDate'),
    );
    expect(await h.snapshot()).toEqual(rescued);
    const starts = (await collect(h.outbox.listByCampaign(id))).filter((n) => n.entryId === u6 && n.kind === 'APPROVAL_START');
    expect(starts).toHaveLength(1);

    // The next controller run sends it, once.
    await h.run(day(1, 1));
    const toM2 = mailTo(h, 'm2@example.com');
    expect(toM2).toHaveLength(2); // u4's Approval Start at preparation, and this one
    expect(toM2[1]!.body).toContain('Under review: Name u6');
    expect(toM2[1]!.body).toContain(`Due date: ${day(14).slice(0, 10)}`);
    await expectRerunChangesNothing(h, day(1, 1));

    // The approver decides, and the campaign applies it at its finish.
    await h.decide(u6, 'm2', [{ itemId: 'p-fin', outcome: 'REJECT' }], day(2));
    expect((await h.campaigns.getEntry(u6))!.state).toBe('APPROVAL.FINISHED');
    await h.run(day(14, 1));
    expect((await h.campaigns.getEntry(u6))!.state).toBe('FINISHED');
    expect(await h.directory.listAssignmentsOfUser('u6')).toEqual([]);
    expect((await collect(h.outbox.listByCampaign(id))).filter((n) => n.kind === 'ASSIGNMENT_REJECT').map((n) => n.recipientId).sort()).toEqual(['u1', 'u4', 'u6']);
  });

  it('says so when the campaign log cannot take the line, and the same rescue run again writes it', async () => {
    const h = await setup();
    const id = await h.create(highRiskUserCampaign(), T0, 'c-rescue-log');
    await h.run(day(0, 1));
    const u6 = entryOf(id, 'u6');
    // The controller keeps saving the campaign between the rescue's read and its write.
    const busy = Object.create(h.campaigns, {
      saveCampaign: { value: async () => Promise.reject(new ConflictError('campaign c-rescue-log changed meanwhile (injected)')) },
    }) as typeof h.campaigns;
    const deps = { campaigns: h.campaigns, directory: h.directory, outbox: h.outbox, audit: h.audit, portalUrl: 'https://idgov.example.com' };
    const request = { entryId: u6, approverId: 'm2', by: 'ops-admin' };
    await expect(nameEntryApprover({ ...deps, campaigns: busy }, request, new Date(day(1)))).rejects.toThrow(
      new ConflictError(
        `entry ${u6} is RUNNING with approver m2, but the campaign log could not record who named it ` +
          '(campaign c-rescue-log changed meanwhile (injected)); run the same command again to record it',
      ),
    );
    expect(await h.campaigns.getEntry(u6)).toMatchObject({ state: 'RUNNING', approverIds: ['m2'] });
    const line = `entry ${u6} (Name u6) was FAILED.PREPARE: approver m2 named by ops-admin; RUNNING, due ${day(14)}`;
    expect((await h.campaigns.getCampaign(id))!.logs.map((l) => l.message)).not.toContain(line);

    // Run again later, by someone else: the line says who did it and when.
    const again = await nameEntryApprover(deps, { ...request, by: 'night-shift' }, new Date(day(2)));
    expect(again.entry).toEqual(await h.campaigns.getEntry(u6));
    expect(again.notification).toEqual({ key: `${u6}|APPROVAL_START|m2`, kind: 'APPROVAL_START', recipientId: 'm2', status: 'PENDING' });
    const logs = () => h.campaigns.getCampaign(id).then((c) => c!.logs.filter((l) => l.message === line));
    expect(await logs()).toEqual([{ at: day(1), level: 'INFO', message: line }]);
    await nameEntryApprover(deps, request, new Date(day(3)));
    expect(await logs()).toHaveLength(1);
  });

  it('is completed by the same rescue run again when killed after any write, as a clean rescue would be', async () => {
    const rescueOnce = async (killAt?: number) => {
      const h = await setup();
      const id = await h.create(highRiskUserCampaign(), T0, 'c-rescue-kill');
      await h.run(day(0, 1));
      const deps = { campaigns: h.campaigns, directory: h.directory, outbox: h.outbox, audit: h.audit, portalUrl: 'https://idgov.example.com' };
      const rescue = () => nameEntryApprover(deps, { entryId: entryOf(id, 'u6'), approverId: 'm2', by: 'ops-admin' }, new Date(day(1)));
      h.kill.arm(killAt);
      let killed = false;
      let result: Awaited<ReturnType<typeof rescue>>;
      try {
        result = await rescue();
      } catch (error) {
        if (!(error instanceof KilledError)) throw error;
        killed = true;
        h.kill.arm(undefined);
        // A controller run comes first: it must neither send the half-made notice nor lose it.
        await h.run(day(1, 1));
        result = await rescue();
      }
      const writes = h.kill.count;
      h.kill.arm(undefined);
      await h.run(day(1, 1));
      await h.run(day(1, 1));
      return { killed, writes, result, snapshot: await h.snapshot(), mail: h.mailer.sent.map((m) => `${m.to}|${m.subject}`).sort() };
    };
    const clean = await rescueOnce();
    expect(clean.writes).toBeGreaterThanOrEqual(3); // the notice, the entry, the campaign log
    expect(clean.mail.filter((m) => m.startsWith('m2@'))).toHaveLength(2);
    for (let k = 1; k <= clean.writes; k++) {
      const outcome = await rescueOnce(k);
      expect(outcome.killed, `kill at write ${k}`).toBe(true);
      expect(outcome.result, `result after a kill at write ${k}`).toEqual(clean.result);
      expect(outcome.snapshot, `state after a kill at write ${k}`).toEqual(clean.snapshot);
      expect(outcome.mail, `mail after a kill at write ${k}`).toEqual(clean.mail);
    }
  }, 120_000);

  it('never sends the notice of a rescue stopped before the entry was saved when a re-run names someone else', async () => {
    const h = await setup();
    const id = await h.create(highRiskUserCampaign(), T0, 'c-rescue-other');
    await h.run(day(0, 1));
    const u6 = entryOf(id, 'u6');
    const deps = { campaigns: h.campaigns, directory: h.directory, outbox: h.outbox, audit: h.audit, portalUrl: 'https://idgov.example.com' };
    h.kill.arm(1); // the notice to m2 is recorded; the entry is not saved
    await expect(nameEntryApprover(deps, { entryId: u6, approverId: 'm2', by: 'ops-admin' }, new Date(day(1)))).rejects.toBeInstanceOf(KilledError);
    h.kill.arm(undefined);
    const sentBefore = h.mailer.sent.length;
    await h.run(day(1, 1)); // held: the entry may still become m2's
    expect(h.mailer.sent.length).toBe(sentBefore);
    await nameEntryApprover(deps, { entryId: u6, approverId: 'admin', by: 'ops-admin' }, new Date(day(1, 2)));
    await h.run(day(1, 3));
    expect(h.mailer.sent.slice(sentBefore).map((m) => m.to)).toEqual(['admin@example.com']);
    const starts = (await collect(h.outbox.listByCampaign(id))).filter((n) => n.entryId === u6 && n.kind === 'APPROVAL_START');
    expect(starts.map((n) => [n.recipientId, n.status, n.lastError]).sort()).toEqual([
      ['admin', 'SENT', undefined],
      ['m2', 'SKIPPED', `m2 is no longer an approver of entry ${u6} (its approvers: admin)`],
    ]);
    await expectRerunChangesNothing(h, day(1, 3));
  });

  it('gives a rescue after the campaign’s due date the approval period from now, and the campaign waits for it', async () => {
    const h = await setup();
    const id = await h.create(highRiskUserCampaign(), T0, 'c-late-rescue');
    await h.run(day(0, 1));
    const deps = { campaigns: h.campaigns, directory: h.directory, outbox: h.outbox, audit: h.audit, portalUrl: 'https://idgov.example.com' };
    // The due date has come, and the controller has not run yet.
    const { entry } = await nameEntryApprover(deps, { entryId: entryOf(id, 'u6'), approverId: 'admin', by: 'ops-admin' }, new Date(day(14, 0)));
    expect(entry.dueDate).toBe(day(28));
    await h.run(day(14, 1));
    expect((await h.campaigns.getCampaign(id))!.state).toBe('RUNNING');
    expect((await h.campaigns.getEntry(entryOf(id, 'u1')))!.state).toBe('FAILED.EXPIRED');
    await h.run(day(28, 1));
    expect((await h.campaigns.getCampaign(id))!.state).toBe('SUCCEEDED');
    expect((await h.campaigns.getEntry(entryOf(id, 'u6')))!.state).toBe('FINISHED');
  });
});

describe('a directory change refused at the finish', () => {
  /** u1's decisions include removing a role parameter; u4 decides nothing (uncertified: REMOVE). */
  async function finishWithRefusal(): Promise<{ h: Harness; id: string; refusal: { heal(): void } }> {
    const h = await setup();
    const id = await h.create(highRiskUserCampaign(), T0, 'c-refused');
    await h.run(day(0, 1));
    await expect(
      h.decide(entryOf(id, 'u1'), 'm1', [{ itemId: 'p-prod', outcome: 'MODIFY', parameters: { project: null } }], day(2)),
    ).rejects.toThrow('parameters.project: item p-prod has no parameter project to remove');
    await h.decide(
      entryOf(id, 'u1'),
      'm1',
      [
        { itemId: 'p-fin', outcome: 'APPROVE' },
        { itemId: 'p-git', outcome: 'REJECT' },
        { itemId: 'p-prod', outcome: 'MODIFY', parameters: { account: null }, comment: 'no longer bound to one account' },
      ],
      day(2),
    );
    const refusal = refuseChangesTo(h.directory, 'u4', 'p-prod');
    await h.run(day(14, 1));
    return { h, id, refusal };
  }

  it('leaves that entry FAILED.APPLIED.CHANGES, names it in Campaign End, and a later run applies it, telling the user once', async () => {
    const { h, id, refusal } = await finishWithRefusal();
    const u4 = entryOf(id, 'u4');
    let view = await showCampaign(h.campaigns, id);
    expect(Object.fromEntries(view.entries.map((e) => [e.entry.subjectId, e.entry.state]))).toEqual({ u1: 'FINISHED', u4: 'FAILED.APPLIED.CHANGES', u6: 'FAILED.PREPARE' });
    expect(view.entries.find((e) => e.entry.id === u4)!.entry.error).toBe('changes failed to apply: p-prod: directory refused the change to u4/p-prod (injected)');
    // The campaign has finished: SUCCEEDED, with the failed entry counted and access removed only where it was.
    expect(view.campaign).toMatchObject({ state: 'SUCCEEDED', stats: { revoked: 2, entriesByState: { FINISHED: 1, 'FAILED.APPLIED.CHANGES': 1, 'FAILED.PREPARE': 1 } } });
    expect((await h.directory.listAssignmentsOfUser('u4')).map((a) => `${a.privilegeId}:${a.origin}`).sort()).toEqual(['p-fin:INHERITED', 'p-prod:MANUAL']);
    // The role parameter is gone from u1's assignment; its end date stays.
    const kept = (await h.directory.listAssignmentsOfUser('u1')).find((a) => a.privilegeId === 'p-prod')!;
    expect(kept.parameters).toEqual({});
    expect(kept.endDate).toBe('2027-01-01T00:00:00.000Z');
    const end = h.mailer.sent.find((m) => m.subject.startsWith('Certification campaign finished'))!;
    expect(end.body).toContain('Entries whose changes could not be applied: 1.');
    expect(end.body).toContain(`- Name u4 (entry ${u4}): changes failed to apply: p-prod: directory refused the change to u4/p-prod (injected)`);
    const rejectsToU4 = () => mailTo(h, 'u4@example.com').filter((m) => m.subject.startsWith('Your access has changed'));
    expect(rejectsToU4()).toHaveLength(1);
    expect(rejectsToU4()[0]!.body).toContain('GitHub-Org-Owner');
    expect(rejectsToU4()[0]!.body).not.toContain('AWS-Prod-Admin');
    expect((await collect(h.campaigns.listRevocations(`${id}#1`))).map((r) => `${r.userId}/${r.privilegeId}`).sort()).toEqual(['u1/p-git', 'u4/p-git']);

    // Still refused: the next runs try again and change nothing.
    await expectRerunChangesNothing(h, day(14, 1));
    await expectRerunChangesNothing(h, day(15));

    // The directory accepts it now: the next run applies it.
    refusal.heal();
    const report = await h.run(day(15, 1));
    expect(report.transitions).toEqual([]);
    expect(report.errors).toEqual([]);
    view = await showCampaign(h.campaigns, id);
    const fixed = view.entries.find((e) => e.entry.id === u4)!;
    expect(fixed.entry).toMatchObject({ state: 'FINISHED', endDate: day(15, 1), stats: { uncertified: 2, revoked: 2 } });
    expect(fixed.entry.error).toBeUndefined();
    expect(fixed.items.map((i) => i.applied?.action)).toEqual(['REMOVED', 'REMOVED']);
    expect((await h.directory.listAssignmentsOfUser('u4')).map((a) => a.privilegeId)).toEqual(['p-fin']);
    expect(view.campaign).toMatchObject({ state: 'SUCCEEDED', stats: { revoked: 3, entriesByState: { FINISHED: 2, 'FAILED.PREPARE': 1 } } });
    expect(view.campaign.logs.at(-1)!.message).toBe('changes applied on retry: 1 entry FINISHED, 0 entries still FAILED.APPLIED.CHANGES');
    expect(nextActionAt(view.campaign)).toBe('2026-09-01T00:00:00.000Z'); // back to its status expiration
    // One revocation per removal; u4 hears of the late one in a notice of its own.
    expect((await collect(h.campaigns.listRevocations(`${id}#1`))).map((r) => `${r.userId}/${r.privilegeId}`).sort()).toEqual(['u1/p-git', 'u4/p-git', 'u4/p-prod']);
    expect(rejectsToU4()).toHaveLength(2);
    expect(rejectsToU4()[1]!.body).toContain('AWS-Prod-Admin');
    expect(rejectsToU4()[1]!.body).not.toContain('GitHub-Org-Owner');
    const rejects = (await collect(h.outbox.listByCampaign(id))).filter((n) => n.kind === 'ASSIGNMENT_REJECT');
    expect(rejects.map((n) => n.key).sort()).toEqual([`${id}#1|ASSIGNMENT_REJECT|u1`, `${id}#1|ASSIGNMENT_REJECT|u4`, `${id}#1|ASSIGNMENT_REJECT|u4|p-prod`]);
    await expectRerunChangesNothing(h, day(15, 1));
  });

  it('is completed by the next run when the retry is killed after any write, as a clean retry would be', async () => {
    const retry = async (killAt?: number) => {
      const { h, refusal } = await finishWithRefusal();
      refusal.heal();
      h.kill.arm(killAt);
      let killed = false;
      try {
        await h.run(day(15, 1));
      } catch (error) {
        if (!(error instanceof KilledError) && !(error instanceof AggregateError && error.errors.every((e) => e instanceof KilledError))) throw error;
        killed = true;
        h.kill.arm(undefined);
        h.wall.advance(16 * 60_000); // the killed run's lease and send claims expire
        await h.run(day(15, 1));
      }
      const writes = h.kill.count;
      h.kill.arm(undefined);
      return { killed, writes, snapshot: await h.snapshot(), mail: h.mailer.sent.map((m) => `${m.to}|${m.subject}`).sort() };
    };
    const clean = await retry();
    expect(clean.writes).toBeGreaterThan(5);
    await mapLimit(
      Array.from({ length: clean.writes }, (_, i) => i + 1),
      3,
      async (k) => {
        const outcome = await retry(k);
        expect(outcome.killed, `kill at write ${k}`).toBe(true);
        expect(outcome.snapshot, `state after a kill at write ${k}`).toEqual(clean.snapshot);
        expect(outcome.mail, `mail after a kill at write ${k}`).toEqual(clean.mail);
      },
    );
  }, 300_000);
});
