// Independent builds side by side, but no more than two at once: the machine the suite is
// measured on has two cores, and a third Chromium only makes each of them slower.

/** `make(item)` for every item, two running at a time; the results in the items' order. */
export async function twoAtATime<T, R>(items: readonly T[], make: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await make(items[i]!, i);
    }
  };
  await Promise.all([lane(), lane()]);
  return results;
}
