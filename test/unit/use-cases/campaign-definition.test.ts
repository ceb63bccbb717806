// Creating, replacing and judging a campaign definition on the in-memory stores: the owner fixes a
// FAILED.PREPARED campaign's file; nothing that has started preparing can be redefined.
import { describe, expect, it } from 'vitest';
import { InMemoryCampaignStore } from '../../../lambdas/shared/adapters/memory/in-memory-campaign-store.js';
import { InMemoryDirectoryStore } from '../../../lambdas/shared/adapters/memory/in-memory-directory-store.js';
import { InMemoryOutbox } from '../../../lambdas/shared/adapters/memory/in-memory-outbox.js';
import { ClosedError, NotFoundError, ValidationError } from '../../../lambdas/shared/domain/errors.js';
import type { Campaign } from '../../../lambdas/shared/domain/model.js';
import { createCampaign, updateCampaign } from '../../../lambdas/shared/use-cases/campaign-admin.js';
import { ENTRY_ID_DIGITS } from '../../../lambdas/shared/domain/entries.js';
import { campaignFromDefinition, validateAsAtStart } from '../../../lambdas/shared/use-cases/campaign-definition.js';
import { CAMPAIGN_ID, OWNER_ID, aCampaign, aCampaignFile, aPrivilege, aUser, anEntry, anItem, at } from '../../support/fixtures.js';
import { withAudit } from '../../support/audit.js';

const CREATED_AT = at('2026-06-20T00:00:00.000Z');
const FIXED_AT = at('2026-06-21T00:00:00.000Z');

async function setup(stored?: Partial<Campaign>) {
  const campaigns = new InMemoryCampaignStore({ outbox: new InMemoryOutbox() });
  const directory = new InMemoryDirectoryStore();
  await directory.putUsers([aUser({ id: OWNER_ID })]);
  if (stored) await campaigns.createCampaign(aCampaign(stored));
  return { campaigns, directory };
}

describe('updateCampaign', () => {
  it("replaces a FAILED.PREPARED campaign's definition, keeping its id, run, state, logs and templates", async () => {
    const { campaigns } = await setup();
    const created = await createCampaign(
      withAudit(campaigns),
      aCampaignFile({ approvalPeriodDays: undefined, notifications: { CAMPAIGN_START: { subject: 'Custom start' } } }),
      CREATED_AT,
      CAMPAIGN_ID,
    );
    const failed = { ...created, state: 'FAILED.PREPARED' as const, version: 2, prepareAttempt: 1, logs: [...created.logs, { at: CREATED_AT.toISOString(), level: 'ERROR' as const, message: 'approval period is missing', field: 'approvalPeriodDays' }] };
    await campaigns.saveCampaign(failed);

    const updated = await updateCampaign(withAudit(campaigns), CAMPAIGN_ID, aCampaignFile({ approvalPeriodDays: 10, description: 'fixed' }), FIXED_AT, 'owner');
    expect(updated).toMatchObject({ id: CAMPAIGN_ID, state: 'FAILED.PREPARED', run: 1, runId: `${CAMPAIGN_ID}#1`, version: 3, prepareAttempt: 2, approvalPeriodDays: 10, description: 'fixed', createdAt: CREATED_AT.toISOString(), updatedAt: FIXED_AT.toISOString() });
    expect(updated.templates.CAMPAIGN_START.subject).toBe('Custom start');
    expect(updated.logs.map((l) => l.message)).toEqual(['campaign created', 'approval period is missing', 'definition replaced by owner']);
    expect(await campaigns.getCampaign(CAMPAIGN_ID)).toEqual(updated);

    // A file with notifications of its own sets them.
    const retemplated = await updateCampaign(withAudit(campaigns), CAMPAIGN_ID, aCampaignFile({ notifications: { CAMPAIGN_START: { subject: 'Another start' } } }), FIXED_AT, 'owner');
    expect(retemplated.templates.CAMPAIGN_START.subject).toBe('Another start');
    // A field the new file leaves out is gone.
    expect(retemplated.description).toBeUndefined();
  });

  it('refuses a bad file naming the field, and changes nothing', async () => {
    const { campaigns } = await setup({ state: 'FAILED.PREPARED' });
    const before = await campaigns.getCampaign(CAMPAIGN_ID);
    await expect(updateCampaign(withAudit(campaigns), CAMPAIGN_ID, aCampaignFile({ kind: 'GROUP' }), FIXED_AT, 'owner')).rejects.toThrow(ValidationError);
    await expect(updateCampaign(withAudit(campaigns), CAMPAIGN_ID, aCampaignFile({ kind: 'GROUP' }), FIXED_AT, 'owner')).rejects.toThrow(/^kind: /);
    await expect(updateCampaign(withAudit(campaigns), 'c-nope', aCampaignFile(), FIXED_AT, 'owner')).rejects.toBeInstanceOf(NotFoundError);
    expect(await campaigns.getCampaign(CAMPAIGN_ID)).toEqual(before);
  });

  it.each([
    ['RUNNING', { state: 'RUNNING', phase: { name: 'DONE' } }],
    ['PREPARING half-way through preparation', { state: 'PREPARING', phase: { name: 'PREPARE' } }],
    ['SUCCEEDED', { state: 'SUCCEEDED', phase: { name: 'DONE' } }],
    ['an archived run', { state: 'FAILED.PREPARED', archived: true }],
  ] as [string, Partial<Campaign>][])('refuses a campaign that is %s', async (_, stored) => {
    const { campaigns } = await setup(stored);
    const before = await campaigns.getCampaign(CAMPAIGN_ID);
    await expect(updateCampaign(withAudit(campaigns), CAMPAIGN_ID, aCampaignFile(), FIXED_AT, 'owner')).rejects.toBeInstanceOf(ClosedError);
    expect(await campaigns.getCampaign(CAMPAIGN_ID)).toEqual(before);
  });

  it('refuses a campaign whose run already has entries', async () => {
    const { campaigns } = await setup({ state: 'FAILED.PREPARED' });
    await campaigns.putEntriesWithItems([{ entry: anEntry(), items: [anItem()] }]);
    await expect(updateCampaign(withAudit(campaigns), CAMPAIGN_ID, aCampaignFile(), FIXED_AT, 'owner')).rejects.toThrow(/already has entries/);
  });
});

