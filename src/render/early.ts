// A browser started at the very beginning of a `build`, before the rest of the program is
// loaded: Chromium takes about as long to start as Node takes to load the pipeline, so the
// two overlap. Whoever prints takes it; if nobody does, it is closed.
import type { Browser } from 'puppeteer-core';
import { launchBrowser } from './browser.js';

let early: Promise<Browser> | undefined;

export function prelaunch(): void {
  early ??= launchBrowser();
  early.catch(() => undefined); // a failed launch is reported where it is taken
}

/** The browser being started, once: the caller now owns it. */
export function takePrelaunched(): Promise<Browser> | undefined {
  const e = early;
  early = undefined;
  return e;
}

/** Close a browser started for nothing (a usage error, a build that stopped before printing). */
export async function dropPrelaunched(): Promise<void> {
  const e = takePrelaunched();
  await e?.then((b) => b.close()).catch(() => undefined);
}
