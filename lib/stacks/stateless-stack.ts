import {
  Aws,
  CfnCondition,
  CfnOutput,
  CfnParameter,
  CrossStackReferences,
  Fn,
  ReferenceStrength,
  Stack,
  type StackProps,
  Token,
} from 'aws-cdk-lib';
import type { IDistribution } from 'aws-cdk-lib/aws-cloudfront';
import type { IUserPool, IUserPoolClient } from 'aws-cdk-lib/aws-cognito';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Bucket, type IBucket } from 'aws-cdk-lib/aws-s3';
import { type CfnSubscription, type ITopic, Subscription, SubscriptionProtocol } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { JobName } from '../../lambdas/shared/domain/operations.js';
import { allowAdministratorsToInvoke } from '../constructs/administrators-policy.js';
import type { AppFunction } from '../constructs/app-function.js';
import { ApproverApi } from '../constructs/approver-api.js';
import { PORTAL_SCOPES, userPoolIssuer } from '../constructs/approver-identity.js';
import { ApproverPortalContent } from '../constructs/approver-portal.js';
import { CampaignController } from '../constructs/campaign-controller.js';
import { EvidenceArchiver, ReportChartsFunction } from '../constructs/evidence-archiver.js';
import { importEvidenceArchive } from '../constructs/evidence-store.js';
import type { ScheduledJob } from '../constructs/scheduled-job.js';
import { OperationsAlarms } from '../constructs/operations-alarms.js';
import { AUTOMATION_DOCUMENTS, AUTOMATION_OUTPUTS, OperationsAutomation } from '../constructs/operations-automation.js';
import { OPERATIONS_DASHBOARD_NAME, OperationsDashboard } from '../constructs/operations-dashboard.js';
import { addOperationsJobs, type OperationsJobs } from '../constructs/operations-jobs.js';
import { addReapprovalJobs, type ReapprovalJobs } from '../constructs/reapproval-jobs.js';
import { STATELESS_OUTPUTS, stackNames } from '../stack-outputs.js';

// The output keys are defined with the stack names in lib/stack-outputs.ts, which the CLI reads too.
export { STATELESS_OUTPUTS };
import { tagComponent } from './tags.js';

export interface StatelessStackProps extends StackProps {
  readonly directoryTable: ITable;
  readonly campaignTable: ITable;
  readonly operationsTable: ITable;
  /** The audit log (append-only): every function that records a change appends to it. */
  readonly auditTable: ITable;
  readonly alarmsTopic: ITopic;
  /** Where the daily report and the weekly summary are published. */
  readonly operationsTopic: ITopic;
  /** The runbooks bucket (stateful stack, which deploys docs/runbooks into it). */
  readonly runbooksBucket: IBucket;
  /**
   * The export names of the reports bucket and evidence signing key (stateful stack, evidenceExportNames):
   * the archive-evidence function writes evidence packs there before a run's cleanup.
   */
  readonly evidenceExports: { readonly reportsBucketArn: string; readonly evidenceKeyArn: string };
  /**
   * The approvers' user pool and portal client (stateful stack): the approver API's authorizer; and
   * the hosted sign-in's URL, for the portal's configuration.
   */
  readonly approverIdentity: { readonly userPool: IUserPool; readonly userPoolClient: IUserPoolClient; readonly hostedUiUrl: string };
  /**
   * The approver portal's hosting (stateful stack): its URL (the mails' links, the API's CORS
   * origin), and the bucket (by its export name) and distribution this stack deploys the page to.
   */
  readonly approverPortal: { readonly url: string; readonly bucketArnExportName: string; readonly distribution: IDistribution };
}

/** CloudFormation parameters of the stateless stack: deployment settings, not code. */
export const STATELESS_PARAMETERS = {
  senderAddress: 'SenderAddress',
  sesConfigurationSet: 'SesConfigurationSet',
  hookFunctionArns: 'HookFunctionArns',
  controllerReservedConcurrency: 'ControllerReservedConcurrency',
  operationsRecipients: 'OperationsRecipients',
  alarmEmail: 'AlarmEmail',
} as const;

/** What the daily report and the dashboard call each function (MONITORED_FUNCTIONS keys). */
export const FUNCTION_NAMES = {
  controller: 'campaign-controller',
  approverApi: 'approver-api',
  emergencyAccess: 'emergency-access',
  archiveEvidence: 'archive-evidence',
  reportCharts: 'render-report-charts',
} as const;

