// Where a campaign's long phases stand, for the local CLI's progress line (ProgressSink). Every chunk
// of a chunked phase ends by saving the campaign with its cursor and its running counts (use-cases/
// chunked.ts), so the controller reports from those saves: the phases need no reporting code, and
// `done` is what the campaign has recorded, so a continuation goes on from the count it left.
import { CLEANUP_PASSES, type Campaign } from '../domain/model.js';
import type { CampaignStore, ProgressEvent, ProgressSink } from './ports.js';

const JOB = 'campaign-controller';

/**
 * What a saved campaign says about its phase's progress; undefined for a phase with nothing to count.
 * PREPARE: entries written (the subjects' number is not known before the directory is read: no total).
 * GUARD, APPLY: entries counted or applied (the run's entry count is not on the campaign: no total here).
 * VERIFY: revocations read back, of the removals the run made (its totals, summed while applying).
 * NOTIFY_REJECTS: users told (the number of users who lost access is not counted before: no total).
 * CLEANUP: its passes done, of three (entries, revocations, notifications): a DELETE cleanup saves
 * nothing per chunk (what it deleted leaves the listing), so its passes are what the campaign records.
 */
export function progressOfCampaign(c: Campaign): ProgressEvent | undefined {
  const at = { job: JOB, phase: c.phase.name, campaignId: c.id };
  switch (c.phase.name) {
    case 'PREPARE':
      return { ...at, unit: 'entries', done: c.phase.prepared?.entries ?? 0 };
    case 'GUARD':
      return { ...at, unit: 'entries', done: c.phase.entries ?? 0 };
    case 'APPLY':
      // Its totals are summed from its first chunk on: before it, none applied yet.
      if (c.phase.after === undefined) return { ...at, unit: 'entries', done: 0 };
      return c.runTotals?.runId === c.runId ? { ...at, unit: 'entries', done: c.runTotals.stats.entries } : undefined;
    case 'VERIFY': {
      const total = c.runTotals?.runId === c.runId ? c.runTotals.stats.revoked : undefined;
      return { ...at, unit: 'removals', done: c.phase.verified ?? 0, ...(total !== undefined ? { total } : {}) };
    }
    case 'NOTIFY_REJECTS':
      return { ...at, unit: 'users told', done: c.phase.told ?? 0 };
    case 'CLEANUP':
      return { ...at, unit: 'cleanup passes', done: CLEANUP_PASSES.indexOf(c.phase.pass), total: CLEANUP_PASSES.length };
    default:
      return undefined;
  }
}

/**
 * The store with each saved campaign reported to `sink` (after the save succeeded). A Proxy, so that
 * every other method is the store's own, bound to it.
 */
export function reportingSaves(campaigns: CampaignStore, sink: ProgressSink): CampaignStore {
  return new Proxy(campaigns, {
    get(target, property, receiver) {
      if (property === 'saveCampaign') {
        return async (campaign: Campaign) => {
          await target.saveCampaign(campaign);
          const event = progressOfCampaign(campaign);
          if (event) sink(event);
        };
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
