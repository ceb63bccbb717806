// Signs evidence manifests with an asymmetric KMS key (RSA_2048, SIGN_VERIFY) of the stateful stack:
// RSASSA_PKCS1_V1_5_SHA_256, the same signature `openssl dgst -sha256 -verify` and the CLI's
// `evidence verify` check with the key's public half (GetPublicKey), offline.
import { createHash, createPublicKey } from 'node:crypto';
import { GetPublicKeyCommand, SignCommand, type KMSClient } from '@aws-sdk/client-kms';
import { SIGNING_ALGORITHM } from '../domain/evidence/manifest.js';
import type { EvidenceSigner } from '../use-cases/ports.js';

/** KMS signs a RAW message of at most 4096 bytes; a longer one is signed by its SHA-256 digest (the same signature). */
export const KMS_RAW_MESSAGE_LIMIT = 4096;

export interface KmsEvidenceSignerOptions {
  client: KMSClient;
  /** Key id, key ARN, alias name or alias ARN. */
  keyId: string;
}

export class KmsEvidenceSigner implements EvidenceSigner {
  private readonly client: KMSClient;
  private readonly configuredKeyId: string;
  private publicKey?: Promise<{ keyArn: string; pem: string }>;

  constructor(options: KmsEvidenceSignerOptions) {
    if (!options.keyId.trim()) throw new Error('KmsEvidenceSigner needs a key id');
    this.client = options.client;
    this.configuredKeyId = options.keyId;
  }

  /** The key's ARN (as GetPublicKey names it), whatever alias it was configured by. */
  async keyId(): Promise<string> {
    return (await this.describe()).keyArn;
  }

  async publicKeyPem(): Promise<string> {
    return (await this.describe()).pem;
  }

  async sign(message: Uint8Array): Promise<Uint8Array> {
    const raw = message.byteLength <= KMS_RAW_MESSAGE_LIMIT;
    const output = await this.client.send(
      new SignCommand({
        KeyId: this.configuredKeyId,
        Message: raw ? message : new Uint8Array(createHash('sha256').update(message).digest()),
        MessageType: raw ? 'RAW' : 'DIGEST',
        SigningAlgorithm: SIGNING_ALGORITHM,
      }),
    );
    if (!output.Signature) throw new Error(`KMS Sign with key ${this.configuredKeyId} returned no signature`);
    return output.Signature;
  }

  /** GetPublicKey once (a failed call is tried again next time); a key that cannot sign so is refused, naming it. */
  private describe(): Promise<{ keyArn: string; pem: string }> {
    this.publicKey ??= this.fetchPublicKey().catch((error: unknown) => {
      this.publicKey = undefined;
      throw error;
    });
    return this.publicKey;
  }

  private async fetchPublicKey(): Promise<{ keyArn: string; pem: string }> {
    const output = await this.client.send(new GetPublicKeyCommand({ KeyId: this.configuredKeyId }));
    if (!output.PublicKey || !output.KeyId) throw new Error(`KMS GetPublicKey of key ${this.configuredKeyId} returned no public key`);
    if (output.KeyUsage !== 'SIGN_VERIFY' || !output.SigningAlgorithms?.includes(SIGNING_ALGORITHM)) {
      throw new Error(
        `KMS key ${output.KeyId} cannot sign evidence: its usage is ${output.KeyUsage ?? 'unknown'} and its algorithms ` +
          `${output.SigningAlgorithms?.join(', ') || 'none'}; an RSA SIGN_VERIFY key (${SIGNING_ALGORITHM}) is needed`,
      );
    }
    const pem = createPublicKey({ key: Buffer.from(output.PublicKey), format: 'der', type: 'spki' }).export({ type: 'spki', format: 'pem' }).toString();
    return { keyArn: output.KeyId, pem };
  }
}
