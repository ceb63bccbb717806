// The audit log as the product writes it (docs/reference/audit-log-events.md): a whole campaign run
// through the real controller, decisions and administration on the in-memory stores leaves, in its
// run's chain, every change in order, hash-linked; a re-run appends nothing; a step killed between
// its record and its change is recorded once; a change lost to a concurrent writer is marked
// abandoned; a refused request records nothing; the admin and privilege chains.
import { describe, expect, it } from 'vitest';
import { InMemoryAuditLog } from '../../../lambdas/shared/adapters/memory/in-memory-audit-log.js';
import { InMemoryDirectoryStore } from '../../../lambdas/shared/adapters/memory/in-memory-directory-store.js';
import { InMemoryOperationsStore } from '../../../lambdas/shared/adapters/memory/in-memory-operations-store.js';
import { verifyChain } from '../../../lambdas/shared/domain/audit/chain.js';
import { ADMIN_CHAIN, privilegeChain, runChain, type AuditEvent, type AuditRecord } from '../../../lambdas/shared/domain/audit/model.js';
import { ClosedError, ConflictError, RefusedChangeError } from '../../../lambdas/shared/domain/errors.js';
import type { Entry } from '../../../lambdas/shared/domain/model.js';
import { loadWorkflows, scheduleReapproval } from '../../../lambdas/shared/use-cases/approvals/workflow-admin.js';
import { changeEntry, createCampaign } from '../../../lambdas/shared/use-cases/campaign-admin.js';
import { decide } from '../../../lambdas/shared/use-cases/decisions.js';
import { loadDirectory } from '../../../lambdas/shared/use-cases/directory-load.js';
import { emergencyRevoke } from '../../../lambdas/shared/use-cases/emergency-revoke.js';
import { saveOperationsConfig } from '../../../lambdas/shared/use-cases/operations-config.js';
import { reassignEntry } from '../../../lambdas/shared/use-cases/reassign-entry.js';
import { day, entryOf, highRiskUserCampaign, lifecycleSteps, smallOrg } from '../../support/small-org.js';
import { controllerRunner, inMemoryWorld } from '../../support/in-memory-world.js';
import { buildWorld, dayAt, iso, manual, privilege } from './approvals/world.js';

const RUN = runChain('c-users#1');
const U1 = entryOf('c-users', 'u1');
const U4 = entryOf('c-users', 'u4');
const U6 = entryOf('c-users', 'u6');

async function scenario() {
  const world = await inMemoryWorld();
  const run = controllerRunner(world);
  await createCampaign(world, highRiskUserCampaign(), new Date(day(-1)), 'c-users', 'ops-admin');
  return { ...world, run };
}
type Scenario = Awaited<ReturnType<typeof scenario>>;

/**
 * The scripted lifecycle (small-org.ts), each controller run followed by a second one at the same
 * instant: `appendedByRerun` collects what those second runs appended (nothing, if re-runs are free).
 */
async function runLifecycle(s: Scenario, options: { beforeRun?: (at: string) => void } = {}) {
  const appendedByRerun: AuditRecord[] = [];
  for (const step of lifecycleSteps()) {
    if ('run' in step) {
      options.beforeRun?.(step.at);
      await s.run(step.at).catch((error: unknown) => {
        // A fault injected into this run: the next run at the same instant completes it.
        if (!(error instanceof Error && error.message.includes('injected'))) throw error;
      });
      const before = s.audit.chains.get(RUN)!.length;
      await s.run(step.at);
      appendedByRerun.push(...s.audit.chains.get(RUN)!.slice(before));
    } else {
      const { subjectId, actor, decisions } = step.decide;
      await decide({ campaigns: s.campaigns, audit: s.audit }, { entryId: entryOf('c-users', subjectId), actorId: actor, decisions }, new Date(step.at));
    }
  }
  return { appendedByRerun };
}

/** What an event is about, a line per item it lists: type, and its subject and change. */
function describe_(e: AuditEvent): string[] {
  const items = e.data.items as Record<string, unknown>[] | undefined;
  return items ? items.map((item) => line({ ...e, data: { ...e.data, ...item } })) : [line(e)];
}

