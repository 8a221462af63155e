// What must stay together on a page, measured in Chromium's own print rather than foreseen:
//  - the 落款's page carries 正文 (GB/T 9704 §7.3.5): at least two lines of the body above the
//    附件说明 and the 署名, never the 落款 alone or under one carried line;
//  - a table never leaves a row alone: at least two body rows at the foot of the page it
//    starts on and at the head of the page it ends on, and its title with its first two rows.
// layout.ts foresees pages from the screen's layout, which is not exact enough to move
// anything by (a sealed 落款 that Chromium fits on a page was predicted off it). So a probe is
// printed with a link on the first character of each line and row that matters; where the
// links land in the PDF tells the pages. A fault is mended by a break where it is needed (a
// paragraph split at a line, a table's title or row opening the page), the links are taken
// out, and the probe printed again until nothing moves.
/// <reference lib="dom" />
import type { Page } from 'puppeteer-core';
import { PdfDocument, arrayItems, decodeString, parseDict, refNumber } from '../pdf/update.js';

/** The address of the links a probe carries: never a request, only an annotation in the PDF. */
export const MARK_URL = 'https://tongbao.invalid/keep/';

/** What the mending did, for the build's report and the tests. */
export interface Kept {
  /** The body's end opens the 落款's page: how many lines of 正文 were moved there. */
  signature?: { moved: number };
  /** Tables moved whole to the next page (their title) or whose last rows were taken over. */
  tables: { anchor?: string; moved: 'whole' | 'rows' }[];
}

