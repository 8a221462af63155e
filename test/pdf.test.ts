import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sampleWorkspace, tongbao } from './helpers.js';
import { sharedBuild } from './shared-build.js';
import { pdffonts, pdfinfo, readPages, rows, type PdfPage } from './pdf-measure.js';
import { pageNumberDash } from './pdf-rules.js';

let root: string;
let file: string;
let pages: PdfPage[];

const CJK = /^[\u3000-\u303f\u3400-\u9fff\uff00-\uffef“”—]+$/;
/** Body text: 16 pt serif lines have a box about 23 pt high. */
const isBody = (h: number) => h > 21.5 && h < 24.5;

beforeAll(() => {
  root = sampleWorkspace();
  // The plain sample as other files build it: kept once a run (its twin below is built afresh).
  const r = sharedBuild(root, ['build', '2016Q4']);
  expect(r.status, r.stderr).toBe(0);
  file = path.join(root, 'out/2016Q4/bulletin.pdf');
  pages = readPages(file);
});

/** The circular's pages: those before the first attachment. */
const circular = () => pages.slice(0, pages.findIndex((p) => p.lines[0]?.text === '附件1'));

describe('the PDF of the 2016Q4 sample, measured with poppler', () => {
  it('is A4 throughout', () => {
    for (const p of pages) {
      expect(p.width).toBeCloseTo(210, 0);
      expect(p.height).toBeCloseTo(297, 0);
    }
    expect(pdfinfo(file)['Page size']).toMatch(/595\.28 x 841\.89 pts \(A4\)/);
  });

  it('sets text inside the type area: from 28 mm at the left to before 185 mm', () => {
    for (const [i, p] of pages.entries()) {
      if (i % 2 === 1) continue; // odd pages (1, 3, …)
      const body = p.lines.filter((l) => l.y0 < 262);
      expect(Math.min(...body.map((l) => l.x0)), `page ${i + 1}`).toBeGreaterThan(27);
      expect(Math.min(...body.map((l) => l.x0)), `page ${i + 1}`).toBeLessThan(29);
      expect(Math.max(...body.map((l) => l.x1)), `page ${i + 1}`).toBeLessThan(185);
    }
  });

  it('holds 22 lines on every full page of the circular, on a 10.23 mm grid starting near 42 mm', () => {
    const pagesOfCircular = circular();
    expect(pagesOfCircular.length).toBeGreaterThanOrEqual(3);
    // Full pages: all but the last page of the circular.
    for (const [i, p] of pagesOfCircular.slice(0, -1).entries()) {
      const r = rows(p);
      const centre = (row: (typeof r)[number]) => (row[0]!.y0 + row[0]!.y1) / 2;
      if (i > 0) expect(r, `page ${i + 1}`).toHaveLength(22);
      expect(centre(r[0]!), `page ${i + 1} first line`).toBeGreaterThan(40.5);
      expect(centre(r[0]!), `page ${i + 1} first line`).toBeLessThan(43.5);
      // Baselines of body lines step by whole multiples of the pitch.
      const base = r.filter((row) => isBody(row[0]!.h)).map((row) => row[0]!.y1);
      for (let k = 1; k < base.length; k++) {
        const d = base[k]! - base[k - 1]!;
        const n = Math.round(d / 10.227);
        expect(Math.abs(d / n - 10.227), `page ${i + 1} line ${k}`).toBeLessThanOrEqual(0.3);
      }
      // And the page's grid spans 21 pitches from its first to its last line.
      const span = centre(r.at(-1)!) - centre(r[0]!);
      if (i > 0) expect(span / 21).toBeCloseTo(10.227, 1);
    }
  });

  it('puts 28 characters on every full line of Chinese text', () => {
    const lines = circular().flatMap((p) => p.lines.filter((l) => l.y0 < 262 && isBody(l.h)));
    let full = 0;
    for (const [i, l] of lines.entries()) {
      const text = l.text.replace(/\s/g, '');
      if (l.x1 < 183 || !CJK.test(text)) continue;
      const cells = text.length + Math.round((l.x0 - 28) / (156 / 28));
      // A line is one short only where the next cannot start a line: a run of digits that does
      // not fit the last cell, or punctuation that may not open a line (避头点), which takes the
      // character before it along.
      const next = lines[i + 1]?.text.replace(/\s/g, '') ?? '';
      if (/^(?:[0-9A-Za-z%]|.[，。、；：？！）》”’])/.test(next)) expect(cells, text).toBeGreaterThanOrEqual(26);
      else {
        expect(cells, text).toBe(28);
        full++;
      }
    }
    expect(full).toBeGreaterThan(20);
  });

  it('numbers pages — 1 — at the right of odd pages and — 2 — at the left of even ones, 7 mm below the type area', () => {
    for (const [i, p] of pages.entries()) {
      const n = i + 1;
      const foot = p.lines.filter((l) => l.y0 > 262);
      expect(foot.map((l) => l.text), `page ${n}`).toEqual([`― ${n} ―`]);
      const l = foot[0]!;
      // The 一字线's stroke, not the line's box, 7 mm under the type area (§7.5).
      const dash = pageNumberDash(file, n)!;
      expect(Math.abs((dash.top + dash.bottom) / 2 - 262 - 7), `page ${n} dash below the type area`).toBeLessThan(0.2);
      if (n % 2 === 1) expect(184 - l.x1, `page ${n} right inset`).toBeCloseTo(4.94, 0);
      else expect(l.x0 - 28, `page ${n} left inset`).toBeCloseTo(4.94, 0);
    }
  });

  it('opens each attachment on a new page with 附件N at the top left and its title on the third line', () => {
    for (const n of [1, 2]) {
      const i = pages.findIndex((p) => p.lines[0]?.text === `附件${n}`);
      expect(i, `附件${n}`).toBeGreaterThan(0);
      const [label, title] = rows(pages[i]!);
      expect(label![0]!.x0).toBeCloseTo(28, 0);
      expect((label![0]!.y0 + label![0]!.y1) / 2).toBeCloseTo(42, 0);
      // Third line of the grid: two pitches below the first.
      expect((title![0]!.y0 + title![0]!.y1) / 2 - (label![0]!.y0 + label![0]!.y1) / 2).toBeCloseTo(2 * 10.227, 0);
    }
  });

  it('repeats attachment 1’s header row on each of its pages and never splits a row', () => {
    const start = pages.findIndex((p) => p.lines[0]?.text === '附件1');
    const end = pages.findIndex((p) => p.lines[0]?.text === '附件2');
    expect(end - start).toBeGreaterThanOrEqual(2);
    const seen: string[] = [];
    for (const p of pages.slice(start, end)) {
      const text = p.lines.map((l) => l.text).join(' ');
      expect(text).toContain('网站标识码');
      expect(text).toContain('存在的突出问题');
      for (const m of text.matchAll(/\b\d{10}\b/g)) seen.push(m[0]);
    }
    // Every code once: no row printed twice or lost at a page break.
    expect(seen).toHaveLength(15);
    expect(new Set(seen).size).toBe(15);
  });

  it('embeds every font, none of them Type 3', () => {
    const fonts = pdffonts(file);
    expect(fonts.length).toBeGreaterThan(0);
    expect(fonts.filter((f) => !f.emb)).toEqual([]);
    expect(fonts.filter((f) => f.type.includes('Type 3'))).toEqual([]);
  });

  it('carries the title, the issuing office as author, the language, a tag tree and bookmarks', () => {
    const info = pdfinfo(file);
    expect(info['Title']).toBe('关于2016年第四次全国政府网站抽查情况的通报');
    expect(info['Author']).toBe('国务院办公厅政府信息与政务公开办公室');
    expect(info['Tagged']).toBe('yes');
    expect(info['CreationDate']).toContain('2017'); // the signing date, not the clock
    const pdf = readFileSync(file, 'latin1');
    expect(pdf).toContain('/Lang (zh-CN)');
    expect(pdf).toMatch(/\/Outlines \d+ 0 R/);
  });

  it('is byte-identical when built twice', () => {
    const first = readFileSync(file);
    expect(tongbao(['build', '2016Q4', '--format', 'pdf'], root).status).toBe(0);
    expect(readFileSync(file).equals(first)).toBe(true);
    // The HTML made by the first build is kept by a PDF-only build.
    expect(readFileSync(path.join(root, 'out/2016Q4/index.html'), 'utf8')).toContain('<html lang="zh-CN">');
  });
});
