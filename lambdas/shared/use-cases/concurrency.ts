// Pure helpers for bounded concurrency, shared by the use cases and the Dynamo adapters' batch
// reads and writes (adapters may depend on use-case modules, as they do on ports.ts; not the reverse).

/**
 * Runs `fn` over `items` with at most `limit` in flight; results keep the input order. After a
 * failure no new item starts, and the call rejects with the first error only once the work in
 * flight has settled, so nothing keeps writing after the caller has moved on.
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (!failure && next < items.length) {
      const i = next++;
      try {
        results[i] = await fn(items[i]!, i);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  if (failure) throw failure.error;
  return results;
}

/**
 * The values of `source`, each next one read while the consumer works on the one it was given, so
 * reading and the consumer's writing overlap; at most one value is read ahead. A consumer that stops
 * early (or fails) leaves no read running: the one in flight is settled before this returns.
 */
export async function* readAhead<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  // A read that fails while the consumer works is not unhandled: it is awaited (and thrown) next.
  const ahead = () => {
    const read = iterator.next();
    read.catch(() => undefined);
    return read;
  };
  let next = ahead();
  try {
    for (;;) {
      const result = await next;
      if (result.done) return;
      next = ahead();
      yield result.value;
    }
  } finally {
    const exhausted = await next.then(
      (result) => result.done === true,
      () => true,
    );
    if (!exhausted) await iterator.return?.();
  }
}

export async function collect<T>(pages: AsyncIterable<T[]>): Promise<T[]> {
  const all: T[] = [];
  for await (const page of pages) all.push(...page);
  return all;
}

export const chunk = <T>(items: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
