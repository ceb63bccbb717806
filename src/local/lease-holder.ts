// Who holds the controller's lease locally, and whether that process is gone. A run stopped with
// Ctrl-C or `kill -9` leaves its lease behind; a later run on the same machine sees its process is
// gone and takes the lease over at once instead of waiting for the expiry. On AWS nothing here
// applies: an invocation that dies is only known by its lease's expiry.
import { hostname } from 'node:os';
import type { ControllerDeps } from '../../lambdas/shared/use-cases/campaign-controller.js';
import type { LeaseHolder } from '../../lambdas/shared/use-cases/ports.js';

/** Read once: process.uptime() drifts against the wall clock, and this must compare equal. */
const STARTED_AT = new Date(Date.now() - process.uptime() * 1000).toISOString();

/** This process, as the lease records it. */
export function thisProcess(): Extract<LeaseHolder, { kind: 'local' }> {
  return { kind: 'local', pid: process.pid, hostname: hostname(), startedAt: STARTED_AT };
}

/**
 * True only for a process of this machine that no longer exists. Another machine's process, a
 * Lambda invocation, or a pid that is alive (or was reused by another process since) is not known
 * to be gone: its lease is respected until it expires.
 */
export function isGoneOnThisMachine(holder: LeaseHolder): boolean {
  if (holder.kind !== 'local' || holder.hostname !== hostname()) return false;
  // Our own pid: an earlier process that had it is gone; this process is not.
  if (holder.pid === process.pid) return holder.startedAt !== STARTED_AT;
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** What the local runtime adds to the controller's dependencies. */
export function localLease(options: { takeOverLease?: boolean } = {}) {
  return <D extends Pick<ControllerDeps, 'settings'>>(deps: D): D & Pick<ControllerDeps, 'settings' | 'leaseHolder' | 'isLeaseHolderGone'> => ({
    ...deps,
    leaseHolder: thisProcess(),
    isLeaseHolderGone: isGoneOnThisMachine,
    settings: { ...deps.settings, takeOverLease: options.takeOverLease ?? false },
  });
}
