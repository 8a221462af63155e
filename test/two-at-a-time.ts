// Independent builds and CLI runs side by side, two at a time: a build waits on Chromium as
// much as it computes and a check is one process on one core, so two fill the machine's two
// cores; a third only queues for them.

/** A queue that runs at most `width` of the tasks given to it at once, in the order given. */
export function queue(width = 2): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    // A finished task hands its place to the next waiting one, so no newcomer slips in between.
    if (running >= width) await new Promise<void>((go) => waiting.push(go));
    else running++;
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}

/**
 * `run` over `items`, at most two at a time; then `look` at each item's result in the items'
 * order, so a failure names the same case it would name run one by one. The results in order.
 */
export async function twoAtATime<T, R>(items: readonly T[], run: (item: T, index: number) => Promise<R>, look: (item: T, result: R, index: number) => void | Promise<void> = () => undefined): Promise<R[]> {
  const lane = queue(2);
  const results = await Promise.all(items.map((item, i) => lane(() => run(item, i))));
  for (const [i, item] of items.entries()) await look(item, results[i]!, i);
  return results;
}

/**
 * Work planned as a file's tests are collected and all started before its first test (the
 * builds through a queue, so two run from the first to the last); each test awaits its own.
 */
export function planner(): { plan: <T>(make: () => Promise<T>) => () => Promise<T>; startAll: () => void } {
  const planned: (() => void)[] = [];
  return {
    plan<T>(make: () => Promise<T>) {
      let started: Promise<T> | undefined;
      const start = () => (started ??= make());
      // A failure is the awaiting test's to report, not an unhandled rejection before it.
      planned.push(() => void start().catch(() => undefined));
      return start;
    },
    startAll: () => planned.forEach((start) => start()),
  };
}
