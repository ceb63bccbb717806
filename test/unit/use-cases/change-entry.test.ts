// The administrator's change of one entry (state, due date) on the in-memory store: the campaign log
// says who did what, a re-run of the same command writes no second line, and a due date past the
// campaign's status expiration is refused with nothing written.
import { describe, expect, it } from 'vitest';
import { InMemoryCampaignStore } from '../../../lambdas/shared/adapters/memory/in-memory-campaign-store.js';
import { InMemoryOutbox } from '../../../lambdas/shared/adapters/memory/in-memory-outbox.js';
import { ValidationError } from '../../../lambdas/shared/domain/errors.js';
import { changeEntry } from '../../../lambdas/shared/use-cases/campaign-admin.js';
import { CAMPAIGN_ID, DUE, aCampaign, anEntry, anItem, at } from '../../support/fixtures.js';
import { withAudit } from '../../support/audit.js';

const NOW = at('2026-07-05T00:00:00.000Z');
const LATER_DUE = '2026-07-20T00:00:00.000Z';

async function setup(campaign = {}) {
  const campaigns = new InMemoryCampaignStore({ outbox: new InMemoryOutbox() });
  await campaigns.createCampaign(aCampaign({ state: 'RUNNING', phase: { name: 'DONE' }, dueDate: DUE, ...campaign }));
  await campaigns.putEntriesWithItems([{ entry: anEntry(), items: [anItem()] }]);
  return campaigns;
}

const logLines = async (campaigns: InMemoryCampaignStore) => (await campaigns.getCampaign(CAMPAIGN_ID))!.logs.map((l) => l.message);

describe('changeEntry', () => {
  it('writes who changed what to the campaign log', async () => {
    const campaigns = await setup();
    const changed = await changeEntry(withAudit(campaigns), 'e-1', { dueDate: LATER_DUE, by: 'alice-admin' }, NOW);
    expect(changed.dueDate).toBe(LATER_DUE);
    expect(await logLines(campaigns)).toEqual([`entry e-1 set to due date ${LATER_DUE} by alice-admin at ${NOW.toISOString()}`]);

    await changeEntry(withAudit(campaigns), 'e-1', { state: 'FAILED.EXPIRED' }, at('2026-07-06T00:00:00.000Z'));
    expect((await logLines(campaigns))[1]).toBe('entry e-1 set to state FAILED.EXPIRED by idgov-cli at 2026-07-06T00:00:00.000Z');
  });

  it('run again with the same time, writes the same entry and no second log line', async () => {
    const campaigns = await setup();
    await changeEntry(withAudit(campaigns), 'e-1', { dueDate: LATER_DUE, by: 'alice-admin' }, NOW);
    await changeEntry(withAudit(campaigns), 'e-1', { dueDate: LATER_DUE, by: 'alice-admin' }, NOW);
    expect(await logLines(campaigns)).toHaveLength(1);
    expect((await campaigns.getEntry('e-1'))!.dueDate).toBe(LATER_DUE);
  });

  it("refuses a due date at or after the campaign's status expiration, naming dueDate, and changes nothing", async () => {
    const campaigns = await setup({ statusExpirationDate: '2026-07-18T00:00:00.000Z' });
    const error = await changeEntry(withAudit(campaigns), 'e-1', { dueDate: LATER_DUE }, NOW).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe('dueDate');
    expect((await campaigns.getEntry('e-1'))!.dueDate).toBe(DUE);
    expect(await logLines(campaigns)).toEqual([]);
  });
});