function line(e: AuditEvent): string {
  const d = e.data;
  const entry = (id: unknown) => (id === U1 ? 'u1' : id === U4 ? 'u4' : id === U6 ? 'u6' : String(id));
  switch (e.type) {
    case 'CAMPAIGN_CREATED':
      return `${e.type} by ${e.actor}`;
    case 'CAMPAIGN_STATE_CHANGED':
      return `${e.type} ${String(d.from)} -> ${String(d.to)}`;
    case 'ENTRY_CREATED':
      return `${e.type} ${entry(d.entryId)} ${String(d.state)} [${(d.itemIds as string[]).join(',')}] approvers [${(d.approverIds as string[]).join(',')}]`;
    case 'ENTRY_STATE_CHANGED':
      return `${e.type} ${entry(d.entryId)} ${d.applied ? '(applied)' : String(d.from)} -> ${String(d.to)} by ${e.actor}`;
    case 'ITEM_DECIDED':
      return `${e.type} ${entry(d.entryId)} ${String(d.itemId)} ${String(d.outcome)} by ${e.actor}: ${String(d.comment)}`;
    case 'ITEM_APPLIED':
      return `${e.type} ${entry(d.entryId)} ${String(d.itemId)} ${String(d.action)} (${String(d.category)})`;
    case 'ASSIGNMENT_REVOKED':
      return `${e.type} ${String(d.userId)} ${String(d.privilegeId)} ${String(d.reason)}`;
    case 'NOTIFICATION_QUEUED':
    case 'NOTIFICATION_SENT':
      return `${e.type} ${String(d.kind)} ${String(d.recipientId)}`;
    case 'REVOCATIONS_VERIFIED':
      return `${e.type} ${String(d.verified)} read back, ${String(d.absent)} absent, ${(d.stillPresent as unknown[]).length} still present`;
    case 'VERIFICATION_COMPLETED':
      return `${e.type} ${String(d.verified)} read back, ${String(d.stillPresent)} still present`;
    case 'APPLY_GUARD_CHECKED': {
      const counts = d.counts as { remove: number; items: number };
      return `${e.type} remove ${counts.remove} of ${counts.items} -> ${String(d.next)}`;
    }
    default:
      return e.type;
  }
}

const recordsOf = (audit: InMemoryAuditLog, chain = RUN) => audit.chains.get(chain) ?? [];
const eventsOf = (audit: InMemoryAuditLog, chain = RUN) => audit.events(chain);
const withoutSends = (lines: string[]) => lines.filter((l) => !l.startsWith('NOTIFICATION_SENT'));

