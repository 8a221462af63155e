// A document with a long table, printed in slices on parallel tabs:
//  1. measure the rows (slices of the table laid out at the type area's width) while the
//     document's head is printed once, to learn on which page the table starts;
//  2. choose where each page of the table begins (paginate.ts) and force those breaks;
//  3. print the first slice whole, and every later one after the same head, keeping only
//     its own pages (pageRanges) and numbering them as they fall in the whole document;
//  4. check each slice has the pages it was planned with, and join them (pdf-join.ts).
// When the document does not say enough to paginate, or a slice comes out with other pages
// than planned, the caller prints in one piece: slower, never wrong.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'puppeteer-core';
import { MEASURE_SCRIPT, MEASURE_STYLE, sliceDocument, type LongTable } from './long-table.js';
import { pageStarts, planSlices, type Slice, type TableMeasure } from './paginate.js';
import { JoinError, joinPdfs } from './pdf-join.js';

/** How every piece of a bulletin is printed: tagged, with an outline, at the CSS page size. */
export const PDF_OPTIONS = { preferCSSPageSize: true, printBackground: true, tagged: true, outline: true } as const;

/** New tabs in the build's browser context, and loading one of the build's files in one. */
export interface Tabs {
  open(): Promise<Page>;
  load(page: Page, htmlFile: string): Promise<void>;
}

export interface SliceOptions {
  rowsPerSlice: number;
  tabs: number;
  timeout: number;
  onSlice?: ((done: number, total: number) => void) | undefined;
}

export interface Plan {
  starts: number[];
  slices: Slice[];
  /** Pages of the document up to and including the table's first page. */
  headPages: number;
  /** Rows that open a page. */
  breaks: Set<number>;
}

export const countPages = (pdf: Uint8Array) => (Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength).toString('latin1').match(/\/Type \/Page\b/g) ?? []).length;

/**
 * A few tabs, each reused for job after job: a tab keeps its renderer process, whose fonts
 * are already decoded, from one slice to the next. The first failure stops the rest.
 */
export class TabPool {
  private pages: Promise<Page>[] = [];

  constructor(
    private readonly tabs: Tabs,
    readonly size: number,
  ) {}

  async run<T>(jobs: ((load: (file: string) => Promise<Page>) => Promise<T>)[]): Promise<T[]> {
    const out = new Array<T>(jobs.length);
    let next = 0;
    let failed = false;
    await Promise.all(
      Array.from({ length: Math.min(this.size, jobs.length) }, async (_, w) => {
        this.pages[w] ??= this.tabs.open();
        const page = await this.pages[w];
        while (next < jobs.length && !failed) {
          const i = next++;
          try {
            out[i] = await jobs[i]!(async (file) => (await this.tabs.load(page, file), page));
          } catch (e) {
            failed = true;
            throw e;
          }
        }
      }),
    );
    return out;
  }

  async close(): Promise<void> {
    await Promise.all(this.pages.map((p) => p.then((page) => page.close()).catch(() => undefined)));
    this.pages = [];
  }
}

