// The risk assessment job on the in-memory stores: every user assessed, one assessment per user
// and date, riskLevel updated, the summary written last; resumed after a kill without assessing a
// checkpointed user again; a finished date assessed again and replaced.
import { describe, expect, it, vi } from 'vitest';
import { InMemoryDirectoryStore } from '../../../lambdas/shared/adapters/memory/in-memory-directory-store.js';
import { InMemoryOperationsStore } from '../../../lambdas/shared/adapters/memory/in-memory-operations-store.js';
import type { Privilege, RiskLevel } from '../../../lambdas/shared/domain/model.js';
import { DEFAULT_OPERATIONS_CONFIG, type OperationsConfig } from '../../../lambdas/shared/domain/operations.js';
import { assessRisk } from '../../../lambdas/shared/use-cases/assess-risk.js';
import { collect } from '../../../lambdas/shared/use-cases/concurrency.js';
import { silentLog } from '../../../lambdas/shared/use-cases/ports.js';
import { InjectedKill, failOnCall } from '../../support/fault-injection.js';
import { aPrivilege, aUser, anAssignment } from '../../support/fixtures.js';

const NOW = new Date('2026-12-01T07:30:00.000Z');
const DATE = '2026-12-01';

const CONFIG: OperationsConfig = {
  ...DEFAULT_OPERATIONS_CONFIG,
  risk: { ...DEFAULT_OPERATIONS_CONFIG.risk, maxHighRiskPrivileges: 1, toxicCombinations: [{ privileges: ['p-pay-create', 'p-pay-approve'], reason: 'create and approve payments' }] },
};

// Five users in pages of two: [u-a, u-b] [u-c, u-d] [u-e]. By hand:
//   u-a holds p-low                                   → LOW
//   u-b holds p-high-1, p-high-2 (2 > 1 HIGH)         → HIGH raised to CRITICAL
//   u-c holds p-pay-create + p-pay-approve (toxic)    → CRITICAL, one SoD conflict
//   u-d DISABLED, holds p-med                         → MEDIUM, orphaned access
//   u-e declared HIGH, holds nothing                  → computed LOW, level HIGH
// Summary: LOW 1, MEDIUM 1, HIGH 1, CRITICAL 2; 1 conflict; 1 orphaned.
const EXPECTED_LEVELS: Record<string, RiskLevel> = { 'u-a': 'LOW', 'u-b': 'CRITICAL', 'u-c': 'CRITICAL', 'u-d': 'MEDIUM', 'u-e': 'HIGH' };
const EXPECTED_SUMMARY = { users: 5, usersByLevel: { LOW: 1, MEDIUM: 1, HIGH: 1, CRITICAL: 2 }, sodConflicts: 1, orphanedAccess: 1 };

async function setup() {
  const directory = new InMemoryDirectoryStore({ pageSize: 2 });
  const operations = new InMemoryOperationsStore({ pageSize: 2 });
  const privileges: Privilege[] = [
    aPrivilege({ id: 'p-low', riskLevel: 'LOW' }),
    aPrivilege({ id: 'p-med', riskLevel: 'MEDIUM' }),
    aPrivilege({ id: 'p-high-1', riskLevel: 'HIGH' }),
    aPrivilege({ id: 'p-high-2', riskLevel: 'HIGH' }),
    aPrivilege({ id: 'p-pay-create', riskLevel: 'LOW' }),
    aPrivilege({ id: 'p-pay-approve', riskLevel: 'MEDIUM' }),
  ];
  await directory.putPrivileges(privileges);
  await directory.putUsers([
    aUser({ id: 'u-a' }),
    aUser({ id: 'u-b' }),
    aUser({ id: 'u-c' }),
    aUser({ id: 'u-d', status: 'DISABLED' }),
    aUser({ id: 'u-e', riskLevel: 'HIGH' }),
  ]);
  await directory.putAssignments([
    anAssignment({ userId: 'u-a', privilegeId: 'p-low' }),
    anAssignment({ userId: 'u-b', privilegeId: 'p-high-1' }),
    anAssignment({ userId: 'u-b', privilegeId: 'p-high-2', origin: 'RULE' }),
    anAssignment({ userId: 'u-c', privilegeId: 'p-pay-create' }),
    anAssignment({ userId: 'u-c', privilegeId: 'p-pay-approve' }),
    anAssignment({ userId: 'u-d', privilegeId: 'p-med' }),
  ]);
  const deps = { directory, operations, clock: { now: () => NOW }, log: silentLog };
  return { directory, operations, deps, setRiskLevel: vi.spyOn(directory, 'setRiskLevel'), listAssignments: vi.spyOn(directory, 'listAssignmentsOfUser') };
}

