// The events a scheduled job's handler receives in tests: EventBridge's scheduled event at `time`.
import type { JobName } from '../../lambdas/shared/domain/operations.js';

export const scheduledJobEvent = (time: string, job: JobName) => ({
  version: '0',
  id: `evt-${job}-${time}`,
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: '123456789012',
  time,
  region: 'eu-west-1',
  resources: [`arn:aws:events:eu-west-1:123456789012:rule/idgov-${job}-schedule`],
  detail: {},
});
