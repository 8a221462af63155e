// A document with a long table, printed in slices on parallel tabs. Each tab loads the
// document's head once, then holds one chunk of the table's rows after another, put in and
// taken out by DevTools evaluation: no page is loaded again, no face fetched twice, and the
// layout that measures the rows is the one the print starts from.
//  0. The columns first: an even sample of the rows is measured for what they need of every
//     column, and the widths shared out once (long-table.ts, columns.ts) hold for every slice;
//     a row wider than its column (step 1 sees it) has every row measured, and the print starts
//     again.
//  1. A tab puts in its chunk's rows and a few of the next chunk's, lays them out at the type
//     area's width and reports their heights.
//  2. Once the rows before the chunk are measured (by other tabs), the table's pages up to
//     the chunk's end are known (paginate.ts). The slice is the chunk's rows from the first
//     page it opens to the first page the next slice opens.
//  3. The tab drops the rows outside its slice, forces a break before each page's first row
//     and prints: the first slice whole, a later one keeping only its own pages after the
//     head (pageRanges), numbered as they fall in the whole document. The last slice carries
//     what follows the table and is loaded whole instead.
//  4. Each slice must have the pages it was planned with; they are joined (../pdf/join.ts).
// When the document does not say enough to paginate, or a slice comes out with other pages
// than planned, the caller prints in one piece: slower, never wrong.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'puppeteer-core';
import { COLUMNS_FUNCTION, longColumns, MEASURE_FUNCTION, PREPARE_FUNCTION, sliceDocument, withColumns, type ChunkColumns, type LongTable } from './long-table.js';
import { pageStarts, slicePage, type TableMeasure } from './paginate.js';
import { JoinError, Joiner } from '../pdf/join.js';
import { countPages } from '../pdf/update.js';

/** How every piece of a bulletin is printed: tagged, with an outline, at the CSS page size. */
export const PDF_OPTIONS = { preferCSSPageSize: true, printBackground: true, tagged: true, outline: true } as const;

/** New tabs in the build's browser context, and loading one of the build's files in one. */
export interface Tabs {
  open(): Promise<Page>;
  load(page: Page, htmlFile: string): Promise<void>;
}

export interface SliceOptions {
  rowsPerSlice: number;
  /** Rows the columns are measured from at first, evenly spread. */
  sampleRows: number;
  /** Rows a tab holds past its chunk at first, for the pages its slice may run over. */
  lookahead: number;
  tabs: number;
  timeout: number;
  onSlice?: ((done: number, total: number) => void) | undefined;
}

export interface Sliced {
  pdf: Uint8Array;
  /** Slices printed. */
  count: number;
  /** The first body row of every page of the table. */
  starts: number[];
  /** The table as printed: its columns at the widths measured from its rows. */
  table: LongTable;
}

/** Why the table was not printed in slices, and the table with its columns measured, if they were. */
export interface Unsliced {
  reason: string;
  table?: LongTable;
}

/**
 * TONGBAO_SLICE_TRACE=1: how long each step of each slice took, one line each on stderr (the
 * profile in BENCHMARKS.md). A step in Chromium is the wait for it in Node.
 */
const trace = process.env['TONGBAO_SLICE_TRACE']
  ? (k: number | string, step: string, t0: number) => process.stderr.write(`slice-trace ${k} ${step} ${(performance.now() - t0).toFixed(1)}\n`)
  : undefined;

/** Why the table cannot be paginated here: the caller prints in one piece. */
class Unpaginated extends Error {}

/** A row needs a column wider than the sample of rows showed: every row is measured. */
class TooNarrow extends Error {}

class SliceMismatch extends Error {
  constructor(k: number, want: number, got: number) {
    super(`第 ${k + 1} 段应有 ${want} 页，实际 ${got} 页`);
  }
}

/** A tab of the pool and the file it has loaded. */
interface Tab {
  page: Page;
  holds?: string;
}

/** A few tabs, each taking job after job in order; the first failure stops the rest. */
class TabPool {
  private tabs: Promise<Tab>[] = [];

  constructor(
    private readonly opener: Tabs,
    readonly size: number,
  ) {}

  /**
   * Every job run, or the first failure once every tab has stopped (a tab is never shared):
   * `onFailure` is told at once, so that a job waiting on another's results gives up.
   */
  async run(jobs: ((tab: Tab) => Promise<void>)[], onFailure?: (e: unknown) => void): Promise<void> {
    let next = 0;
    let failed = false;
    const settled = await Promise.allSettled(
      Array.from({ length: Math.min(this.size, jobs.length) }, async (_, w) => {
        this.tabs[w] ??= this.opener.open().then((page) => ({ page }));
        const tab = await this.tabs[w];
        while (next < jobs.length && !failed) {
          const i = next++;
          try {
            await jobs[i]!(tab);
          } catch (e) {
            if (!failed) onFailure?.(e);
            failed = true;
            throw e;
          }
        }
      }),
    );
    const failure = settled.find((r) => r.status === 'rejected');
    if (failure) throw failure.reason;
  }

