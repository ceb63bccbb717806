// The daily report's figures on a small dataset computed by hand, the compliance formula at every
// threshold, health from probe components and heartbeats, and the recommendations.
import { describe, expect, it } from 'vitest';
import {
  certificationDates,
  complianceScore,
  composeDailyReport,
  emptyEntryTally,
  heartbeatComponent,
  overallHealth,
  recommendationsFor,
  tallyEntries,
} from '../../../lambdas/shared/domain/daily-report.js';
import type { EntryState } from '../../../lambdas/shared/domain/model.js';
import {
  DEFAULT_OPERATIONS_CONFIG,
  type DailyReport,
  type HealthComponent,
  type JobHeartbeat,
  type JobRun,
  type RiskSummary,
} from '../../../lambdas/shared/domain/operations.js';
import { anEntry } from '../../support/fixtures.js';

const NOW = new Date('2026-12-01T08:00:00.000Z');
const config = DEFAULT_OPERATIONS_CONFIG;

const entry = (id: string, state: EntryState, dueDate = '2026-12-05T00:00:00.000Z') => anEntry({ id, state, dueDate });

// The entries of the two RUNNING campaigns, by hand:
//   e1 RUNNING due 12-05 (not overdue)          e5 FAILED.EXPIRED (overdue)
//   e2 RUNNING due 11-30 (overdue: before now)  e6 FAILED.PREPARE
//   e3 APPROVAL.FINISHED (certified)            e7 FINISHED (certified)
//   e4 FINISHED (certified)                     e8 RUNNING due exactly now (not overdue: not before now)
// total 8; certified 3 → completion 3 ÷ 8 = 37.5 %; overdue e2 + e5 = 2.
const PAGE_1 = [entry('e1', 'RUNNING'), entry('e2', 'RUNNING', '2026-11-30T00:00:00.000Z'), entry('e3', 'APPROVAL.FINISHED'), entry('e4', 'FINISHED')];
const PAGE_2 = [entry('e5', 'FAILED.EXPIRED'), entry('e6', 'FAILED.PREPARE'), entry('e7', 'FINISHED'), entry('e8', 'RUNNING', NOW.toISOString())];

// 8 users: LOW 3, MEDIUM 2, HIGH 2, CRITICAL 1 → HIGH/CRITICAL 3 → share 3 ÷ 8 = 37.5 %; one SoD conflict.
const SUMMARY: RiskSummary = {
  date: '2026-12-01',
  assessedAt: '2026-12-01T07:30:00.000Z',
  users: 8,
  usersByLevel: { LOW: 3, MEDIUM: 2, HIGH: 2, CRITICAL: 1 },
  sodConflicts: 1,
  sodConflictList: [{ userId: 'u-carol', privileges: ['p-pay-create', 'p-pay-approve'] }],
  orphanedAccess: 0,
  orphanedAccessList: [],
};

const healthy: DailyReport['health'] = { status: 'HEALTHY', source: 'local', components: [{ name: 'table:campaigns', status: 'HEALTHY' }] };

