// Deterministic sample directories: a believable company for demos and integration tests, and a
// large flat one for the 100,000-assignment benchmark. Same seed, same directory: no Math.random, no clock.
import type { Assignment, Privilege, RiskLevel, User } from '../../lambdas/shared/domain/model.js';
import { RISK_LEVELS } from '../../lambdas/shared/domain/model.js';
import type { DirectoryFile } from '../../lambdas/shared/domain/schemas.js';

/** mulberry32: small, fast, good enough to pick names and dates. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Dice {
  constructor(readonly next: () => number) {}
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(values: readonly T[]): T {
    return values[Math.floor(this.next() * values.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  weighted<T>(entries: readonly (readonly [T, number])[]): T {
    const total = entries.reduce((s, [, w]) => s + w, 0);
    let r = this.next() * total;
    for (const [value, weight] of entries) {
      r -= weight;
      if (r < 0) return value;
    }
    return entries[entries.length - 1][0];
  }
  /** A midnight-UTC instant between two dates, as the schema normalises it. */
  date(from: string, to: string): string {
    const start = Date.parse(from) / 86_400_000;
    const end = Date.parse(to) / 86_400_000;
    return new Date(this.int(start, end) * 86_400_000).toISOString();
  }
}

export const SAMPLE_DEPARTMENTS = ['Finance', 'Engineering', 'Sales', 'HR', 'IT', 'Legal', 'Operations'] as const;
type Department = (typeof SAMPLE_DEPARTMENTS)[number];

/** Staff per department (managers and the VP come on top): ~240 people in all. */
const STAFF: Record<Department, number> = {
  Finance: 28,
  Engineering: 66,
  Sales: 42,
  HR: 13,
  IT: 24,
  Legal: 9,
  Operations: 26,
};
const STAFF_PER_MANAGER = 7;

const FIRST_NAMES = [
  'Ada', 'Alan', 'Amara', 'Ana', 'Arjun', 'Bea', 'Ben', 'Carla', 'Chen', 'Dana', 'David', 'Elena', 'Emeka', 'Eva',
  'Farah', 'Felix', 'Grace', 'Hana', 'Hugo', 'Ines', 'Ivan', 'Jonas', 'Julia', 'Kenji', 'Lara', 'Leo', 'Lina',
  'Marco', 'Maya', 'Mei', 'Nadia', 'Nils', 'Omar', 'Priya', 'Rafael', 'Rosa', 'Sam', 'Sofia', 'Tariq', 'Tom',
  'Uma', 'Victor', 'Yara', 'Yusuf', 'Zoe',
];
const LAST_NAMES = [
  'Adeyemi', 'Almeida', 'Berg', 'Brown', 'Costa', 'Dubois', 'Eriksen', 'Fischer', 'Garcia', 'Haddad', 'Ito',
  'Jansen', 'Kowalski', 'Kumar', 'Larsen', 'Lopez', 'Martin', 'Meyer', 'Moreau', 'Nakamura', 'Novak', 'Okafor',
  'Olsen', 'Patel', 'Rossi', 'Santos', 'Schmidt', 'Silva', 'Tanaka', 'Virtanen', 'Wagner', 'Wang', 'Weber',
  'Yilmaz', 'Zhang',
];
const LOCATIONS = ['Berlin', 'London', 'New York', 'Singapore', 'Lisbon'];
const PROJECTS = ['apollo', 'hermes', 'atlas', 'zephyr'];

interface PrivilegeSpec {
  name: string;
  riskLevel: RiskLevel;
  /** Department that owns and mostly uses it; undefined: company-wide. */
  department?: Department;
  application: string;
  /** How the privilege is usually held. */
  grant: 'MANUAL' | 'RULE' | 'INHERITED';
  /** Parameter a manual assignment carries, e.g. the project of a repository write. */
  parameter?: 'project' | 'account';
  /** Orphaned: nobody owns it, so a PRIVILEGE campaign meets NO_APPROVER. */
  ownerless?: boolean;
}