/** Measure the rows and plan the pages; or why the document cannot be paginated here. */
export async function planPages(pool: TabPool, dir: string, t: LongTable, o: SliceOptions): Promise<Plan | string> {
  const n = t.rows.length;
  const parts = Math.max(1, pool.size);
  const bounds = Array.from({ length: parts + 1 }, (_, i) => Math.round((i * n) / parts));
  const headFile = path.join(dir, 'slice-head.html');
  writeFileSync(headFile, sliceDocument(t, { from: 0, to: 0, breaks: new Set(), tail: false }));
  type Measured = { pageHeight: number; firstRowOffset: number; headHeight: number; tops: number[] } | null;
  const jobs: ((load: (file: string) => Promise<Page>) => Promise<number | Measured>)[] = [
    async (load) => countPages(await (await load(headFile)).pdf({ ...PDF_OPTIONS, timeout: o.timeout })),
    ...bounds.slice(0, -1).map((from, i) => async (load: (file: string) => Promise<Page>) => {
      const file = path.join(dir, `slice-measure-${i}.html`);
      writeFileSync(file, sliceDocument(t, { from, to: bounds[i + 1]!, breaks: new Set(), tail: false, style: MEASURE_STYLE }));
      const page = await load(file);
      const cdp = await page.createCDPSession();
      try {
        const r = await cdp.send('Runtime.evaluate', { expression: MEASURE_SCRIPT, returnByValue: true });
        return r.result.value as Measured;
      } finally {
        await cdp.detach().catch(() => undefined);
      }
    }),
  ];
  const [headPages, ...measured] = (await pool.run(jobs)) as [number, ...Measured[]];
  if (measured.some((m) => !m)) return '打印样式没有给出版心尺寸（--type-width、--type-height），或表格前没有分页';
  const rowHeights: number[] = [];
  for (const m of measured) for (let i = 0; i + 1 < m!.tops.length; i++) rowHeights.push(m!.tops[i + 1]! - m!.tops[i]!);
  const first = measured[0]!;
  const measure: TableMeasure = { pageHeight: first.pageHeight, firstRowOffset: first.firstRowOffset, headHeight: first.headHeight, rowHeights };
  if (rowHeights.some((h) => h + measure.headHeight > measure.pageHeight) || measure.firstRowOffset >= measure.pageHeight) {
    return '有一行高过一页';
  }
  const starts = pageStarts(measure);
  return { starts, slices: planSlices(starts, n, o.rowsPerSlice), headPages, breaks: new Set(starts.slice(1)) };
}

/** The whole document with the planned page breaks: what the slices print, in one piece. */
export function paginatedDocument(t: LongTable, plan: Plan): string {
  return sliceDocument(t, { from: 0, to: t.rows.length, breaks: plan.breaks, tail: true });
}

export async function printSliced(
  tabs: Tabs,
  htmlFile: string,
  t: LongTable,
  o: SliceOptions,
): Promise<{ pdf: Uint8Array; count: number } | { reason: string }> {
  const pool = new TabPool(tabs, o.tabs);
  try {
    return await sliced(pool, htmlFile, t, o);
  } finally {
    await pool.close();
  }
}

async function sliced(pool: TabPool, htmlFile: string, t: LongTable, o: SliceOptions): Promise<{ pdf: Uint8Array; count: number } | { reason: string }> {
  const dir = path.dirname(htmlFile);
  const plan = await planPages(pool, dir, t, o);
  if (typeof plan === 'string') return { reason: plan };
  const { slices, headPages, breaks } = plan;
  const last = slices.length - 1;
  let done = 0;
  const jobs = slices.map((s, k) => async (load: (file: string) => Promise<Page>) => {
    const file = path.join(dir, `slice-${k}.html`);
    const opening = new Set(breaks);
    // Later slices follow the head and open their own page; the page counter starts at the
    // number the slice's first page has in the whole document.
    if (k > 0) opening.add(s.from);
    const style = k > 0 ? `@page:first{counter-increment:page ${s.firstPage}}` : undefined;
    writeFileSync(file, sliceDocument(t, { from: s.from, to: s.to, breaks: opening, tail: k === last, ...(style && { style }) }));
    const page = await load(file);
    const pdf = await page.pdf({ ...PDF_OPTIONS, timeout: o.timeout, ...(k > 0 && { pageRanges: `${headPages + 1}-` }) });
    const want = k === 0 ? headPages - 1 + s.pages : s.pages;
    const got = countPages(pdf);
    // The last slice holds what follows the table too: at least its own pages.
    if (k === last ? got < want : got !== want) throw new SliceMismatch(k, want, got);
    o.onSlice?.(++done, slices.length);
    return pdf;
  });
  try {
    const pdfs = await pool.run(jobs);
    return { pdf: joinPdfs(pdfs), count: slices.length };
  } catch (e) {
    if (e instanceof SliceMismatch || e instanceof JoinError) return { reason: e.message };
    throw e;
  }
}

class SliceMismatch extends Error {
  constructor(k: number, want: number, got: number) {
    super(`第 ${k + 1} 段应有 ${want} 页，实际 ${got} 页`);
  }
}
