// The Word document for 审签 (issue 23): bulletin.docx on the GB/T 9704 grid. Judged by its
// own XML (the grid, the styles, the fonts), by mammoth's reading of its text against
// pdftotext's reading of the PDF, and by LibreOffice, which opens it and prints it: that PDF is
// measured as tongbao's own is (lines on the grid, margins, page numbers, new pages, headers).
import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { unzipSync, strFromU8 } from 'fflate';
import mammoth from 'mammoth';
import * as fontkit from 'fontkit';
import { edit, exampleWorkspace, sampleWorkspace, tongbao, tongbaoAsync } from './helpers.js';
import { sharedBuildAsync } from './shared-build.js';
import { twoAtATime } from './two-at-a-time.js';
import { readPages, rows, type PdfPage } from './pdf-measure.js';
import { libreOfficePdf, redRules, ruledLines } from './libreoffice.js';
import { pageNumberDash } from './pdf-rules.js';

const PITCH = 225 / 22; // mm
const part = (docx: string, name: string) => strFromU8(unzipSync(readFileSync(docx))[name]!);
const attr = (xml: string, el: string, name: string) => new RegExp(`<${el}\\b[^>]*\\bw:${name}="([^"]*)"`).exec(xml)?.[1];
const strip = (s: string) => s.replace(/\s+/g, '');
const PAGE_NUMBER = /^\s*\u2015\s*(\d+)\s*\u2015\s*$/;

interface Built {
  root: string;
  period: string;
  docx: string;
  pdf: string;
  /** LibreOffice's print of the docx. */
  lo: string;
}

/** A workspace of the corpus: how it is made, the period built, the build's extra arguments. */
interface Spec {
  root: () => string;
  period: string;
  extra?: string[];
}

/**
 * Every Word document the tests read, each built (a build of inputs another test of the run
 * built already is copied: test/shared-build.ts), then printed by LibreOffice, two at a time.
 * The tests only read the outputs; one of them builds again to compare bytes.
 */
async function buildAll<K extends string>(specs: Record<K, Spec>): Promise<Record<K, Built>> {
  const names = Object.keys(specs) as K[];
  const built = await twoAtATime(names, async (name): Promise<Built> => {
    const { root: make, period, extra = [] } = specs[name];
    const root = make();
    const r = await sharedBuildAsync(root, ['build', period, '--format', 'docx', ...extra]);
    expect(r.status, `${name}: ${r.stderr}`).toBe(0);
    const docx = path.join(root, 'out', period, 'bulletin.docx');
    return { root, period, docx, pdf: path.join(root, 'out', period, 'bulletin.pdf'), lo: await libreOfficePdf(docx) };
  });
  return Object.fromEntries(names.map((name, i) => [name, built[i]!])) as Record<K, Built>;
}

/** Paragraphs of the Word document as mammoth reads them (tables cell by cell), without empty ones. */
async function docxParagraphs(docx: string): Promise<string[]> {
  const { value } = await mammoth.extractRawText({ path: docx });
  return value.split(/\n\n/).map(strip).filter(Boolean);
}

/** Each page's text as pdftotext reads it in the order it was painted, without its page number. */
function pdfPageTexts(pdf: string): string[] {
  const text = execFileSync('pdftotext', ['-raw', pdf, '-'], { encoding: 'utf8', maxBuffer: 1 << 26 });
  return text
    .split('\f')
    .map((page) => strip(page.split('\n').filter((l) => !PAGE_NUMBER.test(l)).join('')))
    .filter((p, i, all) => p !== '' || i < all.length - 1);
}

/** Header rows of the document's tables (repeated by the print on each page a table runs to). */
function headerRows(docx: string): string[] {
  const xml = part(docx, 'word/document.xml');
  return [...xml.matchAll(/<w:tr>(?:(?!<\/w:tr>).)*?<w:tblHeader\/>((?:(?!<\/w:tr>).)*)<\/w:tr>/g)].map((m) => strip([...m[1]!.matchAll(/<w:t[^>]*>([^<]*)<\/w:t>/g)].map((t) => t[1]).join('')));
}

/**
 * Does the PDF's text consist of the Word document's paragraphs, in order? A paragraph may
 * run on to the next page; a header row may repeat at a page's top; elements the print
 * positions (the 版头's mark and number, a sealed 落款) are painted after the page's flow, so
 * such a paragraph may come later on its page. Every character must be accounted for.
 */
function alignParagraphs(pages: string[], paragraphs: string[], headers: string[]): string | undefined {
  const paras = [...paragraphs];
  let i = 0;
  for (let p = 0; p < pages.length; p++) {
    const s = pages[p]!;
    const pending: string[] = [];
    let c = 0;
    while (c < s.length) {
      const waiting = pending.findIndex((x) => s.startsWith(x, c));
      if (waiting >= 0) {
        c += pending.splice(waiting, 1)[0]!.length;
        continue;
      }
      const next = paras[i];
      if (next !== undefined && s.startsWith(next, c)) {
        c += next.length;
        i++;
        continue;
      }
      const header = headers.find((h) => h && s.startsWith(h, c));
      if (header) {
        c += header.length;
        continue;
      }
      if (next !== undefined && next.startsWith(s.slice(c))) {
        paras[i] = next.slice(s.length - c); // goes on on the next page
        c = s.length;
        continue;
      }
      if (next !== undefined && s.indexOf(next, c) > c) {
        pending.push(next);
        i++;
        continue;
      }
      return `page ${p + 1}: the PDF has 「${s.slice(c, c + 40)}」 where the Word document has 「${(next ?? '(nothing)').slice(0, 40)}」`;
    }
    if (pending.length) return `page ${p + 1}: not in the PDF: 「${pending[0]!.slice(0, 40)}」`;
  }
  return i < paras.length ? `not in the PDF: 「${paras[i]!.slice(0, 40)}」` : undefined;
}

