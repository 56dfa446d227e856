/** Run async jobs with at most `limit` in flight, results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const queue = workQueue(items, fn);
  for (let i = 0; i < Math.max(1, limit); i++) queue.addWorker();
  return queue.done();
}

export interface WorkQueue<R> {
  /** One more job in flight from now on (a no-op once every item was taken). */
  addWorker(): void;
  /** Every result, in input order, once the workers added so far have drained the queue. */
  done(): Promise<R[]>;
}

/**
 * A queue whose concurrency can grow while it runs: a benchmark starts with the cores its own work leaves
 * free and adds a worker when that work is over, instead of leaving a core idle until the queue drains.
 */
export function workQueue<T, R>(items: readonly T[], fn: (item: T, index: number) => Promise<R>): WorkQueue<R> {
  const results = new Array<R>(items.length);
  const workers: Promise<void>[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!, i);
    }
  };
  return {
    addWorker: () => {
      if (next < items.length) workers.push(worker());
    },
    done: async () => {
      // Workers added while waiting are awaited too.
      for (let seen = 0; seen < workers.length; seen = workers.length) await Promise.all(workers.slice(seen));
      return results;
    },
  };
}
