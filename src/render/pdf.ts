// Printing: the page opened from a file, JavaScript off, every request outside the build's
// own files refused, then Chromium's PDF finished (metadata, reproducible bytes).
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Browser } from 'puppeteer-core';
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

export async function printPdf(browser: Browser, req: PrintRequest): Promise<Printed> {
  // A context of its own per document: nothing carries over between bulletins.
  const context = await browser.createBrowserContext();
  const requests: Printed['requests'] = [];
  try {
    const page = await context.newPage();
    await page.setJavaScriptEnabled(false);
    // Lay out for print from the start, so every face print needs is loaded with the page.
    await page.emulateMediaType('print');
    await page.setRequestInterception(true);
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
    await context.close();
  }
}
