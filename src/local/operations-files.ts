// What the report jobs send to AWS services that have no local emulator, kept in files of the local
// state folder instead: the operations topic (`operations-topic.jsonl`, one published message a
// line) and the custom metrics (`metrics.jsonl`, one batch a line). Local only: injected into the
// handlers through their `buildDependencies` overrides, never imported by lambdas/.
import { randomUUID } from 'node:crypto';
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Clock, MetricDatum, MetricsSink, ReportPublisher } from '../../lambdas/shared/use-cases/ports.js';

export interface LocalFileOptions {
  /** The file lines are appended to (its folder is made if missing). */
  path: string;
  /** The time each line records as `simulatedAt`: the run's "now", as the mailbox file records it. */
  clock: Clock;
}

/** The operations topic as a file: each publish appends `{ simulatedAt, messageId, subject, attributes, text }`. */
export class LocalReportPublisher implements ReportPublisher {
  /** Messages this publisher has appended. */
  published = 0;

  constructor(private readonly options: LocalFileOptions) {}

  async publish(message: { subject: string; text: string; attributes?: Record<string, string> }): Promise<{ messageId: string }> {
    const messageId = randomUUID();
    const line = {
      simulatedAt: this.options.clock.now().toISOString(),
      messageId,
      subject: message.subject,
      attributes: message.attributes ?? {},
      text: message.text,
    };
    await appendLine(this.options.path, line);
    this.published++;
    return { messageId };
  }
}

/** Custom metrics as a file (on AWS, EMF to the function's log): each batch appends `{ simulatedAt, metrics }`. */
export class LocalMetricsSink implements MetricsSink {
  constructor(private readonly options: LocalFileOptions) {}

  async publish(metrics: MetricDatum[]): Promise<void> {
    if (metrics.length === 0) return;
    await appendLine(this.options.path, { simulatedAt: this.options.clock.now().toISOString(), metrics });
  }
}

async function appendLine(path: string, value: unknown): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await appendFile(path, `${JSON.stringify(value)}\n`);
}