describe('composeDailyReport on a dataset computed by hand', () => {
  const tally = tallyEntries(tallyEntries(emptyEntryTally(), PAGE_1, NOW), PAGE_2, NOW);
  const report = composeDailyReport(
    { now: NOW, tally, entriesDecided24h: 4, activeCampaigns: 2, certificationsLast30Days: 15, riskSummary: SUMMARY, health: healthy },
    config,
  );

  it('dates the report and its 24-hour window', () => {
    expect(report.date).toBe('2026-12-01');
    expect(report.window).toEqual({ from: '2026-11-30T08:00:00.000Z', to: '2026-12-01T08:00:00.000Z' });
    expect(report.generatedAt).toBe(NOW.toISOString());
  });

  it('counts the certification status', () => {
    expect(report.certification).toEqual({
      entriesByState: { RUNNING: 3, 'APPROVAL.FINISHED': 1, 'FAILED.PREPARE': 1, 'FAILED.EXPIRED': 1, 'FAILED.APPLIED.CHANGES': 0, FINISHED: 2 },
      entriesDecided24h: 4,
      completionRate: 37.5,
      overdueEntries: 2,
      activeCampaigns: 2,
    });
  });

  it('summarises the risk', () => {
    expect(report.risk).toMatchObject({ assessedOn: '2026-12-01', usersByLevel: SUMMARY.usersByLevel, highRiskShare: 37.5, sodConflicts: 1, orphanedAccess: 0 });
  });

  it('scores compliance: 100 − 10 (15 certifications, fewer than 20) − 5 (3 HIGH/CRITICAL users, more than 0) = 85', () => {
    expect(report.compliance).toMatchObject({ score: 85, status: 'COMPLIANT', certificationsLast30Days: 15, highRiskUsers: 3 });
    expect(report.compliance.deductions).toEqual([
      { reason: '15 certifications in the last 30 days, fewer than 20', points: 10 },
      { reason: '3 HIGH/CRITICAL users, more than 0', points: 5 },
    ]);
  });

  it('recommends removing the conflict first, then reminders (37.5 % < 80 %)', () => {
    expect(report.recommendations.map((r) => r.severity)).toEqual(['CRITICAL', 'WARNING']);
    expect(report.recommendations[0]!.text).toContain('u-carol: p-pay-create + p-pay-approve');
    expect(report.recommendations[1]!.text).toBe('Completion rate is 37.5%, below 80%: send reminders to the approvers of the 3 open entries.');
  });

  it('rounds to one decimal: 1 certified of 3 is 33.3 %', () => {
    const t = tallyEntries(emptyEntryTally(), [entry('a', 'FINISHED'), entry('b', 'RUNNING'), entry('c', 'RUNNING')], NOW);
    expect(composeDailyReport({ now: NOW, tally: t, entriesDecided24h: 0, activeCampaigns: 1, certificationsLast30Days: 0, riskSummary: undefined, health: healthy }, config).certification.completionRate).toBe(33.3);
  });

  it('with no entry at all, completion is 100 (nothing waits) and without an assessment the risk is empty', () => {
    const empty = composeDailyReport(
      { now: NOW, tally: emptyEntryTally(), entriesDecided24h: 0, activeCampaigns: 0, certificationsLast30Days: 20, riskSummary: undefined, health: healthy },
      config,
    );
    expect(empty.certification.completionRate).toBe(100);
    expect(empty.risk).toEqual({
      usersByLevel: { LOW: 0, MEDIUM: 0, HIGH: 0, CRITICAL: 0 },
      highRiskShare: 0,
      sodConflicts: 0,
      orphanedAccess: 0,
      sodConflictList: [],
      orphanedAccessList: [],
    });
    expect(empty.compliance.score).toBe(100);
    expect(empty.recommendations).toEqual([{ severity: 'WARNING', text: expect.stringContaining('No risk assessment in the last 7 days') }]);
  });
});

describe('complianceScore at every threshold (defaults)', () => {
  it.each([
    // certifications: fewer than 10 → −20; else fewer than 20 → −10
    [9, 0, 80, 'COMPLIANT'],
    [10, 0, 90, 'COMPLIANT'],
    [19, 0, 90, 'COMPLIANT'],
    [20, 0, 100, 'COMPLIANT'],
    // HIGH/CRITICAL users: more than 10 → −30; else more than 5 → −15; else more than 0 → −5
    [20, 1, 95, 'COMPLIANT'],
    [20, 5, 95, 'COMPLIANT'],
    [20, 6, 85, 'COMPLIANT'],
    [20, 10, 85, 'COMPLIANT'],
    [20, 11, 70, 'NON_COMPLIANT'],
    // both
    [9, 1, 75, 'NON_COMPLIANT'],
    [19, 6, 75, 'NON_COMPLIANT'],
    [9, 11, 50, 'NON_COMPLIANT'],
    [0, 1000, 50, 'NON_COMPLIANT'],
  ])('%i certifications, %i HIGH/CRITICAL users → %i %s', (certifications, highRisk, score, status) => {
    const result = complianceScore(config.compliance, certifications, highRisk);
    expect(result.score).toBe(score);
    expect(result.status).toBe(status);
    expect(result.deductions.reduce((sum, d) => sum + d.points, 0)).toBe(100 - score);
  });

  it('is COMPLIANT exactly at compliantAt and not one below', () => {
    const compliance = { ...config.compliance, compliantAt: 85 };
    expect(complianceScore(compliance, 19, 1).status).toBe('COMPLIANT'); // 100 − 10 − 5 = 85
    expect(complianceScore(compliance, 9, 0).status).toBe('NON_COMPLIANT'); // 80
  });

  it('never goes below 0', () => {
    const compliance = { compliantAt: 80, certificationRules: [{ below: 10, penalty: 70 }], highRiskUserRules: [{ above: 0, penalty: 70 }] };
    expect(complianceScore(compliance, 0, 1).score).toBe(0);
  });

  it('states the formula with the configured numbers', () => {
    const compliance = { compliantAt: 75, certificationRules: [{ below: 5, penalty: 25 }], highRiskUserRules: [{ above: 2, penalty: 40 }] };
    expect(complianceScore(compliance, 10, 0).formula).toBe(
      'score = 100 − certification penalty − high-risk penalty, floor 0. Certifications in the last 30 days: fewer than 5 → −25. HIGH/CRITICAL users: more than 2 → −40. COMPLIANT at 75 or above.',
    );
    expect(complianceScore(config.compliance, 0, 0).formula).toContain('fewer than 10 → −20, else fewer than 20 → −10');
  });
});

