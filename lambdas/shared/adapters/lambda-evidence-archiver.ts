// EvidenceArchiver over AWS Lambda: the controller's DELETED step asks the archive-evidence function
// (lambdas/archive-evidence) to archive a run's pack, synchronously (RequestResponse), and checks its
// answer before it records anything on the campaign. The controller's role may invoke that function
// only (lib/constructs/evidence-archiver.ts).
import type { LambdaClient } from '@aws-sdk/client-lambda';
import * as z from 'zod';
import { evidencePrefix, type ArchivedEvidence } from '../domain/evidence/manifest.js';
import type { Campaign } from '../domain/model.js';
import type { EvidenceArchiver } from '../use-cases/ports.js';
import { invokeForAnswer } from './lambda-invoke.js';

/**
 * How long the controller waits for the function's answer: its timeout (lib/constructs/evidence-archiver.ts,
 * ARCHIVE_EVIDENCE_TIMEOUT, 5 minutes) and a margin for the invocation itself. An infrastructure test keeps them in step.
 */
export const ARCHIVE_EVIDENCE_WAIT_MS = 330_000;

/** The function's answer: where the pack is, or that the run's notifications are not settled yet. */
const archivedEvidenceAnswer = z.strictObject({
  prefix: z.string().min(1),
  location: z.string().min(1),
  archivedAt: z.iso.datetime(),
  headSeq: z.number().int().nonnegative(),
  headHash: z.string().regex(/^[0-9a-f]{64}$/),
  manifestSha256: z.string().regex(/^[0-9a-f]{64}$/),
});
const archiveAnswer = z.union([z.strictObject({ status: z.literal('WAITING') }), archivedEvidenceAnswer]);

/** The event the function takes (lambdas/archive-evidence/event.ts). */
export interface ArchiveEvidenceEvent {
  campaignId: string;
  runId?: string;
  now?: string;
}

export class LambdaEvidenceArchiver implements EvidenceArchiver {
  constructor(
    private readonly client: LambdaClient,
    private readonly functionName: string,
  ) {
    if (!functionName.trim()) throw new Error('LambdaEvidenceArchiver needs the archive-evidence function name');
  }

  async archiveRun(campaign: Campaign, now: Date): Promise<ArchivedEvidence | undefined> {
    const event: ArchiveEvidenceEvent = { campaignId: campaign.id, runId: campaign.runId, now: now.toISOString() };
    const what = `the archive-evidence function ${this.functionName} (campaign ${campaign.id}, run ${campaign.runId})`;
    const answer = await invokeForAnswer(this.client, this.functionName, event, archiveAnswer, what);
    if ('status' in answer) return undefined;
    // The pack of another run (a function wired to another table) must never let this run be cleaned up.
    const expected = evidencePrefix(campaign.id, campaign.runId);
    if (answer.prefix !== expected) throw new Error(`${what} answered the evidence at ${answer.prefix}, not ${expected}`);
    return answer;
  }
}
