import { BOOTSTRAP_QUALIFIER_CONTEXT, DefaultStackSynthesizer, Stack, Validations } from 'aws-cdk-lib';
import type { Role } from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';

/** How cdk-nag names a resource in a finding id: references flattened to <Logical.Attr>, <Ref>, or the import's name. */
export function nagName(scope: Construct, value: string): string {
  const visit = (node: unknown): string => {
    if (typeof node === 'string') return node;
    const record = (node ?? {}) as Record<string, unknown>;
    if (Array.isArray(record['Fn::Join'])) {
      const [delimiter, items] = record['Fn::Join'] as [string, unknown[]];
      return items.map(visit).join(delimiter);
    }
    if (Array.isArray(record['Fn::GetAtt'])) return `<${(record['Fn::GetAtt'] as string[]).join('.')}>`;
    if ('Fn::ImportValue' in record) return visit(record['Fn::ImportValue']);
    if ('Ref' in record) return `<${visit(record.Ref)}>`;
    return JSON.stringify(node);
  };
  return visit(Stack.of(scope).resolve(value));
}

export interface BucketDeploymentFindings {
  /** The role given to the BucketDeployment(s) (`role`): CDK's grants land in its default policy. */
  readonly role: Role;
  /** The destination bucket, in the role's stack (imported by a fixed export name when it lives in another). */
  readonly destination: IBucket;
  /** What the deployment copies, for the reasons: "the runbooks". */
  readonly copies: string;
  /** The deployment invalidates a CloudFront distribution (`distribution`). */
  readonly invalidates?: boolean;
}

/**
 * Acknowledges what CDK's BucketDeployment grants and runs, which its user cannot narrow: its own
 * grants on the source (the bootstrap assets bucket) and on the destination, CloudFront invalidation
 * on any distribution when it invalidates one, and its handler's runtime.
 */
export function acknowledgeBucketDeploymentFindings(scope: Construct, findings: BucketDeploymentFindings): void {
  const stack = Stack.of(scope);
  const policy = findings.role.node.findChild('DefaultPolicy');
  const qualifier = String(scope.node.tryGetContext(BOOTSTRAP_QUALIFIER_CONTEXT) ?? DefaultStackSynthesizer.DEFAULT_QUALIFIER);
  const grants =
    'BucketDeployment grants its copying function (this role) read on the deployment assets and read-write on the ' +
    "destination bucket through CDK's grantRead / grantReadWrite, whose actions are wildcards";
  Validations.of(policy).acknowledge(
    ...['s3:GetBucket*', 's3:GetObject*', 's3:List*', 's3:Abort*', 's3:DeleteObject*'].map((action) => ({
      id: `AwsSolutions-IAM5[Action::${action}]`,
      reason: `${grants} (${action}); the resources are the assets bucket and the destination bucket only.`,
    })),
    {
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-${qualifier}-assets-<AWS::AccountId>-<AWS::Region>/*]`,
      reason: `${grants}: the objects of the CDK bootstrap assets bucket, where ${findings.copies} are uploaded zipped under a content hash.`,
    },
    {
      id: `AwsSolutions-IAM5[Resource::${nagName(scope, findings.destination.arnForObjects('*'))}]`,
      reason: `${grants}: the objects of the destination bucket, where it writes ${findings.copies}.`,
    },
    ...(findings.invalidates
      ? [
          {
            id: 'AwsSolutions-IAM5[Resource::*]',
            reason:
              'BucketDeployment grants its copying function cloudfront:CreateInvalidation and cloudfront:GetInvalidation on ' +
              'every distribution (Resource *, added by aws-cdk-lib, not narrowable through its API); it invalidates only the ' +
              'distribution it is given, after each deployment.',
          },
        ]
      : []),
  );
  const handler = stack.node.children.find((child) => child.node.id.startsWith('Custom::CDKBucketDeployment'));
  if (!handler) throw new Error(`${scope.node.path}: the BucketDeployment handler function was not found in its stack`);
  Validations.of(handler).acknowledge({
    id: 'AwsSolutions-L1',
    reason:
      "The runtime of CDK's BucketDeployment handler is chosen by aws-cdk-lib (a supported Python version); it runs " +
      `only while CloudFormation deploys the stack, to copy ${findings.copies}, and serves no requests.`,
  });
}
