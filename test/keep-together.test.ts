// What stays together on the PDF's pages (issue 35, items 2 and 4), read from the printed PDF:
// the 落款's page carries at least two lines of 正文 above the 附件说明 and the 署名 (GB/T 9704
// §7.3.5), and no page holds a table's title or header with fewer than two of its rows, nor
// one row alone under a repeated header. Each is tried on every example period and on
// families of bulletins whose body is made longer a line at a time across a page's foot.
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { openWithPdfJs } from '../src/pdf/pdfjs.js';
import { edit, exampleWorkspace, sampleWorkspace } from './helpers.js';
import { readPages, rows, type Line, type PdfPage } from './pdf-measure.js';
import { sharedBuildAsync } from './shared-build.js';
import { planner, queue } from './two-at-a-time.js';

const twoAtATime = queue(2);

/** The PDF of `period` built in `root` (just prepared), two builds side by side at most. */
async function build(root: string, period: string): Promise<string> {
  const r = await twoAtATime(() => sharedBuildAsync(root, ['build', period, '--format', 'pdf']));
  expect(r.status, r.stderr).toBe(0);
  return path.join(root, 'out', period, 'bulletin.pdf');
}

// Every build of the file is planned as the tests are collected and started before the first.
const { plan, startAll } = planner();
beforeAll(startAll);

const flat = (l: Line) => l.text.replace(/\s/g, '');

/** The page of the 落款 (1-based) and the lines of 正文 above its 附件说明, or its 署名 when there is none. */
function signaturePage(pages: PdfPage[]): { page: number; lines: number; text: string[] } {
  // The 成文日期: a date alone on its line, in the right half, the first in the document.
  const p = pages.findIndex((pg) => pg.lines.some((l) => /^\d{4}年\d{1,2}月\d{1,2}日$/.test(flat(l)) && l.x0 > 60 && l.x1 > 110));
  expect(p, '找不到成文日期').toBeGreaterThanOrEqual(0);
  const page = pages[p]!;
  const date = page.lines.find((l) => /^\d{4}年\d{1,2}月\d{1,2}日$/.test(flat(l)) && l.x0 > 60 && l.x1 > 110)!;
  const list = page.lines.find((l) => flat(l).startsWith('附件：') && l.y0 < date.y0);
  // The 署名: the line just above the date.
  const issuer = page.lines.filter((l) => l.y1 < date.y0 - 1).at(-1);
  const stop = list ?? issuer ?? date;
  const above = rows({ ...page, lines: page.lines.filter((l) => l.y0 > 36 && l.y1 <= stop.y0 + 0.5) });
  return { page: p + 1, lines: above.length, text: above.map((r) => r.map(flat).join('')) };
}

interface StructNode {
  role?: string;
  type?: string;
  children?: StructNode[];
}

/**
 * Tables as the tagged PDF has them page by page (a header row: a row of TH cells only, the
 * one Chromium repeats): each page's piece of a table with fewer than two body rows, and a
 * table title (the first P of a Figure) on a page without two rows of its table.
 */
async function tableFaults(pdf: string): Promise<string[]> {
  const faults: string[] = [];
  const doc = await openWithPdfJs(readFileSync(pdf));
  try {
    for (let p = 1; p <= doc.numPages; p++) {
      const tree = (await (await doc.getPage(p)).getStructTree()) as StructNode | null;
      const kids = (n: StructNode) => (n.children ?? []).filter((c) => c.role);
      const find = (n: StructNode, role: string): StructNode[] => (n.role === role ? [n] : kids(n).flatMap((c) => find(c, role)));
      const rowsOf = (t: StructNode) => {
        const trs = find(t, 'TR');
        const head = trs.findIndex((tr) => !kids(tr).every((c) => c.role === 'TH'));
        return { head: head < 0 ? trs.length : head, body: head < 0 ? 0 : trs.length - head };
      };
      if (!tree) continue;
      for (const t of find(tree, 'Table')) {
        const { head, body } = rowsOf(t);
        if (body < 2) faults.push(`第 ${p} 页：表格${head ? `表头下` : ''}只有 ${body} 行`);
      }
      for (const f of find(tree, 'Figure')) {
        const first = kids(f)[0];
        const table = find(f, 'Table')[0];
        if (first?.role === 'P' && (!table || rowsOf(table).body < 2)) faults.push(`第 ${p} 页：表题下只有 ${table ? rowsOf(table).body : 0} 行`);
      }
    }
  } finally {
    await doc.destroy();
  }
  return faults;
}

