// Evidence archive and signer in memory, for unit tests: the same absent-only writes, and a real RSA
// key (made at its first use) signing as the KMS key does.
import { constants, createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { archiveKey } from '../../domain/evidence/manifest.js';
import type { EvidenceArchive, EvidenceFile, EvidenceSigner } from '../../use-cases/ports.js';

export class InMemoryEvidenceArchive implements EvidenceArchive {
  readonly files = new Map<string, Uint8Array>();

  async putIfAbsent(prefix: string, file: EvidenceFile): Promise<boolean> {
    const key = archiveKey(prefix, file.name);
    if (this.files.has(key)) return false;
    this.files.set(key, new Uint8Array(file.content));
    return true;
  }

  async get(prefix: string, name: string): Promise<Uint8Array | undefined> {
    const content = this.files.get(archiveKey(prefix, name));
    return content && new Uint8Array(content);
  }

  describe(prefix: string): string {
    return `memory:${prefix}/`;
  }
}

export class InMemoryKeySigner implements EvidenceSigner {
  private pair?: { privateKey: KeyObject; publicKeyPem: string };

  constructor(private readonly id = 'memory') {}

  async keyId(): Promise<string> {
    return `${this.id}:${createHash('sha256').update(this.keys().publicKeyPem).digest('hex').slice(0, 16)}`;
  }

  async publicKeyPem(): Promise<string> {
    return this.keys().publicKeyPem;
  }

  async sign(message: Uint8Array): Promise<Uint8Array> {
    return new Uint8Array(sign('sha256', message, { key: this.keys().privateKey, padding: constants.RSA_PKCS1_PADDING }));
  }

  private keys() {
    if (!this.pair) {
      const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      this.pair = { privateKey, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
    }
    return this.pair;
  }
}
