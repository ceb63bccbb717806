// The cleanup half of the controller's DELETED step (docs/reference/evidence.md, "Archive before
// cleanup"; docs/reference/scale.md, "Cleanup"): once a run's evidence pack is archived and recorded
// on the campaign, its records and notifications are deleted, or stamped with the table's TTL
// attribute for DynamoDB to delete, in time-budgeted chunks with a cursor on the campaign's phase.
// Apart from archive-evidence.ts, so that the controller, which archives through an
// EvidenceArchiver, does not carry the pack builder and its renderers.
import { markCleaned, withPhase } from '../../domain/campaign-lifecycle.js';
import { jobActor, runChain } from '../../domain/audit/model.js';
import { CLEANUP_PASSES, type Campaign, type CampaignPhase, type CleanupPass } from '../../domain/model.js';
import { entryCursor, forEachChunk, revocationCursor } from '../chunked.js';
import { UNLIMITED_BUDGET, type AuditLog, type CampaignStore, type Clock, type Outbox, type RecordRemoval, type TimeBudget } from '../ports.js';

const CONTROLLER = jobActor('campaign-controller');

/** DELETE: the controller deletes each record. TTL: it stamps the table's TTL attribute and DynamoDB deletes them. */
export type CleanupMode = RecordRemoval['mode'];

/** The partition of a run's notifications: an archived run's stay under the campaign it came from. */
export const outboxCampaignOf = (c: Campaign) => c.archivedFrom ?? c.id;

export interface CleanupDeps {
  campaigns: CampaignStore;
  outbox: Outbox;
  audit: AuditLog;
  /** Real time: a TTL stamp is compared with the engine's clock, never the business one. */
  wallClock: Clock;
  mode: CleanupMode;
  budget?: TimeBudget;
  /** Entries per chunk (with their items); revocations and notifications go ten times as many. Default 100. */
  chunkSize?: number;
}

const DEFAULT_ENTRIES = 100;

type CleanupPhase = Extract<CampaignPhase, { name: 'CLEANUP' }>;

/**
 * Cleans up the archived run from where its phase says, pass after pass: its entries (the listing
 * shrinks as they go, deleted or stamped, so it is read from its start), its revocations and its
 * notifications (by cursor: stamped ones stay listed until DynamoDB removes them). Returns the
 * campaign as saved: marked cleaned (with the audit record) when all is done; in CLEANUP with its
 * cursor when the budget ran out; undefined when nothing changed but unsent notifications wait for
 * the dispatch (a later run cleans them). Refuses a run whose evidence is not archived.
 */
export async function cleanUpRun(deps: CleanupDeps, campaign: Campaign, now: Date): Promise<Campaign | undefined> {
  if (!campaign.evidence) throw new Error(`campaign ${campaign.id}: run ${campaign.runId} has no archived evidence; its records are not deleted`);
  const removal: RecordRemoval = deps.mode === 'TTL' ? { mode: 'TTL', expiresAt: Math.floor(deps.wallClock.now().getTime() / 1000) } : { mode: 'DELETE' };
  const budget = deps.budget ?? UNLIMITED_BUDGET;
  const entries = deps.chunkSize ?? DEFAULT_ENTRIES;
  const { runId } = campaign;
  const outboxCampaign = outboxCampaignOf(campaign);
  let current = campaign;
  let phase: CleanupPhase = campaign.phase.name === 'CLEANUP' ? campaign.phase : { name: 'CLEANUP', pass: 'ENTRIES' };
  const save = async (next: CleanupPhase) => {
    phase = next;
    current = withPhase(current, next, now);
    await deps.campaigns.saveCampaign(current);
  };
  const nextPass = (pass: CleanupPass): CleanupPhase => ({ name: 'CLEANUP', pass: CLEANUP_PASSES[CLEANUP_PASSES.indexOf(pass) + 1]! });
  // Deleted records leave their listing, which is then read from its start each time; stamped ones
  // stay listed until DynamoDB removes them, so a TTL cleanup resumes after its saved cursor.
  const byCursor = removal.mode === 'TTL';
  const from = (after: string | undefined) => (byCursor && after !== undefined ? { after } : {});

  if (phase.pass === 'ENTRIES') {
    const result = await forEachChunk({
      pages: () => deps.campaigns.listEntries(runId),
      keyOf: entryCursor,
      budget,
      chunkSize: entries,
      work: (chunk) => deps.campaigns.removeEntries(chunk, removal),
      // Nothing to save: removed entries leave the listing, which the next pass reads from its start.
      checkpoint: async () => {},
    });
    if (!result.done) return current;
    await save(nextPass('ENTRIES'));
    if (!budget.hasTimeLeft()) return current;
  }
  if (phase.pass === 'REVOCATIONS') {
    const result = await forEachChunk({
      pages: (after) => deps.campaigns.listRevocations(runId, from(after)),
      keyOf: revocationCursor,
      after: phase.after,
      budget,
      chunkSize: entries * 10,
      work: (chunk) => deps.campaigns.removeRevocations(chunk, removal),
      checkpoint: async (after) => {
        if (byCursor) await save({ name: 'CLEANUP', pass: 'REVOCATIONS', after });
      },
    });
    if (!result.done) return current;
    await save(nextPass('REVOCATIONS'));
    if (!budget.hasTimeLeft()) return current;
  }
  // Deleted ones gone, the listing read from its start holds every unsent one: counted afresh.
  let unsent = byCursor ? (phase.unsent ?? 0) : 0;
  const result = await forEachChunk({
    pages: (after) => deps.outbox.listByRun(outboxCampaign, runId, from(after)),
    keyOf: (n) => n.key,
    after: phase.after,
    budget,
    chunkSize: entries * 10,
    work: async (chunk) => void (unsent += await deps.outbox.removeSettled(chunk, removal)),
    checkpoint: async (after) => {
      if (byCursor) await save({ name: 'CLEANUP', pass: 'NOTIFICATIONS', after, ...(unsent > 0 ? { unsent } : {}) });
    },
  });
  if (!result.done) return current;
  if (unsent > 0) {
    // Still to be sent (or skipped) by the dispatch: the pass runs again, from its start, in a later run.
    if (phase.after !== undefined || phase.unsent !== undefined) await save({ name: 'CLEANUP', pass: 'NOTIFICATIONS' });
    return undefined;
  }
  const at = now.toISOString();
  await deps.audit.append({
    chainId: runChain(runId),
    eventKey: `cleanup:${runId}`,
    at,
    campaignId: campaign.id,
    events: [{ type: 'CAMPAIGN_CLEANED_UP', at, actor: CONTROLLER, data: { runId, evidence: campaign.evidence.location } }],
  });
  const cleaned = markCleaned(withPhase(current, { name: 'DONE' }, now), now);
  // One version, not two: withPhase and markCleaned each count one.
  const next = { ...cleaned, version: current.version + 1 };
  await deps.campaigns.saveCampaign(next);
  return next;
}