/** What a test says of one PDF: the 落款's page and its lines, the tables' faults. */
async function read(pdf: string) {
  const sig = signaturePage(readPages(pdf));
  return { ...sig, tables: await tableFaults(pdf) };
}

const LINE = '各地区各部门要按照要求认真做好政府网站日常监管工作并及时整改问题。'.slice(0, 28);
const lines = (n: number) => Array.from({ length: n }, () => LINE).join('\n\n');

describe('every example period: the 落款 with 正文, tables with two rows a page', () => {
  const periods: [string, () => string, string][] = [
    ['the sample', () => sampleWorkspace(), '2016Q4'],
    ...(['2016Q4', '2017Q1', '2017Q2'] as const).map((p): [string, () => string, string] => [`examples/city ${p}`, () => exampleWorkspace('city'), p]),
    ['examples/province', () => exampleWorkspace('province'), '2023Q3'],
  ];
  for (const [name, ws, period] of periods) {
    const built = plan(async () => read(await build(ws(), period)));
    it(name, async () => {
      const r = await built();
      expect(r.lines, `第 ${r.page} 页的落款上方：${r.text.join(' / ')}`).toBeGreaterThanOrEqual(2);
      expect(r.tables).toEqual([]);
    }, 120_000);
  }
});

describe('the 落款’s page carries 正文 (§7.3.5) wherever the body ends', () => {
  // Whole 28-character lines pushed in before the last paragraph move the body's end down a
  // grid line at a time, across a page's foot: the 落款 would open a page in some of them.
  const family = (name: string, make: (extra: number) => string, period: string, extras: number[]) => {
    const built = extras.map((extra) => plan(async () => read(await build(make(extra), period))));
    return async () => {
      const seen: string[] = [];
      for (const [i, extra] of extras.entries()) {
        const r = await built[i]!();
        seen.push(`${extra}: 第 ${r.page} 页 ${r.lines} 行`);
        expect(r.lines, `${name}：${seen.join('；')}（${r.text.join(' / ')}）`).toBeGreaterThanOrEqual(2);
        expect(r.tables, `${name} ${extra}`).toEqual([]);
      }
      // The family crossed a page's foot: the 落款 is on another page in some of them.
      expect(new Set(seen.map((s) => s.split(' ')[2])).size, seen.join('；')).toBeGreaterThan(1);
    };
  };

  it('the sample, its last paragraph of three lines', family('样例', (extra) => {
    const ws = sampleWorkspace();
    edit(ws, 'content/2016Q4/circular.md', (t) => t.replace(/\n(对本次通报的问题网站)/, `\n${lines(extra)}\n\n$1`));
    return ws;
  }, '2016Q4', [5, 6, 7, 8, 9, 10, 11]), 400_000);

  it('the sample ending in a paragraph of one line (the lines before it go over with it)', family('样例（特此通报。）', (extra) => {
    const ws = sampleWorkspace();
    edit(ws, 'content/2016Q4/circular.md', (t) => `${t.replace(/\n(对本次通报的问题网站)/, `\n${lines(extra)}\n\n$1`).trimEnd()}\n\n特此通报。\n`);
    return ws;
  }, '2016Q4', [5, 6, 7, 8, 9, 10, 11]), 400_000);

  it('the sample ending in a long paragraph (split at a line: its last two lines go over)', family('样例（长的末段）', (extra) => {
    const ws = sampleWorkspace();
    edit(ws, 'content/2016Q4/circular.md', (t) =>
      t.replace(/\n(对本次通报的问题网站)/, `\n${lines(extra)}\n\n$1`).replace('对本次通报的问题网站，', `对本次通报的问题网站，${`${LINE}，`.repeat(3)}`),
    );
    return ws;
  }, '2016Q4', [3, 4, 5, 6, 7]), 400_000);

  it('examples/city 2017Q1, sealed, with its 附件说明', family('city 2017Q1', (extra) => {
    const ws = exampleWorkspace('city');
    edit(ws, 'content/2017Q1/circular.md', (t) => t.replace(/\n(（二）完善机制)/, `\n${lines(extra)}\n\n$1`));
    return ws;
  }, '2017Q1', [0, 1, 2, 3, 4, 5, 6]), 400_000);
});

