// Independent CLI runs of one test, side by side: a check or a build is one process on one
// core, and the machine has two. Results come back in the order of the cases, and are looked
// at in that order, so a failure names the same case it would name run one by one.

/** `run` over `items`, at most two at a time; then `look` at each item's result, in order. */
export async function twoAtATime<T, R>(items: readonly T[], run: (item: T, index: number) => Promise<R>, look: (item: T, result: R, index: number) => void | Promise<void> = () => undefined): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await run(items[i]!, i);
    }
  };
  await Promise.all([lane(), lane()]);
  for (const [i, item] of items.entries()) await look(item, results[i]!, i);
  return results;
}

/**
 * A gate for tests of a file that run concurrently (`it.concurrent`): whatever is passed
 * through it runs at most two at a time, in the order asked.
 */
export function twoLanes(): <T>(job: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (job) => {
    if (running >= 2) await new Promise<void>((go) => waiting.push(go));
    else running++;
    try {
      return await job();
    } finally {
      // The place passes to the next in line, or is given back.
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}
