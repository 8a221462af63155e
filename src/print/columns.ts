// How wide a printed table's columns are: what each column's cells need, measured in the
// page, and how the type area's width is shared out from that. The layout pass (layout.ts)
// sets a table of the document this way; a long table printed in slices (slices.ts) is
// measured chunk by chunk on several tabs and shared out once, for every slice alike. The
// functions here run in the page (sent as their source through DevTools), so each stands
// alone: no import, no helper outside its own body.
/// <reference lib="dom" />

/** What a table's columns need, in CSS px. */
export interface ColumnNeeds {
  /** Each column's widest body cell on one line, a pixel over. */
  need: number[];
  /** The same with the header cells. */
  needWithHead: number[];
  /** Each column's narrowest: its longest unbreakable run (a site code, a number). */
  min: number[];
  /** The table's font size, and a cell's padding and borders across. */
  fontSize: number;
  box: number;
  /** Each body row's cells on one line (0: no cell of the row's own in that column). */
  oneLines: number[][];
}

/**
 * In the page: what the columns of `table` need with the rows it holds. A cell's width on one
 * line is its text's (a cell's box is as wide as its column's widest cell), padding and
 * borders added; its narrowest is its box in a table laid out at no width. The table is left
 * in automatic layout, its columns' declared widths taken off.
 */
export function columnNeeds(table: HTMLTableElement, cols: HTMLTableColElement[]): ColumnNeeds {
  const rows = [...table.rows];
  const n = cols.length;
  const range = document.createRange();
  const oneLine = (c: HTMLTableCellElement) => {
    let w = 0;
    const walker = document.createTreeWalker(c, NodeFilter.SHOW_TEXT);
    for (let t = walker.nextNode(); t; t = walker.nextNode()) {
      if (t.parentElement?.closest('.sr-only')) continue;
      range.selectNodeContents(t);
      w += range.getBoundingClientRect().width;
    }
    const s = getComputedStyle(c);
    return w + parseFloat(s.paddingLeft) + parseFloat(s.paddingRight) + parseFloat(s.borderLeftWidth) + parseFloat(s.borderRightWidth);
  };
  // Every row's cells (0 where a row has no cell of its own in a column), with `style` on and
  // the table laid out `tableWidth` wide; its columns' declared widths taken off.
  const measure = (style: string, tableWidth: string, width: (c: HTMLTableCellElement) => number) => {
    const sheet = document.createElement('style');
    sheet.textContent = style;
    document.head.append(sheet);
    table.style.tableLayout = 'auto';
    table.style.width = tableWidth;
    table.style.minWidth = '0';
    for (const c of cols) c.style.width = '';
    const w = rows.map((r) => Array.from({ length: n }, (_, j) => {
      const c = r.cells[j];
      return c && c.colSpan === 1 ? width(c) : 0;
    }));
    sheet.remove();
    table.style.width = '';
    table.style.minWidth = '';
    return w;
  };
  const widest = (cells: number[][]) => Array.from({ length: n }, (_, j) => Math.max(0, ...cells.map((r) => r[j]!)));
  // A pixel over: a fixed layout's collapsed borders take a fraction from the measured box.
  // A long header (省（区、市）/部门) may wrap over a column of short values: the need is
  // the body's; the header only must not end in a lone character.
  const lines = measure('th, td { white-space: nowrap !important; }', 'max-content', oneLine);
  const oneLines = lines.filter((_, i) => rows[i]!.parentElement !== table.tHead);
  const need = widest(oneLines).map((w) => w + 1);
  const needWithHead = widest(lines).map((w) => w + 1);
  const min = widest(measure('', '0px', (c) => c.getBoundingClientRect().width));
  const cell = table.querySelector('td, th');
  const box = cell ? (({ paddingLeft, paddingRight, borderLeftWidth, borderRightWidth }) => [paddingLeft, paddingRight, borderLeftWidth, borderRightWidth].reduce((a, b) => a + parseFloat(b), 0))(getComputedStyle(cell)) : 0;
  return { need, needWithHead, min, fontSize: parseFloat(getComputedStyle(table).fontSize), box, oneLines };
}

