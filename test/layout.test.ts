// The rest of GB/T 9704-2012 on the page (issue 19), measured on rendered PDFs with poppler:
// titles broken between words, heading faces, table cells without a lone character, the 版记
// at the foot of an even last page, a 落款 never alone, its geometry, the 版头 and 信函格式;
// and the portal page's links.
import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { breakTitle } from '../src/render/title.js';
import { REPO, edit, sampleWorkspace, tongbao } from './helpers.js';
import { pdffonts, readPages, type PdfPage } from './pdf-measure.js';
import { sharedBuildAsync } from './shared-build.js';
import { planner, queue } from './two-at-a-time.js';

const CW = 156 / 28; // one character of the grid, mm
const PITCH = 225 / 22;
/** A page number line: — N — (U+2015 as poppler reads it). */
const pageNumber = (n?: number) => new RegExp(`^[―—]\\s*${n ?? '\\d+'}\\s*[―—]$`);

interface Word {
  text: string;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** Every word of every page, in mm. */
function words(pdf: string): Word[][] {
  const xml = execFileSync('pdftotext', ['-bbox', pdf, '-'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const mm = 25.4 / 72;
  return [...xml.matchAll(/<page[^>]*>([\s\S]*?)<\/page>/g)].map((p) =>
    [...p[1]!.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g)].map((m) => ({ x0: +m[1]! * mm, y0: +m[2]! * mm, x1: +m[3]! * mm, y1: +m[4]! * mm, text: m[5]! })),
  );
}

/** Table lines that hold one character of a wrapped cell: a one-character word with a word of the same cell a table line (18 pt) above or below. */
function loneCharacters(pdf: string): string[] {
  const found: string[] = [];
  words(pdf).forEach((page, p) => {
    for (const w of page) {
      if ([...w.text].length !== 1 || w.y1 - w.y0 > 7) continue; // 12 pt table text only
      const near = page.filter((o) => o !== w && o.x0 < w.x1 + 0.5 && o.x1 > w.x0 - 0.5 && Math.abs(Math.abs(o.y0 - w.y0) - 6.35) < 0.5);
      if (near.length) found.push(`第 ${p + 1} 页「${near.map((o) => o.text).join('')}／${w.text}」`);
    }
  });
  return found;
}

type Built = { pdf: string; pages: PdfPage[]; json?: { pdf: { pages: number; layout?: { colophon?: string } } } };
const twoAtATime = queue(2);

/**
 * `period` built in `root` (just prepared), two builds side by side at most: the PDF only
 * unless `html` (the tests that read the portal page), the report only when `json` is read.
 */
async function build(root: string, period: string, { html = false, json = false } = {}): Promise<Built> {
  const r = await twoAtATime(() => sharedBuildAsync(root, ['build', period, ...(html ? [] : ['--format', 'pdf']), ...(json ? ['--json'] : [])]));
  expect(r.status, r.stderr).toBe(0);
  const pdf = path.join(root, 'out', period, 'bulletin.pdf');
  return { pdf, pages: readPages(pdf), ...(json && { json: JSON.parse(r.stdout) }) };
}

// The file's builds are planned as its tests are collected and started before the first.
const { plan, startAll } = planner();
beforeAll(startAll);

function cityWorkspace(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'tongbao-city-'));
  cpSync(path.join(REPO, 'examples/city'), root, { recursive: true, filter: (f) => !f.includes(`${path.sep}out`) });
  return root;
}

