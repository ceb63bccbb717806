// Kills a job at its k-th write, counted across every object it writes to (stores, publisher,
// mailer, metrics): that write does nothing and throws, and so does every write after it, as if
// the process had died there. The kill-replay tests re-run the job afterwards.
import { InjectedKill } from './fault-injection.js';

export interface WriteKill {
  /** Writes attempted so far (the killed one included). */
  count(): number;
  /** The write that was killed: its method and arguments. */
  killed(): { method: string; args: unknown[] } | undefined;
  restore(): void;
}

type AsyncMethod = (...args: unknown[]) => Promise<unknown>;

/** Wraps the named methods of each target; `killAt` undefined counts the writes without killing. */
export function killAtWrite(killAt: number | undefined, targets: readonly (readonly [object, readonly string[]])[]): WriteKill {
  let count = 0;
  let killed: { method: string; args: unknown[] } | undefined;
  const restores: (() => void)[] = [];
  for (const [target, methods] of targets) {
    const record = target as Record<string, AsyncMethod>;
    for (const method of methods) {
      const original = record[method];
      if (typeof original !== 'function') throw new Error(`no method ${method} to wrap`);
      record[method] = async (...args: unknown[]) => {
        count += 1;
        if (killAt !== undefined && count >= killAt) {
          killed ??= { method, args };
          throw new InjectedKill(method, count);
        }
        return original.apply(target, args);
      };
      restores.push(() => {
        record[method] = original;
      });
    }
  }
  return { count: () => count, killed: () => killed, restore: () => restores.forEach((r) => r()) };
}
