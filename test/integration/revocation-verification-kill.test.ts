// A finish killed after any write of its VERIFY phase, through the real controller handler on a real
// engine, over a directory that accepts the removal of u1's GitHub-Org-Owner and does not make it:
// the next run ends in the state and mail of a clean finish, the owner told once that it is still
// present. (A slow-tier suite on DynamoDB Local, like controller-kill: scripts/test.mjs.)
import { describe, expect, it } from 'vitest';
import { createHarness, KilledError, type Harness, type Snapshot } from '../support/controller-harness.js';
import { useEngine } from '../support/engine.js';
import { day, entryOf, highRiskUserCampaign, lifecycleSteps, smallOrg, T0 } from '../support/small-org.js';

const engine = useEngine();
const CAMPAIGN = 'c-verify';
const FINISH = day(14, 1);
/** The script's start, decisions and finish (its reminder runs and status expiration are not part of this story). */
const steps = lifecycleSteps().filter((s) => s.at <= FINISH && !('run' in s && s.at !== day(0, 1) && s.at !== FINISH));

describe('a finish killed after any write of its VERIFY phase', () => {
  interface Played {
    finish: Snapshot;
    mail: string[];
    /** Writes of the finish run before VERIFY began, and when it had saved NOTIFY_REJECTS. */
    verifyWrites?: { from: number; to: number };
  }

  async function play(killAt?: number): Promise<Played> {
    const { doc, names } = await engine.freshTables();
    const h: Harness = createHarness(doc, names);
    await h.load(smallOrg());
    await h.create(highRiskUserCampaign(), T0, CAMPAIGN);
    const made = h.directory.removeAssignment.bind(h.directory);
    h.directory.removeAssignment = async (userId, privilegeId) => (userId === 'u1' && privilegeId === 'p-git' ? 'REMOVED' : made(userId, privilegeId));
    // Where the VERIFY phase's writes fall among the finish run's.
    let verifyWrites: { from: number; to: number } | undefined;
    const save = h.campaigns.saveCampaign.bind(h.campaigns);
    h.campaigns.saveCampaign = async (campaign) => {
      const before = h.kill.count;
      await save(campaign);
      if (campaign.phase.name === 'VERIFY' && !verifyWrites) verifyWrites = { from: before + 1, to: before + 1 };
      if (campaign.phase.name === 'NOTIFY_REJECTS' && verifyWrites) verifyWrites.to = h.kill.count;
    };
    for (const step of steps) {
      if (!('run' in step)) {
        await h.decide(entryOf(CAMPAIGN, step.decide.subjectId), step.decide.actor, step.decide.decisions, step.at);
        continue;
      }
      h.kill.arm(step.at === FINISH ? killAt : undefined);
      try {
        await h.run(step.at);
      } catch (error) {
        if (!(error instanceof KilledError) && !(error instanceof AggregateError && error.errors.every((e) => e instanceof KilledError))) throw error;
        h.kill.arm(undefined);
        // The next run, once the killed run's lease and send claims have expired.
        h.wall.advance(16 * 60_000);
        await h.run(step.at);
      }
      h.kill.arm(undefined);
    }
    return { finish: await h.snapshot(), mail: h.mailer.sent.map((m) => `${m.to}|${m.subject}`).sort(), ...(verifyWrites ? { verifyWrites } : {}) };
  }

  it('ends, once run again, in the state and mail of a clean finish: the owner told once', async () => {
    const clean = await play();
    const range = clean.verifyWrites!;
    expect(range.to - range.from).toBeGreaterThanOrEqual(2);
    expect(clean.mail.filter((m) => m === 'admin@example.com|Access still present after the review "Finance high-risk users"')).toHaveLength(1);
    for (let k = range.from; k <= range.to; k++) {
      const killed = await play(k);
      expect(killed.finish, `state after a kill at write ${k} of the finish`).toEqual(clean.finish);
      expect(killed.mail, `mail after a kill at write ${k} of the finish`).toEqual(clean.mail);
    }
  }, 300_000);
});
