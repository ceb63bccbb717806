// Local hooks end to end: real ES modules on disk, loaded and called through callHook.
import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { InvokeCommand, LambdaClient, type InvokeCommandOutput } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FindApproversRequest } from '../../lambdas/shared/domain/hook-contracts.js';
import { callHook, HookError } from '../../lambdas/shared/use-cases/call-hook.js';
import { absoluteHookRef, createHookInvoker, fileHookPath, FileHookInvoker } from '../../src/local/file-hook-invoker.js';

const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURES = join(PROJECT_ROOT, 'test/fixtures/hooks');

const request: FindApproversRequest = {
  version: 1,
  hook: 'findApprovers',
  campaign: {
    id: 'c-fin',
    name: 'FinanceAdmin holders',
    kind: 'PRIVILEGE',
    ownerId: 'admin',
    startDate: '2026-07-01T00:00:00.000Z',
    dueDate: '2026-07-15T00:00:00.000Z',
  },
  now: '2026-07-01T01:00:00.000Z',
  subject: { kind: 'PRIVILEGE', id: 'p-fin', name: 'FinanceAdmin', ownerIds: ['m1'] },
  assignments: [
    { userId: 'u1', privilegeId: 'p-fin' },
    { userId: 'u2', privilegeId: 'p-fin', parameters: { entity: 'FR01' } },
  ],
  defaultApproverIds: ['m1'],
};

const fixtures = new FileHookInvoker({ baseDir: FIXTURES });
const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected the hook call to fail');
    },
    (error: unknown) => error as HookError,
  );

describe('FileHookInvoker through callHook', () => {
  it("calls the module's default export with the request and returns its checked answer", async () => {
    await expect(callHook(fixtures, 'findApprovers', 'file:./good-find-approvers.mjs', request)).resolves.toEqual({
      version: 1,
      stages: [
        { name: 'Review of FinanceAdmin (2 assignments)', approverIds: ['m1'] },
        { name: 'Owner sign-off', approverIds: ['admin'], periodDays: 3 },
      ],
    });
  });

  it('resolves relative paths against its base directory, and takes absolute paths and file URLs as they are', async () => {
    const fromRoot = new FileHookInvoker({ baseDir: PROJECT_ROOT });
    const absolute = join(FIXTURES, 'good-find-approvers.mjs');
    for (const ref of ['file:test/fixtures/hooks/good-find-approvers.mjs', `file:${absolute}`, pathToFileURL(absolute).href]) {
      const answer = await callHook(fromRoot, 'findApprovers', ref, request);
      expect(answer.stages).toHaveLength(2);
    }
    expect(fileHookPath('file:./hooks/a.mjs', '/srv/campaigns')).toBe('/srv/campaigns/hooks/a.mjs');
    expect(absoluteHookRef('file:../hooks/a.mjs', '/srv/campaigns')).toBe('file:/srv/hooks/a.mjs');
    const arn = 'arn:aws:lambda:eu-west-1:123456789012:function:f';
    expect(absoluteHookRef(arn, '/srv/campaigns')).toBe(arn);
  });

  it('reports a hook that throws, with its message', async () => {
    const error = await failureOf(callHook(fixtures, 'findApprovers', 'file:./throwing-hook.mjs', request));
    expect(error).toBeInstanceOf(HookError);
    expect(error).toMatchObject({
      code: 'HOOK_FAILED',
      hook: 'findApprovers',
      ref: 'file:./throwing-hook.mjs',
      field: 'hooks.findApprovers',
      failure: 'FAILED',
      problem: 'failed: HR directory unavailable (503)',
    });
    expect(error.message).toBe('findApprovers hook file:./throwing-hook.mjs failed: HR directory unavailable (503)');
  });

  it('reports a hook answering garbage, naming every field outside the contract', async () => {
    const error = await failureOf(callHook(fixtures, 'findApprovers', 'file:./garbage-answer.mjs', request));
    expect(error).toBeInstanceOf(HookError);
    expect(error.failure).toBe('OUTSIDE_CONTRACT');
    expect(error.message).toBe(
      'findApprovers hook file:./garbage-answer.mjs answered outside the contract: ' +
        'stages.0.approverIds: must not be empty; stages.1.periodDays: must be a whole number; approvers: unknown field',
    );
  });

  it('reports a hook that never answers as timed out after the given timeout', async () => {
    const error = await failureOf(callHook(fixtures, 'findApprovers', 'file:./never-resolves.mjs', request, { timeoutMs: 50 }));
    expect(error).toBeInstanceOf(HookError);
    expect(error.failure).toBe('TIMED_OUT');
    expect(error.message).toBe('findApprovers hook file:./never-resolves.mjs timed out after 50 ms');
  });

  it('reports the invoker timing out on its own as a timeout too', async () => {
    const failure = await fixtures.invoke('file:./never-resolves.mjs', request, { timeoutMs: 20 }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ name: 'TimeoutError', message: 'no answer within 20 ms' });
  });

  it('reports a missing module and a module without a default export function', async () => {
    const missing = await failureOf(callHook(fixtures, 'findApprovers', 'file:./no-such-hook.mjs', request));
    expect(missing.message).toBe(`findApprovers hook file:./no-such-hook.mjs failed: hook module ${join(FIXTURES, 'no-such-hook.mjs')} not found`);
    const directory = await failureOf(callHook(fixtures, 'findApprovers', 'file:.', request));
    expect(directory.message).toMatch(/failed: hook module .* not found$/);
    const noDefault = await failureOf(callHook(fixtures, 'findApprovers', 'file:./no-default-export.mjs', request));
    expect(noDefault.message).toMatch(/failed: hook module .*no-default-export\.mjs has no default export function/);
  });

  it('refuses a reference that is not file:<path>', async () => {
    await expect(fixtures.invoke('arn:aws:lambda:eu-west-1:123456789012:function:f', request, { timeoutMs: 1_000 })).rejects.toThrow(
      'is not a file hook reference',
    );
    const error = await failureOf(callHook(fixtures, 'findApprovers', './good-find-approvers.mjs', request));
    expect(error.message).toMatch(/^findApprovers hook \.\/good-find-approvers\.mjs failed: ".*" is not a file hook reference/);
  });
});