describe('titles broken as §7.3.1 asks', () => {
  const titles = [
    '关于2016年第四次全国政府网站抽查情况的通报',
    '关于2017年第一季度全市政府网站抽查情况的通报（示例）',
    '关于2018年第三季度全省政府网站和政务新媒体检查情况的通报',
    '国务院办公厅关于第一次全国政府网站普查情况的通报',
    '关于广西壮族自治区政府网站抽查发现问题整改情况的通报',
    '关于2019年第二季度新疆生产建设兵团政府网站抽查情况的通报',
    '某某省人民政府办公厅关于2020年第四季度全省政府网站与政务新媒体检查情况及有关问题整改要求的通报',
  ];
  const words = ['政府网站', '通报', '全国', '全省', '全市', '第一季度', '第二季度', '第三季度', '第四季度', '2016年', '2017年', '2018年', '2019年', '2020年', '广西壮族自治区', '新疆生产建设兵团', '政务新媒体', '（示例）'];
  for (const t of titles) {
    it(`breaks 「${t}」 between words, each line within the type area, none under three characters`, () => {
      const lines = breakTitle(t);
      expect(lines.join('')).toBe(t);
      if ([...t].length > 20) expect(lines.length).toBeGreaterThan(1);
      let at = 0;
      for (const line of lines.slice(0, -1)) {
        at += line.length;
        for (const w of words) {
          for (let i = t.indexOf(w); i >= 0; i = t.indexOf(w, i + 1)) expect(at > i && at < i + w.length, `「${line}」 breaks 「${w}」`).toBe(false);
        }
      }
      for (const line of lines) expect([...line].length, line).toBeGreaterThanOrEqual(3);
      // Balanced: no line twice as long as another.
      const lengths = lines.map((l) => [...l].length);
      expect(Math.max(...lengths) / Math.min(...lengths)).toBeLessThan(2);
    });
  }

  it('answers for a title of many short words or far too long: lines that spell it, or the title whole', () => {
    for (const t of [`关于${','.repeat(150)}政府网站抽查情况的通报`, `关于${'、'.repeat(80)}政府网站`, '关于政府网站'.repeat(40), `${'a b '.repeat(60)}通报`]) {
      const lines = breakTitle(t);
      expect(lines.join('')).toBe(t);
    }
  });

  it('takes the office’s own lines from title_lines, and refuses lines that do not spell the title', () => {
    const ws = sampleWorkspace();
    edit(ws, 'data/2016Q4/bulletin.yaml', (t) => t.replace(/^title: (.*)$/m, 'title: $1\ntitle_lines: [关于2016年第四次全国政府网站, 抽查情况的通报]'));
    expect(tongbao(['build', '2016Q4', '--format', 'html'], ws).status).toBe(0);
    const html = readFileSync(path.join(ws, 'out/2016Q4/index.html'), 'utf8');
    // Each line in its words (<wbr> between spans that do not wrap, for a narrow screen).
    const h1 = /<h1 id="title" class="title">(.*?)<\/h1>/.exec(html)![1]!;
    expect(h1.split('<span class="title-line">').slice(1).map((l) => l.replace(/<[^>]+>/g, ''))).toEqual(['关于2016年第四次全国政府网站', '抽查情况的通报']);
    edit(ws, 'data/2016Q4/bulletin.yaml', (t) => t.replace('抽查情况的通报]', '抽查情况通报]'));
    const r = tongbao(['check', '2016Q4'], ws);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/bulletin\.yaml:\d+:\d+: 错误: .*title_lines 连起来应与 title 完全相同/);
  });
});

// The plain sample, read here and by the landscape tests below.
const plainSample = plan(() => build(sampleWorkspace(), '2016Q4'));

