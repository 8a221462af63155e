// Long tables printed in slices on parallel tabs and joined: the same document as one
// `page.pdf` of the same HTML, page for page, with its numbering, tags and outline.
import { beforeAll, describe, expect, it } from 'vitest';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO, tongbao, tongbaoAsync, type Run } from './helpers.js';
import { queue } from './two-at-a-time.js';
import { pdffonts, pdfinfo, readPages, type PdfPage } from './pdf-measure.js';
import { pageStarts, slicePage, SLACK_PX } from '../src/print/paginate.js';
import { findLongTable, sliceDocument } from '../src/print/long-table.js';
// @ts-expect-error: a plain ES module of the benchmarks, without types
import { generatePeriod } from '../bench/generate.mjs';

const ROWS = 600;

/** Each page's words, sorted: the same text whatever order pdftotext reads a page in. */
function pageWords(file: string): string[] {
  const xml = execFileSync('pdftotext', ['-bbox', file, '-'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  return [...xml.matchAll(/<page[^>]*>([\s\S]*?)<\/page>/g)].map((p) => [...p[1]!.matchAll(/<word[^>]*>([^<]*)<\/word>/g)].map((w) => w[1]).sort().join(' '));
}

/** How many structure elements of each type the PDF's tag tree has (latest object versions). */
async function structTypes(file: string): Promise<Record<string, number>> {
  // Not blocking the process: the two PDFs' trees are read side by side.
  const json = JSON.parse((await promisify(execFile)('qpdf', ['--json', '--json-key=qpdf', file], { encoding: 'utf8', maxBuffer: 1 << 30 })).stdout);
  const out: Record<string, number> = {};
  for (const o of Object.values<{ value?: Record<string, unknown> }>(json.qpdf[1])) {
    const v = o.value;
    if (v?.['/Type'] === '/StructElem') out[String(v['/S'])] = (out[String(v['/S'])] ?? 0) + 1;
  }
  return out;
}

function outlineTitles(file: string): string[] {
  const json = JSON.parse(execFileSync('qpdf', ['--json', '--json-key=outlines', file], { encoding: 'utf8' }));
  const titles: string[] = [];
  const walk = (items: { title: string; kids: unknown[] }[], depth: number) => {
    for (const i of items) {
      titles.push(`${depth}:${i.title}`);
      walk(i.kids as never, depth + 1);
    }
  };
  walk(json.outlines, 0);
  return titles;
}

/** Attachment 1's pages, and its 网站标识码 (the right-hand column's words of digits), in order. */
function tableCodes(file: string): { pages: number; words: string[] } {
  const xml = execFileSync('pdftotext', ['-bbox', file, '-'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const table = [...xml.matchAll(/<page[^>]*>([\s\S]*?)<\/page>/g)].map((p) => p[1]!).filter((p) => p.includes('>网站标识码<'));
  const words = table.flatMap((p) => [...p.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>(\d+)<\/word>/g)].filter((w) => Number(w[1]) > 300 && Number(w[2]) < 742).map((w) => w[3]!));
  return { pages: table.length, words };
}

describe('pagination of a long table', () => {
  const m = { pageHeight: 850, firstRowOffset: 200, headHeight: 40, rowHeights: Array.from({ length: 400 }, (_, i) => (i % 7 === 3 ? 56.5 : 32.5)) };
  const starts = pageStarts(m);

  it('fills every page without going past the type area, the header repeated', () => {
    for (let p = 0; p < starts.length; p++) {
      const end = starts[p + 1] ?? m.rowHeights.length;
      const used = m.rowHeights.slice(starts[p], end).reduce((a, b) => a + b, 0);
      const room = m.pageHeight - (p === 0 ? m.firstRowOffset : m.headHeight) - SLACK_PX;
      expect(used, `page ${p}`).toBeLessThanOrEqual(room);
      // Full: the next row would not have fitted.
      if (end < m.rowHeights.length) expect(used + m.rowHeights[end]!).toBeGreaterThan(room);
    }
  });

  it('opens a later slice on the first odd page of the table at or after its chunk', () => {
    for (const row of [1, 37, 150, 300]) {
      const p = slicePage(starts, row)!;
      expect(p % 2, `row ${row}`).toBe(1);
      expect(starts[p]).toBeGreaterThanOrEqual(row);
      if (p > 1) expect(starts[p - 2]).toBeLessThan(row);
    }
    // Past the last page's first row: no page found yet (the table's end, once all is measured).
    expect(slicePage(starts, starts.at(-1)! + 1)).toBeUndefined();
  });
});

describe('cutting the print HTML', () => {
  const html = '<html><head><title>t</title></head><body><table><tbody><tr><td>a</td></tr></tbody></table>' +
    '<table class="x"><thead><tr><th>h</th></tr></thead><tbody>\n<tr><td>1</td></tr>\n<tr><td>2 &lt;tr</td></tr>\n<tr><td>3</td></tr>\n</tbody></table><p>after</p></body></html>';

  it('finds the longest table body, its rows, and what follows', () => {
    const t = findLongTable(html, 3)!;
    expect(t.rows).toEqual(['<tr><td>1</td></tr>\n', '<tr><td>2 &lt;tr</td></tr>\n', '<tr><td>3</td></tr>\n']);
    expect(t.head).toContain('<table data-tb-long class="x">');
    expect(t.tail).toBe('</tbody></table><p>after</p></body></html>');
    expect(findLongTable(html, 4)).toBeUndefined();
  });

  it('makes a slice with its rows, forced breaks and the tail only when asked', () => {
    const t = findLongTable(html, 3)!;
    const doc = sliceDocument(t, { from: 1, to: 3, breaks: new Set([2]), tail: false, style: '@page:first{counter-increment:page 4}' });
    expect(doc).toContain('<tr><td>2 &lt;tr</td></tr>\n<tr data-tb-page><td>3</td></tr>');
    expect(doc).not.toContain('<td>1</td>');
    expect(doc).not.toContain('after');
    expect(doc).toContain('<style data-tb-slice>@page:first{counter-increment:page 4}</style></head>');
  });
});

describe(`a bulletin with a ${ROWS}-row attachment, printed in slices and in one piece`, () => {
  let sliced: string;
  let whole: string;
  let pages: PdfPage[];
  let json: { pdf: { pages: number; slices?: { count: number; reason?: string } } };
  let pristine: string;
  // Every build of these tests is started in beforeAll, each in a copy of the generated period
  // made before any was built, two side by side; each test awaits its own.
  const env = { TONGBAO_SLICE_FROM: '200', TONGBAO_SLICE_ROWS: '150' };
  const twoAtATime = queue(2);
  const run = (args: string[], cwd: string, env: NodeJS.ProcessEnv) => twoAtATime(() => tongbaoAsync(args, cwd, env));
  let again: Promise<{ same: Run; samePdf: Buffer; archived: Run }>;
  let short: Promise<{ root: string; r: Run }>;
  let fallback: Promise<{ root: string; r: Run }>;
  let wider: Promise<{ sampled: Run; sampledPdf: Buffer; all: Run; allPdf: Buffer }>;
  let laidOut: Promise<{ root: string; r: Run }>;

  beforeAll(async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'tongbao-slices-'));
    await generatePeriod(root, { period: '2024Q4', sites: 200, problems: ROWS, quarters: 4, matrix: true });
    const copyOf = (name: string) => {
      const to = mkdtempSync(path.join(os.tmpdir(), `tongbao-slices-${name}-`));
      cpSync(root, to, { recursive: true });
      return to;
    };
    const copy = copyOf('one');
    pristine = copyOf('again');
    const shortRoot = copyOf('short');
    const fallbackRoot = copyOf('fallback');
    // A name with a word wider than any other row's, in a row the sample of rows leaves out
    // (every 12th row of 600 with 50 sampled: row 302 is not one).
    const widerRoots = [copyOf('wider-sampled'), copyOf('wider-all')];
    const laidOutRoot = copyOf('laid-out');
    for (const r of widerRoots) {
      const csv = path.join(r, 'data/2024Q4/problem-sites.csv');
      writeFileSync(csv, readFileSync(csv, 'utf8').replace(/^(302,[^,]*,[^,]*)/m, '$1WWWWWWWWWWWWWW'));
    }
    // Slices of 150 rows from 200 rows on; the same document as one slice is one page.pdf.
    const first = run(['build', '2024Q4', '--format', 'pdf', '--json'], root, env);
    const onePiece = run(['build', '2024Q4', '--format', 'pdf'], copy, { TONGBAO_SLICE_FROM: '200', TONGBAO_SLICE_ROWS: '100000' });
    // Another build of the same inputs; then archived in its place (the test below reads both).
    again = (async () => {
      const same = await run(['build', '2024Q4', '--format', 'pdf', '--quiet'], pristine, env);
      const samePdf = readFileSync(path.join(pristine, 'out/2024Q4/bulletin.pdf'));
      const archived = await run(['build', '2024Q4', '--format', 'pdf', '--archive'], pristine, env);
      return { same, samePdf, archived };
    })();
    // One row held past each chunk at first: every tab measures more, several times.
    short = run(['build', '2024Q4', '--format', 'pdf', '--json'], shortRoot, { ...env, TONGBAO_SLICE_LOOKAHEAD: '1' }).then((r) => ({ root: shortRoot, r }));
    fallback = (async () => {
      // An office's own print style, written before the type area was declared in it.
      const css = readFileSync(path.join(REPO, 'templates/print.css'), 'utf8').replace(/--type-(width|height): [^;]+;/g, '');
      mkdirSync(path.join(fallbackRoot, 'templates'), { recursive: true });
      writeFileSync(path.join(fallbackRoot, 'templates/print.css'), css.replace(/var\(--type-width\)/g, '156mm').replace(/var\(--type-height\)/g, '225mm'));
      return { root: fallbackRoot, r: await run(['build', '2024Q4', '--format', 'pdf'], fallbackRoot, env) };
    })();
    wider = (async () => {
      const build = (root: string, sample: string) => run(['build', '2024Q4', '--format', 'pdf'], root, { ...env, TONGBAO_SLICE_SAMPLE: sample, TONGBAO_SLICE_TRACE: '1' });
      const [sampled, all] = await Promise.all([build(widerRoots[0]!, '50'), build(widerRoots[1]!, '100000')]);
      const pdf = (root: string) => readFileSync(path.join(root, 'out/2024Q4/bulletin.pdf'));
      return { sampled, sampledPdf: pdf(widerRoots[0]!), all, allPdf: pdf(widerRoots[1]!) };
    })();
    // Below 3,000 rows, not sliced: the layout pass sets the columns of a table of 600 rows.
    laidOut = run(['build', '2024Q4', '--format', 'pdf'], laidOutRoot, {}).then((r) => ({ root: laidOutRoot, r }));
    for (const p of [again, short, fallback, wider, laidOut]) p.catch(() => undefined); // awaited by their tests
    const [r, one] = await Promise.all([first, onePiece]);
    expect(r.status, r.stderr).toBe(0);
    json = JSON.parse(r.stdout);
    expect(one.status, one.stderr).toBe(0);
    sliced = path.join(root, 'out/2024Q4/bulletin.pdf');
    whole = path.join(copy, 'out/2024Q4/bulletin.pdf');
    pages = readPages(sliced);
  }, 240_000);

  it('was printed in several slices', () => {
    expect(json.pdf.slices?.reason).toBeUndefined();
    expect(json.pdf.slices?.count).toBeGreaterThanOrEqual(4);
    expect(json.pdf.pages).toBe(pages.length);
  });

  it('has the same text as the one-piece print, page for page', () => {
    const a = pageWords(sliced);
    const b = pageWords(whole);
    expect(a.length).toBe(b.length);
    for (let i = 0; i < a.length; i++) expect(a[i], `page ${i + 1}`).toBe(b[i]);
  });

  it('numbers every page in order, odd pages at the right and even at the left', () => {
    for (const [i, p] of pages.entries()) {
      const n = p.lines.find((l) => l.y0 > 262 && /^― \d+ ―$/.test(l.text));
      expect(n?.text, `page ${i + 1}`).toBe(`― ${i + 1} ―`);
      if (i % 2 === 0) expect(n!.x1, `page ${i + 1}`).toBeGreaterThan(175);
      else expect(n!.x0, `page ${i + 1}`).toBeLessThan(35);
    }
  });

  it('repeats the header on every page of the table and prints every row once', () => {
    const first = pages.findIndex((p) => p.lines[0]?.text === '附件1');
    const last = pages.findIndex((p) => p.lines[0]?.text === '附件2');
    const seen: number[] = [];
    for (const p of pages.slice(first, last)) {
      expect(p.lines.some((l) => l.text.includes('网站标识码'))).toBe(true);
      // 序号: the first column's cells, each a line of its own for pdftotext.
      for (const l of p.lines) if (/^\d+$/.test(l.text) && l.x1 < 40 && l.y0 < 262) seen.push(Number(l.text));
    }
    expect(seen).toEqual(Array.from({ length: ROWS }, (_, i) => i + 1));
  });

  it('sets the columns from all the rows: no site code broken, about one line a row', () => {
    const codes = tableCodes(sliced);
    expect(codes.words.length).toBe(ROWS);
    expect(codes.words.filter((c) => c.length !== 10)).toEqual([]);
    // The template's declared widths broke every code in two in the free face, and most rows
    // took two lines (46 pages); a page holds about 22 rows of one line.
    expect(codes.pages).toBeLessThan((ROWS / 22) * 1.2);
  });

  it('sets a table of 600 rows printed in one piece as the slices set it: codes whole, about one line a row', async () => {
    const { root, r } = await laidOut;
    expect(r.status, r.stderr).toBe(0);
    const codes = tableCodes(path.join(root, 'out/2024Q4/bulletin.pdf'));
    expect(codes.words.length).toBe(ROWS);
    expect(codes.words.filter((c) => c.length !== 10)).toEqual([]);
    expect(Math.abs(codes.pages - tableCodes(sliced).pages)).toBeLessThanOrEqual(1);
  }, 120_000);

  it('measures every row when one has a word wider than the sample of rows showed: the same PDF, the word whole', async () => {
    const { sampled, sampledPdf, all, allPdf } = await wider;
    expect(sampled.status, sampled.stderr).toBe(0);
    expect(all.status, all.stderr).toBe(0);
    // The rows were measured again, all of them (TONGBAO_SLICE_TRACE's steps).
    expect(sampled.stderr).toContain('too-narrow');
    expect(all.stderr).not.toContain('too-narrow');
    expect(sampledPdf.equals(allPdf)).toBe(true);
    const file = path.join(os.tmpdir(), `tongbao-slices-wider-${process.pid}.pdf`);
    writeFileSync(file, sampledPdf);
    const words = pageWords(file).join(' ').split(' ').filter((w) => w.includes('W'));
    expect(words).toHaveLength(1);
    expect(words[0]).toContain('W'.repeat(14));
  }, 240_000);

  it('is tagged like the one-piece print: the same elements, the outline, the language', async () => {
    expect(pdfinfo(sliced)['Tagged']).toBe('yes');
    const [types, wholeTypes] = await Promise.all([structTypes(sliced), structTypes(whole)]);
    // Attachment 1's rows and header, and attachment 2's 32 provinces and header.
    expect(types['/TR']).toBe(ROWS + 1 + 33);
    expect(types).toEqual(wholeTypes);
    expect(outlineTitles(sliced)).toEqual(outlineTitles(whole));
    expect(readFileSync(sliced, 'latin1')).toContain('/Lang (zh-CN)');
    expect(() => execFileSync('qpdf', ['--check', sliced])).not.toThrow();
    for (const f of pdffonts(sliced)) {
      expect(f.type).not.toBe('Type 3');
      expect(f.emb).toBe(true);
    }
  });

  it('comes out byte for byte the same from another build, and archives as PDF/A-2b', async () => {
    const built = await again;
    expect(built.same.status).toBe(0);
    expect(built.samePdf.equals(readFileSync(sliced))).toBe(true);
    const r = built.archived;
    const archived = path.join(pristine, 'out/2024Q4/bulletin.pdf');
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(archived, 'latin1')).toMatch(/<pdfaid:part>2<\/pdfaid:part>/);
    expect(() => execFileSync('qpdf', ['--check', archived])).not.toThrow();
    expect(pageWords(archived)).toEqual(pageWords(sliced));
    expect(tongbao(['verify', '2024Q4'], pristine).status).toBe(0);
  }, 120_000);

  it('comes out the same when each slice has to take in more rows to find where it ends', async () => {
    // In a copy without outputs (a PDF/A archived there would be kept by a plain build, never lowered).
    const { root, r } = await short;
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).pdf.slices).toEqual(json.pdf.slices);
    expect(readFileSync(path.join(root, 'out/2024Q4/bulletin.pdf')).equals(readFileSync(sliced))).toBe(true);
  }, 120_000);

  it('falls back to one piece, and says why, when the print style gives no type area', async () => {
    const { root, r } = await fallback;
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/长表格没能分段打印（打印样式没有给出版心尺寸（--type-width、--type-height）.*），已整体打印/);
    expect(pageWords(path.join(root, 'out/2024Q4/bulletin.pdf')).length).toBeGreaterThan(20);
  }, 120_000);
});
