// The daily operations job's environment (set by lib/constructs/operations-jobs.ts and AppFunction):
// the tables it reads, where the report goes, and what health measures.
import * as z from 'zod';
import { ENV } from '../shared/config/tables.js';
import { ValidationError } from '../shared/domain/errors.js';
import { type DeployedSchedules, parseDeployedSchedules } from '../shared/domain/operations-config.js';
import { jsonNameMap, readEnvironment, REPORT_DELIVERY_ENVIRONMENT } from '../shared/adapters/environment.js';

/** A Lambda function's name (not its ARN): the FunctionName dimension of its metrics. */
const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;
/** An SQS queue's name (not its URL or ARN): the QueueName dimension of its metrics. */
const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}(\.fifo)?$/;

/**
 * Lambda's own variable: the function cannot name itself in its environment (a circular reference
 * in the template), so its health adds itself under 'daily-operations' from here.
 */
const OWN_FUNCTION_NAME = 'AWS_LAMBDA_FUNCTION_NAME';

/**
 * The deployed schedules of the three operations jobs as JSON (`{"risk-assessment":{"kind":"daily",
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

const DAILY_OPERATIONS_ENVIRONMENT = {
  directoryTable: { variable: ENV.directoryTable, schema: z.string() },
  campaignTable: { variable: ENV.campaignTable, schema: z.string() },
  ...REPORT_DELIVERY_ENVIRONMENT,
  monitoredFunctions: { variable: ENV.monitoredFunctions, schema: jsonNameMap({ one: 'a Lambda function name', many: 'Lambda function names' }, FUNCTION_NAME) },
  monitoredQueues: { variable: ENV.monitoredQueues, schema: jsonNameMap({ one: 'an SQS queue name', many: 'SQS queue names' }, QUEUE_NAME) },
  jobSchedules: { variable: ENV.jobSchedules, schema: jobSchedules },
  /** Unset outside Lambda (the local runtime measures no function). */
  ownFunctionName: { variable: OWN_FUNCTION_NAME, schema: z.string().regex(FUNCTION_NAME, 'must be a Lambda function name').optional() },
};

export type DailyOperationsEnvironment = ReturnType<typeof readDailyOperationsEnvironment>;

export function readDailyOperationsEnvironment(env: NodeJS.ProcessEnv = process.env) {
  return readEnvironment(DAILY_OPERATIONS_ENVIRONMENT, env);
}