const usersOf = (calls: unknown[][]) => calls.map((c) => c[0] as string).sort();

async function expectDayAssessed(operations: InMemoryOperationsStore, directory: InMemoryDirectoryStore) {
  const stored = await collect(operations.listAssessments(DATE));
  expect(stored.map((a) => a.userId)).toEqual(['u-a', 'u-b', 'u-c', 'u-d', 'u-e']);
  expect(Object.fromEntries(stored.map((a) => [a.userId, a.level]))).toEqual(EXPECTED_LEVELS);
  for (const [id, level] of Object.entries(EXPECTED_LEVELS)) expect((await directory.getUser(id))!.riskLevel).toBe(level);
  const summary = await operations.getLatestRiskSummary(DATE, 0);
  expect(summary).toMatchObject({ date: DATE, ...EXPECTED_SUMMARY });
  expect(summary!.sodConflictList).toEqual([{ userId: 'u-c', privileges: ['p-pay-create', 'p-pay-approve'], reason: 'create and approve payments' }]);
  expect(summary!.orphanedAccessList).toEqual([{ userId: 'u-d', assignments: [{ privilegeId: 'p-med', origin: 'MANUAL' }], assignmentCount: 1 }]);
  expect(await operations.getAssessmentProgress(DATE)).toMatchObject({ done: true });
}

