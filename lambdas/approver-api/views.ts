// The approver API's JSON views: each builds a value of exactly the type api-types.ts declares (the
// approver portal imports those types), from domain records and the directory users already read.
// Pure: the routes do the reading.
import { entryPermissions, isOverdue, type CampaignProgress, type ProgressSummary } from '../shared/domain/campaign-progress.js';
import type { ApprovalRun } from '../shared/domain/approvals/model.js';
import { capVerdict } from '../shared/domain/blast-radius.js';
import { isDecided } from '../shared/domain/entries.js';
import type { Campaign, Entry, Item, User } from '../shared/domain/model.js';
import { approvalDetailView, approvalTaskView } from '../shared/presenters/approval-views.js';
import type { Task } from '../shared/use-cases/decisions.js';
import type {
  ApprovalDetailView,
  ApprovalTaskView,
  ApproverProgressView,
  AwaitingConfirmationView,
  CampaignListView,
  CampaignProgressView,
  CampaignSummaryView,
  CampaignTaskView,
  EntryView,
  ItemView,
  MeView,
  OwnerEntryView,
  PersonView,
  SubjectView,
} from './api-types.js';

/** Directory users read for one answer, by id; someone missing from it is shown by id. */
export type People = ReadonlyMap<string, User>;

export const personView = (id: string, people: People): PersonView => ({ id, displayName: people.get(id)?.displayName ?? id });

const caller = (user: User): PersonView => ({ id: user.id, displayName: user.displayName });

export function meView(user: User, roles: { isApprover: boolean; isCampaignOwner: boolean }, now: Date): MeView {
  return {
    id: user.id,
    displayName: user.displayName,
    email: user.email,
    isApprover: roles.isApprover,
    isCampaignOwner: roles.isCampaignOwner,
    asOf: now.toISOString(),
  } satisfies MeView;
}

export function itemView(item: Item, entry: Entry): ItemView {
  return {
    id: item.id,
    userId: item.userId,
    userName: item.userName ?? null,
    privilegeId: item.privilegeId,
    privilegeName: item.privilegeName ?? null,
    privilegeRisk: item.privilegeRisk ?? null,
    origin: item.origin ?? null,
    endDate: item.endDate ?? null,
    parameters: item.parameters ?? {},
    grantedAt: item.grantedAt ?? null,
    grantedBy: item.grantedBy ?? null,
    open: !isDecided(item, entry),
    decision: item.decision ?? null,
    ...(item.priorDecisions?.length ? { priorDecisions: item.priorDecisions } : {}),
    ...(item.workflow ? { workflow: item.workflow } : {}),
  } satisfies ItemView;
}

export function campaignTaskView(t: Task, now: Date): CampaignTaskView {
  return {
    kind: 'CAMPAIGN',
    entryId: t.entry.id,
    campaignId: t.entry.campaignId,
    campaignName: t.campaignName,
    subjectKind: t.entry.subjectKind,
    subjectId: t.entry.subjectId,
    subjectName: t.entry.subjectName,
    stage: t.entry.stage,
    dueDate: t.entry.dueDate,
    overdue: isOverdue(t.entry, now),
    itemCount: t.items.length,
    openItemCount: t.openItems.length,
    openItems: t.openItems.map((i) => itemView(i, t.entry)),
  } satisfies CampaignTaskView;
}

export const approvalTask = (run: ApprovalRun, now: Date): ApprovalTaskView =>
  ({ ...approvalTaskView(run), overdue: isOverdue(run, now) }) satisfies ApprovalTaskView;

export const approvalDetail = (run: ApprovalRun, now: Date): ApprovalDetailView =>
  ({ ...approvalDetailView(run), overdue: isOverdue(run, now) }) satisfies ApprovalDetailView;

/** The person or group under review; directory details only for a USER subject still in the directory. */
export function subjectView(entry: Pick<Entry, 'subjectKind' | 'subjectId' | 'subjectName'>, people: People): SubjectView {
  const user = entry.subjectKind === 'USER' ? people.get(entry.subjectId) : undefined;
  return {
    kind: entry.subjectKind,
    id: entry.subjectId,
    name: entry.subjectName,
    email: user?.email || null,
    department: user?.department ?? null,
    manager: user?.managerId ? personView(user.managerId, people) : null,
    riskLevel: user?.riskLevel ?? null,
    status: user?.status ?? null,
  } satisfies SubjectView;
}

