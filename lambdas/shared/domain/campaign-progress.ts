// Where a campaign run stands, for its owner (the approver portal's "My campaigns"), and what a
// caller may do with one entry. Pure: the entries and the campaign come in, counts and flags go out.
import type { Campaign, CampaignStats, Entry, EntryState } from './model.js';

/** Still RUNNING with its due date passed (a campaign entry or an approval run), as the daily report counts it. */
export const isOverdue = (task: { state: string; dueDate: string }, now: Date): boolean =>
  task.state === 'RUNNING' && Date.parse(task.dueDate) < now.getTime();

/**
 * The campaign's current run takes decisions and reassignments: RUNNING, prepared and announced
 * (phase DONE), and `runId` is that run (an entry of an archived run belongs to no open run).
 */
export const isRunOpen = (campaign: Pick<Campaign, 'state' | 'runId' | 'phase'>, runId: string): boolean =>
  campaign.state === 'RUNNING' && campaign.runId === runId && campaign.phase.name === 'DONE';

export interface EntryPermissions {
  /** A current approver of a RUNNING entry of an open run, before its due date. */
  canDecide: boolean;
  /** A current approver or the campaign owner, while the entry runs in an open run (past its due date only with an extension). */
  canReassign: boolean;
  isCampaignOwner: boolean;
}

/** What `userId` may do with `entry` now: the same rules decide and reassignEntry enforce. */
export function entryPermissions(
  entry: Pick<Entry, 'state' | 'runId' | 'dueDate' | 'approverIds'>,
  campaign: Pick<Campaign, 'state' | 'runId' | 'phase' | 'ownerId'>,
  userId: string,
  now: Date,
): EntryPermissions {
  const isCampaignOwner = campaign.ownerId === userId;
  const isApprover = entry.approverIds.includes(userId);
  const open = entry.state === 'RUNNING' && isRunOpen(campaign, entry.runId);
  return {
    // Decisions close at the due instant itself (use-cases/decisions.ts).
    canDecide: isApprover && open && now.getTime() < Date.parse(entry.dueDate),
    canReassign: (isApprover || isCampaignOwner) && open,
    isCampaignOwner,
  };
}

/** The counts of a run, as the owner's campaign list shows them. */
export interface ProgressSummary {
  entriesByState: Partial<Record<EntryState, number>>;
  entries: number;
  /** RUNNING entries past their due date. */
  overdueEntries: number;
  /** Share of entries no longer RUNNING, 0..1 (0 with no entries). */
  completion: number;
}

export interface ApproverProgress {
  approverId: string;
  entries: number;
  /** Still RUNNING. */
  open: number;
  overdue: number;
}

export interface OwnerEntry {
  entry: Entry;
  overdue: boolean;
  /** The owner may reassign it now (a RUNNING entry of the open run). */
  canReassign: boolean;
}

export interface CampaignProgress extends ProgressSummary {
  /** Most overdue first, then most open, then by id. */
  approvers: ApproverProgress[];
  /** Overdue entries first, then by due date (then stage and id). */
  entryList: OwnerEntry[];
}

const share = (done: number, total: number) => (total === 0 ? 0 : done / total);

/** Progress of a run from its entries (every stage), as of `now`. */
export function campaignProgress(campaign: Pick<Campaign, 'state' | 'runId' | 'phase'>, entries: readonly Entry[], now: Date): CampaignProgress {
  const entriesByState: Partial<Record<EntryState, number>> = {};
  const approvers = new Map<string, ApproverProgress>();
  let overdueEntries = 0;
  const entryList = entries.map((entry): OwnerEntry => {
    entriesByState[entry.state] = (entriesByState[entry.state] ?? 0) + 1;
    const overdue = isOverdue(entry, now);
    if (overdue) overdueEntries += 1;
    for (const approverId of new Set(entry.approverIds)) {
      const counts = approvers.get(approverId) ?? { approverId, entries: 0, open: 0, overdue: 0 };
      counts.entries += 1;
      if (entry.state === 'RUNNING') counts.open += 1;
      if (overdue) counts.overdue += 1;
      approvers.set(approverId, counts);
    }
    return { entry, overdue, canReassign: entry.state === 'RUNNING' && isRunOpen(campaign, entry.runId) };
  });
  const running = entriesByState.RUNNING ?? 0;
  return {
    entriesByState,
    entries: entries.length,
    overdueEntries,
    completion: share(entries.length - running, entries.length),
    approvers: [...approvers.values()].sort((a, b) => b.overdue - a.overdue || b.open - a.open || compare(a.approverId, b.approverId)),
    entryList: entryList.sort(
      (a, b) =>
        Number(b.overdue) - Number(a.overdue) ||
        compare(a.entry.dueDate, b.entry.dueDate) ||
        a.entry.stage - b.entry.stage ||
        compare(a.entry.id, b.entry.id),
    ),
  };
}

/** A finished run's counts from the stats its finish recorded (its entries may be cleaned up since). */
export function progressFromStats(stats: Pick<CampaignStats, 'entries' | 'entriesByState'>): ProgressSummary {
  const running = stats.entriesByState.RUNNING ?? 0;
  return {
    entriesByState: { ...stats.entriesByState },
    entries: stats.entries,
    overdueEntries: 0,
    completion: share(stats.entries - running, stats.entries),
  };
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
