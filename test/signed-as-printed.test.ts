// A document an office signs as it is (issue 35), measured on what is printed: the 发文机关署名
// when no signatory is given, the rules of the 版头 and 版记 at their widths, the 版头 without
// its mark, the page number's place.
import { beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import mammoth from 'mammoth';
import { REPO, edit, exampleWorkspace, sampleWorkspace, tongbao } from './helpers.js';
import { readPages, type Line, type PdfPage } from './pdf-measure.js';
import { pageNumberDash, pdfRules, type Rule } from './pdf-rules.js';
import { sharedBuildAsync } from './shared-build.js';
import { libreOfficePdf } from './libreoffice.js';
import { planner, queue } from './two-at-a-time.js';

const CW = 156 / 28; // one character of the grid, mm
const PITCH = 225 / 22;
const OFFICE = '国务院办公厅政府信息与政务公开办公室';
const DATE = '2017年1月20日';

const twoAtATime = queue(2);

/** `period` built in `root` (just prepared, one build a workspace), two builds side by side at most. */
async function build(root: string, period = '2016Q4', format = 'pdf'): Promise<string> {
  const r = await twoAtATime(() => sharedBuildAsync(root, ['build', period, '--format', format]));
  expect(r.status, r.stderr).toBe(0);
  return path.join(root, 'out', period, format === 'html' ? 'index.html' : `bulletin.${format}`);
}

// The file's builds are planned as its tests are collected and started before the first.
const { plan, startAll } = planner();
beforeAll(startAll);

/**
 * The PDFs LibreOffice prints from several .docx files, two at a time, one start of it each:
 * in one start the first document's embedded faces would serve the later ones, whose subsets
 * have the same names, and those would print in other faces (test/libreoffice.ts).
 */
function libreOfficePdfs(docxs: string[]): Promise<string[]> {
  const printing = queue(2);
  return Promise.all(docxs.map((docx) => printing(() => libreOfficePdf(docx))));
}

const LINE = '各地区各部门要按照要求认真做好政府网站日常监管工作并及时整改问题。'.slice(0, 28);
/** Lines pushed in before the sample's last paragraph: the Word documents of the 落款's family below. */
const WORD_FAMILY = [3, 4, 5, 6];

/** The sample's Word document (planned with the first describe's builds). */
let plainWord: () => Promise<string>;

/** The 落款's lines: the date and the line just above it. */
function signature(pages: PdfPage[]): { date: Line; above: Line } {
  const page = pages.find((p) => p.lines.some((l) => l.text === DATE))!;
  expect(page, `没有印「${DATE}」的页`).toBeDefined();
  const date = page.lines.find((l) => l.text === DATE)!;
  const above = page.lines.filter((l) => l.y1 < date.y0).at(-1)!;
  return { date, above };
}

describe('the 发文机关署名 without a signatory (§7.3.5): the office signs', () => {
  // Each build in a fresh copy of the sample (a build's out/ is never another's input).
  const plain = plan(() => build(sampleWorkspace()));
  const sealed = plan(() => {
    const ws = sampleWorkspace();
    copyFileSync(path.join(REPO, 'examples/city/data/2017Q1/seal.svg'), path.join(ws, 'data/2016Q4/seal.svg'));
    edit(ws, 'data/2016Q4/bulletin.yaml', (t) => `${t.trimEnd()}\ndocument:\n  seal: seal.svg\n`);
    return build(ws);
  });
  const page = plan(() => build(sampleWorkspace(), '2016Q4', 'html'));
  plainWord = plan(() => build(sampleWorkspace(), '2016Q4', 'docx'));
  const signatory = plan(() => {
    const ws = sampleWorkspace();
    edit(ws, 'data/2016Q4/bulletin.yaml', (t) => t.replace(/^office: .*$/m, (l) => `${l}\nsignatory: 国务院办公厅`));
    return build(ws);
  });
  const contact = plan(() => {
    const ws = sampleWorkspace();
    edit(ws, 'content/2016Q4/circular.md', (t) => `${t.trimEnd()}\n\n联系单位：{{signatory}}。\n`);
    return build(ws, '2016Q4', 'html');
  });
  beforeAll(() => {
    // The sample gives no signatory; the test relies on it.
    expect(readFileSync(path.join(REPO, 'data/2016Q4/bulletin.yaml'), 'utf8')).not.toMatch(/^signatory:/m);
  });

  it('prints the office above the date, unsealed as §7.3.5.2: 署名 右空二字, the date two characters further right', async () => {
    const { date, above } = signature(readPages(await plain()));
    expect(above.text).toBe(OFFICE);
    expect(Math.abs(184 - 2 * CW - above.x1)).toBeLessThan(1);
    expect(Math.abs(date.x0 - (above.x0 + 2 * CW))).toBeLessThan(1);
    expect(date.y0 - above.y0).toBeCloseTo(PITCH, 0);
  }, 120_000);

  it('prints it sealed as §7.3.5.1: centred on the date, inside the type area', async () => {
    const { date, above } = signature(readPages(await sealed()));
    expect(above.text).toBe(OFFICE);
    expect(Math.abs((above.x0 + above.x1) / 2 - (date.x0 + date.x1) / 2)).toBeLessThan(1);
    expect(above.x1).toBeLessThan(184 + 0.5);
  }, 120_000);

  it('signs the portal page and the Word document with the office too', async () => {
    const html = readFileSync(await page(), 'utf8');
    expect(html).toMatch(new RegExp(`<p class="issuer">${OFFICE}</p>\\s*<p class="date">${DATE}</p>`));
    const { value } = await mammoth.extractRawText({ path: await plainWord() });
    const paragraphs = value.split(/\n+/).map((p) => p.trim()).filter(Boolean);
    expect(paragraphs[paragraphs.indexOf(DATE) - 1]).toBe(OFFICE);
  }, 120_000);

  it('keeps a signatory that is given, and {{signatory}} in the circular reads the office when none is', async () => {
    expect(signature(readPages(await signatory())).above.text).toBe('国务院办公厅');
    const html = readFileSync(await contact(), 'utf8');
    expect(html).toContain(`联系单位：${OFFICE}。`);
  }, 120_000);
});

/** Rules across the type area (156 mm) on a page, top to bottom, as 「width mm」 to two places. */
const acrossRules = (rules: Rule[], red: boolean) =>
  rules.filter((r) => r.x1 - r.x0 > 150 && r.y1 - r.y0 < 2 && (r.rgb[0] > 0.5 && r.rgb[1] < 0.2) === red).sort((a, b) => a.y0 - b.y0);

describe('rules at their width (§7.4.1, §7.4.2, §10.1): drawn, not rounded to a device pixel', () => {
  const FORMAL = { red: [0.35], colophon: [0.35, 0.25, 0.35] };
  const cases: { name: string; example: 'city' | 'province'; period: string; change: (t: string) => string; red: number[]; colophon: number[] }[] = [
    { name: 'the city 2017Q1 (抄送 and 印发)', example: 'city', period: '2017Q1', change: (t) => t, ...FORMAL },
    { name: 'a 版记 without 抄送', example: 'city', period: '2017Q2', change: (t) => t.replace(/^  cc: .*\n/m, ''), red: [0.35], colophon: [0.35, 0.35] },
    // 信函格式: two red double rules (heavy 0.6 over light 0.3, and light over heavy), no rules in the 版记.
    { name: 'the province 2023Q3 (信函格式)', example: 'province', period: '2023Q3', change: (t) => t, red: [0.6, 0.3, 0.3, 0.6], colophon: [] },
    { name: 'the province as a 文件格式 with 印发 only', example: 'province', period: '2023Q3', change: (t) => t.replace(/^  format: letter\n/m, '  printed_by: 某某省人民政府办公厅\n'), red: [0.35], colophon: [0.35, 0.35] },
  ];
  for (const c of cases) {
    const built = plan(() => {
      const root = exampleWorkspace(c.example);
      edit(root, `data/${c.period}/bulletin.yaml`, c.change);
      return build(root, c.period);
    });
    it(`${c.name}: red ${c.red.join(' / ')} mm, 版记 ${c.colophon.join(' / ') || 'none'}`, async () => {
      const pages = pdfRules(await built());
      const measure = (rules: Rule[], want: number[], what: string) => {
        const widths = rules.map((r) => r.y1 - r.y0);
        const said = `${what}：${widths.map((w) => w.toFixed(3)).join(' / ')} mm`;
        expect(widths.length, said).toBe(want.length);
        widths.forEach((w, i) => expect(Math.abs(w - want[i]!), said).toBeLessThan(0.03));
      };
      measure(acrossRules(pages[0]!, true), c.red, '第一页的红色分隔线');
      const colophon = acrossRules(pages.at(-1)!, false);
      measure(colophon, c.colophon, '版记的分隔线');
      // The 版记's last rule lies on the type area's bottom edge (262 mm), as before.
      if (colophon.length) expect(Math.abs(colophon.at(-1)!.y1 - 262)).toBeLessThan(1.2);
    }, 120_000);
  }
});

describe('a 版头 with a 发文字号 but no 发文机关标志 (§7.2): said at the number, a 函 pointed to 信函格式', () => {
  const check = (example: 'city' | 'province', period: string, change: (t: string) => string) => {
    const root = exampleWorkspace(example);
    edit(root, `data/${period}/bulletin.yaml`, change);
    const r = tongbao(['check', period, '--root', root]);
    const line = readFileSync(path.join(root, `data/${period}/bulletin.yaml`), 'utf8').split('\n').findIndex((l) => /^ {2}number: /.test(l)) + 1;
    return { ...r, where: `data/${period}/bulletin.yaml:${line}:11: 警告: ` };
  };
  const noMark = (t: string) => t.replace(/^ {2}issuer_mark: .*\n/m, '');

  it('warns at the number of a 函 without its mark and points to format: letter; the check still passes', () => {
    const r = check('city', '2017Q1', noMark);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain(`${r.where}版头有发文字号「某政办函〔2017〕12号」而没有发文机关标志（issuer_mark）：印出来发文字号上方是一片空白（这是函：在 document 下写 format: letter（信函格式）和 issuer_mark: 发文机关全称）`);
  });

  it('warns for a 文件 number without its mark, asking for the mark', () => {
    const r = check('city', '2017Q2', (t) => noMark(t).replace(/^( {2}number: ).*$/m, '$1某政发〔2017〕3号'));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain(`${r.where}版头有发文字号「某政发〔2017〕3号」而没有发文机关标志`);
    expect(r.stderr).toContain('在 document 下写 issuer_mark（如「××市人民政府办公室文件」）；不印版头则删去 number');
  });

  it('warns for a 信函格式 without its mark, not pointing it to the format it has', () => {
    const r = check('province', '2023Q3', noMark);
    expect(r.stderr).toContain(`${r.where}版头有发文字号「某政办函〔2023〕45号」而没有发文机关标志`);
    expect(r.stderr).not.toContain('format: letter');
  });

  it('says nothing when the mark is there, or when there is no number', () => {
    expect(check('city', '2017Q1', (t) => t).stderr).not.toContain('发文机关标志');
    expect(check('city', '2017Q1', (t) => noMark(t).replace(/^ {2}number: .*\n/m, '')).stderr).not.toContain('发文机关标志');
  });
});

describe('the page number (§7.5): its 一字线 7 mm under the type area', () => {
  const landscaped = plan(() => {
    const root = sampleWorkspace();
    edit(root, 'data/2016Q4/bulletin.yaml', (t) => t.replace('    title: 各省（区、市）政府网站有关制度建设情况\n', '    title: 各省（区、市）政府网站有关制度建设情况\n    orientation: landscape\n'));
    return build(root);
  });
  it('on odd, even and landscape pages alike', async () => {
    const pdf = await landscaped();
    const pages = readPages(pdf);
    const landscape = pages.findIndex((pg) => pg.lines.some((l) => l.text.includes('制度建设情况') && l.y1 - l.y0 > l.x1 - l.x0));
    expect(landscape, '附件2 横排').toBeGreaterThan(0);
    const measured = pages.map((_, i) => pageNumberDash(pdf, i + 1));
    expect(measured.filter(Boolean).length).toBe(pages.length);
    measured.forEach((d, i) => {
      const below = (d!.top + d!.bottom) / 2 - 262;
      expect(Math.abs(below - 7), `第 ${i + 1} 页：一字线在版心下 ${below.toFixed(2)} mm`).toBeLessThan(0.2);
    });
  }, 120_000);

  it('in the Word document as LibreOffice prints it', async () => {
    const lo = (await wordPrints()).plain;
    for (const p of [1, 2]) {
      const d = pageNumberDash(lo, p)!;
      const below = (d.top + d.bottom) / 2 - 262;
      expect(Math.abs(below - 7), `第 ${p} 页：一字线在版心下 ${below.toFixed(2)} mm`).toBeLessThan(0.3);
    }
  }, 240_000);
});

describe('the 落款’s page carries 正文 (§7.3.5): at least two lines of it above the 附件说明 and the 署名', () => {
  /** Lines of 正文 on the page of the 落款, above the 附件说明 (or the 署名 when there is none). */
  const bodyLinesOnSignaturePage = (pages: PdfPage[], date: string, office: string) => {
    const flat = (l: Line) => l.text.replace(/\s/g, '');
    const p = pages.findIndex((pg) => pg.lines.some((l) => flat(l) === date));
    expect(p, `没有印「${date}」的页`).toBeGreaterThanOrEqual(0);
    const page = pages[p]!;
    const stop = page.lines.find((l) => flat(l).startsWith('附件：') || flat(l) === office)!;
    return { page: p + 1, lines: page.lines.filter((l) => l.y0 > 36 && l.y1 <= stop.y0 + 0.5).length };
  };
  // Whole 28-character lines pushed in before the last paragraph move the body's end down a
  // grid line at a time, across a page's foot (with the embedded faces, between 4 and 5 lines
  // on the sample). (The PDF's families are in keep-together.test.ts:
  // print/keep.ts measures them from a probe print.)
  it('in the Word document as LibreOffice prints it (keep-with-next through the 落款)', async () => {
    const seen: string[] = [];
    const { family } = await wordPrints();
    for (const [i, extra] of WORD_FAMILY.entries()) {
      const { page, lines } = bodyLinesOnSignaturePage(readPages(family[i]!), DATE, OFFICE);
      seen.push(`${extra}: 第 ${page} 页 ${lines} 行`);
      expect(lines, seen.join('；')).toBeGreaterThanOrEqual(2);
    }
    expect(new Set(seen.map((s) => s.split(' ')[2])).size, seen.join('；')).toBeGreaterThan(1);
  }, 300_000);
});

// Planned last, in the order of the tests: the Word documents' builds, then LibreOffice.
/** LibreOffice's prints of the sample's Word document and of WORD_FAMILY's. */
const wordPrints = plan(async () => {
  const family = WORD_FAMILY.map((extra) => {
    const ws = sampleWorkspace();
    edit(ws, 'content/2016Q4/circular.md', (t) => t.replace(/\n(对本次通报的问题网站)/, `\n${Array.from({ length: extra }, () => LINE).join('\n\n')}\n\n$1`));
    return build(ws, '2016Q4', 'docx');
  });
  const [plain, ...rest] = await libreOfficePdfs(await Promise.all([plainWord(), ...family]));
  return { plain: plain!, family: rest };
});

