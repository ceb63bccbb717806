import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { AUDIT_TABLE, TABLES } from '../../lambdas/shared/config/tables.js';
import { AdministratorsPolicy } from '../constructs/administrators-policy.js';
import { ApproverIdentity, AUTH_DOMAIN_PREFIX_CONTEXT, authDomainPrefixFromContext } from '../constructs/approver-identity.js';
import { ApproverPortal, PORTAL_CERTIFICATE_ARN_CONTEXT, PORTAL_DOMAIN_NAME_CONTEXT, portalDomainFromContext } from '../constructs/approver-portal.js';
import { DataTables } from '../constructs/data-tables.js';
import { EVIDENCE_RETENTION_CONTEXT, EvidenceStore, evidenceRetentionDaysFromContext } from '../constructs/evidence-store.js';
import { NotificationTopics } from '../constructs/notification-topics.js';
import { RunbooksBucket } from '../constructs/runbooks-bucket.js';
import { evidenceExportNames, STATEFUL_OUTPUTS, stackNames, tableNameOutputKey, type StackNames } from '../stack-outputs.js';
import { tagComponent } from './tags.js';

// The output keys are defined with the stack names in lib/stack-outputs.ts, which the CLI reads too.
export { STATEFUL_OUTPUTS, tableNameOutputKey };

export interface StatefulStackProps extends StackProps {
  /** The deployment's stack and policy names (the stateless stack's functions are the ones administrators invoke). @default stackNames() */
  readonly stackNames?: StackNames;
}

/**
 * Everything that holds data or identity and must survive a redeploy of the functions: the
 * tables (retained, deletion-protected, point-in-time recovery), the notification topics, the
 * approvers' user pool (retained, deletion-protected) with its sign-in domain and portal client,
 * the approver portal's bucket and distribution (whose URL every mail links to) and the versioned
 * runbooks bucket (retained).
 * Termination protection is on: `cdk destroy` of this stack is refused until an operator turns it off.
 */
export class StatefulStack extends Stack {
  readonly tables: DataTables;
  readonly topics: NotificationTopics;
  /** Approvers' sign-in: identity is state (passwords, MFA enrolments), so it lives here, retained. */
  readonly approverIdentity: ApproverIdentity;
  /** Where the approver portal is served from; the stateless stack deploys the page into it. */
  readonly approverPortal: ApproverPortal;
  /** What the admin CLI needs, for operators to attach (README, "Deploy"). */
  readonly administrators: AdministratorsPolicy;
  /** The runbooks bucket (versioned, retained) and the deployment of docs/runbooks into it. */
  readonly runbooks: RunbooksBucket;
  /** The reports bucket (S3 Object Lock, compliance mode) and the KMS key that signs evidence packs, both retained. */
  readonly evidence: EvidenceStore;

