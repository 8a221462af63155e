// How a long table's width is shared among its columns (src/print/columns.ts), from the
// one-line widths its rows measured: the sums, the floors, and the choice that saves lines.
import { describe, expect, it } from 'vitest';
import { fewestLines, spreadColumns } from '../src/print/columns.js';
import { longColumns } from '../src/print/long-table.js';

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const FONT = 16;
const BOX = 14;

describe('sharing a table of many rows', () => {
  it('gives every column its one line when they fit, the rest in proportion', () => {
    const w = spreadColumns([50, 100, 150], [20, 30, 40], 600);
    expect(sum(w)).toBeCloseTo(600, 6);
    expect(w.map((x) => x / 2)).toEqual([50, 100, 150]);
  });

  it('never sets a column below its narrowest (a site code, a 序号), and fills the width', () => {
    const rows = Array.from({ length: 500 }, (_, i) => [50, 170 + (i % 9) * 16, 110 + (i % 4) * 16, 174]);
    const need = [51, 299, 159, 175];
    const min = [50, 44, 28, 174];
    for (const width of [400, 500, 590]) {
      const w = fewestLines(rows, [], need, min, width, FONT, BOX);
      expect(sum(w)).toBeCloseTo(width, 6);
      w.forEach((x, j) => expect(x, `column ${j} at ${width}`).toBeGreaterThanOrEqual(min[j]!));
    }
  });

  it('keeps a column of short values on one line where that saves lines', () => {
    // Problems of seven characters in every row; names of five characters in half the rows,
    // twelve in the others. Capping both columns alike wraps every problem, and the rows with
    // a short name take two lines instead of one.
    const problems = 7 * FONT + BOX;
    const rows = Array.from({ length: 300 }, (_, i) => [problems, (i % 2 ? 5 : 12) * FONT + BOX]);
    const need = [problems + 1, 12 * FONT + BOX + 1];
    const min = [FONT + BOX, FONT + BOX];
    const width = need[0]! + 6 * FONT + BOX;
    const w = fewestLines(rows, [], need, min, width, FONT, BOX);
    expect(w[0]).toBeGreaterThanOrEqual(problems);
    expect(spreadColumns(need, min, width)[0]).toBeLessThan(problems);
  });
});

describe('a long table’s columns from its chunks', () => {
  const chunk = (min: number[], need: number[]) => ({ need, needWithHead: need, min, fontSize: FONT, box: BOX, oneLines: [need.map((w) => w - 1)], width: 590 });

  it('keeps every word whole when the narrowest widths fit, the widest chunk deciding', () => {
    const { widths, wholeWords } = longColumns([chunk([50, 60, 44, 101], [51, 143, 272, 104]), chunk([58, 60, 44, 101], [59, 143, 280, 104])]);
    expect(sum(widths)).toBeCloseTo(590, 6);
    expect(widths[0]).toBeGreaterThanOrEqual(58);
    expect(wholeWords).toBe(true);
  });

  it('stays as wide as the type area when a word is wider than it: words broken, not the page overrun', () => {
    const { widths, wholeWords } = longColumns([chunk([50, 700, 44, 101], [51, 701, 272, 104])]);
    expect(sum(widths)).toBeCloseTo(590, 6);
    expect(wholeWords).toBe(false);
  });
});
