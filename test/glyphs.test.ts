// Characters the document's faces lack. Chromium prints them from a system font (a Type 3
// font in the PDF) or, when no font has them, as an empty box: the first is a warning at the
// character's place, the second an error there, and out/ is left as it was. A Type 3 glyph
// reaches the OFD as a drawing, checked by an independent reader's picture of the page.
import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { edit, sampleWorkspace, tongbaoAsync } from './helpers.js';
import { pdfPicture, readWithOfdJs } from './ofd-reader.js';
import { sharedBuildAsync } from './shared-build.js';
import { planner } from './two-at-a-time.js';

// The two builds that need no other first are started together before the first test.
const { plan, startAll } = planner();
beforeAll(startAll);

/** Line and column (UTF-16, from 1) of the first `ch` in a file, as an editor shows them. */
function placeIn(file: string, ch: string): string {
  const lines = readFileSync(file, 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes(ch));
  return `${i + 1}:${lines[i]!.indexOf(ch) + 1}`;
}

const pdfPageOf = (pdf: string, ch: string) => execFileSync('pdftotext', [pdf, '-'], { encoding: 'utf8' }).split('\f').findIndex((p) => p.includes(ch)) + 1;

describe('a character no font has', () => {
  const root = sampleWorkspace();
  const plain = plan(() => sharedBuildAsync(root, ['build', '2016Q4', '--format', 'pdf']));
  it('is an error at its place in the data, the bulletin or the circular, and nothing is written', async () => {
    expect((await plain()).status).toBe(0);
    const pdf = path.join(root, 'out/2016Q4/bulletin.pdf');
    const before = readFileSync(pdf);
    // A private-use character (what a GBK 造字 becomes), a CJK Extension G character no
    // installed font has, and an emoji.
    edit(root, 'data/2016Q4/problem-sites.csv', (t) => t.replace('站点长期无法访问', '站点\uE000长期无法访问'));
    edit(root, 'data/2016Q4/bulletin.yaml', (t) => t.replace('title: 关于', 'title: 关于\u{31350}'));
    edit(root, 'content/2016Q4/circular.md', (t) => t.replace('现将有关情况通报如下：', '现将有关情况通报如下🙂：'));
    const r = await tongbaoAsync(['build', '2016Q4', '--format', 'pdf'], root);
    expect(r.status).toBe(1);
    const at = (file: string, ch: string) => `${file}:${placeIn(path.join(root, file), ch)}: 错误: 「${ch}」`;
    expect(r.stderr).toContain(`${at('data/2016Q4/problem-sites.csv', '\uE000')}（U+E000）没有字体能印出：PDF 中印成了空框（第 `);
    expect(r.stderr).toContain('私用区');
    expect(r.stderr).toContain(`${at('data/2016Q4/bulletin.yaml', '\u{31350}')}（U+31350）没有字体能印出`);
    expect(r.stderr).toContain(`${at('content/2016Q4/circular.md', '🙂')}（U+1F642）没有字体能印出`);
    expect(r.stderr).toContain('表情符号');
    expect(r.stderr).toContain('out/ 中上次生成的结果保持不变');
    expect(readFileSync(pdf).equals(before)).toBe(true);
  }, 180_000);
});