/**
 * In the page, for a long table's chunk of rows: the same needs from one layout instead of
 * two, the table set at its narrowest (automatic layout, no width). A cell's box is then its
 * column's narrowest, and its text's line boxes, added up, are the text on one line (a line
 * break takes no width from a CJK text; a collapsed space at a break would, a fraction of a
 * pixel that only the estimate of lines sees). The caller lays the rows out this way.
 */
export function narrowNeeds(table: HTMLTableElement, cols: HTMLTableColElement[]): ColumnNeeds {
  const n = cols.length;
  const range = document.createRange();
  const oneLines: number[][] = [];
  const headLines: number[][] = [];
  const min = new Array<number>(n).fill(0);
  const cell = table.querySelector('td, th');
  const edges = (c: Element) => {
    const s = getComputedStyle(c);
    return parseFloat(s.paddingLeft) + parseFloat(s.paddingRight) + parseFloat(s.borderLeftWidth) + parseFloat(s.borderRightWidth);
  };
  // Padding and borders by column, from the first row that has a cell of its own in each.
  const pads: (number | undefined)[] = new Array(n);
  for (const r of table.rows) {
    const widths = Array.from({ length: n }, (_, j) => {
      const c = r.cells[j];
      if (!c || c.colSpan !== 1) return 0;
      min[j] = Math.max(min[j]!, c.getBoundingClientRect().width);
      let w = 0;
      const walker = document.createTreeWalker(c, NodeFilter.SHOW_TEXT);
      for (let t = walker.nextNode(); t; t = walker.nextNode()) {
        if (t.parentElement?.closest('.sr-only')) continue;
        range.selectNodeContents(t);
        for (const b of range.getClientRects()) w += b.width;
      }
      return w + (pads[j] ??= edges(c));
    });
    (r.parentElement === table.tHead ? headLines : oneLines).push(widths);
  }
  const widest = (cells: number[][]) => Array.from({ length: n }, (_, j) => Math.max(0, ...cells.map((r) => r[j]!)) + 1);
  return { need: widest(oneLines), needWithHead: widest([...headLines, ...oneLines]), min, fontSize: parseFloat(getComputedStyle(table).fontSize), box: cell ? edges(cell) : 0, oneLines };
}

/**
 * A header cell's lines from a width on: [width in px, lines, 1 when a line holds one
 * character, the letter spacing in em that mends such a line (0: none needed or found)].
 */
export type HeadLines = [number, number, number, number][];

/**
 * In the page: how each header cell of `table` wraps at every whole px from `from` to `to`
 * (its column's narrowest to its one line), laid out alone in a table of one column with the
 * same attributes and rules. The header is read on every page of a long table: its lines
 * and a lone character in it are known exactly, where the rows' are estimated.
 */
