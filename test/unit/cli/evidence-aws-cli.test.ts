// `idgov --aws evidence public-key|verify` on a deployed stack: the KMS key comes from the stateful
// stack's output EvidenceSigningKeyArn (KMS mocked, answering as KMS does), and a deployment without
// that output is refused naming it.
import 'aws-sdk-client-mock-vitest/extend';
import { constants, createHash, generateKeyPairSync, privateEncrypt } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetPublicKeyCommand, KMSClient, SignCommand, type SignCommandInput } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { KmsEvidenceSigner } from '../../../lambdas/shared/adapters/kms-evidence-signer.js';
import { buildEvidencePack } from '../../../lambdas/shared/use-cases/evidence/evidence-pack.js';
import { runCli } from '../../../src/cli/main.js';
import { cdkOutputs, REGION, statefulOutputs, writeOutputsFile } from '../../support/cdk-outputs.js';
import { changeByte, settledRun, stubReports } from '../../support/evidence.js';

const kms = mockClient(KMSClient);
const KEY_ARN = statefulOutputs().EvidenceSigningKeyArn;
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

function kmsSign(input: SignCommandInput) {
  const digest = input.MessageType === 'DIGEST' ? (input.Message as Uint8Array) : createHash('sha256').update(input.Message as Uint8Array).digest();
  const digestInfo = Buffer.concat([Buffer.from('3031300d060960864801650304020105000420', 'hex'), digest]);
  return { KeyId: KEY_ARN, Signature: new Uint8Array(privateEncrypt({ key: privateKey, padding: constants.RSA_PKCS1_PADDING }, digestInfo)) };
}

let home: string;
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'idgov-evidence-aws-'));
  vi.stubEnv('IDGOV_HOME', home);
  vi.stubEnv('IDGOV_DEBUG', '');
  vi.stubEnv('AWS_REGION', REGION);
  vi.stubEnv('AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED', 'true');
  kms.reset();
  kms.on(GetPublicKeyCommand).resolves({ KeyId: KEY_ARN, PublicKey: new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })), KeyUsage: 'SIGN_VERIFY', SigningAlgorithms: ['RSASSA_PKCS1_V1_5_SHA_256'] });
  kms.on(SignCommand).callsFake(kmsSign);
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await rm(home, { recursive: true, force: true });
});

async function idgov(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const outSpy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  const errSpy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  try {
    return { code: await runCli(['node', 'idgov', ...args]), stdout, stderr };
  } finally {
    outSpy.mockRestore();
    errSpy.mockRestore();
  }
}

/** A pack the deployment's controller would archive: signed with the (mocked) KMS key. */
async function kmsSignedPack(): Promise<string> {
  const run = await settledRun();
  const signer = new KmsEvidenceSigner({ client: new KMSClient({ region: REGION }), keyId: KEY_ARN });
  const files = await buildEvidencePack({ ...run, signer, reports: stubReports }, 'c-test', new Date('2026-09-01T00:00:00.000Z'));
  const dir = join(home, 'pack');
  await mkdir(dir);
  for (const file of files) await writeFile(join(dir, file.name), file.content);
  return dir;
}

describe('idgov --aws evidence', () => {
  it("public-key writes the deployment's KMS public key (GetPublicKey of the output's key)", async () => {
    const outputs = writeOutputsFile(cdkOutputs());
    const path = join(home, 'kms.pem');
    const result = await idgov('--aws', '--outputs', outputs, 'evidence', 'public-key', '--out', path);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(new RegExp(`^public key of ${KEY_ARN} \\(SPKI SHA-256 [0-9a-f]{64}\\) written to ${path}\n$`));
    expect(await readFile(path, 'utf8')).toBe(publicKey.export({ type: 'spki', format: 'pem' }).toString());
    expect(kms).toHaveReceivedCommandWith(GetPublicKeyCommand, { KeyId: KEY_ARN });
  });

  it("verify checks a KMS-signed pack with the deployment's key when no --public-key is given", async () => {
    const dir = await kmsSignedPack();
    const outputs = writeOutputsFile(cdkOutputs());
    expect(await idgov('--aws', '--outputs', outputs, 'evidence', 'verify', dir)).toMatchObject({ code: 0, stdout: expect.stringMatching(/^verified: campaign c-test /) });
    // The local runtime has no key of its own here: without --aws there is nothing to verify with.
    expect(await idgov('evidence', 'verify', dir)).toMatchObject({ code: 2, stderr: expect.stringMatching(/^idgov: public-key: no local evidence key/) });
    await writeFile(join(dir, 'report.csv'), changeByte(new Map([['report.csv', new Uint8Array(await readFile(join(dir, 'report.csv')))]]), 'report.csv').get('report.csv')!);
    expect(await idgov('--aws', '--outputs', outputs, 'evidence', 'verify', dir)).toMatchObject({ code: 1, stderr: expect.stringMatching(/^idgov: evidence does not verify: report\.csv: was changed/) });
  });

  it('refuses a deployment without the key output, naming it', async () => {
    const { EvidenceSigningKeyArn: _key, ...older } = statefulOutputs();
    const outputs = writeOutputsFile({ ...cdkOutputs(), IdGovStateful: older });
    const result = await idgov('--aws', '--outputs', outputs, 'evidence', 'public-key', '--out', join(home, 'kms.pem'));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/stack IdGovStateful has no output EvidenceSigningKeyArn \(deploy the current version: npx cdk deploy --all\)/);
    expect(kms).not.toHaveReceivedAnyCommand();
  });
});
