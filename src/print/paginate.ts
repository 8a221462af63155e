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
  rowHeights: ArrayLike<number>;
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

/**
 * The table page a slice opens on: the first one at or after `row` whose index (from the
 * table's first page, 0) is odd; undefined when the pages found so far do not reach `row`.
 * Page 1 of a document is a right-hand page, and page numbers sit at the right on odd
 * pages, left on even ones. A slice after the first is printed after the document's head
 * (whose last page is the table's first one) and starts one page later, so its first page is
 * right-hand when the table's first page is odd: every later slice must open on an odd table
 * page to fall on the side it has in one piece.
 */
export function slicePage(starts: readonly number[], row: number): number | undefined {
  for (let p = 1; p < starts.length; p += 2) if (starts[p]! >= row) return p;
  return undefined;
}