/** Evaluated in the print tab: `(url) => number`, the links set; their elements wait in `window`. */
export const MARK_FUNCTION = String(function mark(url: string): number {
  type Marks = { links: HTMLAnchorElement[]; lines: HTMLAnchorElement[]; signature?: HTMLAnchorElement; list?: HTMLAnchorElement; colophon?: HTMLAnchorElement; tables: { table: HTMLTableElement; title?: HTMLAnchorElement; count: number; rows: Map<number, HTMLAnchorElement> }[] };
  const marks: Marks = { links: [], lines: [], tables: [] };
  (window as unknown as { __tbMarks: Marks }).__tbMarks = marks;
  const range = document.createRange();
  /** The characters of `el` that print, in order (not blanks, not screen-reader or hidden text). */
  const chars = function* (el: Element): Generator<[Text, number]> {
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let t = walker.nextNode() as Text | null; t; t = walker.nextNode() as Text | null) {
      if (t.parentElement?.closest('.sr-only, [aria-hidden="true"]')) continue;
      for (let i = 0; i < t.data.length; i++) if (t.data[i]!.trim()) yield [t, i];
    }
  };
  const positions: { at: [Text, number]; set: (a: HTMLAnchorElement) => void }[] = [];
  const first = (el: Element, set: (a: HTMLAnchorElement) => void) => {
    for (const at of chars(el)) return void positions.push({ at, set });
  };
  // The body's lines: every line of its last blocks of text (a table row is one line).
  const body = document.querySelector('.body');
  if (body) {
    const lines: { at: [Text, number] }[] = [];
    const blocks = [...body.querySelectorAll<HTMLElement>('p, li, h1, h2, h3, h4, h5, h6, pre, tr, dt, dd')].filter(
      (b) => !b.querySelector('p, li, tr, pre') && !b.closest('.sr-only, thead') && getComputedStyle(b).display !== 'none',
    );
    // Enough lines to move the eight that may be moved, and a paragraph's start before them.
    for (const b of blocks.slice(-16)) {
      const lh = parseFloat(getComputedStyle(b).lineHeight) || 20;
      let top = -Infinity;
      for (const [t, i] of chars(b)) {
        if (b instanceof HTMLTableRowElement) {
          lines.push({ at: [t, i] });
          break;
        }
        range.setStart(t, i);
        range.setEnd(t, i + 1);
        const y = range.getBoundingClientRect().top;
        if (y > top + lh / 2) lines.push({ at: [t, i] });
        top = Math.max(top, y);
      }
    }
    for (const l of lines) positions.push({ at: l.at, set: (a) => marks.lines.push(a) });
  }
  const list = document.querySelector('.attachment-list');
  if (list) first(list, (a) => (marks.list = a));
  const signature = document.querySelector('.signature');
  if (signature) first(signature, (a) => (marks.signature = a));
  // The 版记's last line: set at the foot of the 落款's page, it must stay there.
  const colophonLines = document.querySelectorAll('.colophon p');
  if (colophonLines.length) first(colophonLines[colophonLines.length - 1]!, (a) => (marks.colophon = a));
  // Tables: the title, the first two body rows and the last two (the pages between are full).
  for (const table of document.querySelectorAll<HTMLTableElement>('.body table, .attachment table')) {
    if (table.closest('.sr-only') || table.hasAttribute('data-tb-long')) continue;
    const rows = [...table.tBodies].flatMap((b) => [...b.rows]);
    const entry: Marks['tables'][number] = { table, count: rows.length, rows: new Map() };
    marks.tables.push(entry);
    const title = table.closest('.inline-table')?.querySelector('.inline-table-title');
    if (title) first(title, (a) => (entry.title = a));
    for (const i of new Set([0, 1, rows.length - 2, rows.length - 1])) if (rows[i]) first(rows[i], (a) => entry.rows.set(i, a));
  }
  // Set from the last to the first: splitting a text node keeps the offsets before it.
  const order = positions.map((p, i) => ({ ...p, i }));
  order.sort((a, b) => {
    if (a.at[0] === b.at[0]) return b.at[1] - a.at[1];
    return a.at[0].compareDocumentPosition(b.at[0]) & Node.DOCUMENT_POSITION_FOLLOWING ? 1 : -1;
  });
  // A character marked twice (a row of a table in the body is a line too) carries one link.
  const made = new Map<number, HTMLAnchorElement>();
  let last: { at: [Text, number]; a: HTMLAnchorElement } | undefined;
  for (const { at, i } of order) {
    const [t, off] = at;
    if (last && last.at[0] === t && last.at[1] === off) {
      made.set(i, last.a);
      continue;
    }
    const c = t.data.codePointAt(off)! > 0xffff ? 2 : 1;
    const tail = t.splitText(off);
    tail.splitText(c);
    const a = document.createElement('a');
    a.setAttribute('data-tb-mark', '');
    a.style.cssText = 'color:inherit;text-decoration:none;font:inherit;letter-spacing:inherit';
    tail.replaceWith(a);
    a.append(tail);
    made.set(i, a);
    last = { at, a };
  }
  for (const a of new Set([...order].sort((x, y) => x.i - y.i).map((p) => made.get(p.i)!))) {
    a.href = url + marks.links.length;
    marks.links.push(a);
  }
  positions.forEach((p, i) => p.set(made.get(i)!));
  return marks.links.length;
});

/** Evaluated in the print tab: `(pages, ys) => Kept & { changed }`: the links' pages (1-based,
 * 0 for a link not found) and heights (pt above the sheet's foot), faults mended, the links taken out. */
