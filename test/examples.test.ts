// Every period of the sample and of every example checks clean and builds: the examples are
// what offices copy, and the README shows each of their quarters.
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { REPO, exampleWorkspace, sampleWorkspace, tongbao } from './helpers.js';

const periodsOf = (root: string) => readdirSync(path.join(root, 'data'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();

const workspaces = [
  { name: 'the sample', make: () => sampleWorkspace() },
  ...readdirSync(path.join(REPO, 'examples'))
    .filter((n) => existsSync(path.join(REPO, 'examples', n, 'data')))
    .map((n) => ({ name: `examples/${n}`, make: () => exampleWorkspace(n as 'city' | 'province') })),
];

describe('every period of every example', () => {
  for (const w of workspaces) {
    it(`${w.name}: each period checks with exit 0 and builds its page and PDF`, () => {
      const root = w.make();
      const periods = periodsOf(root);
      expect(periods.length).toBeGreaterThan(0);
      for (const p of periods) {
        const c = tongbao(['check', p], root);
        expect(c.status, `${w.name} ${p}:\n${c.stderr}`).toBe(0);
      }
      const b = tongbao(['build', '--all'], root);
      expect(b.status, `${w.name}:\n${b.stderr}`).toBe(0);
      for (const p of periods) {
        expect(existsSync(path.join(root, 'out', p, 'index.html')), `${w.name} ${p}`).toBe(true);
        expect(existsSync(path.join(root, 'out', p, 'bulletin.pdf')), `${w.name} ${p}`).toBe(true);
      }
      rmSync(root, { recursive: true, force: true });
    }, 240_000);
  }
});
