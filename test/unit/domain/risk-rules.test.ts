// The risk rules: highest privilege level, raised above N HIGH/CRITICAL privileges, toxic pairs →
// CRITICAL and listed, orphaned access of DISABLED users, and the declared level combined.
import { describe, expect, it } from 'vitest';
import type { Privilege, RiskLevel, User } from '../../../lambdas/shared/domain/model.js';
import { DEFAULT_OPERATIONS_CONFIG, LIST_CAP, LIST_CHARS_CAP, type OperationsConfig } from '../../../lambdas/shared/domain/operations.js';
import { addToRiskSummary, assessUser, declaredLevelOf, emptyRiskSummary, ORPHANED_ASSIGNMENTS_CAP } from '../../../lambdas/shared/domain/risk-rules.js';
import { aPrivilege, aUser, anAssignment } from '../../support/fixtures.js';

const DATE = '2026-12-01';
const NOW = new Date('2026-12-01T07:30:00.000Z');

const privileges = new Map<string, Privilege>(
  (
    [
      ['p-low', 'LOW'],
      ['p-none', undefined],
      ['p-med', 'MEDIUM'],
      ['p-high-1', 'HIGH'],
      ['p-high-2', 'HIGH'],
      ['p-high-3', 'HIGH'],
      ['p-crit', 'CRITICAL'],
      ['p-pay-create', 'LOW'],
      ['p-pay-approve', 'MEDIUM'],
    ] as [string, RiskLevel | undefined][]
  ).map(([id, riskLevel]) => [id, riskLevel ? aPrivilege({ id, riskLevel }) : { id, name: id, ownerIds: [] }]),
);

const config = (overrides: Partial<OperationsConfig['risk']> = {}): OperationsConfig => ({
  ...DEFAULT_OPERATIONS_CONFIG,
  risk: { ...DEFAULT_OPERATIONS_CONFIG.risk, ...overrides },
});

function assess(user: User, held: string[], cfg = config()) {
  return assessUser(user, held.map((privilegeId) => anAssignment({ userId: user.id, privilegeId })), privileges, cfg, DATE, NOW);
}

