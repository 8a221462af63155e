// LibreOffice as a second reader of the Word document: it opens bulletin.docx headless and
// prints it to PDF, which the tests measure as they measure tongbao's own PDF.
import { execFile, execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PNG } from 'pngjs';
import { keepAside, keptFor } from './shared-build.js';

/**
 * The PDF LibreOffice prints from a .docx: in a folder of its own, with a profile of its own
 * (tests run side by side). A document of the same bytes printed earlier in the run, by any
 * test file, is not printed again: its print is kept in the run's cache folder
 * (test/shared-build.ts), by the document's hash.
 *
 * One start of LibreOffice per document, though `--convert-to` takes several: in one process
 * the embedded faces of the first document serve the later ones, whose subsets have the same
 * names (measured: every document after the first printed characters in Noto Sans CJK and
 * DejaVu, which the test of the faces rightly fails).
 */
export async function libreOfficePdf(docx: string): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'tongbao-lo-'));
  const pdf = path.join(dir, path.basename(docx).replace(/\.docx$/, '.pdf'));
  const kept = keptFor('lo', docx, '.pdf');
  if (kept && existsSync(kept)) {
    copyFileSync(kept, pdf);
    return pdf;
  }
  const profile = pathToFileURL(path.join(dir, 'profile')).href;
  await new Promise<void>((resolve, reject) => {
    execFile('soffice', [`-env:UserInstallation=${profile}`, '--headless', '--convert-to', 'pdf', '--outdir', dir, docx], { timeout: 180_000 }, (e, _out, err) => {
      if (e || !existsSync(pdf)) reject(new Error(`LibreOffice could not convert ${docx}: ${e?.message ?? ''} ${err}`));
      else resolve();
    });
  });
  if (kept) keepAside(kept, (part) => copyFileSync(pdf, part));
  return pdf;
}

/**
 * Ruled lines of a page (table borders, the 版头's rule), from its pixels at 5 px/mm: x of
 * the vertical ones at least 20 mm long, y of the horizontal ones at least 30 mm long, in mm.
 */
export function ruledLines(pdf: string, page: number): { vertical: number[]; horizontal: number[] } {
  const dir = mkdtempSync(path.join(tmpdir(), 'tongbao-rules-'));
  const base = path.join(dir, 'p');
  execFileSync('pdftoppm', ['-r', '127', '-f', String(page), '-l', String(page), '-gray', '-png', '-singlefile', pdf, base]);
  const png = PNG.sync.read(readFileSync(`${base}.png`));
  const { width: w, height: h, data } = png;
  const pxmm = 127 / 25.4;
  const dark = (x: number, y: number) => data[(y * w + x) * 4]! < 128;
  const longest = (n: number, at: (i: number) => boolean) => {
    let run = 0;
    let best = 0;
    for (let i = 0; i < n; i++) {
      run = at(i) ? run + 1 : 0;
      if (run > best) best = run;
    }
    return best;
  };
  const vertical: number[] = [];
  for (let x = 0; x < w; x++) if (longest(h, (y) => dark(x, y)) > 20 * pxmm) vertical.push(x / pxmm);
  const horizontal: number[] = [];
  for (let y = 0; y < h; y++) if (longest(w, (x) => dark(x, y)) > 30 * pxmm) horizontal.push(y / pxmm);
  return { vertical, horizontal };
}

/**
 * Red rules of a page (the 版头's, 信函格式's double rules), from its pixels at 10 px/mm: bands
 * of rows in which red runs at least 100 mm, each with its top and bottom and the extent of
 * its longest red row, in mm. Text in red (the issuing mark) is never that long.
 */
export function redRules(pdf: string, page: number): { top: number; bottom: number; x0: number; x1: number }[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'tongbao-red-'));
  const base = path.join(dir, 'p');
  execFileSync('pdftoppm', ['-r', '254', '-f', String(page), '-l', String(page), '-png', '-singlefile', pdf, base]);
  const { width: w, height: h, data } = PNG.sync.read(readFileSync(`${base}.png`));
  const pxmm = 254 / 25.4;
  const bands: { top: number; bottom: number; x0: number; x1: number }[] = [];
  let open: (typeof bands)[number] | undefined;
  for (let y = 0; y < h; y++) {
    let run = 0;
    let best = { x0: 0, x1: 0, n: 0 };
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 4;
      const red = data[i]! > 170 && data[i + 1]! < 100 && data[i + 2]! < 100;
      run = red ? run + 1 : 0;
      if (run > best.n) best = { x0: x - run + 1, x1: x, n: run };
    }
    if (best.n > 100 * pxmm) {
      if (!open) bands.push((open = { top: y / pxmm, bottom: (y + 1) / pxmm, x0: best.x0 / pxmm, x1: (best.x1 + 1) / pxmm }));
      else open.bottom = (y + 1) / pxmm;
    } else open = undefined;
  }
  return bands;
}
