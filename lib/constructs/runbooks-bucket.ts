import { fileURLToPath } from 'node:url';
import { Duration, IgnoreMode } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Bucket, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { accessLogsBucket, PRIVATE_BUCKET } from './private-bucket.js';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { acknowledgeBucketDeploymentFindings } from './nag-acknowledgements.js';

const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The folder of the repository the runbooks are deployed from. */
export const RUNBOOKS_FOLDER = 'docs/runbooks';

/**
 * The folders of RUNBOOKS_FOLDER that are deployed, each to the key prefix of the same name
 * (`sop/...`); nothing else of the folder is (its README.md index links to the repository).
 */
export const RUNBOOK_PREFIXES = ['sop', 'runbooks', 'templates'] as const;

/**
 * The bucket operators read the runbooks from, and their deployment. The bucket: S3-managed
 * encryption, TLS only, no public access, objects owned by the bucket owner, versioned (it keeps the
 * earlier versions of a procedure: what operators were told to do at the time), retained, and
 * server access logs in a bucket of their own. The deployment copies docs/runbooks/{sop,runbooks,
 * templates} to the same prefixes on every deployment (CDK's BucketDeployment: the folders are
 * zipped locally at synth, no Docker), removing what the folders no longer hold (the bucket keeps
 * the earlier version); its copying function gets a role of its own, with no managed policy, and an
 * explicit log group.
 *
 * Bucket and content live in the stateful stack: the versions are history, and the stateless stack
 * can then be destroyed and redeployed without orphaning a bucket.
 */
export class RunbooksBucket extends Construct {
  readonly bucket: Bucket;
  readonly accessLogsBucket: Bucket;
  readonly deployment: BucketDeployment;
  readonly deploymentRole: Role;
  readonly deploymentLogGroup: LogGroup;

  constructor(scope: Construct, id: string) {
    super(scope, id);

    // Object ownership is left to CDK: S3 log delivery writes through the bucket policy (the
    // serverAccessLogsUseBucketPolicy flag of cdk.json), or through an ACL without that flag.
    this.accessLogsBucket = accessLogsBucket(this, 'AccessLogs', 365);

    this.bucket = new Bucket(this, 'Bucket', {
      ...PRIVATE_BUCKET,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'runbooks/',
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(365) }],
    });

    this.deploymentRole = new Role(this, 'DeploymentRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'Copies the runbooks from the deployment assets to the runbooks bucket',
    });
    this.deploymentLogGroup = new LogGroup(this, 'DeploymentLogGroup', { retention: RetentionDays.ONE_YEAR });
    this.deploymentLogGroup.grantWrite(this.deploymentRole);

    this.deployment = new BucketDeployment(this, 'Deployment', {
      sources: [
        Source.asset(`${PROJECT_ROOT}${RUNBOOKS_FOLDER}`, {
          // .gitignore semantics: everything at the top of the folder but the deployed folders.
          ignoreMode: IgnoreMode.GIT,
          exclude: ['/*', ...RUNBOOK_PREFIXES.map((prefix) => `!/${prefix}`)],
        }),
      ],
      destinationBucket: this.bucket,
      role: this.deploymentRole,
      logGroup: this.deploymentLogGroup,
      memoryLimit: 256,
    });
    acknowledgeBucketDeploymentFindings(this, { role: this.deploymentRole, destination: this.bucket, copies: 'the runbooks' });
  }
}
