// The circular's Markdown beyond paragraphs and headings (lists, quotes, tables, rules, code,
// footnotes), as each output shows it: numbered items keep their numbers as 公文 write them
// (1. （1） ①) in the PDF, the Word document and the portal page; every line of the PDF stays
// on the 22-line grid after each of these blocks; footnote links land; nothing prints in
// English or as a web-only mark (↩).
import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import mammoth from 'mammoth';
import { edit, sampleWorkspace, tongbaoAsync } from './helpers.js';
import { vnu } from './judges.js';
import { readPages } from './pdf-measure.js';

const PITCH = 225 / 22; // mm

const MARKDOWN = `
## 五、补充说明

> 引用的一段话：各地区要高度重视。

1. 第一项加强组织领导。
   1. 甲子项。
   2. 乙子项。
      1. 再下一级。
   - 不编号的一项
2. 第二项含[链接](https://www.gov.cn)与\`代码\`。

3. 第三项是松散列表中的一段。

   它的第二段。

| 地区 | 数量 |
| --- | ---: |
| 甲地 | 十二 |
| 乙地 | 三十 |

表格之后的一段话引用了注释[^note]，行末换行  
第二行。

---

\`\`\`
代码块一行
\`\`\`

[^note]: 注释的内容。
`;

/** The portal page's workspace, and the Word document's and the PDF's (built side by side). */
let page: string;
let root: string;
let pdfText: string;

beforeAll(async () => {
  const workspace = () => {
    const ws = sampleWorkspace();
    edit(ws, 'content/2016Q4/circular.md', (t) => `${t.trimEnd()}\n${MARKDOWN}`);
    return ws;
  };
  [page, root] = [workspace(), workspace()];
  for (const r of await Promise.all([tongbaoAsync(['build', '2016Q4', '--format', 'html'], page), tongbaoAsync(['build', '2016Q4', '--format', 'docx'], root)])) {
    expect(r.status, r.stderr).toBe(0);
    // A footnote's label is not a figure typed into the text.
    expect(r.stderr).not.toMatch(/circular\.md:\d+:\d+: 警告: 正文中的数字/);
  }
  pdfText = execFileSync('pdftotext', ['-raw', path.join(root, 'out/2016Q4/bulletin.pdf'), '-'], { encoding: 'utf8' });
}, 240_000);

describe('numbered items', () => {
  const items = ['1.第一项加强组织领导。', '（1）甲子项。', '（2）乙子项。', '①再下一级。', '2.第二项含链接与代码。', '3.第三项是松散列表中的一段。'];

  it('print their numbers in the PDF, level by level', () => {
    const lines = pdfText.split('\n').map((l) => l.replace(/\s+/g, ''));
    for (const item of items) expect(lines, item).toContain(item);
    expect(lines).toContain('它的第二段。');
    expect(pdfText).not.toContain('↩');
  });

  it('are paragraphs of the Word document with the same numbers, a list within an item after it', async () => {
    const { value } = await mammoth.extractRawText({ path: path.join(root, 'out/2016Q4/bulletin.docx') });
    const paragraphs = value.split('\n').filter((p) => p.trim());
    const at = (p: string) => paragraphs.indexOf(p);
    for (const item of items) expect(paragraphs, item).toContain(item);
    expect(at('• 不编号的一项')).toBeGreaterThan(at('①再下一级。'));
    expect(at('2.第二项含链接与代码。')).toBeGreaterThan(at('• 不编号的一项'));
    expect(at('它的第二段。')).toBe(at('3.第三项是松散列表中的一段。') + 1);
    expect(value).not.toContain('↩');
  });

  it('show the same numbers on the portal page, in place of list markers', () => {
    const html = readFileSync(path.join(page, 'out/2016Q4/index.html'), 'utf8');
    // A loose list (a blank line between items) holds paragraphs: the number opens the first.
    expect(html).toMatch(/<ol class="numbered">\s*<li>\s*<p><span class="item-number">1\.<\/span>第一项加强组织领导。/);
    expect(html).toContain('<span class="item-number">（1）</span>甲子项。');
    expect(html).toContain('<span class="item-number">①</span>再下一级。');
  });
});

describe('the PDF keeps the grid', () => {
  it('puts every 3号 line of the pages after a quote, lists, a table, a rule and code on a grid line', () => {
    const pages = readPages(path.join(root, 'out/2016Q4/bulletin.pdf'));
    const flat = (l: { text: string }) => l.text.replace(/\s/g, '');
    const from = pages.findIndex((pg) => pg.lines.some((l) => flat(l) === '五、补充说明'));
    const to = pages.findIndex((pg) => pg.lines.some((l) => flat(l) === '代码块一行'));
    expect(from).toBeGreaterThanOrEqual(0);
    expect(to).toBeGreaterThanOrEqual(from);
    // The section may run on to the next page (the 落款's page takes lines of 正文 with it):
    // each of its pages keeps the grid.
    const seen: string[] = [];
    for (const page of pages.slice(from, to + 1)) {
      // 16 pt lines (poppler's box ≈ 23 pt) of the type area, the table's 12 pt cells aside.
      const body = page.lines.filter((l) => l.h > 19 && l.h < 27 && l.y0 > 30 && l.y1 < 265);
      // Baselines a whole number of pitches below the page's first line (line 1 of the grid).
      const first = body[0]!.y1;
      const offGrid = body.filter((l) => {
        const k = (l.y1 - first) / PITCH;
        return Math.abs(k - Math.round(k)) * PITCH > 0.6;
      });
      expect(body[0]!.y0).toBeLessThan(37 + PITCH / 2);
      expect(offGrid.map((l) => `${l.text} ${((l.y1 - first) / PITCH).toFixed(2)}`)).toEqual([]);
      seen.push(...body.map(flat));
    }
    expect(seen.length).toBeGreaterThan(10);
    for (const after of ['表格之后的一段话引用了注释1，行末换行', '第二行。', '代码块一行']) expect(seen).toContain(after);
  });
});

describe('footnotes on the portal page', () => {
  it('link to their note and back, labelled in Chinese, and the page is valid HTML', () => {
    const file = path.join(page, 'out/2016Q4/index.html');
    const html = readFileSync(file, 'utf8');
    const ref = /<a href="#([^"]+)" id="([^"]+)" data-footnote-ref/.exec(html)!;
    expect(html).toContain(`id="${ref[1]}"`);
    expect(html).toContain(`href="#${ref[2]}" data-footnote-backref`);
    expect(html).toContain('>注释</h2>');
    expect(html).not.toMatch(/Footnotes|Back to reference/);
    expect(vnu(file).filter((m) => m.type === 'error')).toEqual([]);
  });
});
