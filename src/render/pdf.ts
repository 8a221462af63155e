// Printing: the page opened from a file, JavaScript off, every request outside the build's
// own files refused, then Chromium's PDF finished (metadata, reproducible bytes).
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Browser, Page } from 'puppeteer-core';
import { finishPdf, type PdfInfo } from './pdf-finish.js';

export interface PrintRequest {
  /** The HTML file to print (its fonts are file URLs under `allow`). */
  htmlFile: string;
  /** Folders whose files the page may load. */
  allow: string[];
  info: PdfInfo;
  timeoutMs?: number;
}

export interface Printed {
  pdf: Buffer;
  /** Every request the page made, and which were refused. */
  requests: { url: string; allowed: boolean }[];
}

function allowed(url: string, dirs: string[]): boolean {
  if (url.startsWith('data:')) return true;
  if (!url.startsWith('file:')) return false;
  let file: string;
  try {
    file = path.resolve(fileURLToPath(url));
  } catch {
    return false;
  }
  return dirs.some((d) => file === d || file.startsWith(d.endsWith(path.sep) ? d : d + path.sep));
}

/** A fresh page set up for printing, with no document yet, and how to close it. */
export interface Tab {
  page: Page;
  close: () => Promise<void>;
}

async function setUp(page: Page): Promise<void> {
  await page.setJavaScriptEnabled(false);
  // Lay out for print from the start, so every face print needs is loaded with the page.
  await page.emulateMediaType('print');
  // No request is made before printPdf adds its handler: the page is blank until goto.
  await page.setRequestInterception(true);
}

/**
 * Open the tab a document is printed in. Separate from printPdf so that a build can open it
 * (a new renderer process, 0.2–0.5 s) while the HTML is still being rendered.
 */
export async function openTab(browser: Browser): Promise<Tab> {
  // A context of its own per document: nothing carries over between bulletins.
  const context = await browser.createBrowserContext();
  try {
    const page = await context.newPage();
    await setUp(page);
    return { page, close: () => context.close() };
  } catch (e) {
    await context.close().catch(() => undefined);
    throw e;
  }
}

/**
 * The blank tab Chromium opens at start, for a browser launched to print one document: as
 * fresh as a new context (a new temporary profile), and its renderer is already running.
 */
export async function initialTab(browser: Browser): Promise<Tab> {
  const target = await browser.waitForTarget((t) => t.type() === 'page' && t.url() === 'about:blank', { timeout: 30_000 });
  const page = await target.page();
  if (!page) throw new Error('no initial page');
  await setUp(page);
  return { page, close: () => page.close() };
}

/** Print in `tab` when given (it is closed afterwards), else in a tab opened here. */
export async function printPdf(browser: Browser, req: PrintRequest, tab?: Promise<Tab>): Promise<Printed> {
  const opened = await (tab ?? openTab(browser));
  const page = opened.page;
  const requests: Printed['requests'] = [];
  try {
    const dirs = [path.dirname(path.resolve(req.htmlFile)), ...req.allow.map((d) => path.resolve(d))];
    page.on('request', (r) => {
      const ok = allowed(r.url(), dirs);
      requests.push({ url: r.url(), allowed: ok });
      if (ok) void r.continue();
      else void r.abort('blockedbyclient');
    });
    const timeout = req.timeoutMs ?? 120_000;
    await page.goto(pathToFileURL(req.htmlFile).href, { waitUntil: 'load', timeout });
    const raw = await page.pdf({ preferCSSPageSize: true, printBackground: true, tagged: true, outline: true, timeout });
    return { pdf: finishPdf(raw, req.info), requests };
  } finally {
    await opened.close();
  }
}
