// The operations configuration file (docs/reference/operations.md, "Configuration"): what an
// operator tunes without a code change. Every field is optional; what a file leaves out keeps its
// default (DEFAULT_OPERATIONS_CONFIG), a list given replaces the default list, and an unknown field
// or a bad value is refused with its dotted path (`risk.toxicCombinations.0.privileges`).
import * as z from 'zod';
import { DEFAULT_OPERATIONS_CONFIG as D, type JobName, type JobSchedule, type OperationsConfig } from './operations.js';
import { parseInput } from './schemas.js';

const wholeNumber = (min: number, max: number) =>
  z.number().int('must be a whole number').min(min, `must be at least ${min}`).max(max, `must be at most ${max}`);
const percent = z.number().min(0, 'must be at least 0').max(100, 'must be at most 100');
const privilegeId = z.string().trim().min(1, 'must not be empty').max(256, 'must be at most 256 characters');

const toxicCombination = z.strictObject({
  privileges: z
    .tuple([privilegeId, privilegeId], { error: 'must be two privilege ids' })
    .refine(([a, b]) => a !== b, 'must name two different privileges'),
  reason: z.string().max(500, 'must be at most 500 characters').optional(),
});

const hour = wholeNumber(0, 23);
const minute = wholeNumber(0, 59);
const scheduleSchema = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({ kind: z.literal('hourly') }),
    z.strictObject({ kind: z.literal('daily'), hour, minute }),
    z.strictObject({ kind: z.literal('weekly'), weekday: wholeNumber(0, 6), hour, minute }),
  ],
  { error: 'must have kind hourly, daily or weekly' },
);

const scheduleOf = (job: JobName) => scheduleSchema.default(D.schedules[job]);
const schedules: Record<JobName, ReturnType<typeof scheduleOf>> = {
  'campaign-controller': scheduleOf('campaign-controller'),
  'risk-assessment': scheduleOf('risk-assessment'),
  'daily-operations': scheduleOf('daily-operations'),
  'weekly-summary': scheduleOf('weekly-summary'),
  'initialize-reapproval': scheduleOf('initialize-reapproval'),
  'start-reapproval': scheduleOf('start-reapproval'),
};

/**
 * The jobs whose schedules are a deployment setting (CDK context `idgov:schedules`, which builds
 * their cron rules; the daily-operations function gets them as JOB_SCHEDULES for its heartbeat
 * check). The controller's hourly rate is not one.
 */
export const DEPLOYED_SCHEDULE_JOBS = [
  'risk-assessment',
  'daily-operations',
  'weekly-summary',
  'initialize-reapproval',
  'start-reapproval',
] as const satisfies readonly JobName[];
export type DeployedScheduleJob = (typeof DEPLOYED_SCHEDULE_JOBS)[number];
export type DeployedSchedules = Record<DeployedScheduleJob, JobSchedule>;

/** Partial: a job left out keeps its default schedule; an unknown job or a bad schedule is refused with its path. */
const deployedSchedulesSchema = z.strictObject({
  'risk-assessment': schedules['risk-assessment'],
  'daily-operations': schedules['daily-operations'],
  'weekly-summary': schedules['weekly-summary'],
  'initialize-reapproval': schedules['initialize-reapproval'],
  'start-reapproval': schedules['start-reapproval'],
});

/**
 * The deployed schedules from a partial object (`{"risk-assessment": {"kind": "daily", "hour": 6,
 * "minute": 0}}`); absent is all defaults. Throws a ValidationError naming each bad field
 * (`risk-assessment.hour`).
 */
export function parseDeployedSchedules(input: unknown): DeployedSchedules {
  return structuredClone(parseInput(deployedSchedulesSchema, input ?? {})) as DeployedSchedules;
}

/**
 * The rules of one list are tried in order and the first match wins: a rule an earlier one always
 * pre-empts could never apply, which is a mistake in the file, so it is refused.
 */
function refuseShadowedRules<K extends string>(key: K, earlierWins: (earlier: number, later: number) => boolean) {
  return (rules: ({ [k in K]: number } & { penalty: number })[], ctx: z.RefinementCtx) => {
    rules.forEach((rule, i) => {
      const shadow = rules.slice(0, i).findIndex((earlier) => earlierWins(earlier[key], rule[key]));
      if (shadow !== -1) {
        ctx.addIssue({
          code: 'custom',
          path: [i, key],
          message: `never applies: rule ${shadow} (${key} ${rules[shadow]![key]}) matches first; list the strictest rule first`,
        });
      }
    });
  };
}

