// The evidence signing key of the local runtime: an RSA 2048 key pair made at its first use under
// `$IDGOV_HOME/keys/` (evidence-signing.pem, mode 0600, and evidence-signing.pub.pem for auditors),
// signing RSASSA_PKCS1_V1_5_SHA_256 like the KMS key on AWS. Created exclusively (a temporary file
// linked under the name), so two processes that start at once end up with one key.
import { constants, createHash, createPrivateKey, createPublicKey, generateKeyPair, randomUUID, sign, type KeyObject } from 'node:crypto';
import { link, mkdir, open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ValidationError } from '../../lambdas/shared/domain/errors.js';
import type { EvidenceSigner } from '../../lambdas/shared/use-cases/ports.js';

export const PRIVATE_KEY_FILE = 'evidence-signing.pem';
export const PUBLIC_KEY_FILE = 'evidence-signing.pub.pem';

const generate = promisify(generateKeyPair);

/** `local:` and the first 16 hex digits of the SHA-256 of the public key's SPKI DER. */
export const localKeyId = (publicKey: KeyObject): string =>
  `local:${createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 16)}`;

export class LocalKeySigner implements EvidenceSigner {
  private keys?: Promise<{ privateKey: KeyObject; publicKey: KeyObject; publicKeyPem: string }>;

  /** `folder` is `$IDGOV_HOME/keys`. */
  constructor(readonly folder: string) {}

  static forHome(home: string): LocalKeySigner {
    return new LocalKeySigner(join(home, 'keys'));
  }

  get privateKeyPath(): string {
    return join(this.folder, PRIVATE_KEY_FILE);
  }

  get publicKeyPath(): string {
    return join(this.folder, PUBLIC_KEY_FILE);
  }

  async keyId(): Promise<string> {
    return localKeyId((await this.load()).publicKey);
  }

  async publicKeyPem(): Promise<string> {
    return (await this.load()).publicKeyPem;
  }

  async sign(message: Uint8Array): Promise<Uint8Array> {
    return new Uint8Array(sign('sha256', message, { key: (await this.load()).privateKey, padding: constants.RSA_PKCS1_PADDING }));
  }

  private load() {
    this.keys ??= this.loadOrCreate().catch((error: unknown) => {
      this.keys = undefined;
      throw error;
    });
    return this.keys;
  }

  private async loadOrCreate() {
    let pem = await readIfPresent(this.privateKeyPath);
    if (pem === undefined) {
      await mkdir(this.folder, { recursive: true, mode: 0o700 });
      const { privateKey } = await generate('rsa', { modulusLength: 2048 });
      await createExclusive(this.privateKeyPath, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), 0o600);
      // Another process may have won the race: its key is the key.
      pem = (await readIfPresent(this.privateKeyPath))!;
    }
    let privateKey: KeyObject;
    try {
      privateKey = createPrivateKey(pem);
    } catch (error) {
      throw new ValidationError(`${this.privateKeyPath} is not a PEM private key (${(error as Error).message})`, 'key');
    }
    if (privateKey.asymmetricKeyType !== 'rsa') throw new ValidationError(`${this.privateKeyPath} must be an RSA key`, 'key');
    const publicKey = createPublicKey(privateKey);
    const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    // The public half, for auditors and `evidence verify`; derived again if it was lost.
    await createExclusive(this.publicKeyPath, publicKeyPem, 0o644);
    const stored = await readIfPresent(this.publicKeyPath);
    if (stored !== publicKeyPem) throw new ValidationError(`${this.publicKeyPath} is not the public key of ${this.privateKeyPath}; remove it and it is written again`, 'key');
    return { privateKey, publicKey, publicKeyPem };
  }
}

/** The public key PEM of the local signing key, read without creating one; undefined when there is none. */
export async function readLocalPublicKey(home: string): Promise<string | undefined> {
  const signer = LocalKeySigner.forHome(home);
  return (await readIfPresent(signer.publicKeyPath)) ?? ((await readIfPresent(signer.privateKeyPath)) === undefined ? undefined : signer.publicKeyPem());
}

async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Writes `path` unless it exists: a temporary file linked under the name, never a partial file under it. */
async function createExclusive(path: string, content: string, mode: number): Promise<void> {
  const temporary = `${path}.${randomUUID()}.tmp`;
  const handle = await open(temporary, 'wx', mode);
  try {
    // Exactly `mode`, whatever the umask.
    await handle.chmod(mode);
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(temporary, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await rm(temporary, { force: true });
  }
}