describe('assessUser', () => {
  it('is LOW for a user holding nothing', () => {
    const a = assess(aUser(), []);
    expect(a).toMatchObject({ computedLevel: 'LOW', level: 'LOW', privilegeCount: 0, highRiskPrivilegeCount: 0, sodConflicts: [] });
    expect(a.orphanedAccess).toBeUndefined();
    expect(a).toMatchObject({ date: DATE, userId: 'u-alice', userStatus: 'ACTIVE', assessedAt: NOW.toISOString() });
  });

  it.each([
    [['p-low'], 'LOW'],
    [['p-none'], 'LOW'],
    [['p-unknown'], 'LOW'],
    [['p-low', 'p-med'], 'MEDIUM'],
    [['p-med', 'p-high-1', 'p-low'], 'HIGH'],
    [['p-crit', 'p-low'], 'CRITICAL'],
  ] as [string[], RiskLevel][])('holding %j is at least the highest privilege level: %s', (held, level) => {
    expect(assess(aUser(), held).computedLevel).toBe(level);
  });

  it('says why, naming the highest privilege', () => {
    expect(assess(aUser(), ['p-low', 'p-high-2']).reasons[0]).toBe('holds p-high-2, a HIGH privilege (the highest held)');
  });

  it('raises one level when more than maxHighRiskPrivileges HIGH/CRITICAL privileges are held, not at exactly N', () => {
    const cfg = config({ maxHighRiskPrivileges: 2 });
    expect(assess(aUser(), ['p-high-1', 'p-high-2'], cfg)).toMatchObject({ computedLevel: 'HIGH', highRiskPrivilegeCount: 2 });
    const raised = assess(aUser(), ['p-high-1', 'p-high-2', 'p-high-3'], cfg);
    expect(raised).toMatchObject({ computedLevel: 'CRITICAL', highRiskPrivilegeCount: 3 });
    expect(raised.reasons).toContain('holds 3 HIGH/CRITICAL privileges, more than 2: raised from HIGH to CRITICAL');
  });

  it('raises at most to CRITICAL', () => {
    expect(assess(aUser(), ['p-crit', 'p-high-1'], config({ maxHighRiskPrivileges: 0 })).computedLevel).toBe('CRITICAL');
  });

  it('makes a toxic pair CRITICAL and lists it, whatever the privileges’ own levels', () => {
    const cfg = config({ toxicCombinations: [{ privileges: ['p-pay-create', 'p-pay-approve'], reason: 'create and approve payments' }] });
    const a = assess(aUser(), ['p-pay-approve', 'p-pay-create'], cfg);
    expect(a.computedLevel).toBe('CRITICAL');
    expect(a.sodConflicts).toEqual([{ userId: 'u-alice', privileges: ['p-pay-create', 'p-pay-approve'], reason: 'create and approve payments' }]);
    expect(a.reasons.at(-1)).toContain('holds both p-pay-create and p-pay-approve');
  });

  it('counts a pair only when both privileges are held, of any origin', () => {
    const cfg = config({ toxicCombinations: [{ privileges: ['p-pay-create', 'p-pay-approve'] }] });
    expect(assess(aUser(), ['p-pay-create'], cfg)).toMatchObject({ computedLevel: 'LOW', sodConflicts: [] });
    const mixed = assessUser(
      aUser(),
      [anAssignment({ privilegeId: 'p-pay-create', origin: 'RULE' }), anAssignment({ privilegeId: 'p-pay-approve', origin: 'INHERITED' })],
      privileges,
      cfg,
      DATE,
      NOW,
    );
    expect(mixed.sodConflicts).toHaveLength(1);
  });

  it('lists a DISABLED user holding access as orphaned, with what they hold; the level is computed as usual', () => {
    const user = aUser({ id: 'u-gone', status: 'DISABLED' });
    const a = assessUser(
      user,
      [anAssignment({ userId: 'u-gone', privilegeId: 'p-med' }), anAssignment({ userId: 'u-gone', privilegeId: 'p-low', origin: 'RULE' })],
      privileges,
      config(),
      DATE,
      NOW,
    );
    expect(a.userStatus).toBe('DISABLED');
    expect(a.computedLevel).toBe('MEDIUM');
    expect(a.orphanedAccess).toEqual({
      userId: 'u-gone',
      assignments: [
        { privilegeId: 'p-med', origin: 'MANUAL' },
        { privilegeId: 'p-low', origin: 'RULE' },
      ],
      assignmentCount: 2,
    });
    expect(assess(aUser({ status: 'DISABLED' }), []).orphanedAccess).toBeUndefined();
  });

  it('lists at most ORPHANED_ASSIGNMENTS_CAP assignments of a DISABLED user, the highest risk first, and counts them all', () => {
    const user = aUser({ id: 'u-gone', status: 'DISABLED' });
    const held = [...Array.from({ length: 5000 }, (_, i) => `p-x${String(i).padStart(4, '0')}`), 'p-med', 'p-crit'];
    const a = assess(user, held);
    expect(a.orphanedAccess!.assignmentCount).toBe(5002);
    expect(a.orphanedAccess!.assignments).toHaveLength(ORPHANED_ASSIGNMENTS_CAP);
    expect(a.orphanedAccess!.assignments.slice(0, 3).map((x) => x.privilegeId)).toEqual(['p-crit', 'p-med', 'p-x0000']);
    expect(a.privilegeCount).toBe(5002);
  });

  it('lists at most LIST_CAP conflicts of a user and counts them all', () => {
    const ids = Array.from({ length: 2 * (LIST_CAP + 10) }, (_, i) => `p-t${String(i).padStart(3, '0')}`);
    const toxicCombinations = Array.from({ length: LIST_CAP + 10 }, (_, i) => ({ privileges: [ids[2 * i]!, ids[2 * i + 1]!] as [string, string] }));
    const a = assess(aUser(), ids, config({ toxicCombinations }));
    expect(a.sodConflictCount).toBe(LIST_CAP + 10);
    expect(a.sodConflicts).toHaveLength(LIST_CAP);
    expect(a.level).toBe('CRITICAL');
    expect(a.reasons.at(-1)).toBe('and 10 more toxic combination(s): CRITICAL');
    const summary = addToRiskSummary(emptyRiskSummary(DATE, NOW), a);
    expect(summary.sodConflicts).toBe(LIST_CAP + 10);
  });

  describe('declared and computed levels combine: the higher one wins', () => {
    it('a freshly loaded user declares its riskLevel', () => {
      const user = aUser({ riskLevel: 'HIGH' });
      expect(declaredLevelOf(user)).toBe('HIGH');
      expect(assess(user, ['p-low'])).toMatchObject({ declaredLevel: 'HIGH', computedLevel: 'LOW', level: 'HIGH' });
      expect(assess(user, ['p-crit'])).toMatchObject({ declaredLevel: 'HIGH', computedLevel: 'CRITICAL', level: 'CRITICAL' });
    });

    it('an assessed user declares its declaredRiskLevel, not the riskLevel the last assessment raised', () => {
      const user = aUser({ riskLevel: 'CRITICAL', computedRiskLevel: 'CRITICAL', declaredRiskLevel: 'MEDIUM', riskAssessedAt: '2026-11-30T07:30:00.000Z' });
      expect(assess(user, ['p-low'])).toMatchObject({ declaredLevel: 'MEDIUM', computedLevel: 'LOW', level: 'MEDIUM' });
    });

    it('an assessed user without declaredRiskLevel declared nothing: the computed level alone', () => {
      const user = aUser({ riskLevel: 'CRITICAL', computedRiskLevel: 'CRITICAL', riskAssessedAt: '2026-11-30T07:30:00.000Z' });
      const a = assess(user, ['p-low']);
      expect(a.level).toBe('LOW');
      expect(a.declaredLevel).toBeUndefined();
    });
  });
});