export function headerLines(table: HTMLTableElement, from: number[], to: number[]): HeadLines[] {
  const head = table.tHead?.rows[0];
  if (!head) return [];
  const fontSize = parseFloat(getComputedStyle(table).fontSize);
  const probe = table.cloneNode(false) as HTMLTableElement;
  probe.style.cssText = 'table-layout:fixed;position:absolute;visibility:hidden;left:0;top:0;min-width:0';
  const row = document.createElement('tr');
  probe.append(table.tHead!.cloneNode(false));
  probe.tHead!.append(row);
  table.after(probe);
  const range = document.createRange();
  const out: HeadLines[] = [];
  for (let j = 0; j < from.length; j++) {
    const points: HeadLines = [];
    out.push(points);
    const cell = head.cells[j];
    if (!cell || cell.colSpan !== 1) continue;
    row.replaceChildren(cell.cloneNode(true));
    const texts: Text[] = [];
    const walker = document.createTreeWalker(row, NodeFilter.SHOW_TEXT);
    for (let t = walker.nextNode() as Text | null; t; t = walker.nextNode() as Text | null) if (!t.parentElement?.closest('.sr-only')) texts.push(t);
    const th = row.firstElementChild as HTMLElement;
    const wrap = (): [number, number] => {
      const tops: number[] = [];
      for (const t of texts)
        for (let i = 0; i < t.data.length; i++) {
          if (!t.data[i]!.trim()) continue;
          range.setStart(t, i);
          range.setEnd(t, i + 1);
          tops.push(range.getBoundingClientRect().top);
        }
      const apart = (a: number | undefined, b: number | undefined) => a === undefined || b === undefined || Math.abs(a - b) > fontSize / 2;
      return [tops.filter((y, i) => apart(tops[i - 1], y)).length, tops.length > 1 && tops.some((y, i) => apart(tops[i - 1], y) && apart(y, tops[i + 1])) ? 1 : 0];
    };
    for (let w = Math.floor(from[j]!); w <= Math.ceil(to[j]!); w++) {
      probe.style.width = `${w}px`;
      let [lines, lone] = wrap();
      let spacing = 0;
      // A lone character the layout pass would mend by spacing (§7.3.5.5), as it does.
      for (const em of lone ? [-0.05, 0.05, -0.1, 0.1, 0.15, 0.2] : []) {
        th.style.letterSpacing = `${em}em`;
        const [l, b] = wrap();
        if (b) continue;
        [lines, lone, spacing] = [l, 0, em];
        break;
      }
      th.style.letterSpacing = '';
      const last = points.at(-1);
      if (!last || last[1] !== lines || last[2] !== lone || last[3] !== spacing) points.push([w, lines, lone, spacing]);
    }
  }
  probe.remove();
  return out;
}

/**
 * Widths for a table of many rows, where trying widths (a layout of every row each) costs too
 * much: every column on one line when they fit, the room left shared in proportion to the
 * needs; else the widest columns capped at one width, none below its narrowest, the narrow
 * ones keeping their one line, and the room left to the columns that wrap.
 */
export function spreadColumns(need: number[], min: number[], width: number): number[] {
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const total = sum(need);
  if (total <= width) {
    const left = width - total;
    return need.map((w) => w + (left * w) / total);
  }
  const at = (cap: number) => need.map((w, j) => Math.max(min[j]!, Math.min(w, cap)));
  let [lo, hi] = [0, Math.max(...need)];
  for (let i = 0; i < 40; i++) {
    const mid = (lo + hi) / 2;
    if (sum(at(mid)) > width) hi = mid;
    else lo = mid;
  }
  const widths = at(lo);
  const left = width - sum(widths);
  const wrapping = widths.map((w, j) => (w < need[j]! ? w : 0));
  const share = sum(wrapping);
  return widths.map((w, j) => w + (share > 0 ? (left * wrapping[j]!) / share : left / need.length));
}

/**
 * Widths for a table of very many rows whose cells' one-line widths are all known (a long
 * table, measured chunk by chunk): from every column at its narrowest, width goes where it
 * saves the most lines, as the layout pass does for a short table, with each row's lines
 * estimated rather than laid out (a cell of text `x` wide in a
 * column `w` wide: x / w lines, rounded up, padding and borders aside). The estimate only
 * chooses the widths; the pages are found from the rows laid out at them.
 */
