// The documents a sliced print is made of, cut from the finished print HTML. They are the
// same document with other rows in the long table's body: the head (everything before the
// body rows) is kept whole, so every style, ancestor and heading is what the one-piece print
// has, whatever template made it. Data values are escaped in the HTML, so every `<tr` in a
// table body opens a row.

import { fewestLines, headerLines, narrowNeeds, unsqueezeColumns, type ColumnNeeds, type HeadLines } from './columns.js';

export interface LongTable {
  /** The document up to the table's body rows, the table marked for fixed layout. */
  head: string;
  rows: string[];
  /** From `</tbody>` to the end of the document. */
  tail: string;
}

/** Attributes our own style rules select; nothing in a template uses them. */
const TABLE_MARK = 'data-tb-long';
const BREAK_MARK = 'data-tb-page';
/** The style element a slice's own rules go in. */
const STYLE_MARK = 'data-tb-slice';

/**
 * Every page of the long table begins with a row we chose; its columns take the widths
 * measured from all its rows (withColumns), or else the widths the template declares: never
 * widths computed from the rows a slice happens to hold (a slice with other rows must wrap
 * every cell as the whole table would).
 */
const STYLE = `<style>table[${TABLE_MARK}]{table-layout:fixed}tr[${BREAK_MARK}]{break-before:page}</style>`;

/** The table body with the most rows, if it has at least `minRows`. */
export function findLongTable(html: string, minRows: number): LongTable | undefined {
  let best: { start: number; end: number; rows: string[] } | undefined;
  for (const m of html.matchAll(/<tbody\b[^>]*>/g)) {
    const start = m.index + m[0].length;
    const end = html.indexOf('</tbody>', start);
    if (end < 0) continue;
    const rows: string[] = [];
    let i = html.indexOf('<tr', start);
    while (i !== -1 && i < end) {
      const j = html.indexOf('<tr', i + 3);
      const stop = j === -1 || j > end ? end : j;
      rows.push(html.slice(i, stop));
      i = stop === end ? -1 : j;
    }
    if (!best || rows.length > best.rows.length) best = { start, end, rows };
  }
  if (!best || best.rows.length < minRows) return undefined;
  const tableAt = html.lastIndexOf('<table', best.start);
  const headEnd = html.indexOf('</head>');
  if (tableAt < 0 || headEnd < 0 || headEnd > tableAt) return undefined;
  const head = html.slice(0, headEnd) + STYLE + html.slice(headEnd, tableAt) + `<table ${TABLE_MARK}` + html.slice(tableAt + 6, best.start);
  return { head, rows: best.rows, tail: html.slice(best.end) };
}

export interface SliceDocument {
  /** Body rows [from, to) of the table. */
  from: number;
  to: number;
  /** Rows that open a page (indexes into the whole table). */
  breaks: ReadonlySet<number>;
  /** Close with the rest of the document (the last slice), or end after the table body. */
  tail: boolean;
  /** More CSS for this document only. */
  style?: string;
}

/**
 * One document: the head, the chosen rows, and either the rest of the document or nothing
 * (the HTML parser closes the open elements at the end of the file).
 */
export function sliceDocument(t: LongTable, d: SliceDocument): string {
  let body = '';
  for (let i = d.from; i < d.to; i++) {
    const row = t.rows[i]!;
    body += d.breaks.has(i) ? `<tr ${BREAK_MARK}` + row.slice(3) : row;
  }
  const head = t.head.replace('</head>', `<style ${STYLE_MARK}>${d.style ?? ''}</style></head>`);
  return head + body + (d.tail ? t.tail : '</tbody></table>');
}

/**
 * Lay the measured rows out as wide as Chromium lays out the printed type area (its width
 * rounded up to a whole px: checked on ten page sizes and margins), and hand the script the
 * type area's height as a computed length (scroll padding changes nothing here).
 */
export const MEASURE_STYLE = 'html{width:round(up,var(--type-width),1px);scroll-padding-top:var(--type-height)}';

