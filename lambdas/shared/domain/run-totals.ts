// A run's totals summed entry by entry while its decisions are applied (Campaign.runTotals): each
// APPLY chunk adds its entries and saves the sum with its cursor, so the finish reports the run
// without reading every entry again, and a resumed run counts each entry once.
import { addStats, emptyStats } from './application.js';
import type { CampaignStats, Entry, RunTotals } from './model.js';

/** Campaign End names this many failed entries; the count gives the rest. */
export const MAX_FAILED_ENTRIES_LISTED = 50;
/** A failed entry's error as Campaign End quotes it: the campaign record must stay far below DynamoDB's 400 KB. */
const MAX_ERROR_LENGTH = 500;

export const emptyCampaignStats = (): CampaignStats => ({ ...emptyStats(), entries: 0, items: 0, entriesByState: {} });

export const emptyRunTotals = (runId: string): RunTotals => ({ runId, stats: emptyCampaignStats(), failedEntries: [] });

/** The totals with one more entry (as saved after applying it). */
export function addEntry(totals: RunTotals, e: Entry): RunTotals {
  const { stats } = totals;
  const next: CampaignStats = {
    ...(e.stats ? addStats(stats, e.stats) : stats),
    entries: stats.entries + 1,
    // Later stages see the same assignments again: count each once, at stage 1.
    items: stats.items + (e.stage === 1 ? e.itemCount : 0),
    entriesByState: { ...stats.entriesByState, [e.state]: (stats.entriesByState[e.state] ?? 0) + 1 },
  };
  const failed =
    e.state === 'FAILED.APPLIED.CHANGES' && totals.failedEntries.length < MAX_FAILED_ENTRIES_LISTED
      ? [...totals.failedEntries, { entryId: e.id, subjectName: e.subjectName, error: (e.error ?? 'changes failed to apply').slice(0, MAX_ERROR_LENGTH) }]
      : totals.failedEntries;
  return { runId: totals.runId, stats: next, failedEntries: failed };
}

/** The totals APPLY resumes from: none at its start (`after` undefined) or when they count another run. */
export const totalsToResume = (runId: string, saved: RunTotals | undefined, after: string | undefined): RunTotals =>
  after !== undefined && saved?.runId === runId ? saved : emptyRunTotals(runId);