/** Text rows of a page: baseline (mm) and the rows' lines. */
const textRows = (page: PdfPage) => rows(page, 262.5).filter((r) => !PAGE_NUMBER.test(r.map((l) => l.text).join('')));

/** The type area's lines of the grid a row's glyphs fall in: its box must lie within one line (0.6 mm either side). */
function gridLine(y0: number, y1: number, top = 37): number | undefined {
  const k = Math.floor(((y0 + y1) / 2 - top) / PITCH);
  return y0 >= top + k * PITCH - 0.6 && y1 <= top + (k + 1) * PITCH + 1 ? k : undefined;
}

/** A paragraph of Chinese characters alone: no digits, no punctuation to shift a line's end. */
const LINE = '政府网站监管工作常态开展抽查整改通报问责集约建设安全防护信息公开';
/** The city's 2017Q1 without 份号 and 紧急程度, as a usual 通报's 版头 is. */
const noFlags = (t: string) => t.replace(/^  copy_number: .*\n/m, '').replace(/^  urgency: .*\n/m, '');
const city2017Q1 = (change: (t: string) => string) => () => {
  const root = exampleWorkspace('city');
  edit(root, 'data/2017Q1/bulletin.yaml', change);
  return root;
};

const CORPUS = {
  sample: { root: () => sampleWorkspace(), period: '2016Q4' },
  city: { root: () => exampleWorkspace('city'), period: '2017Q2', extra: ['--docx-figures', 'highlight'] },
  // The city with a paragraph of 28-character lines added.
  characters: {
    root: () => {
      const root = exampleWorkspace('city');
      appendFileSync(path.join(root, 'content/2017Q2/circular.md'), `\n\n${LINE.repeat(4)}\n`);
      return root;
    },
    period: '2017Q2',
  },
  // The sample with attachment 2 turned.
  landscape: {
    root: () => {
      const root = sampleWorkspace();
      edit(root, 'data/2016Q4/bulletin.yaml', (t) => t.replace('    title: 各省（区、市）政府网站有关制度建设情况\n', '    title: 各省（区、市）政府网站有关制度建设情况\n    orientation: landscape\n'));
      return root;
    },
    period: '2016Q4',
  },
  // The 版头s of issue 35 (below).
  flags: { root: () => exampleWorkspace('city'), period: '2017Q1' },
  noFlags: { root: city2017Q1(noFlags), period: '2017Q1' },
  signer: { root: city2017Q1((t) => noFlags(t).replace('  number: 某政办函〔2017〕12号\n', '  number: 某政办函〔2017〕12号\n  signer: 张三\n')), period: '2017Q1' },
  markAlone: { root: city2017Q1((t) => noFlags(t).replace('  number: 某政办函〔2017〕12号\n', '')), period: '2017Q1' },
  province: { root: () => exampleWorkspace('province'), period: '2023Q3' },
  cityLetter: { root: city2017Q1((t) => t.replace('  issuer_mark: 某某市人民政府办公室文件', '  format: letter\n  issuer_mark: 某某市人民政府办公室')), period: '2017Q1' },
} satisfies Record<string, Spec>;
let corpus: Promise<Record<keyof typeof CORPUS, Built>> | undefined;
/** The corpus, built and printed once for the file, whichever describe asks first. */
const theCorpus = () => (corpus ??= buildAll(CORPUS));
const CORPUS_TIME = 900_000;

