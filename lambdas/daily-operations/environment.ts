// The daily operations job's environment (set by lib/constructs/operations-jobs.ts and AppFunction):
// the tables it reads, where the report goes, and what health measures.
import * as z from 'zod';
import { ENV } from '../shared/config/tables.js';
import { JOB_SCHEDULES_ENVIRONMENT, jsonNameMap, readEnvironment, REPORT_DELIVERY_ENVIRONMENT } from '../shared/adapters/environment.js';

/** A Lambda function's name (not its ARN): the FunctionName dimension of its metrics. */
const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;
/** An SQS queue's name (not its URL or ARN): the QueueName dimension of its metrics. */
const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}(\.fifo)?$/;

/**
 * Lambda's own variable: the function cannot name itself in its environment (a circular reference
 * in the template), so its health adds itself under 'daily-operations' from here.
 */
const OWN_FUNCTION_NAME = 'AWS_LAMBDA_FUNCTION_NAME';

const DAILY_OPERATIONS_ENVIRONMENT = {
  directoryTable: { variable: ENV.directoryTable, schema: z.string() },
  campaignTable: { variable: ENV.campaignTable, schema: z.string() },
  ...REPORT_DELIVERY_ENVIRONMENT,
  monitoredFunctions: { variable: ENV.monitoredFunctions, schema: jsonNameMap({ one: 'a Lambda function name', many: 'Lambda function names' }, FUNCTION_NAME) },
  monitoredQueues: { variable: ENV.monitoredQueues, schema: jsonNameMap({ one: 'an SQS queue name', many: 'SQS queue names' }, QUEUE_NAME) },
  ...JOB_SCHEDULES_ENVIRONMENT,
  /** Unset outside Lambda (the local runtime measures no function). */
  ownFunctionName: { variable: OWN_FUNCTION_NAME, schema: z.string().regex(FUNCTION_NAME, 'must be a Lambda function name').optional() },
};

export type DailyOperationsEnvironment = ReturnType<typeof readDailyOperationsEnvironment>;

export function readDailyOperationsEnvironment(env: NodeJS.ProcessEnv = process.env) {
  return readEnvironment(DAILY_OPERATIONS_ENVIRONMENT, env);
}
