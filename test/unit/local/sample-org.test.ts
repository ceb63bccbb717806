import { describe, expect, it } from 'vitest';
import { ORIGINS, RISK_LEVELS } from '../../../lambdas/shared/domain/model.js';
import { directoryFileSchema, parseInput } from '../../../lambdas/shared/domain/schemas.js';
import { checkReferences } from '../../../src/local/directory-file.js';
import { generateBenchOrganization, generateSampleOrganization, SAMPLE_DEPARTMENTS, SAMPLE_OPERATIONS_CONFIG } from '../../../src/local/sample-org.js';

const org = generateSampleOrganization();
const highRisk = (level: string | undefined) => level === 'HIGH' || level === 'CRITICAL';

describe('generateSampleOrganization', () => {
  it('is a valid directory with no dangling references', () => {
    // Parsing must not change anything: the generator already writes what the schema would store.
    expect(parseInput(directoryFileSchema, org)).toEqual(org);
    expect(() => checkReferences(org)).not.toThrow();
  });

  it('has at least 200 users in the seven departments under one CEO', () => {
    expect(org.users.length).toBeGreaterThanOrEqual(200);
    expect(new Set(org.users.map((u) => u.department))).toEqual(new Set(SAMPLE_DEPARTMENTS));
    const roots = org.users.filter((u) => u.managerId === undefined);
    expect(roots).toHaveLength(1);
    const ceo = roots[0];
    const vps = org.users.filter((u) => u.managerId === ceo.id);
    expect(vps.length).toBeGreaterThanOrEqual(SAMPLE_DEPARTMENTS.length);
    // Three levels under the CEO: somebody reports to somebody who reports to a VP.
    const vpIds = new Set(vps.map((u) => u.id));
    const managers = org.users.filter((u) => u.managerId !== undefined && vpIds.has(u.managerId));
    const managerIds = new Set(managers.map((u) => u.id));
    expect(org.users.some((u) => u.managerId !== undefined && managerIds.has(u.managerId))).toBe(true);
  });

  it('has a manager hierarchy without cycles', () => {
    const managerOf = new Map(org.users.map((u) => [u.id, u.managerId]));
    for (const user of org.users) {
      let depth = 0;
      for (let id: string | undefined = user.id; id !== undefined; id = managerOf.get(id)) {
        expect(++depth).toBeLessThan(10);
      }
    }
  });

  it('has disabled users, and nobody reports to one', () => {
    const disabled = org.users.filter((u) => u.status === 'DISABLED');
    expect(disabled.length).toBeGreaterThanOrEqual(2);
    const disabledIds = new Set(disabled.map((u) => u.id));
    expect(org.users.filter((u) => u.managerId && disabledIds.has(u.managerId))).toEqual([]);
  });

  it('has user risk levels of all four kinds, mostly low or medium, and high risk in Finance', () => {
    const levels = org.users.map((u) => u.riskLevel);
    for (const level of RISK_LEVELS) expect(levels).toContain(level);
    expect(levels.filter((l) => l === 'LOW' || l === 'MEDIUM').length).toBeGreaterThan(org.users.length / 2);
    expect(levels.filter((l) => l === 'CRITICAL').length).toBeLessThan(levels.filter((l) => l === 'HIGH').length);
    const financeHigh = org.users.filter((u) => u.department === 'Finance' && highRisk(u.riskLevel));
    expect(financeHigh.length).toBeGreaterThanOrEqual(8);
  });

  it('has at least 30 privileges with realistic names, every risk level, one or two owners or none', () => {
    expect(org.privileges.length).toBeGreaterThanOrEqual(30);
    const names = org.privileges.map((p) => p.name);
    expect(names).toEqual(expect.arrayContaining(['FinanceAdmin', 'AWS-Prod-ReadOnly', 'SAP-GL-Posting', 'GitHub-Org-Owner']));
    for (const level of RISK_LEVELS) expect(org.privileges.some((p) => p.riskLevel === level)).toBe(true);
    const ownerless = org.privileges.filter((p) => p.ownerIds.length === 0);
    expect(ownerless.length).toBeGreaterThanOrEqual(2);
    for (const p of org.privileges.filter((p) => p.ownerIds.length > 0)) expect(p.ownerIds.length).toBeLessThanOrEqual(2);
    // An ownerless privilege still has manual holders, so a PRIVILEGE campaign meets NO_APPROVER.
    for (const p of ownerless) {
      expect(org.assignments.some((a) => a.privilegeId === p.id && a.origin === 'MANUAL')).toBe(true);
    }
  });

  it('has at least 1,000 assignments of every origin, mostly manual, some with end dates and parameters', () => {
    expect(org.assignments.length).toBeGreaterThanOrEqual(1000);
    const byOrigin = Object.fromEntries(ORIGINS.map((o) => [o, org.assignments.filter((a) => a.origin === o).length]));
    for (const origin of ORIGINS) expect(byOrigin[origin]).toBeGreaterThan(0);
    expect(byOrigin.MANUAL).toBeGreaterThan(org.assignments.length / 2);
    expect(org.assignments.some((a) => a.endDate !== undefined)).toBe(true);
    expect(org.assignments.some((a) => a.parameters?.project !== undefined)).toBe(true);
    // Only manual assignments carry an approval.
    expect(org.assignments.filter((a) => a.origin !== 'MANUAL' && a.approvedBy !== undefined)).toEqual([]);
  });

  it('has a privilege owner holding their own privilege manually', () => {
    const selfHeld = org.privileges.filter((p) =>
      org.assignments.some((a) => a.origin === 'MANUAL' && a.privilegeId === p.id && p.ownerIds.includes(a.userId)),
    );
    expect(selfHeld.map((p) => p.name)).toContain('FinanceAdmin');
  });

  it('gives the daily report something to find: the demo\'s toxic pair held together, and disabled users with manual access', () => {
    const held = (userId: string) => new Set(org.assignments.filter((a) => a.userId === userId).map((a) => a.privilegeId));
    const [pair] = SAMPLE_OPERATIONS_CONFIG.risk.toxicCombinations;
    expect(pair.privileges.every((id) => org.privileges.some((p) => p.id === id))).toBe(true);
    const conflicted = org.users.filter((u) => pair.privileges.every((id) => held(u.id).has(id)));
    expect(conflicted.length).toBeGreaterThanOrEqual(1);
    // Orphaned access an emergency revoke can remove: manual assignments of disabled users.
    const disabledWithManual = org.users.filter(
      (u) => u.status === 'DISABLED' && org.assignments.some((a) => a.userId === u.id && a.origin === 'MANUAL'),
    );
    expect(disabledWithManual.length).toBeGreaterThanOrEqual(1);
  });

  it('is deterministic for a seed and differs for another', () => {
    expect(generateSampleOrganization(42)).toEqual(org);
    const other = generateSampleOrganization(7);
    expect(other).not.toEqual(org);
    expect(() => checkReferences(parseInput(directoryFileSchema, other))).not.toThrow();
    const financeHigh = other.users.filter((u) => u.department === 'Finance' && highRisk(u.riskLevel));
    expect(financeHigh.length).toBeGreaterThanOrEqual(8);
  });
});

