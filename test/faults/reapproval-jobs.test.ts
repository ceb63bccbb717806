// A season of re-approval (a continuous start, a scheduled round approved by its timeout rule,
// reminders, an escalation, a rejection that removes access, resets after a privilege is unflagged
// or changes mode) through the initialize-reapproval and start-reapproval handlers on the embedded
// engine, while DynamoDB throttles or fails 20 % of the calls and SES refuses 20 % of the mail. The
// directory, the approval runs, the outbox and the audit chains end as without faults, and each
// mail was sent exactly once.
import { beforeAll, describe, expect, it } from 'vitest';
import { createHandler as createInitializeHandler } from '../../lambdas/initialize-reapproval/handler.js';
import { createHandler as createStartHandler } from '../../lambdas/start-reapproval/handler.js';
import type { ApprovalWorkflow } from '../../lambdas/shared/domain/approvals/model.js';
import type { StartReapprovalResult } from '../../lambdas/shared/use-cases/approvals/start-reapproval.js';
import { silentLog } from '../../lambdas/shared/use-cases/ports.js';
import { FaultSchedule, faultSeeds, type AcceptedMail, type RetryMode } from '../support/aws-faults.js';
import { useEngine } from '../support/engine.js';
import { expectSentOnce, faultWorld, type FaultWorld, type TableState } from '../support/fault-world.js';
import { aPrivilege, aUser, anAssignment } from '../support/fixtures.js';

const engine = useEngine();
const RATE = 0.2;

const T0 = Date.parse('2026-07-01T00:00:00.000Z');
const day = (d: number, hour = 0) => new Date(T0 + d * 86_400_000 + hour * 3_600_000).toISOString();

/** Decided by its timeout rule after two days: the scheduled round's runs approve themselves. */
const SELF_APPROVING: ApprovalWorkflow = { id: 'wf-timeout-approves', name: 'Owner, approved when silent', steps: [{ approvers: ['PRIVILEGE_OWNER'], timeoutDays: 2, onTimeout: 'APPROVE' }] };

type Step = { at: string; job: 'initialize' | 'start' } | { at: string; change: (w: FaultWorld) => Promise<unknown> };

/** The season of test/integration/reapproval-grants.test.ts, day by day. */
const SEASON: Step[] = [
  { at: day(0, 5), job: 'initialize' },
  { at: day(0, 6), job: 'start' },
  // p-unflag loses its settings: its holder is sent back to initialization.
  { at: day(1), change: (w) => w.directory.putPrivileges([aPrivilege({ id: 'p-unflag', ownerIds: ['u-owner'] })]) },
  { at: day(3, 6), job: 'start' },
  { at: day(12, 6), job: 'start' },
  { at: day(15, 6), job: 'start' },
  // p-switch becomes SCHEDULED: the next initialization moves its holder over.
  { at: day(20), change: (w) => w.directory.putPrivileges([aPrivilege({ id: 'p-switch', ownerIds: ['u-owner'], reapproval: { mode: 'SCHEDULED' } })]) },
  { at: day(29, 5), job: 'initialize' },
  { at: day(30, 6), job: 'start' },
];

interface Played {
  world: FaultWorld;
  states: TableState[];
  chains: Record<string, string[]>;
  mail: AcceptedMail[];
}

/** Done: nothing failed to start, and every notice due was sent. */
const finished = (result: unknown) => {
  const r = result as Partial<StartReapprovalResult>;
  return (r.failed ?? 0) === 0 && (r.dispatch?.retrying ?? 0) === 0 && (r.dispatch?.failed ?? 0) === 0;
};