const certificationRule = z.strictObject({ below: wholeNumber(0, 1_000_000), penalty: percent });
const highRiskUserRule = z.strictObject({ above: wholeNumber(0, 1_000_000), penalty: percent });

/**
 * When a reviewer is flagged as a rubber stamp (docs/reference/reports.md); each field defaults on
 * its own. Also what the report commands' threshold options are checked against.
 */
export const reviewerAnalyticsSchema = z.strictObject({
  minItems: wholeNumber(1, 1_000_000).default(D.reviewerAnalytics.minItems),
  minApproveRate: z.number().min(0, 'must be at least 0').max(1, 'must be at most 1 (a rate: 1 is 100 %)').default(D.reviewerAnalytics.minApproveRate),
  maxMedianSeconds: z.number().min(0, 'must be at least 0').max(86_400, 'must be at most 86400').default(D.reviewerAnalytics.maxMedianSeconds),
  sessionBreakMinutes: z.number().gt(0, 'must be more than 0').max(24 * 60, 'must be at most 1440').default(D.reviewerAnalytics.sessionBreakMinutes),
});

/**
 * The file's schema. Output is a complete OperationsConfig: objects absent from the input are
 * parsed from `{}` (prefault), so each of their fields takes its own default.
 */
export const operationsConfigSchema = z.strictObject({
  version: z.literal(1, 'must be 1').default(1),
  risk: z
    .strictObject({
      maxHighRiskPrivileges: wholeNumber(0, 10_000).default(D.risk.maxHighRiskPrivileges),
      toxicCombinations: z
        .array(toxicCombination)
        .max(1000)
        .superRefine((pairs, ctx) => {
          const seen = new Map<string, number>();
          pairs.forEach(({ privileges }, i) => {
            const key = [...privileges].sort().join('\n');
            if (seen.has(key)) ctx.addIssue({ code: 'custom', path: [i, 'privileges'], message: `repeats combination ${seen.get(key)}` });
            else seen.set(key, i);
          });
        })
        .default(D.risk.toxicCombinations),
      retentionDays: wholeNumber(1, 3650).default(D.risk.retentionDays),
    })
    .prefault({}),
  certification: z
    .strictObject({ completionRateThreshold: percent.default(D.certification.completionRateThreshold) })
    .prefault({}),
  compliance: z
    .strictObject({
      compliantAt: percent.default(D.compliance.compliantAt),
      certificationRules: z
        .array(certificationRule)
        .max(20)
        .superRefine(refuseShadowedRules('below', (earlier, later) => earlier >= later))
        .default(D.compliance.certificationRules),
      highRiskUserRules: z
        .array(highRiskUserRule)
        .max(20)
        .superRefine(refuseShadowedRules('above', (earlier, later) => earlier <= later))
        .default(D.compliance.highRiskUserRules),
    })
    .prefault({}),
  recommendations: z
    .strictObject({ highRiskUsersAbove: wholeNumber(0, 1_000_000).default(D.recommendations.highRiskUsersAbove) })
    .prefault({}),
  health: z.strictObject({ heartbeatGraceMinutes: wholeNumber(0, 7 * 24 * 60).default(D.health.heartbeatGraceMinutes) }).prefault({}),
  schedules: z.strictObject(schedules).prefault({}),
  recipients: z
    .array(z.email('must be an email address'))
    .max(50)
    .refine((list) => new Set(list.map((r) => r.toLowerCase())).size === list.length, 'must not repeat an address')
    .default(D.recipients),
  reportRetentionDays: wholeNumber(1, 3650).default(D.reportRetentionDays),
  reviewerAnalytics: reviewerAnalyticsSchema.prefault({}),
});

// The schema's output is exactly the configuration type (a compile-time check, no run-time cost).
type Parsed = z.output<typeof operationsConfigSchema>;
const _sameShape: [Parsed extends OperationsConfig ? true : false, OperationsConfig extends Parsed ? true : false] = [true, true];
void _sameShape;

/**
 * A configuration file's content (partial) merged over the defaults. Throws a ValidationError
 * naming every bad field; nothing is half-applied.
 */
export function parseOperationsConfig(input: unknown): OperationsConfig {
  // Defaults are shared objects: hand out copies so no caller can change them.
  return structuredClone(parseInput(operationsConfigSchema, input)) as OperationsConfig;
}