const EMAIL = '[^@\\s,]+@[^@\\s,]+\\.[^@\\s,]+';

/**
 * Functions, schedules and alarms: everything that can be destroyed and redeployed without
 * losing data. The SES settings live here as parameters because they are configuration that
 * operators change; as parameters of the stateful stack they would be cross-stack exports,
 * which CloudFormation refuses to change while this stack imports them.
 */
export class StatelessStack extends Stack {
  readonly controller: CampaignController;
  /** Archives a run's evidence pack before its cleanup (the controller invokes it). */
  readonly evidenceArchiver: EvidenceArchiver;
  /** Draws the charts of the report page of an evidence pack (the archiver invokes it). */
  readonly reportCharts: ReportChartsFunction;
  readonly approverApi: ApproverApi;
  /** The approver portal's page, assets and configuration, deployed to the stateful stack's bucket. */
  readonly approverPortalContent: ApproverPortalContent;
  /** The risk-assessment, daily-operations and weekly-summary jobs and the emergency-access function. */
  readonly operationsJobs: OperationsJobs;
  /** The initialize-reapproval and start-reapproval jobs. */
  readonly reapprovalJobs: ReapprovalJobs;
  /** The daily report job (the SSM daily health check runs it). */
  readonly dailyOperationsFunction: AppFunction;
  /** Emergency access removal (the SSM emergency document invokes it). */
  readonly emergencyAccessFunction: AppFunction;
  /**
   * Every scheduled job, the controller included: its function and its dead-letter queue (SSM
   * incident response re-runs the one and re-drives the other).
   */
  readonly jobs: Readonly<Record<JobName, { readonly function: AppFunction; readonly deadLetterQueue: IQueue }>>;
  /** The runbooks bucket (stateful stack), for the SSM documents that point operators to it. */
  readonly runbooksBucket: IBucket;
  readonly operationsAlarms: OperationsAlarms;
  readonly operationsDashboard: OperationsDashboard;
  /** The AlarmEmail subscription to the alarms topic; deployed only when the parameter is not empty. */
  readonly alarmEmailSubscription: Subscription;
  /** The Systems Manager Automation documents of the runbooks (docs/runbooks). */
  readonly operationsAutomation: OperationsAutomation;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, {
      description: 'Identity governance: functions, schedules and alarms (stateless)',
      ...props,
    });
    tagComponent(this, 'stateless');
    // Strong (exports/imports): the stateful stack cannot be removed while functions use its tables.
    CrossStackReferences.of(this).consume(ReferenceStrength.STRONG);

    const senderAddress = new CfnParameter(this, STATELESS_PARAMETERS.senderAddress, {
      type: 'String',
      description:
        'From address of every notification. Verify it in SES, as an address or through its domain, before the first run.',
      allowedPattern: '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$',
      constraintDescription: 'must be an email address such as governance@example.com',
    });
    const configurationSet = new CfnParameter(this, STATELESS_PARAMETERS.sesConfigurationSet, {
      type: 'String',
      default: '',
      description: 'Optional SES configuration set used for every send (empty for none).',
      allowedPattern: '^[a-zA-Z0-9_-]{0,64}$',
      constraintDescription: 'must be an SES configuration set name or empty',
    });
    // The mails link to the portal the stateful stack hosts.
    const approverPortalUrl = props.approverPortal.url;
    const hookFunctionArns = new CfnParameter(this, STATELESS_PARAMETERS.hookFunctionArns, {
      type: 'CommaDelimitedList',
      default: '',
      description:
        'Lambda functions that campaigns may name as hooks (docs/hooks/README.md): comma-separated full ARNs, ' +
        'with the version or alias if campaigns name one. The controller may invoke exactly these. Empty: none.',
      // Checked for each element of the list; the empty default is one empty element.
      allowedPattern:
        '^(arn:aws[a-z-]*:lambda:[a-z]{2}(-[a-z]+)+-[0-9]:[0-9]{12}:function:[A-Za-z0-9_-]{1,64}(:([$]LATEST|[A-Za-z0-9_-]{1,128}))?)?$',
      constraintDescription:
        'must be Lambda function ARNs (arn:aws:lambda:REGION:ACCOUNT:function:NAME[:ALIAS_OR_VERSION]) separated by commas',
    });
    const reservedConcurrency = new CfnParameter(this, STATELESS_PARAMETERS.controllerReservedConcurrency, {
      type: 'String',
      default: '0',
      description:
        'Reserved concurrency of the campaign controller; 0 (default) leaves it unreserved (the lease keeps runs ' +
        'single anyway). Lambda keeps 100 executions unreserved per account, so reserving needs a concurrency ' +
        'quota above 100 (new accounts may have 10).',
      allowedPattern: '^(0|[1-9][0-9]{0,3})$',
      constraintDescription: 'must be a whole number from 0 to 9999 without leading zeros',
    });
    const hasReservedConcurrency = new CfnCondition(this, 'HasControllerReservedConcurrency', {
      expression: Fn.conditionNot(Fn.conditionEquals(reservedConcurrency.valueAsString, '0')),
    });
    const hasConfigurationSet = new CfnCondition(this, 'HasSesConfigurationSet', {
      expression: Fn.conditionNot(Fn.conditionEquals(configurationSet.valueAsString, '')),
    });
    const operationsRecipients = new CfnParameter(this, STATELESS_PARAMETERS.operationsRecipients, {
      type: 'String',
      default: '',
      description:
        'Who receives the daily operations report and the weekly summary by email: comma-separated addresses ' +
        '(empty: none; recipients may also be set in the operations configuration, `idgov config load`).',
      allowedPattern: `^(${EMAIL}( *, *${EMAIL})*)?$`,
      constraintDescription: 'must be email addresses separated by commas, or empty',
    });
    const alarmEmail = new CfnParameter(this, STATELESS_PARAMETERS.alarmEmail, {
      type: 'String',
      default: '',
      description:
        'Optional email address subscribed to the alarms topic (it must confirm the subscription). Empty: none.',
      allowedPattern: `^(${EMAIL})?$`,
      constraintDescription: 'must be an email address or empty',
    });
    const sender = {
      address: senderAddress.valueAsString,
      configurationSetName: configurationSet.valueAsString,
      configurationSetArn: Fn.conditionIf(
        hasConfigurationSet.logicalId,
        this.formatArn({
          service: 'ses',
          resource: 'configuration-set',
          resourceName: configurationSet.valueAsString,
        }),
        Aws.NO_VALUE,
      ).toString(),
    };

    // The controller's DELETED step invokes the archiver, which has the report's charts drawn by the
    // chart function: the charting library and the S3 and KMS clients stay out of the controller, and
    // no bundle passes 1 MiB.
    this.reportCharts = new ReportChartsFunction(this, 'RenderReportCharts');
    this.evidenceArchiver = new EvidenceArchiver(this, 'ArchiveEvidence', {
      directoryTable: props.directoryTable,
      campaignTable: props.campaignTable,
      auditTable: props.auditTable,
      evidence: importEvidenceArchive(this, props.evidenceExports),
      charts: this.reportCharts,
    });

    this.controller = new CampaignController(this, 'CampaignController', {
      directoryTable: props.directoryTable,
      campaignTable: props.campaignTable,
      operationsTable: props.operationsTable,
      auditTable: props.auditTable,
      alarmTopic: props.alarmsTopic,
      approverPortalUrl,
      hookFunctionArns: hookFunctionArns.valueAsList,
      reservedConcurrentExecutions: Token.asNumber(
        Fn.conditionIf(hasReservedConcurrency.logicalId, reservedConcurrency.valueAsString, Aws.NO_VALUE),
      ),
      sender,
      evidenceArchiver: this.evidenceArchiver,
    });

    this.approverApi = new ApproverApi(this, 'ApproverApi', {
      directoryTable: props.directoryTable,
      campaignTable: props.campaignTable,
      auditTable: props.auditTable,
      userPool: props.approverIdentity.userPool,
      userPoolClient: props.approverIdentity.userPoolClient,
      approverPortalUrl,
    });

    // After the API: the page's <meta> Content-Security-Policy and config.json name it.
    const signInServiceOrigin = `https://cognito-idp.${this.region}.amazonaws.com`;
    this.approverPortalContent = new ApproverPortalContent(this, 'ApproverPortal', {
      bucket: Bucket.fromBucketArn(this, 'ApproverPortalBucket', Fn.importValue(props.approverPortal.bucketArnExportName)),
      distribution: props.approverPortal.distribution,
      config: {
        apiUrl: this.approverApi.httpApi.apiEndpoint,
        auth: {
          kind: 'cognito',
          domain: props.approverIdentity.hostedUiUrl,
          clientId: props.approverIdentity.userPoolClient.userPoolClientId,
          issuer: userPoolIssuer(this, props.approverIdentity.userPool),
          scopes: [...PORTAL_SCOPES],
        },
      },
      // The API; the hosted sign-in's token endpoint; the issuer's discovery document.
      connectSources: [this.approverApi.httpApi.apiEndpoint, props.approverIdentity.hostedUiUrl, signInServiceOrigin],
    });

    this.reapprovalJobs = addReapprovalJobs(this, {
      directoryTable: props.directoryTable,
      campaignTable: props.campaignTable,
      operationsTable: props.operationsTable,
      auditTable: props.auditTable,
      alarmTopic: props.alarmsTopic,
      sender,
      approverPortalUrl,
    });
    const reapproval = this.reapprovalJobs.byName;

    this.operationsJobs = addOperationsJobs(this, {
      directoryTable: props.directoryTable,
      campaignTable: props.campaignTable,
      operationsTable: props.operationsTable,
      auditTable: props.auditTable,
      operationsTopic: props.operationsTopic,
      alarmTopic: props.alarmsTopic,
      sender,
      operationsRecipients: operationsRecipients.valueAsString,
      otherFunctions: {
        [FUNCTION_NAMES.controller]: this.controller.function,
        [FUNCTION_NAMES.approverApi]: this.approverApi.function,
        ...Object.fromEntries(Object.entries(reapproval).map(([name, job]) => [name, job.function])),
      },
      otherQueues: {
        [FUNCTION_NAMES.controller]: this.controller.job.deadLetterQueue,
        ...Object.fromEntries(Object.entries(reapproval).map(([name, job]) => [name, job.job.deadLetterQueue])),
      },
    });
    const jobs = this.operationsJobs;
    this.dailyOperationsFunction = jobs.dailyOperations.function;
    this.emergencyAccessFunction = jobs.emergencyAccess.function;
    const scheduled: Record<JobName, { function: AppFunction; job: ScheduledJob }> = {
      [FUNCTION_NAMES.controller]: this.controller,
      ...jobs.byName,
      ...reapproval,
    };
    const jobOf = (name: JobName) => ({ function: scheduled[name].function, deadLetterQueue: scheduled[name].job.deadLetterQueue });
    this.jobs = {
      'campaign-controller': jobOf('campaign-controller'),
      'risk-assessment': jobOf('risk-assessment'),
      'daily-operations': jobOf('daily-operations'),
      'weekly-summary': jobOf('weekly-summary'),
      'initialize-reapproval': jobOf('initialize-reapproval'),
      'start-reapproval': jobOf('start-reapproval'),
    };

    // The admin CLI invokes these (the IdGovAdministrators policy): `controller run`, `job run ... --aws`,
    // `emergency revoke --aws`; operators may archive a run's evidence by hand (events/archive-evidence).
    // Never the approver API function, which trusts the caller in its event.
    for (const { function: fn } of Object.values(scheduled)) allowAdministratorsToInvoke(fn);
    allowAdministratorsToInvoke(this.emergencyAccessFunction);
    allowAdministratorsToInvoke(this.evidenceArchiver.function);

    const allFunctions: Record<string, IFunction> = {
      ...Object.fromEntries(Object.entries(scheduled).map(([name, { function: fn }]) => [name, fn])),
      [FUNCTION_NAMES.approverApi]: this.approverApi.function,
      [FUNCTION_NAMES.emergencyAccess]: this.emergencyAccessFunction,
      [FUNCTION_NAMES.archiveEvidence]: this.evidenceArchiver.function,
      [FUNCTION_NAMES.reportCharts]: this.reportCharts.function,
    };
    this.operationsAlarms = new OperationsAlarms(this, 'OperationsAlarms', {
      alarmTopic: props.alarmsTopic,
      functions: allFunctions,
      scheduledJobs: Object.fromEntries(Object.entries(scheduled).map(([name, { job }]) => [name, job])),
      httpApi: this.approverApi.httpApi,
    });
    this.operationsDashboard = new OperationsDashboard(this, 'OperationsDashboard', {
      // Dashboard names are unique per account and region: a renamed deployment gets its own.
      dashboardName:
        this.stackName === stackNames().stateless ? OPERATIONS_DASHBOARD_NAME : `${OPERATIONS_DASHBOARD_NAME}-${this.stackName}`,
      functions: allFunctions,
      queues: Object.fromEntries(Object.entries(this.jobs).map(([name, { deadLetterQueue }]) => [name, deadLetterQueue])),
      httpApi: this.approverApi.httpApi,
      failedNotifications: this.controller.failedNotificationsFilter.metric(),
    });

    // Operators subscribe by a parameter; the subscription exists only when it names someone.
    this.alarmEmailSubscription = new Subscription(this, 'AlarmEmailSubscription', {
      topic: props.alarmsTopic,
      protocol: SubscriptionProtocol.EMAIL,
      endpoint: alarmEmail.valueAsString,
    });
    (this.alarmEmailSubscription.node.defaultChild as CfnSubscription).cfnOptions.condition = new CfnCondition(this, 'HasAlarmEmail', {
      expression: Fn.conditionNot(Fn.conditionEquals(alarmEmail.valueAsString, '')),
    });

    this.runbooksBucket = props.runbooksBucket;

    // The runbooks' Systems Manager documents: the daily health check, incident response (re-run a
    // job, re-drive its dead-letter queue) and emergency access removal.
    this.operationsAutomation = new OperationsAutomation(this, 'OperationsAutomation', {
      dailyOperations: this.dailyOperationsFunction,
      emergencyAccess: this.emergencyAccessFunction,
      jobs: this.jobs,
    });
    for (const document of AUTOMATION_DOCUMENTS) {
      new CfnOutput(this, AUTOMATION_OUTPUTS[document], {
        description: `Systems Manager Automation document ${document} (docs/runbooks/README.md)`,
        value: this.operationsAutomation.documentName(document),
      });
    }

    new CfnOutput(this, STATELESS_OUTPUTS.approverApiUrl, {
      description: 'Approver API base URL (send the Cognito ID token as "Authorization: Bearer <token>")',
      value: this.approverApi.url,
    });
    new CfnOutput(this, STATELESS_OUTPUTS.approverApiFunctionName, {
      description: 'Approver API function',
      value: this.approverApi.function.functionName,
    });
    new CfnOutput(this, STATELESS_OUTPUTS.approverPortalUrl, {
      description: "The approver portal's URL (stateful stack): the link base of the mails the functions and `idgov --aws` queue",
      value: approverPortalUrl,
    });
    new CfnOutput(this, STATELESS_OUTPUTS.controllerFunctionName, {
      description: 'Campaign controller function (invoke it to run the controller now)',
      value: this.controller.function.functionName,
    });
    new CfnOutput(this, STATELESS_OUTPUTS.controllerDeadLetterQueueUrl, {
      description: 'Dead-letter queue of the controller schedule',
      value: this.controller.job.deadLetterQueue.queueUrl,
    });
    new CfnOutput(this, STATELESS_OUTPUTS.riskAssessmentFunctionName, {
      description: 'Risk assessment job (daily, 07:30 UTC): `idgov --aws job run risk-assessment` invokes it',
      value: jobs.riskAssessment.function.functionName,
    });
    new CfnOutput(this, STATELESS_OUTPUTS.dailyOperationsFunctionName, {
      description: 'Daily operations report job (daily, 08:00 UTC): `idgov --aws job run daily-operations` invokes it',
      value: jobs.dailyOperations.function.functionName,
    });
    new CfnOutput(this, STATELESS_OUTPUTS.weeklySummaryFunctionName, {
      description: 'Weekly summary job (Monday, 09:00 UTC): `idgov --aws job run weekly-summary` invokes it',
      value: jobs.weeklySummary.function.functionName,
    });
    new CfnOutput(this, STATELESS_OUTPUTS.initializeReapprovalFunctionName, {
      description: 'Re-approval initialization job (daily, 05:00 UTC): `idgov --aws job run initialize-reapproval` invokes it',
      value: reapproval['initialize-reapproval'].function.functionName,
    });
    new CfnOutput(this, STATELESS_OUTPUTS.startReapprovalFunctionName, {
      description: 'Re-approval start job (daily, 06:00 UTC): `idgov --aws job run start-reapproval` invokes it',
      value: reapproval['start-reapproval'].function.functionName,
    });
    new CfnOutput(this, STATELESS_OUTPUTS.archiveEvidenceFunctionName, {
      description: "Evidence archiver: the controller invokes it before a run's cleanup; invoke it with events/archive-evidence to archive a DELETED run now",
      value: this.evidenceArchiver.function.functionName,
    });
    new CfnOutput(this, STATELESS_OUTPUTS.emergencyAccessFunctionName, {
      description: 'Emergency access removal: `idgov --aws emergency revoke` invokes it',
      value: this.emergencyAccessFunction.functionName,
    });
  }
}
