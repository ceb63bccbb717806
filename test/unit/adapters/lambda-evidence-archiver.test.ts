// The controller's EvidenceArchiver on AWS: one synchronous invocation of the archive-evidence function
// with the run and the business time, its answer checked before the controller records anything.
import 'aws-sdk-client-mock-vitest/extend';
import { InvokeCommand, LambdaClient, type InvokeCommandOutput } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { LambdaEvidenceArchiver } from '../../../lambdas/shared/adapters/lambda-evidence-archiver.js';
import { evidencePrefix } from '../../../lambdas/shared/domain/evidence/manifest.js';
import { aCampaign } from '../../support/fixtures.js';

const lambda = mockClient(LambdaClient);
const FUNCTION = 'IdGovStateless-ArchiveEvidenceFunction-AbC';
const NOW = new Date('2026-09-01T00:00:00.000Z');
const campaign = aCampaign({ state: 'DELETED', phase: { name: 'DONE' } });
const PREFIX = evidencePrefix(campaign.id, campaign.runId);
const EVIDENCE = {
  prefix: PREFIX,
  location: `s3://idgov-reports/${PREFIX}/`,
  archivedAt: '2026-09-01T00:00:00.000Z',
  headSeq: 4,
  headHash: 'a'.repeat(64),
  manifestSha256: 'b'.repeat(64),
};

const payload = (value: unknown) => new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value)) as unknown as InvokeCommandOutput['Payload'];
const archiver = () => new LambdaEvidenceArchiver(new LambdaClient({ region: 'eu-west-1' }), FUNCTION);

describe('LambdaEvidenceArchiver', () => {
  beforeEach(() => lambda.reset());

  it('invokes the function synchronously with the campaign, its run and the business time, and answers the evidence', async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload(EVIDENCE) });

    expect(await archiver().archiveRun(campaign, NOW)).toEqual(EVIDENCE);

    expect(lambda).toHaveReceivedCommandTimes(InvokeCommand, 1);
    expect(lambda).toHaveReceivedCommandWith(InvokeCommand, { FunctionName: FUNCTION, InvocationType: 'RequestResponse' });
    const sent = lambda.commandCalls(InvokeCommand)[0]!.args[0].input.Payload as Uint8Array;
    expect(JSON.parse(new TextDecoder().decode(sent))).toEqual({ campaignId: campaign.id, runId: campaign.runId, now: NOW.toISOString() });
  });

  it('answers undefined while the run waits for its notifications', async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload({ status: 'WAITING' }) });
    expect(await archiver().archiveRun(campaign, NOW)).toBeUndefined();
  });

  it("throws the function's error, naming the function and the run", async () => {
    lambda.on(InvokeCommand).resolves({
      StatusCode: 200,
      FunctionError: 'Unhandled',
      Payload: payload({ errorType: 'AccessDenied', errorMessage: 'not allowed to sign' }),
    });
    await expect(archiver().archiveRun(campaign, NOW)).rejects.toThrow(
      `the archive-evidence function ${FUNCTION} (campaign ${campaign.id}, run ${campaign.runId}) failed: AccessDenied: not allowed to sign`,
    );
  });

  it('refuses an answer that is not JSON, not of either shape, or the evidence of another run', async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload('oops') });
    await expect(archiver().archiveRun(campaign, NOW)).rejects.toThrow(/answered with a payload that is not JSON: oops$/);

    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload({ ...EVIDENCE, headHash: 'nope' }) });
    await expect(archiver().archiveRun(campaign, NOW)).rejects.toThrow(/answered an unexpected .* \(headHash: /);

    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload({ status: 'DONE' }) });
    await expect(archiver().archiveRun(campaign, NOW)).rejects.toThrow(/answered an unexpected \{"status":"DONE"\}/);

    const other = evidencePrefix(campaign.id, `${campaign.id}#9`);
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload({ ...EVIDENCE, prefix: other }) });
    await expect(archiver().archiveRun(campaign, NOW)).rejects.toThrow(`answered the evidence at ${other}, not ${PREFIX}`);
  });

  it("lets the SDK's error through when the call itself fails", async () => {
    lambda.on(InvokeCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' }));
    await expect(archiver().archiveRun(campaign, NOW)).rejects.toThrow('Rate exceeded');
  });
});
