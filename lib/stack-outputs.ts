// The names the CDK app gives its stacks and their outputs: the contract between the stacks
// (lib/stacks, bin/app.ts) and the admin CLI (`idgov --aws`), which reads the outputs from a
// `cdk deploy --outputs-file` JSON or with CloudFormation DescribeStacks. No CDK import here: the
// CLI loads this module.
import type { TableDefinition } from '../lambdas/shared/config/tables.js';

/** The stacks are `<prefix>Stateful` and `<prefix>Stateless`; by default `IdGovStateful`, `IdGovStateless`. */
export const DEFAULT_STACK_PREFIX = 'IdGov';

/** CDK context that renames the stacks: `npx cdk deploy --all -c idgov:stackPrefix=Acme` gives `AcmeStateful`, `AcmeStateless`. */
export const STACK_PREFIX_CONTEXT = 'idgov:stackPrefix';

// A CloudFormation stack name starts with a letter and holds letters, digits and hyphens.
const STACK_PREFIX_PATTERN = /^[A-Za-z][A-Za-z0-9-]{0,63}$/;

/** Why `prefix` cannot name the stacks, or undefined when it can. */
export function stackPrefixProblem(prefix: string): string | undefined {
  return STACK_PREFIX_PATTERN.test(prefix)
    ? undefined
    : `must start with a letter and hold only letters, digits and hyphens (at most 64), got "${prefix}"`;
}

export interface StackNames {
  readonly stateful: string;
  readonly stateless: string;
  /**
   * The administrators' managed policy (`IdGovAdministrators` by default). IAM names are global to
   * the account: a second deployment in the same account, in another region too, needs its own prefix.
   */
  readonly administratorsPolicy: string;
}

/** The names of one deployment's stacks and policy, from its prefix. */
export function stackNames(prefix: string = DEFAULT_STACK_PREFIX): StackNames {
  return {
    stateful: `${prefix}Stateful`,
    stateless: `${prefix}Stateless`,
    administratorsPolicy: `${prefix}Administrators`,
  };
}

/** The names for the value of the `idgov:stackPrefix` context (absent: the default); throws, naming the key, for a bad one. */
export function stackNamesFromContext(value: unknown): StackNames {
  const prefix = value === undefined ? DEFAULT_STACK_PREFIX : String(value);
  const problem = stackPrefixProblem(prefix);
  if (problem) throw new Error(`context ${STACK_PREFIX_CONTEXT}: ${problem}`);
  return stackNames(prefix);
}

/** Output key under which the stateful stack publishes the deployed name of a table. */
export const tableNameOutputKey = (definition: TableDefinition): string => `${definition.id}Name`;

/** Output keys of the stateful stack besides the table names. */
export const STATEFUL_OUTPUTS = {
  alarmsTopicArn: 'AlarmsTopicArn',
  operationsTopicArn: 'OperationsTopicArn',
  /** The bucket the runbooks are deployed to (sop/, runbooks/, templates/). */
  runbooksBucketName: 'RunbooksBucketName',
  approverUserPoolId: 'ApproverUserPoolId',
  approverUserPoolClientId: 'ApproverUserPoolClientId',
  /** The Cognito hosted sign-in, https://<prefix>.auth.<region>.amazoncognito.com. */
  approverSignInUrl: 'ApproverSignInUrl',
  /** The approver portal's CloudFront domain (<id>.cloudfront.net), for the DNS record of a custom portal domain. */
  approverPortalDistributionDomainName: 'ApproverPortalDistributionDomainName',
  administratorsPolicyArn: 'AdministratorsPolicyArn',
  /** The reports bucket: evidence packs under evidence/<campaignId>/<runId>/ (S3 Object Lock, compliance mode). */
  reportsBucketName: 'ReportsBucketName',
  /** The asymmetric KMS key (RSA_2048, SIGN_VERIFY) that signs evidence manifests. */
  evidenceKeyArn: 'EvidenceSigningKeyArn',
} as const;

/**
 * Exports of the stateful stack that the stateless stack imports by name: the reports bucket and the
 * evidence signing key (lib/constructs/evidence-store.ts, importEvidenceArchive). Fixed names, so the
 * controller's grant on the packs names a resource a reviewer can read.
 */
export const evidenceExportNames = (statefulStackName: string) => ({
  reportsBucketArn: `${statefulStackName}-ReportsBucketArn`,
  evidenceKeyArn: `${statefulStackName}-EvidenceSigningKeyArn`,
});

/** Output keys of the stateless stack. */
export const STATELESS_OUTPUTS = {
  controllerFunctionName: 'CampaignControllerFunctionName',
  controllerDeadLetterQueueUrl: 'CampaignControllerDeadLetterQueueUrl',
  approverApiUrl: 'ApproverApiUrl',
  approverApiFunctionName: 'ApproverApiFunctionName',
  /**
   * The approver portal's URL (its CloudFront distribution's, or the idgov:portalDomainName custom
   * domain's): the link base of the mails the functions and `idgov --aws` queue.
   */
  approverPortalUrl: 'ApproverPortalBaseUrl',
  riskAssessmentFunctionName: 'RiskAssessmentFunctionName',
  dailyOperationsFunctionName: 'DailyOperationsFunctionName',
  weeklySummaryFunctionName: 'WeeklySummaryFunctionName',
  initializeReapprovalFunctionName: 'InitializeReapprovalFunctionName',
  startReapprovalFunctionName: 'StartReapprovalFunctionName',
  emergencyAccessFunctionName: 'EmergencyAccessFunctionName',
  /** The archive-evidence function: a DELETED run's evidence pack to the reports bucket (the controller invokes it). */
  archiveEvidenceFunctionName: 'ArchiveEvidenceFunctionName',
} as const;