describe('assessRisk', () => {
  it('assesses every user, stores one assessment each, updates their risk level and writes the summary', async () => {
    const { directory, operations, deps, setRiskLevel } = await setup();
    const result = await assessRisk(deps, CONFIG);
    expect(result).toEqual({ date: DATE, ...EXPECTED_SUMMARY, resumed: false });
    await expectDayAssessed(operations, directory);
    expect(usersOf(setRiskLevel.mock.calls)).toEqual(['u-a', 'u-b', 'u-c', 'u-d', 'u-e']);
    // The declared level is kept beside the combined one; the computed one is recorded.
    expect(await directory.getUser('u-e')).toMatchObject({ riskLevel: 'HIGH', declaredRiskLevel: 'HIGH', computedRiskLevel: 'LOW', riskAssessedAt: NOW.toISOString() });
    expect((await directory.getUser('u-b'))!.declaredRiskLevel).toBeUndefined();
  });

  it('reads each privilege once per run', async () => {
    const { directory, deps } = await setup();
    const getPrivileges = vi.spyOn(directory, 'getPrivileges');
    await assessRisk(deps, CONFIG);
    const read = getPrivileges.mock.calls.flatMap((c) => c[0]);
    expect(read.sort()).toEqual(['p-high-1', 'p-high-2', 'p-low', 'p-med', 'p-pay-approve', 'p-pay-create']);
  });

  it('resumes after a kill before the third page was stored: no checkpointed user is assessed again', async () => {
    const { directory, operations, deps, setRiskLevel, listAssignments } = await setup();
    const kill = failOnCall(operations, 'putAssessments', 3);
    await expect(assessRisk(deps, CONFIG)).rejects.toBeInstanceOf(InjectedKill);
    expect(await operations.getAssessmentProgress(DATE)).toEqual({ afterUserId: 'u-d', done: false, round: expect.any(String) });
    expect(await operations.getLatestRiskSummary(DATE, 0)).toBeUndefined();
    kill.restore();

    const result = await assessRisk(deps, CONFIG);
    expect(result).toEqual({ date: DATE, ...EXPECTED_SUMMARY, resumed: true });
    await expectDayAssessed(operations, directory);
    // Each user's risk level was set once over both runs; only u-e's access was read twice
    // (by the killed run, which stored nothing of it).
    expect(usersOf(setRiskLevel.mock.calls)).toEqual(['u-a', 'u-b', 'u-c', 'u-d', 'u-e']);
    expect(usersOf(listAssignments.mock.calls)).toEqual(['u-a', 'u-b', 'u-c', 'u-d', 'u-e', 'u-e']);
  });

  it('resumes after a kill at a checkpoint: the page is assessed again, counted once', async () => {
    const { directory, operations, deps } = await setup();
    const kill = failOnCall(operations, 'putAssessmentProgress', 2);
    await expect(assessRisk(deps, CONFIG)).rejects.toBeInstanceOf(InjectedKill);
    kill.restore();
    const result = await assessRisk(deps, CONFIG);
    expect(result).toMatchObject({ ...EXPECTED_SUMMARY, resumed: true });
    await expectDayAssessed(operations, directory);
  });

  it('resumes after a kill before the summary: nobody is assessed again, the summary is written', async () => {
    const { directory, operations, deps, setRiskLevel } = await setup();
    const kill = failOnCall(operations, 'putRiskSummary', 1);
    await expect(assessRisk(deps, CONFIG)).rejects.toBeInstanceOf(InjectedKill);
    kill.restore();
    setRiskLevel.mockClear();
    expect(await assessRisk(deps, CONFIG)).toMatchObject({ ...EXPECTED_SUMMARY, resumed: true });
    expect(setRiskLevel).not.toHaveBeenCalled();
    await expectDayAssessed(operations, directory);
  });

  it('assesses a finished date again and replaces it: the directory may have changed', async () => {
    const { directory, operations, deps } = await setup();
    await assessRisk(deps, CONFIG);
    await directory.removeAssignment('u-c', 'p-pay-approve');
    const again = await assessRisk(deps, CONFIG);
    // u-c now holds p-pay-create (LOW) only: LOW 2, MEDIUM 1, HIGH 1, CRITICAL 1; no conflict.
    expect(again).toEqual({ date: DATE, users: 5, usersByLevel: { LOW: 2, MEDIUM: 1, HIGH: 1, CRITICAL: 1 }, sodConflicts: 0, orphanedAccess: 1, resumed: false });
    expect(await collect(operations.listAssessments(DATE))).toHaveLength(5);
    expect(await operations.getLatestRiskSummary(DATE, 0)).toMatchObject({ sodConflicts: 0, sodConflictList: [] });
    expect((await directory.getUser('u-c'))!.riskLevel).toBe('LOW');
  });

  it('does not count in a re-run of a finished date a user deleted since: the summary is the new round\'s', async () => {
    const { directory, operations, deps } = await setup();
    await assessRisk(deps, CONFIG);
    // u-c (CRITICAL, the SoD conflict) leaves the directory; its assessment of the first round stays stored.
    const listUsers = directory.listUsers.bind(directory);
    directory.listUsers = async function* () {
      for await (const page of listUsers()) yield page.filter((u) => u.id !== 'u-c');
    };
    const again = await assessRisk(deps, CONFIG);
    expect(again).toEqual({ date: DATE, users: 4, usersByLevel: { LOW: 1, MEDIUM: 1, HIGH: 1, CRITICAL: 1 }, sodConflicts: 0, orphanedAccess: 1, resumed: false });
    expect(await operations.getLatestRiskSummary(DATE, 0)).toMatchObject({ users: 4, sodConflicts: 0, sodConflictList: [] });
  });

  it('lowers a computed level the next day once the access is gone, and never the declared one', async () => {
    const { directory, operations, deps } = await setup();
    await assessRisk(deps, CONFIG);
    await directory.removeAssignment('u-b', 'p-high-1');
    await directory.putAssignments([anAssignment({ userId: 'u-e', privilegeId: 'p-low' })]);
    const nextDay = { ...deps, clock: { now: () => new Date('2026-12-02T07:30:00.000Z') } };
    await assessRisk(nextDay, CONFIG);
    // u-b: p-high-2 only → HIGH (1 HIGH is not more than 1); u-e: declared HIGH still wins over LOW.
    expect(await directory.getUser('u-b')).toMatchObject({ riskLevel: 'HIGH', computedRiskLevel: 'HIGH' });
    expect(await directory.getUser('u-e')).toMatchObject({ riskLevel: 'HIGH', declaredRiskLevel: 'HIGH', computedRiskLevel: 'LOW' });
    expect((await operations.listAssessmentsOfUser('u-b', '2026-12-01', '2026-12-02')).map((a) => a.level)).toEqual(['CRITICAL', 'HIGH']);
  });
});
