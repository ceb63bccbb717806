// dynalite reads LevelDB through streams over abstract-level iterators and closes none of them: a
// stream that reaches its end leaves the iterator open, and one cut short (a Query's Limit or 1 MB
// page) calls the iterator's `return()`, which abstract-level 3 iterators do not have. An open
// iterator stays registered on the database with what it read ahead, so the engine's heap grew with
// every Query (about 14 kB for one over 40 items): a long local session or a million-assignment
// benchmark ran it out of memory. This gives the iterators a `return()` that closes them and closes
// an iterator once it is exhausted, as a `for await` loop would.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

interface LevelIterator {
  next(): Promise<unknown>;
  close(): Promise<void>;
  return?: () => Promise<void>;
}

const PATCHED = Symbol.for('idgov.levelIteratorsClosed');

/** Patches abstract-level's iterators (the copy dynalite loads) once per process; idempotent. */
export function closeLevelIteratorsWhenDone(): void {
  const { AbstractIterator } = require('abstract-level') as { AbstractIterator: { prototype: object } };
  // next(), close() and the rest live on the base class keys, values and entries iterators share.
  const common = Object.getPrototypeOf(AbstractIterator.prototype) as LevelIterator & { [PATCHED]?: true };
  if (common[PATCHED]) return;
  const next = common.next;
  common.next = async function (this: LevelIterator) {
    const item = await next.call(this);
    if (item === undefined) await this.close();
    return item;
  };
  common.return = function (this: LevelIterator) {
    return this.close();
  };
  common[PATCHED] = true;
}
