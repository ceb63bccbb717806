// The reports bucket as the evidence archive (lambdas/shared/adapters/s3-evidence-archive.ts): the
// exact PutObject (absent-only, with its SHA-256), a 412 read as "already there", a missing key
// read as undefined, and every other failure passed on.
import 'aws-sdk-client-mock-vitest/extend';
import { createHash } from 'node:crypto';
import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client, S3ServiceException, type GetObjectCommandOutput } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { S3EvidenceArchive } from '../../../lambdas/shared/adapters/s3-evidence-archive.js';

const s3 = mockClient(S3Client);
const archive = () => new S3EvidenceArchive({ client: new S3Client({ region: 'eu-west-1' }), bucket: 'idgov-reports' });
const PREFIX = 'evidence/c-1/c-1#1';
const content = new TextEncoder().encode('entryId,itemId\r\ne-1,p-1\r\n');
const serviceError = (name: string, status: number) =>
  new S3ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: status }, message: `${name} (injected)` });
const body = (bytes: Uint8Array) => ({ transformToByteArray: async () => bytes }) as unknown as GetObjectCommandOutput['Body'];

describe('S3EvidenceArchive', () => {
  beforeEach(() => s3.reset());

  it('puts a file only if its key is free, with its media type and SHA-256', async () => {
    s3.on(PutObjectCommand).resolves({});
    await expect(archive().putIfAbsent(PREFIX, { name: 'report.csv', content })).resolves.toBe(true);
    expect(s3).toHaveReceivedCommandExactlyOnceWith(PutObjectCommand, {
      Bucket: 'idgov-reports',
      Key: 'evidence/c-1/c-1#1/report.csv',
      Body: content,
      ContentType: 'text/csv; charset=utf-8',
      IfNoneMatch: '*',
      ChecksumAlgorithm: 'SHA256',
      ChecksumSHA256: createHash('sha256').update(content).digest('base64'),
    });
  });

  it('answers false when the key is taken (412 Precondition Failed), leaving the object as it is', async () => {
    s3.on(PutObjectCommand).rejects(serviceError('PreconditionFailed', 412));
    await expect(archive().putIfAbsent(PREFIX, { name: 'manifest.json', content })).resolves.toBe(false);
  });

  it.each([
    ['a conflicting concurrent write (409)', serviceError('ConditionalRequestConflict', 409)],
    ['a refusal (403)', serviceError('AccessDenied', 403)],
  ])('passes on %s', async (_case, error) => {
    s3.on(PutObjectCommand).rejects(error);
    await expect(archive().putIfAbsent(PREFIX, { name: 'report.csv', content })).rejects.toBe(error);
  });

  it('gets a stored file by its key', async () => {
    s3.on(GetObjectCommand, { Bucket: 'idgov-reports', Key: 'evidence/c-1/c-1#1/report.json' }).resolves({ Body: body(content) });
    await expect(archive().get(PREFIX, 'report.json')).resolves.toEqual(content);
  });

  it('answers undefined for a missing key, and passes a refusal on (a missing s3:ListBucket shows as 403)', async () => {
    s3.on(GetObjectCommand).rejectsOnce(new NoSuchKey({ $metadata: { httpStatusCode: 404 }, message: 'The specified key does not exist.' })).rejectsOnce(serviceError('AccessDenied', 403));
    await expect(archive().get(PREFIX, 'report.json')).resolves.toBeUndefined();
    await expect(archive().get(PREFIX, 'report.json')).rejects.toThrow('AccessDenied (injected)');
  });

  it('refuses a key that would leave the prefix, sending nothing', async () => {
    await expect(archive().putIfAbsent(PREFIX, { name: '../x', content })).rejects.toThrow(/^name: /);
    await expect(archive().get('evidence/../other', 'report.csv')).rejects.toThrow(/^prefix: /);
    expect(s3.calls()).toHaveLength(0);
  });

  it('describes a prefix as an s3:// location', () => {
    expect(archive().describe(PREFIX)).toBe('s3://idgov-reports/evidence/c-1/c-1#1/');
  });
});
