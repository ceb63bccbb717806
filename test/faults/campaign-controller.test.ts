// A whole campaign (start, preparation, Approval Starts, decisions, reminders, expiry of an entry,
// the finish applying the decisions, Assignment Rejects and Campaign End, the status expiration,
// the evidence archive and the cleanup) driven through the controller's handler on the embedded
// engine while DynamoDB throttles or fails 20 % of the calls, SES refuses 20 % of the mail and S3
// 20 % of the evidence writes. After every step the tables equal those of the same campaign run
// without faults, the audit chains hold the same records, and each mail was sent exactly once.
import { beforeAll, describe, expect, it } from 'vitest';
import { createCampaign } from '../../lambdas/shared/use-cases/campaign-admin.js';
import type { ControllerReport } from '../../lambdas/shared/use-cases/campaign-controller.js';
import { decide } from '../../lambdas/shared/use-cases/decisions.js';
import { FaultSchedule, faultSeeds, type AcceptedMail, type RetryMode } from '../support/aws-faults.js';
import { useEngine } from '../support/engine.js';
import { controllerOf, expectSentOnce, faultWorld, type FaultWorld, type TableState } from '../support/fault-world.js';
import { entryOf, highRiskUserCampaign, lifecycleSteps, smallOrg, T0 } from '../support/small-org.js';

const engine = useEngine();
const CAMPAIGN = 'c-faults';
const RATE = 0.2;

interface Played {
  world: FaultWorld;
  /** The tables after each step of the script. */
  states: TableState[];
  mail: AcceptedMail[];
  chains: Record<string, string[]>;
  archived: string[];
}

/**
 * Done: no campaign step failed, every notice due was sent (none waits for a retry), and the run
 * did not stop for a continuation (a time budget that ran out asks for another invocation).
 */
const finished = (report: ControllerReport) =>
  report.status === 'COMPLETED' &&
  report.errors.length === 0 &&
  report.dispatch !== undefined &&
  report.dispatch.retrying === 0 &&
  report.dispatch.failed === 0 &&
  (report as { continue?: boolean }).continue !== true;

async function play(schedule: FaultSchedule, mode: RetryMode): Promise<Played> {
  const w = await faultWorld(engine, schedule, mode);
  const run = controllerOf(w);
  await w.clean(async () => {
    const org = smallOrg();
    await w.directory.putUsers(org.users);
    await w.directory.putPrivileges(org.privileges);
    await w.directory.putAssignments(org.assignments);
    await createCampaign({ campaigns: w.campaigns, audit: w.audit }, highRiskUserCampaign(), new Date(T0), CAMPAIGN);
  });
  const states: TableState[] = [];
  for (const step of lifecycleSteps()) {
    if ('run' in step) {
      await w.job(() => run(step.at), finished);
      states.push(await w.tables());
    } else {
      // An approver's request, not a job: made once the service answers (the portal retries it).
      await w.clean(() => decide({ campaigns: w.campaigns, audit: w.audit }, { entryId: entryOf(CAMPAIGN, step.decide.subjectId), actorId: step.decide.actor, decisions: step.decide.decisions }, new Date(step.at)));
    }
  }
  return {
    world: w,
    states,
    mail: w.accepted,
    chains: await w.auditChains(),
    archived: [...w.archive.files.keys()].sort(),
  };
}

let reference: Played;
beforeAll(async () => {
  reference = await play(new FaultSchedule(0, 0), 'sdk');
});

describe.each(['none', 'sdk'] as const)('a whole campaign with faults (retries: %s)', (mode) => {
  it.each(faultSeeds([1, 2, 3]))('ends, step by step, as the run without faults: seed %i', async (seed) => {
    const faulty = await play(new FaultSchedule(seed, RATE), mode);
    const context = `${faulty.world.schedule.describe()}; runs ${faulty.world.runs.total}, unfinished ${faulty.world.runs.unfinished}; reproduce with IDGOV_FAULT_SEED=${seed}`;
    // The faults landed, and (without the SDK's retries) reached the product code.
    expect(faulty.world.schedule.total(), context).toBeGreaterThan(mode === 'none' ? 10 : 40);
    if (mode === 'none') expect(faulty.world.runs.unfinished, context).toBeGreaterThan(0);
    reference.states.forEach((state, step) => expect(faulty.states[step], `tables after controller run ${step + 1}; ${context}`).toEqual(state));
    expect(faulty.chains, `audit chains; ${context}`).toEqual(reference.chains);
    const again = expectSentOnce(faulty.mail, faulty.world.schedule.killedRuns, reference.mail, `mail; ${context}`);
    expect(faulty.archived, `evidence files; ${context}`).toEqual(reference.archived);
    // The reference reached every step: notices sent, evidence archived, the run cleaned up.
    expect(reference.mail.length).toBeGreaterThanOrEqual(10);
    expect(reference.archived.length).toBeGreaterThan(0);
    console.log(`campaign, retries ${mode}: ${context}; sent again after a kill: ${again}`);
  });
});
