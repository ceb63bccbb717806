// A conditional write DynamoDB applied but whose answer was lost (a 500 "may or may not have
// succeeded"): the SDK sends it again, and that second send fails its own condition. The stores
// read the record back and take their own write for what it is, instead of a conflict with another
// writer. Found by the fault suite (test/faults): a campaign save whose answer was lost became a
// ConflictError and a CHANGE_ABANDONED audit record for a change that was made, and a notice's
// claim whose answer was lost left the notice unsent until the claim expired.
import { describe, expect, it } from 'vitest';
import { DynamoCampaignStore } from '../../lambdas/shared/adapters/dynamo/dynamo-campaign-store.js';
import { DynamoOutbox } from '../../lambdas/shared/adapters/dynamo/dynamo-outbox.js';
import { ConflictError } from '../../lambdas/shared/domain/errors.js';
import type { Notification } from '../../lambdas/shared/domain/model.js';
import { FaultSchedule, faultyDocumentClient } from '../support/aws-faults.js';
import { useEngine } from '../support/engine.js';
import { aCampaign } from '../support/fixtures.js';

const engine = useEngine();

/** Stores on fresh tables whose client loses the answer of the first write `matches` selects (the SDK retries it as deployed). */
async function storesLosingAnswer(matches: (request: string) => boolean) {
  const { names } = await engine.freshTables();
  const schedule = FaultSchedule.scripted('InternalServerErrorAfterWrite', (channel, request) => channel !== 'dynamodb:GetItem' && matches(request));
  const doc = faultyDocumentClient(engine.endpoint, schedule, 'sdk');
  const clean = { doc: engine.doc, tableName: names.campaign };
  return {
    schedule,
    campaigns: new DynamoCampaignStore({ doc, tableName: names.campaign }),
    outbox: new DynamoOutbox({ doc, tableName: names.campaign }),
    other: { campaigns: new DynamoCampaignStore(clean), outbox: new DynamoOutbox(clean) },
  };
}

const notice: Notification = {
  key: 'c-test#1|CAMPAIGN_START',
  kind: 'CAMPAIGN_START',
  campaignId: 'c-test',
  runId: 'c-test#1',
  recipientId: 'u-owner',
  to: 'owner@example.com',
  subject: 'started',
  body: 'body',
  status: 'PENDING',
  createdAt: '2026-07-01T00:00:00.000Z',
  attempts: 0,
};
const NOW = new Date('2026-07-01T01:00:00.000Z');

describe('a versioned save whose answer was lost', () => {
  it('is saved, not a conflict', async () => {
    const s = await storesLosingAnswer((request) => request.includes('#version = :expected'));
    await s.other.campaigns.createCampaign(aCampaign({ version: 1 }));
    const saved = aCampaign({ version: 2, state: 'RUNNING', phase: { name: 'DONE' }, updatedAt: '2026-07-01T01:00:00.000Z' });
    await expect(s.campaigns.saveCampaign(saved)).resolves.toBeUndefined();
    expect(s.schedule.total()).toBe(1);
    expect(await s.other.campaigns.getCampaign('c-test')).toEqual(saved);
  });

  it('still conflicts with another writer that saved that version first', async () => {
    const s = await storesLosingAnswer(() => false);
    await s.other.campaigns.createCampaign(aCampaign({ version: 1 }));
    await s.other.campaigns.saveCampaign(aCampaign({ version: 2, name: 'theirs' }));
    await expect(s.campaigns.saveCampaign(aCampaign({ version: 2, name: 'ours' }))).rejects.toBeInstanceOf(ConflictError);
    expect((await s.other.campaigns.getCampaign('c-test'))!.name).toBe('theirs');
  });
});

describe('a campaign creation whose answer was lost', () => {
  it('is created, not "already exists"; an existing campaign still is', async () => {
    const s = await storesLosingAnswer((request) => request.includes('attribute_not_exists(PK)'));
    await expect(s.campaigns.createCampaign(aCampaign({ id: 'c-new' }))).resolves.toBeUndefined();
    expect(s.schedule.total()).toBe(1);
    await expect(s.campaigns.createCampaign(aCampaign({ id: 'c-new', name: 'another' }))).rejects.toBeInstanceOf(ConflictError);
  });
});

describe("a notice's claim whose answer was lost", () => {
  it('is taken (the notice is sent by this run), once', async () => {
    const s = await storesLosingAnswer((request) => request.includes(':sending'));
    await s.other.outbox.enqueue([notice]);
    expect(await s.outbox.claim(notice, 'run-1', NOW, 300)).toBe(true);
    expect(s.schedule.total()).toBe(1);
    const [stored] = (await s.other.outbox.listByRun('c-test', 'c-test#1')[Symbol.asyncIterator]().next()).value as Notification[];
    expect(stored).toMatchObject({ status: 'SENDING', claimedBy: 'run-1', attempts: 1 });
    // Another run still cannot take it while the claim holds.
    expect(await s.other.outbox.claim(notice, 'run-2', NOW, 300)).toBe(false);
  });
});
