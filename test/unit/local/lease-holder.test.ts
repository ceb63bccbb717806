// Whether a lease's holder is gone, as the local runtime judges it: only a process of this machine
// that no longer exists is; everything else is respected until its lease expires.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { isGoneOnThisMachine, localLease, thisProcess } from '../../../src/local/lease-holder.js';

const local = (pid: number, host = hostname()) => ({ kind: 'local' as const, pid, hostname: host, startedAt: '2026-07-01T00:00:00.000Z' });

describe('isGoneOnThisMachine', () => {
  it('is true for a process of this machine that has ended, false while it runs', async () => {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    await once(child, 'spawn');
    const pid = child.pid!;
    expect(isGoneOnThisMachine(local(pid))).toBe(false);
    child.kill('SIGKILL');
    await once(child, 'exit');
    expect(isGoneOnThisMachine(local(pid))).toBe(true);
  });

  it('is false for another machine, a Lambda invocation, and this very process', () => {
    expect(isGoneOnThisMachine(local(2 ** 22 + 1, `${hostname()}-other`))).toBe(false);
    expect(isGoneOnThisMachine({ kind: 'lambda', requestId: 'req-1' })).toBe(false);
    expect(isGoneOnThisMachine(thisProcess())).toBe(false);
  });

  it('is true for an earlier process that had this pid', () => {
    expect(isGoneOnThisMachine({ ...thisProcess(), startedAt: '2020-01-01T00:00:00.000Z' })).toBe(true);
  });

  it('counts a process of another user as alive (EPERM)', () => {
    // pid 1 exists on every Linux machine; as a non-root user, signalling it answers EPERM: alive.
    expect(isGoneOnThisMachine(local(1))).toBe(false);
  });
});

describe('localLease', () => {
  it('adds this process as the holder, the check, and the take-over flag, keeping the other settings', () => {
    const deps = localLease({ takeOverLease: true })({ settings: { portalUrl: 'https://p', leaseSeconds: 300 }, other: 1 });
    expect(deps).toMatchObject({ other: 1, leaseHolder: thisProcess(), settings: { portalUrl: 'https://p', leaseSeconds: 300, takeOverLease: true } });
    expect(deps.isLeaseHolderGone).toBe(isGoneOnThisMachine);
    expect(localLease()({ settings: { portalUrl: 'https://p', leaseSeconds: 300 } }).settings.takeOverLease).toBe(false);
  });
});
