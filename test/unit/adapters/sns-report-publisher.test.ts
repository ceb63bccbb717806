import 'aws-sdk-client-mock-vitest/extend';
import { PublishCommand, SNSClient, SNSServiceException } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  MAX_PAYLOAD_BYTES,
  SnsReportPublisher,
  TRUNCATION_NOTE,
  fitMessage,
  snsSubject,
} from '../../../lambdas/shared/adapters/sns-report-publisher.js';

const sns = mockClient(SNSClient);
const client = new SNSClient({ region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:idgov-operations';
const publisher = new SnsReportPublisher({ client, topicArn: TOPIC });
const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

beforeEach(() => sns.reset());

describe('SnsReportPublisher', () => {
  it('publishes the subject and text to the configured topic, with string attributes, and returns the message id', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'sns-msg-1' });

    const result = await publisher.publish({
      subject: 'IdGov daily report 2026-07-01: COMPLIANT (92)',
      text: 'Certification: 60.0% complete\n',
      attributes: { kind: 'daily', date: '2026-07-01' },
    });

    expect(result).toEqual({ messageId: 'sns-msg-1' });
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(sns).toHaveReceivedCommandWith(PublishCommand, {
      TopicArn: TOPIC,
      Subject: 'IdGov daily report 2026-07-01: COMPLIANT (92)',
      Message: 'Certification: 60.0% complete\n',
      MessageAttributes: {
        kind: { DataType: 'String', StringValue: 'daily' },
        date: { DataType: 'String', StringValue: '2026-07-01' },
      },
    });
  });

  it('leaves MessageAttributes out when there are none, and answers an empty id rather than failing', async () => {
    sns.on(PublishCommand).resolves({});
    await expect(publisher.publish({ subject: 's', text: 't' })).resolves.toEqual({ messageId: '' });
    expect(sns.commandCalls(PublishCommand)[0]!.args[0].input).not.toHaveProperty('MessageAttributes');
  });

  it('makes the subject one ASCII line shorter than 100 characters', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm' });
    await publisher.publish({ subject: `Rapport — Zürich\n“risque” ${'x'.repeat(200)}`, text: 't' });
    const subject = sns.commandCalls(PublishCommand)[0]!.args[0].input.Subject!;
    expect(subject).toHaveLength(99);
    expect(subject.startsWith('Rapport - Zurich "risque" xxx')).toBe(true);
    expect(subject.endsWith('...')).toBe(true);
    expect(subject).toMatch(/^[\x20-\x7e]+$/);
    expect(snsSubject('  \n ')).toBe('IdGov report');
    expect(snsSubject('Weekly summary 2026-07-06')).toBe('Weekly summary 2026-07-06');
  });

  it('cuts a message over 256 KB (with its attributes) at a character boundary and says so', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm' });
    const text = 'é'.repeat(MAX_PAYLOAD_BYTES); // 2 bytes each: twice the limit
    await publisher.publish({ subject: 's', text, attributes: { kind: 'daily' } });

    const message = sns.commandCalls(PublishCommand)[0]!.args[0].input.Message!;
    expect(message.endsWith(TRUNCATION_NOTE)).toBe(true);
    expect(bytes(message) + bytes('kind') + bytes('String') + bytes('daily')).toBeLessThanOrEqual(MAX_PAYLOAD_BYTES);
    expect(bytes(message)).toBeGreaterThan(MAX_PAYLOAD_BYTES - 200);
    expect(message.slice(0, -TRUNCATION_NOTE.length)).toMatch(/^é+$/);

    const fits = 'a'.repeat(MAX_PAYLOAD_BYTES);
    expect(fitMessage(fits, MAX_PAYLOAD_BYTES)).toBe(fits);
    expect(fitMessage(`${fits}b`, MAX_PAYLOAD_BYTES)).toHaveLength(MAX_PAYLOAD_BYTES);
  });

  it('propagates SNS errors, and refuses a blank topic ARN', async () => {
    const denied = new SNSServiceException({ name: 'AuthorizationError', $fault: 'client', $metadata: { httpStatusCode: 403 }, message: 'denied' });
    sns.on(PublishCommand).rejects(denied);
    await expect(publisher.publish({ subject: 's', text: 't' })).rejects.toBe(denied);
    expect(() => new SnsReportPublisher({ client, topicArn: ' ' })).toThrow('SnsReportPublisher needs a topic ARN');
  });
});
