// Where the runtime archives evidence packs and what signs them: locally $IDGOV_HOME/evidence and the
// key pair under $IDGOV_HOME/keys; on AWS the deployment's reports bucket and KMS signing key, each
// resolved at its first use (commands that never touch evidence work with a deployment without them).
import { REQUEST_HANDLER } from '../../lambdas/shared/adapters/aws-clients.js';
import type { EvidenceArchive, EvidenceSigner } from '../../lambdas/shared/use-cases/ports.js';
import type { Deployment } from '../aws/deployment.js';
import { LocalEvidenceArchive } from './local-evidence-archive.js';
import { LocalKeySigner } from './local-key-signer.js';

export interface EvidenceWiring {
  evidenceArchive: EvidenceArchive;
  evidenceSigner: EvidenceSigner;
}

export const localEvidence = (home: string): EvidenceWiring => ({
  evidenceArchive: new LocalEvidenceArchive(home),
  evidenceSigner: LocalKeySigner.forHome(home),
});

/**
 * The deployment's bucket and key. The S3 and KMS clients load at first use: every `idgov` command
 * starts a process, and most never touch evidence.
 */
export function deployedEvidence(deployment: Deployment): EvidenceWiring {
  const archive = once(async () => {
    const [{ S3Client }, { S3EvidenceArchive }] = await Promise.all([
      import('@aws-sdk/client-s3'),
      import('../../lambdas/shared/adapters/s3-evidence-archive.js'),
    ]);
    return new S3EvidenceArchive({ client: new S3Client({ requestHandler: REQUEST_HANDLER }), bucket: deployment.reportsBucketName });
  });
  const signer = once(async () => {
    const [{ KMSClient }, { KmsEvidenceSigner }] = await Promise.all([
      import('@aws-sdk/client-kms'),
      import('../../lambdas/shared/adapters/kms-evidence-signer.js'),
    ]);
    return new KmsEvidenceSigner({ client: new KMSClient({ requestHandler: REQUEST_HANDLER }), keyId: deployment.evidenceKeyArn });
  });
  return {
    evidenceArchive: {
      putIfAbsent: async (prefix, file) => (await archive()).putIfAbsent(prefix, file),
      get: async (prefix, name) => (await archive()).get(prefix, name),
      // As S3EvidenceArchive says it, without loading the client.
      describe: (prefix) => `s3://${deployment.reportsBucketName}/${prefix}/`,
    },
    evidenceSigner: {
      keyId: async () => (await signer()).keyId(),
      publicKeyPem: async () => (await signer()).publicKeyPem(),
      sign: async (message) => (await signer()).sign(message),
    },
  };
}

function once<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= make());
}
