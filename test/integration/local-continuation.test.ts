// `idgov controller run --budget-ms N` (docs/reference/scale.md): the local runtime gives each
// invocation of the controller's own handler a time budget and, while the report says `continue`,
// calls it again with the continuation event, in the same process, until the run is done.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../lambdas/shared/domain/errors.js';
import { createCampaign } from '../../lambdas/shared/use-cases/campaign-admin.js';
import { loadDirectory } from '../../lambdas/shared/use-cases/directory-load.js';
import { invokeJob } from '../../src/local/jobs.js';
import { openRuntime, type Runtime } from '../../src/local/runtime.js';
import { day, highRiskUserCampaign, smallOrg, T0 } from '../support/small-org.js';

describe('a local controller run with a time budget', () => {
  let home: string;
  let runtime: Runtime;

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'idgov-budget-'));
    runtime = await openRuntime({ home, inMemory: true });
    await loadDirectory({ directory: runtime.directory, audit: runtime.auditLog }, smallOrg(), 'test-admin', new Date(T0), 'small org');
    await createCampaign({ campaigns: runtime.campaigns, audit: runtime.auditLog }, highRiskUserCampaign(), new Date(T0), 'c-budget');
  }, 60_000);

  afterAll(async () => {
    await runtime?.close();
    if (home) await rm(home, { recursive: true, force: true });
  });

  it('continues in the process until done, with one combined report', async () => {
    // No time at all: one step or chunk per invocation (start, prepare, announce, ...).
    const { result, continuations, mail } = await invokeJob(runtime, 'campaign-controller', new Date(day(0, 1)), { budgetMs: 0 });
    expect(continuations).toBeGreaterThanOrEqual(2);
    expect(result.continue).toBeUndefined();
    expect(result.transitions).toEqual([{ campaignId: 'c-budget', from: 'PREPARING', to: 'RUNNING' }]);
    expect((await runtime.campaigns.getCampaign('c-budget'))!.state).toBe('RUNNING');
    // Sent once the campaign runs: Approval Starts, No Approver, Campaign Start.
    expect(result.dispatch?.sent).toBe(mail!.captured);
    expect(mail!.captured).toBeGreaterThanOrEqual(3);
  });

  it.each([
    [{ budgetMs: -1 }, 'campaign-controller', /whole number/],
    [{ budgetMs: 1.5 }, 'campaign-controller', /whole number/],
    [{ budgetMs: 100 }, 'daily-operations', /only the controller/],
  ] as const)('refuses %j for %s naming budget-ms', async (options, job, message) => {
    const refusal = invokeJob(runtime, job, new Date(day(0, 2)), options);
    await expect(refusal).rejects.toBeInstanceOf(ValidationError);
    await expect(refusal).rejects.toMatchObject({ field: 'budget-ms', message: expect.stringMatching(message) });
  });

  it('refuses it against a deployed stack, where the function\'s remaining time is its budget', async () => {
    const deployed = { ...runtime, mode: 'aws' } as Runtime;
    await expect(invokeJob(deployed, 'campaign-controller', undefined, { budgetMs: 100 })).rejects.toMatchObject({ field: 'budget-ms', message: expect.stringMatching(/only for local runs/) });
  });
});
