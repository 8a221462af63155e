import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO, sampleWorkspace, tongbao } from './helpers.js';
import { readPages, type PdfPage } from './pdf-measure.js';
import { sharedBuild } from './shared-build.js';

/** A page rendered by pdftoppm at 1 px per 0.25 mm, as RGB rows. */
function raster(pdf: string, page: number): { width: number; height: number; at: (xMm: number, yMm: number) => [number, number, number] } {
  const ppm = execFileSync('pdftoppm', ['-r', String(25.4 * 4), '-f', String(page), '-l', String(page), pdf], { maxBuffer: 1 << 26 });
  const header = /^P6\s+(\d+)\s+(\d+)\s+255\s/.exec(ppm.subarray(0, 40).toString('latin1'))!;
  const [width, height] = [Number(header[1]), Number(header[2])];
  const data = ppm.subarray(header[0].length);
  return {
    width,
    height,
    at: (x, y) => {
      const i = (Math.round(y * 4) * width + Math.round(x * 4)) * 3;
      return [data[i]!, data[i + 1]!, data[i + 2]!];
    },
  };
}
const isRed = ([r, g, b]: [number, number, number]) => r > 180 && g < 90 && b < 90;
const isDark = ([r, g, b]: [number, number, number]) => r < 150 && g < 150 && b < 150; // a 0.35 mm rule is anti-aliased grey

/** Share of sampled points in a band (mm from the page's top-left) that satisfy `test`. */
function share(img: ReturnType<typeof raster>, x0: number, x1: number, y0: number, y1: number, test: (p: [number, number, number]) => boolean): number {
  let n = 0;
  let hit = 0;
  for (let y = y0; y <= y1; y += 0.25) for (let x = x0; x <= x1; x += 0.5) (n++, test(img.at(x, y)) && hit++);
  return hit / n;
}

let root: string;
let pdf: string;
let pages: PdfPage[];

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'tongbao-city-'));
  cpSync(path.join(REPO, 'examples/city'), root, { recursive: true, filter: (f) => !f.includes(`${path.sep}out`) });
  // Built in the workspace (not with --root from elsewhere), so that a build of the same inputs earlier in the run is copied.
  const r = sharedBuild(root, ['build', '2017Q1']);
  expect(r.status, r.stderr).toBe(0);
  expect(r.stderr).not.toMatch(/错误|警告/);
  pdf = path.join(root, 'out/2017Q1/bulletin.pdf');
  pages = readPages(pdf);
});

