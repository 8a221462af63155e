// A document an office signs as it is (issue 35), measured on what is printed: the 发文机关署名
// when no signatory is given, the rules of the 版头 and 版记 at their widths, the 版头 without
// its mark, the page number's place.
import { beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import mammoth from 'mammoth';
import { REPO, edit, sampleWorkspace, tongbao } from './helpers.js';
import { readPages, type Line, type PdfPage } from './pdf-measure.js';

const CW = 156 / 28; // one character of the grid, mm
const PITCH = 225 / 22;
const OFFICE = '国务院办公厅政府信息与政务公开办公室';
const DATE = '2017年1月20日';

function build(root: string, period = '2016Q4', format = 'pdf'): string {
  const r = tongbao(['build', period, '--root', root, '--format', format]);
  expect(r.status, r.stderr).toBe(0);
  return path.join(root, 'out', period, format === 'html' ? 'index.html' : `bulletin.${format}`);
}

/** The 落款's lines: the date and the line just above it. */
function signature(pages: PdfPage[]): { date: Line; above: Line } {
  const page = pages.find((p) => p.lines.some((l) => l.text === DATE))!;
  expect(page, `没有印「${DATE}」的页`).toBeDefined();
  const date = page.lines.find((l) => l.text === DATE)!;
  const above = page.lines.filter((l) => l.y1 < date.y0).at(-1)!;
  return { date, above };
}

describe('the 发文机关署名 without a signatory (§7.3.5): the office signs', () => {
  let root: string;
  beforeAll(() => {
    root = sampleWorkspace();
    // The sample gives no signatory; the test relies on it.
    expect(readFileSync(path.join(root, 'data/2016Q4/bulletin.yaml'), 'utf8')).not.toMatch(/^signatory:/m);
  });

  it('prints the office above the date, unsealed as §7.3.5.2: 署名 右空二字, the date two characters further right', () => {
    const { date, above } = signature(readPages(build(root)));
    expect(above.text).toBe(OFFICE);
    expect(Math.abs(184 - 2 * CW - above.x1)).toBeLessThan(1);
    expect(Math.abs(date.x0 - (above.x0 + 2 * CW))).toBeLessThan(1);
    expect(date.y0 - above.y0).toBeCloseTo(PITCH, 0);
  });

  it('prints it sealed as §7.3.5.1: centred on the date, inside the type area', () => {
    const ws = sampleWorkspace();
    copyFileSync(path.join(REPO, 'examples/city/data/2017Q1/seal.svg'), path.join(ws, 'data/2016Q4/seal.svg'));
    edit(ws, 'data/2016Q4/bulletin.yaml', (t) => `${t.trimEnd()}\ndocument:\n  seal: seal.svg\n`);
    const { date, above } = signature(readPages(build(ws)));
    expect(above.text).toBe(OFFICE);
    expect(Math.abs((above.x0 + above.x1) / 2 - (date.x0 + date.x1) / 2)).toBeLessThan(1);
    expect(above.x1).toBeLessThan(184 + 0.5);
  });

  it('signs the portal page and the Word document with the office too', async () => {
    const html = readFileSync(build(root, '2016Q4', 'html'), 'utf8');
    expect(html).toMatch(new RegExp(`<p class="issuer">${OFFICE}</p>\\s*<p class="date">${DATE}</p>`));
    const { value } = await mammoth.extractRawText({ path: build(root, '2016Q4', 'docx') });
    const paragraphs = value.split(/\n+/).map((p) => p.trim()).filter(Boolean);
    expect(paragraphs[paragraphs.indexOf(DATE) - 1]).toBe(OFFICE);
  }, 120_000);

  it('keeps a signatory that is given, and {{signatory}} in the circular reads the office when none is', () => {
    const ws = sampleWorkspace();
    edit(ws, 'data/2016Q4/bulletin.yaml', (t) => t.replace(/^office: .*$/m, (l) => `${l}\nsignatory: 国务院办公厅`));
    expect(signature(readPages(build(ws))).above.text).toBe('国务院办公厅');
    edit(root, 'content/2016Q4/circular.md', (t) => `${t.trimEnd()}\n\n联系单位：{{signatory}}。\n`);
    const html = readFileSync(build(root, '2016Q4', 'html'), 'utf8');
    expect(html).toContain(`联系单位：${OFFICE}。`);
  });
});