/**
 * What a slice's tab runs (DevTools evaluation; the page's own scripts stay off) to put rows
 * in the table and measure them at the type area's width (MEASURE_STYLE). The rows replace
 * the body's, or follow them. Faces are loaded as the rows' characters need them; the layout
 * is read once every face it uses has arrived. The type area's size comes from the print
 * stylesheet's `--type-width` and `--type-height`; the page top is the nearest element, from
 * the table outwards, that forces a page break before itself. With `checkWords`, it also
 * tells whether a word runs past its cell. Returns null when the document does not say
 * enough to paginate.
 */
export const MEASURE_FUNCTION = `async (rows, append, checkWords) => {
  const t = document.querySelector('table[${TABLE_MARK}]');
  const body = t && t.tBodies[0];
  if (!body || !t.tHead) return null;
  document.querySelector('style[${STYLE_MARK}]').textContent = ${JSON.stringify(MEASURE_STYLE)};
  if (append) body.insertAdjacentHTML('beforeend', rows);
  else body.innerHTML = rows;
  do {
    document.documentElement.getBoundingClientRect();
    await document.fonts.ready;
  } while (document.fonts.status !== 'loaded');
  // Lengths read from computed style (MEASURE_STYLE puts them there): no element is added,
  // which would cost the table a second layout.
  const root = getComputedStyle(document.documentElement);
  const area = { width: parseFloat(root.width), height: parseFloat(root.scrollPaddingTop) };
  if (!(area.width > 0 && area.height > 0)) return null;
  let top = null;
  for (let e = t; e && e !== document.body; e = e.previousElementSibling || e.parentElement) {
    if (/^(page|always|left|right|recto|verso)$/.test(getComputedStyle(e).breakBefore)) { top = e.getBoundingClientRect().top; break; }
  }
  if (top === null) return null;
  const all = body.rows;
  const tops = new Array(all.length + 1);
  for (let i = 0; i < all.length; i++) tops[i] = all[i].getBoundingClientRect().top;
  tops[all.length] = all.length ? all[all.length - 1].getBoundingClientRect().bottom : 0;
  // Asked when the columns were measured from a sample of the rows: a cell whose text runs
  // past its box, a word wider than its column (measured columns keep words whole: withColumns).
  let overflow = false;
  for (let i = 0; checkWords && i < all.length && !overflow; i++) for (const c of all[i].cells) if (c.scrollWidth > c.clientWidth) { overflow = true; break; }
  // A landscape table's page is as tall as the portrait type area is wide.
  return { overflow, pageHeight: t.closest('.landscape') ? area.width : area.height, firstRowOffset: all.length ? tops[0] - top : 0, headHeight: t.tHead.getBoundingClientRect().height, tops };
}`;

/**
 * What a slice's tab runs before printing: keep the body rows [from, to) of those it holds,
 * force a page break before the rows at `breaks` (indexes among those it holds), and add the
 * slice's own style. The measuring style stays: the print lays the root out at that width
 * anyway (print.css sets it too, for the one-piece print), and taking it away would make
 * Chromium lay every row out again at the window's width (and back when printing ends)
 * before the print's own layout.
 */
export const PREPARE_FUNCTION = `(from, to, breaks, css) => {
  const rows = [...document.querySelector('table[${TABLE_MARK}]').tBodies[0].rows];
  for (const i of breaks) rows[i].setAttribute('${BREAK_MARK}', '');
  for (let i = rows.length - 1; i >= to; i--) rows[i].remove();
  for (let i = from - 1; i >= 0; i--) rows[i].remove();
  document.querySelector('style[${STYLE_MARK}]').textContent += css;
}`;

/** What a chunk of rows needs of the long table's columns, the table's width, and (asked of one chunk) how its header wraps. */
export type ChunkColumns = ColumnNeeds & { width: number; head?: HeadLines[] };

/**
 * What a tab runs (DevTools evaluation) to put a chunk of rows in the table and measure what
 * they need of its columns, the table laid out at its narrowest (narrowNeeds, columns.ts). Null
 * when the table declares no columns or the print stylesheet no type area: the declared
 * widths stay.
 */
