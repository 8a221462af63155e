// The bundle's code cache (bin/code-cache.js, made by .ci/bundle.mjs): V8 takes every cache
// as made for this Node, and the program run through it prints what dist/ as compiled prints.
import { readFileSync } from 'node:fs';
import Module from 'node:module';
import path from 'node:path';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { REPO, sampleWorkspace, tongbao } from './helpers.js';

const bundle = path.join(REPO, 'dist', 'bundle');

describe('the code cache', () => {
  it('covers the files a check loads, each cache accepted by this V8', () => {
    const index = JSON.parse(readFileSync(path.join(bundle, 'code-cache.json'), 'utf8')) as Record<string, { size: number }>;
    expect(Object.keys(index)).toContain('cli.js');
    expect(Object.keys(index).some((f) => f.startsWith('check-'))).toBe(true);
    for (const file of Object.keys(index)) {
      const filename = path.join(bundle, file);
      const script = new vm.Script(Module.wrap(readFileSync(filename, 'utf8')), { filename, cachedData: readFileSync(`${filename}.v8`) });
      expect(script.cachedDataRejected, file).toBe(false);
    }
  });

  it('runs a check and a build as dist/ does', () => {
    for (const args of [['check', '2016Q4'], ['build', '2016Q4', '--format', 'html']]) {
      const a = tongbao(args, sampleWorkspace());
      const b = tongbao(args, sampleWorkspace(), { TONGBAO_NO_BUNDLE: '1' });
      expect(a).toEqual(b);
      expect(a.status).toBe(0);
    }
  });
});
