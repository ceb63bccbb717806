import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetAccountCommand } from '@aws-sdk/client-sesv2';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SesMailer } from '../../lambdas/shared/adapters/ses-mailer.js';
import { MailCapture } from '../../src/local/runtime.js';
import { createLocalSesClient, startSesEmulator, type SesEmulator } from '../../src/local/ses-emulator.js';

describe('SesMailer against the local SES emulator', () => {
  let emulator: SesEmulator;

  beforeAll(async () => {
    emulator = await startSesEmulator();
  });
  afterAll(async () => {
    await emulator.stop();
  });
  beforeEach(async () => {
    await emulator.clear();
  });

  it('listens on 127.0.0.1 only', () => {
    expect(emulator.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(emulator.url).toBe(`${emulator.endpoint}/`);
  });

  it('delivers plain-text UTF-8 mail to the mailbox', async () => {
    const mailer = new SesMailer({
      client: createLocalSesClient(emulator.endpoint),
      fromAddress: 'idgov@example.com',
      configurationSetName: 'idgov-local',
    });
    const subject = 'Action required: access review "R&D <Zürich>", due 2026-07-15';
    const body = 'Hello Ana Álvarez,\n\nOpen your review tasks: https://idgov.example.com/tasks?approver=u-ana\n— IdGov ✓\n';

    const { messageId } = await mailer.send({ to: 'ana@example.com', subject, body });
    await mailer.send({ to: 'bob@example.com', subject: 'Second', body: 'Two' });

    const mailbox = await emulator.mailbox();
    expect(mailbox).toHaveLength(2);
    expect(mailbox[0]).toMatchObject({
      messageId,
      from: 'idgov@example.com',
      to: ['ana@example.com'],
      cc: [],
      bcc: [],
      subject,
      text: body,
    });
    expect(mailbox[0]!.html).toBeUndefined();
    expect(mailbox[1]).toMatchObject({ to: ['bob@example.com'], subject: 'Second', text: 'Two' });
    expect(messageId).not.toBe('');
  });

  it('keeps the HTML alternative of a report beside its text, in the mailbox and in the mailbox file', async () => {
    const mailer = new SesMailer({ client: createLocalSesClient(emulator.endpoint), fromAddress: 'idgov@example.com' });
    const html = '<!doctype html><html><body><h1>Daily report 2026-07-01</h1><p>Compliance: 92 &amp; Zürich ✓</p></body></html>';
    const text = 'Daily report 2026-07-01\nCompliance: 92 & Zürich ✓\n';

    const { messageId } = await mailer.send({ to: 'ops@example.com', subject: 'IdGov daily report 2026-07-01', body: text, html });

    const [stored] = await emulator.mailbox();
    expect(stored).toMatchObject({ messageId, to: ['ops@example.com'], subject: 'IdGov daily report 2026-07-01', text, html });

    const folder = await mkdtemp(join(tmpdir(), 'idgov-mailbox-'));
    try {
      const path = join(folder, 'mailbox.jsonl');
      await new MailCapture(emulator, path).flush({ now: new Date('2026-07-01T08:00:00.000Z') });
      const [line] = (await readFile(path, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(line).toMatchObject({ simulatedAt: '2026-07-01T08:00:00.000Z', messageId, text, html });
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('propagates a rejected send as an error and stores nothing', async () => {
    const mailer = new SesMailer({ client: createLocalSesClient(emulator.endpoint), fromAddress: 'idgov@example.com' });

    await expect(mailer.send({ to: 'ana@example.com', subject: '', body: 'no subject' })).rejects.toMatchObject({
      $metadata: { httpStatusCode: 400 },
    });
    expect(await emulator.mailbox()).toEqual([]);
  });
});

describe('the SES emulator with beforeAnswer (how the local runtime keeps a mailbox a killed run cannot lose)', () => {
  it('answers a send only once beforeAnswer is done, the mail stored by then; a failing one fails the send', async () => {
    let release!: () => void;
    let gate: Promise<void> | undefined;
    let fail = false;
    const stored: number[] = [];
    const emulator: SesEmulator = await startSesEmulator({
      beforeAnswer: async () => {
        stored.push((await emulator.mailbox()).length);
        if (gate) await gate;
        if (fail) throw new Error('disk full');
      },
    });
    const mailer = new SesMailer({ client: createLocalSesClient(emulator.endpoint), fromAddress: 'idgov@example.com' });
    try {
      await emulator.clear();
      stored.length = 0;
      gate = new Promise<void>((resolve) => (release = resolve));
      let answered = false;
      const sending = mailer.send({ to: 'ana@example.com', subject: 'Held', body: 'b' }).then((r) => ((answered = true), r));
      while (stored.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(stored).toEqual([1]);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(answered).toBe(false);
      release();
      await expect(sending).resolves.toMatchObject({ messageId: expect.any(String) });

      gate = undefined;
      fail = true;
      await expect(mailer.send({ to: 'bob@example.com', subject: 'Lost', body: 'b' })).rejects.toThrow();
    } finally {
      await emulator.stop();
    }
  });
});

describe('createLocalSesClient', () => {
  let silent: Server;
  let endpoint: string;

  beforeAll(async () => {
    // Accepts requests and never answers, as the emulator does for unsupported actions.
    silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    silent.closeAllConnections();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  it('gives up on a request that is never answered instead of hanging', async () => {
    const client = createLocalSesClient(endpoint, { requestTimeoutMs: 200 });
    await expect(client.send(new GetAccountCommand({}))).rejects.toThrow(/timeout|timed out/i);
    client.destroy();
  });
});
