// The settings every bucket of the product starts from, and the access-logs bucket three of them
// log to: one place, so that no bucket can be made without them.
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { BlockPublicAccess, Bucket, BucketEncryption, type BucketProps } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';

/** S3-managed encryption, TLS only, no public access, retained when the stack is deleted. */
export const PRIVATE_BUCKET = {
  encryption: BucketEncryption.S3_MANAGED,
  enforceSSL: true,
  blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
  removalPolicy: RemovalPolicy.RETAIN,
} as const satisfies BucketProps;

/** A private bucket for server access (or CloudFront) logs, each log kept `days`. */
export function accessLogsBucket(scope: Construct, id: string, days: number, props: BucketProps = {}): Bucket {
  return new Bucket(scope, id, { ...PRIVATE_BUCKET, lifecycleRules: [{ expiration: Duration.days(days) }], ...props });
}