describe('FileHookInvoker on modules written by the test', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'idgov-hooks-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const invoker = () => new FileHookInvoker({ baseDir: dir });

  it('passes the request and the answer as JSON, as Lambda does', async () => {
    await writeFile(
      join(dir, 'mutating.mjs'),
      `export default async (request) => {
         request.defaultApproverIds.push('intruder');
         return { version: 1, stages: [{ approverIds: request.defaultApproverIds, name: undefined }], at: new Date(request.now) };
       };`,
    );
    const sent = structuredClone(request);
    const answer = await invoker().invoke('file:mutating.mjs', sent, { timeoutMs: 5_000 });
    // The hook changed its own copy only, and the Date crossed as its JSON text.
    expect(sent).toEqual(request);
    expect(answer).toEqual({ version: 1, stages: [{ approverIds: ['m1', 'intruder'] }], at: '2026-07-01T01:00:00.000Z' });
  });

  it('answers null for a hook that returns nothing, which the contract refuses', async () => {
    await writeFile(join(dir, 'silent.mjs'), 'export default async () => {};');
    await expect(invoker().invoke('file:silent.mjs', request, { timeoutMs: 5_000 })).resolves.toBeNull();
    const error = await failureOf(callHook(invoker(), 'findApprovers', 'file:silent.mjs', request));
    expect(error.message).toMatch(/^findApprovers hook file:silent\.mjs answered outside the contract: \(root\): .*received null$/);
  });

  it('reports a module that does not load', async () => {
    await writeFile(join(dir, 'broken.mjs'), 'export default async (request) => { return {;');
    const error = await failureOf(callHook(invoker(), 'findApprovers', 'file:broken.mjs', request));
    expect(error.message).toMatch(/^findApprovers hook file:broken\.mjs failed: hook module .*broken\.mjs could not be loaded: /);
  });

  it('loads an edited module again', async () => {
    const path = join(dir, 'edited.mjs');
    const write = async (approver: string, mtime: Date) => {
      await writeFile(path, `export default async () => ({ version: 1, stages: [{ approverIds: ['${approver}'] }] });`);
      await utimes(path, mtime, mtime);
    };
    await write('first', new Date('2026-01-01T00:00:00Z'));
    expect((await callHook(invoker(), 'findApprovers', 'file:edited.mjs', request)).stages[0]!.approverIds).toEqual(['first']);
    await write('second', new Date('2026-01-02T00:00:00Z'));
    expect((await callHook(invoker(), 'findApprovers', 'file:edited.mjs', request)).stages[0]!.approverIds).toEqual(['second']);
  });
});

describe('createHookInvoker', () => {
  const lambda = mockClient(LambdaClient);
  afterAll(() => lambda.restore());

  it('runs file: references locally and invokes Lambda ARNs', async () => {
    const arn = 'arn:aws:lambda:eu-west-1:123456789012:function:find-approvers';
    lambda.on(InvokeCommand).resolves({
      StatusCode: 200,
      Payload: new TextEncoder().encode('{"version":1,"stages":[]}') as unknown as InvokeCommandOutput['Payload'],
    });
    const invoker = createHookInvoker({ baseDir: FIXTURES, lambdaClient: new LambdaClient({ region: 'eu-west-1' }) });

    expect((await callHook(invoker, 'findApprovers', 'file:./good-find-approvers.mjs', request)).stages).toHaveLength(2);
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(0);
    await expect(callHook(invoker, 'findApprovers', arn, request)).resolves.toEqual({ version: 1, stages: [] });
    expect(lambda.commandCalls(InvokeCommand).map((call) => call.args[0].input.FunctionName)).toEqual([arn]);
  });

  it('refuses any other reference', async () => {
    const error = await failureOf(callHook(createHookInvoker({ baseDir: FIXTURES }), 'findApprovers', 'approvers-hook', request));
    expect(error.message).toBe('findApprovers hook approvers-hook failed: "approvers-hook" is neither a Lambda function ARN nor file:<path>');
  });
});

describe('examples/hooks/find-approvers-three-stages.mjs', () => {
  const examples = new FileHookInvoker({ baseDir: join(PROJECT_ROOT, 'examples/hooks') });
  const ref = 'file:./find-approvers-three-stages.mjs';

  it('answers three stages: the default approvers, the security reviewers, the campaign owner', async () => {
    await expect(callHook(examples, 'findApprovers', ref, request)).resolves.toEqual({
      version: 1,
      stages: [
        { name: 'Owner review', approverIds: ['m1'], periodDays: 7 },
        { name: 'Security review', approverIds: ['security-officer'], periodDays: 4 },
        { name: 'Owner sign-off', approverIds: ['admin'], periodDays: 3 },
      ],
    });
  });

  it('falls back to the campaign owner when the subject has no default approver', async () => {
    const answer = await callHook(examples, 'findApprovers', ref, { ...request, defaultApproverIds: [] });
    expect(answer.stages.map((stage) => stage.approverIds)).toEqual([['admin'], ['security-officer'], ['admin']]);
  });
});