async function play(schedule: FaultSchedule, mode: RetryMode): Promise<Played> {
  const w = await faultWorld(engine, schedule, mode);
  const initialize = createInitializeHandler(() => ({ directory: w.directory, operations: w.operations, wallClock: w.wall, log: silentLog }));
  const start = createStartHandler(() => ({
    directory: w.directory,
    operations: w.operations,
    approvals: w.approvals,
    campaigns: w.campaigns,
    outbox: w.outbox,
    audit: w.audit,
    mailer: w.mailer,
    portalUrl: 'https://portal.example',
    wallClock: w.wall,
    log: silentLog,
  }));
  await w.clean(async () => {
    await w.directory.putUsers([aUser({ id: 'u-boss' }), aUser({ id: 'u-owner', managerId: 'u-boss' }), ...['u-a', 'u-b', 'u-c', 'u-d', 'u-e'].map((id) => aUser({ id, managerId: 'u-boss' }))]);
    await w.directory.putPrivileges([
      aPrivilege({ id: 'p-cont', ownerIds: ['u-owner'], reapproval: { mode: 'CONTINUOUS', intervalDays: 30 } }),
      aPrivilege({ id: 'p-sched', ownerIds: ['u-owner'], reapproval: { mode: 'SCHEDULED', workflowId: SELF_APPROVING.id } }),
      aPrivilege({ id: 'p-switch', ownerIds: ['u-owner'], reapproval: { mode: 'CONTINUOUS', intervalDays: 30 } }),
      aPrivilege({ id: 'p-unflag', ownerIds: ['u-owner'], reapproval: { mode: 'CONTINUOUS', intervalDays: 30 } }),
    ]);
    await w.directory.putWorkflows([SELF_APPROVING]);
    await w.directory.putAssignments([
      anAssignment({ userId: 'u-a', privilegeId: 'p-cont', approvedAt: day(-40) }),
      anAssignment({ userId: 'u-b', privilegeId: 'p-sched' }),
      anAssignment({ userId: 'u-c', privilegeId: 'p-sched' }),
      anAssignment({ userId: 'u-d', privilegeId: 'p-switch', approvedAt: day(-1) }),
      anAssignment({ userId: 'u-e', privilegeId: 'p-unflag', approvedAt: day(-29) }),
    ]);
    await w.directory.putReapprovalConfig({ scheduledDate: day(0).slice(0, 10), reminders: { daysBeforeDue: 3, intervalHours: 24 } });
  });
  const states: TableState[] = [];
  for (const step of SEASON) {
    if ('change' in step) {
      await w.clean(() => step.change(w));
      continue;
    }
    if (step.job === 'initialize') await w.job(() => initialize({ now: step.at }));
    else await w.job(() => start({ now: step.at }), finished);
    states.push(await w.tables());
  }
  return { world: w, states, chains: await w.auditChains(), mail: w.accepted };
}

/**
 * A scheduled round's `started` counts the starts of the runs that recorded them: a run that
 * failed after starting some and before recording the round leaves them uncounted (as documented
 * in start-reapproval.ts). Compared apart: never more than without faults.
 */
function withoutRoundCounts(state: TableState): TableState & { roundStarts: number[] } {
  const rounds = state.directory.filter((r) => r.PK === 'REAPPROVAL#ROUND');
  return {
    ...state,
    directory: state.directory.map((r) => (r.PK === 'REAPPROVAL#ROUND' ? { ...r, started: '(counted apart)' } : r)),
    roundStarts: rounds.map((r) => r.started as number),
  };
}

let reference: Played;
beforeAll(async () => {
  reference = await play(new FaultSchedule(0, 0), 'sdk');
});

describe.each(['none', 'sdk'] as const)('a season of re-approval with faults (retries: %s)', (mode) => {
  it.each(faultSeeds([1, 2]))('ends, run by run, as without faults: seed %i', async (seed) => {
    const faulty = await play(new FaultSchedule(seed, RATE), mode);
    const w = faulty.world;
    const context = `${w.schedule.describe()}; runs ${w.runs.total}, unfinished ${w.runs.unfinished}; reproduce with IDGOV_FAULT_SEED=${seed}`;
    expect(w.schedule.total(), context).toBeGreaterThan(mode === 'none' ? 10 : 30);
    if (mode === 'none') expect(w.runs.unfinished, context).toBeGreaterThan(0);
    reference.states.forEach((state, run) => {
      const { roundStarts, ...tables } = withoutRoundCounts(state);
      const { roundStarts: faultyStarts, ...faultyTables } = withoutRoundCounts(faulty.states[run]!);
      expect(faultyTables, `tables after job run ${run + 1}; ${context}`).toEqual(tables);
      faultyStarts.forEach((n, i) => expect(n, `round starts after job run ${run + 1}; ${context}`).toBeLessThanOrEqual(roundStarts[i]!));
    });
    expect(faulty.chains, `audit chains; ${context}`).toEqual(reference.chains);
    const again = expectSentOnce(faulty.mail, w.schedule.killedRuns, reference.mail, `mail; ${context}`);
    // The reference took every path: approvals, a rejection (access removed), reminders, an escalation.
    expect(reference.mail.length).toBeGreaterThanOrEqual(6);
    const holdsPCont = (state: TableState) => state.directory.some((r) => r.PK === 'USER#u-a' && r.SK === 'ASSIGN#p-cont');
    expect(holdsPCont(reference.states[0]!)).toBe(true);
    expect(holdsPCont(reference.states.at(-1)!)).toBe(false);
    console.log(`re-approval, retries ${mode}: ${context}; sent again after a kill: ${again}`);
  });
});
