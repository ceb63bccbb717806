// Pre-launch preview (issue 3): what a campaign file would produce at `now` — subjects, items,
// each approver's workload, subjects without an approver, self-review substitutions — with the
// same selection, hooks and self-review rules as preparation, and without writing anything.
import { addDays } from '../domain/campaign-schedule.js';
import type { Campaign, CampaignLog, Substitution } from '../domain/model.js';
import { groupEntryKey, splitSelfReview } from '../domain/review-groups.js';
import { HookError } from './call-hook.js';
import { campaignFromDefinition, startInstant, validateAsAtStart } from './campaign-definition.js';
import { CampaignNotifier } from './campaign-notifier.js';
import { holdersOf, nextUpResolver } from './prepare-campaign.js';
import { selectWork, type SelectionDeps } from './select-subjects.js';

export interface CampaignPreview {
  valid: boolean;
  logs: CampaignLog[];
  dueDate?: string;
  subjects: { id: string; name: string; items: number; entries: { key: string; approverIds: string[]; items: number }[] }[];
  totals: { subjects: number; entries: number; items: number };
  workload: { approverId: string; approverName?: string; entries: number; items: number }[];
  withoutApprover: { subjectId: string; items: number }[];
  substitutions: (Substitution & { subjectId: string })[];
  stages: number;
}

export async function previewCampaign(deps: SelectionDeps, definition: unknown, now: Date): Promise<CampaignPreview> {
  const draft: Campaign = { ...campaignFromDefinition(definition, 'preview', now), phase: { name: 'PREPARE' }, logs: [] };
  // Preview as of the start: a campaign previewed before its start date is judged as it will start.
  const startAt = startInstant(draft, now);
  const validation = await validateAsAtStart(deps.directory, draft, now);
  const preview: CampaignPreview = {
    valid: validation.ok,
    logs: validation.logs,
    dueDate: validation.dueDate,
    subjects: [],
    totals: { subjects: 0, entries: 0, items: 0 },
    workload: [],
    withoutApprover: [],
    substitutions: [],
    stages: 1,
  };
  if (!validation.ok) return preview;
  const campaign: Campaign = { ...draft, dueDate: validation.dueDate ?? addDays(draft.startDate, draft.approvalPeriodDays ?? 0) };

  const notifier = new CampaignNotifier(deps.directory, '', campaign, startAt);
  const load = new Map<string, { entries: number; items: number }>();
  try {
    for await (const works of selectWork(deps, campaign, startAt)) {
      const nextUp = await nextUpResolver(notifier, campaign, holdersOf(works));
      for (const w of works) {
        preview.stages = Math.max(preview.stages, w.plan.length);
        const groups = splitSelfReview(campaign.kind, w.plan[0]?.approverIds ?? [], w.assignments, (a) => ({ userId: a.user.id, privilegeId: a.privilege.id }), nextUp);
        const entries = groups.map((g) => ({ key: groupEntryKey(w.subject.id, g.key), approverIds: g.approverIds, items: g.members.length }));
        preview.subjects.push({ id: w.subject.id, name: w.subject.name, items: w.assignments.length, entries });
        for (const g of groups) {
          if (g.approverIds.length === 0) preview.withoutApprover.push({ subjectId: w.subject.id, items: g.members.length });
          for (const approverId of g.approverIds) {
            const current = load.get(approverId) ?? { entries: 0, items: 0 };
            load.set(approverId, { entries: current.entries + 1, items: current.items + g.members.length });
          }
          preview.substitutions.push(...g.substitutions.map((s) => ({ ...s, subjectId: w.subject.id })));
        }
      }
    }
  } catch (error) {
    if (!(error instanceof HookError)) throw error;
    return { ...preview, valid: false, logs: [...preview.logs, { at: now.toISOString(), level: 'ERROR', message: error.message, field: error.field }] };
  }
  await notifier.prefetch(load.keys());
  preview.workload = [...load.entries()]
    .map(([approverId, w]) => ({ approverId, approverName: notifier.known(approverId)?.displayName, ...w }))
    .sort((a, b) => b.items - a.items || a.approverId.localeCompare(b.approverId));
  preview.totals = {
    subjects: preview.subjects.length,
    entries: preview.subjects.reduce((n, s) => n + s.entries.length, 0),
    items: preview.subjects.reduce((n, s) => n + s.items, 0),
  };
  return preview;
}
