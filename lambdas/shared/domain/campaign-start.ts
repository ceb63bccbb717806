// docs/reference/campaigns.md, step 1 (Start): validate a PREPARING campaign whose start date has come.
import { addDays } from './campaign-schedule.js';
import { ValidationError } from './errors.js';
import { compileFilter } from './filter.js';
import { HOOK_NAMES, isHookName, parseHookRef } from './hook-contracts.js';
import type { Campaign, CampaignLog } from './model.js';

export interface StartValidation {
  ok: boolean;
  logs: CampaignLog[];
  /** The due date to run with: as given, or startDate + approval period. */
  dueDate?: string;
}

const log = (at: string, level: CampaignLog['level'], message: string, field?: string): CampaignLog => ({
  at,
  level,
  message,
  ...(field ? { field } : {}),
});

/** Validates the definition as it stands at `now`; errors mean FAILED.PREPARED. */
export function validateForStart(campaign: Campaign, now: Date, ownerExists: boolean): StartValidation {
  const at = now.toISOString();
  const logs: CampaignLog[] = [];
  const error = (message: string, field: string) => logs.push(log(at, 'ERROR', message, field));

  if (!campaign.approvalPeriodDays) error('approval period is missing', 'approvalPeriodDays');
  const dueDate =
    campaign.dueDate ?? (campaign.approvalPeriodDays ? addDays(campaign.startDate, campaign.approvalPeriodDays) : undefined);
  if (dueDate && dueDate <= campaign.startDate) error(`due date ${dueDate} is not after the start date`, 'dueDate');
  if (dueDate && dueDate <= at) error(`due date ${dueDate} has already passed`, 'dueDate');

  if (campaign.statusExpirationDate === undefined) {
    logs.push(log(at, 'WARN', 'no status expiration date: it will be the end date + 30 days', 'statusExpirationDate'));
  } else if (dueDate && campaign.statusExpirationDate <= dueDate) {
    error(`status expiration date ${campaign.statusExpirationDate} is not after the due date ${dueDate}`, 'statusExpirationDate');
  }

  for (const [hook, ref] of Object.entries(campaign.hooks ?? {})) {
    if (!isHookName(hook)) error(`unknown hook; hooks are ${HOOK_NAMES.join(', ')}`, `hooks.${hook}`);
    else if (typeof ref !== 'string' || !parseHookRef(ref)) error('must be a Lambda function ARN or file:<path to an ES module>', `hooks.${hook}`);
  }
  if (campaign.hooks?.findSubjects && campaign.subjects?.filter) {
    logs.push(log(at, 'WARN', 'the findSubjects hook chooses the subjects; the subject filter is ignored', 'subjects.filter'));
  }
  const subjectFilter = campaign.subjects?.filter;
  if (subjectFilter === undefined || subjectFilter.trim() === '') {
    if (!campaign.hooks?.findSubjects) error('a subject filter or a findSubjects hook is required', 'subjects.filter');
  } else if (!campaign.hooks?.findSubjects) {
    checkFilter(subjectFilter, 'subjects.filter', error);
  }
  const resourceFilter = campaign.resources?.filter;
  if (resourceFilter !== undefined) checkFilter(resourceFilter, 'resources.filter', error);

  if (!ownerExists) error(`campaign owner ${campaign.ownerId} is not in the directory`, 'ownerId');

  return { ok: !logs.some((l) => l.level === 'ERROR'), logs, dueDate };
}

function checkFilter(text: string, field: string, error: (message: string, field: string) => void): void {
  try {
    compileFilter(text, field);
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    error(e.message.startsWith(`${field}: `) ? e.message.slice(field.length + 2) : e.message, field);
  }
}
