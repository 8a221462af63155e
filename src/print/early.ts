// A browser started at the very beginning of a `build`, before the rest of the program is
// loaded: Chromium takes about as long to start as Node takes to load the pipeline, so the
// two overlap. The tab to print in is the one Chromium opens at start, made ready as soon as
// Chromium is up. Whoever prints takes both; if nobody does, they are closed.
import type { Browser } from 'puppeteer-core';
import { closeBrowser, launchBrowser } from './browser.js';
import { initialTab, type Tab } from './pdf.js';

let early: { browser: Promise<Browser>; tab: Promise<Tab> } | undefined;

export function prelaunch(): void {
  if (early) return;
  const browser = launchBrowser();
  const tab = browser.then(initialTab);
  // a failed launch is reported where it is taken; a failed tab is opened again by the print
  browser.catch(() => undefined);
  tab.catch(() => undefined);
  early = { browser, tab };
}

/** The browser being started and its tab, once: the caller now owns both. */
export function takePrelaunched(): { browser: Promise<Browser>; tab: Promise<Tab> } | undefined {
  const e = early;
  early = undefined;
  return e;
}

/** Close a browser started for nothing (a usage error, a build that stopped before printing). */
export async function dropPrelaunched(): Promise<void> {
  const e = takePrelaunched();
  await e?.browser.then(closeBrowser).catch(() => undefined);
}