describe('a character only a system font has', () => {
  const root = sampleWorkspace();
  const built = plan(() => {
    // CJK Extension B (in place and person names) and a Roman numeral the free faces lack.
    edit(root, 'data/2016Q4/problem-sites.csv', (t) => t.replace('“阳高县人民政府”网', '“阳高县\u{2123C}人民政府”网'));
    edit(root, 'content/2016Q4/circular.md', (t) => t.replace('现将有关情况通报如下：', '其中生僻字 \u{2003E} 和 Ⅲ 另行说明。现将有关情况通报如下：'));
    return tongbaoAsync(['build', '2016Q4', '--format', 'ofd'], root);
  });
  it('is a warning at its place naming the page, printed as a Type 3 glyph, and drawn in the OFD', async () => {
    const r = await built();
    expect(r.status, r.stderr).toBe(0);
    const pdf = path.join(root, 'out/2016Q4/bulletin.pdf');
    for (const [file, ch, code] of [['content/2016Q4/circular.md', '\u{2003E}', 'U+2003E'], ['content/2016Q4/circular.md', 'Ⅲ', 'U+2162'], ['data/2016Q4/problem-sites.csv', '\u{2123C}', 'U+2123C']] as const) {
      // The system font is whichever fontconfig gives (Noto Serif CJK here): named as the PDF names it.
      const line = r.stderr.split('\n').find((l) => l.includes(`「${ch}」（${code}）`));
      expect(line, ch).toBeDefined();
      expect(line).toBe(`${file}:${placeIn(path.join(root, file), ch)}: 警告: 「${ch}」（${code}）不在公文所用的字体中，由系统字体 ${/由系统字体 ([\w-]+) 补印/.exec(line!)?.[1]} 补印（第 ${pdfPageOf(pdf, ch)} 页）：字形风格可能与正文不同，在 PDF 中是 Type 3 字形（核对印出的样子；要用正式字形，把含有这个字的正式字体放进 fonts/）`);
    }
    expect(r.stderr).not.toMatch(/: 错误: /);
    // The OFD says which characters it holds as drawings, not as text.
    expect(r.stderr).toContain(`data/2016Q4/bulletin.yaml: 警告: bulletin.ofd 中的「\u{2003E}」「Ⅲ」「\u{2123C}」是图形，不是文字`);
    expect(execFileSync('pdffonts', [pdf], { encoding: 'utf8' })).toMatch(/Type 3/);

    // The OFD: an independent reader draws the glyph where the PDF has it.
    const page = pdfPageOf(pdf, '\u{2003E}');
    const shown = (await readWithOfdJs(path.join(root, 'out/2016Q4/bulletin.ofd')))[page - 1]!;
    const picture = pdfPicture(pdf, page, shown.png.width, shown.png.height);
    const word = new RegExp(`<word xMin="([\\d.]+)" yMin="([\\d.]+)" xMax="([\\d.]+)" yMax="([\\d.]+)">${'\u{2003E}'}</word>`).exec(execFileSync('pdftotext', ['-f', String(page), '-l', String(page), '-bbox', pdf, '-'], { encoding: 'utf8' }))!;
    const px = (pt: string) => Math.round(((Number(pt) * 25.4) / 72) * shown.scale);
    const crop = (png: PNG) => {
      const [x, y] = [px(word[1]!), px(word[2]!)];
      const out = new PNG({ width: px(word[3]!) - x, height: px(word[4]!) - y });
      PNG.bitblt(png, out, x, y, out.width, out.height, 0, 0);
      return out;
    };
    // Compared as ink, not pixel for pixel: the two renderers antialias thin strokes apart.
    const [inOfd, inPdf] = [ink(crop(shown.png)), ink(crop(picture))];
    expect(inPdf.count).toBeGreaterThan(50); // the PDF has a glyph there
    expect(inOfd.count / inPdf.count).toBeGreaterThan(0.7); // and the OFD as much of one
    expect(inOfd.count / inPdf.count).toBeLessThan(1.4);
    expect(Math.hypot(inOfd.x - inPdf.x, inOfd.y - inPdf.y) / shown.scale).toBeLessThan(0.5); // in the same place, in mm
  }, 240_000);

  it('is none of the sample’s characters, so its PDF is not read back; and each one the faces lack is listed', async () => {
    const { fontSetup } = await import('../src/print/fonts.js');
    const dir = mkdtempSync(path.join(tmpdir(), 'tongbao-fonts-'));
    const text = readFileSync(path.join(__dirname, '..', 'content/2016Q4/circular.md'), 'utf8');
    expect((await fontSetup(dir, 'free', text)).uncovered).toEqual([]);
    expect((await fontSetup(dir, 'free', `${text}\u{2003E}Ⅲ\uE000`)).uncovered).toEqual(['Ⅲ', '\uE000', '\u{2003E}']);
  }, 60_000);
});

/** The dark pixels of a picture: how many, and their centre. */
function ink(png: PNG): { count: number; x: number; y: number } {
  let [count, sx, sy] = [0, 0, 0];
  for (let y = 0; y < png.height; y++) {
    for (let x = 0; x < png.width; x++) {
      const i = (y * png.width + x) * 4;
      if (0.299 * png.data[i]! + 0.587 * png.data[i + 1]! + 0.114 * png.data[i + 2]! < 128) [count, sx, sy] = [count + 1, sx + x, sy + y];
    }
  }
  return { count, x: sx / Math.max(count, 1), y: sy / Math.max(count, 1) };
}
