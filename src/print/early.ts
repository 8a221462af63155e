// A browser started at the very beginning of a `build`, before the rest of the program is
// loaded: Chromium takes about as long to start as Node takes to load the pipeline, so the
// two overlap. The tab to print in is the one Chromium opens at start, made ready as soon as
// Chromium is up. Whoever prints takes both; if nobody does, they are closed.
import type { Browser } from 'puppeteer-core';
import { closeBrowser, isShared, launchBrowser } from './browser.js';
import { initialTab, openTab, type Tab } from './pdf.js';

export interface Prelaunched {
  browser: Promise<Browser>;
  tab: Promise<Tab>;
  /** End the browser now, started or still starting (a Chromium that never comes up included). */
  cancel(): void;
}

let early: Prelaunched | undefined;

export function prelaunch(): void {
  if (early) return;
  const stop = new AbortController();
  const browser = launchBrowser(stop.signal);
  const tab = browser.then((b) => (isShared(b) ? openTab(b) : initialTab(b)));
  // a failed launch is reported where it is taken; a failed tab is opened again by the print
  browser.catch(() => undefined);
  tab.catch(() => undefined);
  early = { browser, tab, cancel: () => stop.abort() };
}

/** The browser being started and its tab, once: the caller now owns both. */
export function takePrelaunched(): Prelaunched | undefined {
  const e = early;
  early = undefined;
  return e;
}

/** End a browser started for nothing (a usage error, a build that stopped before printing). */
export async function dropPrelaunched(): Promise<void> {
  const e = takePrelaunched();
  e?.cancel();
  await e?.browser.then(closeBrowser).catch(() => undefined);
}
