// The daily pass decides an entry's reminder on the entry as it is when read, not as a lagging
// listing showed it: an entry whose due date moved out of the reminder window is neither reminded
// nor marked, so its first real reminder slot still reminds its approver.
import { describe, expect, it } from 'vitest';
import type { Entry } from '../../../lambdas/shared/domain/model.js';
import { withEntryChange } from '../../../lambdas/shared/domain/entries.js';
import { createCampaign } from '../../../lambdas/shared/use-cases/campaign-admin.js';
import { collect } from '../../../lambdas/shared/use-cases/concurrency.js';
import { runEntries } from '../../../lambdas/shared/use-cases/run-entries.js';
import type { CampaignStore, Pages } from '../../../lambdas/shared/use-cases/ports.js';
import { controllerRunner, inMemoryWorld } from '../../support/in-memory-world.js';
import { day, entryOf, highRiskUserCampaign, T0 } from '../../support/small-org.js';

async function preparedCampaign() {
  const world = await inMemoryWorld();
  await createCampaign(world, highRiskUserCampaign(), new Date(T0), 'c-1');
  await controllerRunner(world)(day(0, 1));
  const campaign = (await world.campaigns.getCampaign('c-1'))!;
  expect(campaign.state).toBe('RUNNING');
  return { ...world, campaign };
}

/** The store with its entry listing frozen as it was: the index lags every change after it. */
function withLaggingListing(campaigns: CampaignStore, listed: Entry[]): CampaignStore {
  return new Proxy(campaigns, {
    get(target, property) {
      if (property === 'listEntries') return (): Pages<Entry> => (async function* () { yield listed; })();
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

describe('runEntries: reminders on the entry as read', () => {
  it('neither reminds nor marks an entry whose due date moved out of the window since the listing', async () => {
    const { directory, campaigns, outbox, audit, campaign } = await preparedCampaign();
    const listed = await collect(campaigns.listEntries('c-1#1'));
    const u1 = listed.find((e) => e.id === entryOf('c-1', 'u1'))!;
    // Due 07-15, reminded from 07-12: the administrator moves u1's entry to 07-22 before the pass reads it.
    await campaigns.saveEntry(withEntryChange(u1, new Date(day(11)), { dueDate: '2026-07-22T00:00:00.000Z' }));
    const deps = { directory, campaigns: withLaggingListing(campaigns, listed), outbox, audit, portalUrl: 'https://idgov.example.com' };
    await runEntries(deps, campaign, new Date(day(11, 1)));
    const reminders = (await collect(outbox.listByCampaign('c-1'))).filter((n) => n.kind === 'APPROVAL_REMIND');
    // m2's entry (u4) is reminded as due; u1's (m1's only one) is not, and its slot is not spent.
    expect(reminders.map((n) => n.recipientId)).toEqual(['m2']);
    expect((await campaigns.getEntry(u1.id))!.lastReminderSlot).toBeUndefined();
    // In its own window the entry is reminded, under its own slot's key.
    await runEntries({ ...deps, campaigns }, campaign, new Date(day(18, 1)));
    const later = (await collect(outbox.listByCampaign('c-1'))).filter((n) => n.kind === 'APPROVAL_REMIND' && n.recipientId === 'm1');
    expect(later.map((n) => n.key)).toEqual(['c-1#1|APPROVAL_REMIND|2026-07-19T00:00:00.000Z|m1']);
  });
});
