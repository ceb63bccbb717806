import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { TABLES, type TableDefinition } from '../../lambdas/shared/config/tables.js';
import { ApproverIdentity } from '../constructs/approver-identity.js';
import { DataTables } from '../constructs/data-tables.js';
import { NotificationTopics } from '../constructs/notification-topics.js';
import { tagComponent } from './tags.js';

/** Output key under which the stateful stack publishes the deployed name of a table. */
export const tableNameOutputKey = (definition: TableDefinition): string => `${definition.id}Name`;

/** Output keys of the stateful stack besides the table names. */
export const STATEFUL_OUTPUTS = {
  alarmsTopicArn: 'AlarmsTopicArn',
  operationsTopicArn: 'OperationsTopicArn',
  approverUserPoolId: 'ApproverUserPoolId',
  approverUserPoolClientId: 'ApproverUserPoolClientId',
} as const;

/**
 * Everything that holds data or identity and must survive a redeploy of the functions: the
 * tables (retained, deletion-protected, point-in-time recovery), the notification topics, and the
 * approvers' user pool (retained, deletion-protected). Termination protection is on: `cdk destroy`
 * of this stack is refused until an operator turns it off.
 */
export class StatefulStack extends Stack {
  readonly tables: DataTables;
  readonly topics: NotificationTopics;
  /** Approvers' sign-in: identity is state (passwords, MFA enrolments), so it lives here, retained. */
  readonly approverIdentity: ApproverIdentity;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, {
      description: 'Identity governance: tables and notification topics (stateful)',
      terminationProtection: true,
      ...props,
    });
    tagComponent(this, 'stateful');

    this.tables = new DataTables(this, 'Data');
    this.topics = new NotificationTopics(this, 'Notifications');
    this.approverIdentity = new ApproverIdentity(this, 'ApproverIdentity');

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
    new CfnOutput(this, STATEFUL_OUTPUTS.approverUserPoolId, {
      description: 'Cognito user pool of the approvers (create each approver with their directory email, verified)',
      value: this.approverIdentity.userPool.userPoolId,
    });
    new CfnOutput(this, STATEFUL_OUTPUTS.approverUserPoolClientId, {
      description: 'App client of the approver portal; its ID tokens call the approver API',
      value: this.approverIdentity.userPoolClient.userPoolClientId,
    });
  }
}
