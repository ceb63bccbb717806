import { ArnFormat, Aws, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { PolicyStatement, PrincipalWithConditions, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

/** The service that publishes alarm state changes to SNS. */
export const CLOUDWATCH_SERVICE = 'cloudwatch.amazonaws.com';

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

    this.allowCloudWatchAlarms();
  }

  /**
   * A topic policy of our own (enforceSSL writes one) replaces SNS's default policy, so CloudWatch
   * may publish only if a statement says so; and it can publish to an encrypted topic only if the
   * key lets it encrypt (the AWS-managed SNS key cannot grant that, hence a customer-managed key).
   * Both are limited to alarms of this account and region (confused deputy): CloudWatch sets
   * aws:SourceAccount and aws:SourceArn on both requests.
   */
  private allowCloudWatchAlarms(): void {
    const cloudwatch = new ServicePrincipal(CLOUDWATCH_SERVICE);
    const fromOurAlarms = {
      StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
      ArnLike: {
        'aws:SourceArn': Stack.of(this).formatArn({
          service: 'cloudwatch',
          resource: 'alarm',
          resourceName: '*',
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      },
    };
    this.alarmsTopic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublish',
        principals: [cloudwatch],
        actions: ['sns:Publish'],
        resources: [this.alarmsTopic.topicArn],
        conditions: fromOurAlarms,
      }),
    );
    // The key's own grant writes the key-policy statement (its resource is this key), with the same conditions.
    this.key.grant(new PrincipalWithConditions(cloudwatch, fromOurAlarms), 'kms:Decrypt', 'kms:GenerateDataKey*');
  }
}