export function fewestLines(oneLines: number[][], head: HeadLines[], need: number[], min: number[], width: number, fontSize: number, box: number): number[] {
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  if (sum(need) <= width || sum(min) >= width) return spreadColumns(need, min, width);
  const n = need.length;
  const widths = [...min];
  // A line holds whole characters: a column's room counted in them. A cell whose last line
  // would hold one character counts a quarter line more, a whole line in the header, which is
  // read on every page (GB/T 9704 tables are read line by line; the short tables' layout pass
  // mends those by moving width).
  const cost = () => {
    const room = widths.map((w) => Math.max(fontSize, Math.floor((w - box) / fontSize + 1e-6) * fontSize));
    const rowCost = (row: number[]) => {
      let most = 1;
      let lone = 0;
      for (let j = 0; j < n; j++) {
        const x = row[j]!;
        if (x <= widths[j]!) continue;
        const text = x - box;
        const lines = Math.ceil(text / room[j]! - 1e-9);
        if (lines > most) most = lines;
        if (lines > 1 && text - (lines - 1) * room[j]! <= fontSize + 0.5) lone = 1;
      }
      return most + lone / 4;
    };
    let t = 0;
    for (const row of oneLines) t += rowCost(row);
    // The header is repeated on every page: about one in twenty rows.
    let headLines = 1;
    let headLone = 0;
    head.forEach((points, j) => {
      const at = points.findLast(([w]) => w <= widths[j]!) ?? points[0];
      if (at) [headLines, headLone] = [Math.max(headLines, at[1]), Math.max(headLone, at[2])];
    });
    return t + ((headLines + 4 * headLone) * oneLines.length) / 20;
  };
  let left = width - sum(widths);
  while (left > 0.01) {
    // A cell saves a line only once its column is wide enough for it: moves of one to six
    // characters are tried, the one saving the most per px taken.
    const now = cost();
    let best: { j: number; give: number; gain: number } | undefined;
    for (let j = 0; j < n; j++) {
      for (let k = 1; k <= 6; k++) {
        const give = Math.min(k * fontSize, left, need[j]! - widths[j]!);
        if (give <= 0.01) break;
        widths[j]! += give;
        const gain = (now - cost()) / give;
        widths[j]! -= give;
        if (gain > (best?.gain ?? 0) + 1e-9) best = { j, give, gain };
        if (give < k * fontSize) break;
      }
    }
    if (!best) break;
    widths[best.j]! += best.give;
    left -= best.give;
  }
  // No line saved by more width: the rest to the columns short of their need, in proportion.
  const short = widths.map((w, j) => Math.max(0, need[j]! - w));
  const shortSum = sum(short);
  if (left > 0.01) for (let j = 0; j < n; j++) widths[j]! += shortSum > 0 ? (left * short[j]!) / shortSum : left / n;
  // Then width moves from one column to another while that saves lines (the greedy pass
  // cannot take back what it gave).
  for (let round = 0; round < 8 * n; round++) {
    const now = cost();
    let best: { j: number; k: number; give: number; saved: number } | undefined;
    for (let j = 0; j < n; j++)
      for (let k = 0; k < n; k++) {
        if (j === k) continue;
        for (let c = 1; c <= 6; c++) {
          const give = Math.min(c * fontSize, need[j]! - widths[j]!, widths[k]! - min[k]!);
          if (give <= 0.01) break;
          widths[j]! += give;
          widths[k]! -= give;
          const saved = now - cost();
          widths[j]! -= give;
          widths[k]! += give;
          if (saved > (best?.saved ?? 0) + 1e-9) best = { j, k, give, saved };
          if (give < c * fontSize) break;
        }
      }
    if (!best) break;
    widths[best.j]! += best.give;
    widths[best.k]! -= best.give;
  }
  return widths;
}

/**
 * A column of short values squeezed to lines of one to three characters (单项/否决) takes
 * what it needs from the widest column that stays readable without it: sharing out counts
 * lines, not how they read. `box` is a cell's padding and borders across.
 */
export function unsqueezeColumns(widths: number[], need: number[], min: number[], fontSize: number, box: number): number[] {
  const out = [...widths];
  const readable = 4 * fontSize + box + 1;
  const wants = (j: number) => Math.min(need[j]!, readable);
  for (let j = 0; j < out.length; j++) {
    const deficit = wants(j) - out[j]!;
    if (deficit <= fontSize / 2) continue;
    let donor = -1;
    for (let k = 0; k < out.length; k++) if (k !== j && out[k]! - deficit >= Math.max(min[k]!, wants(k)) && (donor < 0 || out[k]! > out[donor]!)) donor = k;
    if (donor < 0) continue;
    out[donor]! -= deficit;
    out[j]! += deficit;
  }
  return out;
}