describe('bulletin.docx', () => {
  let sample: Built;
  let city: Built;
  beforeAll(async () => {
    ({ sample, city } = await theCorpus());
  }, CORPUS_TIME);

  it('is A4 on the GB/T 9704 grid: 22 lines and 28 characters in Word’s arithmetic', () => {
    for (const b of [sample, city]) {
      const xml = part(b.docx, 'word/document.xml');
      const sect = [...xml.matchAll(/<w:sectPr>(?:(?!<\/w:sectPr>).)*<\/w:sectPr>/g)].map((m) => m[0]).find((x) => attr(x, 'w:pgSz', 'orient') === 'portrait')!;
      expect(attr(sect, 'w:pgSz', 'w')).toBe('11906');
      expect(attr(sect, 'w:pgSz', 'h')).toBe('16838');
      const margin = Object.fromEntries(['top', 'right', 'bottom', 'left'].map((k) => [k, (Number(attr(sect, 'w:pgMar', k)) / 1440) * 25.4]));
      expect(margin['top']).toBeCloseTo(37, 1);
      expect(margin['left']).toBeCloseTo(28, 1);
      expect(margin['right']).toBeCloseTo(26, 1);
      expect(margin['bottom']).toBeCloseTo(35, 1);
      expect(attr(sect, 'w:docGrid', 'type')).toBe('linesAndChars');
      const linePitch = Number(attr(sect, 'w:docGrid', 'linePitch'));
      const charSpace = Number(attr(sect, 'w:docGrid', 'charSpace'));
      const typeHeight = 16838 - Number(attr(sect, 'w:pgMar', 'top')) - Number(attr(sect, 'w:pgMar', 'bottom'));
      const typeWidth = 11906 - Number(attr(sect, 'w:pgMar', 'left')) - Number(attr(sect, 'w:pgMar', 'right'));
      // Word: lines = type height / pitch; characters = type width / (the Normal size + charSpace / 4096 pt).
      const styles = part(b.docx, 'word/styles.xml');
      const normal = /<w:style w:type="paragraph" w:default="1" w:styleId="Normal">(?:(?!<\/w:style>).)*<\/w:style>/.exec(styles)![0];
      const size = Number(attr(normal, 'w:sz', 'val')) / 2;
      expect(size).toBe(16); // 3号
      expect(Math.floor(typeHeight / linePitch)).toBe(22);
      expect(Math.floor(typeWidth / 20 / (size + charSpace / 4096))).toBe(28);
      // Every line of the body is one pitch high, exactly: 22 to a page in Word and LibreOffice alike.
      expect(attr(normal, 'w:spacing', 'line')).toBe(String(linePitch));
      expect(attr(normal, 'w:spacing', 'lineRule')).toBe('exact');
      // 28 characters of 3号 less their tracking fit a line, 29 do not.
      const tracking = Number(/<w:rPr>(?:(?!<\/w:rPr>).)*<w:spacing w:val="(-?\d+)"/.exec(normal)![1]) / 20;
      expect(28 * (size + tracking)).toBeLessThanOrEqual(typeWidth / 20);
      expect(29 * (size + tracking)).toBeGreaterThan(typeWidth / 20);
    }
  });

  it('sets the body in Word’s Normal (正文) in 仿宋_GB2312, headings by level, the title in 小标宋, each face with its free fallback', () => {
    const styles = part(city.docx, 'word/styles.xml');
    const style = (id: string) => new RegExp(`<w:style w:type="paragraph"[^>]*w:styleId="${id}">((?:(?!</w:style>).)*)</w:style>`).exec(styles)?.[1] ?? '';
    const font = (id: string) => attr(style(id), 'w:rFonts', 'eastAsia');
    expect(attr(style('Normal'), 'w:name', 'val')).toBe('Normal'); // shown as 正文 by Chinese Word and WPS
    expect(font('Normal')).toBe('仿宋_GB2312');
    expect([font('Heading1'), font('Heading2'), font('Heading3')]).toEqual(['黑体', '楷体_GB2312', '仿宋_GB2312']);
    expect([1, 2, 3].map((n) => attr(style(`Heading${n}`), 'w:name', 'val'))).toEqual(['heading 1', 'heading 2', 'heading 3']);
    expect([1, 2, 3].map((n) => attr(style(`Heading${n}`), 'w:outlineLvl', 'val'))).toEqual(['0', '1', '2']);
    expect(font('Title')).toBe('方正小标宋简体');
    expect(attr(style('Title'), 'w:sz', 'val')).toBe('44'); // 2号
    // The styles without a counterpart in Word are named in Chinese.
    expect(['TableText', 'TableHead', 'Colophon', 'Mark'].map((id) => attr(style(id), 'w:name', 'val'))).toEqual(['表格', '表头', '版记', '发文机关标志']);
    const fonts = part(city.docx, 'word/fontTable.xml');
    expect(/<w:font w:name="仿宋_GB2312"><w:altName w:val="([^"]+)"/.exec(fonts)?.[1]).toBe('Noto Serif CJK SC');
    expect(/<w:font w:name="黑体"><w:altName w:val="([^"]+)"/.exec(fonts)?.[1]).toBe('Noto Sans CJK SC');
    // The body's paragraphs are in Normal: no other style named, no face of their own.
    const xml = part(city.docx, 'word/document.xml');
    const paragraph = (text: string) => [...xml.matchAll(/<w:p>((?:(?!<\/w:p>).)*)<\/w:p>/g)].map((m) => m[1]!).find((p) => p.replace(/<[^>]+>/g, '').includes(text))!;
    const body = paragraph('现将有关情况通报如下');
    expect(attr(body, 'w:pStyle', 'val') ?? 'Normal').toBe('Normal');
    expect(body).not.toContain('w:rFonts');
    expect(attr(paragraph('一、总体情况'), 'w:pStyle', 'val')).toBe('Heading1');
    // The run-in heading is 标题 2 (in the navigation pane) in a paragraph of its own whose mark
    // is Word's style separator (hidden, specVanish): Word prints the text after it on its line,
    // which does not indent its first line again.
    const runIn = paragraph('（一）抓紧整改');
    expect(attr(runIn, 'w:pStyle', 'val')).toBe('Heading2');
    expect(runIn.replace(/<[^>]+>/g, '')).toBe('（一）抓紧整改。');
    expect(runIn).toMatch(/<w:pPr>.*<w:rPr><w:vanish\/><w:specVanish\/><\/w:rPr><\/w:pPr>/);
    expect(runIn).not.toContain('w:rFonts'); // the style's 楷体
    const after = paragraph('各区县要对本次通报的问题网站逐一整改');
    expect(attr(after, 'w:pStyle', 'val') ?? 'Normal').toBe('Normal');
    expect(attr(after, 'w:ind', 'firstLineChars')).toBe('0');
    // Every heading of the second level: as many 标题 2 as the print has 楷体 run-in heads.
    const circular = readFileSync(path.join(city.root, 'content/2017Q2/circular.md'), 'utf8');
    const heads = [...circular.matchAll(/^(（[一二三四五六七八九十]+）[^。！？\n]*[。！？])/gm)].map((m) => m[1]);
    expect(heads.length).toBeGreaterThan(1);
    const h2 = [...xml.matchAll(/<w:p>((?:(?!<\/w:p>).)*)<\/w:p>/g)].map((m) => m[1]!).filter((p) => attr(p, 'w:pStyle', 'val') === 'Heading2').map((p) => p.replace(/<[^>]+>/g, ''));
    expect(h2).toEqual(heads);
  });

  it('carries the PDF’s faces, cut to its characters and named as the office fonts: LibreOffice without them prints the body in the serif', () => {
    for (const b of [sample, city]) {
      const fonts = part(b.docx, 'word/fontTable.xml');
      const rels = part(b.docx, 'word/_rels/fontTable.xml.rels');
      const files = unzipSync(readFileSync(b.docx));
      expect(part(b.docx, 'word/settings.xml')).toContain('<w:embedTrueTypeFonts/><w:saveSubsetFonts/>');
      expect(part(b.docx, '[Content_Types].xml')).toMatch(/<Default (?=[^>]*Extension="odttf")(?=[^>]*ContentType="application\/vnd\.openxmlformats-officedocument\.obfuscatedFont")/);
      // Each office name with its embedded subset: un-obfuscated with its key (the key's bytes
      // last to first over the first 32 bytes), the file is a face of that very name.
      const faces: Record<string, string> = {};
      for (const m of fonts.matchAll(/<w:font w:name="([^"]+)">(?:(?!<\/w:font>).)*<w:embedRegular r:id="([^"]+)" w:fontKey="(\{[0-9A-F-]{36}\})"\/>/g)) {
        const target = new RegExp(`Id="${m[2]}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/font" Target="([^"]+)"`).exec(rels)![1]!;
        const key = Buffer.from(m[3]!.replace(/[^0-9A-F]/g, ''), 'hex').reverse();
        const data = Buffer.from(files[`word/${target}`]!);
        for (let i = 0; i < 32; i++) data[i]! ^= key[i % 16]!;
        const face = fontkit.create(data) as fontkit.Font;
        faces[m[1]!] = face.familyName;
        // The glyphs are the PDF's free faces' (their copyright kept), for every character of the body.
        expect(face.copyright ?? '', m[1]).toMatch(/Adobe|Google|LXGW|Noto/i);
        if (m[1] === '仿宋_GB2312') {
          // The text of the paragraphs in 正文, runs of no face of their own.
          const normal = [...part(b.docx, 'word/document.xml').matchAll(/<w:p>((?:(?!<\/w:p>).)*)<\/w:p>/g)].map((p) => p[1]!).filter((p) => (attr(p, 'w:pStyle', 'val') ?? 'Normal') === 'Normal');
          const runs = normal.flatMap((p) => [...p.matchAll(/<w:r>((?:(?!<\/w:r>).)*)<\/w:r>/g)].map((r) => r[1]!)).filter((r) => !r.includes('w:rFonts'));
          const body = runs.flatMap((r) => [...r.matchAll(/<w:t[^>]*>([^<]*)<\/w:t>/g)].map((t) => t[1])).join('');
          expect(body.length, b.root).toBeGreaterThan(500);
          const lacking = [...new Set(body.replace(/&[a-z]+;/g, ''))].filter((c) => /\p{Script=Han}/u.test(c) && !face.hasGlyphForCodePoint(c.codePointAt(0)!));
          expect(lacking, b.root).toEqual([]);
        }
      }
      expect(faces['仿宋_GB2312']).toBe('仿宋_GB2312');
      expect(faces['黑体']).toBe('黑体');
      expect(faces['方正小标宋简体']).toBe('方正小标宋简体');
      // LibreOffice, whose machine has none of the office fonts, prints every character in the
      // embedded subsets: nothing in its fallback for an unknown name (Noto Sans CJK here) or in
      // DejaVu (the √ of a matrix and the page number's ― come from the free faces' other files).
      const printed = execFileSync('pdffonts', [b.lo], { encoding: 'utf8' }).split('\n').slice(2).filter(Boolean).map((l) => l.split(/\s+/)[0]!.replace(/^[A-Z]{6}\+/, ''));
      expect(printed, b.lo).toContain('FangSong_GB2312');
      expect(printed).toContain('SimHei');
      expect(printed).toContain('FZXiaoBiaoSong-B05S');
      expect(printed).toContain('SimSun');
      expect(printed.filter((n) => !['FangSong_GB2312', 'SimHei', 'FZXiaoBiaoSong-B05S', 'SimSun', 'KaiTi_GB2312'].includes(n)), b.lo).toEqual([]);
    }
    expect(execFileSync('pdftotext', [city.lo, '-'], { encoding: 'utf8' })).toContain('√');
  });

  it('says the same words as the PDF, paragraph for paragraph, figures included', async () => {
    for (const b of [sample, city]) {
      const paragraphs = await docxParagraphs(b.docx);
      expect(paragraphs.length).toBeGreaterThan(40);
      expect(alignParagraphs(pdfPageTexts(b.pdf), paragraphs, headerRows(b.docx)), b.root).toBeUndefined();
    }
    // The check can fail: a figure changed in the Word document is found.
    const paragraphs = await docxParagraphs(city.docx);
    const changed = paragraphs.map((p) => p.replace('132个', '133个'));
    expect(changed).not.toEqual(paragraphs);
    expect(alignParagraphs(pdfPageTexts(city.pdf), changed, headerRows(city.docx))).toMatch(/132/);
  });

  it('marks the figures from data with the character style 数据 when asked, and only then', () => {
    const marked = (docx: string) => {
      const xml = part(docx, 'word/document.xml');
      return [...xml.matchAll(/<w:r>((?:(?!<\/w:r>).)*)<\/w:r>/g)].filter((m) => m[1]!.includes('<w:rStyle w:val="Figure"/>')).map((m) => m[1]!.replace(/<[^>]+>/g, ''));
    };
    const figures = marked(city.docx);
    // 2017Q2's circular: 共抽查…{{sampled}}个，合格{{passed}}个，总体合格率为{{pass_rate}}.
    expect(figures).toEqual(expect.arrayContaining(['132', '120', '90.9%', '2017年6月1日']));
    expect(figures.some((f) => f.includes('现将'))).toBe(false);
    expect(part(city.docx, 'word/styles.xml')).toMatch(/<w:style w:type="character" w:styleId="Figure"><w:name w:val="数据"\/>/);
    expect(marked(sample.docx)).toEqual([]);
  });

  it('makes the same bytes from the same input, listed in SHA256SUMS and checked by verify', async () => {
    const before = readFileSync(city.docx);
    const again = await tongbaoAsync(['build', '2017Q2', '--format', 'docx', '--docx-figures', 'highlight'], city.root);
    expect(again.status, again.stderr).toBe(0);
    expect(readFileSync(city.docx).equals(before)).toBe(true);
    const core = part(city.docx, 'docProps/core.xml');
    expect(core).toContain('<dcterms:created xsi:type="dcterms:W3CDTF">2017-07-09T16:00:00Z</dcterms:created>');
    const sums = readFileSync(path.join(city.root, 'out/2017Q2/SHA256SUMS'), 'utf8');
    expect(sums).toMatch(/^[0-9a-f]{64} {2}bulletin\.docx$/m);
    expect(tongbao(['verify', 'out/2017Q2'], city.root).status).toBe(0);
    const copy = Buffer.from(before);
    copy[copy.length - 30] ^= 1;
    writeFileSync(city.docx, copy);
    const tampered = tongbao(['verify', 'out/2017Q2'], city.root);
    expect(tampered.status).toBe(1);
    expect(tampered.stdout + tampered.stderr).toContain('bulletin.docx');
    writeFileSync(city.docx, before);
  });

  describe('as LibreOffice prints it', () => {
    it('keeps 22 lines to a full page, each on the grid, within the margins', () => {
      for (const b of [sample, city]) {
        const pages = readPages(b.lo);
        const ours = readPages(b.pdf);
        // The circular's pages: up to the one with the 附件说明 or the 落款.
        const last = pages.findIndex((p) => p.lines.some((l) => /^附件：/.test(l.text)));
        expect(last, b.root).toBeGreaterThan(0);
        for (const [i, page] of pages.slice(0, last).entries()) {
          expect(page.width).toBeCloseTo(210, 0);
          expect(page.height).toBeCloseTo(297, 0);
          // Lines of 3号 text (the 2号 title and the issuing mark are set off the grid, as in the print).
          const body = textRows(page).filter((r) => Math.max(...r.map((l) => l.y1)) - Math.min(...r.map((l) => l.y0)) < 9);
          const lines = body.map((r) => gridLine(Math.min(...r.map((l) => l.y0)), Math.max(...r.map((l) => l.y1))));
          expect(lines, `${b.root} page ${i + 1}`).not.toContain(undefined);
          // A full page: its last line on the grid's 22nd (a heading kept with its text may leave one free);
          // the page before the 落款's may end short, its last lines gone over with the 落款 (§7.3.5).
          if (i < last - 1) expect(Math.max(...(lines as number[])), `${b.root} page ${i + 1}`).toBeGreaterThanOrEqual(20);
          expect(Math.max(...(lines as number[]))).toBeLessThanOrEqual(21);
          // Left margin 28 mm (lines that start a paragraph are indented two characters).
          const left = Math.min(...body.map((r) => Math.min(...r.map((l) => l.x0))));
          expect(left, `${b.root} page ${i + 1}`).toBeGreaterThan(27);
          expect(left).toBeLessThan(29);
          // Right margin 26 mm: a justified line ends at 184 mm (LibreOffice may hang a full stop or comma past it).
          const rights = body.map((r) => ({ x: Math.max(...r.map((l) => l.x1)), text: r.map((l) => l.text).join('') }));
          const full = rights.filter((r) => r.x > 150 && !/[，。、；：！？”）]$/.test(r.text));
          expect(full.length).toBeGreaterThan(2);
          for (const r of full) expect(Math.abs(r.x - 184), `${b.root} page ${i + 1}: ${r.text}`).toBeLessThan(1);
        }
        // And tongbao's own PDF passes the same measure.
        const own = ours.slice(1, 2).flatMap((p) => textRows(p).map((r) => gridLine(Math.min(...r.map((l) => l.y0)), Math.max(...r.map((l) => l.y1)))));
        expect(own).not.toContain(undefined);
      }
    });

    it('prints page numbers — N — 7 mm under the type area, at the outside edge', () => {
      for (const b of [sample, city]) {
        const pages = readPages(b.lo);
        expect(pages.length).toBeGreaterThan(4);
        for (const [i, page] of pages.entries()) {
          const numbers = page.lines.filter((l) => PAGE_NUMBER.test(l.text) || /^\u2015/.test(l.text));
          const n = numbers.find((l) => l.y0 > 262);
          expect(n, `${b.root} page ${i + 1}`).toBeDefined();
          expect(n!.text.replace(/\s/g, '')).toBe(`\u2015${i + 1}\u2015`);
          // The 一字线's stroke 7 mm under the type area's bottom edge (262 mm), as in the PDF.
          const dash = pageNumberDash(b.lo, i + 1)!;
          expect(Math.abs((dash.top + dash.bottom) / 2 - 269), `${b.root} page ${i + 1} dash`).toBeLessThan(0.3);
          // Odd pages right, even pages left, one 4号 character in from the edge of the type area.
          if ((i + 1) % 2 === 1) expect(Math.abs(n!.x1 - (184 - 4.94))).toBeLessThan(1);
          else expect(Math.abs(n!.x0 - (28 + 4.94))).toBeLessThan(1);
        }
      }
    });

    it('starts each attachment on a new page and repeats a table’s header row on every page it runs to', () => {
      let runOn = 0; // pages that go on with a table (the sample's lists; the city's each fit a page)
      for (const b of [sample, city]) {
        const pages = readPages(b.lo);
        const headers = headerRows(b.docx);
        const labels = pages.flatMap((p, i) => p.lines.filter((l) => /^附件\s?\d+$/.test(l.text.trim())).map((l) => ({ page: i, line: l })));
        expect(labels.length, b.root).toBeGreaterThan(1);
        for (const { page, line } of labels) expect(textRows(pages[page]!)[0]![0], `${b.root} page ${page + 1}`).toBe(line);
        // After the first attachment, a page that does not open an attachment goes on with a
        // table (or holds the 版记): it begins with the table's header row.
        const text = pdfPageTexts(b.lo);
        const continued = pages.map((_, i) => i).filter((i) => i > labels[0]!.page && !labels.some((l) => l.page === i) && !/^(抄送|.*印发)/.test(text[i]!));
        runOn += continued.length;
        for (const i of continued) expect(headers.some((h) => text[i]!.startsWith(h)), `${b.root} page ${i + 1}: ${text[i]!.slice(0, 30)}`).toBe(true);
        // The tables' borders are in the margins' places: 28 mm from the left, 26 from the right.
        const tablePage = labels[0]!.page;
        const { vertical } = ruledLines(b.lo, tablePage + 1);
        expect(Math.abs(Math.min(...vertical) - 28)).toBeLessThan(1);
        expect(Math.abs(Math.max(...vertical) - 184)).toBeLessThan(1);
      }
      expect(runOn).toBeGreaterThan(0);
    });
  });
});

