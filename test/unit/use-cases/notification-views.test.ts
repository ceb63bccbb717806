// Every default template, rendered with exactly the view its composer gives: the real controller,
// decisions and reassignment run a scripted lifecycle on the in-memory stores, and every render is
// observed on its way through renderNotification. Mustache renders a missing name as nothing, so
// a composer that forgets a value would otherwise go unnoticed until someone reads the mail.
import { describe, expect, it, vi } from 'vitest';
import { InMemoryCampaignStore } from '../../../lambdas/shared/adapters/memory/in-memory-campaign-store.js';
import { InMemoryDirectoryStore } from '../../../lambdas/shared/adapters/memory/in-memory-directory-store.js';
import { InMemoryOutbox } from '../../../lambdas/shared/adapters/memory/in-memory-outbox.js';
import { NOTIFICATION_KINDS, type NotificationKind, type NotificationTemplate } from '../../../lambdas/shared/domain/model.js';
import {
  DEFAULT_TEMPLATES,
  KIND_PLACEHOLDERS,
  missingPlaceholders,
  type NotificationView,
} from '../../../lambdas/shared/domain/templates.js';
import { createCampaign } from '../../../lambdas/shared/use-cases/campaign-admin.js';
import { runCampaignController } from '../../../lambdas/shared/use-cases/campaign-controller.js';
import { decide } from '../../../lambdas/shared/use-cases/decisions.js';
import { silentLog, type Mailer } from '../../../lambdas/shared/use-cases/ports.js';
import { reassignEntry } from '../../../lambdas/shared/use-cases/reassign-entry.js';
import { day, entryOf, highRiskUserCampaign, lifecycleSteps, smallOrg } from '../../support/small-org.js';

const renders = vi.hoisted(() => [] as { template: NotificationTemplate; view: NotificationView }[]);

vi.mock('../../../lambdas/shared/domain/templates.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../../lambdas/shared/domain/templates.js')>();
  return {
    ...original,
    renderNotification: (template: NotificationTemplate, view: NotificationView) => {
      renders.push({ template, view: structuredClone(view) });
      return original.renderNotification(template, view);
    },
  };
});

const kindOf = (template: NotificationTemplate): NotificationKind | undefined =>
  NOTIFICATION_KINDS.find((k) => DEFAULT_TEMPLATES[k].subject === template.subject && DEFAULT_TEMPLATES[k].body === template.body);

/** The scripted USER campaign (every lifecycle step), a PRIVILEGE one, and one that cannot start. */
async function runScenario() {
  const org = smallOrg();
  const directory = new InMemoryDirectoryStore();
  await directory.putUsers(org.users);
  await directory.putPrivileges(org.privileges);
  await directory.putAssignments(org.assignments);
  const outbox = new InMemoryOutbox();
  const campaigns = new InMemoryCampaignStore({ outbox });
  const mailer: Mailer = { send: async () => ({ messageId: 'm' }) };
  const portalUrl = 'https://idgov.example.com';
  const created = new Date(day(-1));
  await createCampaign(campaigns, highRiskUserCampaign(), created, 'c-users');
  await createCampaign(
    campaigns,
    highRiskUserCampaign({ name: 'Critical privileges', kind: 'PRIVILEGE', subjects: { filter: '(riskLevel>=HIGH)' } }),
    created,
    'c-privileges',
  );
  await createCampaign(campaigns, highRiskUserCampaign({ name: 'Misconfigured', statusExpirationDate: '2026-07-05' }), created, 'c-broken');

  let wallMs = Date.parse('2030-01-01T00:00:00.000Z');
  for (const step of lifecycleSteps()) {
    if ('run' in step) {
      await runCampaignController({
        directory,
        campaigns,
        outbox,
        mailer,
        clock: { now: () => new Date(step.at) },
        wallClock: { now: () => new Date((wallMs += 3_600_000)) },
        log: silentLog,
        settings: { portalUrl, leaseSeconds: 900 },
      });
    } else {
      const { subjectId, actor, decisions } = step.decide;
      await decide(campaigns, { entryId: entryOf('c-users', subjectId), actorId: actor, decisions }, new Date(step.at));
    }
    if (step.at === day(2)) {
      // A reassignment composes its Approval Start apart from preparation.
      await reassignEntry(
        { campaigns, directory, outbox, portalUrl },
        { entryId: entryOf('c-users', 'u4'), actor: { kind: 'administrator', name: 'administrator' }, input: { to: 'm1', justification: 'm2 is on leave until August' } },
        new Date(step.at),
      );
    }
  }
  return { directory };
}

describe('the notifications every composer renders with the default templates', async () => {
  const { directory } = await runScenario();
  const byKind = new Map<NotificationKind, NotificationView[]>();
  const foreign: string[] = [];
  for (const { template, view } of renders) {
    const kind = kindOf(template);
    if (!kind) foreign.push(template.subject);
    else byKind.set(kind, [...(byKind.get(kind) ?? []), view]);
  }
  const owner = (await directory.getUser('admin'))!;

  it('covers every kind, each rendered from the product default template', () => {
    expect(foreign).toEqual([]);
    expect([...byKind.keys()].sort()).toEqual([...NOTIFICATION_KINDS].sort());
  });

  it.each(NOTIFICATION_KINDS)('%s: every placeholder of its subject and body has a value', (kind) => {
    const views = byKind.get(kind) ?? [];
    expect(views.length).toBeGreaterThan(0);
    for (const view of views) {
      const missing = [
        ...missingPlaceholders(DEFAULT_TEMPLATES[kind].subject, view).map((name) => `subject: ${name}`),
        ...missingPlaceholders(DEFAULT_TEMPLATES[kind].body, view).map((name) => `body: ${name}`),
      ];
      expect(missing, `${kind} for ${view.recipientName} about ${view.subjectName ?? view.runLabel}`).toEqual([]);
    }
  });

  it.each(NOTIFICATION_KINDS)('%s: the composer fills every placeholder a custom template of its kind may use', (kind) => {
    for (const view of byKind.get(kind) ?? []) {
      const unfilled = KIND_PLACEHOLDERS[kind].filter((name) => view[name] === undefined || view[name] === '');
      expect(unfilled, `${kind} for ${view.recipientName}`).toEqual([]);
    }
  });

  it.each(NOTIFICATION_KINDS)('%s: names the owner and the recipient by their names, never by id', (kind) => {
    for (const view of byKind.get(kind) ?? []) {
      expect(view.ownerName).toBe(owner.displayName);
      expect(view.recipientName).toMatch(/^Name /);
    }
  });

  it('tells the owner at the start how many entries and assignments went out', () => {
    const start = byKind.get('CAMPAIGN_START')!.find((v) => v.campaignId === 'c-users')!;
    // u1 (3 items) and u4 (2) go to their managers; u6 has no manager: No Approver, 1 item.
    expect({ entryCount: start.entryCount, itemCount: start.itemCount, failedEntryCount: start.failedEntryCount }).toEqual({
      entryCount: 3,
      itemCount: 5,
      failedEntryCount: 1,
    });
  });

  it('counts at the end only the entries whose changes failed to apply, as the mail says', () => {
    const end = byKind.get('CAMPAIGN_END')!.find((v) => v.campaignId === 'c-users')!;
    // u6's entry failed preparation (No Approver): nothing was there to apply.
    expect(end.failedEntryCount).toBe(0);
    expect(end.entryCount).toBe(3);
  });
});
