import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * Compile src/ to dist/ and bundle it once, so CLI tests run exactly what `npx tongbao` runs; and
 * make the run's build cache (test/shared-build.ts), removed when the run ends.
 */
export default function setup() {
  execFileSync('npx', ['tsc', '-p', 'tsconfig.json'], { stdio: 'inherit' });
  execFileSync(process.execPath, ['.ci/bundle.mjs'], { stdio: 'inherit' });
  const cache = mkdtempSync(path.join(tmpdir(), 'tongbao-test-builds-'));
  process.env['TONGBAO_TEST_BUILDS'] = cache;
  return () => rmSync(cache, { recursive: true, force: true });
}