describe('the sample and examples/city on paper', () => {
  let sample: Built;
  let city: Built;
  const cityRoot = cityWorkspace();
  const plainCity = plan(() => build(cityRoot, '2017Q1', { html: true, json: true }));
  const evenFoot = plan(() => {
    // The city with its third attachment left out and five problem sites: its content ends
    // on page 4, half empty.
    const root = cityWorkspace();
    edit(root, 'data/2017Q1/bulletin.yaml', (t) => t.slice(0, t.indexOf('  - id: checks')));
    edit(root, 'data/2017Q1/problem-sites.csv', (t) => t.split('\n').slice(0, 6).join('\n') + '\n');
    edit(root, 'content/2017Q1/circular.md', (t) => t.replace(/^.*checks\..*$/gm, ''));
    return build(root, '2017Q1', { json: true });
  });
  beforeAll(async () => {
    [sample, city] = await Promise.all([plainSample(), plainCity()]);
  }, 240_000);

  it('prints each title on lines broken between words, the first page’s in 2号 (box ≈ 31 pt)', () => {
    const titleLines = (p: PdfPage) => p.lines.filter((l) => l.h > 26 && l.h < 40 && l.y0 < 150).map((l) => l.text.replace(/\s/g, ''));
    expect(titleLines(sample.pages[0]!)).toEqual(['关于2016年第四次全国', '政府网站抽查情况的通报']);
    expect(titleLines(city.pages[0]!)).toEqual(['关于2017年第一季度全市政府网站', '抽查情况的通报（示例）']);
  });

  it('sets the run-in （一） headings in a 楷 face, embedded', () => {
    for (const pdf of [sample.pdf, city.pdf]) expect(pdffonts(pdf).some((f) => /Kai/i.test(f.name) && f.emb), pdf).toBe(true);
  });

  it('leaves no table line holding one character of a wrapped cell', () => {
    expect(loneCharacters(sample.pdf)).toEqual([]);
    expect(loneCharacters(city.pdf)).toEqual([]);
  });

  it('puts the city’s 版记 at the foot of its last page, which is even; the page before is odd when it could not share it', () => {
    expect(city.pages.length % 2).toBe(0);
    const where = city.json!.pdf.layout?.colophon;
    expect(['foot', 'own-page']).toContain(where);
    const last = city.pages.at(-1)!;
    // At the foot of the last content page only when that page is even; else on the next.
    if (where === 'own-page') expect(city.pages.length - 1).toSatisfy((n: number) => n % 2 === 1);
    else expect(last.lines.some((l) => l.text.startsWith('附件'))).toBe(true);
    const printed = last.lines.find((l) => l.text.includes('印发'))!;
    expect(262 - printed.y1).toBeGreaterThan(0);
    expect(262 - printed.y1).toBeLessThan(4);
    expect(last.lines.some((l) => pageNumber(city.pages.length).test(l.text))).toBe(true);
  });

  it('puts the 版记 of a bulletin whose last page is even and has room at that page’s foot', async () => {
    const r = await evenFoot();
    expect(r.pages.length % 2).toBe(0);
    expect(r.json!.pdf.layout?.colophon).toBe('foot');
    const last = r.pages.at(-1)!;
    expect(last.lines.some((l) => l.text.startsWith('附件2') || l.text.includes('存在问题'))).toBe(true);
    const printed = last.lines.find((l) => l.text.includes('印发'))!;
    expect(262 - printed.y1).toBeLessThan(4);
  }, 120_000);

  it('places the sealed 落款 as §7.3.5.1: the date 右空四字, the signatory centred on it', () => {
    const page = city.pages.find((p) => p.lines.some((l) => l.text === '2017年4月10日'))!;
    const date = page.lines.find((l) => l.text === '2017年4月10日')!;
    const issuer = page.lines.find((l) => l.text === '某某市人民政府办公室')!;
    expect(Math.abs(184 - 4 * CW - date.x1)).toBeLessThan(1);
    expect(Math.abs((issuer.x0 + issuer.x1) / 2 - (date.x0 + date.x1) / 2)).toBeLessThan(1);
    expect(date.y0 - issuer.y0).toBeCloseTo(PITCH, 0);
  });

  it('places an unsealed 落款 as §7.3.5.2: the office (no signatory given) 右空二字, the date two characters further right', () => {
    const page = sample.pages.find((p) => p.lines.some((l) => l.text === '2017年1月20日'))!;
    const date = page.lines.find((l) => l.text === '2017年1月20日')!;
    const issuer = page.lines.find((l) => l.text === '国务院办公厅政府信息与政务公开办公室')!;
    expect(Math.abs(184 - 2 * CW - issuer.x1)).toBeLessThan(1);
    expect(Math.abs(issuer.x0 + 2 * CW - date.x0)).toBeLessThan(1);
  });

  it('puts the 发文字号 two blank lines under the issuing mark (bottom to bottom: three lines)', () => {
    const first = city.pages[0]!;
    const mark = first.lines.find((l) => l.text.includes('某某市人民政府办公室文件'))!;
    const number = first.lines.find((l) => l.text.includes('某政办函'))!;
    // Glyph boxes: the mark's (15 mm) descends about 1 mm further below its line than the number's.
    expect(number.y1 - mark.y1).toBeGreaterThan(3 * PITCH - 2);
    expect(number.y1 - mark.y1).toBeLessThan(3 * PITCH + 0.5);
  });

  it('writes listed counts as an office does: 青石县5个、临江县4个', () => {
    const text = city.pages.map((p) => p.lines.map((l) => l.text).join('')).join('');
    expect(text.replace(/\s/g, '')).toContain('青石县5个、临江县4个、南湖区3个');
  });

  it('links the portal page’s attachment list to the attachments, and the PDF built beside it', () => {
    const html = readFileSync(path.join(cityRoot, 'out/2017Q1/index.html'), 'utf8');
    const targets = [...html.matchAll(/<a href="#([^"]+)">/g)].map((m) => m[1]!);
    expect(targets).toEqual(['attachment-1', 'attachment-2', 'attachment-3']);
    for (const t of targets) expect(html).toContain(`id="${t}"`);
    const pdf = /<a href="([^"]+)" download>PDF 版/.exec(html)?.[1];
    expect(pdf).toBe('bulletin.pdf');
    expect(existsSync(path.join(cityRoot, 'out/2017Q1', pdf!))).toBe(true);
    expect(html).toContain('<p class="number-line">某政办函〔2017〕12号</p>');
    // An HTML-only build with no PDF beside it links none.
    const ws = sampleWorkspace();
    expect(tongbao(['build', '2016Q4', '--format', 'html'], ws).status).toBe(0);
    expect(readFileSync(path.join(ws, 'out/2016Q4/index.html'), 'utf8')).not.toContain('download>');
  });
});

