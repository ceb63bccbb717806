// The environments of the daily operations functions: each reads exactly its variables, and a
// missing or malformed one is refused naming the variable (and, in a list or map, the bad element).
import { describe, expect, it } from 'vitest';
import { readDailyOperationsEnvironment } from '../../../lambdas/daily-operations/environment.js';
import { readEmergencyAccessEnvironment } from '../../../lambdas/emergency-access/environment.js';
import { readRiskAssessmentEnvironment } from '../../../lambdas/risk-assessment/environment.js';
import { readWeeklySummaryEnvironment } from '../../../lambdas/weekly-summary/environment.js';
import { ValidationError } from '../../../lambdas/shared/domain/errors.js';

const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:IdGovStateless-OperationsTopic-1A2B3C';

const DAILY = {
  DIRECTORY_TABLE_NAME: 'idgov-directory',
  CAMPAIGN_TABLE_NAME: 'idgov-campaigns',
  OPERATIONS_TABLE_NAME: 'idgov-operations',
  OPERATIONS_TOPIC_ARN: TOPIC,
  OPERATIONS_RECIPIENTS: 'ops@example.com, lead@example.com',
  SENDER_ADDRESS: 'governance@example.com',
  SES_CONFIGURATION_SET: 'idgov-mail',
  MONITORED_FUNCTIONS: JSON.stringify({ 'campaign-controller': 'IdGovStateless-CampaignControllerFunction-AbC123', 'approver-api': 'idgov-approver-api' }),
  MONITORED_QUEUES: JSON.stringify({ 'daily-operations': 'IdGovStateless-DailyOperationsDlq-XyZ', 'approver-api': 'idgov-dlq.fifo' }),
};

/** The `variable: message` pairs of the ValidationError `read` throws. */
function refusal(read: () => unknown): string[] {
  try {
    read();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toMatch(/^environment: /);
    return (error as ValidationError).issues.map((i) => `${i.field}: ${i.message}`);
  }
  throw new Error('accepted');
}

describe('the daily operations environment', () => {
  it('reads the tables, the delivery and the monitored functions and queues', () => {
    expect(readDailyOperationsEnvironment(DAILY)).toEqual({
      directoryTable: 'idgov-directory',
      campaignTable: 'idgov-campaigns',
      operationsTable: 'idgov-operations',
      operationsTopicArn: TOPIC,
      operationsRecipients: ['ops@example.com', 'lead@example.com'],
      senderAddress: 'governance@example.com',
      sesConfigurationSet: 'idgov-mail',
      monitoredFunctions: { 'campaign-controller': 'IdGovStateless-CampaignControllerFunction-AbC123', 'approver-api': 'idgov-approver-api' },
      monitoredQueues: { 'daily-operations': 'IdGovStateless-DailyOperationsDlq-XyZ', 'approver-api': 'idgov-dlq.fifo' },
      jobSchedules: undefined,
      ownFunctionName: undefined,
    });
  });

  it('reads the deployed schedules (JOB_SCHEDULES), a job left out keeping its default', () => {
    const env = readDailyOperationsEnvironment({ ...DAILY, JOB_SCHEDULES: JSON.stringify({ 'weekly-summary': { kind: 'weekly', weekday: 5, hour: 16, minute: 0 } }) });
    expect(env.jobSchedules).toEqual({
      'risk-assessment': { kind: 'daily', hour: 7, minute: 30 },
      'daily-operations': { kind: 'daily', hour: 8, minute: 0 },
      'weekly-summary': { kind: 'weekly', weekday: 5, hour: 16, minute: 0 },
      'initialize-reapproval': { kind: 'daily', hour: 5, minute: 0 },
      'start-reapproval': { kind: 'daily', hour: 6, minute: 0 },
    });
  });

  it("reads its own function's name from Lambda's AWS_LAMBDA_FUNCTION_NAME (it cannot name itself in the template)", () => {
    const env = readDailyOperationsEnvironment({ ...DAILY, AWS_LAMBDA_FUNCTION_NAME: 'IdGovStateless-DailyOperationsFunction-AbC' });
    expect(env.ownFunctionName).toBe('IdGovStateless-DailyOperationsFunction-AbC');
  });

  it('takes no recipients (empty or unset) as none, and {} as nothing monitored', () => {
    for (const recipients of ['', undefined, ' , ']) {
      const env = readDailyOperationsEnvironment({ ...DAILY, OPERATIONS_RECIPIENTS: recipients, MONITORED_QUEUES: '{}', SES_CONFIGURATION_SET: '' });
      expect(env).toMatchObject({ operationsRecipients: [], monitoredQueues: {}, sesConfigurationSet: undefined });
    }
  });

  it('names each missing variable', () => {
    expect(refusal(() => readDailyOperationsEnvironment({}))).toEqual([
      'DIRECTORY_TABLE_NAME: must be set',
      'CAMPAIGN_TABLE_NAME: must be set',
      'OPERATIONS_TABLE_NAME: must be set',
      'OPERATIONS_TOPIC_ARN: must be set',
      'SENDER_ADDRESS: must be set',
      'MONITORED_FUNCTIONS: must be set',
      'MONITORED_QUEUES: must be set',
    ]);
  });

  it.each([
    ['OPERATIONS_TOPIC_ARN', 'IdGovStateless-OperationsTopic', 'must be an SNS topic ARN'],
    ['OPERATIONS_TOPIC_ARN', 'arn:aws:sqs:eu-west-1:123456789012:idgov-dlq', 'must be an SNS topic ARN'],
    ['OPERATIONS_RECIPIENTS', 'ops@example.com, bob', '"bob" is not an email address'],
    ['OPERATIONS_RECIPIENTS', 'ops@example.com; lead@example.com', '"ops@example.com; lead@example.com" is not an email address'],
    ['SENDER_ADDRESS', 'governance', 'must be an email address'],
    ['MONITORED_FUNCTIONS', 'campaign-controller=idgov-controller', 'must be a JSON object of names to Lambda function names'],
    ['MONITORED_FUNCTIONS', '["idgov-controller"]', 'must be a JSON object of names to Lambda function names'],
    ['MONITORED_FUNCTIONS', '{"campaign-controller":"arn:aws:lambda:eu-west-1:123456789012:function:idgov"}', '"campaign-controller" must be a Lambda function name'],
    ['MONITORED_FUNCTIONS', '{"campaign-controller":""}', '"campaign-controller" must be a Lambda function name'],
    ['MONITORED_QUEUES', '{"daily-operations":"https://sqs.eu-west-1.amazonaws.com/123456789012/idgov-dlq"}', '"daily-operations" must be an SQS queue name'],
    ['MONITORED_QUEUES', '{"":"idgov-dlq"}', 'a name must not be empty'],
    ['JOB_SCHEDULES', 'daily', 'must be a JSON object of job names to schedules'],
    ['JOB_SCHEDULES', '{"risk-assessment":{"kind":"daily","hour":24,"minute":0}}', 'risk-assessment.hour: must be at most 23'],
    ['JOB_SCHEDULES', '{"campaign-controller":{"kind":"hourly"}}', 'campaign-controller: unknown field'],
  ])('refuses %s=%s naming the variable', (variable, value, message) => {
    expect(refusal(() => readDailyOperationsEnvironment({ ...DAILY, [variable]: value }))).toEqual([`${variable}: ${message}`]);
  });
});

