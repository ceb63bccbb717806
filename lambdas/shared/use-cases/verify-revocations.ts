// Revocation verification (docs/reference/campaigns.md, "Revocation verification"): the VERIFY phase,
// between applying a run's decisions and telling its users, reads every assignment the run removed
// back from the directory, chunk by chunk, and records on each revocation whether it is gone. The
// owner is told once about removals still present, and every later controller run checks those
// again (once a day each, through a sparse index) until they are gone.
import { campaignRecord, auditKey, CONTROLLER_ACTOR, notificationsQueued, revocationRechecked, revocationsVerified, verificationCompleted } from '../domain/audit/events.js';
import { runChain } from '../domain/audit/model.js';
import { withPhase } from '../domain/campaign-lifecycle.js';
import type { Campaign, Notification, Revocation } from '../domain/model.js';
import { notificationKey } from '../domain/notifications.js';
import { afterChunk, runVerificationOf, verificationOf, type VerifyPhase } from '../domain/revocation-verification.js';
import { appendRecord, recordThenChange, type AuditDeps } from './audit-trail.js';
import { CampaignNotifier } from './campaign-notifier.js';
import { forEachChunk, revocationCursor } from './chunked.js';
import { chunk, mapLimit } from './concurrency.js';
import { UNLIMITED_BUDGET, type CampaignStore, type DirectoryStore, type Log, type Outbox, type ReapprovalDirectory, type TimeBudget } from './ports.js';

export interface VerifyDeps extends AuditDeps {
  campaigns: CampaignStore;
  /** Read back one assignment at a time, consistently; its people named in the owner's notice. */
  directory: DirectoryStore & Pick<ReapprovalDirectory, 'getAssignment'>;
  outbox: Outbox;
  portalUrl: string;
  log: Log;
  /** Checked between chunks: the phase stops at a chunk's checkpoint and a later call resumes after it. */
  budget?: TimeBudget;
  /** Revocations per chunk (default VERIFY_CHUNK_SIZE). */
  verifyChunkSize?: number;
}

/** Assignments read back at once. */
const READ_CONCURRENCY = 8;
/** Revocations per chunk: read back, recorded, then the phase's cursor saved. */
export const VERIFY_CHUNK_SIZE = 100;

/**
 * The VERIFY phase from its cursor: each chunk of the run's revocations read back and recorded
 * (verifyChunk), then the phase's cursor and counts saved; once every revocation is checked, the
 * run's totals recorded on the campaign, the owner told (REVOCATION_UNVERIFIED) if any removal is
 * still present, and the campaign moved to NOTIFY_REJECTS. Returns the campaign as saved; still
 * in VERIFY when the budget ended the loop first.
 */
export async function verifyRevocations(deps: VerifyDeps, campaign: Campaign, now: Date): Promise<Campaign> {
  let current = campaign;
  const phaseOf = (c: Campaign): VerifyPhase => (c.phase.name === 'VERIFY' ? c.phase : { name: 'VERIFY' });
  let checked: Revocation[] = [];
  const result = await forEachChunk<Revocation>({
    pages: (after) => deps.campaigns.listRevocations(current.runId, { after }),
    keyOf: revocationCursor,
    after: phaseOf(current).after,
    budget: deps.budget ?? UNLIMITED_BUDGET,
    chunkSize: deps.verifyChunkSize ?? VERIFY_CHUNK_SIZE,
    work: async (chunk) => {
      checked = await verifyChunk(deps, current, chunk, now);
    },
    checkpoint: async (lastKey) => {
      current = withPhase(current, afterChunk(phaseOf(current), lastKey, checked), now);
      await deps.campaigns.saveCampaign(current);
    },
  });
  if (!result.done) return current;
  return completeVerification(deps, current, phaseOf(current), now);
}

/**
 * One chunk: each revocation not read back yet (a run killed after this chunk's writes left the
 * others recorded: they are not read again) is read back from the directory and recorded, then the
 * chunk's record appended to the run's chain, built from what was recorded, so that a re-run of the
 * chunk appends the same record under the same key (the campaign version the chunk starts from).
 * Returns the chunk as recorded.
 */
export async function verifyChunk(deps: VerifyDeps, campaign: Campaign, chunk: readonly Revocation[], now: Date): Promise<Revocation[]> {
  const read = await readBackRevocations(deps.directory, chunk.filter((r) => r.verification === undefined), now);
  if (read.length > 0) await deps.campaigns.saveRevocationVerifications(read);
  const byKey = new Map(read.map((r) => [revocationCursor(r), r]));
  const recorded = chunk.map((r) => byKey.get(revocationCursor(r)) ?? r);
  const phase = campaign.phase.name === 'VERIFY' ? campaign.phase : undefined;
  const at = now.toISOString();
  await appendRecord(deps.audit, campaignRecord(campaign, auditKey.verify(campaign), at, [revocationsVerified(recorded, phase?.after, CONTROLLER_ACTOR, at)]));
  const still = recorded.filter((r) => r.verification?.status === 'STILL_PRESENT').length;
  if (still > 0) deps.log.warn('removals still present in the directory after applying', { campaignId: campaign.id, runId: campaign.runId, stillPresent: still });
  return recorded;
}

