// Layout decided in the print tab, before Chromium prints: what CSS alone cannot say.
//  1. Table columns take widths from the text they hold, so that no cell wraps a lone
//     character onto a line of its own while another column has room (GB/T 9704 tables are
//     read line by line; `自／查` is not). A table that does not fit the portrait type area
//     that way (body text squeezed to lines of one to three characters, a lone character
//     left, cells wider than the page) is set on landscape pages when they fit it better (§8).
//  2. The 版记 goes at the foot of the last page when that page is even and has room
//     (§7.4: its last rule on the type area's bottom edge; §7.5: the last face of the
//     document); else on the next even page, after an unnumbered blank page when needed.
// The page runs no script of its own (JavaScript is off): this function is evaluated through
// DevTools. Where the content breaks is found from the layout on screen, the way Chromium
// fragments it into pages (lines on the grid, rows unsplit, headings kept with what follows,
// the 落款 with the body's last line); the print is then checked against the page count
// this predicts, and printed the plain way when they differ.
/// <reference lib="dom" />
import { columnNeeds, fewestLines, headerLines, spreadColumns, unsqueezeColumns } from './columns.js';

/** What the page function reports. */
export interface LayoutReport {
  /** Pages the document will have. */
  pages: number;
  /** Where the 版记 went: the last page's foot, a page of its own, or after a blank page. */
  colophon?: 'foot' | 'own-page' | 'after-blank';
  /** Tables whose columns were set (by the id of their attachment or inline table): widths in
   * CSS px, and cells still ending in a lone character. */
  tables: { anchor?: string; columns: number; widths: number[]; lone: number; landscape: boolean }[];
}

export interface LayoutOptions {
  /** Where the 版记 must go: decided here (auto), or on a page of its own (after a blank page). */
  colophon: 'auto' | 'own-page' | 'after-blank';
}

/** Evaluated in the print tab: `(options) => LayoutReport`. */
export const LAYOUT_FUNCTION = `(options) => {
  ${String(spreadColumns)}
  return (${String(layout)})(options, ${String(columnNeeds)}, ${String(headerLines)}, ${String(fewestLines)}, ${String(unsqueezeColumns)});
}`;

/**
 * The page function; what it shares with a long table's columns (columns.ts) is passed in,
 * and what those call is declared beside it (`fewestLines` calls `spreadColumns`).
 */
