// Helpers the in-memory stores share: storage copies and page-at-a-time streams.

/** What a store would hand back: a copy without undefined fields, never the caller's object. */
export const stored = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

export interface InMemoryOptions {
  /** Records per page of a list: small pages make tests cross page boundaries. */
  pageSize?: number;
}

export const DEFAULT_PAGE_SIZE = 100;

/** The sorted values in pages; copies are made as each page is read, like a paginated query. */
export async function* inPages<T>(values: readonly T[], pageSize: number): AsyncGenerator<T[]> {
  for (let i = 0; i < values.length; i += pageSize) yield values.slice(i, i + pageSize).map(stored);
}

/** The values sorted by key, from the first whose key is above `after` (all when undefined). */
export function afterKey<T>(values: readonly T[], keyOf: (value: T) => string, after: string | undefined): T[] {
  const sorted = [...values].sort(byKey(keyOf));
  return after === undefined ? sorted : sorted.filter((v) => keyOf(v) > after);
}

export const byKey =
  <T>(keyOf: (value: T) => string) =>
  (a: T, b: T): number => {
    const ka = keyOf(a);
    const kb = keyOf(b);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  };
