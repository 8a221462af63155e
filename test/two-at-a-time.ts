// Builds of one test file run side by side, two at a time: a build waits on Chromium as much
// as it computes, so two fill the machine's two cores; a third Chromium only makes each slower.

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

/** `make(item)` for every item, two running at a time; the results in the items' order. */
export function twoAtATime<T, R>(items: readonly T[], make: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const run = queue(2);
  return Promise.all(items.map((item, i) => run(() => make(item, i))));
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
