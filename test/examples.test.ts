// Every period of the sample and of every example checks clean and builds: the examples are
// what offices copy, and the README shows each of their quarters.
import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { REPO, exampleWorkspace, sampleWorkspace, tongbaoAsync, type Run } from './helpers.js';
import { twoAtATime } from './two-at-a-time.js';

const periodsOf = (root: string) => readdirSync(path.join(root, 'data'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();

const workspaces = [
  { name: 'the sample', make: () => sampleWorkspace() },
  ...readdirSync(path.join(REPO, 'examples'))
    .filter((n) => existsSync(path.join(REPO, 'examples', n, 'data')))
    .map((n) => ({ name: `examples/${n}`, make: () => exampleWorkspace(n as 'city' | 'province') })),
];

/** Each period's check, then `build --all`, in a workspace just made: what each test reads. */
async function checkAndBuild(make: () => string) {
  const root = make();
  const periods = periodsOf(root);
  const checks: Run[] = [];
  for (const p of periods) checks.push(await tongbaoAsync(['check', p], root));
  const build = await tongbaoAsync(['build', '--all'], root);
  const made = periods.map((p) => ({ page: existsSync(path.join(root, 'out', p, 'index.html')), pdf: existsSync(path.join(root, 'out', p, 'bulletin.pdf')) }));
  rmSync(root, { recursive: true, force: true });
  return { periods, checks, build, made };
}

describe('every period of every example', () => {
  // The workspaces are independent: checked and built two at a time, then each test reads its own.
  let results: Awaited<ReturnType<typeof checkAndBuild>>[];
  beforeAll(async () => {
    results = await twoAtATime(workspaces, (w) => checkAndBuild(w.make));
  }, 480_000);

  for (const [i, w] of workspaces.entries()) {
    it(`${w.name}: each period checks with exit 0 and builds its page and PDF`, () => {
      const { periods, checks, build: b, made } = results[i]!;
      expect(periods.length).toBeGreaterThan(0);
      for (const [k, p] of periods.entries()) expect(checks[k]!.status, `${w.name} ${p}:\n${checks[k]!.stderr}`).toBe(0);
      expect(b.status, `${w.name}:\n${b.stderr}`).toBe(0);
      for (const [k, p] of periods.entries()) {
        expect(made[k]!.page, `${w.name} ${p}`).toBe(true);
        expect(made[k]!.pdf, `${w.name} ${p}`).toBe(true);
      }
    });
  }
});
