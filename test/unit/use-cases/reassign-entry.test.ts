// The reassignment use case on the in-memory stores: who may reassign, what a lost race leaves
// behind, and that a retry of the same request announces once.
import { describe, expect, it } from 'vitest';
import { InMemoryCampaignStore } from '../../../lambdas/shared/adapters/memory/in-memory-campaign-store.js';
import { InMemoryDirectoryStore } from '../../../lambdas/shared/adapters/memory/in-memory-directory-store.js';
import { InMemoryOutbox } from '../../../lambdas/shared/adapters/memory/in-memory-outbox.js';
import { withEntryChange } from '../../../lambdas/shared/domain/entries.js';
import { ClosedError, ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../../lambdas/shared/domain/errors.js';
import type { Entry } from '../../../lambdas/shared/domain/model.js';
import { collect } from '../../../lambdas/shared/use-cases/concurrency.js';
import type { CampaignStore } from '../../../lambdas/shared/use-cases/ports.js';
import { reassignEntry, type Actor, type ReassignEntryDeps } from '../../../lambdas/shared/use-cases/reassign-entry.js';
import { CAMPAIGN_ID, DUE, OWNER_ID, aCampaign, aUser, anEntry, anItem, at } from '../../support/fixtures.js';
import { InMemoryAuditLog } from '../../../lambdas/shared/adapters/memory/in-memory-audit-log.js';

const NOW = at('2026-07-05T00:00:00.000Z');
const input = { to: 'u-deputy', justification: 'covering while u-manager is away' };
const manager: Actor = { kind: 'user', userId: 'u-manager' };

async function setup(entry: Partial<Entry> = {}, campaign = {}) {
  const outbox = new InMemoryOutbox();
  const campaigns = new InMemoryCampaignStore({ outbox });
  const directory = new InMemoryDirectoryStore();
  await directory.putUsers([
    aUser({ id: 'u-manager' }),
    aUser({ id: 'u-deputy' }),
    aUser({ id: OWNER_ID }),
    aUser({ id: 'u-alice' }),
    aUser({ id: 'u-left', status: 'DISABLED' }),
  ]);
  await campaigns.createCampaign(aCampaign({ state: 'RUNNING', phase: { name: 'DONE' }, dueDate: DUE, ...campaign }));
  await campaigns.putEntriesWithItems([{ entry: anEntry(entry), items: [anItem()] }]);
  const audit = new InMemoryAuditLog();
  const deps: ReassignEntryDeps = { campaigns, directory, outbox, audit, portalUrl: 'https://idgov.example.com' };
  return { deps, campaigns, outbox, audit };
}

const notices = async (outbox: InMemoryOutbox) => collect(outbox.listByCampaign(CAMPAIGN_ID));

describe('reassignEntry', () => {
  it('lets the approver, the campaign owner and the administrator reassign; nobody else', async () => {
    for (const actor of [manager, { kind: 'user', userId: OWNER_ID }, { kind: 'administrator', name: 'administrator' }] as Actor[]) {
      const { deps } = await setup();
      const result = await reassignEntry(deps, { entryId: 'e-1', actor, input }, NOW);
      expect(result.reassignment.by).toBe(actor.kind === 'user' ? actor.userId : 'administrator');
    }
    const { deps, outbox } = await setup();
    await expect(reassignEntry(deps, { entryId: 'e-1', actor: { kind: 'user', userId: 'u-deputy' }, input }, NOW)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(reassignEntry(deps, { entryId: 'e-nope', actor: manager, input }, NOW)).rejects.toBeInstanceOf(NotFoundError);
    expect(await notices(outbox)).toEqual([]);
  });

  it('refuses while the campaign is not running, even to the administrator', async () => {
    const { deps, outbox } = await setup({}, { phase: { name: 'APPLY' } });
    await expect(reassignEntry(deps, { entryId: 'e-1', actor: { kind: 'administrator', name: 'administrator' }, input }, NOW)).rejects.toBeInstanceOf(ClosedError);
    expect(await notices(outbox)).toEqual([]);
  });

  it('refuses a new approver who is not an ACTIVE user of the directory, as the rescue does, naming the field', async () => {
    const { deps, campaigns, outbox } = await setup();
    const to = (who: string) => reassignEntry(deps, { entryId: 'e-1', actor: manager, input: { ...input, to: who } }, NOW);
    await expect(to('u-nobody')).rejects.toThrow(new ValidationError('u-nobody is not a user of the directory', 'to'));
    await expect(to('u-left')).rejects.toThrow(new ValidationError('u-left is DISABLED; the approver must be ACTIVE', 'to'));
    expect(await campaigns.getEntry('e-1')).toMatchObject({ approverIds: ['u-manager'], version: 1 });
    expect(await notices(outbox)).toEqual([]);
  });

  it('surfaces a lost race as a ConflictError and withdraws its notice; the retry announces under a key of its own', async () => {
    const { deps, campaigns, outbox } = await setup();
    // Someone changes the entry between the use case's read and its write.
    let raced = false;
    const racing: CampaignStore = Object.create(campaigns, {
      saveEntry: {
        value: async (entry: Entry) => {
          if (!raced) {
            raced = true;
            const current = (await campaigns.getEntry(entry.id))!;
            await campaigns.saveEntry(withEntryChange(current, NOW, { dueDate: '2026-07-20T00:00:00.000Z' }));
          }
          return campaigns.saveEntry(entry);
        },
      },
    });
    await expect(reassignEntry({ ...deps, campaigns: racing }, { entryId: 'e-1', actor: manager, input }, NOW)).rejects.toBeInstanceOf(ConflictError);
    expect((await campaigns.getEntry('e-1'))!).toMatchObject({ approverIds: ['u-manager'], version: 2 });
    expect((await notices(outbox)).map((n) => [n.key, n.status])).toEqual([['e-1|APPROVAL_START|u-deputy|v2', 'FAILED']]);

    const retried = await reassignEntry(deps, { entryId: 'e-1', actor: manager, input }, NOW);
    expect(retried.entry).toMatchObject({ approverIds: ['u-deputy'], version: 3, dueDate: '2026-07-20T00:00:00.000Z' });
    expect((await notices(outbox)).map((n) => [n.key, n.status])).toEqual([
      ['e-1|APPROVAL_START|u-deputy|v2', 'FAILED'],
      ['e-1|APPROVAL_START|u-deputy|v3', 'PENDING'],
    ]);
  });

  it('keeps the notice when a concurrent identical request saved the version it announces', async () => {
    const { deps, campaigns, outbox } = await setup();
    let raced = false;
    const racing: CampaignStore = Object.create(campaigns, {
      saveEntry: {
        value: async (entry: Entry) => {
          if (!raced) {
            raced = true;
            await reassignEntry(deps, { entryId: 'e-1', actor: manager, input }, NOW);
          }
          return campaigns.saveEntry(entry);
        },
      },
    });
    await expect(reassignEntry({ ...deps, campaigns: racing }, { entryId: 'e-1', actor: manager, input }, NOW)).rejects.toBeInstanceOf(ConflictError);
    expect((await campaigns.getEntry('e-1'))!.reassignments).toHaveLength(1);
    expect((await notices(outbox)).map((n) => [n.key, n.status])).toEqual([['e-1|APPROVAL_START|u-deputy|v2', 'PENDING']]);
  });
});
