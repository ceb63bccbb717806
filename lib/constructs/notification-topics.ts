import { RemovalPolicy } from 'aws-cdk-lib';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

/**
 * The product's SNS topics: `alarmsTopic` for CloudWatch alarms, `operationsTopic` for the daily
 * operations report. Both are encrypted with one customer-managed key and refuse plain HTTP.
 */
export class NotificationTopics extends Construct {
  readonly key: Key;
  readonly alarmsTopic: Topic;
  readonly operationsTopic: Topic;

  constructor(scope: Construct, id: string) {
    super(scope, id);

    this.key = new Key(this, 'TopicKey', {
      description: 'Encrypts the identity-governance alarm and operations topics',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // CloudWatch alarms can publish to an encrypted topic only if the key lets CloudWatch use it;
    // the AWS-managed SNS key cannot grant that, hence a customer-managed key.
    this.key.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey');

    this.alarmsTopic = new Topic(this, 'AlarmsTopic', {
      displayName: 'Identity governance alarms',
      masterKey: this.key,
      enforceSSL: true,
    });
    this.operationsTopic = new Topic(this, 'OperationsTopic', {
      displayName: 'Identity governance operations reports',
      masterKey: this.key,
      enforceSSL: true,
    });
  }
}