export const MEND_FUNCTION = String(function mend(pages: number[], ys: number[]): Kept & { changed: boolean } {
  type Marks = { links: HTMLAnchorElement[]; lines: HTMLAnchorElement[]; signature?: HTMLAnchorElement; list?: HTMLAnchorElement; colophon?: HTMLAnchorElement; tables: { table: HTMLTableElement; title?: HTMLAnchorElement; count: number; rows: Map<number, HTMLAnchorElement> }[] };
  const marks = (window as unknown as { __tbMarks: Marks }).__tbMarks;
  const result: Kept & { changed: boolean } = { tables: [], changed: false };
  const page = (a: HTMLAnchorElement | undefined) => (a ? pages[marks.links.indexOf(a)] || 0 : 0);
  /** The block a line or row is in. */
  const blockOf = (a: HTMLAnchorElement) => a.closest<HTMLElement>('p, li, h1, h2, h3, h4, h5, h6, pre, tr, dt, dd')!;
  /** Open a page at `el`, or at the blocks before it that are kept with it (a heading). */
  const breakBefore = (el: HTMLElement) => {
    let at = el;
    for (let prev = at.previousElementSibling; prev instanceof HTMLElement && getComputedStyle(prev).breakAfter === 'avoid'; prev = at.previousElementSibling) at = prev;
    at.style.breakBefore = 'page';
    return at;
  };
  const colophon = document.querySelector<HTMLElement>('.colophon');

  // 1. The 落款's page: the lines of the body on the page of the 署名 are counted (a 附件说明
  // on the page before it is no 正文: Chromium breaks after it despite the 署名's break-before).
  const sigPage = page(marks.signature) || NaN;
  const lines = marks.lines.map((a) => ({ a, page: page(a), block: blockOf(a) }));
  const n = lines.length;
  if (Number.isFinite(sigPage) && n >= 2 && lines.every((l) => l.page > 0)) {
    const carried = lines.filter((l) => l.page === sigPage).length;
    if (carried < 2 && lines[n - 1]!.page <= sigPage) {
      // Where the page may open: before a line that leaves two lines of its paragraph on
      // each side, or before a block; the second-to-last line at the latest, eight lines back
      // at most (further, and the page before is left too empty).
      let at = -1;
      for (let i = n - 2; i >= Math.max(0, n - 8); i--) {
        const l = lines[i]!;
        if (l.page !== sigPage - 1 && l.page !== sigPage) break;
        // Every line of the last blocks is marked: the first marked is the block's first.
        const own = lines.filter((m) => m.block === l.block);
        const j = own.indexOf(l);
        if (!(l.block instanceof HTMLTableRowElement) && (j === 0 || (j >= 2 && own.length - j >= 2))) {
          at = i;
          break;
        }
      }
      if (at >= 0) {
        const l = lines[at]!;
        const j = lines.filter((m) => m.block === l.block).indexOf(l);
        const top = l.a.getBoundingClientRect().top;
        let opened: HTMLElement;
        if (j === 0) opened = breakBefore(l.block);
        else {
          // A paragraph split at the line: its first part justified to the end, the rest
          // without the first line's indent.
          const range = document.createRange();
          range.setStartBefore(l.a);
          range.setEndAfter(l.block.lastChild!);
          const rest = l.block.cloneNode(false) as HTMLElement;
          rest.removeAttribute('id');
          rest.append(range.extractContents());
          l.block.after(rest);
          l.block.style.textAlignLast = 'justify';
          rest.style.textIndent = '0';
          rest.style.listStyleType = 'none';
          rest.style.breakBefore = 'page';
          opened = rest;
        }
        // The 版记 at the foot of the 落款's page gives up the room the moved lines take, and
        // the margin above the 落款 that the page's top no longer swallows (near enough: its
        // last line's place in the probe sets it to the point, below).
        if (colophon?.style.height && page(marks.colophon) === sigPage) {
          const first = marks.list && page(marks.list) === sigPage ? marks.list.closest<HTMLElement>('.attachment-list')! : marks.signature!.closest<HTMLElement>('.signature')!;
          const moved = first.getBoundingClientRect().top - Math.min(top, opened.getBoundingClientRect().top);
          colophon.style.height = `${Math.max(0, parseFloat(colophon.style.height) - moved)}px`;
        }
        result.signature = { moved: lines.slice(at).filter((m) => m.page !== sigPage).length };
        result.changed = true;
      }
    }
  }

  // The 版记 set at a page's foot (§7.4: its last rule on the type area's bottom edge) is
  // made to end there to the point: its height was foreseen from the screen's layout, and a
  // fault mended above it on its page changed the room it fills. Its last line's link tells
  // where it ended: print.css's @page leaves 35 mm under the type area.
  const y = marks.colophon ? ys[marks.links.indexOf(marks.colophon)] : undefined;
  if (colophon?.style.height && marks.colophon && y && page(marks.colophon)) {
    const below = colophon.getBoundingClientRect().bottom - marks.colophon.getBoundingClientRect().bottom + 1; // px, 1 px spare
    const off = ((y - (35 * 72) / 25.4) * 4) / 3 - below; // pt to CSS px
    if (Math.abs(off) > 0.5) {
      colophon.style.height = `${Math.max(0, parseFloat(colophon.style.height) + off)}px`;
      result.changed = true;
    }
  }

  // 2. Tables: two rows or more on each page they are on, the title with the first two.
  for (const { table, title, count, rows } of marks.tables) {
    if (count < 2 || rows.size < Math.min(count, 4)) continue;
    const [first, second, butLast, last] = [0, 1, count - 2, count - 1].map((i) => page(rows.get(i)));
    if (!first || !second || !butLast || !last) continue;
    const anchor = table.closest<HTMLElement>('.inline-table, .attachment')?.id || undefined;
    const titleApart = title && page(title) !== first;
    // A table in an attachment starts on a page of its own: there is nothing to move it past.
    const inAttachment = !!table.closest('.attachment');
    if ((first !== second || titleApart) && !inAttachment && !(title && table.closest<HTMLElement>('.inline-table')!.style.breakBefore === 'page')) {
      breakBefore(title ? title.closest<HTMLElement>('.inline-table')! : table);
      result.tables.push({ ...(anchor && { anchor }), moved: 'whole' });
      result.changed = true;
    } else if (butLast !== last && first !== last && count >= 3) {
      // The last row alone under the repeated header: the row before it goes over too.
      const row = rows.get(count - 2)!.closest('tr')!;
      if (row.style.breakBefore !== 'page') {
        row.style.breakBefore = 'page';
        result.tables.push({ ...(anchor && { anchor }), moved: 'rows' });
        result.changed = true;
      }
    }
  }

  // The links out, the text nodes joined again.
  for (const a of marks.links) {
    const parent = a.parentNode;
    if (!parent) continue;
    a.replaceWith(...a.childNodes);
    parent.normalize();
  }
  return result;
});