async function layout(options: LayoutOptions, needs: typeof columnNeeds, head: typeof headerLines, fewest: typeof fewestLines, unsqueeze: typeof unsqueezeColumns): Promise<LayoutReport> {
  // Measured with the faces it prints in: the load event does not wait for web fonts.
  do {
    document.documentElement.getBoundingClientRect();
    await document.fonts.ready;
  } while (document.fonts.status !== 'loaded');
  const probe = document.createElement('div');
  probe.style.cssText = 'position:absolute;width:var(--type-width);height:var(--type-height);visibility:hidden';
  document.body.append(probe);
  const pageHeight = probe.getBoundingClientRect().height;
  const pageWidth = probe.getBoundingClientRect().width;
  probe.remove();
  const report: LayoutReport = { pages: 0, tables: [] };

  // 1. Columns. A cell's need is its text on one line; a column's is its widest cell's.
  // When every column gets its need, nothing wraps, and the room left goes first to headers
  // that wrap. Else width goes, a character at a time, where it shortens the table most; then
  // width moves between two columns until no cell ends in a lone character.
  /** What setting a table's columns at its box's width came to. */
  interface Columns {
    widths: number[];
    lone: number;
    /** Columns whose body text wraps at under four characters a line (a header may). */
    squeezed: number;
    /** The narrowest widths do not fit: cells past the type area. */
    overflow: boolean;
  }
  const setColumns = (table: HTMLTableElement, cols: HTMLTableColElement[]): Columns => {
    const rows = [...table.rows];
    const n = cols.length;
    for (const r of rows) for (const c of r.cells) c.style.letterSpacing = '';
    const cellsOf = (j: number) => rows.map((r) => r.cells[j]).filter((c): c is HTMLTableCellElement => !!c && c.colSpan === 1);
    const range = document.createRange();
    const { need, needWithHead, min, fontSize, box, oneLines } = needs(table, cols);
    const width = table.getBoundingClientRect().width;
    table.style.tableLayout = 'fixed';
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    const total = sum(need);
    // Everything on one line when it fits, the rest shared in proportion. Else, from every
    // column at its narrowest, a character's width at a time goes to the column where it
    // shortens the table most. A table of many rows, where each try costs a layout of them
    // all, estimates its rows' lines instead, as a long table printed in slices does
    // (fewestLines).
    const apply = () => cols.forEach((c, j) => (c.style.width = `${widths[j]}px`));
    let widths: number[] = [];
    // From `from`, a character's width at a time to the column (below its `cap`) where it
    // shortens the table most; at a tie, to the one furthest from its cap. What is left over.
    const grow = (from: number[], cap: number[]): number => {
      widths = [...from];
      let left = width - sum(widths);
      while (left > 0.01) {
        const step = Math.min(fontSize, left);
        let best = -1;
        let bestHeight = Infinity;
        for (let j = 0; j < n; j++) {
          if (widths[j]! >= cap[j]!) continue;
          widths[j]! += step;
          apply();
          const h = table.getBoundingClientRect().height;
          widths[j]! -= step;
          if (h < bestHeight - 0.01 || (Math.abs(h - bestHeight) <= 0.01 && cap[j]! - widths[j]! > cap[best]! - widths[best]!)) [best, bestHeight] = [j, h];
        }
        if (best < 0) break;
        widths[best]! += step;
        left -= step;
      }
      return left;
    };
    if (rows.length > 400) widths = fewest(oneLines, head(table, min, needWithHead), need, min, width, fontSize, box);
    else if (total <= width) {
      // Every body cell on one line; the room left first goes to headers that wrap, the rest
      // in proportion to the needs.
      const left = grow(need, needWithHead);
      widths = widths.map((w, j) => w + (left * need[j]!) / total);
    } else {
      const left = grow(min, need);
      if (left > 0.01) widths = widths.map((w) => w + left / n);
    }
    // A column squeezed to lines of one to three characters takes from the widest readable.
    widths = unsqueeze(widths, need, min, fontSize, box);
    const readable = 4 * fontSize + box + 1;
    apply();
    /** A cell with a line that holds one character of several. */
    const isLone = (c: HTMLTableCellElement) => {
      // Most cells hold one line: one look at the whole content's line boxes tells.
      range.selectNodeContents(c);
      const boxes = range.getClientRects();
      let oneLine = true;
      for (let i = 1; i < boxes.length && oneLine; i++) oneLine = Math.abs(boxes[i]!.top - boxes[0]!.top) <= fontSize / 2 || boxes[i]!.height === 0;
      if (oneLine) return false;
      const walker = document.createTreeWalker(c, NodeFilter.SHOW_TEXT);
      const tops: number[] = [];
      for (let t = walker.nextNode() as Text | null; t; t = walker.nextNode() as Text | null) {
        if (t.parentElement?.closest('.sr-only')) continue;
        for (let i = 0; i < t.data.length; i++) {
          if (!t.data[i]!.trim()) continue;
          range.setStart(t, i);
          range.setEnd(t, i + 1);
          tops.push(range.getBoundingClientRect().top);
        }
      }
      if (tops.length < 2) return false;
      // A line of one character: both its neighbours are on other lines.
      return tops.some((y, i) => Math.abs(y - (tops[i - 1] ?? -Infinity)) > fontSize / 2 && Math.abs(y - (tops[i + 1] ?? Infinity)) > fontSize / 2);
    };
    // Every move below keeps the widths' sum, so a column's lone cells depend on its own width
    // alone: a width tried before is not laid out again (about half the tries of the sample).
    const known = new Map<string, number>();
    const lone = (j: number) => {
      const key = `${j} ${widths[j]}`;
      let count = known.get(key);
      if (count === undefined) known.set(key, (count = cellsOf(j).filter(isLone).length));
      return count;
    };
    // A lone character is mended by moving width between two columns: the move (which
    // columns, how much) that leaves the fewest lone cells in both, until none helps. Each
    // try lays the table out again: tables of many rows keep the first widths.
    const loneNow = widths.map((_, j) => lone(j));
    for (let round = 0; round < 8 * n && rows.length <= 400 && loneNow.some((b) => b > 0); round++) {
      let best: { j: number; k: number; give: number; after: [number, number]; gain: number } | undefined;
      for (let j = 0; j < n; j++) {
        if (!loneNow[j]) continue;
        const short = need[j]! - widths[j]!;
        // Wider by a few characters, or narrower: a last line of one character gets a second.
        const amounts = [1, 2, 3, 4, 5, 6].flatMap((c) => [c * fontSize, -c * fontSize]);
        if (short > 0 && short < 2 * fontSize) amounts.push(short);
        for (let k = 0; k < n; k++) {
          if (k === j) continue;
          for (const give of amounts) {
            if (widths[k]! - give < min[k]! || widths[j]! + give < min[j]!) continue;
            const saved = widths;
            widths = widths.map((w, x) => (x === j ? w + give : x === k ? w - give : w));
            apply();
            const after: [number, number] = [lone(j), lone(k)];
            widths = saved;
            const gain = loneNow[j]! + loneNow[k]! - after[0] - after[1];
            if (gain > (best?.gain ?? 0)) best = { j, k, give, after, gain };
          }
        }
      }
      apply();
      if (!best) break;
      widths = widths.map((w, x) => (x === best!.j ? w + best!.give : x === best!.k ? w - best!.give : w));
      [loneNow[best.j], loneNow[best.k]] = best.after;
      apply();
    }
    // What no width mends (a long name whose last character two columns contend for): that
    // cell's characters are set a little closer or further apart, as §7.3.5.5 allows for a page.
    if (loneNow.some((b) => b > 0)) {
      known.clear(); // letter spacing changes what a width gives
      for (let j = 0; j < n; j++) {
        if (!loneNow[j]) continue;
        for (const c of cellsOf(j).filter(isLone)) {
          for (const tighten of ['-0.05em', '0.05em', '-0.1em', '0.1em', '0.15em', '0.2em']) {
            c.style.letterSpacing = tighten;
            if (!isLone(c)) break;
            c.style.letterSpacing = '';
          }
        }
        loneNow[j] = lone(j);
      }
    }
    return {
      widths,
      lone: loneNow.reduce((a, b) => a + b, 0),
      // (Within half a character of its need a column loses no more than a lone character.)
      squeezed: widths.filter((w, j) => w + fontSize / 2 < Math.min(need[j]!, readable)).length,
      overflow: sum(min) > width + 0.5,
    };
  };
  // Portrait unless the table says otherwise, or its columns fit landscape pages better.
  const faults = (c: Columns) => (c.overflow ? 1e6 : 0) + c.squeezed * 1000 + c.lone;
  for (const table of document.querySelectorAll<HTMLTableElement>('.attachment table, .inline-table table')) {
    if (table.hasAttribute('data-tb-long')) continue;
    const cols = [...table.querySelectorAll<HTMLTableColElement>('colgroup col')];
    if (!cols.length) continue;
    // A table in the text stays upright: only an attachment has pages of its own to turn.
    const section = table.closest<HTMLElement>('.attachment');
    let set = setColumns(table, cols);
    if (section?.dataset['orientation'] === 'auto' && faults(set) > 0) {
      section.classList.add('landscape');
      const across = setColumns(table, cols);
      if (faults(across) < faults(set)) set = across;
      else {
        section.classList.remove('landscape');
        set = setColumns(table, cols);
      }
    }
    const anchor = table.closest<HTMLElement>('.attachment, .inline-table')?.id;
    report.tables.push({ ...(anchor && { anchor }), columns: cols.length, widths: set.widths.map((w) => Math.round(w * 100) / 100), lone: set.lone, landscape: !!section?.classList.contains('landscape') });
  }
  // The text after a table in the text goes on on the grid: the table takes whole lines.
  const pitch = parseFloat(getComputedStyle(document.body).lineHeight);
  for (const figure of document.querySelectorAll<HTMLElement>('.inline-table')) {
    const h = figure.getBoundingClientRect().height;
    if (pitch > 0) figure.style.paddingBottom = `${Math.ceil(h / pitch - 0.01) * pitch - h}px`;
  }
  // So does the text after a table written in the circular's Markdown (a table's padding is
  // not laid out under collapsed borders: its margin takes the rest of the line).
  for (const table of document.querySelectorAll<HTMLElement>('.body table')) {
    if (table.closest('.inline-table')) continue;
    const h = table.getBoundingClientRect().height;
    if (pitch > 0) table.style.marginBottom = `${Math.ceil(h / pitch - 0.01) * pitch - h}px`;
  }

  // 2. Pages. Atoms are what Chromium does not split: a line of text, a table row, a block
  // kept whole. A forced break opens a page; an atom that does not fit opens one, and with it
  // the atoms it is kept with (a heading and its next line; the 落款 and the line before it).
  interface Atom {
    top: number;
    bottom: number;
    forced: boolean;
    /** Kept on one page with the atom before it. */
    withPrevious: boolean;
    /** Header height repeated over it when a page opens at it. */
    repeat: number;
    /** On a landscape page: as tall as the portrait type area is wide. */
    across: boolean;
  }
  const atoms: Atom[] = [];
  let pendingForced = false;
  let keepNext = false;
  const colophonEl = document.querySelector<HTMLElement>('.colophon');
  const push = (top: number, bottom: number, el: Element, repeat = 0, first = true) => {
    const avoid = first && getComputedStyle(el).breakBefore === 'avoid';
    const across = !!el.closest('.landscape');
    // Another page name (portrait after landscape) opens another page.
    const turned = atoms.length > 0 && atoms.at(-1)!.across !== across;
    atoms.push({ top, bottom, forced: pendingForced || turned, withPrevious: keepNext || avoid, repeat, across });
    pendingForced = false;
    keepNext = false;
  };
  const whole = (el: Element) => {
    const s = getComputedStyle(el);
    return s.breakInside === 'avoid' || el.matches('figure:not(.inline-table), img, svg, .document-head, .signature, .attachment-list');
  };
  const walk = (el: Element): void => {
    const s = getComputedStyle(el);
    if (s.display === 'none' || s.position === 'absolute' || el.classList.contains('sr-only')) return;
    if (s.breakBefore === 'page' && el !== colophonEl) pendingForced = atoms.length > 0;
    if (el === colophonEl) return;
    const r = el.getBoundingClientRect();
    if (el instanceof HTMLTableElement) {
      const head = el.tHead?.getBoundingClientRect().height ?? 0;
      for (const row of el.rows) {
        const rr = row.getBoundingClientRect();
        const inHead = row.parentElement === el.tHead;
        push(rr.top, rr.bottom, row, inHead ? 0 : head);
        // The header goes with the first body row.
        if (inHead) keepNext = true;
      }
    } else if (whole(el) || !el.children.length || [...el.childNodes].some((c) => c.nodeType === Node.TEXT_NODE && c.textContent!.trim())) {
      if (whole(el)) push(r.top, r.bottom, el);
      else {
        // A block of lines: each line a pitch (line-height) high, from the content box's top.
        const lh = parseFloat(s.lineHeight) || r.height;
        const top = r.top + parseFloat(s.borderTopWidth) + parseFloat(s.paddingTop);
        const height = r.bottom - parseFloat(s.borderBottomWidth) - parseFloat(s.paddingBottom) - top;
        const lines = Math.max(1, Math.round(height / lh));
        for (let i = 0; i < lines; i++) push(top + i * lh, i === lines - 1 ? top + height : top + (i + 1) * lh, el, 0, i === 0);
      }
    } else for (const c of el.children) walk(c);
    if (s.breakAfter === 'avoid') keepNext = true;
    if (s.breakAfter === 'page') pendingForced = true;
  };
  const main = document.querySelector('.bulletin');
  if (!main) return report;
  for (const c of main.children) walk(c);

  let page = 0;
  let pageTop = atoms[0]?.top ?? 0;
  const pageOf: number[] = [];
  for (let i = 0; i < atoms.length; i++) {
    const a = atoms[i]!;
    if (a.forced) {
      page++;
      pageTop = a.top;
    } else if (a.bottom - pageTop > (a.across ? pageWidth : pageHeight) + 0.5) {
      // Open the page at the first atom of the group this one is kept with, unless that is
      // where the page began (a group taller than a page is broken where it fills).
      let start = i;
      while (start > 0 && atoms[start]!.withPrevious && pageOf[start - 1] === page && !atoms[start]!.forced) start--;
      if (atoms[start]!.top - (atoms[start]!.repeat || 0) <= pageTop + 0.5) start = i;
      page++;
      pageTop = atoms[start]!.top - atoms[start]!.repeat;
      for (let k = start; k < i; k++) pageOf[k] = page;
    }
    pageOf[i] = page;
  }
  const lastBottom = atoms.length ? atoms.at(-1)!.bottom : 0;
  let pages = page + 1;

  if (colophonEl) {
    const rules = colophonEl.firstElementChild ?? colophonEl;
    const needed = rules.getBoundingClientRect().height;
    // Not under a landscape table: the 版记 is set upright.
    const room = atoms.at(-1)?.across ? 0 : pageHeight - (lastBottom - pageTop);
    const gap = parseFloat(getComputedStyle(document.body).lineHeight) || 0;
    const where = options.colophon !== 'auto' ? options.colophon : pages % 2 === 0 && room >= needed + gap ? 'foot' : pages % 2 === 1 ? 'own-page' : 'after-blank';
    if (where === 'foot') {
      // At the foot of the last page: as tall as the room left, its rules at the bottom.
      colophonEl.style.breakBefore = 'auto';
      colophonEl.style.height = `${Math.floor(room) - 1}px`;
      report.colophon = 'foot';
    } else if (where === 'after-blank') {
      const blank = document.createElement('div');
      blank.className = 'blank-page';
      blank.setAttribute('aria-hidden', 'true');
      colophonEl.before(blank);
      colophonEl.classList.add('unnumbered');
      pages += 2;
      report.colophon = 'after-blank';
    } else {
      pages += 1;
      report.colophon = 'own-page';
    }
  }
  report.pages = pages;
  return report;
}