describe('the day’s risk summary', () => {
  it('counts users per level and every conflict and orphan; lists are capped', () => {
    const cfg = config({ toxicCombinations: [{ privileges: ['p-pay-create', 'p-pay-approve'] }, { privileges: ['p-high-1', 'p-crit'] }] });
    const summary = emptyRiskSummary(DATE, NOW);
    // 60 users each holding both pairs: 120 conflicts; 60 disabled: 60 orphans.
    for (let i = 0; i < 60; i++) {
      const user = aUser({ id: `u-${String(i).padStart(2, '0')}`, status: 'DISABLED' });
      addToRiskSummary(summary, assess(user, ['p-pay-create', 'p-pay-approve', 'p-high-1', 'p-crit'], cfg));
    }
    addToRiskSummary(summary, assess(aUser({ id: 'u-low' }), []));
    expect(summary.users).toBe(61);
    expect(summary.usersByLevel).toEqual({ LOW: 1, MEDIUM: 0, HIGH: 0, CRITICAL: 60 });
    expect(summary.sodConflicts).toBe(120);
    expect(summary.sodConflictList).toHaveLength(LIST_CAP);
    expect(summary.orphanedAccess).toBe(60);
    expect(summary.orphanedAccessList).toHaveLength(LIST_CAP);
    expect(summary.orphanedAccessList[0]!.userId).toBe('u-00');
  });

  it('keeps each list within LIST_CHARS_CAP characters: with long ids it lists fewer users, the first ones, and counts all', () => {
    const summary = emptyRiskSummary(DATE, NOW);
    const held = Array.from({ length: 30 }, (_, i) => `p-${String(i).padStart(3, '0')}`.padEnd(256, 'x'));
    for (let i = 0; i < 60; i++) {
      const id = `u-${String(i).padStart(2, '0')}`.padEnd(256, 'x');
      addToRiskSummary(summary, assess(aUser({ id, status: 'DISABLED' }), held));
    }
    // A short entry after the list closed is not listed either: the list stays the first users.
    addToRiskSummary(summary, assess(aUser({ id: 'u-short', status: 'DISABLED' }), ['p-low']));
    expect(summary.orphanedAccess).toBe(61);
    expect(JSON.stringify(summary.orphanedAccessList).length).toBeLessThanOrEqual(LIST_CHARS_CAP);
    expect(summary.orphanedAccessList.length).toBeGreaterThan(10);
    expect(summary.orphanedAccessList.length).toBeLessThan(LIST_CAP);
    expect(summary.orphanedAccessList.map((o) => o.userId)).toEqual(
      Array.from({ length: summary.orphanedAccessList.length }, (_, i) => `u-${String(i).padStart(2, '0')}`.padEnd(256, 'x')),
    );
  });
});
