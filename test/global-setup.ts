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
  // tsc rewrites only what changed (tsconfig's incremental), and the bundle is made again only
  // when something it is made from changed: after `npm run setup`, neither has work to do.
  execFileSync('npx', ['tsc', '-p', 'tsconfig.json'], { stdio: 'inherit' });
  execFileSync(process.execPath, ['.ci/bundle.mjs', '--if-stale'], { stdio: 'inherit' });
  const cache = mkdtempSync(path.join(tmpdir(), 'tongbao-test-builds-'));
  process.env['TONGBAO_TEST_BUILDS'] = cache;
  const { launchBrowser, closeBrowser } = (await import(pathToFileURL(path.resolve('dist/print/browser.js')).href)) as typeof import('../src/print/browser.js');
  const started = await Promise.allSettled(Array.from({ length: BROWSERS }, () => launchBrowser()));
  const browsers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  // None here (a test file run on a machine without Chromium): each build then tries to start
  // its own, and says why it cannot, as for a user.
  if (browsers.length < BROWSERS) console.warn(`global-setup: ${browsers.length} of ${BROWSERS} Chromiums started; builds start their own`);
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
