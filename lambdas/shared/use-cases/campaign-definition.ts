// A campaign file turned into a campaign, and judged as the controller's start step will judge it
// (docs/reference/campaigns.md, step 1), so that create, update, validate and preview all say the same thing.
import { validateForStart, type StartValidation } from '../domain/campaign-start.js';
import { ENTRY_ID_DIGITS } from '../domain/entries.js';
import type { Campaign } from '../domain/model.js';
import { campaignDefinitionSchema, parseInput } from '../domain/schemas.js';
import { buildTemplates } from '../domain/templates.js';
import type { DirectoryStore } from './ports.js';

/** Validates the file (field-level errors) and builds a PREPARING campaign with the default templates. */
export function campaignFromDefinition(definition: unknown, id: string, now: Date): Campaign {
  const { notifications, ...file } = parseInput(campaignDefinitionSchema, definition);
  const at = now.toISOString();
  return {
    ...file,
    id,
    state: 'PREPARING',
    version: 1,
    run: 1,
    runId: `${id}#1`,
    entryIdDigits: ENTRY_ID_DIGITS,
    phase: { name: 'START' },
    templates: buildTemplates(notifications),
    logs: [{ at, level: 'INFO', message: 'campaign created' }],
    prepareAttempt: 0,
    createdAt: at,
    updatedAt: at,
  };
}

/** The start step's verdict, as of the start date (or now, if the campaign starts earlier). */
export async function validateAsAtStart(directory: Pick<DirectoryStore, 'getUser'>, campaign: Campaign, now: Date): Promise<StartValidation> {
  const startAt = startInstant(campaign, now);
  const owner = await directory.getUser(campaign.ownerId);
  return validateForStart(campaign, startAt, owner !== undefined);
}

/** When the campaign starts, seen from `now`: its start date, or now if that has passed. */
export const startInstant = (campaign: Pick<Campaign, 'startDate'>, now: Date): Date => new Date(Math.max(now.getTime(), Date.parse(campaign.startDate)));
