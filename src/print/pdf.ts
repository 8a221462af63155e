// Printing: the page opened from a file, JavaScript off, every request outside the build's
// own files refused, then Chromium's PDF finished (metadata, reproducible bytes). A document
// with a table of thousands of rows is printed in slices on more tabs (slices.ts).
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Browser, Page } from 'puppeteer-core';
import { finishPdf, type PdfInfo } from '../pdf/finish.js';
import { findLongTable, sliceDocument } from './long-table.js';
import { PDF_OPTIONS, printSliced, type Tabs } from './slices.js';
import { LAYOUT_FUNCTION, type LayoutOptions, type LayoutReport } from './layout.js';
import { keepTogether, type Kept } from './keep.js';
import { countPages } from '../pdf/update.js';

export interface PrintRequest {
  /** The HTML file to print (its fonts are file URLs under `allow`). */
  htmlFile: string;
  /** Folders whose files the page may load. */
  allow: string[];
  info: PdfInfo;
  timeoutMs?: number;
  /** Told as the slices of a long table are printed. */
  onSlice?: (done: number, total: number) => void;
}

export interface Printed {
  pdf: Buffer;
  /** Every request the pages made, and which were refused. */
  requests: { url: string; allowed: boolean }[];
  /** A long table printed in slices: how many; or why it was printed in one piece. */
  slices?: { count: number; reason?: string };
  /** What the layout pass decided (one-piece prints). */
  layout?: LayoutReport;
  /** What a probe print showed apart and was moved together (one-piece prints). */
  kept?: Kept;
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
  /** Rows the columns are measured from at first (every row when one is wider): two chunks. */
  get sampleRows() {
    return Number(process.env['TONGBAO_SLICE_SAMPLE']) || 1600;
  },
  /** Rows past a chunk its tab holds at first: two pages of a table of one-line rows. */
  get lookahead() {
    return Number(process.env['TONGBAO_SLICE_LOOKAHEAD']) || 48;
  },
  /** Tabs printing at once: one per core, and at least two. */
  get tabs() {
    return Number(process.env['TONGBAO_SLICE_TABS']) || Math.max(2, availableParallelism());
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

/** A fresh page set up for printing, with no document yet, and how to close it. */
export interface Tab {
  page: Page;
  close: () => Promise<void>;
}

async function setUp(page: Page): Promise<void> {
  await page.setJavaScriptEnabled(false);
  // Lay out for print from the start, so every face print needs is loaded with the page.
  await page.emulateMediaType('print');
  // No request is made before a handler is added: the page is blank until goto.
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

/** Refuse every request of `page` outside the build's files; note each one. */
function sandbox(page: Page, req: PrintRequest, requests: Printed['requests']): void {
  const dirs = [path.dirname(path.resolve(req.htmlFile)), ...req.allow.map((d) => path.resolve(d))];
  page.on('request', (r) => {
    const ok = allowed(r.url(), dirs);
    requests.push({ url: r.url(), allowed: ok });
    if (ok) void r.continue();
    else void r.abort('blockedbyclient');
  });
}

const load = (page: Page, htmlFile: string, req: PrintRequest) => page.goto(pathToFileURL(htmlFile).href, { waitUntil: 'load', timeout: req.timeoutMs ?? 120_000 }).then(() => undefined);

/** More tabs beside `tab`, in its context, set up and sandboxed alike. */
export function tabsBeside(tab: Page, req: PrintRequest, requests: Printed['requests']): Tabs {
  return {
    async open() {
      const page = await tab.browserContext().newPage({ background: true });
      try {
        await setUp(page);
        sandbox(page, req, requests);
        return page;
      } catch (e) {
        await page.close().catch(() => undefined);
        throw e;
      }
    },
    load: (page, file) => load(page, file, req),
  };
}

/** Print in `tab` when given (it is closed afterwards), else in a tab opened here. */
export async function printPdf(browser: Browser, req: PrintRequest, tab?: Promise<Tab>): Promise<Printed> {
  const opened = await (tab ?? openTab(browser));
  const requests: Printed['requests'] = [];
  const timeout = req.timeoutMs ?? 120_000;
  try {
    let slices: Printed['slices'];
    let htmlFile = req.htmlFile;
    const long = findLongTable(readFileSync(req.htmlFile, 'utf8'), SLICING.fromRows);
    if (long) {
      const sliced = await printSliced(tabsBeside(opened.page, req, requests), req.htmlFile, long, { ...SLICING, timeout, onSlice: req.onSlice });
      if ('pdf' in sliced) {
        const t0 = performance.now();
        const pdf = finishPdf(sliced.pdf, req.info);
        if (process.env['TONGBAO_SLICE_TRACE']) process.stderr.write(`slice-trace all finish ${(performance.now() - t0).toFixed(1)}\n`);
        return { pdf, requests, slices: { count: sliced.count } };
      }
      slices = { count: 1, reason: sliced.reason };
      // In one piece with the columns measured for the slices, when they were.
      if (sliced.table) {
        htmlFile = path.join(path.dirname(req.htmlFile), 'long-table.html');
        writeFileSync(htmlFile, sliceDocument(sliced.table, { from: 0, to: sliced.table.rows.length, breaks: new Set(), tail: true }));
      }
    }
    sandbox(opened.page, req, requests);
    // One piece of a long table takes Chromium minutes: its time limit grows with the rows.
    const print = async (options: LayoutOptions) => {
      await load(opened.page, htmlFile, req);
      const pdf = (probe = false) => opened.page.pdf({ ...PDF_OPTIONS, ...(probe && { tagged: false, outline: false }), timeout: timeout * Math.max(1, Math.ceil((long?.rows.length ?? 0) / 5000)) });
      const layout = long ? undefined : ((await opened.page.evaluate(`(${LAYOUT_FUNCTION})(${JSON.stringify(options)})`)) as LayoutReport);
      // Where the pages really break is known from a print: probes (untagged, so quicker) show
      // what to keep together.
      const kept = layout ? await keepTogether(opened.page, () => pdf(true)) : undefined;
      return { raw: await pdf(), layout, kept };
    };
    let { raw, layout, kept } = await print({ colophon: 'auto' });
    // The pages were not where the layout pass foresaw: the 版记 on a page of its own, after
    // a blank page when that page would be odd. Slower, never wrong.
    if (layout?.colophon && countPages(raw) !== layout.pages) {
      ({ raw, layout, kept } = await print({ colophon: 'own-page' }));
      if (countPages(raw) % 2 === 1) ({ raw, layout, kept } = await print({ colophon: 'after-blank' }));
    }
    return { pdf: finishPdf(raw, req.info), requests, ...(slices && { slices }), ...(layout && { layout }), ...(kept && { kept }) };
  } finally {
    await opened.close();
  }
}
