import { appendFileSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sampleWorkspace, tongbao } from './helpers.js';
import { sharedBuild } from './shared-build.js';

const files = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();

// The tests that share builds rest on this: a copy of a kept build is what a fresh build makes.
describe('shared builds', () => {
  it('give the bytes and the messages of a fresh build of the same inputs, and only of the same inputs', () => {
    const args = ['build', '2016Q4', '--format', 'html'];
    const first = sampleWorkspace();
    const firstRun = sharedBuild(first, args);
    const copy = sampleWorkspace();
    const copyRun = sharedBuild(copy, args);
    const fresh = sampleWorkspace();
    const freshRun = tongbao(args, fresh);
    expect(freshRun.status).toBe(0);
    expect(copyRun).toEqual(firstRun);
    expect(copyRun.stdout).toBe(freshRun.stdout);
    expect(copyRun.stderr).toBe(freshRun.stderr);
    const out = (root: string) => path.join(root, 'out');
    expect(files(out(copy))).toEqual(files(out(fresh)));
    for (const f of files(out(fresh))) expect(readFileSync(path.join(out(copy), f)), f).toEqual(readFileSync(path.join(out(fresh), f)));

    // One changed byte in the inputs is another build.
    const changed = sampleWorkspace();
    const circular = path.join(changed, 'content', '2016Q4', 'circular.md');
    appendFileSync(circular, '\n\n另起一段。\n');
    sharedBuild(changed, args);
    expect(readFileSync(path.join(out(changed), '2016Q4', 'index.html'))).not.toEqual(readFileSync(path.join(out(fresh), '2016Q4', 'index.html')));
  });
});