describe('the free 楷 face, cut to the document', () => {
  it('serves the print page’s characters from a small cut checked first, the whole face behind it', async () => {
    const { fontSetup } = await import('../src/print/fonts.js');
    const fontkit = await import('fontkit');
    const text = '（一）签发人王某某';
    const setup = await fontSetup(mkdtempSync(path.join(tmpdir(), 'tongbao-fonts-')), 'free', text);
    const kai = [...setup.css.matchAll(/@font-face\{font-family:'TB Kai';[^}]*\}/g)].map((m) => m[0]);
    // The whole face first (no range), the cut last: the last rule is tried first.
    expect(kai).toHaveLength(2);
    expect(kai[0]).not.toContain('unicode-range');
    const cut = /url\("file:\/\/([^"]+)"\) format\("truetype"\);unicode-range:([^;]+);/.exec(kai[1]!)!;
    const covered = cut[2]!.split(',').flatMap((r) => {
      const [from, to = from] = r.slice(2).split('-').map((h) => parseInt(h, 16)) as [number, number?];
      return Array.from({ length: to! - from + 1 }, (_, i) => from + i);
    });
    expect(covered).toEqual([...new Set(text)].map((c) => c.codePointAt(0)!).sort((a, b) => a - b));
    const file = decodeURIComponent(cut[1]!);
    expect(readFileSync(file).length).toBeLessThan(100_000);
    const face = fontkit.openSync(file) as import('fontkit').Font;
    for (const c of text) expect(face.hasGlyphForCodePoint(c.codePointAt(0)!), c).toBe(true);
    expect(face.hasGlyphForCodePoint('楷'.codePointAt(0)!)).toBe(false);
    expect(setup.dirs).toContain(path.dirname(file));
  }, 60_000);
});

