// Printing: the page opened from a file, JavaScript off, every request outside the build's
// own files refused, then Chromium's PDF finished (metadata, reproducible bytes). A document
// with a table of thousands of rows is printed in slices (pdf-slices.ts).
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Browser, BrowserContext } from 'puppeteer-core';
import { finishPdf, type PdfInfo } from './pdf-finish.js';
import { findLongTable } from './long-table.js';
import { PDF_OPTIONS, printSliced, type PageOpener } from './pdf-slices.js';

export interface PrintRequest {
  /** The HTML file to print (its fonts are file URLs under `allow`). */
  htmlFile: string;
  /** Folders whose files the page may load. */
  allow: string[];
  info: PdfInfo;
  timeoutMs?: number;
  /** Told as slices of a long table are printed. */
  onSlice?: (done: number, total: number) => void;
}

export interface Printed {
  pdf: Buffer;
  /** Every request the page made, and which were refused. */
  requests: { url: string; allowed: boolean }[];
  /** How a long table was printed: in how many slices, or in one piece and why. */
  slices?: { count: number } | { count: 1; reason: string };
}

/**
 * Rows from which a table is printed in slices, and rows per slice. Below a few thousand
 * rows one piece is as fast; the environment variables are for tests and benchmarks.
 */
export const SLICING = {
  get fromRows() {
    return Number(process.env['TONGBAO_SLICE_FROM']) || 3000;
  },
  get rowsPerSlice() {
    return Number(process.env['TONGBAO_SLICE_ROWS']) || 800;
  },
  /** Tabs printing at once: one per core, and at least two. */
  get tabs() {
    return Math.max(2, availableParallelism());
  },
};

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

/** A tab on one of the build's files: scripts off, print media, nothing from elsewhere. */
export function opener(context: BrowserContext, req: PrintRequest, requests: Printed['requests']): PageOpener {
  const dirs = [path.dirname(path.resolve(req.htmlFile)), ...req.allow.map((d) => path.resolve(d))];
  return async (htmlFile) => {
    const page = await context.newPage();
    await page.setJavaScriptEnabled(false);
    // Lay out for print from the start, so every face print needs is loaded with the page.
    await page.emulateMediaType('print');
    await page.setRequestInterception(true);
    page.on('request', (r) => {
      const ok = allowed(r.url(), dirs);
      requests.push({ url: r.url(), allowed: ok });
      if (ok) void r.continue();
      else void r.abort('blockedbyclient');
    });
    await page.goto(pathToFileURL(htmlFile).href, { waitUntil: 'load', timeout: req.timeoutMs ?? 120_000 });
    return page;
  };
}

export async function printPdf(browser: Browser, req: PrintRequest): Promise<Printed> {
  // A context of its own per document: nothing carries over between bulletins.
  const context = await browser.createBrowserContext();
  const requests: Printed['requests'] = [];
  const open = opener(context, req, requests);
  const timeout = req.timeoutMs ?? 120_000;
  try {
    const long = findLongTable(readFileSync(req.htmlFile, 'utf8'), SLICING.fromRows);
    let slices: Printed['slices'];
    if (long) {
      const sliced = await printSliced(open, req.htmlFile, long, { ...SLICING, timeout, onSlice: req.onSlice });
      if ('pdf' in sliced) return { pdf: finishPdf(sliced.pdf, req.info), requests, slices: { count: sliced.count } };
      slices = { count: 1, reason: sliced.reason };
    }
    const page = await open(req.htmlFile);
    const raw = await page.pdf({ ...PDF_OPTIONS, timeout });
    return { pdf: finishPdf(raw, req.info), requests, ...(slices && { slices }) };
  } finally {
    await context.close();
  }
}
