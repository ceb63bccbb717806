// Where evidence outlives the operational data (lib/constructs/evidence-store.ts): the reports
// bucket (encrypted, TLS only, private, versioned, S3 Object Lock in COMPLIANCE mode for the
// configured retention, object deletes denied to everyone, access logged, retained), the RSA signing
// key (SIGN_VERIFY, retained, aliased), the outputs the CLI reads, and who may do what with them:
// the controller writes and reads packs and signs, administrators read and verify, nobody deletes.
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ENV } from '../../lambdas/shared/config/tables.js';
import { DEFAULT_EVIDENCE_RETENTION_DAYS, EVIDENCE_RETENTION_CONTEXT, evidenceRetentionDaysFromContext } from '../../lib/constructs/evidence-store.js';
import { STATEFUL_OUTPUTS } from '../../lib/stack-outputs.js';
import { buildStacks, logicalIdOf, resolveImports } from './idgov-app.js';

type Resource = { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string; UpdateReplacePolicy?: string };
interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Principal?: unknown;
  Condition?: unknown;
  Sid?: string;
}
const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

const { stateful, stateless } = buildStacks();
const template = Template.fromStack(stateful);
const statelessTemplate = Template.fromStack(stateless);
const resources = template.toJSON().Resources as Record<string, Resource>;
const bucketId = logicalIdOf(stateful.evidence.bucket);
const logsId = logicalIdOf(stateful.evidence.accessLogsBucket);
const keyId = logicalIdOf(stateful.evidence.signingKey);
const bucketArn = { 'Fn::GetAtt': [bucketId, 'Arn'] };
const packsArn = { 'Fn::Join': ['', [bucketArn, '/evidence/*']] };
const keyArn = { 'Fn::GetAtt': [keyId, 'Arn'] };

/** Every IAM statement of both stacks (imports resolved), with the logical id of what holds it. */
function allStatements(): (Statement & { owner: string; stack: string })[] {
  return [
    ['stateful', template],
    ['stateless', statelessTemplate],
  ].flatMap(([stack, t]) => {
    const tpl = t as Template;
    const documents = [
      ...Object.entries(tpl.findResources('AWS::IAM::Policy')).map(([id, r]) => [id, r.Properties.PolicyDocument]),
      ...Object.entries(tpl.findResources('AWS::IAM::ManagedPolicy')).map(([id, r]) => [id, r.Properties.PolicyDocument]),
    ] as [string, { Statement: Statement[] }][];
    return documents.flatMap(([owner, document]) =>
      document.Statement.map((statement) => ({ ...(resolveImports(statement, template) as Statement), owner, stack: stack as string })),
    );
  });
}

const mentions = (statement: Statement, id: string) => JSON.stringify(statement.Resource).includes(`"${id}"`);

describe('the reports bucket', () => {
  const bucket = resources[bucketId]!;

  it('is encrypted, private, owned by its owner, versioned and retained', () => {
    expect(bucket.Properties).toMatchObject({
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      VersioningConfiguration: { Status: 'Enabled' },
    });
    expect(bucket.DeletionPolicy).toBe('Retain');
    expect(bucket.UpdateReplacePolicy).toBe('Retain');
  });

  it('locks every object in COMPLIANCE mode for 2557 days (seven years) by default', () => {
    expect(DEFAULT_EVIDENCE_RETENTION_DAYS).toBe(2557);
    expect(bucket.Properties.ObjectLockEnabled).toBe(true);
    expect(bucket.Properties.ObjectLockConfiguration).toEqual({ ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 2557 } } });
  });

  it(`takes the retention from the ${EVIDENCE_RETENTION_CONTEXT} context, and refuses a bad one naming it`, () => {
    const { stateful: other } = buildStacks(undefined, { [EVIDENCE_RETENTION_CONTEXT]: '3650' });
    const lock = Template.fromStack(other).toJSON().Resources[logicalIdOf(other.evidence.bucket)].Properties.ObjectLockConfiguration;
    expect(lock.Rule.DefaultRetention).toEqual({ Mode: 'COMPLIANCE', Days: 3650 });
    expect(evidenceRetentionDaysFromContext(365)).toBe(365);
    for (const bad of ['0', '-1', '7y', '36501', '1.5', '']) {
      expect(() => evidenceRetentionDaysFromContext(bad)).toThrow(`context ${EVIDENCE_RETENTION_CONTEXT}: must be a whole number of days from 1 to 36500, got "${bad}"`);
    }
  });

  const policyOf = (id: string) => {
    const policies = Object.values(template.findResources('AWS::S3::BucketPolicy')).filter((p) => JSON.stringify(p.Properties.Bucket) === JSON.stringify({ Ref: id }));
    expect(policies).toHaveLength(1);
    return policies[0]!.Properties.PolicyDocument.Statement as Statement[];
  };

  it.each([
    ['reports', () => bucketId],
    ['access logs', () => logsId],
  ])('refuses plain HTTP (%s bucket)', (_name, id) => {
    expect(policyOf(id())).toContainEqual(expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
  });

  it('denies every object delete to everyone, so that not even a delete marker hides a pack', () => {
    expect(policyOf(bucketId)).toContainEqual({
      Sid: 'DenyObjectDeletes',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: ['s3:DeleteObject', 's3:DeleteObjectVersion'],
      Resource: { 'Fn::Join': ['', [bucketArn, '/*']] },
    });
  });

  it('logs its accesses to a bucket of its own, private, encrypted, kept as long as the evidence', () => {
    expect(bucket.Properties.LoggingConfiguration).toEqual({ DestinationBucketName: { Ref: logsId }, LogFilePrefix: 'reports/' });
    expect(resources[logsId]!.Properties).toMatchObject({
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      LifecycleConfiguration: { Rules: [{ ExpirationInDays: 2557, Status: 'Enabled' }] },
    });
    expect(resources[logsId]!.DeletionPolicy).toBe('Retain');
  });
});