  /** Load every file again: the next run's files have the same names and other content. */
  forget(): void {
    for (const t of this.tabs) void t.then((tab) => (tab.holds = undefined), () => undefined);
  }

  async load(tab: Tab, file: string): Promise<void> {
    if (tab.holds === file) return;
    tab.holds = undefined;
    await this.opener.load(tab.page, file);
    tab.holds = file;
  }

  async close(): Promise<void> {
    await Promise.all(this.tabs.map((t) => t.then((tab) => tab.page.close()).catch(() => undefined)));
    this.tabs = [];
  }
}

type Model = Omit<TableMeasure, 'rowHeights'>;
type Measured = Model & { tops: number[]; overflow: boolean };

/**
 * The rows' heights as the tabs report them, and the table's pages as far as they tell.
 * A row measured twice (a chunk and the lookahead of the one before) keeps its first height,
 * so that every tab reckons with the same pages.
 */
class Pager {
  private readonly heights: Float64Array;
  private readonly have: Uint8Array;
  /** Rows [0, known) are measured. */
  private known = 0;
  private model: Model | undefined;
  private waiters: { row: number; resolve: () => void; reject: (e: unknown) => void }[] = [];
  private failure: { error: unknown } | undefined;
  /** The pages of the last `starts()`, and how many rows they were found from. */
  private paged: { known: number; starts: number[] } | undefined;

  constructor(readonly rows: number) {
    this.heights = new Float64Array(rows);
    this.have = new Uint8Array(rows);
  }

  record(from: number, m: Measured, model: boolean): void {
    for (let i = 0; i + 1 < m.tops.length; i++) {
      if (this.have[from + i]) continue;
      this.heights[from + i] = m.tops[i + 1]! - m.tops[i]!;
      this.have[from + i] = 1;
    }
    if (model) this.model = { pageHeight: m.pageHeight, firstRowOffset: m.firstRowOffset, headHeight: m.headHeight };
    while (this.known < this.rows && this.have[this.known]) this.known++;
    this.waiters = this.waiters.filter((w) => (this.ready(w.row) ? (w.resolve(), false) : true));
  }

  private ready(row: number): boolean {
    return this.model !== undefined && this.known >= row;
  }

  /** Resolves once the rows before `row` are measured. */
  until(row: number): Promise<void> {
    if (this.failure) return Promise.reject(this.failure.error);
    if (this.ready(row)) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ row, resolve, reject }));
  }

  fail(error: unknown): void {
    this.failure = { error };
    for (const w of this.waiters) w.reject(error);
    this.waiters = [];
  }

  /** The first row of every page found so far (all of them once every row is measured). */
  starts(): number[] {
    // Asked a few times per chunk; the pages change only when more rows are measured.
    if (this.paged?.known === this.known) return this.paged.starts;
    const model = this.model!;
    const rowHeights = this.heights.subarray(0, this.known);
    if (model.firstRowOffset >= model.pageHeight || rowHeights.some((h) => h + model.headHeight > model.pageHeight)) throw new Unpaginated('有一行高过一页');
    this.paged = { known: this.known, starts: pageStarts({ ...model, rowHeights }) };
    return this.paged.starts;
  }


  /**
   * The first row of the slice that begins at or after `row`: the table's end when no page
   * does; undefined while the rows measured so far do not tell.
   */
  sliceStart(row: number): number | undefined {
    if (row === 0) return 0;
    const starts = this.starts();
    const p = slicePage(starts, row);
    if (p !== undefined) return starts[p];
    return this.known === this.rows ? this.rows : undefined;
  }
}

/** The whole document with the given page breaks: what the slices print, in one piece. */
export function paginatedDocument(t: LongTable, starts: readonly number[]): string {
  return sliceDocument(t, { from: 0, to: t.rows.length, breaks: new Set(starts.slice(1)), tail: true });
}

/**
 * Run one of our functions in the tab's document, through the page's own DevTools session: a
 * second session would come with emulation of its own (screen media, scripts on).
 */
const evaluate = <T>(tab: Tab, fn: string, ...args: unknown[]): Promise<T> =>
  tab.page.evaluate(`(${fn})(${args.map((a) => JSON.stringify(a)).join(',')})`) as Promise<T>;