describe('certificationDates', () => {
  it('are the 30 dates ending today', () => {
    const dates = certificationDates('2026-12-01');
    expect(dates).toHaveLength(30);
    expect(dates[0]).toBe('2026-11-02');
    expect(dates.at(-1)).toBe('2026-12-01');
  });
});

const run = (scheduledFor: string, outcome: JobRun['outcome'] = 'SUCCEEDED', error?: string): JobRun => ({
  job: 'risk-assessment',
  runId: `r-${scheduledFor}`,
  scheduledFor,
  startedAt: scheduledFor,
  endedAt: scheduledFor,
  outcome,
  ...(error ? { error } : {}),
});
const beat = (completed?: string, last?: JobRun): JobHeartbeat => ({
  job: 'risk-assessment',
  ...(completed ? { lastCompleted: run(completed) } : {}),
  ...(last || completed ? { lastRun: last ?? run(completed!) } : {}),
});

describe('heartbeatComponent (grace 90 minutes)', () => {
  const daily = config.schedules['risk-assessment']; // daily at 07:30
  const check = (heartbeat: JobHeartbeat | undefined, now: string, deployedAt?: string) =>
    heartbeatComponent('risk-assessment', heartbeat, daily, new Date(now), 90, deployedAt ? new Date(deployedAt) : undefined);

  it('is HEALTHY when the run the schedule expected completed', () => {
    // At 08:00 the 07:30 run of today is still within its grace; yesterday's is the one expected.
    const component = check(beat('2026-11-30T07:30:00.000Z'), '2026-12-01T08:00:00.000Z');
    expect(component).toMatchObject({ name: 'heartbeat:risk-assessment', status: 'HEALTHY' });
    expect(component.details).toMatchObject({ expectedBy: '2026-11-30T07:30:00.000Z', lastCompleted: '2026-11-30T07:30:00.000Z' });
  });

  it('gives a run its grace: today’s 07:30 run is not missed at 08:59, and is at 09:00', () => {
    expect(check(beat('2026-11-30T07:30:00.000Z'), '2026-12-01T08:59:59.999Z').status).toBe('HEALTHY');
    const missed = check(beat('2026-11-30T07:30:00.000Z'), '2026-12-01T09:00:00.000Z');
    expect(missed.status).toBe('DEGRADED');
    expect(missed.reason).toBe(
      'risk-assessment has not completed a run since 2026-11-30T07:30:00.000Z; its schedule (daily at 07:30 UTC) expected one at 2026-12-01T07:30:00.000Z',
    );
  });

  it('is DEGRADED on a missed day, and says the latest run failed and why', () => {
    const component = check(beat('2026-11-29T07:30:00.000Z', run('2026-11-30T07:30:00.000Z', 'FAILED', 'directory unreachable')), '2026-12-01T08:00:00.000Z');
    expect(component.status).toBe('DEGRADED');
    expect(component.reason).toContain('has not completed a run since 2026-11-29T07:30:00.000Z');
    expect(component.reason).toContain('its latest run (2026-11-30T07:30:00.000Z) FAILED: directory unreachable');
  });

  it('checks an hourly job against the hour before now − grace', () => {
    const hourly = { kind: 'hourly' } as const;
    const at = (completed: string) => heartbeatComponent('campaign-controller', beat(completed), hourly, new Date('2026-12-01T12:00:00.000Z'), 90).status;
    expect(at('2026-12-01T09:30:00.000Z')).toBe('HEALTHY');
    expect(at('2026-12-01T09:29:59.999Z')).toBe('DEGRADED');
  });

  it('a job that never completed a run is DEGRADED, unless nothing was due since the deployment', () => {
    expect(check(undefined, '2026-12-01T08:00:00.000Z')).toMatchObject({
      status: 'DEGRADED',
      reason: 'risk-assessment never ran to completion; its schedule (daily at 07:30 UTC) expected a run at 2026-11-30T07:30:00.000Z',
    });
    expect(check(undefined, '2026-12-01T08:00:00.000Z', '2026-11-30T12:00:00.000Z').status).toBe('HEALTHY');
    expect(check(undefined, '2026-12-01T08:00:00.000Z', '2026-11-29T12:00:00.000Z').status).toBe('DEGRADED');
  });
});

