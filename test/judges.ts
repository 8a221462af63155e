// The real tools as judges: the Nu HTML Checker and axe-core in Chromium.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'puppeteer-core';

const require = createRequire(import.meta.url);

export interface VnuMessage {
  type: string;
  subType?: string;
  message: string;
  lastLine?: number;
}

/** Nu HTML Checker (vnu-jar) messages for one file; errors and warnings both. */
export function vnu(file: string): VnuMessage[] {
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
