// The evidence archive on AWS: the reports bucket (versioned, S3 Object Lock in compliance mode, so
// a stored object can be neither replaced nor deleted before its retention ends). A file is written
// only if its key is free (PutObject If-None-Match: *), with its SHA-256 for S3 to check on arrival.
import { createHash } from 'node:crypto';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { archiveKey, mediaTypeOf } from '../domain/evidence/manifest.js';
import type { EvidenceArchive, EvidenceFile } from '../use-cases/ports.js';

export interface S3EvidenceArchiveOptions {
  client: S3Client;
  bucket: string;
}

export class S3EvidenceArchive implements EvidenceArchive {
  private readonly client: S3Client;
  private readonly bucket: string;

  constructor(options: S3EvidenceArchiveOptions) {
    if (!options.bucket.trim()) throw new Error('S3EvidenceArchive needs a bucket name');
    this.client = options.client;
    this.bucket = options.bucket;
  }

  async putIfAbsent(prefix: string, file: EvidenceFile): Promise<boolean> {
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: archiveKey(prefix, file.name),
          Body: file.content,
          ContentType: mediaTypeOf(file.name),
          // Never replace: a stored file stays as it is (a re-run after a kill finds it there).
          IfNoneMatch: '*',
          // Object Lock buckets require an integrity checksum on every write; S3 refuses a body that does not match it.
          ChecksumAlgorithm: 'SHA256',
          ChecksumSHA256: createHash('sha256').update(file.content).digest('base64'),
        }),
      );
      return true;
    } catch (error) {
      if (isPreconditionFailed(error)) return false;
      throw error;
    }
  }

  async get(prefix: string, name: string): Promise<Uint8Array | undefined> {
    try {
      const output = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: archiveKey(prefix, name) }));
      return output.Body ? new Uint8Array(await output.Body.transformToByteArray()) : new Uint8Array();
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  describe(prefix: string): string {
    return `s3://${this.bucket}/${prefix}/`;
  }
}

type ServiceError = { name?: string; $metadata?: { httpStatusCode?: number } };

/** 412: an object already has that key (If-None-Match: *). */
const isPreconditionFailed = (error: unknown) =>
  (error as ServiceError)?.name === 'PreconditionFailed' || (error as ServiceError)?.$metadata?.httpStatusCode === 412;

/** 404: no such key. (A 403 stays an error: without s3:ListBucket S3 answers a missing key so, and that is a grant to fix.) */
const isNotFound = (error: unknown) => (error as ServiceError)?.name === 'NoSuchKey' || (error as ServiceError)?.$metadata?.httpStatusCode === 404;
