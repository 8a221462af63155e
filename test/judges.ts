// The real tools as judges: the Nu HTML Checker and axe-core in Chromium. A judge's verdict on
// bytes it judged earlier in the run (another test file reads the same page) is not asked again:
// it is kept in the run's cache folder (test/shared-build.ts), by the bytes' hash.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'puppeteer-core';
import { keepAside, keptFor } from './shared-build.js';

const require = createRequire(import.meta.url);

export interface VnuMessage {
  type: string;
  subType?: string;
  message: string;
  lastLine?: number;
}

// A judge's verdict on bytes judged earlier in the run is kept (test/shared-build.ts), by their hash.
const earlier = <T>(at: string | undefined): T | undefined => (at && existsSync(at) ? (JSON.parse(readFileSync(at, 'utf8')) as T) : undefined);

function keep<T>(at: string | undefined, found: T): T {
  if (at) keepAside(at, (part) => writeFileSync(part, JSON.stringify(found)));
  return found;
}

/** Nu HTML Checker (vnu-jar) messages for one file; errors and warnings both. */
export function vnu(file: string): VnuMessage[] {
  const at = keptFor('vnu', file, '.json');
  return earlier<VnuMessage[]>(at) ?? keep(at, vnuNow(file));
}

function vnuNow(file: string): VnuMessage[] {
  const jar = require('vnu-jar') as string;
  let out: string;
  try {
    out = execFileSync('java', ['-jar', jar, '--format', 'json', '--stdout', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    out = (e as { stdout: string }).stdout; // exits 1 when it found errors
  }
  return (JSON.parse(out) as { messages: VnuMessage[] }).messages;
}

export interface AxeViolation {
  id: string;
  impact: string;
  help: string;
  nodes: { target: string[] }[];
}

/** axe-core's WCAG 2.1 A/AA violations for a page at a viewport width. */
export async function axe(browser: Browser, file: string, width: number): Promise<AxeViolation[]> {
  const at = keptFor(`axe-${width}`, file, '.json');
  return earlier<AxeViolation[]>(at) ?? keep(at, await axeNow(browser, file, width));
}

async function axeNow(browser: Browser, file: string, width: number): Promise<AxeViolation[]> {
  const page = await browser.newPage();
  try {
    // The page's CSP forbids every script, rightly; the judge alone is let in.
    await page.setBypassCSP(true);
    await page.setViewport({ width, height: 900 });
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    await page.addScriptTag({ content: readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8') });
    return (await page.evaluate(async () => {
      const r = await (globalThis as unknown as { axe: { run: (c: unknown, o: unknown) => Promise<{ violations: unknown[] }> } }).axe.run(document, {
        runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
      });
      return r.violations;
    })) as AxeViolation[];
  } finally {
    await page.close();
  }
}