describe('签发人 in the 版头 (§7.2.6)', () => {
  const signed = plan(() => {
    const root = cityWorkspace();
    edit(root, 'data/2017Q1/bulletin.yaml', (t) => t.replace('  number: 某政办函〔2017〕12号\n', '  number: 某政办函〔2017〕12号\n  signer: 王某某\n'));
    return build(root, '2017Q1');
  });
  it('puts the number 居左空一字 and 签发人 居右空一字 on one line, three pitches under the mark, the name in 楷', async () => {
    const { pdf, pages } = await signed();
    const first = pages[0]!;
    const mark = first.lines.find((l) => l.text.includes('某某市人民政府办公室文件'))!;
    const number = first.lines.find((l) => l.text.includes('某政办函'))!;
    const signer = first.lines.find((l) => l.text.replace(/\s/g, '').includes('签发人：王某某'))!;
    expect(Math.abs(number.x0 - (28 + CW))).toBeLessThan(1);
    expect(Math.abs(signer.x1 - (184 - CW))).toBeLessThan(1);
    expect(Math.abs(signer.y1 - number.y1)).toBeLessThan(1);
    expect(number.y1 - mark.y1).toBeGreaterThan(3 * PITCH - 2);
    expect(number.y1 - mark.y1).toBeLessThan(3 * PITCH + 0.5);
    // The name's face: the city's page 1 has no other 楷 text.
    expect(execFileSync('pdffonts', ['-f', '1', '-l', '1', pdf], { encoding: 'utf8' })).toMatch(/Kai/i);
  }, 120_000);
});

describe('a 落款 never alone on its page (§7.3.5.5)', () => {
  // Lines of exactly 28 characters pushed in before the last paragraph move the end of the
  // body down one grid line at a time, across a page's foot.
  const LINE = '各地区各部门要按照要求认真做好政府网站日常监管工作并及时整改问题。'.slice(0, 28);
  const extras = [5, 6, 7, 8, 9, 10];
  // Built as keep-together.test.ts builds its family of the sample (the same inputs, shared in a run).
  const built = extras.map((extra) =>
    plan(async () => {
      const ws = sampleWorkspace();
      edit(ws, 'content/2016Q4/circular.md', (t) => t.replace(/\n(对本次通报的问题网站)/, `\n${Array.from({ length: extra }, () => LINE).join('\n\n')}\n\n$1`));
      const r = await twoAtATime(() => sharedBuildAsync(ws, ['build', '2016Q4', '--format', 'pdf']));
      expect(r.status, r.stderr).toBe(0);
      return readPages(path.join(ws, 'out/2016Q4/bulletin.pdf'));
    }),
  );
  it('shares its page with the body’s last line whatever line the body ends on', async () => {
    const pageOfDate: number[] = [];
    for (const [i, extra] of extras.entries()) {
      const pages = await built[i]!();
      const p = pages.findIndex((pg) => pg.lines.some((l) => l.text === '2017年1月20日'));
      pageOfDate.push(p);
      const date = pages[p]!.lines.find((l) => l.text === '2017年1月20日')!;
      const above = pages[p]!.lines.filter((l) => l.y1 < date.y0 && l.y0 > 37);
      expect(above.length, `${extra} 行：第 ${p + 1} 页日期之上没有正文`).toBeGreaterThan(0);
    }
    // The family crossed a page's foot: the date moved to the next page in some of them.
    expect(new Set(pageOfDate).size).toBeGreaterThan(1);
  }, 120_000);
});

