// ReportPublisher over Amazon SNS: one Publish to the operations topic (its ARN from the
// environment). SNS takes a subject of fewer than 100 ASCII characters without line breaks, and
// at most 256 KB of message and attributes: the subject is made to fit, and an oversized message is
// cut at a character boundary with a note saying so (the full report stays stored).
import { PublishCommand, type MessageAttributeValue, type SNSClient } from '@aws-sdk/client-sns';
import type { ReportPublisher } from '../use-cases/ports.js';

/** SNS's limit on a message with its attributes, in bytes. */
export const MAX_PAYLOAD_BYTES = 256 * 1024;
/** SNS wants a subject shorter than 100 characters. */
export const MAX_SUBJECT_LENGTH = 99;
export const TRUNCATION_NOTE = '\n\n[Truncated to fit the 256 KB SNS limit. The full report is stored: idgov report daily|weekly --date DATE]';

export interface SnsReportPublisherOptions {
  client: SNSClient;
  topicArn: string;
}

export class SnsReportPublisher implements ReportPublisher {
  private readonly client: SNSClient;
  private readonly topicArn: string;

  constructor(options: SnsReportPublisherOptions) {
    if (!options.topicArn.trim()) throw new Error('SnsReportPublisher needs a topic ARN');
    this.client = options.client;
    this.topicArn = options.topicArn;
  }

  async publish(message: { subject: string; text: string; attributes?: Record<string, string> }): Promise<{ messageId: string }> {
    const attributes = Object.entries(message.attributes ?? {});
    const attributeBytes = attributes.reduce((total, [name, value]) => total + utf8Length(name) + utf8Length('String') + utf8Length(value), 0);
    const output = await this.client.send(
      new PublishCommand({
        TopicArn: this.topicArn,
        Subject: snsSubject(message.subject),
        Message: fitMessage(message.text, MAX_PAYLOAD_BYTES - attributeBytes),
        ...(attributes.length
          ? {
              MessageAttributes: Object.fromEntries(
                attributes.map(([name, value]): [string, MessageAttributeValue] => [name, { DataType: 'String', StringValue: value }]),
              ),
            }
          : {}),
      }),
    );
    // SNS accepted it: a missing id must not turn into an error, or a retry would publish it twice.
    return { messageId: output.MessageId ?? '' };
  }
}

const utf8Length = (text: string) => Buffer.byteLength(text, 'utf8');

/**
 * Printable ASCII on one line, shorter than 100 characters: accents dropped (é → e), dashes and
 * quotes made plain, anything else non-ASCII removed, whitespace runs collapsed.
 */
export function snsSubject(subject: string): string {
  const plain = subject
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[\u2010-\u2015]/g, '-')
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/\u2026/g, '...')
    .replace(/[^\x20-\x7e]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const subjectText = plain || 'IdGov report';
  return subjectText.length <= MAX_SUBJECT_LENGTH ? subjectText : `${subjectText.slice(0, MAX_SUBJECT_LENGTH - 3).trimEnd()}...`;
}

/** The text if it fits in `maxBytes`, else its longest prefix that fits with the note after it. */
export function fitMessage(text: string, maxBytes: number): string {
  if (utf8Length(text) <= maxBytes) return text;
  const budget = maxBytes - utf8Length(TRUNCATION_NOTE);
  let bytes = 0;
  let end = 0;
  for (const char of text) {
    const size = utf8Length(char);
    if (bytes + size > budget) break;
    bytes += size;
    end += char.length;
  }
  return `${text.slice(0, end)}${TRUNCATION_NOTE}`;
}