describe('bulletin.docx: characters per line', () => {
  it('fits 28 characters of 3号 to a line in LibreOffice, as in the PDF', async () => {
    const b = (await theCorpus()).characters;
    const line = LINE;
    for (const pdf of [b.lo, b.pdf]) {
      const lines = readPages(pdf).flatMap((p) => textRows(p).map((r) => strip(r.map((l) => l.text).join(''))));
      const start = lines.findIndex((l) => l.startsWith(line.slice(0, 10)));
      expect(start, pdf).toBeGreaterThan(0);
      // The first line is indented two characters; the full ones after it hold 28.
      expect(lines[start]!.length, pdf).toBe(26);
      expect(lines[start + 1]!.length, pdf).toBe(28);
      expect(lines[start + 2]!.length, pdf).toBe(28);
    }
  }, CORPUS_TIME);
});

describe('build --format docx: options and what is kept', () => {
  it('refuses an unknown --docx-figures, and lists docx in the help', () => {
    const r = tongbao(['build', '2016Q4', '--format', 'docx', '--docx-figures', 'bold']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--docx-figures 只能是 plain 或 highlight，而不是「bold」');
    const html = tongbao(['build', '2016Q4', '--format', 'html', '--docx-figures', 'highlight']);
    expect(html.status).toBe(2);
    expect(html.stderr).toContain('--docx-figures 标记的是 Word 文档中的数字：要与 --format docx 一起使用');
    expect(tongbao(['--help']).stdout).toContain('--docx-figures');
  });

  it('keeps bulletin.docx when a later build does not make one and the data are unchanged, and removes it with a warning when they changed', async () => {
    const root = sampleWorkspace();
    expect((await sharedBuildAsync(root, ['build', '2016Q4', '--format', 'docx'])).status).toBe(0);
    const docx = path.join(root, 'out/2016Q4/bulletin.docx');
    const bytes = readFileSync(docx);
    const html = await tongbaoAsync(['build', '2016Q4', '--format', 'html'], root);
    expect(html.status, html.stderr).toBe(0);
    expect(html.stdout).toContain('保留了上次生成的');
    expect(readFileSync(docx).equals(bytes)).toBe(true);
    const yaml = path.join(root, 'data/2016Q4/bulletin.yaml');
    writeFileSync(yaml, readFileSync(yaml, 'utf8').replace(/^signed: .*$/m, 'signed: 2017-01-21'));
    const changed = await tongbaoAsync(['build', '2016Q4', '--format', 'html'], root);
    expect(changed.status, changed.stderr).toBe(0);
    expect(changed.stderr).toContain('上次生成的 bulletin.docx 与现在的数据不一致（数据、正文、模板或字体改过），已删除');
    expect(changed.stderr).toContain('tongbao build 2016Q4 --format docx');
    expect(() => readFileSync(docx)).toThrow();
  }, 120_000);

  it('is part of every build when bulletin.yaml says docx: true', async () => {
    const root = exampleWorkspace('city');
    appendFileSync(path.join(root, 'data/2017Q1/bulletin.yaml'), '\ndocx: true\n');
    const r = await tongbaoAsync(['build', '2017Q1'], root);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/index\.html、.*bulletin\.pdf、.*bulletin\.docx/);
  }, 120_000);

  it('turns a wide attachment in a landscape section of its own, and comes back upright after it', async () => {
    const b = (await theCorpus()).landscape;
    const xml = part(b.docx, 'word/document.xml');
    const sections = [...xml.matchAll(/<w:sectPr>(?:(?!<\/w:sectPr>).)*<\/w:sectPr>/g)].map((m) => ({ at: m.index!, orient: attr(m[0], 'w:pgSz', 'orient'), w: attr(m[0], 'w:pgSz', 'w') }));
    // The circular and attachment 1 upright; attachment 2 in the last section, landscape.
    expect(sections.map((x) => x.orient)).toEqual(['portrait', 'landscape']);
    expect(sections[1]!.w).toBe('16838');
    expect(xml.indexOf('>附件2<')).toBeGreaterThan(sections[0]!.at);
    const pages = readPages(b.lo);
    const turned = pages.findIndex((p) => p.lines.some((l) => /^附件\s?2$/.test(l.text.trim())));
    expect(pages[turned]!.width).toBeCloseTo(297, 0);
    expect(pages[turned - 1]!.width).toBeCloseTo(210, 0);
  }, CORPUS_TIME);

  it('says that the charts printed in the PDF are not in the Word document', async () => {
    const root = exampleWorkspace('city');
    const yaml = path.join(root, 'data/2017Q2/bulletin.yaml');
    writeFileSync(yaml, readFileSync(yaml, 'utf8').replace('    figure: districts.passed.rate\n', '    figure: districts.passed.rate\n    print: true\n'));
    const r = await tongbaoAsync(['build', '2017Q2', '--format', 'docx'], root);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/bulletin\.yaml:\d+:\d+: 警告: bulletin\.docx 中没有图表：Word 文档只含文字和表格/);
    expect(readFileSync(path.join(root, 'out/2017Q2/bulletin.docx')).length).toBeGreaterThan(1000);
  }, 120_000);
});

