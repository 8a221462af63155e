import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** Chromiums for the run: two test files at a time, each building up to two PDFs at a time. */
const BROWSERS = 4;

/**
 * Compile src/ to dist/ and bundle it once, so CLI tests run exactly what `npx tongbao` runs;
 * make the run's build cache (test/shared-build.ts); start the run's Chromiums, which the
 * CLI's builds borrow one build at a time (test/helpers.ts; src/print/browser.ts says why).
 * All of it is removed or ended when the run ends.
 */
export default async function setup() {
  execFileSync('npx', ['tsc', '-p', 'tsconfig.json'], { stdio: 'inherit' });
  execFileSync(process.execPath, ['.ci/bundle.mjs'], { stdio: 'inherit' });
  const cache = mkdtempSync(path.join(tmpdir(), 'tongbao-test-builds-'));
  process.env['TONGBAO_TEST_BUILDS'] = cache;
  const { launchBrowser, closeBrowser } = (await import(pathToFileURL(path.resolve('dist/print/browser.js')).href)) as typeof import('../src/print/browser.js');
  const browsers = await Promise.all(Array.from({ length: BROWSERS }, () => launchBrowser()));
  process.env['TONGBAO_SUITE_BROWSERS'] = JSON.stringify(browsers.map((b) => b.wsEndpoint()));
  // Not a client of them itself: a client attached beside a build's drops its tab's print media.
  await Promise.all(browsers.map((b) => b.disconnect()));
  const lent = mkdtempSync(path.join(tmpdir(), 'tongbao-test-browsers-'));
  process.env['TONGBAO_SUITE_LENT'] = lent;
  return async () => {
    await Promise.all(browsers.map(closeBrowser));
    rmSync(cache, { recursive: true, force: true });
    rmSync(lent, { recursive: true, force: true });
  };
}
