// The one environment reader of the functions: each function's environment module declares its
// variables with zod, read once at cold start; a missing or malformed one fails loudly, naming it.
import * as z from 'zod';
import { ENV } from '../config/tables.js';
import { ValidationError } from '../domain/errors.js';
import { type DeployedSchedules, parseDeployedSchedules } from '../domain/operations-config.js';

/** A function's environment: each field's variable name and the schema of its value. */
export type EnvironmentSpec = Record<string, { variable: string; schema: z.ZodType }>;

/** What every function that reads the stores and links to the approver portal declares alike. */
export const STORES_AND_PORTAL_ENVIRONMENT = {
  directoryTable: { variable: ENV.directoryTable, schema: z.string() },
  campaignTable: { variable: ENV.campaignTable, schema: z.string() },
  /** The audit log every one of these functions appends to. */
  auditTable: { variable: ENV.auditTable, schema: z.string() },
  approverPortalUrl: { variable: ENV.approverPortalUrl, schema: z.url('must be a URL') },
} satisfies EnvironmentSpec;

export type EnvironmentOf<S extends EnvironmentSpec> = { [K in keyof S]: z.output<S[K]['schema']> };

/**
 * Reads the variables `spec` names from `env` (an empty value counts as unset, as CloudFormation
 * leaves an empty parameter), or throws a ValidationError naming every bad variable and its problem.
 */
export function readEnvironment<S extends EnvironmentSpec>(spec: S, env: NodeJS.ProcessEnv = process.env): EnvironmentOf<S> {
  const fields = Object.entries(spec);
  const raw = Object.fromEntries(fields.map(([field, { variable }]) => [field, env[variable] === '' ? undefined : env[variable]]));
  const result = z.object(Object.fromEntries(fields.map(([field, { schema }]) => [field, schema]))).safeParse(raw);
  if (result.success) return result.data as EnvironmentOf<S>;
  const issues = result.error.issues.map((issue) => {
    const field = String(issue.path[0]);
    // Zod leaves the input out of its issues: whether the variable was set is the raw value's to say.
    return { field: spec[field]?.variable ?? field, message: raw[field] === undefined ? 'must be set' : issue.message };
  });
  throw new ValidationError(`environment: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`, undefined, issues);
}

const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/;

/** A comma-separated list of email addresses; unset or empty is an empty list. */
export const emailList = z
  .string()
  .optional()
  .transform((text, ctx) => {
    const addresses = (text ?? '')
      .split(',')
      .map((address) => address.trim())
      .filter(Boolean);
    for (const address of addresses) {
      if (!z.email().safeParse(address).success) ctx.addIssue({ code: 'custom', message: `"${address}" is not an email address` });
    }
    return addresses;
  });

/**
 * A JSON object of component name → the name of an AWS resource (a function, a queue), e.g.
 * `{"daily-operations":"IdGovStateless-DailyOperations-AbC"}`; `{}` when there is none.
 */
export function jsonNameMap(what: { one: string; many: string }, pattern: RegExp) {
  return z.string().transform((text, ctx): Record<string, string> => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = undefined;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      ctx.addIssue({ code: 'custom', message: `must be a JSON object of names to ${what.many}` });
      return z.NEVER;
    }
    for (const [name, resource] of Object.entries(value)) {
      if (!name.trim()) ctx.addIssue({ code: 'custom', message: 'a name must not be empty' });
      if (typeof resource !== 'string' || !pattern.test(resource)) ctx.addIssue({ code: 'custom', message: `"${name}" must be ${what.one}` });
    }
    return value as Record<string, string>;
  });
}

/** The operations table, and how the daily report and the weekly summary are delivered. */
export const REPORT_DELIVERY_ENVIRONMENT = {
  operationsTable: { variable: ENV.operationsTable, schema: z.string() },
  operationsTopicArn: { variable: ENV.operationsTopicArn, schema: z.string().regex(SNS_TOPIC_ARN, 'must be an SNS topic ARN') },
  operationsRecipients: { variable: ENV.operationsRecipients, schema: emailList },
  senderAddress: { variable: ENV.senderAddress, schema: z.email('must be an email address') },
  sesConfigurationSet: { variable: ENV.sesConfigurationSet, schema: z.string().optional() },
} satisfies EnvironmentSpec;

/**
 * The deployed schedules of the operations and re-approval jobs as JSON (`{"risk-assessment":{"kind":"daily",
 * "hour":7,"minute":30},…}`). Unset outside Lambda: the configuration's schedules apply.
 */
const jobSchedules = z
  .string()
  .optional()
  .transform((text, ctx): DeployedSchedules | undefined => {
    if (text === undefined) return undefined;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON object of job names to schedules' });
      return z.NEVER;
    }
    try {
      return parseDeployedSchedules(value);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      for (const issue of error.issues) ctx.addIssue({ code: 'custom', message: `${issue.field}: ${issue.message}` });
      return z.NEVER;
    }
  });

/** The deployed schedules (JOB_SCHEDULES): the daily report's heartbeat check and the weekly summary's week use them. */
export const JOB_SCHEDULES_ENVIRONMENT = {
  jobSchedules: { variable: ENV.jobSchedules, schema: jobSchedules },
};
