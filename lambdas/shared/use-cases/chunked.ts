// Time-budgeted work in chunks with a cursor (docs/reference/scale.md). A phase that walks a listing
// (a run's entries, its revocations, the directory's users) hands this loop how to list from a
// cursor, what to do with a chunk, and how to save the cursor with the chunk's effects; the loop
// keeps no more than one chunk in memory and stops between chunks once the budget is spent.
import type { Entry, Revocation } from '../domain/model.js';
import type { Pages, TimeBudget } from './ports.js';

/** An entry's cursor in `CampaignStore.listEntries(runId, { after })`: its id. */
export const entryCursor = (entry: Pick<Entry, 'id'>): string => entry.id;
/** A revocation's cursor in `CampaignStore.listRevocations(runId, { after })`: `<userId>#<privilegeId>`, its key in the run. */
export const revocationCursor = (r: Pick<Revocation, 'userId' | 'privilegeId'>): string => `${r.userId}#${r.privilegeId}`;

export interface ChunkLoop<T> {
  /**
   * The records strictly after `after` in the listing's key order (all of them when undefined), a page
   * at a time: a store listing with `{ after }` (an ExclusiveStartKey), never a listing filtered in memory.
   */
  pages: (after: string | undefined) => Pages<T>;
  /** The cursor of a record: the key `pages` resumes after. */
  keyOf: (record: T) => string;
  /** Where a previous call stopped (the cursor saved by its last checkpoint); undefined: from the start. */
  after?: string;
  budget: TimeBudget;
  /** Records per chunk (default DEFAULT_CHUNK_SIZE). */
  chunkSize?: number;
  /** The chunk's work; it must be idempotent: a kill before the checkpoint repeats the chunk. */
  work: (chunk: T[]) => Promise<void>;
  /**
   * Saves `lastKey` (the chunk's last record's key) as the cursor, with whatever the chunk counted:
   * a later call resumes after it. Called once per chunk, after `work`.
   */
  checkpoint: (lastKey: string, chunk: T[]) => Promise<void>;
}

export interface ChunkLoopResult {
  /** True when the listing is exhausted; false when the budget ended it with records left. */
  done: boolean;
  /** The last cursor saved (or the one given, if no chunk ran). */
  after?: string;
  /** Chunks and records done by this call. */
  chunks: number;
  records: number;
}

export const DEFAULT_CHUNK_SIZE = 100;

/**
 * Runs `work` then `checkpoint` over consecutive chunks of the listing from `after` on. The budget is
 * checked between chunks only, and never before the first: every call makes progress, however small
 * the budget, so a chain of continuations always finishes. `done` is false only when a further record
 * was seen, so a finished listing never asks for a continuation.
 */
export async function forEachChunk<T>(loop: ChunkLoop<T>): Promise<ChunkLoopResult> {
  const size = Math.max(1, loop.chunkSize ?? DEFAULT_CHUNK_SIZE);
  let after = loop.after;
  let chunks = 0;
  let records = 0;
  let buffer: T[] = [];
  const flush = async () => {
    const chunk = buffer;
    buffer = [];
    await loop.work(chunk);
    const lastKey = loop.keyOf(chunk[chunk.length - 1]!);
    await loop.checkpoint(lastKey, chunk);
    after = lastKey;
    chunks += 1;
    records += chunk.length;
  };
  for await (const page of loop.pages(after)) {
    for (const record of page) {
      if (buffer.length === size) {
        await flush();
        if (!loop.budget.hasTimeLeft()) return { done: false, after, chunks, records };
      }
      buffer.push(record);
    }
  }
  if (buffer.length > 0) await flush();
  return { done: true, ...(after !== undefined ? { after } : {}), chunks, records };
}