describe('a city office’s bulletin with every official element (examples/city)', () => {
  it('checks with no error or warning, its figures derived from its tables', () => {
    const r = tongbao(['check', '2017Q1', '--root', path.join(REPO, 'examples/city')]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('0 个错误，0 个警告');
    const stats = JSON.parse(tongbao(['stats', '2017Q1', '--root', path.join(REPO, 'examples/city'), '--json']).stdout);
    const rate = stats.figures.find((f: { name: string }) => f.name === 'districts.passed.rate');
    expect(rate.value).toBe('23/26'); // 115/130
  });

  it('puts the red issuing mark 35 mm below the top of the type area, the number under it, then the red rule', () => {
    const img = raster(pdf, 1);
    const top = 37 + 35; // type area top + 35 mm
    expect(share(img, 28, 184, top, top + 12, isRed)).toBeGreaterThan(0.05);
    expect(share(img, 28, 184, 37, top - 1, isRed)).toBe(0); // nothing red above the mark
    const [first] = pages;
    const number = first!.lines.find((l) => l.text.includes('某政办函〔2017〕12号'))!;
    expect(number).toBeDefined();
    expect((number.x0 + number.x1) / 2).toBeCloseTo(106, 0); // centred on the type area
    expect(number.y0).toBeGreaterThan(top + 12);
    // The red rule: a full-width red line a few mm under the number.
    const ruleRows = [];
    for (let y = number.y1; y < number.y1 + 10; y += 0.25) if (share(img, 30, 182, y, y, isRed) > 0.95) ruleRows.push(y);
    expect(ruleRows.length).toBeGreaterThan(0);
    expect(ruleRows[0]! - number.y1).toBeGreaterThan(2);
    expect(ruleRows[0]! - number.y1).toBeLessThan(6);
    // 份号 and 紧急程度 at the top left.
    expect(first!.lines[0]!.text).toBe('000123');
    expect(first!.lines[0]!.x0).toBeCloseTo(28, 0);
    expect(first!.lines[1]!.text).toBe('加急');
  });

  it('places 主送 flush left under the title, and the seal over the issuer and date', () => {
    const first = pages[0]!;
    const addressee = first.lines.find((l) => l.text.startsWith('各区县人民政府'))!;
    expect(addressee.text).toBe('各区县人民政府，市政府各部门：');
    expect(addressee.x0).toBeCloseTo(28, 0);
    const sigPage = pages.findIndex((p) => p.lines.some((l) => l.text === '2017年4月10日'));
    const date = pages[sigPage]!.lines.find((l) => l.text === '2017年4月10日')!;
    expect(184 - date.x1).toBeGreaterThan(4 * 5.5); // right-indented at least four characters
    const img = raster(pdf, sigPage + 1);
    expect(share(img, date.x0 - 5, date.x1 + 5, date.y0 - 20, date.y1, isRed)).toBeGreaterThan(0.02);
    expect(pages[sigPage]!.lines.some((l) => l.text === '（此件公开发布）')).toBe(true);
  });

  it('ends with the 版记 just above the bottom of the type area, between rules', () => {
    const last = pages.at(-1)!;
    const cc = last.lines.find((l) => l.text.startsWith('抄送：'))!;
    const printed = last.lines.filter((l) => l.y0 > cc.y1 && l.y0 < 262);
    expect(cc.text).toBe('抄送：市委办公室，市人大常委会办公室，市政协办公室。');
    expect(printed.map((l) => l.text).join(' ')).toBe('某某市人民政府办公室 2017年4月11日印发');
    expect(262 - printed[0]!.y1).toBeLessThan(4);
    expect(262 - printed[0]!.y1).toBeGreaterThan(0);
    const img = raster(pdf, pages.length);
    const rules: number[] = [];
    for (let y = cc.y0 - 4; y <= 263; y += 0.25) if (share(img, 30, 182, y, y, isDark) > 0.95) rules.push(y);
    // Three rules: above 抄送, between the lines, and on the bottom edge of the type area.
    const groups = rules.filter((y, i) => i === 0 || y - rules[i - 1]! > 1);
    expect(groups).toHaveLength(3);
    expect(groups.at(-1)!).toBeGreaterThan(260.5);
  });

  it('leaves 份号, the red mark and the 版记 out of the portal page, keeping 主送 and 附注', () => {
    const html = readFileSync(path.join(root, 'out/2017Q1/index.html'), 'utf8');
    expect(html).not.toContain('class="issuer-mark"');
    expect(html).not.toContain('class="colophon"');
    expect(html).not.toContain('000123');
    expect(html).not.toContain('<img class="seal"');
    expect(html).toContain('<p class="addressee">各区县人民政府，市政府各部门：</p>');
    expect(html).toContain('<p class="annotation">（此件公开发布）</p>');
  });

  it('needs no code of its own: nothing in src/ names it', () => {
    const files = readdirSync(path.join(REPO, 'src'), { recursive: true }).map(String).filter((f) => f.endsWith('.ts'));
    for (const f of files) expect(readFileSync(path.join(REPO, 'src', f), 'utf8'), f).not.toMatch(/examples\/city|某某市|南湖区/);
  });
});

it('the 2016Q4 sample declares no official element: nothing red on its first page', () => {
  const ws = sampleWorkspace();
  expect(sharedBuild(ws, ['build', '2016Q4', '--format', 'pdf']).status).toBe(0);
  const img = raster(path.join(ws, 'out/2016Q4/bulletin.pdf'), 1);
  expect(share(img, 28, 184, 37, 262, isRed)).toBe(0);
});
