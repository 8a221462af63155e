// An independent OFD reader as a judge: ofd.js (DLTech21, Apache-2.0, 0.2.6: the last version
// whose reader is open), run in Chromium. It parses the package and draws each page as HTML
// and SVG; the tests read back where it put every glyph and take a picture of every page,
// compared with pdftoppm's picture of the PDF page. Its limit: it does not load the fonts
// embedded in the package, and sets text in whatever face the system gives the font's name.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';
import { PNG } from 'pngjs';

const require = createRequire(import.meta.url);

export interface ReaderPage {
  /** The page as the reader draws it. */
  png: PNG;
  /** Pixels per mm of that picture. */
  scale: number;
  /** Each glyph the reader drew: its character and origin (left, baseline) in mm. */
  glyphs: { ch: string; x: number; y: number }[];
}

export async function readWithOfdJs(ofd: string): Promise<ReaderPage[]> {
  return (await readAllWithOfdJs([ofd]))[0]!;
}

/** Several packages read by ofd.js in one start of Chromium (which costs more than reading one), each in a page of its own. */
export async function readAllWithOfdJs(ofds: string[]): Promise<ReaderPage[][]> {
  const browser = await puppeteer.launch({ executablePath: process.env['PUPPETEER_EXECUTABLE_PATH'] || '/usr/bin/chromium', args: ['--no-sandbox', '--headless=new', '--font-render-hinting=none'] });
  try {
    const read: ReaderPage[][] = [];
    for (const ofd of ofds) read.push(await readIn(browser, ofd));
    return read;
  } finally {
    await browser.close();
  }
}

async function readIn(browser: Browser, ofd: string): Promise<ReaderPage[]> {
  const page = await browser.newPage();
  try {
    await page.setViewport({ width: 1200, height: 1700, deviceScaleFactor: 1 });
    await page.setContent('<!DOCTYPE html><html><body style="margin:0;background:#fff"><div id="out"></div></body></html>');
    await page.addScriptTag({ content: readFileSync(require.resolve('ofd.js/lib/ofd.umd.js'), 'utf8') });
    const b64 = readFileSync(ofd).toString('base64');
    const widths = await page.evaluate(async (data: string) => {
      const bin = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
      const lib = (window as unknown as { ofd: { parseOfdDocument(o: object): void; renderOfd(w: number, doc: unknown): HTMLElement[] } }).ofd;
      const divs = await new Promise<HTMLElement[]>((resolve, reject) => lib.parseOfdDocument({ ofd: bin.buffer, success: (res: unknown[]) => resolve(lib.renderOfd(1100, res[0])), fail: (e: unknown) => reject(new Error(String(e))) }));
      const out = document.getElementById('out')!;
      for (const d of divs) {
        d.style.marginBottom = '0';
        out.append(d);
      }
      await document.fonts.ready;
      return divs.map((d) => d.getBoundingClientRect().width);
    }, b64);
    const pages: ReaderPage[] = [];
    const handles = await page.$$('#out > div');
    for (let i = 0; i < handles.length; i++) {
      const box = (await handles[i]!.boundingBox())!;
      const scale = widths[i]! / 210;
      const glyphs = await handles[i]!.evaluate((div, s) => {
        const origin = div.getBoundingClientRect();
        return [...div.querySelectorAll('text')].map((t) => {
          const svg = t.ownerSVGElement!.getBoundingClientRect();
          return { ch: t.textContent ?? '', x: (svg.left - origin.left + Number(t.getAttribute('x') ?? 0)) / s, y: (svg.top - origin.top + Number(t.getAttribute('y') ?? 0)) / s };
        });
      }, scale);
      const shot = await page.screenshot({ clip: { x: box.x, y: box.y, width: Math.round(box.width), height: Math.round(box.height) }, type: 'png' });
      pages.push({ png: PNG.sync.read(Buffer.from(shot)), scale, glyphs });
    }
    return pages;
  } finally {
    await page.close();
  }
}

/** pdftoppm's picture of a PDF page at a given size in pixels. */
export function pdfPicture(pdf: string, page: number, width: number, height: number): PNG {
  const base = path.join(mkdtempSync(path.join(tmpdir(), 'tongbao-ppm-')), 'p');
  execFileSync('pdftoppm', ['-f', String(page), '-l', String(page), '-scale-to-x', String(width), '-scale-to-y', String(height), '-png', '-singlefile', pdf, base]);
  return PNG.sync.read(readFileSync(`${base}.png`));
}

/**
 * pdftoppm's pictures of every page of a PDF, page i at sizes[i]: one pdftoppm for each run of
 * pages of one size, rather than one (opening the whole PDF again) for each page.
 */
export function pdfPictures(pdf: string, sizes: { width: number; height: number }[]): PNG[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'tongbao-ppm-'));
  const pictures: PNG[] = [];
  for (let first = 0; first < sizes.length; ) {
    const { width, height } = sizes[first]!;
    let last = first;
    while (last + 1 < sizes.length && sizes[last + 1]!.width === width && sizes[last + 1]!.height === height) last++;
    const base = path.join(dir, `run${first + 1}`);
    execFileSync('pdftoppm', ['-f', String(first + 1), '-l', String(last + 1), '-scale-to-x', String(width), '-scale-to-y', String(height), '-png', pdf, base]);
    // pdftoppm numbers its files with as many digits as the document's last page has.
    const files = readdirSync(dir).filter((f) => f.startsWith(`run${first + 1}-`)).sort((a, b) => Number(/-(\d+)\.png$/.exec(a)![1]) - Number(/-(\d+)\.png$/.exec(b)![1]));
    if (files.length !== last - first + 1) throw new Error(`pdftoppm drew ${files.length} of pages ${first + 1}–${last + 1} of ${pdf}`);
    for (const f of files) pictures.push(PNG.sync.read(readFileSync(path.join(dir, f))));
    first = last + 1;
  }
  return pictures;
}

/** The share of pixels whose grey differs by more than a quarter of the range. */
export function differingShare(a: PNG, b: PNG): number {
  const w = Math.min(a.width, b.width);
  const h = Math.min(a.height, b.height);
  let differ = 0;
  const grey = (p: PNG, x: number, y: number) => {
    const i = (y * p.width + x) * 4;
    return 0.299 * p.data[i]! + 0.587 * p.data[i + 1]! + 0.114 * p.data[i + 2]!;
  };
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (Math.abs(grey(a, x, y) - grey(b, x, y)) > 64) differ++;
  return differ / (w * h);
}
