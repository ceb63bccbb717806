// Mailer over Amazon SES v2: one email per notification or report (plain text, with an HTML
// alternative when given). Errors propagate unchanged so that the dispatcher records the failure
// and retries the notification later.
import { SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import type { Mailer, OutgoingMail } from '../use-cases/ports.js';

export interface SesMailerOptions {
  client: SESv2Client;
  /** A verified SES identity, e.g. "IdGov <idgov@example.com>". */
  fromAddress: string;
  /** Routes sending events (bounces, complaints) to the configured destinations. */
  configurationSetName?: string;
}

export class SesMailer implements Mailer {
  private readonly client: SESv2Client;
  private readonly fromAddress: string;
  private readonly configurationSetName?: string;

  constructor(options: SesMailerOptions) {
    if (!options.fromAddress.trim()) throw new Error('SesMailer needs a from address');
    this.client = options.client;
    this.fromAddress = options.fromAddress;
    this.configurationSetName = options.configurationSetName;
  }

  async send(mail: OutgoingMail): Promise<{ messageId: string }> {
    const output = await this.client.send(
      new SendEmailCommand({
        FromEmailAddress: this.fromAddress,
        Destination: { ToAddresses: [mail.to] },
        Content: {
          Simple: {
            Subject: { Data: mail.subject, Charset: 'UTF-8' },
            Body: {
              Text: { Data: mail.body, Charset: 'UTF-8' },
              // Reports carry an HTML alternative; mail clients show it and fall back to the text.
              ...(mail.html ? { Html: { Data: mail.html, Charset: 'UTF-8' } } : {}),
            },
          },
        },
        ...(this.configurationSetName ? { ConfigurationSetName: this.configurationSetName } : {}),
      }),
    );
    // SES accepted the mail: a missing id must not turn into an error, or the retry would send it twice.
    return { messageId: output.MessageId ?? '' };
  }
}