describe('validateAsAtStart', () => {
  it('judges the campaign as of its start date, not as of now', async () => {
    const { directory } = await setup();
    const campaign = aCampaign({ startDate: '2026-07-01T00:00:00.000Z', dueDate: '2026-06-25T00:00:00.000Z' });
    const early = await validateAsAtStart(directory, campaign, FIXED_AT);
    expect(early.ok).toBe(false);
    expect(early.logs).toContainEqual(expect.objectContaining({ level: 'ERROR', field: 'dueDate', at: '2026-07-01T00:00:00.000Z' }));
  });

  it('names every problem the start step would log: filter, owner, status expiration', async () => {
    const { directory } = await setup();
    const campaign = aCampaign({ ownerId: 'u-gone', subjects: { filter: '(&(department=Finance)' }, statusExpirationDate: '2026-07-02T00:00:00.000Z' });
    const verdict = await validateAsAtStart(directory, campaign, FIXED_AT);
    expect(verdict.ok).toBe(false);
    expect(verdict.logs.filter((l) => l.level === 'ERROR').map((l) => l.field).sort()).toEqual(['ownerId', 'statusExpirationDate', 'subjects.filter']);
  });

  it('begins the first run with the current length of entry ids', () => {
    expect(campaignFromDefinition(aCampaignFile(), CAMPAIGN_ID, CREATED_AT).entryIdDigits).toBe(ENTRY_ID_DIGITS);
  });

  it('does not hold a WORKFLOW campaign to the workflows loaded now: they are resolved at the finish', async () => {
    const { directory } = await setup();
    await directory.putPrivileges([aPrivilege({ id: 'p-fin', approvalWorkflowId: 'wf-not-loaded-yet' })]);
    const campaign = campaignFromDefinition(
      aCampaignFile({ statusExpirationDate: '2026-09-01', revocation: { rejected: 'WORKFLOW', modified: 'WORKFLOW', uncertified: 'WORKFLOW' } }),
      CAMPAIGN_ID,
      CREATED_AT,
    );
    const verdict = await validateAsAtStart(directory, campaign, FIXED_AT);
    expect(verdict).toMatchObject({ ok: true, logs: [] });
  });
});
