// Where the pages of a long table begin, and which pages each print job takes. Chromium
// lays out and paints a table of many thousand rows in one `page.pdf` at a cost that grows
// faster than its length (20,000 rows: minutes and gigabytes); printed in slices of a few
// dozen pages on parallel tabs the same rows cost a fraction. For the slices to join into the
// one-piece document, every page of the table begins at a row we choose (a forced break),
// and no page is left for Chromium to break on its own.

/** What the measuring tab reports, in CSS px of the print layout. */
export interface TableMeasure {
  /** Height of the type area: what one page holds. */
  pageHeight: number;
  /** From the top of the page where the table starts to the top of its first body row. */
  firstRowOffset: number;
  /** Height of the header rows, repeated on every page the table continues on. */
  headHeight: number;
  /** Height of each body row, borders included, in order. */
  rowHeights: number[];
}

/**
 * Room left on purpose at the foot of every page: layout positions are in 1/64 px and the
 * measuring tab lays the table out in one column, not in pages. A row lost to this room
 * now and then is the price of never letting Chromium break a page where we did not.
 */
export const SLACK_PX = 1;

/** The first body row of each page of the table: 0, then every row that opens a new page. */
export function pageStarts(m: TableMeasure): number[] {
  const starts = [0];
  let room = m.pageHeight - m.firstRowOffset - SLACK_PX;
  let used = 0;
  for (let i = 0; i < m.rowHeights.length; i++) {
    const h = m.rowHeights[i]!;
    // `used > 0`: no page is left empty (the planner refuses a row taller than a page).
    if (used + h > room && used > 0) {
      starts.push(i);
      room = m.pageHeight - m.headHeight - SLACK_PX;
      used = 0;
    }
    used += h;
  }
  return starts;
}

export interface Slice {
  /** Pages of the table, counted from its first page (0). */
  firstPage: number;
  pages: number;
  /** Body rows [from, to). */
  from: number;
  to: number;
}

/**
 * Cut the table's pages into print jobs of about `rowsPerSlice` rows. Page 1 of a document
 * is a right-hand page, and page numbers sit at the right on odd pages, left on even ones.
 * A slice after the first is printed after the document's head (its last page is the
 * table's first one) and starts one page later, so its first page is right-hand when the
 * table's first page is odd: the first slice takes an odd number of pages and every later
 * slice an even one, which keeps each slice's first page on the side it has in one piece.
 */
export function planSlices(starts: readonly number[], rows: number, rowsPerSlice: number): Slice[] {
  const slices: Slice[] = [];
  const total = starts.length;
  let page = 0;
  while (page < total) {
    const first = slices.length === 0;
    let end = page + 1;
    while (end < total && starts[end]! - starts[page]! < rowsPerSlice) end++;
    let pages = end - page;
    // Parity matters only where another slice follows.
    if (page + pages < total) {
      if (first && pages % 2 === 0) pages--;
      if (!first && pages % 2 === 1) pages++;
    }
    const to = page + pages < total ? starts[page + pages]! : rows;
    slices.push({ firstPage: page, pages, from: starts[page]!, to });
    page += pages;
  }
  return slices;
}