describe('overallHealth', () => {
  const ok: HealthComponent = { name: 'heartbeat:daily-operations', status: 'HEALTHY' };
  it('is HEALTHY when every component is', () => {
    expect(overallHealth('cloudwatch', [ok, { name: 'function:campaign-controller', status: 'HEALTHY' }])).toEqual({
      status: 'HEALTHY',
      source: 'cloudwatch',
      components: [ok, { name: 'function:campaign-controller', status: 'HEALTHY' }],
    });
  });
  it('is DEGRADED when a probe component is', () => {
    const errors: HealthComponent = { name: 'function:campaign-controller', status: 'DEGRADED', reason: '3 errors, 0 throttles in 24 h' };
    expect(overallHealth('cloudwatch', [ok, errors]).status).toBe('DEGRADED');
  });
});

describe('recommendationsFor', () => {
  const base = composeDailyReport(
    { now: NOW, tally: emptyEntryTally(), entriesDecided24h: 0, activeCampaigns: 0, certificationsLast30Days: 20, riskSummary: { ...SUMMARY, usersByLevel: { LOW: 8, MEDIUM: 0, HIGH: 0, CRITICAL: 0 }, sodConflicts: 0, sodConflictList: [] }, health: healthy },
    config,
  );
  const recommend = (change: Partial<DailyReport>) => recommendationsFor({ ...base, ...change }, config, '2026-12-01');

  it('says no action is needed when nothing applies', () => {
    expect(recommend({})).toEqual([{ severity: 'INFO', text: 'No action needed.' }]);
  });

  it('asks to review and remediate when more than 5 users are HIGH/CRITICAL, not at 5', () => {
    const risk = (high: number) => ({ ...base.risk, usersByLevel: { LOW: 0, MEDIUM: 0, HIGH: high, CRITICAL: 0 } });
    expect(recommend({ risk: risk(5) })).toEqual([{ severity: 'INFO', text: 'No action needed.' }]);
    expect(recommend({ risk: risk(6) })).toEqual([
      { severity: 'CRITICAL', text: '6 users are at HIGH or CRITICAL risk (more than 5): review their access and remediate now.' },
    ]);
  });

  it('names the degraded components', () => {
    const health = overallHealth('local', [{ name: 'heartbeat:risk-assessment', status: 'DEGRADED', reason: 'risk-assessment never ran' }, { name: 'table:campaigns', status: 'HEALTHY' }]);
    expect(recommend({ health })).toEqual([{ severity: 'CRITICAL', text: 'Health is DEGRADED: check heartbeat:risk-assessment (risk-assessment never ran).' }]);
  });

  it('asks to review the processes below compliantAt', () => {
    const compliance = complianceScore(config.compliance, 9, 1); // 75
    expect(recommend({ compliance }).map((r) => r.text)).toContain('Compliance score 75 is below 80: review the certification and risk processes.');
  });

  it('lists orphaned access with the emergency revoke command', () => {
    const risk = { ...base.risk, orphanedAccess: 7, orphanedAccessList: [{ userId: 'u-gone', assignments: [{ privilegeId: 'p-a', origin: 'MANUAL' }] }] };
    const [r] = recommend({ risk });
    expect(r!.severity).toBe('CRITICAL');
    expect(r!.text).toContain('7 disabled user(s) still hold access (u-gone, and 6 more)');
    expect(r!.text).toContain('idgov emergency revoke --user U --reason TEXT');
  });

  it('warns that an assessment from an earlier day is stale', () => {
    expect(recommend({ risk: { ...base.risk, assessedOn: '2026-11-29' } })).toEqual([
      { severity: 'WARNING', text: 'The latest risk assessment is from 2026-11-29, not today: the risk figures may be stale; run the risk-assessment job.' },
    ]);
  });
});
