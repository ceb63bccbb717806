// The KMS signer (lambdas/shared/adapters/kms-evidence-signer.ts): the exact Sign call (RAW, or the
// SHA-256 DIGEST of a longer message), the public key from GetPublicKey as PEM, and a refusal of a
// key that cannot sign so. A mocked KMS answers as KMS does (PKCS#1 v1.5 over the DigestInfo, made
// with a local key): a pack it signs verifies with the public key alone.
import 'aws-sdk-client-mock-vitest/extend';
import { constants, createHash, createPublicKey, generateKeyPairSync, privateEncrypt } from 'node:crypto';
import { GetPublicKeyCommand, KMSClient, SignCommand, type SignCommandInput } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { KmsEvidenceSigner } from '../../../lambdas/shared/adapters/kms-evidence-signer.js';
import { buildEvidencePack, verifyEvidencePack } from '../../../lambdas/shared/use-cases/evidence/evidence-pack.js';
import { settledRun, stubReports } from '../../support/evidence.js';

const kms = mockClient(KMSClient);
const KEY_ARN = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const ALIAS = 'alias/IdGovStateful/evidence-signing';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const der = new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }));
const signer = () => new KmsEvidenceSigner({ client: new KMSClient({ region: 'eu-west-1' }), keyId: ALIAS });

/** What KMS does for RSASSA_PKCS1_V1_5_SHA_256: PKCS#1 v1.5 over the DER DigestInfo of the SHA-256 (of a RAW message, or the DIGEST given). */
function kmsSign(input: SignCommandInput) {
  const message = input.Message as Uint8Array;
  const digest = input.MessageType === 'DIGEST' ? message : createHash('sha256').update(message).digest();
  const digestInfo = Buffer.concat([Buffer.from('3031300d060960864801650304020105000420', 'hex'), digest]);
  return { KeyId: KEY_ARN, SigningAlgorithm: input.SigningAlgorithm, Signature: new Uint8Array(privateEncrypt({ key: privateKey, padding: constants.RSA_PKCS1_PADDING }, digestInfo)) };
}

describe('KmsEvidenceSigner', () => {
  beforeEach(() => {
    kms.reset();
    kms.on(GetPublicKeyCommand).resolves({ KeyId: KEY_ARN, PublicKey: der, KeyUsage: 'SIGN_VERIFY', KeySpec: 'RSA_2048', SigningAlgorithms: ['RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PSS_SHA_256'] });
    kms.on(SignCommand).callsFake(kmsSign);
  });

  it('signs a manifest as a RAW message with RSASSA_PKCS1_V1_5_SHA_256', async () => {
    const message = new TextEncoder().encode('{"format":"idgov-evidence/1"}\n');
    const signature = await signer().sign(message);
    expect(kms).toHaveReceivedCommandExactlyOnceWith(SignCommand, { KeyId: ALIAS, Message: message, MessageType: 'RAW', SigningAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_256' });
    expect(signature).toHaveLength(256);
  });

  it('signs a message over 4096 bytes by its SHA-256 DIGEST, giving the signature RAW would', async () => {
    const long = new Uint8Array(5000).fill(65);
    const signature = await signer().sign(long);
    expect(kms).toHaveReceivedCommandWith(SignCommand, { MessageType: 'DIGEST', Message: new Uint8Array(createHash('sha256').update(long).digest()) });
    expect(signature).toEqual(kmsSign({ KeyId: ALIAS, Message: long, MessageType: 'RAW', SigningAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_256' }).Signature);
  });

  it('names the key by the ARN GetPublicKey gives, and its public key as SPKI PEM, asking KMS once', async () => {
    const s = signer();
    expect(await s.keyId()).toBe(KEY_ARN);
    const pem = await s.publicKeyPem();
    expect(pem).toMatch(/^-----BEGIN PUBLIC KEY-----\n[\s\S]+\n-----END PUBLIC KEY-----\n$/);
    expect(createPublicKey(pem).export({ type: 'spki', format: 'der' })).toEqual(Buffer.from(der));
    expect(kms).toHaveReceivedCommandExactlyOnceWith(GetPublicKeyCommand, { KeyId: ALIAS });
  });

  it('refuses a key that is not an RSA signing key, naming it, and asks again next time', async () => {
    kms
      .on(GetPublicKeyCommand)
      .resolvesOnce({ KeyId: KEY_ARN, PublicKey: der, KeyUsage: 'ENCRYPT_DECRYPT', EncryptionAlgorithms: ['RSAES_OAEP_SHA_256'] })
      .resolves({ KeyId: KEY_ARN, PublicKey: der, KeyUsage: 'SIGN_VERIFY', SigningAlgorithms: ['RSASSA_PKCS1_V1_5_SHA_256'] });
    const s = signer();
    await expect(s.publicKeyPem()).rejects.toThrow(`KMS key ${KEY_ARN} cannot sign evidence: its usage is ENCRYPT_DECRYPT and its algorithms none`);
    await expect(s.publicKeyPem()).resolves.toMatch(/BEGIN PUBLIC KEY/);
  });

  it('signs packs that verify offline with the exported public key alone', async () => {
    const run = await settledRun();
    const s = signer();
    const files = await buildEvidencePack({ ...run, signer: s, reports: stubReports }, 'c-test', new Date('2026-09-01T00:00:00.000Z'));
    const map = new Map(files.map((f) => [f.name, f.content]));
    expect(JSON.parse(new TextDecoder().decode(map.get('manifest.json'))).signature.keyId).toBe(KEY_ARN);
    expect(await verifyEvidencePack(map, await s.publicKeyPem())).toMatchObject({ ok: true });
  });
});
