// The progress of a long local `controller run` (issue 11, item 7): through the local runtime and the
// controller's own handler, a campaign in chunks of five subjects or entries reports each
// phase's progress as its chunks are saved, with counts that grow chunk by chunk to the run's own
// figures; the CLI's count of the run's entries (src/cli/progress-totals.ts) gives GUARD and APPLY
// their total. What the terminal line draws from these events is progress-line.test.ts's.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DirectoryFile } from '../../lambdas/shared/domain/schemas.js';
import { createCampaign } from '../../lambdas/shared/use-cases/campaign-admin.js';
import { collect } from '../../lambdas/shared/use-cases/concurrency.js';
import { loadDirectory } from '../../lambdas/shared/use-cases/directory-load.js';
import type { ProgressEvent } from '../../lambdas/shared/use-cases/ports.js';
import { RunEntryTotals } from '../../src/cli/progress-totals.js';
import { invokeJob } from '../../src/local/jobs.js';
import { openRuntime, type Runtime } from '../../src/local/runtime.js';
import { day, highRiskUserCampaign, T0 } from '../support/small-org.js';

const SUBJECTS = 12;
/** Small chunks, so that a small campaign takes several of each (the deployed ones are 1,000 subjects and 100 entries). */
const CHUNKS = { prepare: { subjects: 5, items: 1_000 }, entries: 5 };

/** High-risk finance users with a manager, one MANUAL assignment each. */
function org(): DirectoryFile {
  const person = (id: string, managerId?: string, riskLevel: 'LOW' | 'HIGH' = 'LOW') => ({
    id,
    displayName: `Name ${id}`,
    email: `${id}@example.com`,
    ...(managerId ? { managerId } : {}),
    department: 'Finance',
    status: 'ACTIVE' as const,
    riskLevel,
  });
  const subjects = Array.from({ length: SUBJECTS }, (_, i) => `u${String(i).padStart(4, '0')}`);
  return {
    users: [person('admin'), person('m1', 'admin'), ...subjects.map((id) => person(id, 'm1', 'HIGH'))],
    privileges: [{ id: 'p1', name: 'Privilege p1', ownerIds: ['admin'], riskLevel: 'LOW' }],
    assignments: subjects.map((userId) => ({ userId, privilegeId: 'p1', origin: 'MANUAL' as const })),
  };
}

describe('a long local controller run reports its progress', () => {
  let home: string;
  let runtime: Runtime;

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'idgov-progress-'));
    runtime = await openRuntime({ home, inMemory: true });
    await loadDirectory({ directory: runtime.directory, audit: runtime.auditLog }, org(), 'test-admin', new Date(T0), 'progress org');
    await createCampaign({ campaigns: runtime.campaigns, audit: runtime.auditLog }, highRiskUserCampaign(), new Date(T0), 'c-progress');
  }, 60_000);

  afterAll(async () => {
    await runtime?.close();
    if (home) await rm(home, { recursive: true, force: true });
  });

  it('phase by phase, with done counts that grow chunk by chunk to the run\'s figures', async () => {
    const events: ProgressEvent[] = [];
    const totals = new RunEntryTotals(runtime.campaigns);
    const progress = totals.wrap((event) => events.push(event));
    await invokeJob(runtime, 'campaign-controller', new Date(day(0, 1)), { progress, chunks: CHUNKS });
    // Nobody decides: at the due date every item is uncertified and removed.
    const { result } = await invokeJob(runtime, 'campaign-controller', new Date(day(14, 1)), { progress, chunks: CHUNKS });
    await totals.stop();
    expect(result.transitions).toContainEqual({ campaignId: 'c-progress', from: 'RUNNING', to: 'SUCCEEDED' });
    const campaign = (await runtime.campaigns.getCampaign('c-progress'))!;
    expect((await collect(runtime.campaigns.listEntries(campaign.runId))).length).toBe(SUBJECTS);
    expect((await collect(runtime.campaigns.listRevocations(campaign.runId))).length).toBe(SUBJECTS);

    expect(events.every((e) => e.job === 'campaign-controller' && e.campaignId === 'c-progress')).toBe(true);
    const doneOf = (phase: string) => events.filter((e) => e.phase === phase).map((e) => e.done);
    // Five subjects or entries a chunk: 0 as a phase begins, then 5, 10, 12; preparation's total is unknown.
    expect(doneOf('PREPARE')).toEqual([0, 5, 10, 12]);
    expect(events.filter((e) => e.phase === 'PREPARE').every((e) => e.total === undefined)).toBe(true);
    expect(doneOf('GUARD')).toEqual([0, 5, 10, 12]);
    expect(doneOf('APPLY')).toEqual([0, 5, 10, 12]);
    // Reading back goes 100 removals a chunk: from none to all at once.
    expect(doneOf('VERIFY')).toEqual([0, 12]);
    expect(events.filter((e) => e.phase === 'VERIFY').every((e) => e.total === SUBJECTS)).toBe(true);
    // GUARD's first event starts the count of the run's entries; later GUARD and APPLY events carry it once known.
    const counted = events.filter((e) => (e.phase === 'GUARD' || e.phase === 'APPLY') && e.total !== undefined);
    expect(counted.every((e) => e.total === SUBJECTS)).toBe(true);
    expect(events.filter((e) => e.phase === 'GUARD')[0]!.total).toBeUndefined();
    // Counted long before GUARD has read every entry with its items: applying knows it throughout.
    expect(events.filter((e) => e.phase === 'APPLY').map((e) => e.total)).toEqual([SUBJECTS, SUBJECTS, SUBJECTS, SUBJECTS]);
  }, 60_000);
});