describe('a campaign run in its audit chain', async () => {
  const s = await scenario();
  const { appendedByRerun } = await runLifecycle(s);
  const lines = eventsOf(s.audit).flatMap(describe_);

  it('holds every change of the run, in order: creation, entries, decisions, state changes, outcomes, revocations, notices', () => {
    expect(withoutSends(lines)).toEqual([
      'CAMPAIGN_CREATED by user:ops-admin',
      // Preparation: one record for the chunk, each entry with its No Approver if it has nobody.
      'ENTRY_CREATED u1 RUNNING [p-fin,p-git,p-prod] approvers [m1]',
      'ENTRY_CREATED u4 RUNNING [p-git,p-prod] approvers [m2]',
      'ENTRY_CREATED u6 FAILED.PREPARE [p-fin] approvers []',
      'NOTIFICATION_QUEUED NO_APPROVER admin',
      // The announcement: one Approval Start per approver of stage 1.
      'NOTIFICATION_QUEUED APPROVAL_START m1',
      'NOTIFICATION_QUEUED APPROVAL_START m2',
      'CAMPAIGN_STATE_CHANGED PREPARING -> RUNNING',
      'NOTIFICATION_QUEUED CAMPAIGN_START admin',
      'ITEM_DECIDED u1 p-fin APPROVE by user:m1: needed for month-end close',
      'ITEM_DECIDED u1 p-git REJECT by user:m1: left the platform team',
      // Reminders on days 11 and 12 (three days before the due date, every 24 hours).
      'NOTIFICATION_QUEUED APPROVAL_REMIND m1',
      'NOTIFICATION_QUEUED APPROVAL_REMIND m2',
      'NOTIFICATION_QUEUED APPROVAL_REMIND m1',
      'NOTIFICATION_QUEUED APPROVAL_REMIND m2',
      'ITEM_DECIDED u1 p-prod MODIFY by user:m1: until the audit',
      'ENTRY_STATE_CHANGED u1 RUNNING -> APPROVAL.FINISHED by user:m1',
      // The due date: u4 expires, the guard counts what applying removes (within the cap), then each entry is applied, then the campaign closes.
      'ENTRY_STATE_CHANGED u4 RUNNING -> FAILED.EXPIRED by job:campaign-controller',
      'NOTIFICATION_QUEUED APPROVAL_TIMEOUT m2',
      'APPLY_GUARD_CHECKED remove 3 of 5 -> APPLY',
      'ITEM_APPLIED u1 p-fin KEPT (approved)',
      'ITEM_APPLIED u1 p-prod MODIFIED (modified)',
      'ASSIGNMENT_REVOKED u1 p-git REJECTED',
      'ENTRY_STATE_CHANGED u1 (applied) -> FINISHED by job:campaign-controller',
      'ASSIGNMENT_REVOKED u4 p-git UNCERTIFIED',
      'ASSIGNMENT_REVOKED u4 p-prod UNCERTIFIED',
      'ENTRY_STATE_CHANGED u4 (applied) -> FINISHED by job:campaign-controller',
      // The three removals read back from the directory: all gone.
      'REVOCATIONS_VERIFIED 3 read back, 3 absent, 0 still present',
      'VERIFICATION_COMPLETED 3 read back, 0 still present',
      'NOTIFICATION_QUEUED ASSIGNMENT_REJECT u1',
      'NOTIFICATION_QUEUED ASSIGNMENT_REJECT u4',
      'NOTIFICATION_QUEUED CAMPAIGN_END admin',
      'CAMPAIGN_STATE_CHANGED RUNNING -> SUCCEEDED',
      // The status expiration, the evidence pack archived, then the cleanup.
      'CAMPAIGN_STATE_CHANGED SUCCEEDED -> DELETED',
      'EVIDENCE_ARCHIVED',
      'CAMPAIGN_CLEANED_UP',
    ]);
  });

  it('records each notice sent once, after it was queued', () => {
    const queued = lines.filter((l) => l.startsWith('NOTIFICATION_QUEUED')).map((l) => l.replace('QUEUED', 'SENT'));
    const sent = lines.filter((l) => l.startsWith('NOTIFICATION_SENT'));
    expect([...sent].sort()).toEqual([...queued].sort());
    const events = eventsOf(s.audit);
    for (const [i, e] of events.entries()) {
      if (e.type !== 'NOTIFICATION_SENT') continue;
      const queuedAt = events.findIndex((q) => q.type === 'NOTIFICATION_QUEUED' && q.data.key === e.data.key);
      expect(queuedAt, String(e.data.key)).toBeGreaterThanOrEqual(0);
      expect(queuedAt).toBeLessThan(i);
      // The same whether or not a kill made the send happen twice: no message id (SES gives each send its own).
      expect(Object.keys(e.data).filter((k) => !['key', 'kind', 'recipientId', 'entryId'].includes(k))).toEqual([]);
    }
  });

  it('keeps one record per step, one event per kind of change: a preparation chunk, a decision request, a chunk of entries applied', () => {
    const keys = recordsOf(s.audit).map((r) => r.eventKey);
    expect(keys[0]).toBe('created:c-users');
    expect(keys.filter((k) => k.startsWith('prepare:c-users#1:'))).toHaveLength(1);
    expect(keys.filter((k) => k.startsWith(`decide:${U1}:`))).toHaveLength(2);
    const applied = recordsOf(s.audit).find((r) => r.events.some((e) => e.type === 'ENTRY_STATE_CHANGED' && e.data.entryId === U1 && e.data.to === 'FINISHED'))!;
    // The chunk's record (its first and last entries in the key), every entry it applied in it: here, all of the run's.
    expect(applied.eventKey).toMatch(/^apply:c-users#1:e-[0-9a-f]+\.\.e-[0-9a-f]+$/);
    expect(applied.events.filter((e) => e.data.entryId === U1).map((e) => e.type)).toEqual(['ITEM_APPLIED', 'ASSIGNMENT_REVOKED', 'ENTRY_STATE_CHANGED']);
    const finished = eventsOf(s.audit).filter((e) => e.type === 'ENTRY_STATE_CHANGED' && (e.data.to === 'FINISHED' || e.data.to === 'FAILED.APPLIED.CHANGES'));
    expect(finished.length).toBeGreaterThan(1);
    expect(applied.events.filter((e) => e.type === 'ENTRY_STATE_CHANGED')).toEqual(finished);
    const decision = recordsOf(s.audit).find((r) => r.eventKey.startsWith(`decide:${U1}:`))!;
    expect(decision.events.map((e) => e.type)).toEqual(['ITEM_DECIDED']);
    // Unique keys: nothing was written twice.
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('names the decider, the date and the comment of each decision', () => {
    const decided = eventsOf(s.audit)
      .filter((e) => e.type === 'ITEM_DECIDED')
      .flatMap((e) => (e.data.items as Record<string, unknown>[]).map((item): Record<string, unknown> => ({ at: e.at, actor: e.actor, decidedBy: e.data.decidedBy, ...item })));
    expect(decided.map((d) => [d.at, d.actor, d.decidedBy, d.userId, d.privilegeId])).toEqual([
      [day(2), 'user:m1', 'm1', 'u1', 'p-fin'],
      [day(2), 'user:m1', 'm1', 'u1', 'p-git'],
      [day(13), 'user:m1', 'm1', 'u1', 'p-prod'],
    ]);
    expect(decided[2]).toMatchObject({ outcome: 'MODIFY', endDate: '2026-10-01T00:00:00.000Z', comment: 'until the audit' });
  });

  it('is a valid hash chain, and a re-run of the controller at the same instant appended nothing', () => {
    expect(verifyChain(recordsOf(s.audit), RUN)).toBeUndefined();
    expect(appendedByRerun).toEqual([]);
  });

  it('records nothing of a refused request: a decision on a finished entry', async () => {
    const fresh = await scenario();
    // Up to u1's last decision, which finished its entry.
    for (const step of lifecycleSteps().slice(0, 5)) {
      if ('run' in step) await fresh.run(step.at);
      else await decide({ campaigns: fresh.campaigns, audit: fresh.audit }, { entryId: entryOf('c-users', step.decide.subjectId), actorId: step.decide.actor, decisions: step.decide.decisions }, new Date(step.at));
    }
    expect((await fresh.campaigns.getEntry(U1))?.state).toBe('APPROVAL.FINISHED');
    const count = recordsOf(fresh.audit).length;
    await expect(
      decide({ campaigns: fresh.campaigns, audit: fresh.audit }, { entryId: U1, actorId: 'm1', decisions: [{ itemId: 'p-fin', outcome: 'REJECT' }] }, new Date(day(13, 2))),
    ).rejects.toBeInstanceOf(ClosedError);
    expect(recordsOf(fresh.audit)).toHaveLength(count);
  });
});

describe('a step killed between its record and its change', () => {
  it('is recorded once: the re-run finds its record and makes the change', async () => {
    const clean = await scenario();
    await runLifecycle(clean);

    const s = await scenario();
    // On the due date, u4's save as FAILED.EXPIRED fails once (the process died after the record).
    const save = s.campaigns.saveEntry.bind(s.campaigns);
    let armed = false;
    let killed = 0;
    let recordedBeforeKill = false;
    s.campaigns.saveEntry = async (entry: Entry) => {
      if (armed && entry.id === U4 && entry.state === 'FAILED.EXPIRED' && killed === 0) {
        killed += 1;
        // The job wrote its record before the change: it is there when the process dies.
        recordedBeforeKill = eventsOf(s.audit).some((e) => e.type === 'ENTRY_STATE_CHANGED' && e.data.entryId === U4 && e.data.to === 'FAILED.EXPIRED');
        throw new Error('process killed (injected)');
      }
      return save(entry);
    };
    await runLifecycle(s, { beforeRun: (at) => (armed = at === day(14, 1)) });
    expect(killed).toBe(1);
    expect(recordedBeforeKill).toBe(true);

    const keyOf = recordsOf(s.audit).find((r) => r.events.some((e) => e.type === 'ENTRY_STATE_CHANGED' && e.data.entryId === U4 && e.data.to === 'FAILED.EXPIRED'))!.eventKey;
    expect(recordsOf(s.audit).filter((r) => r.eventKey === keyOf)).toHaveLength(1);
    expect(eventsOf(s.audit).some((e) => e.type === 'CHANGE_ABANDONED')).toBe(false);
    // The same facts as a run never killed (the sends may come in another order).
    expect(withoutSends(eventsOf(s.audit).flatMap(describe_))).toEqual(withoutSends(eventsOf(clean.audit).flatMap(describe_)));
    expect(verifyChain(recordsOf(s.audit), RUN)).toBeUndefined();
  });

  it("records an entry's application from what was saved: a refusal seen by a run killed before its save is not its outcome", async () => {
    const clean = await scenario();
    await runLifecycle(clean);

    const s = await scenario();
    // On the finish day the directory refuses u1's p-git removal once, and the process dies before u1 is saved.
    const remove = s.directory.removeAssignment.bind(s.directory);
    const save = s.campaigns.saveEntry.bind(s.campaigns);
    let armed = false;
    let refused = 0;
    let killed = 0;
    s.directory.removeAssignment = async (userId: string, privilegeId: string) => {
      if (armed && userId === 'u1' && privilegeId === 'p-git' && refused === 0) {
        refused += 1;
        throw new RefusedChangeError('directory refused the change (injected)');
      }
      return remove(userId, privilegeId);
    };
    s.campaigns.saveEntry = async (entry: Entry) => {
      if (armed && entry.id === U1 && killed === 0 && entry.state === 'FAILED.APPLIED.CHANGES') {
        killed += 1;
        throw new Error('process killed (injected)');
      }
      return save(entry);
    };
    await runLifecycle(s, { beforeRun: (at) => (armed = at === day(14, 1)) });
    expect([refused, killed]).toEqual([1, 1]);
    const lines = eventsOf(s.audit).flatMap(describe_);
    expect(lines.filter((l) => /FAILED\.APPLIED\.CHANGES|ITEM_APPLIED .* FAILED/.test(l))).toEqual([]);
    expect(lines).toContain('ASSIGNMENT_REVOKED u1 p-git REJECTED');
    expect(withoutSends(lines)).toEqual(withoutSends(eventsOf(clean.audit).flatMap(describe_)));
  });

  it('catches up the record of an entry saved by a run killed before it recorded the application', async () => {
    const clean = await scenario();
    await runLifecycle(clean);

    const s = await scenario();
    const append = s.audit.append.bind(s.audit);
    let armed = false;
    let killed = 0;
    s.audit.append = async (draft) => {
      const application = draft.events.some((e) => e.type === 'ENTRY_STATE_CHANGED' && e.data.entryId === U1 && e.data.applied === true);
      if (armed && application && killed === 0) {
        killed += 1;
        throw new Error('process killed (injected)');
      }
      return append(draft);
    };
    await runLifecycle(s, { beforeRun: (at) => (armed = at === day(14, 1)) });
    expect(killed).toBe(1);
    const applications = recordsOf(s.audit).filter((r) => r.events.some((e) => e.type === 'ENTRY_STATE_CHANGED' && e.data.entryId === U1 && e.data.applied === true));
    expect(applications).toHaveLength(1);
    expect(withoutSends(eventsOf(s.audit).flatMap(describe_))).toEqual(withoutSends(eventsOf(clean.audit).flatMap(describe_)));
    expect(verifyChain(recordsOf(s.audit), RUN)).toBeUndefined();
  });

  it('marks a change lost to a concurrent writer CHANGE_ABANDONED, and the next run records the change it makes', async () => {
    const s = await scenario();
    const steps = lifecycleSteps();
    // Up to the due date: started, decided, reminded.
    for (const step of steps.slice(0, 5)) {
      if ('run' in step) await s.run(step.at);
      else await decide({ campaigns: s.campaigns, audit: s.audit }, { entryId: entryOf('c-users', step.decide.subjectId), actorId: step.decide.actor, decisions: step.decide.decisions }, new Date(step.at));
    }
    // While the controller expires u4, the administrator moves its due date (a save of the same version wins).
    const save = s.campaigns.saveEntry.bind(s.campaigns);
    let raced = false;
    s.campaigns.saveEntry = async (entry: Entry) => {
      if (!raced && entry.id === U4 && entry.state === 'FAILED.EXPIRED') {
        raced = true;
        const current = (await s.campaigns.getEntry(U4))!;
        await save({ ...current, version: current.version + 1, lastReminderSlot: 99 });
      }
      return save(entry);
    };
    const report = await s.run(day(14, 1));
    expect(raced).toBe(true);
    expect(report.errors).toEqual([{ campaignId: 'c-users', message: expect.stringMatching(/version/) }]);
    const records = recordsOf(s.audit);
    const lost = records.find((r) => r.events.some((e) => e.type === 'ENTRY_STATE_CHANGED' && e.data.entryId === U4 && e.data.to === 'FAILED.EXPIRED'))!;
    const abandoned = records.filter((r) => r.events.some((e) => e.type === 'CHANGE_ABANDONED'));
    expect(abandoned).toHaveLength(1);
    expect(abandoned[0]!.events[0]).toMatchObject({ actor: 'job:campaign-controller', data: { eventKey: lost.eventKey } });
    expect(abandoned[0]!.seq).toBeGreaterThan(lost.seq);

    await s.run(day(14, 2));
    const expiries = recordsOf(s.audit).filter((r) => r.events.some((e) => e.type === 'ENTRY_STATE_CHANGED' && e.data.entryId === U4 && e.data.to === 'FAILED.EXPIRED'));
    expect(expiries).toHaveLength(2);
    expect(expiries[1]!.eventKey).not.toBe(lost.eventKey);
    expect((await s.campaigns.getEntry(U4))?.state).toBe('FINISHED');
    expect(verifyChain(recordsOf(s.audit), RUN)).toBeUndefined();
  });
});

describe('requests record after the change', () => {
  it('a reassignment and an administrator entry change, with who, why and the notice', async () => {
    const s = await scenario();
    await s.run(day(0, 1));
    const count = recordsOf(s.audit).length;
    await reassignEntry(
      { campaigns: s.campaigns, directory: s.directory, outbox: s.outbox, audit: s.audit, portalUrl: 'https://idgov.example.com' },
      { entryId: U4, actor: { kind: 'administrator', name: 'ops-admin' }, input: { to: 'm1', justification: 'm2 is on leave until August' } },
      new Date(day(2)),
    );
    await changeEntry({ campaigns: s.campaigns, audit: s.audit }, U4, { dueDate: day(20), by: 'ops-admin' }, new Date(day(3)));
    const added = recordsOf(s.audit).slice(count);
    expect(added.map((r) => r.events.map((e) => `${e.type} ${e.actor}`))).toEqual([
      ['ENTRY_REASSIGNED user:ops-admin', 'NOTIFICATION_QUEUED user:ops-admin'],
      ['ENTRY_DUE_DATE_CHANGED user:ops-admin'],
    ]);
    expect(added[0]!.events[0]!.data).toMatchObject({ from: ['m2'], to: 'm1', justification: 'm2 is on leave until August' });
    expect(added[1]!.events[0]!.data).toMatchObject({ to: day(20) });

    // A refused one records nothing.
    await expect(
      reassignEntry(
        { campaigns: s.campaigns, directory: s.directory, outbox: s.outbox, audit: s.audit, portalUrl: 'https://idgov.example.com' },
        { entryId: U4, actor: { kind: 'user', userId: 'u2' }, input: { to: 'm2', justification: 'u2 is not allowed to do this' } },
        new Date(day(4)),
      ),
    ).rejects.toThrow();
    expect(recordsOf(s.audit)).toHaveLength(count + 2);
  });
});

describe('the admin chain', () => {
  it('holds a directory load, a workflow load, a schedule, a configuration change and an emergency revocation, hash-linked', async () => {
    const audit = new InMemoryAuditLog();
    const directory = new InMemoryDirectoryStore();
    const operations = new InMemoryOperationsStore();
    const at = new Date('2026-07-01T09:00:00.000Z');
    await loadDirectory({ directory, audit }, smallOrg(), 'hr-sync', at, 'directory.json');
    await loadWorkflows(
      { directory, audit },
      { workflows: [{ id: 'wf-two', name: 'Two steps', steps: [{ approvers: ['MANAGER'], timeoutDays: 7, onTimeout: 'REJECT' }, { approvers: ['m1'], timeoutDays: 7, onTimeout: 'REJECT' }] }] },
      'ops-admin',
      at,
    );
    await scheduleReapproval({ directory, audit }, '2026-09-01', 'ops-admin', at);
    await saveOperationsConfig({ operations, audit }, { compliance: { compliantAt: 70 } }, 'ops-admin', at);
    const result = await emergencyRevoke(
      { directory, operations, audit, clock: { now: () => new Date('2026-07-02T10:00:00.000Z') } },
      { userId: 'u1', reason: 'credentials leaked (INC-42)', by: 'oncall', requestId: 'req-1' },
    );
    expect(result.removed.map((r) => r.privilegeId)).toEqual(['p-fin', 'p-git', 'p-prod']);

    const records = recordsOf(audit, ADMIN_CHAIN);
    expect(verifyChain(records, ADMIN_CHAIN)).toBeUndefined();
    expect(records.map((r) => r.events.map((e) => `${e.type} ${e.actor}`))).toEqual([
      ['DIRECTORY_LOADED user:hr-sync'],
      ['WORKFLOWS_LOADED user:ops-admin'],
      ['REAPPROVAL_SCHEDULED user:ops-admin'],
      ['OPERATIONS_CONFIG_CHANGED user:ops-admin'],
      ['EMERGENCY_REVOCATION user:oncall', 'ASSIGNMENT_REVOKED user:oncall'],
    ]);
    expect(records[0]!.events[0]!.data).toMatchObject({ users: 7, privileges: 4, assignments: 9, source: 'directory.json', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(records[1]!.events[0]!.data).toMatchObject({ loaded: ['wf-two'], created: ['wf-two'], replaced: [] });
    expect(records[2]!.events[0]!.data).toEqual({ scheduledDate: '2026-09-01', previousDate: null });
    expect(records[4]!.events[0]!.data).toMatchObject({ userId: 'u1', reason: 'credentials leaked (INC-42)', removed: ['p-fin', 'p-git', 'p-prod'], requestId: 'req-1' });
    expect((records[4]!.events[1]!.data.items as { privilegeId: string }[]).map((i) => i.privilegeId)).toEqual(['p-fin', 'p-git', 'p-prod']);

    // The same request again (resumed) finds its record; a refused load records nothing.
    await emergencyRevoke({ directory, operations, audit, clock: { now: () => new Date('2026-07-02T11:00:00.000Z') } }, { userId: 'u1', reason: 'credentials leaked (INC-42)', by: 'oncall', requestId: 'req-1' });
    await expect(loadWorkflows({ directory, audit }, { workflows: [{ id: 'bad', name: 'Bad', steps: [{ approvers: ['ghost'], timeoutDays: 1, onTimeout: 'REJECT' }] }] }, 'ops-admin', at)).rejects.toThrow(/ghost/);
    expect(recordsOf(audit, ADMIN_CHAIN)).toHaveLength(5);
  });
});

describe('a re-approval in its privilege chain', () => {
  it('holds the run started, the decision, the outcome applied with the revocation, and each notice', async () => {
    const world = await buildWorld({
      privileges: [privilege('p-prod', { reapproval: { mode: 'CONTINUOUS', intervalDays: 90 } })],
      assignments: [manual('alice', 'p-prod', { approvedAt: iso(-90) })],
    });
    await world.day(0);
    await world.decide('owen', 'REJECT', dayAt(1, 9), 'alice moved to sales');
    await world.day(2);
    // Again the same day: nothing more to record.
    const before = recordsOf(world.audit, privilegeChain('p-prod')).length;
    await world.start(dayAt(2, 6));
    const records = recordsOf(world.audit, privilegeChain('p-prod'));
    expect(records).toHaveLength(before);
    expect(verifyChain(records, privilegeChain('p-prod'))).toBeUndefined();
    expect(records.map((r) => r.events.map((e) => `${e.type} ${e.actor}`))).toEqual([
      ['APPROVAL_STARTED job:start-reapproval', 'APPROVAL_STEP_OPENED job:start-reapproval', 'NOTIFICATION_QUEUED job:start-reapproval'],
      ['NOTIFICATION_SENT job:start-reapproval'],
      ['APPROVAL_DECIDED user:owen', 'APPROVAL_COMPLETED user:owen'],
      ['REAPPROVAL_OUTCOME_APPLIED job:start-reapproval', 'ASSIGNMENT_REVOKED job:start-reapproval', 'NOTIFICATION_QUEUED job:start-reapproval'],
      ['NOTIFICATION_SENT job:start-reapproval'],
    ]);
    const [started, , decided, applied] = records;
    expect(started!.eventKey).toMatch(/^approval:a-[0-9a-f]+:v1$/);
    expect(decided!.eventKey).toMatch(/^decision:a-[0-9a-f]+:v\d+$/);
    expect(decided!.events[0]!.data).toMatchObject({ outcome: 'REJECT', by: 'owen', comment: 'alice moved to sales', via: 'DECISION', step: 1 });
    expect(applied!.events[0]!.data).toMatchObject({ userId: 'alice', privilegeId: 'p-prod', result: 'REJECTED', action: 'REMOVED', mode: 'CONTINUOUS' });
    expect(applied!.events[2]!.data).toMatchObject({ kind: 'ASSIGNMENT_REJECT', recipientId: 'alice' });
    expect(await world.assignment('alice', 'p-prod')).toBeUndefined();
  });
});

describe('a chunk too large for one record', () => {
  it('is written as parts under keys of their own, each found again by a re-run', async () => {
    const { splitRecord } = await import('../../../lambdas/shared/domain/audit/events.js');
    const events: AuditEvent[] = Array.from({ length: 50 }, (_, i) => ({ type: 'ENTRY_CREATED', at: day(0), actor: 'job:campaign-controller', data: { entryId: `e-${i}`, pad: 'x'.repeat(1000) } }));
    const parts = splitRecord({ chainId: RUN, eventKey: 'prepare:c#1:u:v3', at: day(0), events }, 10_000);
    expect(parts.map((p) => p.eventKey)).toEqual(['prepare:c#1:u:v3', ...Array.from({ length: parts.length - 1 }, (_, i) => `prepare:c#1:u:v3#${i + 2}`)]);
    expect(parts.flatMap((p) => p.events)).toEqual(events);
    expect(parts.length).toBeGreaterThan(4);
    const audit = new InMemoryAuditLog();
    for (const p of parts) await audit.append(p);
    for (const p of parts) await audit.append(p);
    expect(recordsOf(audit)).toHaveLength(parts.length);
  });
});

describe('the log never hides a conflict', () => {
  it('rethrows the ConflictError after recording the abandoned change', async () => {
    const { recordThenChange } = await import('../../../lambdas/shared/use-cases/audit-trail.js');
    const audit = new InMemoryAuditLog();
    const draft = { chainId: RUN, eventKey: 'entry:e-1:v2', at: day(0), events: [{ type: 'ENTRY_STATE_CHANGED' as const, at: day(0), actor: 'job:campaign-controller' as const, data: { entryId: 'e-1' } }] };
    await expect(recordThenChange({ audit }, draft, async () => Promise.reject(new ConflictError('entry e-1 changed')))).rejects.toBeInstanceOf(ConflictError);
    expect(recordsOf(audit).map((r) => [r.eventKey, r.events[0]!.type])).toEqual([
      ['entry:e-1:v2', 'ENTRY_STATE_CHANGED'],
      ['abandoned:entry:e-1:v2', 'CHANGE_ABANDONED'],
    ]);
    // Any other failure (a kill) leaves the record for the re-run to find.
    await expect(recordThenChange({ audit }, { ...draft, eventKey: 'entry:e-1:v3' }, async () => Promise.reject(new Error('killed')))).rejects.toThrow('killed');
    expect(recordsOf(audit)).toHaveLength(3);
  });
});

describe('a job run appends one record at a time', () => {
  it('queues concurrent appends in the order asked, and a failed one does not hold back the next', async () => {
    const { oneAppendAtATime } = await import('../../../lambdas/shared/use-cases/audit-trail.js');
    const inner = new InMemoryAuditLog();
    let running = 0;
    let overlapped = false;
    const slow = Object.assign(Object.create(inner) as InMemoryAuditLog, {
      append: async (draft: Parameters<InMemoryAuditLog['append']>[0]) => {
        running += 1;
        overlapped ||= running > 1;
        await new Promise((resolve) => setTimeout(resolve, 2));
        running -= 1;
        if (draft.eventKey === 'bad') throw new Error('refused');
        return inner.append(draft);
      },
    });
    const log = oneAppendAtATime(slow);
    const draft = (eventKey: string) => ({ chainId: RUN, eventKey, at: day(0), events: [{ type: 'CHANGE_ABANDONED' as const, at: day(0), actor: 'job:campaign-controller' as const, data: { eventKey } }] });
    const results = await Promise.allSettled(['a', 'bad', 'b', 'c'].map((k) => log.append(draft(k))));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect(overlapped).toBe(false);
    expect(recordsOf(inner).map((r) => [r.eventKey, r.seq])).toEqual([
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ]);
    expect((await log.head(RUN))?.seq).toBe(3);
  });
});