describe('the evidence signing key', () => {
  it('is an RSA 2048 SIGN_VERIFY key, retained, with an alias of the stack', () => {
    const key = resources[keyId]!;
    expect(key.Type).toBe('AWS::KMS::Key');
    expect(key.Properties).toMatchObject({ KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' });
    // Asymmetric keys do not rotate: a new key signs new packs, and each manifest names its key.
    expect(key.Properties.EnableKeyRotation ?? false).toBe(false);
    expect(key.DeletionPolicy).toBe('Retain');
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/IdGovStateful/evidence-signing', TargetKeyId: keyArn });
  });
});

describe('outputs', () => {
  it('name the bucket and the key for the CLI, and export both under fixed names for the stateless stack', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown; Export?: { Name: string } }>;
    expect(outputs[STATEFUL_OUTPUTS.reportsBucketName]!.Value).toEqual({ Ref: bucketId });
    expect(outputs[STATEFUL_OUTPUTS.evidenceKeyArn]!.Value).toEqual(keyArn);
    const exported = Object.values(outputs).filter((o) => o.Export);
    expect(exported).toContainEqual({ Value: bucketArn, Export: { Name: 'IdGovStateful-ReportsBucketArn' } });
    expect(exported).toContainEqual({ Value: keyArn, Export: { Name: 'IdGovStateful-EvidenceSigningKeyArn' } });
  });
});

describe('who may do what with the evidence', () => {
  const statements = allStatements();
  const controllerPolicy = logicalIdOf(stateless.controller.function.serviceRole.node.findChild('DefaultPolicy'));
  const administratorsPolicy = logicalIdOf(stateful.administrators.policy);

  it('lets the controller put and get packs under evidence/ and sign, through the variables it reads', () => {
    const controller = statements.filter((s) => s.owner === controllerPolicy);
    const grant = (s: Statement) => ({ effect: s.Effect, actions: asList(s.Action).sort(), resource: s.Resource });
    expect(controller.filter((s) => mentions(s, bucketId)).map(grant)).toEqual([{ effect: 'Allow', actions: ['s3:GetObject', 's3:PutObject'], resource: packsArn }]);
    expect(controller.filter((s) => mentions(s, keyId)).map(grant)).toEqual([{ effect: 'Allow', actions: ['kms:GetPublicKey', 'kms:Sign'], resource: keyArn }]);
    const env = statelessTemplate.toJSON().Resources[logicalIdOf(stateless.controller.function)].Properties.Environment.Variables;
    expect(JSON.stringify(resolveImports(env[ENV.reportsBucket], template))).toContain(JSON.stringify(bucketArn));
    expect(resolveImports(env[ENV.evidenceKeyId], template)).toEqual(keyArn);
  });

  it('lets administrators read packs and verify, never sign', () => {
    const admins = statements.filter((s) => s.owner === administratorsPolicy);
    expect(admins.filter((s) => mentions(s, bucketId))).toEqual([{ Sid: 'ReadEvidencePacks', Effect: 'Allow', Action: 's3:GetObject', Resource: packsArn, owner: administratorsPolicy, stack: 'stateful' }]);
    expect(admins.filter((s) => mentions(s, keyId)).map((s) => [s.Sid, asList(s.Action).sort(), s.Resource])).toEqual([['VerifyEvidenceSignatures', ['kms:GetPublicKey', 'kms:Verify'], keyArn]]);
  });

  it('gives nobody else the bucket or the key, and no one any delete, wildcard S3 action or Sign but the controller', () => {
    const onEvidence = statements.filter((s) => s.Effect === 'Allow' && (mentions(s, bucketId) || mentions(s, keyId)));
    expect(new Set(onEvidence.map((s) => s.owner))).toEqual(new Set([controllerPolicy, administratorsPolicy]));
    const actions = statements.filter((s) => s.Effect === 'Allow').flatMap((s) => asList(s.Action).map((action) => ({ action, owner: s.owner, resource: s.Resource })));
    // s3:Delete* only in CDK's runbooks deployment role, on the runbooks bucket: never on the reports bucket.
    const deletes = actions.filter((a) => /^s3:(Delete|\*)/.test(a.action) || a.action === '*');
    expect(deletes.filter((a) => JSON.stringify(a.resource).includes(`"${bucketId}"`))).toEqual([]);
    for (const fn of Object.values(stateless.jobs).map((job) => job.function)) {
      const policy = logicalIdOf(fn.serviceRole.node.findChild('DefaultPolicy'));
      expect(deletes.filter((a) => a.owner === policy), fn.node.path).toEqual([]);
    }
    expect(actions.filter((a) => a.action === 'kms:Sign').map((a) => a.owner)).toEqual([controllerPolicy]);
  });
});