describe('the weekly summary environment', () => {
  it('reads the operations table and the delivery, nothing else', () => {
    expect(readWeeklySummaryEnvironment({ ...DAILY, OPERATIONS_RECIPIENTS: 'ops@example.com' })).toEqual({
      operationsTable: 'idgov-operations',
      operationsTopicArn: TOPIC,
      operationsRecipients: ['ops@example.com'],
      senderAddress: 'governance@example.com',
      sesConfigurationSet: 'idgov-mail',
    });
  });

  it('names a bad variable', () => {
    expect(refusal(() => readWeeklySummaryEnvironment({ ...DAILY, OPERATIONS_TABLE_NAME: '', OPERATIONS_RECIPIENTS: 'ops' }))).toEqual([
      'OPERATIONS_TABLE_NAME: must be set',
      'OPERATIONS_RECIPIENTS: "ops" is not an email address',
    ]);
  });
});

describe('the risk assessment and emergency access environments', () => {
  it('risk assessment reads the directory and operations tables, and names a missing one', () => {
    expect(readRiskAssessmentEnvironment(DAILY)).toEqual({ directoryTable: 'idgov-directory', operationsTable: 'idgov-operations' });
    expect(refusal(() => readRiskAssessmentEnvironment({ DIRECTORY_TABLE_NAME: 'idgov-directory' }))).toEqual(['OPERATIONS_TABLE_NAME: must be set']);
  });

  it('emergency access reads the directory, operations and audit tables, and names a missing one', () => {
    const env = { ...DAILY, AUDIT_TABLE_NAME: 'idgov-audit' };
    expect(readEmergencyAccessEnvironment(env)).toEqual({ directoryTable: 'idgov-directory', operationsTable: 'idgov-operations', auditTable: 'idgov-audit' });
    expect(refusal(() => readEmergencyAccessEnvironment({ DIRECTORY_TABLE_NAME: 'idgov-directory' }))).toEqual([
      'OPERATIONS_TABLE_NAME: must be set',
      'AUDIT_TABLE_NAME: must be set',
    ]);
  });
});