/** The Word document's text as mammoth reads it, and LibreOffice's print's, each without white space. */
async function texts(b: Built): Promise<{ mammoth: string; lo: string }> {
  return { mammoth: (await docxParagraphs(b.docx)).join(''), lo: pdfPageTexts(b.lo).join('') };
}
const count = (text: string, what: string) => text.split(what).length - 1;

describe('bulletin.docx: the 版头 once, 信函格式, codes whole (issue 35)', () => {
  // The sample (no 版头), the city (份号 and 紧急程度 over the mark), the province (信函格式), and
  // the 版头s without 份号/密级/紧急程度 that a usual 通报 has: mark and number, with 签发人, the mark alone.
  const cases: { name: string; corpus: keyof typeof CORPUS; once: string[] }[] = [
    { name: 'the sample', corpus: 'sample', once: ['关于2016年第四次全国'] },
    { name: 'the city with 份号 and 紧急程度', corpus: 'flags', once: ['某某市人民政府办公室文件', '某政办函〔2017〕12号', '000123', '加急'] },
    { name: 'the city without 份号/紧急程度', corpus: 'noFlags', once: ['某某市人民政府办公室文件', '某政办函〔2017〕12号'] },
    { name: 'the city without flags, with 签发人', corpus: 'signer', once: ['某某市人民政府办公室文件', '某政办函〔2017〕12号', '签发人：张三'] },
    { name: 'the city with the mark alone', corpus: 'markAlone', once: ['某某市人民政府办公室文件'] },
    { name: 'the province (信函格式)', corpus: 'province', once: ['某某省人民政府办公厅', '某政办函〔2023〕45号'] },
    { name: 'the city as 信函格式', corpus: 'cityLetter', once: ['某政办函〔2017〕12号', '000123'] },
  ];
  const built = new Map<string, Built>();
  beforeAll(async () => {
    const all = await theCorpus();
    for (const c of cases) built.set(c.name, all[c.corpus]);
  }, CORPUS_TIME);

  it('prints each text of the 版头 once, in mammoth’s reading and in LibreOffice’s print', async () => {
    for (const c of cases) {
      const t = await texts(built.get(c.name)!);
      // As often as in tongbao's PDF: once in the 版头 (the office may sign the 落款 too).
      const own = pdfPageTexts(built.get(c.name)!.pdf).join('');
      for (const what of c.once) {
        const times = count(own, what);
        expect(times, `${c.name}: 「${what}」 in the PDF`).toBeGreaterThan(0);
        expect(count(t.mammoth, what), `${c.name}: 「${what}」 in the Word document`).toBe(times);
        expect(count(t.lo, what), `${c.name}: 「${what}」 in LibreOffice's print`).toBe(times);
      }
    }
    // The count can fail: the letter's mark is in its text too, and would be counted twice if repeated.
    const letter = await texts(built.get('the province (信函格式)')!);
    expect(count(letter.mammoth + letter.mammoth, '某政办函〔2023〕45号')).toBe(2);
  });

  it('gives 信函格式 a first page without number, the 170 mm double rule under the mark and the one 20 mm above the foot', () => {
    for (const name of ['the province (信函格式)', 'the city as 信函格式']) {
      const b = built.get(name)!;
      const pages = readPages(b.lo);
      const numbered = (i: number) => pages[i]!.lines.some((l) => PAGE_NUMBER.test(l.text) && l.y0 > 262);
      expect(numbered(0), `${name}: page 1`).toBe(false);
      expect(numbered(1), `${name}: page 2`).toBe(true);
      const rules = redRules(b.lo, 1);
      // Two double rules: heavy over light under the mark, light over heavy at the foot.
      expect(rules.length, `${name}: ${JSON.stringify(rules)}`).toBe(4);
      for (const r of rules) {
        expect(r.x1 - r.x0, name).toBeGreaterThan(169);
        expect(r.x1 - r.x0, name).toBeLessThan(171);
        expect(Math.abs((r.x0 + r.x1) / 2 - 105), name).toBeLessThan(0.6); // centred on the sheet
      }
      const h = rules.map((r) => r.bottom - r.top);
      expect(rules[1]!.top).toBeLessThan(80); // under the mark, above the title
      expect(h[0]).toBeGreaterThan(h[1]!);
      expect(h[3]).toBeGreaterThan(h[2]!);
      expect(Math.abs(297 - rules[3]!.bottom - 20), `${name}: the lower rule's foot`).toBeLessThan(0.4);
      // Other pages carry neither rule.
      expect(redRules(b.lo, 2)).toEqual([]);
    }
    // The city as 文件格式: one red rule, 156 mm, under the number; its first page numbered.
    const city = built.get('the city with 份号 and 紧急程度')!;
    const rules = redRules(city.lo, 1);
    expect(rules.length).toBe(1);
    expect(rules[0]!.x1 - rules[0]!.x0).toBeCloseTo(156, 0);
    expect(readPages(city.lo)[0]!.lines.some((l) => PAGE_NUMBER.test(l.text))).toBe(true);
  });

  it('keeps every 10-digit 网站标识码 whole on one line in LibreOffice’s print', () => {
    for (const c of cases) {
      const b = built.get(c.name)!;
      const xml = part(b.docx, 'word/document.xml');
      const codes = new Set([...xml.matchAll(/<w:t[^>]*>(\d{10})<\/w:t>/g)].map((m) => m[1]!));
      if (c.name !== 'the sample' && !c.name.startsWith('the city') && !c.name.startsWith('the province')) continue;
      expect(codes.size, c.name).toBeGreaterThan(5);
      const lines = execFileSync('pdftotext', ['-raw', b.lo, '-'], { encoding: 'utf8', maxBuffer: 1 << 26 }).split('\n');
      for (const code of codes) expect(lines.some((l) => l.includes(code)), `${c.name}: ${code}`).toBe(true);
      // Nor is a code's head at a line's end and its tail at the next one's start (「13073200」 over 「07」).
      const broken = lines.filter((l, i) => {
        const head = /(\d{5,9})$/.exec(l.trim())?.[1];
        const tail = /^(\d{1,5})/.exec(lines[i + 1]?.trim() ?? '')?.[1];
        return head && tail && codes.has(head + tail);
      });
      expect(broken, c.name).toEqual([]);
    }
  });
});