/** Every k-th row of n, k such that there are at most `most` (all of them in a shorter table). */
function sampleRows(n: number, most: number): number[] {
  const k = Math.ceil(n / Math.max(1, most));
  return Array.from({ length: Math.ceil(n / k) }, (_, i) => i * k);
}

export async function printSliced(tabs: Tabs, htmlFile: string, long: LongTable, o: SliceOptions): Promise<Sliced | Unsliced> {
  const pool = new TabPool(tabs, Math.max(1, o.tabs));
  const pager = new Pager(long.rows.length);
  const dir = path.dirname(htmlFile);
  let measured: { table: LongTable; sampled: boolean } | undefined;
  try {
    measured = await columns(pool, dir, long, sampleRows(long.rows.length, o.sampleRows), o);
    const t0 = performance.now();
    try {
      return await sliced(pool, pager, dir, measured?.table ?? long, o, measured?.sampled ?? false);
    } catch (e) {
      if (!(e instanceof TooNarrow)) throw e;
      trace?.('all', 'too-narrow', t0);
      pool.forget();
      measured = await columns(pool, dir, long, undefined, o);
      return await sliced(pool, new Pager(long.rows.length), dir, measured?.table ?? long, o, false);
    }
  } catch (e) {
    if (e instanceof Unpaginated || e instanceof SliceMismatch || e instanceof JoinError) return { reason: e.message, ...(measured && { table: measured.table }) };
    throw e;
  } finally {
    await pool.close();
  }
}

/**
 * The table with its columns at widths measured from `picked` rows (all when undefined),
 * chunk by chunk on the tabs, before any row is measured for pages, and whether the rows
 * must be checked for a word wider than its column (some were not measured); undefined when
 * the document does not say enough to measure them (no declared columns, no type area), and
 * the declared widths stay.
 */
async function columns(pool: TabPool, dir: string, t: LongTable, picked: number[] | undefined, o: SliceOptions): Promise<{ table: LongTable; sampled: boolean } | undefined> {
  const rows = picked ? picked.map((i) => t.rows[i]!) : t.rows;
  const n = rows.length;
  const size = Math.max(1, Math.min(o.rowsPerSlice, 800));
  const file = path.join(dir, 'slice-columns.html');
  writeFileSync(file, sliceDocument(t, { from: 0, to: 0, breaks: new Set(), tail: false }));
  const found: ChunkColumns[] = [];
  let unmeasurable = false;
  await pool.run(
    Array.from({ length: Math.ceil(n / size) }, (_, k) => async (tab: Tab) => {
      if (unmeasurable) return;
      const t0 = performance.now();
      await pool.load(tab, file);
      const m = await evaluate<ChunkColumns | null>(tab, COLUMNS_FUNCTION, rows.slice(k * size, Math.min(n, (k + 1) * size)).join(''), k === 0);
      trace?.(k, 'columns', t0);
      if (m) found[k] = m;
      else unmeasurable = true;
    }),
  );
  if (unmeasurable) return undefined;
  const t0 = performance.now();
  const columns = longColumns(found);
  trace?.('all', 'share-columns', t0);
  if (trace) process.stderr.write(`slice-trace columns ${JSON.stringify({ rows: n, ...columns, head: found[0]?.head })}\n`);
  return { table: withColumns(t, columns), sampled: n < t.rows.length && columns.wholeWords };
}