describe('信函格式 (document.format: letter, §10.1)', () => {
  let pdf: string;
  let pages: PdfPage[];
  const letter = plan(() => {
    const root = cityWorkspace();
    edit(root, 'data/2017Q1/bulletin.yaml', (t) => t.replace('  issuer_mark: 某某市人民政府办公室文件', '  format: letter\n  issuer_mark: 某某市人民政府办公室'));
    return build(root, '2017Q1');
  });
  beforeAll(async () => {
    ({ pdf, pages } = await letter());
  }, 240_000);

  it('draws the red double rules 4 mm under the mark and 20 mm above the page’s bottom, 170 mm long', () => {
    const ppm = execFileSync('pdftoppm', ['-r', String(25.4 * 4), '-f', '1', '-l', '1', pdf], { maxBuffer: 1 << 26 });
    const header = /^P6\s+(\d+)\s+(\d+)\s+255\s/.exec(ppm.subarray(0, 40).toString('latin1'))!;
    const width = Number(header[1]);
    const data = ppm.subarray(header[0].length);
    const red = (x: number, y: number) => {
      const i = (Math.round(y * 4) * width + Math.round(x * 4)) * 3;
      return data[i]! > 180 && data[i + 1]! < 90 && data[i + 2]! < 90;
    };
    const redRows: number[] = [];
    for (let y = 20; y < 297; y += 0.25) if ([25, 60, 105, 150, 185].every((x) => red(x, y))) redRows.push(y);
    const groups = redRows.filter((y, i) => i === 0 || y - redRows[i - 1]! > 2);
    expect(groups).toHaveLength(2);
    // The mark's top 30 mm from the page's top edge: the first red pixels of its glyphs.
    const markTop = [...Array(400).keys()].map((i) => 25 + i * 0.05).find((y) => [...Array(300).keys()].some((i) => red(60 + i * 0.3, y)))!;
    expect(markTop).toBeGreaterThan(29.5);
    expect(markTop).toBeLessThan(32);
    // 4 mm under the mark's 15 mm em box (10 characters in 150 mm).
    expect(Math.abs(groups[0]! - (30 + 15 + 4))).toBeLessThan(1);
    const lower = redRows.filter((y) => y > 200);
    expect(297 - lower.at(-1)!).toBeGreaterThan(19);
    expect(297 - lower.at(-1)!).toBeLessThan(21);
    // 170 mm: red at 21 and 189 mm, none at 18 or 192 mm.
    expect(red(21, groups[0]!) && red(189, groups[0]!)).toBe(true);
    expect(red(18, groups[0]!) || red(192, groups[0]!)).toBe(false);
  });

  it('puts 份号 at the left and the number at the right under the rule, and no page number on page 1', () => {
    const first = pages[0]!;
    const copy = first.lines.find((l) => l.text === '000123')!;
    const number = first.lines.find((l) => l.text.includes('某政办函'))!;
    expect(copy.x0).toBeCloseTo(28, 0);
    expect(Math.abs(number.x1 - 184)).toBeLessThan(1);
    expect(Math.abs(copy.y0 - number.y0)).toBeLessThan(1);
    expect(first.lines.some((l) => pageNumber().test(l.text))).toBe(false);
    expect(pages[1]!.lines.some((l) => pageNumber(2).test(l.text))).toBe(true);
  });

  it('keeps 抄送 in the 版记 without 印发机关 or rules', () => {
    const text = pages.at(-1)!.lines.map((l) => l.text).join('\n');
    expect(text).toContain('抄送：');
    expect(text).not.toContain('印发');
  });
});

