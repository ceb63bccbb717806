// Local Amazon SES: the aws-ses-v2-local server in-process on 127.0.0.1, so that the dispatcher's
// real SesMailer can run locally and tests can read what it sent.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { SESv2Client } from '@aws-sdk/client-sesv2';

// A CommonJS package whose `exports.default` ESM loaders unwrap differently (Node, tsx, vitest);
// require gives the same object everywhere.
const requireCjs = createRequire(import.meta.url);
const startSesServer: (config?: { host?: string; port?: number }) => Promise<Server> = requireCjs('aws-ses-v2-local').default;

/** One mail as the emulator captured it. */
export interface StoredMail {
  messageId: string;
  from: string;
  to: string[];
  cc: string[];
  bcc: string[];
  replyTo: string[];
  subject: string;
  text?: string;
  html?: string;
  /** When the emulator received it (wall clock, epoch seconds). */
  at: number;
}

export interface SesEmulator {
  /** Endpoint for an SES client (SDK `endpoint`, or AWS_ENDPOINT_URL_SES). */
  endpoint: string;
  /** A web page listing the captured mail. */
  url: string;
  /**
   * Mail captured so far, oldest first. The package keeps one store per process: emulators started
   * in the same process share it.
   */
  mailbox(): Promise<StoredMail[]>;
  /** Empties the (per-process) store. */
  clear(): Promise<void>;
  stop(): Promise<void>;
}

/** The emulator answers unsupported SES v1 actions never: every call to it carries a timeout. */
const HTTP_TIMEOUT_MS = 5_000;

interface StoreResponse {
  emails: {
    messageId: string;
    from: string;
    replyTo?: string[];
    destination?: { to?: string[]; cc?: string[]; bcc?: string[] };
    subject: string;
    body?: { text?: string; html?: string };
    at: number;
  }[];
}

export interface SesEmulatorOptions {
  /**
   * Runs after the emulator stored a mail and before it answers the send (e.g. to write the mail
   * to a file), so that a sender that saw the answer knows the mail is kept.
   */
  beforeAnswer?: () => Promise<void>;
}

export async function startSesEmulator(options: SesEmulatorOptions = {}): Promise<SesEmulator> {
  const server = await startSesServer({ host: '127.0.0.1', port: 0 });
  if (options.beforeAnswer) holdSendAnswers(server, options.beforeAnswer);
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;

  const call = async (path: string, method: 'GET' | 'POST'): Promise<unknown> => {
    const response = await fetch(`${endpoint}${path}`, { method, signal: AbortSignal.timeout(HTTP_TIMEOUT_MS) });
    if (!response.ok) throw new Error(`SES emulator ${method} ${path} answered ${response.status}`);
    return response.json();
  };

  return {
    endpoint,
    url: `${endpoint}/`,
    async mailbox() {
      const store = (await call('/store', 'GET')) as StoreResponse;
      return store.emails.map((mail) => ({
        messageId: mail.messageId,
        from: mail.from,
        to: mail.destination?.to ?? [],
        cc: mail.destination?.cc ?? [],
        bcc: mail.destination?.bcc ?? [],
        replyTo: mail.replyTo ?? [],
        subject: mail.subject,
        ...(mail.body?.text !== undefined ? { text: mail.body.text } : {}),
        ...(mail.body?.html !== undefined ? { html: mail.body.html } : {}),
        at: mail.at,
      }));
    },
    async clear() {
      await call('/clear-store', 'POST');
    },
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive sockets from SDK clients would otherwise hold close() open.
        server.closeAllConnections();
      }),
  };
}

/**
 * The package answers from inside its own routes; its answer to a POST (a send: SES v1 and v2 both
 * POST) is held back, by wrapping that response's `end`, until `work` is done. Failing work breaks
 * the connection, so the sender sees a failed send.
 */
function holdSendAnswers(server: Server, work: () => Promise<void>): void {
  server.prependListener('request', (request: IncomingMessage, response: ServerResponse) => {
    if (request.method !== 'POST') return;
    const end = response.end.bind(response) as (...args: unknown[]) => ServerResponse;
    response.end = ((...args: unknown[]) => {
      work().then(
        () => end(...args),
        (error: unknown) => response.destroy(error instanceof Error ? error : new Error(String(error))),
      );
      return response;
    }) as ServerResponse['end'];
  });
}

/**
 * An SES v2 client for the emulator: fake credentials, a fixed region, and a request timeout that
 * throws, because the emulator leaves some requests unanswered. No retries: locally a failure is a bug.
 */
export function createLocalSesClient(endpoint: string, options: { requestTimeoutMs?: number } = {}): SESv2Client {
  const requestTimeout = options.requestTimeoutMs ?? HTTP_TIMEOUT_MS;
  return new SESv2Client({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
    requestHandler: { connectionTimeout: requestTimeout, requestTimeout, throwOnRequestTimeout: true },
  });
}