/** Who an entry view needs from the directory: the subject (a user), the campaign owner and the approvers. */
export const entryPeopleIds = (entry: Entry, campaign: Pick<Campaign, 'ownerId'>): string[] => [
  ...(entry.subjectKind === 'USER' ? [entry.subjectId] : []),
  campaign.ownerId,
  ...entry.approverIds,
];

export interface EntryContext {
  entry: Entry;
  items: Item[];
  campaign: Campaign;
  /** entryPeopleIds, and the subject's manager. */
  people: People;
  callerId: string;
  now: Date;
}

export function entryView({ entry, items, campaign, people, callerId, now }: EntryContext): EntryView {
  return {
    kind: 'CAMPAIGN',
    id: entry.id,
    campaignId: entry.campaignId,
    campaignName: campaign.name,
    campaignOwner: people.has(campaign.ownerId) ? personView(campaign.ownerId, people) : null,
    subjectKind: entry.subjectKind,
    subjectId: entry.subjectId,
    subjectName: entry.subjectName,
    subject: subjectView(entry, people),
    stage: entry.stage,
    stageName: entry.plan?.[entry.stage - 1]?.name ?? null,
    state: entry.state,
    approverIds: entry.approverIds,
    approvers: entry.approverIds.map((id) => personView(id, people)),
    dueDate: entry.dueDate,
    overdue: isOverdue(entry, now),
    closedAt: entry.closedAt ?? null,
    itemCount: items.length,
    openItemCount: items.filter((i) => !isDecided(i, entry)).length,
    reassignments: entry.reassignments ?? [],
    items: items.map((i) => itemView(i, entry)),
    permissions: entryPermissions(entry, campaign, callerId, now),
    asOf: now.toISOString(),
  } satisfies EntryView;
}

export function campaignSummaryView(campaign: Campaign, progress: ProgressSummary): CampaignSummaryView {
  return {
    id: campaign.id,
    name: campaign.name,
    kind: campaign.kind,
    state: campaign.state,
    run: campaign.run,
    startDate: campaign.startDate,
    dueDate: campaign.dueDate ?? null,
    entriesByState: progress.entriesByState,
    entries: progress.entries,
    overdueEntries: progress.overdueEntries,
    completion: progress.completion,
    awaitingConfirmation: awaitingConfirmationView(campaign),
  } satisfies CampaignSummaryView;
}

function awaitingConfirmationView(campaign: Campaign): AwaitingConfirmationView | null {
  if (campaign.state !== 'RUNNING' || campaign.phase.name !== 'AWAIT_CONFIRMATION') return null;
  const { counts, since } = campaign.phase;
  const verdict = capVerdict(counts, campaign);
  return { counts: { ...counts }, removalShare: verdict.removalShare, maxRemovalShare: verdict.maxRemovalShare, since };
}

export function campaignListView(owner: User, owned: { campaign: Campaign; progress: ProgressSummary }[], now: Date): CampaignListView {
  return {
    owner: caller(owner),
    asOf: now.toISOString(),
    campaigns: owned.map(({ campaign, progress }) => campaignSummaryView(campaign, progress)),
  } satisfies CampaignListView;
}

/** Everyone a progress view names: the approvers of the run's entries. */
export const progressPeopleIds = (progress: CampaignProgress): string[] => progress.approvers.map((a) => a.approverId);

export function campaignProgressView(campaign: Campaign, progress: CampaignProgress, people: People): CampaignProgressView {
  return {
    ...campaignSummaryView(campaign, progress),
    description: campaign.description ?? null,
    approvers: progress.approvers.map(
      (a): ApproverProgressView => ({ approver: personView(a.approverId, people), entries: a.entries, open: a.open, overdue: a.overdue }),
    ),
    entryList: progress.entryList.map(
      ({ entry, overdue, canReassign }): OwnerEntryView => ({
        id: entry.id,
        subjectKind: entry.subjectKind,
        subjectId: entry.subjectId,
        subjectName: entry.subjectName,
        stage: entry.stage,
        state: entry.state,
        approvers: entry.approverIds.map((id) => personView(id, people)),
        dueDate: entry.dueDate,
        overdue,
        itemCount: entry.itemCount,
        canReassign,
      }),
    ),
  } satisfies CampaignProgressView;
}
