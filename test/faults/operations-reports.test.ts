// Eight days of the daily operations report (08:00) and the weekly summary (Mondays 09:00), each
// through its handler on the embedded engine, over a campaign that starts, is decided and reminded
// meanwhile, while DynamoDB throttles or fails 20 % of the calls and SES and SNS refuse 20 % of the
// sends. Every report ends stored as in the run without faults, delivered to the topic and to each
// recipient exactly once.
import { beforeAll, describe, expect, it } from 'vitest';
import { createHandler as createDailyHandler } from '../../lambdas/daily-operations/handler.js';
import { createHandler as createWeeklyHandler } from '../../lambdas/weekly-summary/handler.js';
import { createCampaign } from '../../lambdas/shared/use-cases/campaign-admin.js';
import { decide } from '../../lambdas/shared/use-cases/decisions.js';
import { silentLog, type HealthProbe } from '../../lambdas/shared/use-cases/ports.js';
import { FaultSchedule, faultSeeds, type AcceptedMail, type RetryMode } from '../support/aws-faults.js';
import { useEngine } from '../support/engine.js';
import { controllerOf, expectSentOnce, faultWorld, type FaultWorld, type TableState } from '../support/fault-world.js';
import { scheduledJobEvent } from '../support/job-events.js';
import { day, entryOf, highRiskUserCampaign, lifecycleSteps, smallOrg, T0 } from '../support/small-org.js';

const engine = useEngine();
const CAMPAIGN = 'c-ops';
const RATE = 0.2;
const RECIPIENTS = ['ops@example.com', 'security@example.com'];
/** 2026-07-01 is a Wednesday: its Monday (07-06) has a weekly summary. */
const DAYS = 8;

// The tables' health as the probe measures it: not what this suite is about (the heartbeats are).
const health: HealthProbe = { source: 'local', measure: async () => [{ name: 'table:campaigns', status: 'HEALTHY' }] };

interface Played {
  world: FaultWorld;
  /** The operations table after each day. */
  days: TableState['operations'][];
  mail: AcceptedMail[];
  published: AcceptedMail[];
}

/** The days: the controller's scripted runs and decisions (without faults), then the reports (with). */
async function play(schedule: FaultSchedule, mode: RetryMode): Promise<Played> {
  const w = await faultWorld(engine, schedule, mode);
  const controller = controllerOf(w);
  const jobDeps = { operations: w.operations, publisher: w.publisher, mailer: w.mailer, metrics: { publish: async () => {} }, recipients: RECIPIENTS, wallClock: w.wall, log: silentLog };
  const daily = createDailyHandler(() => ({ ...jobDeps, directory: w.directory, campaigns: w.campaigns, health, deployedAt: new Date(T0) }));
  const weekly = createWeeklyHandler(() => jobDeps);
  await w.clean(async () => {
    const org = smallOrg();
    await w.directory.putUsers(org.users);
    await w.directory.putPrivileges(org.privileges);
    await w.directory.putAssignments(org.assignments);
    await createCampaign({ campaigns: w.campaigns, audit: w.audit }, highRiskUserCampaign(), new Date(T0), CAMPAIGN);
    await w.operations.putRiskSummary(
      { date: '2026-07-01', assessedAt: '2026-07-01T07:30:00.000Z', users: 7, usersByLevel: { LOW: 3, MEDIUM: 0, HIGH: 3, CRITICAL: 1 }, sodConflicts: 0, sodConflictList: [], orphanedAccess: 0, orphanedAccessList: [] },
      400,
    );
  });
  const script = lifecycleSteps();
  const days: Played['days'] = [];
  for (let d = 0; d < DAYS; d++) {
    for (const step of script.filter((s) => s.at >= day(d) && s.at < day(d + 1))) {
      if ('run' in step) await w.clean(() => controller(step.at));
      else await w.clean(() => decide({ campaigns: w.campaigns, audit: w.audit }, { entryId: entryOf(CAMPAIGN, step.decide.subjectId), actorId: step.decide.actor, decisions: step.decide.decisions }, new Date(step.at)));
    }
    await w.job(() => daily(scheduledJobEvent(day(d, 8), 'daily-operations')));
    if (new Date(day(d)).getUTCDay() === 1) await w.job(() => weekly(scheduledJobEvent(day(d, 9), 'weekly-summary')));
    days.push(normaliseReports((await w.tables()).operations));
  }
  return { world: w, days, mail: w.accepted, published: w.published };
}

/**
 * The heartbeats of the two jobs under test: a report reads them from those jobs' runs, which
 * under faults include the extra attempts (one that failed minutes before, or one killed after it
 * recorded its end). They are compared by status; the rest of the report (its figures, the other
 * heartbeats, recommendations) must be the run's without faults.
 */
const JOBS_UNDER_TEST = ['heartbeat:daily-operations', 'heartbeat:weekly-summary'];

function normaliseReports(records: TableState['operations']): TableState['operations'] {
  return records.map((r) => {
    const report = r.report as { health?: { components: { name: string; status: string }[] } } | undefined;
    if (!report?.health) return r;
    const components = report.health.components.map((c) => (JOBS_UNDER_TEST.includes(c.name) ? { name: c.name, status: c.status } : c));
    return { ...r, report: { ...report, health: { ...report.health, components } } };
  });
}

let reference: Played;
beforeAll(async () => {
  reference = await play(new FaultSchedule(0, 0), 'sdk');
});

describe.each(['none', 'sdk'] as const)('the daily report and the weekly summary with faults (retries: %s)', (mode) => {
  it.each(faultSeeds([1, 2]))('are stored and delivered as without faults, each once: seed %i', async (seed) => {
    const faulty = await play(new FaultSchedule(seed, RATE), mode);
    const w = faulty.world;
    const context = `${w.schedule.describe()}; runs ${w.runs.total}, unfinished ${w.runs.unfinished}; reproduce with IDGOV_FAULT_SEED=${seed}`;
    expect(w.schedule.total(), context).toBeGreaterThan(mode === 'none' ? 10 : 30);
    if (mode === 'none') expect(w.runs.unfinished, context).toBeGreaterThan(0);
    reference.days.forEach((state, d) => expect(faulty.days[d], `operations table after day ${d}; ${context}`).toEqual(state));
    const again =
      expectSentOnce(faulty.published, w.schedule.killedRuns, reference.published, `published to the topic; ${context}`) +
      expectSentOnce(faulty.mail, w.schedule.killedRuns, reference.mail, `mail; ${context}`);
    // The reference: 8 daily reports and a weekly summary, each to the topic and both recipients (and the campaign's own mail).
    expect(reference.published).toHaveLength(DAYS + 1);
    expect(reference.mail.filter((m) => m.to === 'ops@example.com')).toHaveLength(DAYS + 1);
    console.log(`reports, retries ${mode}: ${context}; sent again after a kill: ${again}`);
  });
});
