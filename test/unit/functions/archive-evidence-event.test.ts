// The archive-evidence function's event `{ "campaignId", "runId"?, "now"? }` (strict: anything else is
// refused naming the field, before anything is built, read or written), and its handler: the
// campaign's DELETED run archived, or { status: 'WAITING' } while a notification of it is unsent.
import { describe, expect, it } from 'vitest';
import { parseArchiveEvidenceEvent } from '../../../lambdas/archive-evidence/event.js';
import { createHandler } from '../../../lambdas/archive-evidence/handler.js';
import { InMemoryEvidenceArchive } from '../../../lambdas/shared/adapters/memory/in-memory-evidence-archive.js';
import { ValidationError } from '../../../lambdas/shared/domain/errors.js';
import { evidencePrefix } from '../../../lambdas/shared/domain/evidence/manifest.js';
import { silentLog } from '../../../lambdas/shared/use-cases/ports.js';
import { settledRun, testEvidence } from '../../support/evidence.js';

const WALL = new Date('2030-01-02T03:04:05.000Z');

function refusal(event: unknown): string[] {
  try {
    parseArchiveEvidenceEvent(event);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).issues.map((i) => `${i.field}: ${i.message}`);
  }
  throw new Error(`accepted ${JSON.stringify(event)}`);
}

describe('the archive-evidence event', () => {
  it('takes the campaign, and optionally its run and the instant to record', () => {
    expect(parseArchiveEvidenceEvent({ campaignId: ' c-test ' })).toEqual({ campaignId: 'c-test' });
    expect(parseArchiveEvidenceEvent({ campaignId: 'c-test', runId: 'c-test#1', now: '2026-09-01' })).toEqual({
      campaignId: 'c-test',
      runId: 'c-test#1',
      now: '2026-09-01T00:00:00.000Z',
    });
  });

  it.each([
    [{}, ['event.campaignId: is required']],
    [{ campaignId: '' }, ['event.campaignId: must not be empty']],
    [{ campaignId: 7 }, ['event.campaignId: must be a string']],
    [{ campaignId: 'c-test', runId: ' ' }, ['event.runId: must not be empty']],
    [{ campaignId: 'c-test', now: 'yesterday' }, ['event.now: must be an ISO 8601 date (YYYY-MM-DD) or date-time (YYYY-MM-DDTHH:MM:SSZ)']],
    [{ campaignId: 'c-test', force: true }, ['event.force: unknown field']],
  ])('refuses %j naming the field', (event, issues) => {
    expect(refusal(event)).toEqual(issues);
  });
});

describe('the archive-evidence handler', () => {
  async function handlerOver(options: { unsent?: boolean } = {}) {
    const run = await settledRun(options);
    const archive = new InMemoryEvidenceArchive();
    let builds = 0;
    const handler = createHandler(() => {
      builds++;
      return { ...run, evidence: testEvidence(archive), clock: { now: () => WALL }, log: silentLog };
    });
    return { run, archive, handler, builds: () => builds };
  }

  it('archives the run and answers where, recording the wall clock when the event gives no time', async () => {
    const { run, archive, handler, builds } = await handlerOver();
    const prefix = evidencePrefix('c-test', 'c-test#1');
    expect(await handler({ campaignId: 'c-test' })).toMatchObject({ prefix, location: archive.describe(prefix), archivedAt: WALL.toISOString() });
    expect(archive.files.size).toBe(6);
    expect(run.audit.events('run:c-test#1').at(-1)).toMatchObject({ type: 'EVIDENCE_ARCHIVED', at: WALL.toISOString() });
    // Again, with the controller's run and business time: the same evidence, recorded once.
    expect(await handler({ campaignId: 'c-test', runId: 'c-test#1', now: '2026-09-01T00:00:00Z' })).toMatchObject({ archivedAt: WALL.toISOString() });
    expect(run.audit.events('run:c-test#1').filter((e) => e.type === 'EVIDENCE_ARCHIVED')).toHaveLength(1);
    expect(builds()).toBe(1);
  });

  it('answers WAITING while a notification of the run is unsent', async () => {
    const { archive, handler } = await handlerOver({ unsent: true });
    expect(await handler({ campaignId: 'c-test', now: '2026-09-01T00:00:00Z' })).toEqual({ status: 'WAITING' });
    expect(archive.files.size).toBe(0);
  });

  it('refuses a bad event before building anything', async () => {
    const { handler, builds } = await handlerOver();
    await expect(handler({ campaign: 'c-test' })).rejects.toThrow(ValidationError);
    expect(builds()).toBe(0);
  });
});
