// One contract for the store ports, run against the in-memory fakes and against the Dynamo adapters
// on a real engine (dynalite, or DynamoDB Local with IDGOV_TEST_ENGINE=dynamodb-local): the fakes
// the use-case tests rely on must behave like what runs in production.
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoCampaignStore } from '../../lambdas/shared/adapters/dynamo/dynamo-campaign-store.js';
import { DynamoDirectoryStore } from '../../lambdas/shared/adapters/dynamo/dynamo-directory-store.js';
import { DynamoOutbox } from '../../lambdas/shared/adapters/dynamo/dynamo-outbox.js';
import { InMemoryCampaignStore } from '../../lambdas/shared/adapters/memory/in-memory-campaign-store.js';
import { InMemoryDirectoryStore } from '../../lambdas/shared/adapters/memory/in-memory-directory-store.js';
import { InMemoryOutbox } from '../../lambdas/shared/adapters/memory/in-memory-outbox.js';
import { ConflictError, NotFoundError } from '../../lambdas/shared/domain/errors.js';
import type { Entry, Item, ItemWorkflow, Notification, Revocation } from '../../lambdas/shared/domain/model.js';
import type { CampaignStore, DirectoryStore, LeaseHolder, Outbox, Pages, RecordRemoval } from '../../lambdas/shared/use-cases/ports.js';
import { useEngine } from '../support/engine.js';
import { aCampaign, aDecision, aPrivilege, aUser, anAssignment, anEntry, anItem } from '../support/fixtures.js';

interface Stores {
  directory: DirectoryStore;
  campaigns: CampaignStore;
  outbox: Outbox;
}

/** Small pages, so that every list crosses page boundaries. */
const PAGE_SIZE = 7;
const engine = useEngine();

const implementations: { name: string; make: () => Promise<Stores> }[] = [
  {
    name: 'in-memory',
    make: async () => {
      const outbox = new InMemoryOutbox({ pageSize: PAGE_SIZE });
      return {
        directory: new InMemoryDirectoryStore({ pageSize: PAGE_SIZE }),
        campaigns: new InMemoryCampaignStore({ outbox, pageSize: PAGE_SIZE }),
        outbox,
      };
    },
  },
  {
    name: `dynamo on ${engine.kind}`,
    make: async () => {
      const { doc, names } = await engine.freshTables();
      const options = { doc, pageSize: PAGE_SIZE, batch: { baseDelayMs: 1 } };
      return {
        directory: new DynamoDirectoryStore({ ...options, tableName: names.directory }),
        campaigns: new DynamoCampaignStore({ ...options, tableName: names.campaign }),
        outbox: new DynamoOutbox({ ...options, tableName: names.campaign }),
      };
    },
  },
];

async function pages<T>(stream: Pages<T>): Promise<T[][]> {
  const all: T[][] = [];
  for await (const page of stream) all.push(page);
  return all;
}
const collect = async <T>(stream: Pages<T>): Promise<T[]> => (await pages(stream)).flat();
const ids = (values: { id: string }[]) => values.map((v) => v.id);

const T0 = '2026-07-01T00:00:00.000Z';
const plusSeconds = (iso: string, seconds: number) => new Date(Date.parse(iso) + seconds * 1000);

function aNotification(overrides: Partial<Notification> = {}): Notification {
  const key = overrides.key ?? 'APPROVAL_START#e-1#u-manager';
  return {
    key,
    kind: 'APPROVAL_START',
    campaignId: 'c-test',
    runId: 'c-test#1',
    entryId: 'e-1',
    recipientId: 'u-manager',
    to: 'u-manager@example.com',
    subject: `subject of ${key}`,
    body: 'body',
    status: 'PENDING',
    createdAt: T0,
    attempts: 0,
    ...overrides,
  };
}

function entryWithItems(id: string, runId: string, itemCount: number, overrides: Partial<Entry> = {}): { entry: Entry; items: Item[] } {
  const entry = anEntry({ id, runId, subjectId: `u-${id}`, itemCount, ...overrides });
  const items = Array.from({ length: itemCount }, (_, i) =>
    anItem({ entryId: id, id: `p-${String(i).padStart(3, '0')}`, privilegeId: `p-${String(i).padStart(3, '0')}`, userId: entry.subjectId }),
  );
  return { entry, items };
}

