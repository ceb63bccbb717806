// Where the runtime archives evidence packs and what signs them: locally $IDGOV_HOME/evidence and the
// key pair under $IDGOV_HOME/keys; on AWS the deployment's reports bucket and KMS signing key, each
// resolved at its first use (commands that never touch evidence work with a deployment without them).
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { REQUEST_HANDLER } from '../../lambdas/shared/adapters/aws-clients.js';
import { KmsEvidenceSigner } from '../../lambdas/shared/adapters/kms-evidence-signer.js';
import { S3EvidenceArchive } from '../../lambdas/shared/adapters/s3-evidence-archive.js';
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

export function deployedEvidence(deployment: Deployment): EvidenceWiring {
  const archive = once(() => new S3EvidenceArchive({ client: new S3Client({ requestHandler: REQUEST_HANDLER }), bucket: deployment.reportsBucketName }));
  const signer = once(() => new KmsEvidenceSigner({ client: new KMSClient({ requestHandler: REQUEST_HANDLER }), keyId: deployment.evidenceKeyArn }));
  return {
    evidenceArchive: {
      putIfAbsent: (prefix, file) => archive().putIfAbsent(prefix, file),
      get: (prefix, name) => archive().get(prefix, name),
      describe: (prefix) => archive().describe(prefix),
    },
    evidenceSigner: {
      keyId: () => signer().keyId(),
      publicKeyPem: () => signer().publicKeyPem(),
      sign: (message) => signer().sign(message),
    },
  };
}

function once<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= make());
}