/** The removals read back from the directory, each with what was found (`verification`). */
export const readBackRevocations = (directory: Pick<ReapprovalDirectory, 'getAssignment'>, revocations: readonly Revocation[], now: Date): Promise<Revocation[]> =>
  mapLimit(revocations, READ_CONCURRENCY, async (r) => ({ ...r, verification: verificationOf(await directory.getAssignment(r.userId, r.privilegeId), now) }));

/**
 * The end of VERIFY: the run's totals on the campaign (Campaign End's stats take `stillPresent`
 * from them), the owner's notice when a removal is still present (recorded before the campaign is
 * saved: a re-run finds it and records none), then NOTIFY_REJECTS. A run that removed nothing moves
 * on with no record.
 */
export async function completeVerification(deps: VerifyDeps, campaign: Campaign, phase: VerifyPhase, now: Date): Promise<Campaign> {
  const totals = runVerificationOf(phase, now);
  const next = withPhase({ ...campaign, verification: totals }, { name: 'NOTIFY_REJECTS' }, now);
  if (totals.verified === 0) {
    await deps.campaigns.saveCampaign(next);
    return next;
  }
  const at = now.toISOString();
  const notices: Notification[] = [];
  if (totals.stillPresent > 0) {
    const notifier = new CampaignNotifier(deps.directory, deps.portalUrl, campaign, now);
    const stillPresent = (phase.sample ?? []).map(stillPresentLine);
    notices.push(
      await notifier.composeFor('REVOCATION_UNVERIFIED', notificationKey.revocationUnverified(campaign), campaign.ownerId, {
        stillPresent,
        stillPresentCount: totals.stillPresent,
        verifiedCount: totals.verified,
      }),
    );
  }
  const events = [verificationCompleted(campaign, totals, CONTROLLER_ACTOR, at), ...notificationsQueued(notices, CONTROLLER_ACTOR, at)];
  return recordThenChange(deps, campaignRecord(next, auditKey.campaign(next), at, events), async () => {
    if (notices.length > 0) await deps.outbox.enqueue(notices);
    await deps.campaigns.saveCampaign(next);
    return next;
  });
}

export interface RecheckResult {
  /** Removals read back again, and of those, found gone now. */
  rechecked: number;
  gone: number;
}

/**
 * A later controller run's re-check of the removals found still present whose next check has come
 * (the unverified index, read up to `now`: never a run's other revocations). Each is read back:
 * gone (or granted by a rule since) leaves the index, with a REVOCATION_RECHECKED record in its
 * run's chain written first (keyed by the check it follows, so a re-run writes none); still there,
 * it is checked again a day later. A slice at a time (VERIFY_CHUNK_SIZE), none started once the budget
 * is spent: what is checked leaves the range read, so the next run goes on where this one stopped.
 */
export async function recheckStillPresent(deps: Omit<VerifyDeps, 'outbox' | 'portalUrl'>, now: Date): Promise<RecheckResult> {
  const budget = deps.budget ?? UNLIMITED_BUDGET;
  const result: RecheckResult = { rechecked: 0, gone: 0 };
  const at = now.toISOString();
  const done = () => {
    if (result.rechecked > 0) deps.log.info('removals found still present checked again', { ...result });
    return result;
  };
  for await (const page of deps.campaigns.listUnverifiedRevocations(at)) {
    for (const slice of chunk(page, deps.verifyChunkSize ?? VERIFY_CHUNK_SIZE)) {
      // Last in a run's work: none starts once the budget is spent (what is left stays due for the next run).
      if (!budget.hasTimeLeft()) return done();
      const read = await mapLimit(slice, READ_CONCURRENCY, async (r): Promise<{ before: Revocation; after: Revocation }> => {
        const found = await deps.directory.getAssignment(r.userId, r.privilegeId);
        return { before: r, after: { ...r, verification: verificationOf(found, now, r.verification) } };
      });
      for (const { before, after } of read) {
        if (after.verification?.status !== 'ABSENT') continue;
        const previousCheck = before.verification?.at ?? before.at;
        const event = revocationRechecked(after, before.verification, CONTROLLER_ACTOR, at);
        await appendRecord(deps.audit, { chainId: runChain(after.runId), eventKey: auditKey.recheck(after, previousCheck), at, campaignId: after.campaignId, events: [event] });
      }
      await deps.campaigns.saveRevocationVerifications(read.map((r) => r.after));
      result.rechecked += read.length;
      result.gone += read.filter((r) => r.after.verification?.status === 'ABSENT').length;
    }
  }
  return done();
}

/** A removal found still present, as Revocation Unverified lists it (the privilege by name when known). */
export const stillPresentLine = (r: Pick<Revocation, 'userId' | 'privilegeId' | 'privilegeName'>) => ({
  userId: r.userId,
  privilegeId: r.privilegeId,
  privilegeName: r.privilegeName ?? r.privilegeId,
});