const PRIVILEGES: PrivilegeSpec[] = [
  { name: 'FinanceAdmin', riskLevel: 'CRITICAL', department: 'Finance', application: 'SAP', grant: 'MANUAL' },
  { name: 'SAP-GL-Posting', riskLevel: 'HIGH', department: 'Finance', application: 'SAP', grant: 'MANUAL' },
  { name: 'SAP-AP-Invoice-Approve', riskLevel: 'HIGH', department: 'Finance', application: 'SAP', grant: 'MANUAL' },
  { name: 'SAP-Reporting-Read', riskLevel: 'LOW', department: 'Finance', application: 'SAP', grant: 'INHERITED' },
  { name: 'Treasury-Payments-Release', riskLevel: 'CRITICAL', department: 'Finance', application: 'Kyriba', grant: 'MANUAL' },
  { name: 'Expense-Approver', riskLevel: 'MEDIUM', department: 'Finance', application: 'Concur', grant: 'MANUAL' },
  { name: 'Payroll-Export', riskLevel: 'HIGH', department: 'Finance', application: 'Workday', grant: 'MANUAL' },
  { name: 'GitHub-Org-Owner', riskLevel: 'CRITICAL', department: 'Engineering', application: 'GitHub', grant: 'MANUAL' },
  { name: 'GitHub-Repo-Write', riskLevel: 'MEDIUM', department: 'Engineering', application: 'GitHub', grant: 'MANUAL', parameter: 'project' },
  { name: 'GitHub-Read', riskLevel: 'LOW', department: 'Engineering', application: 'GitHub', grant: 'INHERITED' },
  { name: 'AWS-Prod-Admin', riskLevel: 'CRITICAL', department: 'Engineering', application: 'AWS', grant: 'MANUAL' },
  { name: 'AWS-Prod-ReadOnly', riskLevel: 'MEDIUM', department: 'Engineering', application: 'AWS', grant: 'MANUAL' },
  { name: 'AWS-Dev-PowerUser', riskLevel: 'MEDIUM', department: 'Engineering', application: 'AWS', grant: 'MANUAL', parameter: 'account' },
  { name: 'Jenkins-Deploy-Prod', riskLevel: 'HIGH', department: 'Engineering', application: 'Jenkins', grant: 'MANUAL' },
  { name: 'Kubernetes-Prod-Operator', riskLevel: 'HIGH', department: 'Engineering', application: 'EKS', grant: 'MANUAL' },
  { name: 'Datadog-Read', riskLevel: 'LOW', department: 'Engineering', application: 'Datadog', grant: 'MANUAL' },
  { name: 'Salesforce-User', riskLevel: 'LOW', department: 'Sales', application: 'Salesforce', grant: 'INHERITED' },
  { name: 'Salesforce-Admin', riskLevel: 'HIGH', department: 'Sales', application: 'Salesforce', grant: 'MANUAL' },
  { name: 'CPQ-Discount-Approver', riskLevel: 'MEDIUM', department: 'Sales', application: 'Salesforce', grant: 'MANUAL' },
  { name: 'HubSpot-Marketing', riskLevel: 'LOW', department: 'Sales', application: 'HubSpot', grant: 'MANUAL' },
  { name: 'Workday-HR-Partner', riskLevel: 'HIGH', department: 'HR', application: 'Workday', grant: 'MANUAL' },
  { name: 'Workday-Compensation-Admin', riskLevel: 'CRITICAL', department: 'HR', application: 'Workday', grant: 'MANUAL' },
  { name: 'Greenhouse-Recruiter', riskLevel: 'MEDIUM', department: 'HR', application: 'Greenhouse', grant: 'MANUAL' },
  { name: 'Okta-Super-Admin', riskLevel: 'CRITICAL', department: 'IT', application: 'Okta', grant: 'MANUAL' },
  { name: 'ActiveDirectory-Domain-Admin', riskLevel: 'CRITICAL', department: 'IT', application: 'Active Directory', grant: 'MANUAL' },
  { name: 'ServiceNow-Agent', riskLevel: 'LOW', department: 'IT', application: 'ServiceNow', grant: 'INHERITED' },
  { name: 'ServiceNow-Admin', riskLevel: 'HIGH', department: 'IT', application: 'ServiceNow', grant: 'MANUAL' },
  { name: 'Jamf-Admin', riskLevel: 'HIGH', department: 'IT', application: 'Jamf', grant: 'MANUAL' },
  { name: 'Legal-Hold-Admin', riskLevel: 'HIGH', department: 'Legal', application: 'Relativity', grant: 'MANUAL' },
  { name: 'ContractSafe-Editor', riskLevel: 'MEDIUM', department: 'Legal', application: 'ContractSafe', grant: 'MANUAL' },
  { name: 'Procurement-PO-Approver', riskLevel: 'HIGH', department: 'Operations', application: 'Coupa', grant: 'MANUAL' },
  { name: 'Warehouse-WMS-Supervisor', riskLevel: 'MEDIUM', department: 'Operations', application: 'Manhattan WMS', grant: 'MANUAL' },
  { name: 'Fleet-Tracking-Read', riskLevel: 'LOW', department: 'Operations', application: 'Samsara', grant: 'INHERITED' },
  { name: 'Office365-E3', riskLevel: 'LOW', application: 'Microsoft 365', grant: 'RULE' },
  { name: 'VPN-Access', riskLevel: 'LOW', application: 'GlobalProtect', grant: 'MANUAL' },
  { name: 'Slack-Workspace-Admin', riskLevel: 'HIGH', department: 'IT', application: 'Slack', grant: 'MANUAL' },
  { name: 'Confluence-Space-Admin', riskLevel: 'MEDIUM', department: 'IT', application: 'Confluence', grant: 'MANUAL' },
  { name: 'Legacy-FTP-Upload', riskLevel: 'MEDIUM', department: 'Operations', application: 'FTP', grant: 'MANUAL', ownerless: true },
  { name: 'Shared-Drive-Finance-Archive', riskLevel: 'HIGH', department: 'Finance', application: 'SharePoint', grant: 'MANUAL', ownerless: true },
];