describe('generateBenchOrganization', () => {
  it('has exactly the requested number of manual assignments, perUser each', () => {
    const bench = generateBenchOrganization({ assignments: 1003, perUser: 10 });
    expect(bench.assignments).toHaveLength(1003);
    expect(bench.assignments.every((a) => a.origin === 'MANUAL')).toBe(true);
    const perUser = new Map<string, number>();
    for (const a of bench.assignments) perUser.set(a.userId, (perUser.get(a.userId) ?? 0) + 1);
    expect(perUser.size).toBe(101);
    expect([...perUser.values()].filter((n) => n !== 10)).toEqual([3]);
    expect(parseInput(directoryFileSchema, bench)).toEqual(bench);
    expect(() => checkReferences(bench)).not.toThrow();
  });

  it('gives every assignment holder a manager and defaults to 25 per user', () => {
    const bench = generateBenchOrganization({ assignments: 100_000 });
    expect(bench.assignments).toHaveLength(100_000);
    const holders = new Set(bench.assignments.map((a) => a.userId));
    expect(holders.size).toBe(4000);
    const users = new Map(bench.users.map((u) => [u.id, u]));
    for (const id of holders) {
      const managerId = users.get(id)?.managerId;
      expect(managerId !== undefined && users.has(managerId)).toBe(true);
    }
    expect(new Set(bench.assignments.map((a) => `${a.userId}/${a.privilegeId}`)).size).toBe(100_000);
    expect(() => checkReferences(bench)).not.toThrow();
  });

  it('is deterministic for a seed', () => {
    expect(generateBenchOrganization({ assignments: 500, seed: 3 })).toEqual(generateBenchOrganization({ assignments: 500, seed: 3 }));
    expect(generateBenchOrganization({ assignments: 500, seed: 3 })).not.toEqual(generateBenchOrganization({ assignments: 500, seed: 4 }));
  });
});
