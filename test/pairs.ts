// Independent CLI runs of one test, side by side: at most two at a time, as the machine the
// suite is measured on has two cores. Results come back in the order of the items.
export async function inPairs<T, R>(items: readonly T[], run: (item: T, index: number) => Promise<R>, width = 2): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await run(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, lane));
  return results;
}