/** How often a manual privilege is drawn: everyday access is common, admin rights rare. */
const POPULARITY: Record<RiskLevel, number> = { LOW: 8, MEDIUM: 5, HIGH: 2, CRITICAL: 1 };
const MANUAL_TARGET = 860;

const privilegeId = (name: string) => name.toLowerCase();
const userId = (n: number) => `u-${String(n).padStart(4, '0')}`;

/**
 * A company of ~240 people in seven departments with a CEO → VP → manager → staff hierarchy,
 * ~39 privileges and ~1,300 assignments of every origin.
 */
export function generateSampleOrganization(seed = 42): DirectoryFile {
  const dice = new Dice(seededRandom(seed));
  const users: User[] = [];
  const usedEmails = new Set<string>();

  const person = (role: 'CEO' | 'VP' | 'MANAGER' | 'STAFF', department: Department, managerId?: string): User => {
    const first = dice.pick(FIRST_NAMES);
    const last = dice.pick(LAST_NAMES);
    let local = `${first}.${last}`.toLowerCase();
    for (let n = 2; usedEmails.has(local); n++) local = `${first}.${last}${n}`.toLowerCase();
    usedEmails.add(local);
    const title = { CEO: 'Chief Executive Officer', VP: `VP ${department}`, MANAGER: `${department} Manager`, STAFF: `${department} Specialist` }[role];
    const riskLevel: RiskLevel =
      role === 'STAFF'
        ? dice.weighted(department === 'Finance' ? ([['LOW', 40], ['MEDIUM', 30], ['HIGH', 20], ['CRITICAL', 10]] as const) : ([['LOW', 60], ['MEDIUM', 30], ['HIGH', 8], ['CRITICAL', 2]] as const))
        : dice.weighted([['LOW', 30], ['MEDIUM', 50], ['HIGH', 20]] as const);
    const user: User = {
      id: userId(users.length + 1),
      displayName: `${first} ${last}`,
      email: `${local}@example.com`,
      department,
      status: 'ACTIVE',
      riskLevel,
      attributes: {
        title,
        location: dice.pick(LOCATIONS),
        employeeType: role === 'STAFF' && dice.chance(0.1) ? 'CONTRACTOR' : 'EMPLOYEE',
        costCenter: `CC-${1000 + SAMPLE_DEPARTMENTS.indexOf(department) * 100}`,
      },
    };
    if (managerId) user.managerId = managerId;
    users.push(user);
    return user;
  };

  const ceo = person('CEO', 'Operations');
  const leaders = new Map<Department, { vp: User; managers: User[]; staff: User[] }>();
  for (const department of SAMPLE_DEPARTMENTS) {
    const vp = person('VP', department, ceo.id);
    const managers: User[] = [];
    const staff: User[] = [];
    const teams = Math.ceil(STAFF[department] / STAFF_PER_MANAGER);
    for (let t = 0; t < teams; t++) managers.push(person('MANAGER', department, vp.id));
    for (let s = 0; s < STAFF[department]; s++) staff.push(person('STAFF', department, managers[s % teams].id));
    leaders.set(department, { vp, managers, staff });
  }

  // Guarantees that hold for every seed: Finance carries high risk, every level is present.
  const finance = leaders.get('Finance')!.staff;
  for (let i = 0; finance.filter(isHighRisk).length < 8; i++) finance[i].riskLevel = i % 3 === 0 ? 'CRITICAL' : 'HIGH';
  const allStaff = [...leaders.values()].flatMap((d) => d.staff);
  for (let i = allStaff.length - 1; users.filter((u) => u.riskLevel === 'CRITICAL').length < 4; i -= 5) allStaff[i].riskLevel = 'CRITICAL';
  // Outside Finance, so this cannot undo the Finance guarantee above.
  for (const level of RISK_LEVELS) {
    if (!users.some((u) => u.riskLevel === level)) allStaff[STAFF.Finance + RISK_LEVELS.indexOf(level)].riskLevel = level;
  }
  // Leavers whose access lingers: the case a certification exists for. Staff only, so nobody reports to them.
  for (let i = 0; i < 5; i++) allStaff[11 + i * 37].status = 'DISABLED';

  const privileges: Privilege[] = PRIVILEGES.map((spec) => {
    const owners: string[] = [];
    if (!spec.ownerless) {
      const dept = leaders.get(spec.department ?? 'IT')!;
      // Admin rights belong to the VP; everyday access to a team manager; some have a deputy.
      owners.push(spec.riskLevel === 'CRITICAL' ? dept.vp.id : dice.pick(dept.managers).id);
      if (dice.chance(0.35)) {
        const deputy = dice.pick(dept.managers).id;
        if (!owners.includes(deputy)) owners.push(deputy);
      }
    }
    return {
      id: privilegeId(spec.name),
      name: spec.name,
      ownerIds: owners,
      riskLevel: spec.riskLevel,
      attributes: { application: spec.application, ...(spec.department ? { department: spec.department } : {}) },
    };
  });
  const specById = new Map(PRIVILEGES.map((spec) => [privilegeId(spec.name), spec]));
  const managerOf = new Map(users.map((u) => [u.id, u.managerId]));

  const assignments: Assignment[] = [];
  const held = new Set<string>();
  const assign = (user: User, id: string, origin: Assignment['origin']): Assignment | undefined => {
    const key = `${user.id}/${id}`;
    if (held.has(key)) return undefined;
    held.add(key);
    const assignment: Assignment = { userId: user.id, privilegeId: id, origin };
    if (origin === 'MANUAL') {
      const spec = specById.get(id)!;
      assignment.approvedAt = dice.date('2023-01-01', '2026-06-30');
      const approver = managerOf.get(user.id) ?? privileges.find((p) => p.id === id)!.ownerIds[0];
      if (approver) assignment.approvedBy = approver;
      if (dice.chance(0.1)) assignment.endDate = dice.date('2026-09-01', '2027-12-31');
      if (spec.parameter === 'project') assignment.parameters = { project: dice.pick(PROJECTS) };
      if (spec.parameter === 'account') assignment.parameters = { account: `dev-${dice.pick(PROJECTS)}` };
    }
    assignments.push(assignment);
    return assignment;
  };

  // Birthright access: by rule for everyone, inherited from the department role.
  for (const user of users) {
    for (const spec of PRIVILEGES) {
      if (spec.grant === 'RULE') assign(user, privilegeId(spec.name), 'RULE');
      if (spec.grant === 'INHERITED' && spec.department === user.department) assign(user, privilegeId(spec.name), 'INHERITED');
    }
  }

  // The self-review case: the owner of FinanceAdmin holds it manually, and so does one Finance manager.
  const financeAdmin = privileges.find((p) => p.name === 'FinanceAdmin')!;
  assign(users.find((u) => u.id === financeAdmin.ownerIds[0])!, financeAdmin.id, 'MANUAL');
  // Ownerless privileges still have holders, so a PRIVILEGE campaign on them has work and no approver.
  for (const spec of PRIVILEGES.filter((s) => s.ownerless)) {
    const pool = leaders.get(spec.department!)!.staff;
    for (let i = 0; i < 4; i++) assign(pool[(i * 5) % pool.length], privilegeId(spec.name), 'MANUAL');
  }

  // Everyday manual access: mostly the department's own applications, sometimes another's.
  const manualSpecs = PRIVILEGES.filter((s) => s.grant === 'MANUAL' && !s.ownerless);
  const weightedFor = (department: Department | undefined, own: boolean) =>
    manualSpecs
      .filter((s) => (own ? s.department === department || !s.department : s.department !== department))
      .map((s) => [privilegeId(s.name), POPULARITY[s.riskLevel]] as const);
  const ownChoices = new Map(SAMPLE_DEPARTMENTS.map((d) => [d, weightedFor(d, true)]));
  const otherChoices = new Map(SAMPLE_DEPARTMENTS.map((d) => [d, weightedFor(d, false)]));
  let manual = assignments.filter((a) => a.origin === 'MANUAL').length;
  while (manual < MANUAL_TARGET) {
    const user = dice.pick(users);
    const department = user.department as Department;
    const choices = dice.chance(0.85) ? ownChoices.get(department)! : otherChoices.get(department)!;
    if (assign(user, dice.weighted(choices), 'MANUAL')) manual++;
  }

  return { users, privileges, assignments };
}

