// The runbooks bucket (lib/constructs/runbooks-bucket.ts): encrypted, TLS only, private, versioned,
// logged and retained; docs/runbooks/{sop,runbooks,templates} deployed to the same prefixes, staged
// at synth without Docker.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { RUNBOOK_PREFIXES, RUNBOOKS_FOLDER } from '../../lib/constructs/runbooks-bucket.js';
import { buildStacks, logicalIdOf, PROJECT_ROOT } from './idgov-app.js';

const { app, stateful } = buildStacks();
const template = Template.fromStack(stateful);
const runbooks = stateful.runbooks;
const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string }>;
const bucketId = logicalIdOf(runbooks.bucket);
const logsId = logicalIdOf(runbooks.accessLogsBucket);

/** Every file under `dir`, relative to it, sorted. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

describe('the runbooks bucket', () => {
  const bucket = resources[bucketId]!;

  it('is encrypted, private, owned by its owner, versioned and retained', () => {
    expect(bucket.Properties).toMatchObject({
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      VersioningConfiguration: { Status: 'Enabled' },
    });
    expect(bucket.DeletionPolicy).toBe('Retain');
  });

  it('logs its accesses to a bucket of its own, encrypted and private too', () => {
    expect(bucket.Properties.LoggingConfiguration).toEqual({ DestinationBucketName: { Ref: logsId }, LogFilePrefix: 'runbooks/' });
    expect(resources[logsId]!.Properties).toMatchObject({
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, RestrictPublicBuckets: true },
    });
  });

  it.each([
    ['runbooks', () => bucketId],
    ['access logs', () => logsId],
  ])('refuses plain HTTP (%s bucket)', (_name, id) => {
    const policies = Object.values(template.findResources('AWS::S3::BucketPolicy')).filter(
      (policy) => JSON.stringify(policy.Properties.Bucket) === JSON.stringify({ Ref: id() }),
    );
    expect(policies).toHaveLength(1);
    expect(policies[0]!.Properties.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
  });
});

describe('the runbooks deployment', () => {
  const [deployment, ...others] = Object.values(template.findResources('Custom::CDKBucketDeployment'));

  it('copies one staged folder to the bucket, pruning what the repository no longer holds', () => {
    expect(others).toEqual([]);
    expect(deployment!.Properties).toMatchObject({ DestinationBucketName: { Ref: bucketId }, Prune: true });
    // The prefixes are the folder names: the staged folder holds sop/, runbooks/ and templates/.
    expect(deployment!.Properties.DestinationBucketKeyPrefix).toBeUndefined();
    expect(deployment!.Properties.SourceObjectKeys).toHaveLength(1);
  });

  it('stages exactly the files of docs/runbooks/{sop,runbooks,templates}, each under its prefix, at synth and without Docker', () => {
    const assembly = app.synth();
    const manifest = JSON.parse(readFileSync(join(assembly.directory, `${stateful.artifactId}.assets.json`), 'utf8')) as {
      files: Record<string, { source: { path: string; packaging?: string } }>;
    };
    const staged = Object.values(manifest.files)
      .filter((file) => file.source.packaging === 'zip')
      .map((file) => join(assembly.directory, file.source.path))
      .filter((dir) => RUNBOOK_PREFIXES.some((prefix) => existsSync(join(dir, prefix))));
    expect(staged).toHaveLength(1);
    const expected = RUNBOOK_PREFIXES.flatMap((prefix) =>
      filesUnder(join(PROJECT_ROOT, RUNBOOKS_FOLDER, prefix)).map((file) => `${prefix}/${file}`),
    ).sort();
    expect(expected.length).toBeGreaterThanOrEqual(RUNBOOK_PREFIXES.length);
    expect(filesUnder(staged[0]!)).toEqual(expected);
  });

  it('runs with a role of its own: no managed policy, logs in an explicit log group kept a year', () => {
    const role = resources[logicalIdOf(runbooks.deploymentRole)]!;
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    const handler = Object.values(resources).find(
      (resource) => resource.Type === 'AWS::Lambda::Function' && JSON.stringify(resource.Properties.Role).includes(logicalIdOf(runbooks.deploymentRole)),
    );
    expect(handler!.Properties.LoggingConfig).toEqual({ LogGroup: { Ref: logicalIdOf(runbooks.deploymentLogGroup) } });
    expect(resources[logicalIdOf(runbooks.deploymentLogGroup)]!.Properties.RetentionInDays).toBe(365);
  });
});