  constructor(scope: Construct, id: string, props?: StatefulStackProps) {
    super(scope, id, {
      description: 'Identity governance: tables, notification topics, approver identity and portal hosting, runbooks and evidence (stateful)',
      terminationProtection: true,
      ...props,
    });
    tagComponent(this, 'stateful');

    this.tables = new DataTables(this, 'Data');
    this.topics = new NotificationTopics(this, 'Notifications');
    this.approverPortal = new ApproverPortal(this, 'ApproverPortal', {
      customDomain: portalDomainFromContext(
        this.node.tryGetContext(PORTAL_DOMAIN_NAME_CONTEXT),
        this.node.tryGetContext(PORTAL_CERTIFICATE_ARN_CONTEXT),
      ),
    });
    this.approverIdentity = new ApproverIdentity(this, 'ApproverIdentity', {
      portalUrl: this.approverPortal.url,
      domainPrefix: authDomainPrefixFromContext(this.node.tryGetContext(AUTH_DOMAIN_PREFIX_CONTEXT)),
    });
    this.runbooks = new RunbooksBucket(this, 'Runbooks');
    this.evidence = new EvidenceStore(this, 'Evidence', {
      retentionDays: evidenceRetentionDaysFromContext(this.node.tryGetContext(EVIDENCE_RETENTION_CONTEXT)),
    });
    const names = props?.stackNames ?? stackNames();
    this.administrators = new AdministratorsPolicy(this, 'Administrators', {
      policyName: names.administratorsPolicy,
      tables: TABLES.filter((definition) => definition !== AUDIT_TABLE).map((definition) => ({ table: this.tables.tableFor(definition), definition })),
      auditLog: { table: this.tables.auditTable, definition: AUDIT_TABLE },
      tableKey: this.tables.key,
      statelessStackName: names.stateless,
    });
    this.evidence.grantAdministrators(this.administrators.policy);
    const evidenceExports = evidenceExportNames(this.stackName);
    this.exportValue(this.evidence.bucket.bucketArn, { name: evidenceExports.reportsBucketArn });
    this.exportValue(this.evidence.signingKey.keyArn, { name: evidenceExports.evidenceKeyArn });

    for (const definition of TABLES) {
      new CfnOutput(this, tableNameOutputKey(definition), {
        description: `DynamoDB table for ${definition.envVar}`,
        value: this.tables.tableFor(definition).tableName,
      });
    }
    new CfnOutput(this, STATEFUL_OUTPUTS.alarmsTopicArn, {
      description: 'SNS topic receiving CloudWatch alarms',
      value: this.topics.alarmsTopic.topicArn,
    });
    new CfnOutput(this, STATEFUL_OUTPUTS.operationsTopicArn, {
      description: 'SNS topic receiving the daily operations report',
      value: this.topics.operationsTopic.topicArn,
    });
    new CfnOutput(this, STATEFUL_OUTPUTS.runbooksBucketName, {
      description: 'S3 bucket holding the runbooks: sop/, runbooks/, templates/ (from docs/runbooks)',
      value: this.runbooks.bucket.bucketName,
    });
    new CfnOutput(this, STATEFUL_OUTPUTS.reportsBucketName, {
      description: 'S3 bucket (Object Lock, compliance mode) holding the evidence packs: evidence/<campaignId>/<runId>/',
      value: this.evidence.bucket.bucketName,
    });
    new CfnOutput(this, STATEFUL_OUTPUTS.evidenceKeyArn, {
      description: 'KMS key (RSA_2048, SIGN_VERIFY) that signs evidence manifests: idgov --aws evidence public-key --out key.pem',
      value: this.evidence.signingKey.keyArn,
    });
    new CfnOutput(this, STATEFUL_OUTPUTS.approverUserPoolId, {
      description: 'Cognito user pool of the approvers (create each approver with their directory email, verified)',
      value: this.approverIdentity.userPool.userPoolId,
    });
    new CfnOutput(this, STATEFUL_OUTPUTS.approverUserPoolClientId, {
      description: 'App client of the approver portal; its ID tokens call the approver API',
      value: this.approverIdentity.userPoolClient.userPoolClientId,
    });
    new CfnOutput(this, STATEFUL_OUTPUTS.approverSignInUrl, {
      description: 'Cognito hosted sign-in of the approvers (the portal sends them there)',
      value: this.approverIdentity.hostedUiUrl,
    });
    new CfnOutput(this, STATEFUL_OUTPUTS.approverPortalDistributionDomainName, {
      description: "CloudFront domain of the approver portal: with idgov:portalDomainName, point that name's DNS record (CNAME or alias) here",
      value: this.approverPortal.distribution.distributionDomainName,
    });
    new CfnOutput(this, STATEFUL_OUTPUTS.administratorsPolicyArn, {
      description: 'Managed policy with what the idgov CLI needs (attach it to the operators\' users, roles or permission sets)',
      value: this.administrators.policy.managedPolicyArn,
    });
  }
}