describe('a table wider than the portrait type area, on landscape pages (§8)', () => {
  // The city with a fourth attachment of twelve columns: each site's name, code and eight checks.
  const CHECKS = ['首页栏目更新及时', '无空白栏目', '互动回应及时', '办事服务可用', '无严重错别字', '无暗链和外链风险', '支持IPv6访问', '完成适老化改造'];
  const SITES = [
    ['西城区', '“西城区档案局”网'],
    ['南湖区', '“南湖区湖滨街道办事处”网'],
    ['东城区', '“东城区人民政府”门户网站'],
    ['临江县', '“临江县卫生健康委员会”网'],
    ['青石县', '“青石县市场监督管理局”网'],
  ];
  const ROWS = 40;
  const code = (i: number) => String(9901000000 + i * 7 + 11);
  const wideCity = (orientation?: string): string => {
    const root = cityWorkspace();
    const columns = [
      '      - { key: no, name: 序号, type: integer, unique: true, align: center }',
      '      - { key: district, name: 区县, type: region, align: center, values: [东城区, 西城区, 南湖区, 北山区, 临江县, 青石县] }',
      '      - { key: site, name: 网站名称 }',
      '      - { key: code, name: 网站标识码, type: site-code, align: center }',
      ...CHECKS.map((c, i) => `      - { key: c${i}, name: ${c}, type: check }`),
    ];
    edit(root, 'data/2017Q1/bulletin.yaml', (t) => `${t}\n  - id: details\n    kind: matrix\n    title: 抽查网站各项指标达标情况\n    file: details.csv\n${orientation ? `    orientation: ${orientation}\n` : ''}    columns:\n${columns.join('\n')}\n`);
    const rows = Array.from({ length: ROWS }, (_, i) => [i + 1, ...SITES[i % SITES.length]!, code(i), ...CHECKS.map((_, k) => ((i + k) % 3 ? '√' : ''))].join(','));
    writeFileSync(path.join(root, 'data/2017Q1/details.csv'), `序号,区县,网站名称,网站标识码,${CHECKS.join(',')}\n${rows.join('\n')}\n`);
    return root;
  };
  /** Pages whose words run up the sheet: their text is turned a quarter. */
  const turned = (page: Word[]) => {
    const long = page.filter((w) => [...w.text].length >= 4);
    return long.length > 0 && long.filter((w) => w.y1 - w.y0 > w.x1 - w.x0).length > long.length / 2;
  };

  let built: Built;
  let all: Word[][];
  const wide = plan(() => build(wideCity(), '2017Q1'));
  const portrait = plan(() => build(wideCity('portrait'), '2017Q1'));
  const small = plan(() => {
    const root = cityWorkspace();
    edit(root, 'data/2017Q1/bulletin.yaml', (t) => t.replace('    title: 各区县政府网站监管制度建设情况\n', '    title: 各区县政府网站监管制度建设情况\n    orientation: landscape\n'));
    return build(root, '2017Q1');
  });
  beforeAll(async () => {
    built = await wide();
    all = words(built.pdf);
  }, 240_000);

  it('turns the twelve-column table’s pages, every sheet still A4 portrait, and only those pages', () => {
    for (const p of built.pages) expect([Math.round(p.width), Math.round(p.height)]).toEqual([210, 297]);
    const across = all.map((p, i) => (turned(p) ? i + 1 : 0)).filter(Boolean);
    expect(across.length).toBeGreaterThan(1);
    // The table's pages and nothing else: they follow each other and hold every site code.
    expect(across.at(-1)! - across[0]! + 1).toBe(across.length);
    const codes = across.flatMap((n) => all[n - 1]!.map((w) => w.text)).filter((t) => /^\d{10}$/.test(t));
    expect(new Set(codes)).toEqual(new Set(Array.from({ length: ROWS }, (_, i) => code(i))));
    expect(all[across[0]! - 1]!.some((w) => w.text === '附件4')).toBe(true);
    // The 版记 after them is upright, on an even page.
    expect(turned(all.at(-1)!)).toBe(false);
    expect(all.length % 2).toBe(0);
    expect(all.at(-1)!.some((w) => w.text.includes('印发'))).toBe(true);
  });

  it('puts the table’s head toward the binding edge and its rows across the 225 mm type area', () => {
    for (const page of all.filter(turned)) {
      const head = page.find((w) => w.text === '网站标识码')!;
      const codes = page.filter((w) => /^\d{10}$/.test(w.text));
      expect(codes.length).toBeGreaterThan(3);
      // The head on the sheet's left, the rows to its right.
      expect(Math.max(...codes.map((c) => c.x1))).toBeGreaterThan(head.x1);
      for (const c of codes) expect(c.x0).toBeGreaterThan(head.x0);
      // The table spans the sheet's height: from 35 mm above its foot to 37 mm under its top.
      const ys = page.filter((w) => [...w.text].length > 2 && w.y1 - w.y0 > w.x1 - w.x0);
      expect(Math.max(...ys.map((w) => w.y1))).toBeLessThan(297 - 35 + 0.5);
      expect(Math.min(...ys.map((w) => w.y0))).toBeGreaterThan(37 - 0.5);
      expect(Math.min(...page.map((w) => w.x0))).toBeGreaterThan(28 - 0.5);
    }
  });

  it('numbers the turned pages where every other page has its number (§8)', () => {
    const numberOf = (page: Word[], n: number) => {
      const digits = page.find((w) => w.text === String(n) && w.y0 > 262)!;
      const dashes = page.filter((w) => /^[―—]$/.test(w.text) && Math.abs(w.y0 - digits.y0) < 1);
      return { y: digits.y0, x0: Math.min(...dashes.map((d) => d.x0)), x1: Math.max(...dashes.map((d) => d.x1)) };
    };
    const upright = numberOf(all[1]!, 2);
    all.forEach((page, i) => {
      if (!turned(page)) return;
      const n = numberOf(page, i + 1);
      expect(Math.abs(n.y - upright.y), `第 ${i + 1} 页`).toBeLessThan(0.5);
      // Odd pages: one character (14 pt) in from the right edge; even pages from the left.
      if ((i + 1) % 2) expect(Math.abs(184 - (14 * 25.4) / 72 - n.x1)).toBeLessThan(0.5);
      else expect(Math.abs(28 + (14 * 25.4) / 72 - n.x0)).toBeLessThan(0.5);
    });
  });

  it('keeps a table upright when declared portrait, and turns a small one declared landscape', async () => {
    expect(words((await portrait()).pdf).some(turned)).toBe(false);
    const smallPdf = (await small()).pdf;
    const turnedPages = words(smallPdf).map((p, i) => (turned(p) ? i + 1 : 0)).filter(Boolean);
    expect(turnedPages).toHaveLength(1);
    expect(words(smallPdf)[turnedPages[0]! - 1]!.some((w) => w.text === '附件3')).toBe(true);
  }, 120_000);

  it('leaves the sample’s and the city’s own tables upright', async () => {
    const sample = await plainSample();
    expect(words(sample.pdf).some(turned)).toBe(false);
    expect(all.slice(0, 5).some(turned)).toBe(false);
  });
});

