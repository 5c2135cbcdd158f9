/**
 * At most `limit` calls of `run` at once; the others wait in the order they asked.
 *
 * Section reads go through one limit: a window showing every section asked for all of them at
 * once, and a server on one machine then answered all of them at about the same moment, so the
 * browser drew nothing until the last answer and then drew everything. Two at a time, first
 * section first, the browser draws a section while the server computes the next.
 */
export function concurrencyLimit(limit: number): <T>(run: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: Array<() => void> = [];
  const release = () => {
    running -= 1;
    waiting.shift()?.();
  };
  return async <T>(run: () => Promise<T>): Promise<T> => {
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    running += 1;
    try {
      return await run();
    } finally {
      release();
    }
  };
}