describe.each(implementations)('store contract: $name', ({ make }) => {
  let s: Stores;
  beforeEach(async () => {
    s = await make();
  });

  describe('directory', () => {
    it('reads back users and privileges as they were put; unknown ids are undefined', async () => {
      const alice = aUser({ id: 'u-alice', department: 'Finance', riskLevel: 'HIGH', attributes: { site: 'Paris', tags: ['a', 'b'] } });
      const admin = aPrivilege({ id: 'p-admin', ownerIds: ['u-bob', 'u-carol'] });
      await s.directory.putUsers([alice, aUser({ id: 'u-bob' })]);
      await s.directory.putPrivileges([admin]);

      expect(await s.directory.getUser('u-alice')).toEqual(alice);
      expect(await s.directory.getPrivilege('p-admin')).toEqual(admin);
      expect(await s.directory.getUser('u-nobody')).toBeUndefined();
      expect(await s.directory.getPrivilege('p-nothing')).toBeUndefined();
    });

    it('findUserByEmail finds one user case-insensitively, follows an address change, and refuses an ambiguous address', async () => {
      const alice = aUser({ id: 'u-alice', email: 'Alice.Martin@Example.com' });
      await s.directory.putUsers([alice, aUser({ id: 'u-bob', email: 'bob@example.com' }), aUser({ id: 'u-bob2', email: 'BOB@example.com' })]);
      // The email index shares GSI2 with the holders of privileges: neither sees the other.
      await s.directory.putAssignments([anAssignment({ userId: 'u-alice', privilegeId: 'p-admin' })]);

      expect(await s.directory.findUserByEmail('alice.martin@example.com')).toEqual(alice);
      expect(await s.directory.findUserByEmail(' ALICE.MARTIN@EXAMPLE.COM ')).toEqual(alice);
      expect(await s.directory.findUserByEmail('bob@example.com')).toBeUndefined();
      expect(await s.directory.findUserByEmail('nobody@example.com')).toBeUndefined();
      expect(await s.directory.findUserByEmail('')).toBeUndefined();
      expect((await collect(s.directory.listHoldersOfPrivilege('p-admin'))).map((a) => a.userId)).toEqual(['u-alice']);

      await s.directory.putUsers([{ ...alice, email: 'alice@example.org' }]);
      expect(await s.directory.findUserByEmail('alice.martin@example.com')).toBeUndefined();
      expect((await s.directory.findUserByEmail('alice@example.org'))?.id).toBe('u-alice');
    });

    it('getUsers and getPrivileges read more ids than one BatchGet takes, skipping missing and repeated ones', async () => {
      const users = Array.from({ length: 130 }, (_, i) => aUser({ id: `u-${String(i).padStart(3, '0')}` }));
      const privileges = Array.from({ length: 105 }, (_, i) => aPrivilege({ id: `p-${String(i).padStart(3, '0')}` }));
      await s.directory.putUsers(users);
      await s.directory.putPrivileges(privileges);

      const wanted = [...ids(users), 'u-missing-1', 'u-missing-2', 'u-000', 'u-129'];
      const found = await s.directory.getUsers(wanted);
      expect(found.size).toBe(130);
      expect(found.get('u-077')).toEqual(users[77]);
      expect(found.has('u-missing-1')).toBe(false);

      const foundPrivileges = await s.directory.getPrivileges([...ids(privileges), 'p-missing']);
      expect([...foundPrivileges.keys()].sort()).toEqual(ids(privileges));
      expect(await s.directory.getUsers([])).toEqual(new Map());
    });

    it('lists every user and privilege in id order, a page at a time', async () => {
      const userIds = Array.from({ length: 20 }, (_, i) => `u-${String(19 - i).padStart(2, '0')}`);
      await s.directory.putUsers(userIds.map((id) => aUser({ id })));
      await s.directory.putPrivileges([aPrivilege({ id: 'p-b' }), aPrivilege({ id: 'p-a' })]);

      const userPages = await pages(s.directory.listUsers());
      expect(userPages.length).toBeGreaterThanOrEqual(3);
      expect(ids(userPages.flat())).toEqual([...userIds].sort());
      expect(ids(await collect(s.directory.listPrivileges()))).toEqual(['p-a', 'p-b']);
    });

    it('lists the assignments of one user, every origin, in privilege order', async () => {
      await s.directory.putAssignments([
        anAssignment({ userId: 'u-alice', privilegeId: 'p-c', origin: 'RULE' }),
        anAssignment({ userId: 'u-alice', privilegeId: 'p-a', origin: 'MANUAL', endDate: '2027-01-01T00:00:00.000Z', parameters: { project: 'apollo' } }),
        anAssignment({ userId: 'u-alice', privilegeId: 'p-b', origin: 'INHERITED' }),
        anAssignment({ userId: 'u-bob', privilegeId: 'p-a', origin: 'MANUAL' }),
      ]);
      const assignments = await s.directory.listAssignmentsOfUser('u-alice');
      expect(assignments.map((a) => a.privilegeId)).toEqual(['p-a', 'p-b', 'p-c']);
      expect(assignments[0]).toEqual(
        anAssignment({ userId: 'u-alice', privilegeId: 'p-a', origin: 'MANUAL', endDate: '2027-01-01T00:00:00.000Z', parameters: { project: 'apollo' } }),
      );
      expect(await s.directory.listAssignmentsOfUser('u-nobody')).toEqual([]);
    });

    it('lists the holders of a privilege by origin, in user id order', async () => {
      const manual = Array.from({ length: 10 }, (_, i) => anAssignment({ userId: `u-${9 - i}`, privilegeId: 'p-x', origin: 'MANUAL' }));
      await s.directory.putAssignments([
        ...manual,
        anAssignment({ userId: 'u-r', privilegeId: 'p-x', origin: 'RULE' }),
        anAssignment({ userId: 'u-0', privilegeId: 'p-other', origin: 'MANUAL' }),
      ]);
      const holders = await collect(s.directory.listHoldersOfPrivilege('p-x', 'MANUAL'));
      expect(holders.map((a) => a.userId)).toEqual(Array.from({ length: 10 }, (_, i) => `u-${i}`));
      expect((await collect(s.directory.listHoldersOfPrivilege('p-x', 'RULE'))).map((a) => a.userId)).toEqual(['u-r']);
      expect(await collect(s.directory.listHoldersOfPrivilege('p-x'))).toHaveLength(11);
      expect(await collect(s.directory.listHoldersOfPrivilege('p-none', 'MANUAL'))).toEqual([]);
    });

    it('modifyAssignment merges parameters, sets or removes the end date, and leaves a missing assignment missing', async () => {
      await s.directory.putAssignments([
        anAssignment({ userId: 'u-a', privilegeId: 'p-1', endDate: '2027-01-01T00:00:00.000Z', parameters: { project: 'apollo', site: 'Paris' } }),
        anAssignment({ userId: 'u-b', privilegeId: 'p-1' }),
      ]);

      await s.directory.modifyAssignment('u-a', 'p-1', { parameters: { project: 'gemini', level: '2' } });
      let [a] = await s.directory.listAssignmentsOfUser('u-a');
      expect(a!.parameters).toEqual({ project: 'gemini', site: 'Paris', level: '2' });
      expect(a!.endDate).toBe('2027-01-01T00:00:00.000Z');

      await s.directory.modifyAssignment('u-a', 'p-1', { endDate: null });
      [a] = await s.directory.listAssignmentsOfUser('u-a');
      expect(a).not.toHaveProperty('endDate');
      expect(a!.parameters).toEqual({ project: 'gemini', site: 'Paris', level: '2' });

      // An assignment without parameters gets them; end date and parameters change together.
      await s.directory.modifyAssignment('u-b', 'p-1', { endDate: '2026-12-31T00:00:00.000Z', parameters: { project: 'apollo' } });
      const [b] = await s.directory.listAssignmentsOfUser('u-b');
      expect(b).toEqual(anAssignment({ userId: 'u-b', privilegeId: 'p-1', endDate: '2026-12-31T00:00:00.000Z', parameters: { project: 'apollo' } }));

      await s.directory.modifyAssignment('u-gone', 'p-1', { endDate: '2026-12-31T00:00:00.000Z', parameters: { x: 'y' } });
      await s.directory.modifyAssignment('u-gone', 'p-1', { endDate: null });
      expect(await s.directory.listAssignmentsOfUser('u-gone')).toEqual([]);
      expect(await collect(s.directory.listHoldersOfPrivilege('p-1'))).toHaveLength(2);
    });

    it('modifyAssignment removes a parameter given as null, alone or with other changes', async () => {
      await s.directory.putAssignments([
        anAssignment({ userId: 'u-a', privilegeId: 'p-1', parameters: { project: 'apollo', site: 'Paris' } }),
        anAssignment({ userId: 'u-b', privilegeId: 'p-1' }),
        anAssignment({ userId: 'u-r', privilegeId: 'p-1', origin: 'RULE', parameters: { project: 'apollo' } }),
      ]);
      await s.directory.modifyAssignment('u-a', 'p-1', { parameters: { project: null, level: '2' } });
      let [a] = await s.directory.listAssignmentsOfUser('u-a');
      expect(a!.parameters).toEqual({ site: 'Paris', level: '2' });
      // Removing what is not there (again) changes nothing; removing the last one leaves an empty map.
      await s.directory.modifyAssignment('u-a', 'p-1', { parameters: { project: null } });
      await s.directory.modifyAssignment('u-a', 'p-1', { parameters: { site: null, level: null }, endDate: '2026-12-31T00:00:00.000Z' });
      [a] = await s.directory.listAssignmentsOfUser('u-a');
      expect(a).toMatchObject({ parameters: {}, endDate: '2026-12-31T00:00:00.000Z' });

      // Without parameters: nothing to remove, and no map appears; the end date still changes.
      await s.directory.modifyAssignment('u-b', 'p-1', { parameters: { project: null } });
      await s.directory.modifyAssignment('u-b', 'p-1', { parameters: { project: null }, endDate: '2027-01-31T00:00:00.000Z' });
      expect((await s.directory.listAssignmentsOfUser('u-b'))[0]).toEqual(anAssignment({ userId: 'u-b', privilegeId: 'p-1', endDate: '2027-01-31T00:00:00.000Z' }));

      // Never a RULE assignment (docs/reference/directory.md).
      await s.directory.modifyAssignment('u-r', 'p-1', { parameters: { project: null } });
      expect((await s.directory.listAssignmentsOfUser('u-r'))[0]!.parameters).toEqual({ project: 'apollo' });
    });

    it('removeAssignment removes it from both access paths and is idempotent', async () => {
      await s.directory.putAssignments([anAssignment({ userId: 'u-a', privilegeId: 'p-1' }), anAssignment({ userId: 'u-a', privilegeId: 'p-2' })]);
      await s.directory.removeAssignment('u-a', 'p-1');
      await s.directory.removeAssignment('u-a', 'p-1');
      await s.directory.removeAssignment('u-nobody', 'p-1');
      expect((await s.directory.listAssignmentsOfUser('u-a')).map((a) => a.privilegeId)).toEqual(['p-2']);
      expect(await collect(s.directory.listHoldersOfPrivilege('p-1', 'MANUAL'))).toEqual([]);
    });

    it('setRiskLevel records the assessment on the user, keeps or removes the declared level, and leaves a missing user missing', async () => {
      const alice = aUser({ id: 'u-alice', riskLevel: 'MEDIUM', department: 'Finance' });
      await s.directory.putUsers([alice, aUser({ id: 'u-bob', riskLevel: 'HIGH' })]);

      await s.directory.setRiskLevel('u-alice', {
        riskLevel: 'CRITICAL',
        computedRiskLevel: 'CRITICAL',
        riskAssessedAt: '2026-07-01T07:30:05.000Z',
        declaredRiskLevel: 'MEDIUM',
      });
      expect(await s.directory.getUser('u-alice')).toEqual({
        ...alice,
        riskLevel: 'CRITICAL',
        computedRiskLevel: 'CRITICAL',
        riskAssessedAt: '2026-07-01T07:30:05.000Z',
        declaredRiskLevel: 'MEDIUM',
      });

      // Nothing declared any more: the declared level is removed, the rest replaced.
      await s.directory.setRiskLevel('u-alice', { riskLevel: 'LOW', computedRiskLevel: 'LOW', riskAssessedAt: '2026-07-02T07:30:05.000Z' });
      const reassessed = { ...alice, riskLevel: 'LOW', computedRiskLevel: 'LOW', riskAssessedAt: '2026-07-02T07:30:05.000Z' };
      expect(await s.directory.getUser('u-alice')).toEqual(reassessed);
      expect(await s.directory.getUser('u-alice')).not.toHaveProperty('declaredRiskLevel');
      // Lists and lookups read the same record.
      expect((await collect(s.directory.listUsers())).find((u) => u.id === 'u-alice')).toEqual(reassessed);
      expect(await s.directory.getUser('u-bob')).toEqual(aUser({ id: 'u-bob', riskLevel: 'HIGH' }));

      await s.directory.setRiskLevel('u-gone', { riskLevel: 'HIGH', computedRiskLevel: 'HIGH', riskAssessedAt: '2026-07-02T07:30:05.000Z' });
      expect(await s.directory.getUser('u-gone')).toBeUndefined();
      expect(await s.directory.getUsers(['u-gone'])).toEqual(new Map());
    });

    it('keeps the protection of a user and a privilege through every read, a risk assessment, and a reload that drops it', async () => {
      const breakGlass = aUser({ id: 'u-bg', protected: { reason: 'break-glass account' } });
      const root = aPrivilege({ id: 'p-root', protected: { reason: 'last administrator role' } });
      await s.directory.putUsers([breakGlass, aUser({ id: 'u-alice' })]);
      await s.directory.putPrivileges([root, aPrivilege({ id: 'p-wiki' })]);
      expect(await s.directory.getUser('u-bg')).toEqual(breakGlass);
      expect((await s.directory.getUsers(['u-bg', 'u-alice'])).get('u-bg')?.protected).toEqual({ reason: 'break-glass account' });
      expect((await s.directory.getUsers(['u-alice'])).get('u-alice')).not.toHaveProperty('protected');
      expect((await s.directory.getPrivileges(['p-root'])).get('p-root')).toEqual(root);
      expect((await collect(s.directory.listPrivileges())).find((p) => p.id === 'p-root')?.protected).toEqual({ reason: 'last administrator role' });
      // The risk assessment updates the user in place: the protection stays.
      await s.directory.setRiskLevel('u-bg', { riskLevel: 'HIGH', computedRiskLevel: 'HIGH', riskAssessedAt: '2026-07-02T07:30:05.000Z' });
      expect((await s.directory.getUser('u-bg'))?.protected).toEqual({ reason: 'break-glass account' });
      // A directory load replaces the record: a file without the protection takes it off.
      await s.directory.putUsers([aUser({ id: 'u-bg' })]);
      expect(await s.directory.getUser('u-bg')).not.toHaveProperty('protected');
    });
  });

  describe('campaigns', () => {
    it('creates a campaign once and reads it back as it was', async () => {
      const campaign = aCampaign({ id: 'c-1', recurrence: { intervalDays: 90 }, hooks: { findApprovers: 'approvers-hook' } });
      await s.campaigns.createCampaign(campaign);
      expect(await s.campaigns.getCampaign('c-1')).toEqual(campaign);
      await expect(s.campaigns.createCampaign({ ...campaign, name: 'other' })).rejects.toBeInstanceOf(ConflictError);
      expect((await s.campaigns.getCampaign('c-1'))!.name).toBe(campaign.name);
      expect(await s.campaigns.getCampaign('c-missing')).toBeUndefined();
    });

    it('saveCampaign writes only over the version before it', async () => {
      const v1 = aCampaign({ id: 'c-1' });
      await s.campaigns.createCampaign(v1);
      const v2 = { ...v1, version: 2, state: 'RUNNING' as const, dueDate: '2026-07-15T00:00:00.000Z' };
      await s.campaigns.saveCampaign(v2);
      expect(await s.campaigns.getCampaign('c-1')).toEqual(v2);

      // A writer that read v1 too lost the race.
      await expect(s.campaigns.saveCampaign({ ...v1, version: 2, name: 'stale' })).rejects.toBeInstanceOf(ConflictError);
      await expect(s.campaigns.saveCampaign({ ...v2, version: 4 })).rejects.toBeInstanceOf(ConflictError);
      await expect(s.campaigns.saveCampaign(aCampaign({ id: 'c-never-created', version: 2 }))).rejects.toBeInstanceOf(ConflictError);
      expect(await s.campaigns.getCampaign('c-1')).toEqual(v2);
      expect(await s.campaigns.getCampaign('c-never-created')).toBeUndefined();
    });

    it('listCampaigns(state, dueBy) returns only the due campaigns of that state, in next-action order', async () => {
      const day = (d: number) => `2026-07-${String(d).padStart(2, '0')}T00:00:00.000Z`;
      for (const [id, start] of [['c-late', day(20)], ['c-early', day(2)], ['c-exact', day(10)], ['c-same-day', day(10)]] as const) {
        await s.campaigns.createCampaign(aCampaign({ id, startDate: start }));
      }
      await s.campaigns.createCampaign(aCampaign({ id: 'c-running', state: 'RUNNING', startDate: day(1) }));
      for (let i = 0; i < 10; i++) await s.campaigns.createCampaign(aCampaign({ id: `c-later-${i}`, startDate: day(25) }));

      expect(ids(await collect(s.campaigns.listCampaigns('PREPARING', day(10))))).toEqual(['c-early', 'c-exact', 'c-same-day']);
      expect(ids(await collect(s.campaigns.listCampaigns('PREPARING', day(1))))).toEqual([]);
      expect(await collect(s.campaigns.listCampaigns('PREPARING'))).toHaveLength(14);
      expect(ids(await collect(s.campaigns.listCampaigns('RUNNING', day(1))))).toEqual(['c-running']);

      // A state change moves the campaign to the other list.
      const early = (await s.campaigns.getCampaign('c-early'))!;
      await s.campaigns.saveCampaign({ ...early, state: 'RUNNING', version: early.version + 1 });
      expect(ids(await collect(s.campaigns.listCampaigns('PREPARING', day(10))))).toEqual(['c-exact', 'c-same-day']);
      expect(ids(await collect(s.campaigns.listCampaigns('RUNNING', day(3))))).toEqual(['c-early', 'c-running']);
      expect(await collect(s.campaigns.listCampaigns('SUCCEEDED'))).toEqual([]);
    });

    it("listCampaignsByOwner lists an owner's campaigns newest first, across pages, without archived runs, and follows an owner change", async () => {
      const created = (d: number) => `2026-05-${String(d).padStart(2, '0')}T00:00:00.000Z`;
      // Two created at the same instant: the id breaks the tie.
      const mine = [['c-1', 1], ['c-5', 5], ['c-3a', 3], ['c-3b', 3], ...Array.from({ length: 8 }, (_, i) => [`c-old-${i}`, 0] as const)] as const;
      for (const [id, d] of mine) await s.campaigns.createCampaign(aCampaign({ id, ownerId: 'u-olga', createdAt: d === 0 ? '2026-04-01T00:00:00.000Z' : created(d) }));
      await s.campaigns.createCampaign(aCampaign({ id: 'c-other', ownerId: 'u-omar', createdAt: created(9) }));
      await s.campaigns.createCampaign(aCampaign({ id: 'c-1-r1', ownerId: 'u-olga', archived: true, archivedFrom: 'c-1', createdAt: created(20) }));

      const listed = await pages(s.campaigns.listCampaignsByOwner('u-olga'));
      expect(listed.length).toBeGreaterThan(1);
      expect(ids(listed.flat())).toEqual(['c-5', 'c-3b', 'c-3a', 'c-1', ...Array.from({ length: 8 }, (_, i) => `c-old-${7 - i}`)]);
      expect(listed.flat()[0]).toEqual(await s.campaigns.getCampaign('c-5'));
      expect(ids(await collect(s.campaigns.listCampaignsByOwner('u-omar')))).toEqual(['c-other']);
      expect(await collect(s.campaigns.listCampaignsByOwner('u-nobody'))).toEqual([]);

      // Saving with another owner moves it; saving keeps it where it was otherwise.
      const c5 = (await s.campaigns.getCampaign('c-5'))!;
      await s.campaigns.saveCampaign({ ...c5, ownerId: 'u-omar', version: c5.version + 1 });
      const c3a = (await s.campaigns.getCampaign('c-3a'))!;
      await s.campaigns.saveCampaign({ ...c3a, state: 'RUNNING', version: c3a.version + 1 });
      expect(ids(await collect(s.campaigns.listCampaignsByOwner('u-omar')))).toEqual(['c-other', 'c-5']);
      expect(ids(await collect(s.campaigns.listCampaignsByOwner('u-olga'))).slice(0, 3)).toEqual(['c-3b', 'c-3a', 'c-1']);
    });
  });

  describe('entries and items', () => {
    it('putEntriesWithItems writes entries, items and notifications, across many batches', async () => {
      const runId = 'c-test#1';
      const batch = [
        entryWithItems('e-b', runId, 30, { subjectId: 'u-b' }),
        entryWithItems('e-a', runId, 20, { subjectId: 'u-a', approverIds: ['u-m1', 'u-m2'] }),
        entryWithItems('e-c', runId, 0, { subjectId: 'u-a', stage: 2 }),
        entryWithItems('e-x', 'c-other#1', 1, { subjectId: 'u-x' }),
      ];
      const notifications = ['e-b', 'e-a', 'e-c'].map((entryId, i) =>
        aNotification({ key: `APPROVAL_START#${entryId}`, entryId, createdAt: `2026-07-01T00:00:0${i}.000Z` }),
      );
      await s.campaigns.putEntriesWithItems(batch, notifications);

      const listed = await collect(s.campaigns.listEntries(runId));
      expect(ids(listed)).toEqual(['e-a', 'e-b', 'e-c']);
      expect(listed[0]).toEqual(batch[1]!.entry);
      const a = await s.campaigns.getEntryWithItems('e-a');
      expect(a!.entry).toEqual(batch[1]!.entry);
      expect(a!.items).toEqual(batch[1]!.items);
      expect((await s.campaigns.getEntryWithItems('e-b'))!.items).toHaveLength(30);
      expect(await s.campaigns.getEntryWithItems('e-c')).toEqual({ entry: batch[2]!.entry, items: [] });
      expect(await s.campaigns.getEntry('e-x')).toEqual(batch[3]!.entry);
      expect(await s.campaigns.getEntry('e-missing')).toBeUndefined();
      expect(await s.campaigns.getEntryWithItems('e-missing')).toBeUndefined();

      expect(await collect(s.outbox.listByCampaign('c-test'))).toEqual([...notifications].sort((x, y) => (x.key < y.key ? -1 : 1)));
      expect((await collect(s.outbox.listDispatchable(plusSeconds(T0, 60)))).map((n) => n.key)).toEqual(notifications.map((n) => n.key));
    });

    it('putEntriesWithItems run again leaves written entries (and their decisions) and recorded notifications as they are', async () => {
      const first = entryWithItems('e-1', 'c-test#1', 2);
      const notification = aNotification({ key: 'APPROVAL_START#e-1' });
      await s.campaigns.putEntriesWithItems([first], [notification]);
      expect(await s.outbox.claim(notification, 'runner-1', new Date(T0), 60)).toBe(true);
      await s.outbox.markSent(notification, 'm-1', new Date(T0));
      const decided = first.items[0]!;
      await s.campaigns.saveItemDecision('e-1', decided.id, { outcome: 'APPROVE', decidedBy: 'u-manager', decidedAt: T0 });

      const again = { ...first, entry: { ...first.entry, subjectName: 'renamed' } };
      const missing = entryWithItems('e-2', 'c-test#1', 1);
      const fresh = (subject: string) => aNotification({ key: 'APPROVAL_START#e-1#u-other', subject });
      await s.campaigns.putEntriesWithItems([again, missing], [{ ...notification, subject: 'changed' }, fresh('first'), fresh('second')]);
      expect((await s.campaigns.getEntry('e-1'))!.subjectName).toBe(first.entry.subjectName);
      expect((await s.campaigns.getEntryWithItems('e-1'))!.items.find((i) => i.id === decided.id)!.decision).toMatchObject({ outcome: 'APPROVE' });
      expect((await s.campaigns.getEntryWithItems('e-2'))!.items).toHaveLength(1);
      const [stored, other] = await collect(s.outbox.listByCampaign('c-test'));
      expect(stored).toMatchObject({ status: 'SENT', messageId: 'm-1', subject: notification.subject });
      // Of a key given twice in one call, the first counts.
      expect(other).toMatchObject({ key: 'APPROVAL_START#e-1#u-other', subject: 'first', status: 'PENDING' });
      expect((await collect(s.outbox.listDispatchable(plusSeconds(T0, 3600)))).map((n) => n.key)).toEqual([other!.key]);
    });

    it('saveEntry writes only over the version before it', async () => {
      const { entry, items } = entryWithItems('e-1', 'c-test#1', 1);
      await s.campaigns.putEntriesWithItems([{ entry, items }]);
      const v2: Entry = { ...entry, version: 2, lastReminderSlot: 1 };
      await s.campaigns.saveEntry(v2);
      await expect(s.campaigns.saveEntry({ ...entry, version: 2, state: 'FAILED.EXPIRED' })).rejects.toBeInstanceOf(ConflictError);
      await expect(s.campaigns.saveEntry(anEntry({ id: 'e-never-written', version: 2 }))).rejects.toBeInstanceOf(ConflictError);
      expect(await s.campaigns.getEntry('e-1')).toEqual(v2);
      expect(await s.campaigns.getEntry('e-never-written')).toBeUndefined();
    });

    it('listTasks finds open entries for their first and later approvers, by due date', async () => {
      await s.campaigns.putEntriesWithItems([
        entryWithItems('e-1', 'c-test#1', 1, { approverIds: ['u-a', 'u-b'], dueDate: '2026-07-20T00:00:00.000Z' }),
        entryWithItems('e-2', 'c-test#1', 1, { approverIds: ['u-b'], dueDate: '2026-07-10T00:00:00.000Z' }),
        entryWithItems('e-3', 'c-other#1', 1, { approverIds: ['u-c', 'u-a', 'u-b'], dueDate: '2026-07-15T00:00:00.000Z' }),
        entryWithItems('e-4', 'c-test#1', 1, { approverIds: [], state: 'FAILED.PREPARE' }),
      ]);
      expect(ids(await s.campaigns.listTasks('u-b'))).toEqual(['e-2', 'e-3', 'e-1']);
      expect(ids(await s.campaigns.listTasks('u-a'))).toEqual(['e-3', 'e-1']);
      expect(ids(await s.campaigns.listTasks('u-c'))).toEqual(['e-3']);
      expect(await s.campaigns.listTasks('u-nobody')).toEqual([]);
      expect((await s.campaigns.listTasks('u-c'))[0]).toEqual((await s.campaigns.getEntry('e-3'))!);
    });

    it('a task leaves every approver list when its entry leaves RUNNING', async () => {
      const { entry, items } = entryWithItems('e-1', 'c-test#1', 1, { approverIds: ['u-a', 'u-b', 'u-c'] });
      await s.campaigns.putEntriesWithItems([{ entry, items }]);
      await s.campaigns.saveEntry({ ...entry, version: 2, state: 'APPROVAL.FINISHED', closedAt: '2026-07-05T00:00:00.000Z' });
      for (const approver of ['u-a', 'u-b', 'u-c']) expect(await s.campaigns.listTasks(approver)).toEqual([]);
      expect((await s.campaigns.getEntry('e-1'))!.state).toBe('APPROVAL.FINISHED');
    });

    it('listEntriesClosedBetween returns entries that left RUNNING in [from, to), across UTC days, by closing time', async () => {
      const runId = 'c-test#1';
      const closed = (id: string, closedAt: string, state: Entry['state'] = 'APPROVAL.FINISHED') =>
        entryWithItems(id, runId, 1, { state, closedAt, approverIds: ['u-m'] });
      // The window is 2026-07-01T08:00 .. 2026-07-02T08:00 (the daily report's last 24 hours).
      const inside = Array.from({ length: 9 }, (_, i) => closed(`e-in-${i}`, `2026-07-01T${String(14 + i).padStart(2, '0')}:00:00.000Z`));
      await s.campaigns.putEntriesWithItems([
        ...inside,
        closed('e-at-start', '2026-07-01T08:00:00.000Z', 'FINISHED'),
        closed('e-after-midnight', '2026-07-02T00:30:00.000Z', 'FAILED.EXPIRED'),
        closed('e-before', '2026-07-01T07:59:59.999Z'),
        closed('e-at-end', '2026-07-02T08:00:00.000Z'),
        closed('e-next-day', '2026-07-03T01:00:00.000Z'),
        // Still open: not in the closed index whatever its dates.
        entryWithItems('e-running', runId, 1, { state: 'RUNNING', approverIds: ['u-m'] }),
      ]);

      const listed = await collect(s.campaigns.listEntriesClosedBetween('2026-07-01T08:00:00.000Z', '2026-07-02T08:00:00.000Z'));
      expect(ids(listed)).toEqual(['e-at-start', ...ids(inside.map((e) => e.entry)), 'e-after-midnight']);
      expect(listed[0]).toEqual((await s.campaigns.getEntry('e-at-start'))!);
      expect(ids(await collect(s.campaigns.listEntriesClosedBetween('2026-07-02T08:00:00.000Z', '2026-07-04T00:00:00.000Z')))).toEqual([
        'e-at-end',
        'e-next-day',
      ]);
      expect(await collect(s.campaigns.listEntriesClosedBetween('2026-07-05T00:00:00.000Z', '2026-07-06T00:00:00.000Z'))).toEqual([]);
      expect(await collect(s.campaigns.listEntriesClosedBetween('2026-07-02T08:00:00.000Z', '2026-07-01T08:00:00.000Z'))).toEqual([]);
    });

    it('an entry leaves the closed index when it is reopened (RUNNING again, closedAt removed), and joins it when it closes again', async () => {
      const { entry, items } = entryWithItems('e-1', 'c-test#1', 1, { approverIds: ['u-a'] });
      await s.campaigns.putEntriesWithItems([{ entry, items }]);
      const window = ['2026-07-05T00:00:00.000Z', '2026-07-07T00:00:00.000Z'] as const;
      expect(await collect(s.campaigns.listEntriesClosedBetween(...window))).toEqual([]);

      const closedOnce: Entry = { ...entry, version: 2, state: 'APPROVAL.FINISHED', closedAt: '2026-07-05T10:00:00.000Z' };
      await s.campaigns.saveEntry(closedOnce);
      expect(await collect(s.campaigns.listEntriesClosedBetween(...window))).toEqual([closedOnce]);

      const { closedAt: _closedAt, ...reopened } = { ...closedOnce, version: 3, state: 'RUNNING' as const, approverIds: ['u-b'] };
      await s.campaigns.saveEntry(reopened);
      expect(await collect(s.campaigns.listEntriesClosedBetween(...window))).toEqual([]);
      expect(ids(await s.campaigns.listTasks('u-b'))).toEqual(['e-1']);

      const closedAgain: Entry = { ...reopened, version: 4, state: 'FINISHED', closedAt: '2026-07-06T09:00:00.000Z' };
      await s.campaigns.saveEntry(closedAgain);
      expect(await collect(s.campaigns.listEntriesClosedBetween(...window))).toEqual([closedAgain]);
      expect(await collect(s.campaigns.listEntriesClosedBetween('2026-07-05T00:00:00.000Z', '2026-07-06T00:00:00.000Z'))).toEqual([]);
    });

    it('tasks follow a change of approvers and of due date', async () => {
      const { entry, items } = entryWithItems('e-1', 'c-test#1', 1, { approverIds: ['u-a', 'u-b'] });
      await s.campaigns.putEntriesWithItems([{ entry, items }, entryWithItems('e-2', 'c-test#1', 1, { approverIds: ['u-c'] })]);

      const v2: Entry = { ...entry, version: 2, approverIds: ['u-c', 'u-a'], dueDate: '2026-07-01T00:00:00.000Z' };
      await s.campaigns.saveEntry(v2);
      expect(ids(await s.campaigns.listTasks('u-a'))).toEqual(['e-1']);
      expect(await s.campaigns.listTasks('u-b')).toEqual([]);
      expect(ids(await s.campaigns.listTasks('u-c'))).toEqual(['e-1', 'e-2']);
      expect((await s.campaigns.listTasks('u-a'))[0]).toEqual(v2);

      await s.campaigns.saveEntry({ ...v2, version: 3, approverIds: ['u-b'] });
      expect(await s.campaigns.listTasks('u-a')).toEqual([]);
      expect(ids(await s.campaigns.listTasks('u-b'))).toEqual(['e-1']);
      expect(ids(await s.campaigns.listTasks('u-c'))).toEqual(['e-2']);
    });

    it('saves an item decision and its applied outcome; a missing item is NotFoundError', async () => {
      const { entry, items } = entryWithItems('e-1', 'c-test#1', 2);
      await s.campaigns.putEntriesWithItems([{ entry, items }]);
      const decision = aDecision({ outcome: 'MODIFY', endDate: null, parameters: { project: 'gemini' }, comment: 'shorter' });
      await s.campaigns.saveItemDecision('e-1', items[1]!.id, decision);
      await s.campaigns.saveItemApplied('e-1', items[1]!.id, { action: 'MODIFIED', at: '2026-07-16T00:00:00.000Z' });
      const guarded = { action: 'KEPT_BY_GUARD' as const, at: '2026-07-16T00:00:00.000Z', reason: 'protected user u-bg: break-glass account' };
      await s.campaigns.saveItemApplied('e-1', items[0]!.id, guarded);

      const read = await s.campaigns.getEntryWithItems('e-1');
      expect(read!.items[1]).toEqual({ ...items[1], decision, applied: { action: 'MODIFIED', at: '2026-07-16T00:00:00.000Z' } });
      expect(read!.items[0]).toEqual({ ...items[0], applied: guarded });
      await expect(s.campaigns.saveItemDecision('e-1', 'p-missing', decision)).rejects.toBeInstanceOf(NotFoundError);
      await expect(s.campaigns.saveItemApplied('e-missing', items[0]!.id, { action: 'KEPT', at: T0 })).rejects.toBeInstanceOf(NotFoundError);
      expect((await s.campaigns.getEntryWithItems('e-1'))!.items).toHaveLength(2);
    });

    it('writes applied marks whole and revocations in batches, across entries, leaving other items as they were', async () => {
      const one = entryWithItems('e-1', 'c-test#1', 30);
      const two = entryWithItems('e-2', 'c-test#1', 3);
      await s.campaigns.putEntriesWithItems([one, two]);
      const at = '2026-07-16T00:00:00.000Z';
      const decision = aDecision({ outcome: 'REJECT', comment: 'gone' });
      // 29 marks and 29 revocations: more than one batch of each.
      const marked = [...one.items.slice(0, 27), ...two.items.slice(0, 2)].map((item) => ({ ...item, decision, applied: { action: 'REMOVED' as const, at } }));
      const revocations: Revocation[] = marked.map((item) => ({
        runId: 'c-test#1',
        campaignId: 'c-test',
        userId: item.userId,
        privilegeId: item.privilegeId,
        entryId: item.entryId,
        itemId: item.id,
        reason: 'REJECTED',
        at,
      }));
      await s.campaigns.saveAppliedChanges({ items: marked, revocations });
      await s.campaigns.saveAppliedChanges({});

      const first = (await s.campaigns.getEntryWithItems('e-1'))!;
      expect(first.items.filter((i) => i.applied)).toEqual(marked.slice(0, 27));
      expect(first.items.slice(27)).toEqual(one.items.slice(27));
      expect((await s.campaigns.getEntryWithItems('e-2'))!.items).toEqual([...marked.slice(27), two.items[2]]);
      const listed = await collect(s.campaigns.listRevocations('c-test#1'));
      expect(listed).toHaveLength(29);
      expect(new Set(listed.map((r) => r.itemId))).toEqual(new Set(marked.map((i) => i.id)));
    });

    it('saveItemWorkflow records a hand-over on the item and later its outcome; on a gone item it does nothing', async () => {
      const { entry, items } = entryWithItems('e-1', 'c-test#1', 2);
      await s.campaigns.putEntriesWithItems([{ entry, items }]);
      const decision = aDecision({ outcome: 'REJECT' });
      const applied = { action: 'HANDED_OVER' as const, at: '2026-07-16T00:00:00.000Z' };
      await s.campaigns.saveItemDecision('e-1', items[0]!.id, decision);
      await s.campaigns.saveItemApplied('e-1', items[0]!.id, applied);

      const started: ItemWorkflow = { approvalId: 'a-0123456789ab', workflowId: 'default', startedAt: '2026-07-16T00:00:00.000Z', state: 'RUNNING' };
      await s.campaigns.saveItemWorkflow('e-1', items[0]!.id, started);
      let read = await s.campaigns.getEntryWithItems('e-1');
      expect(read!.items[0]).toEqual({ ...items[0], decision, applied, workflow: started });
      expect(read!.items[1]).toEqual(items[1]);

      const ended: ItemWorkflow = { ...started, state: 'REJECTED', outcomeAt: '2026-07-30T00:00:00.000Z', outcomeBy: 'u-owner', appliedAction: 'REMOVED' };
      await s.campaigns.saveItemWorkflow('e-1', items[0]!.id, ended);
      read = await s.campaigns.getEntryWithItems('e-1');
      expect(read!.items[0]).toEqual({ ...items[0], decision, applied, workflow: ended });

      // A missing item or entry, or a run deleted since the hand-over: nothing thrown, nothing created.
      await s.campaigns.saveItemWorkflow('e-1', 'p-missing', ended);
      await s.campaigns.saveItemWorkflow('e-missing', items[0]!.id, ended);
      expect((await s.campaigns.getEntryWithItems('e-1'))!.items).toHaveLength(2);
      expect(await s.campaigns.getEntryWithItems('e-missing')).toBeUndefined();
      await s.campaigns.deleteRun('c-test#1');
      await s.campaigns.saveItemWorkflow('e-1', items[0]!.id, ended);
      expect(await s.campaigns.getEntryWithItems('e-1')).toBeUndefined();
      expect(await s.campaigns.getEntry('e-1')).toBeUndefined();
    });

    it('saveItemWorkflow onlyIfAbsent records the hand-over once and never overwrites an outcome written before it', async () => {
      const { entry, items } = entryWithItems('e-1', 'c-test#1', 2);
      await s.campaigns.putEntriesWithItems([{ entry, items }]);
      const started: ItemWorkflow = { approvalId: 'a-0123456789ab', workflowId: 'default', startedAt: '2026-07-16T00:00:00.000Z', state: 'RUNNING' };
      const ended: ItemWorkflow = { ...started, state: 'APPROVED', outcomeAt: '2026-07-17T00:00:00.000Z', outcomeBy: 'u-owner', appliedAction: 'KEPT' };

      // No workflow yet: recorded.
      await s.campaigns.saveItemWorkflow('e-1', items[1]!.id, started, { onlyIfAbsent: true });
      expect((await s.campaigns.getEntryWithItems('e-1'))!.items[1]!.workflow).toEqual(started);

      // The engine wrote the outcome first (a finish that read the item before): the hand-over record leaves it.
      await s.campaigns.saveItemWorkflow('e-1', items[0]!.id, ended);
      await s.campaigns.saveItemWorkflow('e-1', items[0]!.id, started, { onlyIfAbsent: true });
      expect((await s.campaigns.getEntryWithItems('e-1'))!.items[0]!.workflow).toEqual(ended);
      // Without the option it is an update, as before.
      await s.campaigns.saveItemWorkflow('e-1', items[1]!.id, ended);
      expect((await s.campaigns.getEntryWithItems('e-1'))!.items[1]!.workflow).toEqual(ended);

      // A gone item is still a no-op.
      await s.campaigns.saveItemWorkflow('e-1', 'p-missing', started, { onlyIfAbsent: true });
      expect((await s.campaigns.getEntryWithItems('e-1'))!.items).toHaveLength(2);
    });

    it('records revocations per run, one per user and privilege', async () => {
      const revocation = (userId: string, privilegeId: string, runId = 'c-test#1'): Revocation => ({
        runId,
        campaignId: 'c-test',
        userId,
        privilegeId,
        entryId: 'e-1',
        itemId: privilegeId,
        reason: 'REJECTED',
        at: T0,
      });
      await s.campaigns.saveAppliedChanges({ revocations: [revocation('u-b', 'p-1')] });
      await s.campaigns.saveAppliedChanges({ revocations: [revocation('u-a', 'p-2')] });
      await s.campaigns.saveAppliedChanges({ revocations: [{ ...revocation('u-a', 'p-2'), reason: 'UNCERTIFIED' }] });
      await s.campaigns.saveAppliedChanges({ revocations: [revocation('u-a', 'p-1', 'c-test#2')] });

      const listed = await collect(s.campaigns.listRevocations('c-test#1'));
      expect(listed).toEqual([{ ...revocation('u-a', 'p-2'), reason: 'UNCERTIFIED' }, revocation('u-b', 'p-1')]);
      expect(await collect(s.campaigns.listRevocations('c-test#3'))).toEqual([]);
    });

    it('deleteRun removes the entries, items, tasks and revocations of that run only, and can run again', async () => {
      const run1 = Array.from({ length: 12 }, (_, i) => entryWithItems(`e1-${i}`, 'c-test#1', 3, { approverIds: ['u-a', 'u-b'] }));
      const run2 = [entryWithItems('e2-0', 'c-test#2', 2, { approverIds: ['u-a', 'u-b'] })];
      await s.campaigns.createCampaign(aCampaign({ id: 'c-test' }));
      await s.campaigns.putEntriesWithItems([...run1, ...run2], [aNotification({ key: 'N1' })]);
      const revocation = (runId: string): Revocation => ({
        runId,
        campaignId: 'c-test',
        userId: 'u-x',
        privilegeId: 'p-000',
        entryId: 'e',
        itemId: 'p-000',
        reason: 'REJECTED',
        at: T0,
      });
      await s.campaigns.saveAppliedChanges({ revocations: [revocation('c-test#1')] });
      await s.campaigns.saveAppliedChanges({ revocations: [revocation('c-test#2')] });

      expect(await s.campaigns.deleteRun('c-test#1')).toBe(true);
      expect(await collect(s.campaigns.listEntries('c-test#1'))).toEqual([]);
      expect(await s.campaigns.getEntryWithItems('e1-3')).toBeUndefined();
      expect(await collect(s.campaigns.listRevocations('c-test#1'))).toEqual([]);
      expect(ids(await s.campaigns.listTasks('u-b'))).toEqual(['e2-0']);

      expect(await s.campaigns.getEntryWithItems('e2-0')).toEqual(run2[0]);
      expect(await collect(s.campaigns.listRevocations('c-test#2'))).toEqual([revocation('c-test#2')]);
      expect(await s.campaigns.getCampaign('c-test')).toBeDefined();
      expect(await collect(s.outbox.listByCampaign('c-test'))).toHaveLength(1);

      expect(await s.campaigns.deleteRun('c-test#1')).toBe(true);
      expect(await s.campaigns.deleteRun('c-never#1')).toBe(true);
      expect(await collect(s.campaigns.listEntries('c-test#2'))).toHaveLength(1);
    });
  });

  describe('listings resume after a cursor (chunked phases)', () => {
    it('listUsers and listPrivileges({ after }) list the ids after it, in id order, whether or not that id exists', async () => {
      const userIds = Array.from({ length: 20 }, (_, i) => `u-${String(i).padStart(2, '0')}`);
      await s.directory.putUsers(userIds.map((id) => aUser({ id })));
      await s.directory.putPrivileges(['p-a', 'p-b', 'p-c', 'p-d'].map((id) => aPrivilege({ id })));

      expect(ids(await collect(s.directory.listUsers({ after: 'u-08' })))).toEqual(userIds.slice(9));
      expect(ids(await collect(s.directory.listUsers({ after: 'u-085' })))).toEqual(userIds.slice(9));
      expect(ids(await collect(s.directory.listUsers({ after: 'u-19' })))).toEqual([]);
      expect(ids(await collect(s.directory.listUsers({})))).toEqual(userIds);
      expect(ids(await collect(s.directory.listPrivileges({ after: 'p-b' })))).toEqual(['p-c', 'p-d']);
      expect(ids(await collect(s.directory.listPrivileges({ after: 'p-0' })))).toEqual(['p-a', 'p-b', 'p-c', 'p-d']);
    });

    it('listEntries(runId, { after }) lists the entries after that one in listing order, review groups of one subject included', async () => {
      const runId = 'c-test#1';
      // Two entries of subject u-m (a subject split into review groups) share their stage and subject.
      const batch = [
        ...Array.from({ length: 15 }, (_, i) => entryWithItems(`e-${String(i).padStart(2, '0')}`, runId, 0, { subjectId: `u-${String(i).padStart(2, '0')}` })),
        entryWithItems('e-m2', runId, 0, { subjectId: 'u-m' }),
        entryWithItems('e-m1', runId, 0, { subjectId: 'u-m' }),
        entryWithItems('e-s2', runId, 0, { subjectId: 'u-00', stage: 2 }),
        entryWithItems('e-x', 'c-other#1', 0, { subjectId: 'u-05' }),
      ];
      await s.campaigns.putEntriesWithItems(batch);
      const all = ids(await collect(s.campaigns.listEntries(runId)));
      expect(all).toHaveLength(18);
      // Resuming after each entry in turn gives the rest of the listing, nothing skipped or repeated.
      for (const [i, id] of all.entries()) expect(ids(await collect(s.campaigns.listEntries(runId, { after: id })))).toEqual(all.slice(i + 1));
      expect(all.at(-1)).toBe('e-s2');
    });

    it('listEntries(runId, { after }) refuses an entry that is gone or of another run, naming the cursor', async () => {
      await s.campaigns.putEntriesWithItems([entryWithItems('e-a', 'c-test#1', 0), entryWithItems('e-x', 'c-other#1', 0)]);
      await expect(collect(s.campaigns.listEntries('c-test#1', { after: 'e-gone' }))).rejects.toThrow(NotFoundError);
      await expect(collect(s.campaigns.listEntries('c-test#1', { after: 'e-x' }))).rejects.toThrow(/e-x/);
    });

    it('listRevocations(runId, { after }) resumes after a user and privilege, whether or not that revocation exists', async () => {
      const revocation = (userId: string, privilegeId: string): Revocation => ({
        runId: 'c-test#1',
        campaignId: 'c-test',
        userId,
        privilegeId,
        entryId: 'e-1',
        itemId: privilegeId,
        reason: 'REJECTED',
        at: T0,
      });
      const keys = ['u-a#p-1', 'u-a#p-2', 'u-b#p-1', 'u-c#p-1', 'u-c#p-3', 'u-c#p-4', 'u-d#p-1', 'u-e#p-9', 'u-f#p-1'];
      for (const k of keys) await s.campaigns.saveAppliedChanges({ revocations: [revocation(k.split('#')[0]!, k.split('#')[1]!)] });
      const key = (r: Revocation) => `${r.userId}#${r.privilegeId}`;
      expect((await collect(s.campaigns.listRevocations('c-test#1'))).map(key)).toEqual(keys);
      expect((await collect(s.campaigns.listRevocations('c-test#1', { after: 'u-c#p-1' }))).map(key)).toEqual(keys.slice(4));
      expect((await collect(s.campaigns.listRevocations('c-test#1', { after: 'u-c#p-2' }))).map(key)).toEqual(keys.slice(4));
      expect((await collect(s.campaigns.listRevocations('c-test#1', { after: 'u-f#p-1' }))).map(key)).toEqual([]);
    });
  });

  describe.each(['DELETE', 'TTL'] as const)('a deleted run cleaned up a chunk at a time (%s)', (mode) => {
    const removal = (): RecordRemoval => (mode === 'TTL' ? { mode, expiresAt: 1_800_000_000 } : { mode });
    const revocation = (runId: string, userId: string): Revocation => ({
      runId,
      campaignId: 'c-test',
      userId,
      privilegeId: 'p-000',
      entryId: 'e',
      itemId: 'p-000',
      reason: 'REJECTED',
      at: T0,
    });

    it('removeEntries takes entries out of every listing, with their items; other entries stay', async () => {
      const closed = { state: 'FINISHED' as const, closedAt: '2026-07-15T01:00:00.000Z' };
      const run1 = Array.from({ length: 9 }, (_, i) => entryWithItems(`e1-${i}`, 'c-test#1', 3, { approverIds: ['u-a', 'u-b'], ...(i % 2 ? closed : {}) }));
      const run2 = [entryWithItems('e2-0', 'c-test#2', 2, { approverIds: ['u-a', 'u-b'] })];
      await s.campaigns.putEntriesWithItems([...run1, ...run2]);
      const listed = await collect(s.campaigns.listEntries('c-test#1'));
      await s.campaigns.removeEntries(listed.slice(0, 4), removal());
      expect(ids(await collect(s.campaigns.listEntries('c-test#1')))).toEqual(ids(listed.slice(4)));
      await s.campaigns.removeEntries(listed.slice(4), removal());
      // Again (a resumed chunk): nothing changes.
      await s.campaigns.removeEntries(listed, removal());

      expect(await collect(s.campaigns.listEntries('c-test#1'))).toEqual([]);
      expect(ids(await s.campaigns.listTasks('u-b'))).toEqual(['e2-0']);
      expect(await collect(s.campaigns.listEntriesClosedBetween('2026-07-15T00:00:00.000Z', '2026-07-16T00:00:00.000Z'))).toEqual([]);
      // Deleted: gone. Stamped: still read by id until the engine's TTL removes it.
      if (mode === 'DELETE') expect(await s.campaigns.getEntryWithItems('e1-3')).toBeUndefined();
      else expect(await s.campaigns.getEntry('e1-3')).toMatchObject({ id: 'e1-3', runId: 'c-test#1' });
      expect(await s.campaigns.getEntryWithItems('e2-0')).toEqual(run2[0]);
      expect(ids(await collect(s.campaigns.listEntries('c-test#2')))).toEqual(['e2-0']);
    });

    it('removeRevocations deletes (or stamps, still listed) the given ones only', async () => {
      const [a, b, c] = ['u-a', 'u-b', 'u-c'].map((userId) => revocation('c-test#1', userId));
      const other = revocation('c-test#2', 'u-a');
      for (const r of [a!, b!, c!, other]) await s.campaigns.saveAppliedChanges({ revocations: [r] });
      await s.campaigns.removeRevocations([a!, b!], removal());
      await s.campaigns.removeRevocations([a!], removal());
      const left = (await collect(s.campaigns.listRevocations('c-test#1'))).map((r) => r.userId);
      expect(left).toEqual(mode === 'DELETE' ? ['u-c'] : ['u-a', 'u-b', 'u-c']);
      expect(await collect(s.campaigns.listRevocations('c-test#2'))).toEqual([other]);
    });

    it('the outbox lists a run from a key on, and removes its settled notifications only, counting the unsent', async () => {
      const run = Array.from({ length: 9 }, (_, i) => aNotification({ key: `K${i}` }));
      const other = aNotification({ key: 'K-other', runId: 'c-test#2' });
      await s.outbox.enqueue([...run, other]);
      const now = new Date(T0);
      for (const n of run.slice(0, 6)) {
        expect(await s.outbox.claim(n, 'runner', now, 60)).toBe(true);
        await s.outbox.markSent(n, `m-${n.key}`, now);
      }
      expect((await collect(s.outbox.listByRun('c-test', 'c-test#1', { after: 'K2' }))).map((n) => n.key)).toEqual(['K3', 'K4', 'K5', 'K6', 'K7', 'K8']);
      expect((await collect(s.outbox.listByRun('c-test', 'c-test#1', { after: 'K25' }))).map((n) => n.key)).toEqual(['K3', 'K4', 'K5', 'K6', 'K7', 'K8']);

      const listed = await collect(s.outbox.listByRun('c-test', 'c-test#1'));
      expect(await s.outbox.removeSettled(listed.slice(0, 4), removal())).toBe(0);
      expect(await s.outbox.removeSettled(listed.slice(4), removal())).toBe(3);
      const left = (await collect(s.outbox.listByRun('c-test', 'c-test#1'))).map((n) => n.key);
      expect(left).toEqual(mode === 'DELETE' ? ['K6', 'K7', 'K8'] : run.map((n) => n.key));
      // The unsent ones are still dispatched; another run's notification is untouched.
      expect((await collect(s.outbox.listDispatchable(plusSeconds(T0, 60)))).map((n) => n.key).sort()).toEqual(['K-other', 'K6', 'K7', 'K8']);
    });
  });

  describe('leases', () => {
    it('is taken when free or expired, renewed by its owner, and released only by its owner', async () => {
      const now = new Date(T0);
      expect(await s.campaigns.acquireLease('controller', 'run-1', now, 60)).toBe(true);
      expect(await s.campaigns.acquireLease('controller', 'run-2', plusSeconds(T0, 30), 60)).toBe(false);
      expect(await s.campaigns.acquireLease('other-job', 'run-2', now, 60)).toBe(true);
      // The owner renews: held until T0 + 90 s now.
      expect(await s.campaigns.acquireLease('controller', 'run-1', plusSeconds(T0, 30), 60)).toBe(true);
      expect(await s.campaigns.acquireLease('controller', 'run-2', plusSeconds(T0, 80), 60)).toBe(false);
      expect(await s.campaigns.acquireLease('controller', 'run-2', plusSeconds(T0, 91), 60)).toBe(true);

      await s.campaigns.releaseLease('controller', 'run-1');
      expect(await s.campaigns.acquireLease('controller', 'run-3', plusSeconds(T0, 92), 60)).toBe(false);
      await s.campaigns.releaseLease('controller', 'run-2');
      expect(await s.campaigns.acquireLease('controller', 'run-3', plusSeconds(T0, 92), 60)).toBe(true);
      await s.campaigns.releaseLease('never-taken', 'run-3');
    });

    it('records its holder, and is taken over only from the run it was seen held by', async () => {
      const dead: LeaseHolder = { kind: 'local', pid: 4242, hostname: 'laptop', startedAt: '2026-06-30T23:00:00.000Z' };
      const taker: LeaseHolder = { kind: 'local', pid: 4343, hostname: 'laptop', startedAt: '2026-07-01T00:00:10.000Z' };
      expect(await s.campaigns.getLease('controller')).toBeUndefined();
      expect(await s.campaigns.acquireLease('controller', 'run-1', new Date(T0), 60, dead)).toBe(true);
      const held = await s.campaigns.getLease('controller');
      expect(held).toEqual({ name: 'controller', owner: 'run-1', holder: dead, acquiredAt: T0, expiresAt: plusSeconds(T0, 60).toISOString() });

      // Two runs saw run-1's lease: the first takes it, the second finds it changed hands.
      expect(await s.campaigns.takeOverLease('controller', 'run-1', 'run-2', plusSeconds(T0, 10), 60, taker)).toBe(true);
      expect(await s.campaigns.takeOverLease('controller', 'run-1', 'run-3', plusSeconds(T0, 11), 60)).toBe(false);
      expect(await s.campaigns.getLease('controller')).toEqual({
        name: 'controller',
        owner: 'run-2',
        holder: taker,
        acquiredAt: plusSeconds(T0, 10).toISOString(),
        expiresAt: plusSeconds(T0, 70).toISOString(),
      });
      // The one that took it holds it like any other: renewed by it, released by it only.
      expect(await s.campaigns.acquireLease('controller', 'run-3', plusSeconds(T0, 20), 60)).toBe(false);
      await s.campaigns.releaseLease('controller', 'run-1');
      expect(await s.campaigns.getLease('controller')).toMatchObject({ owner: 'run-2' });
      await s.campaigns.releaseLease('controller', 'run-2');
      expect(await s.campaigns.getLease('controller')).toBeUndefined();

      // Released (or expired) meanwhile: taking over a free lease is taking it.
      expect(await s.campaigns.takeOverLease('controller', 'run-2', 'run-4', plusSeconds(T0, 30), 60)).toBe(true);
      expect(await s.campaigns.getLease('controller')).toEqual({
        name: 'controller',
        owner: 'run-4',
        acquiredAt: plusSeconds(T0, 30).toISOString(),
        expiresAt: plusSeconds(T0, 90).toISOString(),
      });
      expect(await s.campaigns.takeOverLease('controller', 'run-gone', 'run-5', plusSeconds(T0, 91), 60)).toBe(true);
      expect(await s.campaigns.getLease('controller')).toMatchObject({ owner: 'run-5' });
    });
  });

  describe('outbox', () => {
    it('enqueue records only new keys and never overwrites a recorded notification', async () => {
      const [n1, n2, n3] = ['K1', 'K2', 'K3'].map((key) => aNotification({ key }));
      expect(await s.outbox.enqueue([n1!, n2!])).toEqual(['K1', 'K2']);
      expect(await s.outbox.claim(n1!, 'runner', new Date(T0), 60)).toBe(true);
      await s.outbox.markSent(n1!, 'm-1', new Date(T0));

      expect(await s.outbox.enqueue([{ ...n1!, subject: 'again' }, n3!, { ...n3!, subject: 'twice in one call' }])).toEqual(['K3']);
      const byKey = new Map((await collect(s.outbox.listByCampaign('c-test'))).map((n) => [n.key, n]));
      expect(byKey.get('K1')).toMatchObject({ status: 'SENT', subject: n1!.subject, messageId: 'm-1', sentAt: T0 });
      expect(byKey.get('K3')!.subject).toBe(n3!.subject);
      expect(await s.outbox.enqueue([])).toEqual([]);
    });

    it('lists PENDING notifications and expired claims, oldest first, across pages', async () => {
      const notifications = Array.from({ length: 12 }, (_, i) =>
        aNotification({ key: `K${String(i).padStart(2, '0')}`, createdAt: `2026-07-01T00:00:${String(59 - i).padStart(2, '0')}.000Z` }),
      );
      await s.outbox.enqueue([...notifications, aNotification({ key: 'other-campaign', campaignId: 'c-other', createdAt: '2026-06-30T00:00:00.000Z' })]);
      const now = new Date('2026-07-01T01:00:00.000Z');
      const newest = notifications[0]!;
      const oldest = notifications[11]!;
      expect(await s.outbox.claim(oldest, 'runner', now, 300)).toBe(true);
      await s.outbox.markSent(notifications[5]!, 'm-5', now);

      const listed = (await collect(s.outbox.listDispatchable(now))).map((n) => n.key);
      expect(listed[0]).toBe('other-campaign');
      expect(listed).not.toContain(oldest.key);
      expect(listed).not.toContain('K05');
      expect(listed).toHaveLength(11);
      expect(listed.at(-1)).toBe(newest.key);

      const afterClaim = (await collect(s.outbox.listDispatchable(new Date(now.getTime() + 301_000)))).map((n) => n.key);
      expect(afterClaim.slice(0, 2)).toEqual(['other-campaign', oldest.key]);
      const reclaimed = (await collect(s.outbox.listDispatchable(new Date(now.getTime() + 301_000))))[1]!;
      expect(reclaimed).toMatchObject({ status: 'SENDING', claimedBy: 'runner', attempts: 1 });
    });

    it('claims a notification once until the claim expires, counting attempts', async () => {
      const n = aNotification({ key: 'K' });
      await s.outbox.enqueue([n]);
      const now = new Date(T0);
      expect(await s.outbox.claim(n, 'runner-a', now, 60)).toBe(true);
      expect(await s.outbox.claim(n, 'runner-b', plusSeconds(T0, 59), 60)).toBe(false);
      expect(await s.outbox.claim(n, 'runner-b', plusSeconds(T0, 61), 60)).toBe(true);
      const [stored] = await collect(s.outbox.listByCampaign('c-test'));
      expect(stored).toMatchObject({ status: 'SENDING', claimedBy: 'runner-b', claimExpiresAt: plusSeconds(T0, 121).toISOString(), attempts: 2 });

      await s.outbox.markSent(n, 'm-1', plusSeconds(T0, 62));
      expect(await s.outbox.claim(n, 'runner-c', plusSeconds(T0, 3600), 60)).toBe(false);
      expect(await s.outbox.claim(aNotification({ key: 'never-enqueued' }), 'runner-c', now, 60)).toBe(false);
      const [sent] = await collect(s.outbox.listByCampaign('c-test'));
      expect(sent).toMatchObject({ status: 'SENT', messageId: 'm-1', sentAt: plusSeconds(T0, 62).toISOString(), attempts: 2 });
      expect(sent).not.toHaveProperty('claimExpiresAt');
    });

    it("lists one run's notifications, and its cleanup removes the settled ones only, leaving other runs and campaigns alone", async () => {
      const ofRun = (runId: string, count: number) =>
        Array.from({ length: count }, (_, i) => aNotification({ key: `${runId}|K${String(i).padStart(2, '0')}`, runId }));
      const run1 = ofRun('c-test#1', 10);
      // `c-test#10` starts with `c-test#1`: a prefix must not take one run for another.
      const others = [...ofRun('c-test#10', 2), ...ofRun('c-test#2', 1), aNotification({ key: 'other', campaignId: 'c-other', runId: 'c-other#1' })];
      await s.outbox.enqueue([...run1, ...others]);
      const now = new Date(T0);
      // Settled: 0-5 sent, 6 skipped, 7 failed for good. Unsent: 8 pending, 9 claimed.
      for (const n of run1.slice(0, 6)) {
        expect(await s.outbox.claim(n, 'runner', now, 60)).toBe(true);
        await s.outbox.markSent(n, `m-${n.key}`, now);
      }
      await s.outbox.markSkipped(run1[6]!, 'campaign cancelled');
      expect(await s.outbox.claim(run1[7]!, 'runner', now, 60)).toBe(true);
      await s.outbox.markFailed(run1[7]!, 'address rejected', true);
      expect(await s.outbox.claim(run1[9]!, 'runner', now, 60)).toBe(true);

      expect((await collect(s.outbox.listByRun('c-test', 'c-test#1'))).map((n) => n.key)).toEqual(run1.map((n) => n.key));
      expect(await collect(s.outbox.listByRun('c-test', 'c-test#10'))).toHaveLength(2);
      expect(await collect(s.outbox.listByCampaign('c-test'))).toHaveLength(13);

      expect(await s.outbox.deleteRun('c-test', 'c-test#1')).toBe(false);
      expect((await collect(s.outbox.listByRun('c-test', 'c-test#1'))).map((n) => n.key)).toEqual([run1[8]!.key, run1[9]!.key]);
      // Once sent, the rest go too; again, and of a run that has none: nothing to do.
      await s.outbox.markSent(run1[9]!, 'm-9', now);
      expect(await s.outbox.claim(run1[8]!, 'runner', now, 60)).toBe(true);
      await s.outbox.markSent(run1[8]!, 'm-8', now);
      expect(await s.outbox.deleteRun('c-test', 'c-test#1')).toBe(true);
      expect(await s.outbox.deleteRun('c-test', 'c-test#1')).toBe(true);
      expect(await s.outbox.deleteRun('c-never', 'c-never#1')).toBe(true);
      expect(await collect(s.outbox.listByRun('c-test', 'c-test#1'))).toEqual([]);

      const left = (await collect(s.outbox.listByCampaign('c-test'))).map((n) => n.key).sort();
      expect(left).toEqual(others.filter((n) => n.campaignId === 'c-test').map((n) => n.key).sort());
      expect((await collect(s.outbox.listDispatchable(now))).map((n) => n.key).sort()).toEqual(others.map((n) => n.key).sort());
      expect(await collect(s.outbox.listByCampaign('c-other'))).toHaveLength(1);
    });

    it("releaseClaims puts a gone run's unfinished sends back at once, and nobody else's", async () => {
      const [mine, sent, theirs, pending] = ['K-mine', 'K-sent', 'K-theirs', 'K-pending'].map((key) => aNotification({ key }));
      await s.outbox.enqueue([mine!, sent!, theirs!, pending!]);
      const now = new Date(T0);
      expect(await s.outbox.claim(mine!, 'run-killed', now, 300)).toBe(true);
      expect(await s.outbox.claim(sent!, 'run-killed', now, 300)).toBe(true);
      await s.outbox.markSent(sent!, 'm-1', now);
      expect(await s.outbox.claim(theirs!, 'run-alive', now, 300)).toBe(true);

      expect(await s.outbox.releaseClaims('run-killed')).toBe(1);

      // Dispatchable now, not 300 s later; the attempt that died is still counted.
      const dispatchable = await collect(s.outbox.listDispatchable(plusSeconds(T0, 1)));
      expect(dispatchable.map((n) => n.key).sort()).toEqual(['K-mine', 'K-pending']);
      expect(dispatchable.find((n) => n.key === 'K-mine')).toMatchObject({ status: 'PENDING', attempts: 1 });
      expect(dispatchable.find((n) => n.key === 'K-mine')).not.toHaveProperty('claimExpiresAt');
      expect(await s.outbox.claim(mine!, 'run-next', plusSeconds(T0, 1), 300)).toBe(true);
      const byKey = new Map((await collect(s.outbox.listByCampaign('c-test'))).map((n) => [n.key, n]));
      expect(byKey.get('K-theirs')).toMatchObject({ status: 'SENDING', claimedBy: 'run-alive' });
      expect(byKey.get('K-sent')).toMatchObject({ status: 'SENT' });
      expect(await s.outbox.releaseClaims('run-killed')).toBe(0);
    });

    it('markFailed puts a notification back for a retry, or fails it for good', async () => {
      const [retry, fail] = ['K-retry', 'K-fail'].map((key) => aNotification({ key }));
      await s.outbox.enqueue([retry!, fail!]);
      const now = new Date(T0);
      for (const n of [retry!, fail!]) expect(await s.outbox.claim(n, 'runner', now, 300)).toBe(true);
      await s.outbox.markFailed(retry!, 'throttled', false);
      await s.outbox.markFailed(fail!, 'address rejected', true);

      const dispatchable = await collect(s.outbox.listDispatchable(now));
      expect(dispatchable).toEqual([expect.objectContaining({ key: 'K-retry', status: 'PENDING', lastError: 'throttled', attempts: 1 })]);
      expect(await s.outbox.claim(retry!, 'runner-2', now, 300)).toBe(true);
      expect(await s.outbox.claim(fail!, 'runner-2', plusSeconds(T0, 3600), 300)).toBe(false);
      const failed = (await collect(s.outbox.listByCampaign('c-test'))).find((n) => n.key === 'K-fail');
      expect(failed).toMatchObject({ status: 'FAILED', lastError: 'address rejected' });
      expect(await collect(s.outbox.listDispatchable(plusSeconds(T0, 3600)))).toEqual([
        expect.objectContaining({ key: 'K-retry', attempts: 2, claimedBy: 'runner-2' }),
      ]);
      await expect(s.outbox.markSent(aNotification({ key: 'never-enqueued' }), 'm', now)).rejects.toBeInstanceOf(NotFoundError);
    });
  });
});