describe('a web address in a table cell or the text', () => {
  const url = 'http://www.yanggao.gov.cn/zwgk/tzgg/201701/t20170105_1234567.html?from=index&channel=notice';
  const host = 'www.yanggaoxianrenminzhengfu-xinxigongkai.gov.cn';
  const root = sampleWorkspace();
  const built = plan(() => {
    edit(root, 'data/2016Q4/problem-sites.csv', (t) => t.replace('站点长期无法访问', `站点长期无法访问（${url}）`).replace('“阳高县人民政府”网', `“阳高县人民政府”网${host}`));
    edit(root, 'content/2016Q4/circular.md', (t) => `${t.trimEnd()}\n\n详见 https://www.gov.cn/zhengce/content/2017-01/20/content_5161735.htm?utm_source=notice 的说明。\n`);
    return twoAtATime(() => sharedBuildAsync(root, ['build', '2016Q4', '--format', 'pdf']));
  });
  it('breaks inside the type area, every column kept on the page, and its digits are not figures', async () => {
    const r = await built();
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('正文中的数字');
    const pdf = path.join(root, 'out/2016Q4/bulletin.pdf');
    const all = words(pdf);
    const p = all.findIndex((page) => page.some((w) => w.text.includes('yanggao')));
    expect(p).toBeGreaterThanOrEqual(0);
    // Nothing past the type area's right edge (28 + 156 mm), on any page.
    const past = all.flatMap((page, i) => page.filter((w) => w.x1 > 184.5).map((w) => `第 ${i + 1} 页「${w.text}」${w.x1.toFixed(1)}`));
    expect(past).toEqual([]);
    // The code column is there, its codes whole, and the address reads whole across its lines.
    const text = execFileSync('pdftotext', ['-f', String(p + 1), '-l', String(p + 1), '-raw', pdf, '-'], { encoding: 'utf8' }).replace(/\s+/g, '');
    expect(text).toContain('网站标识码');
    for (const code of ['1307320007', '1402210003', '1405000019']) expect(all[p]!.map((w) => w.text)).toContain(code);
    expect(text).toContain(url);
    expect(text).toContain(host);
  }, 120_000);
});