describe('the 版记 at the foot of the 落款’s page (§7.4) when lines of 正文 are moved there', () => {
  // The city without attachments (its tables kept as data): the 落款's page is the last, and
  // even, so the 版记 is set at its foot; lines pushed in bring the 落款 to the head of page 4.
  const extras = [13, 14, 15, 16];
  const built = extras.map((extra) =>
    plan(async () => {
      const ws = exampleWorkspace('city');
      edit(ws, 'data/2017Q1/bulletin.yaml', (t) =>
        t
          .replace('\nattachments:\n', '\n')
          .replace(/\n {4}(kind: (table|matrix)|title: .*|note: .*)(?=\n)/g, ''),
      );
      edit(ws, 'content/2017Q1/circular.md', (t) => t.replace(/\n(（二）完善机制)/, `\n${lines(extra)}\n\n$1`));
      return readPages(await build(ws, '2017Q1'));
    }),
  );
  it('ends on the type area’s bottom edge, the 落款 with two lines of 正文 above it', async () => {
    const seen: string[] = [];
    for (const [i, extra] of extras.entries()) {
      const pages = await built[i]!();
      const sig = signaturePage(pages);
      const printed = pages.at(-1)!.lines.find((l) => l.text.includes('印发'))!;
      seen.push(`${extra}: 第 ${sig.page} 页 ${sig.lines} 行，版记末行距版心下边 ${(262 - printed.y1).toFixed(1)} mm`);
      expect(sig.lines, seen.join('；')).toBeGreaterThanOrEqual(2);
      expect(pages.length % 2, seen.join('；')).toBe(0);
      expect(262 - printed.y1, seen.join('；')).toBeGreaterThan(0);
      expect(262 - printed.y1, seen.join('；')).toBeLessThan(4);
    }
    expect(new Set(seen.map((s) => s.split(' ')[2])).size, seen.join('；')).toBeGreaterThan(1);
  }, 400_000);
});

describe('a table in the text never leaves a row alone, wherever it starts', () => {
  // Lines before the province's first table move it down across page 1's foot: its title
  // and header, two rows or more, or the whole of it open page 2; its last rows are never
  // one alone under the header repeated on page 2.
  const extras = [0, 1, 2, 3, 4, 5, 6];
  const built = extras.map((extra) =>
    plan(async () => {
      const ws = exampleWorkspace('province');
      edit(ws, 'content/2023Q3/circular.md', (t) => t.replace(/\n(## 二、政府网站检查情况)/, `\n${lines(extra)}\n\n$1`));
      const pdf = await build(ws, '2023Q3');
      return { faults: await tableFaults(pdf), pages: readPages(pdf) };
    }),
  );
  it('examples/province, its table of the cities', async () => {
    const seen: string[] = [];
    for (const [i, extra] of extras.entries()) {
      const { faults, pages } = await built[i]!();
      seen.push(`${extra}: ${faults.join('，') || '无'}`);
      expect(faults, seen.join('；')).toEqual([]);
      expect(signaturePage(pages).lines).toBeGreaterThanOrEqual(2);
    }
  }, 400_000);
});