/** `sampled`: the columns were measured from a sample of the rows; a row wider stops the print. */
async function sliced(pool: TabPool, pager: Pager, dir: string, t: LongTable, o: SliceOptions, sampled: boolean): Promise<Sliced> {
  const n = t.rows.length;
  const size = Math.max(1, o.rowsPerSlice);
  const chunks = Math.ceil(n / size);
  const resident = path.join(dir, 'slice-head.html');
  writeFileSync(resident, sliceDocument(t, { from: 0, to: 0, breaks: new Set(), tail: false }));
  const rows = (from: number, to: number) => t.rows.slice(from, to).join('');

  // The document's head alone, printed once: its pages, the table's first one included.
  let headCounted!: (pages: number) => void;
  let headFailed!: (e: unknown) => void;
  const headPages = new Promise<number>((resolve, reject) => ((headCounted = resolve), (headFailed = reject)));
  headPages.catch(() => undefined); // awaited by the slices; the failure is thrown by its job
  const headJob = async (tab: Tab): Promise<void> => {
    try {
      let t0 = performance.now();
      await pool.load(tab, resident);
      trace?.('head', 'load', t0);
      t0 = performance.now();
      headCounted(countPages(await tab.page.pdf({ ...PDF_OPTIONS, timeout: o.timeout })));
      trace?.('head', 'pdf', t0);
    } catch (e) {
      headFailed(e);
      throw e;
    }
  };

  // Slices are joined in order as they come, while later ones print.
  const arrived = new Map<number, Uint8Array | null>();
  let joiner: Joiner | undefined;
  let joined = 0;
  let count = 0;
  const done = (k: number, pdf: Uint8Array | null) => {
    arrived.set(k, pdf);
    o.onSlice?.(arrived.size + joined, chunks);
    while (arrived.has(joined)) {
      const p = arrived.get(joined);
      arrived.delete(joined);
      joined++;
      if (!p) continue;
      const t0 = performance.now();
      if (joiner) joiner.add(p);
      else joiner = new Joiner(p);
      trace?.(joined - 1, 'join', t0);
      count++;
    }
  };

  const chunk = (k: number) => async (tab: Tab): Promise<void> => {
    const first = k * size;
    const next = Math.min(n, first + size);
    // Measure the chunk and the first rows of the next one.
    let t0 = performance.now();
    await pool.load(tab, resident);
    let end = Math.min(n, next + Math.max(1, o.lookahead));
    const m = await evaluate<Measured | null>(tab, MEASURE_FUNCTION, rows(first, end), false, sampled);
    trace?.(k, 'measure', t0);
    if (!m) throw new Unpaginated('打印样式没有给出版心尺寸（--type-width、--type-height），或表格前没有分页');
    if (m.overflow) throw new TooNarrow();
    pager.record(first, m, k === 0);
    t0 = performance.now();
    await pager.until(first);
    trace?.(k, 'wait-rows-before', t0);
    t0 = performance.now();
    let from = pager.sliceStart(first);
    let to = next === n ? n : pager.sliceStart(next);
    while (from === undefined || to === undefined || (from < to && to > end)) {
      // The slice runs past the rows held: hold twice as many past the chunk, and measure.
      const more = Math.min(n, end + Math.max(1, end - next));
      const m = (await evaluate<Measured>(tab, MEASURE_FUNCTION, rows(end, more), true, sampled))!;
      if (m.overflow) throw new TooNarrow();
      pager.record(first, m, false);
      end = more;
      from = pager.sliceStart(first);
      to = next === n ? n : pager.sliceStart(next);
    }
    trace?.(k, 'measure-more', t0);
    // Its rows went to the slice before.
    if (from >= to) return done(k, null);
    t0 = performance.now();
    if (to === n) await pager.until(n);
    const starts = pager.starts();
    const firstPage = starts.indexOf(from);
    const pages = (to === n ? starts.length : starts.indexOf(to)) - firstPage;
    // Later slices follow the head and open their own page; the page counter starts at the
    // number the slice's first page has in the whole document.
    const breaks = starts.slice(firstPage + (k === 0 ? 1 : 0), firstPage + pages);
    const css = k > 0 ? `@page:first{counter-increment:page ${firstPage}}` : '';
    trace?.(k, 'paginate', t0);
    t0 = performance.now();
    if (to === n) {
      // The last slice ends with what follows the table: a document of its own.
      const file = path.join(dir, 'slice-last.html');
      writeFileSync(file, sliceDocument(t, { from, to, breaks: new Set(breaks), tail: true, style: css }));
      await pool.load(tab, file);
    } else {
      await evaluate(tab, PREPARE_FUNCTION, from - first, to - first, breaks.map((b) => b - first), css);
    }
    trace?.(k, 'prepare', t0);
    t0 = performance.now();
    const skip = await headPages;
    trace?.(k, 'wait-head', t0);
    t0 = performance.now();
    const pdf = await tab.page.pdf({ ...PDF_OPTIONS, timeout: o.timeout, ...(k > 0 && { pageRanges: `${skip + 1}-` }) });
    trace?.(k, 'pdf', t0);
    const want = k === 0 ? skip - 1 + pages : pages;
    const got = countPages(pdf);
    // The last slice holds what follows the table too: at least its own pages.
    if (to === n ? got < want : got !== want) throw new SliceMismatch(k, want, got);
    done(k, pdf);
  };

  try {
    await pool.run([headJob, ...Array.from({ length: chunks }, (_, k) => chunk(k))], (e) => pager.fail(e));
  } catch (e) {
    pager.fail(e);
    throw e;
  }
  const t0 = performance.now();
  const pdf = joiner!.finish();
  trace?.('all', 'join-finish', t0);
  return { pdf, count, starts: pager.starts(), table: t };
}
