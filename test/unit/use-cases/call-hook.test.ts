import { afterEach, describe, expect, it, vi } from 'vitest';
import { DomainError } from '../../../lambdas/shared/domain/errors.js';
import type { LimitResourcesRequest } from '../../../lambdas/shared/domain/hook-contracts.js';
import { callHook, DEFAULT_HOOK_TIMEOUT_MS, HookError } from '../../../lambdas/shared/use-cases/call-hook.js';
import type { HookInvoker } from '../../../lambdas/shared/use-cases/ports.js';

const REF = 'arn:aws:lambda:eu-west-1:123456789012:function:limit-resources';
const request: LimitResourcesRequest = {
  version: 1,
  hook: 'limitResources',
  campaign: {
    id: 'c-1',
    name: 'Finance high-risk users',
    kind: 'USER',
    ownerId: 'admin',
    startDate: '2026-07-01T00:00:00.000Z',
    dueDate: '2026-07-15T00:00:00.000Z',
  },
  now: '2026-07-01T01:00:00.000Z',
  subject: { kind: 'USER', id: 'u1', name: 'Name u1' },
  assignments: [
    { userId: 'u1', privilegeId: 'p-fin' },
    { userId: 'u1', privilegeId: 'p-git' },
  ],
};

/** An invoker that records its calls and answers with `answer(request)`. */
function stubInvoker(answer: (request: unknown) => unknown) {
  const calls: { ref: string; request: unknown; options: { timeoutMs: number } }[] = [];
  const invoker: HookInvoker = {
    invoke: async (ref, sent, options) => {
      calls.push({ ref, request: sent, options });
      return answer(sent);
    },
  };
  return { invoker, calls };
}

const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected the hook call to fail');
    },
    (error: unknown) => error as HookError,
  );

describe('callHook', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends the request reduced to its contract with the timeout, and returns the checked answer', async () => {
    const { invoker, calls } = stubInvoker(() => ({ version: 1, keep: [{ userId: 'u1', privilegeId: 'p-git' }] }));
    const answer = await callHook(invoker, 'limitResources', REF, { ...request, extra: 'internal' } as LimitResourcesRequest);
    expect(answer).toEqual({ version: 1, keep: [{ userId: 'u1', privilegeId: 'p-git' }] });
    expect(calls).toEqual([{ ref: REF, request, options: { timeoutMs: DEFAULT_HOOK_TIMEOUT_MS } }]);
  });

  it('times the hook out itself when the invoker never answers', async () => {
    vi.useFakeTimers();
    const { invoker, calls } = stubInvoker(() => new Promise(() => {}));
    const pending = failureOf(callHook(invoker, 'limitResources', REF, request));
    await vi.advanceTimersByTimeAsync(DEFAULT_HOOK_TIMEOUT_MS - 1);
    let settled = false;
    void pending.then(() => (settled = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const error = await pending;
    expect(error).toBeInstanceOf(HookError);
    expect(error).toBeInstanceOf(DomainError);
    expect(error.message).toBe(`limitResources hook ${REF} timed out after 10000 ms`);
    expect(error.failure).toBe('TIMED_OUT');
    expect(calls[0]!.options).toEqual({ timeoutMs: 10_000 });
  });

  it('uses the given timeout', async () => {
    vi.useFakeTimers();
    const { invoker, calls } = stubInvoker(() => new Promise(() => {}));
    const pending = failureOf(callHook(invoker, 'limitResources', REF, request, { timeoutMs: 2_500 }));
    await vi.advanceTimersByTimeAsync(2_500);
    expect((await pending).problem).toBe('timed out after 2500 ms');
    expect(calls[0]!.options).toEqual({ timeoutMs: 2_500 });
  });

  it('names the request assignment a limitResources answer invented', async () => {
    const { invoker } = stubInvoker(() => ({ version: 1, keep: [{ userId: 'u1', privilegeId: 'p-fin' }, { userId: 'u1', privilegeId: 'p-prod' }] }));
    const error = await failureOf(callHook(invoker, 'limitResources', REF, request));
    expect(error.message).toBe(
      `limitResources hook ${REF} answered outside the contract: keep.1: u1/p-prod is not one of the request's assignments`,
    );
  });

  it('quotes the first five contract issues and counts the rest', async () => {
    const { invoker } = stubInvoker(() => ({ version: 1, keep: Array.from({ length: 8 }, () => ({ userId: 7, privilegeId: 'p-fin' })) }));
    const error = await failureOf(callHook(invoker, 'limitResources', REF, request));
    expect(error.problem.match(/keep\.\d\.userId/g)).toEqual(['keep.0.userId', 'keep.1.userId', 'keep.2.userId', 'keep.3.userId', 'keep.4.userId']);
    expect(error.problem).toMatch(/ \(and 3 more\)$/);
  });

  it('turns anything an invoker throws into a HookError, quoting at most one line of 500 characters', async () => {
    const thrown = (value: unknown) => ({ invoke: () => Promise.reject(value) }) satisfies HookInvoker;
    expect((await failureOf(callHook(thrown('connection reset'), 'limitResources', REF, request))).problem).toBe('failed: connection reset');
    expect((await failureOf(callHook(thrown({ status: 503 }), 'limitResources', REF, request))).problem).toBe('failed: {"status":503}');
    const long = await failureOf(callHook(thrown(new Error(`line one\nline two ${'x'.repeat(600)}`)), 'limitResources', REF, request));
    expect(long.problem.startsWith('failed: line one line two xxx')).toBe(true);
    expect(long.problem).toHaveLength('failed: '.length + 500 + 1);
    const sync: HookInvoker = {
      invoke: () => {
        throw new Error('bad configuration');
      },
    };
    expect((await failureOf(callHook(sync, 'limitResources', REF, request))).message).toBe(`limitResources hook ${REF} failed: bad configuration`);
  });

  it('refuses a request outside the contract without calling the hook: that is a bug in idgov, not a hook failure', async () => {
    const { invoker, calls } = stubInvoker(() => ({ version: 1, keep: [] }));
    const bad = { ...request, campaign: { ...request.campaign, dueDate: undefined } } as unknown as LimitResourcesRequest;
    const error = await callHook(invoker, 'limitResources', REF, bad).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(HookError);
    expect((error as Error).message).toMatch(/^limitResources hook request built outside the contract: campaign\.dueDate: /);
    expect(calls).toHaveLength(0);
  });

  it('refuses a timeout that is not a positive whole number of milliseconds', async () => {
    const { invoker } = stubInvoker(() => ({ version: 1, keep: [] }));
    for (const timeoutMs of [0, -1, 1.5, Number.NaN]) {
      await expect(callHook(invoker, 'limitResources', REF, request, { timeoutMs })).rejects.toThrow(RangeError);
    }
  });
});