export const COLUMNS_FUNCTION = `async (rows, withHead) => {
  const t = document.querySelector('table[${TABLE_MARK}]');
  const body = t && t.tBodies[0];
  const cols = t ? [...t.querySelectorAll('colgroup col')] : [];
  if (!body || !cols.length) return null;
  // The table's width as printed, before its rows are in: then at its narrowest with them.
  document.querySelector('style[${STYLE_MARK}]').textContent = ${JSON.stringify(MEASURE_STYLE)};
  if (!getComputedStyle(document.documentElement).getPropertyValue('--type-width').trim()) return null;
  const width = t.getBoundingClientRect().width;
  t.style.tableLayout = 'auto';
  t.style.width = '0px';
  t.style.minWidth = '0';
  for (const c of cols) c.style.width = '';
  body.innerHTML = rows;
  do {
    document.documentElement.getBoundingClientRect();
    await document.fonts.ready;
  } while (document.fonts.status !== 'loaded');
  const needs = (${String(narrowNeeds)})(t, cols);
  return { ...needs, width, ...(withHead && { head: (${String(headerLines)})(t, needs.min, needs.needWithHead) }) };
}`;

/**
 * The widths of the long table's columns, from what every chunk of its rows needs: the
 * widest need and narrowest of each column over all rows, shared out for the fewest lines
 * (columns.ts). Printed this way a site code or a 序号 is never broken in two
 * because its column was declared too narrow for the face it is set in.
 */
export function longColumns(chunks: readonly ChunkColumns[]): LongColumns {
  const max = (pick: (c: ChunkColumns) => number[]) => pick(chunks[0]!).map((_, j) => Math.max(...chunks.map((c) => pick(c)[j]!)));
  const need = max((c) => c.need);
  const min = max((c) => c.min);
  const { width, fontSize, box } = chunks[0]!;
  // Words too wide for the type area even so: columns in proportion to their narrowest, as
  // wide as the table, and the print style breaks the words.
  const narrowest = min.reduce((a, b) => a + b, 0);
  const floor = narrowest < width ? min : min.map((m) => (m * width) / narrowest);
  const widths = unsqueezeColumns(fewestLines(chunks.flatMap((c) => c.oneLines), chunks[0]!.head ?? [], need, floor, width, fontSize, box), need, floor, fontSize, box);
  // Every column at least its narrowest: no word needs breaking (else some word is too wide
  // for the type area, and the print style breaks words as it would).
  const wholeWords = widths.every((w, j) => w >= min[j]! - 0.01);
  // The header's letter spacing where it mends a line of one character at these widths.
  const spacing = widths.map((w, j) => (chunks[0]!.head?.[j] ?? []).findLast(([at]) => at <= w)?.[3] ?? 0);
  return { widths, wholeWords, spacing };
}

/** A long table's columns: widths in px, whether they hold every word, the header cells' letter spacing in em. */
export interface LongColumns {
  widths: readonly number[];
  wholeWords: boolean;
  spacing: readonly number[];
}

/**
 * The long table with its columns at these widths, in every document made of it. When they
 * hold every word of the rows they were measured from, no word is broken to fit its cell (the
 * print style breaks a word too long for its line): a word of another row that does not fit
 * runs past its cell, which the measuring of rows sees (MEASURE_FUNCTION).
 */
export function withColumns(t: LongTable, { widths, wholeWords, spacing }: LongColumns): LongTable {
  const css = (wholeWords ? `table[${TABLE_MARK}] :is(td,th){overflow-wrap:normal}` : '') +
    spacing.map((em, j) => (em ? `table[${TABLE_MARK}]>thead>tr:first-child>:nth-child(${j + 1}){letter-spacing:${em}em}` : '')).join('') +
    widths.map((w, j) => `table[${TABLE_MARK}]>colgroup>col:nth-child(${j + 1}){width:${w}px!important}`).join('');
  return { ...t, head: t.head.replace(STYLE, STYLE + `<style>${css}</style>`) };
}