describe('bulletin.docx: the same bytes whatever was made before it in the process', () => {
  it('numbers the drawings of a 信函格式 document from 1 when another was made first', async () => {
    // `docx` numbers drawings (wp:docPr) by one counter for the process: `build --all` made a
    // later period's letter with other ids than a build of that period alone.
    const { renderBulletin } = await import('../src/build.js');
    const { renderPage } = await import('../src/render/html.js');
    const { documentFromHtml } = await import('../src/docx/from-html.js');
    const { writeDocx } = await import('../src/docx/write.js');
    const root = exampleWorkspace('province');
    const r = await renderBulletin(root, '2023Q3');
    const info = { title: 't', subject: 's', author: 'a', keywords: 'k', date: new Date(Date.UTC(2023, 9, 1)) };
    const make = () => writeDocx(documentFromHtml(renderPage(r.loaded, r.figures, r.sources, { print: true, fontsCss: '' }).html), { info });
    const first = await make();
    const second = await make();
    // The 信函格式's rule at the foot of the first page is a drawing in its footer.
    const ids = (bytes: Uint8Array) => Object.entries(unzipSync(bytes)).flatMap(([name, data]) => (name.endsWith('.xml') ? [...strFromU8(data).matchAll(/<wp:docPr\b[^>]*?\bid="(\d+)"/g)].map((m) => m[1]) : []));
    expect(ids(first).length).toBeGreaterThan(0);
    expect(ids(first)[0]).toBe('1');
    expect(ids(second)).toEqual(ids(first));
    expect(Buffer.from(second).equals(Buffer.from(first))).toBe(true);
  }, 60_000);
});
