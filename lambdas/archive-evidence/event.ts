// The archive-evidence function's event, as the controller's LambdaEvidenceArchiver, the Lambda
// console or `aws lambda invoke` sends it: `{ "campaignId", "runId"?, "now"? }`, nothing else.
// A missing, empty or unknown field is refused, naming it, before anything is read or written.
import * as z from 'zod';
import { isoInstant, parseInput } from '../shared/domain/schemas.js';

const id = z
  .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') })
  .trim()
  .min(1, 'must not be empty')
  .max(256, 'must be at most 256 characters');

const archiveEvidenceEvent = z.strictObject({
  /** The campaign whose DELETED run is archived. */
  campaignId: id,
  /** Optional: the run the caller means (the controller sends it); another run of the campaign is refused. */
  runId: id.optional(),
  /** Optional: the instant recorded with EVIDENCE_ARCHIVED (the controller's business time); the current time without it. */
  now: isoInstant.optional(),
});

export type ArchiveEvidenceEvent = z.output<typeof archiveEvidenceEvent>;

export const parseArchiveEvidenceEvent = (event: unknown): ArchiveEvidenceEvent => parseInput(archiveEvidenceEvent, event, 'event');
