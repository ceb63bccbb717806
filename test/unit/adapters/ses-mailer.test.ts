import 'aws-sdk-client-mock-vitest/extend';
import { SendEmailCommand, SESv2Client, SESv2ServiceException } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { SesMailer } from '../../../lambdas/shared/adapters/ses-mailer.js';

const ses = mockClient(SESv2Client);

const mail = {
  to: 'ana.alvarez@example.com',
  subject: 'Action required: access review "R&D <EU>", due 2026-07-15',
  body: 'Hello Ana Álvarez,\n\nOpen your review tasks: https://idgov.example.com/tasks?approver=u-ana\n',
};

describe('SesMailer', () => {
  beforeEach(() => ses.reset());

  it('sends one plain-text UTF-8 email with the configuration set and returns the SES message id', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: '0100019a-msg-1' });
    const mailer = new SesMailer({
      client: new SESv2Client({ region: 'eu-west-1' }),
      fromAddress: 'IdGov <idgov@example.com>',
      configurationSetName: 'idgov-notifications',
    });

    await expect(mailer.send(mail)).resolves.toEqual({ messageId: '0100019a-msg-1' });

    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 1);
    expect(ses).toHaveReceivedCommandWith(SendEmailCommand, {
      FromEmailAddress: 'IdGov <idgov@example.com>',
      Destination: { ToAddresses: ['ana.alvarez@example.com'] },
      Content: {
        Simple: {
          Subject: { Data: mail.subject, Charset: 'UTF-8' },
          Body: { Text: { Data: mail.body, Charset: 'UTF-8' } },
        },
      },
      ConfigurationSetName: 'idgov-notifications',
    });
    // Plain text only: no HTML part for a client to prefer.
    const input = ses.commandCalls(SendEmailCommand)[0]!.args[0].input;
    expect(input.Content?.Simple?.Body?.Html).toBeUndefined();
  });

  it('sends the HTML alternative beside the text when the mail has one (reports)', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-html' });
    const mailer = new SesMailer({ client: new SESv2Client({ region: 'eu-west-1' }), fromAddress: 'idgov@example.com' });
    const html = '<!doctype html><html><body><h1>Daily report 2026-07-01</h1><p>Compliance: 92 &amp; rising</p></body></html>';

    await mailer.send({ ...mail, subject: 'IdGov daily report 2026-07-01', html });

    expect(ses).toHaveReceivedCommandWith(SendEmailCommand, {
      Content: {
        Simple: {
          Subject: { Data: 'IdGov daily report 2026-07-01', Charset: 'UTF-8' },
          Body: { Text: { Data: mail.body, Charset: 'UTF-8' }, Html: { Data: html, Charset: 'UTF-8' } },
        },
      },
    });
  });

  it('leaves the configuration set out when none is configured', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-2' });
    const mailer = new SesMailer({ client: new SESv2Client({ region: 'eu-west-1' }), fromAddress: 'idgov@example.com' });

    await mailer.send(mail);

    const input = ses.commandCalls(SendEmailCommand)[0]!.args[0].input;
    expect(input).not.toHaveProperty('ConfigurationSetName');
    expect(input.FromEmailAddress).toBe('idgov@example.com');
  });

  it('propagates SES errors so that the dispatcher retries', async () => {
    const throttled = new SESv2ServiceException({
      name: 'TooManyRequestsException',
      $fault: 'client',
      $metadata: { httpStatusCode: 429 },
      message: 'Maximum sending rate exceeded.',
    });
    ses.on(SendEmailCommand).rejects(throttled);
    const mailer = new SesMailer({ client: new SESv2Client({ region: 'eu-west-1' }), fromAddress: 'idgov@example.com' });

    await expect(mailer.send(mail)).rejects.toBe(throttled);
  });

  it('returns an empty id rather than failing when SES accepted the mail without one', async () => {
    ses.on(SendEmailCommand).resolves({});
    const mailer = new SesMailer({ client: new SESv2Client({ region: 'eu-west-1' }), fromAddress: 'idgov@example.com' });

    await expect(mailer.send(mail)).resolves.toEqual({ messageId: '' });
  });

  it('refuses a blank from address', () => {
    expect(() => new SesMailer({ client: new SESv2Client({ region: 'eu-west-1' }), fromAddress: ' ' })).toThrow(
      'SesMailer needs a from address',
    );
  });
});