const isHighRisk = (u: User) => u.riskLevel === 'HIGH' || u.riskLevel === 'CRITICAL';

export interface BenchOrganizationOptions {
  /** Exact number of MANUAL assignments. */
  assignments: number;
  /** Manual assignments per user (the last user may hold fewer). */
  perUser?: number;
  seed?: number;
}

const BENCH_REPORTS_PER_MANAGER = 50;

/**
 * A flat organisation for load tests: one head, managers under it, and staff with `perUser` manual
 * assignments each, every staff member with a manager. Linear in the number of assignments.
 */
export function generateBenchOrganization(options: BenchOrganizationOptions): DirectoryFile {
  const { assignments: total, perUser = 25, seed = 7 } = options;
  if (!Number.isInteger(total) || total < 0) throw new RangeError('assignments must be a whole number ≥ 0');
  if (!Number.isInteger(perUser) || perUser < 1) throw new RangeError('perUser must be a whole number ≥ 1');
  const dice = new Dice(seededRandom(seed));

  const staffCount = Math.ceil(total / perUser);
  const managerCount = Math.max(1, Math.ceil(staffCount / BENCH_REPORTS_PER_MANAGER));
  const privilegeCount = Math.max(perUser * 4, 100);
  const pad = (n: number, width: number) => String(n).padStart(width, '0');
  const width = String(Math.max(staffCount, managerCount, privilegeCount)).length;

  const head: User = { id: 'bench-head', displayName: 'Bench Head', email: 'bench.head@example.com', department: 'Operations', status: 'ACTIVE', riskLevel: 'LOW' };
  const users: User[] = [head];
  for (let m = 0; m < managerCount; m++) {
    const id = `bench-m-${pad(m, width)}`;
    users.push({ id, displayName: `Bench Manager ${m}`, email: `${id}@example.com`, managerId: head.id, department: SAMPLE_DEPARTMENTS[m % SAMPLE_DEPARTMENTS.length], status: 'ACTIVE', riskLevel: 'MEDIUM' });
  }
  const privileges: Privilege[] = [];
  for (let p = 0; p < privilegeCount; p++) {
    privileges.push({
      id: `bench-p-${pad(p, width)}`,
      name: `Bench-Privilege-${p}`,
      ownerIds: [users[1 + (p % managerCount)].id],
      riskLevel: RISK_LEVELS[p % RISK_LEVELS.length],
    });
  }

  const assignments: Assignment[] = [];
  for (let s = 0; s < staffCount; s++) {
    const id = `bench-u-${pad(s, width)}`;
    const manager = users[1 + Math.floor(s / BENCH_REPORTS_PER_MANAGER)];
    users.push({
      id,
      displayName: `Bench User ${s}`,
      email: `${id}@example.com`,
      managerId: manager.id,
      department: manager.department,
      status: 'ACTIVE',
      riskLevel: dice.weighted([['LOW', 60], ['MEDIUM', 28], ['HIGH', 9], ['CRITICAL', 3]] as const),
    });
    // A window of consecutive privileges from a random start: distinct without a lookup.
    const start = dice.int(0, privilegeCount - 1);
    const count = Math.min(perUser, total - assignments.length);
    for (let k = 0; k < count; k++) {
      assignments.push({
        userId: id,
        privilegeId: privileges[(start + k) % privilegeCount].id,
        origin: 'MANUAL',
        approvedAt: '2025-01-01T00:00:00.000Z',
        approvedBy: manager.id,
      });
    }
  }
  return { users, privileges, assignments };
}

/**
 * The operations configuration the demo loads with the sample organisation (`idgov config load`
 * input: what it leaves out keeps its default). Its toxic combination is one the organisation
 * violates (a test holds that), and the controller's schedule is the demo's: once a day at 06:00.
 */
export const SAMPLE_OPERATIONS_CONFIG = {
  version: 1,
  risk: {
    toxicCombinations: [
      {
        privileges: ['sap-gl-posting', 'sap-ap-invoice-approve'],
        reason: 'whoever approves supplier invoices must not also post them to the general ledger',
      },
    ],
  },
  schedules: { 'campaign-controller': { kind: 'daily', hour: 6, minute: 0 } },
  recipients: ['finance-controls@example.com'],
};
