import { Duration, Fn, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { AnyPrincipal, Effect, Grant, type ManagedPolicy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { type IKey, Key, KeySpec, KeyUsage } from 'aws-cdk-lib/aws-kms';
import { Bucket, type IBucket, ObjectLockRetention, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { accessLogsBucket, PRIVATE_BUCKET } from './private-bucket.js';
import { Construct } from 'constructs';
import { ENV } from '../../lambdas/shared/config/tables.js';
import type { AppFunction } from './app-function.js';
import { nagName } from './nag-acknowledgements.js';

/** CDK context: how many days S3 Object Lock keeps each archived evidence file (`-c idgov:evidenceRetentionDays=3650`). */
export const EVIDENCE_RETENTION_CONTEXT = 'idgov:evidenceRetentionDays';
/** Seven years (7 × 365 + 2 leap days). */
export const DEFAULT_EVIDENCE_RETENTION_DAYS = 2557;
/** The key prefix of evidence packs in the reports bucket (`evidence/<campaignId>/<runId>/<file>`). */
export const EVIDENCE_KEY_PREFIX = 'evidence/';

/** The retention for the context's value (absent: the default); throws, naming the key, for a bad one. */
export function evidenceRetentionDaysFromContext(value: unknown): number {
  if (value === undefined) return DEFAULT_EVIDENCE_RETENTION_DAYS;
  const days = typeof value === 'number' ? value : /^\d+$/.test(String(value)) ? Number(value) : Number.NaN;
  if (!Number.isInteger(days) || days < 1 || days > 36_500) {
    throw new Error(`context ${EVIDENCE_RETENTION_CONTEXT}: must be a whole number of days from 1 to 36500, got "${String(value)}"`);
  }
  return days;
}

export interface EvidenceStoreProps {
  /** Days each archived file is locked (compliance mode: nobody, the root user included, can delete or overwrite it sooner). */
  readonly retentionDays: number;
}

/** What a function needs to archive evidence: the bucket and the signing key. */
export interface EvidenceArchiveResources {
  readonly bucket: IBucket;
  readonly signingKey: IKey;
}

/**
 * Where evidence outlives the operational data (docs/reference/evidence.md): the reports bucket and the
 * key that signs the packs, both retained when the stack is deleted.
 *
 * The bucket: S3-managed encryption, TLS only, no public access, objects owned by the bucket owner,
 * versioned, S3 Object Lock with a default retention in COMPLIANCE mode (`retentionDays`), a policy
 * that denies every object delete (so no delete marker can hide a pack either), and server access
 * logs in a bucket of their own kept as long. The key: RSA_2048, SIGN_VERIFY (asymmetric keys do not
 * rotate; a new key signs new packs, and each manifest names its key), with an alias.
 */
export class EvidenceStore extends Construct {
  readonly bucket: Bucket;
  readonly accessLogsBucket: Bucket;
  readonly signingKey: Key;

  constructor(scope: Construct, id: string, props: EvidenceStoreProps) {
    super(scope, id);

    this.accessLogsBucket = accessLogsBucket(this, 'AccessLogs', props.retentionDays);

    this.bucket = new Bucket(this, 'Bucket', {
      ...PRIVATE_BUCKET,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      objectLockEnabled: true,
      objectLockDefaultRetention: ObjectLockRetention.compliance(Duration.days(props.retentionDays)),
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'reports/',
    });
    // Object Lock keeps every version; a delete without a version id would still add a delete marker
    // that hides the pack from its readers. Nobody deletes here.
    this.bucket.addToResourcePolicy(
      new PolicyStatement({
        sid: 'DenyObjectDeletes',
        effect: Effect.DENY,
        principals: [new AnyPrincipal()],
        actions: ['s3:DeleteObject', 's3:DeleteObjectVersion'],
        resources: [this.bucket.arnForObjects('*')],
      }),
    );

    this.signingKey = new Key(this, 'SigningKey', {
      description: 'Signs the manifests of campaign evidence packs (RSASSA_PKCS1_V1_5_SHA_256); auditors verify with its public key',
      keySpec: KeySpec.RSA_2048,
      keyUsage: KeyUsage.SIGN_VERIFY,
      alias: `alias/${Stack.of(this).stackName}/evidence-signing`,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /**
   * What the administrators' `idgov --aws evidence export|public-key|verify` needs: read the packs
   * (GetObject under evidence/, no listing, no delete) and the key's public half (GetPublicKey,
   * Verify; never Sign).
   */
  grantAdministrators(policy: ManagedPolicy): void {
    const packs = this.bucket.arnForObjects(`${EVIDENCE_KEY_PREFIX}*`);
    policy.addStatements(
      new PolicyStatement({ sid: 'ReadEvidencePacks', actions: ['s3:GetObject'], resources: [packs] }),
      new PolicyStatement({ sid: 'VerifyEvidenceSignatures', actions: ['kms:GetPublicKey', 'kms:Verify'], resources: [this.signingKey.keyArn] }),
    );
    Validations.of(policy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagName(policy, packs)}]`,
      reason: 'GetObject on the evidence packs of the reports bucket: every pack is under evidence/<campaignId>/<runId>/, named by runs that do not exist at deployment.',
    });
  }
}

/**
 * The reports bucket and signing key of the stateful stack, in the stateless stack: imported by the
 * fixed export names of lib/stack-outputs.ts (evidenceExportNames), so that the grant on the packs
 * names a resource a reviewer can read, and acknowledge, without construct-path hashes.
 */
export function importEvidenceArchive(scope: Construct, exports: { reportsBucketArn: string; evidenceKeyArn: string }): EvidenceArchiveResources {
  return {
    bucket: Bucket.fromBucketArn(scope, 'ReportsBucket', Fn.importValue(exports.reportsBucketArn)),
    signingKey: Key.fromKeyArn(scope, 'EvidenceSigningKey', Fn.importValue(exports.evidenceKeyArn)),
  };
}

/**
 * Lets the archive-evidence function archive evidence: PutObject and GetObject under evidence/ of the
 * reports bucket (no delete, no listing: writes are If-None-Match, and a file is read back only
 * after S3 said it exists), Sign and GetPublicKey with the signing key; and sets REPORTS_BUCKET_NAME
 * and EVIDENCE_KEY_ID, so that grant and environment never drift apart.
 */
export function bindEvidenceArchive(fn: AppFunction, { bucket, signingKey }: EvidenceArchiveResources): void {
  fn.addEnvironment(ENV.reportsBucket, bucket.bucketName);
  fn.addEnvironment(ENV.evidenceKeyId, signingKey.keyArn);
  const packs = bucket.arnForObjects(`${EVIDENCE_KEY_PREFIX}*`);
  Grant.addToPrincipal({ grantee: fn, actions: ['s3:PutObject', 's3:GetObject'], resourceArns: [packs] });
  Grant.addToPrincipal({ grantee: fn, actions: ['kms:Sign', 'kms:GetPublicKey'], resourceArns: [signingKey.keyArn] });
  Validations.of(fn.serviceRole).acknowledge({
    id: `AwsSolutions-IAM5[Resource::${nagName(fn, packs)}]`,
    reason: 'PutObject and GetObject on the evidence packs of the reports bucket: every pack is under evidence/<campaignId>/<runId>/, named by runs that do not exist at deployment.',
  });
}