/** The page (1-based) each link of a probe is on, 0 for one not found, and its box's bottom
 * (pt from the sheet's foot). Read with the PDF reader of the archive steps: Chromium's page
 * tree and link annotations are plain dictionaries (PDF.js would take longer to load than
 * the probe to print). */
export function markPages(pdf: Uint8Array, count: number): { pages: number[]; ys: number[] } {
  const pages = new Array<number>(count).fill(0);
  const ys = new Array<number>(count).fill(0);
  const doc = new PdfDocument(Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength));
  const dictOf = (raw: string) => (raw.trim().startsWith('<<') ? parseDict(raw) : doc.dict(refNumber(raw)));
  let p = 0;
  const walk = (node: Map<string, string>) => {
    if (node.get('Type') !== '/Page') {
      for (const kid of arrayItems(node.get('Kids'))) walk(dictOf(kid));
      return;
    }
    p++;
    const annots = node.get('Annots');
    for (const raw of annots ? arrayItems(annots.trim().startsWith('[') ? annots : doc.object(refNumber(annots))) : []) {
      const a = dictOf(raw);
      const action = a.get('A');
      const uri = action && dictOf(action).get('URI');
      const url = uri && decodeString(uri);
      if (!url?.startsWith(MARK_URL)) continue;
      const i = Number(url.slice(MARK_URL.length));
      const rect = arrayItems(a.get('Rect')).map(Number);
      if (i >= 0 && i < count && !pages[i]) [pages[i], ys[i]] = [p, Math.min(rect[1]!, rect[3]!)];
    }
  };
  walk(dictOf(doc.dict(doc.trailer.root).get('Pages')!));
  return { pages, ys };
}

/**
 * Mend what a probe print shows apart, in `tab` as the layout pass left it, until nothing
 * moves (four rounds at most). `probe` prints the tab as it is.
 */
export async function keepTogether(tab: Page, probe: () => Promise<Uint8Array>): Promise<Kept> {
  const kept: Kept = { tables: [] };
  for (let round = 0; round < 4; round++) {
    const count = (await tab.evaluate(`(${MARK_FUNCTION})(${JSON.stringify(MARK_URL)})`)) as number;
    if (!count) break;
    const { pages, ys } = markPages(await probe(), count);
    const mended = (await tab.evaluate(`(${MEND_FUNCTION})(${JSON.stringify(pages)}, ${JSON.stringify(ys)})`)) as Kept & { changed: boolean };
    if (mended.signature) kept.signature = { moved: (kept.signature?.moved ?? 0) + mended.signature.moved };
    kept.tables.push(...mended.tables);
    if (!mended.changed) break;
  }
  return kept;
}
