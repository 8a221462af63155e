import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'puppeteer-core';
import { launchBrowser } from '../src/print/browser.js';
import { renderBulletin } from '../src/build.js';
import { withDownloads } from '../src/render/html.js';
import { edit, sampleWorkspace, tongbao } from './helpers.js';
import { axe } from './judges.js';
import { sharedBuild, sharedBuildAsync } from './shared-build.js';
import { twoAtATime } from './two-at-a-time.js';

let browser: Browser;
let page: Page;
let root: string;
let file: string;

beforeAll(async () => {
  root = sampleWorkspace();
  const r = sharedBuild(root, ['build', '2016Q4', '--format', 'html']);
  expect(r.status, r.stderr).toBe(0);
  file = path.join(root, 'out/2016Q4/index.html');
  browser = await launchBrowser();
  page = await browser.newPage();
  await page.setJavaScriptEnabled(false);
  await page.setViewport({ width: 1280, height: 900 });
  await page.goto(pathToFileURL(file).href);
});

afterAll(async () => {
  await browser?.close();
});

/** The text of every <text> in a chart's SVG, in document order. */
const svgTexts = (id: string) => page.$$eval(`#chart-${id} svg text`, (ts) => ts.map((t) => t.textContent ?? ''));
const TICKS = ['0%', '20%', '40%', '50%', '60%', '80%', '100%'];

describe('the charts of the 2016Q4 portal page', () => {
  it('are SVG images with an accessible name and description, as the browser exposes them', async () => {
    const svgs = await page.$$('svg');
    expect(svgs).toHaveLength(2);
    const names: string[] = [];
    for (const svg of svgs) {
      const node = await page.accessibility.snapshot({ root: svg, interestingOnly: false });
      expect(node?.role).toBe('image');
      names.push(node?.name ?? '');
      expect(node?.description ?? '').toMatch(/^(折线图|条形图).*。$/);
    }
    expect(names).toEqual(['2016年全国政府网站抽查总体合格率', '各省（区、市）政府网站有关制度建设情况']);
  });

  it('draws the 2016 trend from what history.csv has: 81.5% in the first quarter, 91% in the fourth, nothing invented between', async () => {
    const texts = await svgTexts('trend');
    for (const q of ['第一季度', '第二季度', '第三季度', '第四季度']) expect(texts).toContain(q);
    // Value labels: the two quarters the table has, and no value for the two it does not.
    expect(texts.filter((t) => /%$/.test(t) && !TICKS.includes(t))).toEqual(['81.5%', '91%']);
    expect(texts.filter((t) => t === '无数据')).toHaveLength(2);
    const desc = await page.$eval('#chart-trend desc', (d) => d.textContent);
    expect(desc).toBe('折线图：第一季度 81.5%，第四季度 91%；第二季度、第三季度无数据。');
  });

  it('shows the coverage of the five institution checks of attachment 2, from its computed figures', async () => {
    const texts = await svgTexts('coverage');
    expect(texts.filter((t) => t.includes('/32'))).toEqual(['32/32（100%）', '30/32（93.8%）', '27/32（84.4%）', '25/32（78.1%）', '4/32（12.5%）']);
    for (const name of ['建立常态化监管机制', '对政府网站进行考核', '建立问责机制', '推进网站集约化建设', '公开抽查检查情况']) expect(texts).toContain(name);
    // The bars are as long as their shares: 32 : 4 of 32.
    const widths = await page.$$eval('#chart-coverage svg path[fill="#1d4f91"]', (ps) => ps.map((p) => (p as SVGGraphicsElement).getBBox().width));
    expect(widths).toHaveLength(5);
    expect(widths[0]! / widths[4]!).toBeCloseTo(8, 1);
  });

  it('says under the coverage chart which shares it draws where the circular keeps the original’s other figure (issue 35)', async () => {
    const note = await page.$eval('#chart-coverage .chart-note', (p) => p.textContent);
    // The text prints 91% and 81% as the original did (accepted as printed); the chart draws attachment 2.
    expect(note).toBe('图中的比例按附件2计算：对政府网站进行考核 30/32 = 93.8%，正文照原文印作 91%；推进网站集约化建设 25/32 = 78.1%，正文照原文印作 81%。');
    // A share the text prints as the table gives it (建立问责机制 27/32 → 84%) is not named.
    expect(note).not.toContain('建立问责机制');
    // The family: the text corrected to the table's figures, the note goes; another one off, it is named.
    const ws = sampleWorkspace();
    edit(ws, 'data/2016Q4/bulletin.yaml', (t) => t.replace('    value: "91%"\n    label: 对政府网站进行考核', '    value: "94%"\n    label: 对政府网站进行考核').replace('    value: "81%"\n    label: 出台措施', '    value: "78%"\n    label: 出台措施').replace('    value: "84%"\n    label: 建立问题网站问责机制', '    value: "84.5%"\n    label: 建立问题网站问责机制').replace('check: institutions.accountability.share\n', 'check: institutions.accountability.share\n    severity: warning\n'));
    const r = tongbao(['build', '2016Q4', '--format', 'html'], ws);
    expect(r.status, r.stderr).toBe(0);
    const html = readFileSync(path.join(ws, 'out/2016Q4/index.html'), 'utf8');
    const notes = [...html.matchAll(/<p class="chart-note">([^<]*)<\/p>/g)].map((m) => m[1]!.replace(/&#x3D;/g, '='));
    expect(notes.filter((n) => n.startsWith('图中的比例'))).toEqual(['图中的比例按附件2计算：建立问责机制 27/32 = 84.4%，正文照原文印作 84.5%。']);
  });

  it('holds every number also in a data table beside the chart, with a link to the attachment', async () => {
    const rows = await page.$$eval('#chart-coverage details tbody tr', (trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
    expect(rows).toEqual([
      ['建立常态化监管机制', '32/32（100%）'],
      ['对政府网站进行考核', '30/32（93.8%）'],
      ['建立问责机制', '27/32（84.4%）'],
      ['推进网站集约化建设', '25/32（78.1%）'],
      ['公开抽查检查情况', '4/32（12.5%）'],
    ]);
    expect(await page.$eval('#chart-coverage .chart-source a', (a) => [a.getAttribute('href'), a.textContent])).toEqual(['#attachment-2', '附件2']);
    const trend = await page.$$eval('#chart-trend details tbody tr', (trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
    expect(trend).toEqual([
      ['第一季度', '81.5%'],
      ['第二季度', '无数据'],
      ['第三季度', '无数据'],
      ['第四季度', '91%'],
    ]);
  });

  it('sets the chart text in the page’s own Chinese sans-serif face, and carries no script', async () => {
    const [svgFont, titleFont] = await page.evaluate(() => [
      getComputedStyle(document.querySelector('#chart-trend svg text')!).fontFamily,
      getComputedStyle(document.querySelector('.title')!).fontFamily,
    ]);
    expect(svgFont).toBe(titleFont);
    const html = readFileSync(file, 'utf8');
    expect(html).not.toMatch(/<script|\son[a-z]+=|ecmeta_|zr\d+-/i);
  });

  it('are drawn by a PDF build that keeps the portal page it finds, none by one that makes no page', () => {
    // A PDF-only build renders the page for its messages alone unless index.html is there
    // to be kept true: then the page it writes is the one an HTML build writes, charts and all.
    const ws = sampleWorkspace();
    const pdfOnly = tongbao(['build', '2016Q4', '--format', 'pdf'], ws);
    expect(pdfOnly.status, pdfOnly.stderr).toBe(0);
    expect(readdirSync(path.join(ws, 'out/2016Q4')).sort()).toEqual(['SHA256SUMS', 'bulletin.pdf']);
    const html = tongbao(['build', '2016Q4', '--format', 'html'], ws);
    expect(html.status, html.stderr).toBe(0);
    const again = tongbao(['build', '2016Q4', '--format', 'pdf'], ws);
    expect(again.status, again.stderr).toBe(0);
    const page = readFileSync(path.join(ws, 'out/2016Q4/index.html'), 'utf8');
    expect(page.match(/<svg\b/g)?.length).toBe(readFileSync(file, 'utf8').match(/<svg\b/g)?.length);
    expect(page).toContain('<a href="bulletin.pdf"');
  });

  it('is hidden in print unless declared: the official notice has no chart', async () => {
    await page.emulateMediaType('print');
    try {
      expect(await page.$eval('.charts', (e) => getComputedStyle(e).display)).toBe('none');
    } finally {
      await page.emulateMediaType('screen');
    }
  });

  it.each([1280, 375])('has no axe-core WCAG 2.1 A/AA violation at %i px', async (width) => {
    const violations = await axe(browser, file, width);
    expect(violations.map((v) => `${v.id}: ${v.help} ${JSON.stringify(v.nodes.slice(0, 3).map((n) => n.target))}`)).toEqual([]);
  });

  it('fits a 375 px phone without widening the page', async () => {
    const p = await browser.newPage();
    await p.setJavaScriptEnabled(false);
    await p.setViewport({ width: 375, height: 800 });
    await p.goto(pathToFileURL(file).href);
    const { body, svg } = await p.evaluate(() => ({
      body: document.documentElement.scrollWidth,
      svg: Math.max(...[...document.querySelectorAll('svg')].map((s) => s.getBoundingClientRect().right)),
    }));
    expect(body).toBeLessThanOrEqual(375);
    expect(svg).toBeLessThanOrEqual(375);
    await p.close();
  });

  it('renders the same bytes twice in one process: ids do not follow ECharts’ instance counter', async () => {
    const a = (await renderBulletin(root, '2016Q4')).html!;
    const b = (await renderBulletin(root, '2016Q4')).html!;
    expect(a).toContain('<svg');
    expect(b).toBe(a);
    // What the HTML-only build wrote: the same page, with no PDF beside it to link.
    expect(readFileSync(file, 'utf8')).toBe(withDownloads(a, []));
  });
});

describe('bars by region', () => {
  it('are sorted by the computed rate and labelled with exact half-up rounding', async () => {
    const ws = sampleWorkspace();
    writeFileSync(path.join(ws, 'data/2016Q4/districts.csv'), '地区,抽查数,合格数\n北京,130,71\n天津,8,1\n河北,8,3\n山西,10,10\n');
    edit(ws, 'data/2016Q4/bulletin.yaml', (t) =>
      t.replace(
        'attachments:\n',
        `  - id: districts
    file: districts.csv
    columns:
      - { key: region, name: 地区, type: region }
      - { key: sampled, name: 抽查数, type: count }
      - { key: passed, name: 合格数, type: count, max: sampled }

attachments:
`,
      ) + '  - { id: by_region, kind: bars, title: 各地区抽查合格率, table: districts, value: passed, digits: 2 }\n',
    );
    const r = await renderBulletin(ws, '2016Q4');
    expect(r.messages.filter((m) => m.severity === 'error')).toEqual([]);
    const svg = r.html!.slice(r.html!.indexOf('id="chart-by_region"'));
    const labels = [...svg.slice(0, svg.indexOf('</svg>')).matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    // 71/130 = 54.615…% → 54.62% (a float gives 54.61%); 3/8 → 37.5%; 1/8 → 12.5%.
    expect(labels.filter((l) => l!.includes('/'))).toEqual(['10/10（100%）', '71/130（54.62%）', '3/8（37.5%）', '1/8（12.5%）']);
    expect(labels.slice(0, 4)).toEqual(['山西', '北京', '河北', '天津']);
  });
});

describe('a bad chart declaration', () => {
  const lineOf = (text: string, needle: string) => {
    const lines = text.split('\n');
    const i = lines.findIndex((l) => l.includes(needle));
    return { line: i + 1, column: lines[i]!.indexOf(needle) + needle.indexOf(':') + 3 };
  };

  it('names an unknown table in Chinese at its line and column in bulletin.yaml, with the tables there are', () => {
    const ws = sampleWorkspace();
    edit(ws, 'data/2016Q4/bulletin.yaml', (t) => t.replace('    table: history\n', '    table: histroy\n'));
    const at = lineOf(readFileSync(path.join(ws, 'data/2016Q4/bulletin.yaml'), 'utf8'), 'table: histroy');
    const r = tongbao(['check', '2016Q4'], ws);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`data/2016Q4/bulletin.yaml:${at.line}:${at.column}: 错误: 图表「trend」的数据来源「histroy」不是已声明的表格（可用的表格：history、sites、institutions）`);
  });

  it('names an unknown column, a column of the wrong type and an unknown kind, each at its place', () => {
    const ws = sampleWorkspace();
    edit(ws, 'data/2016Q4/bulletin.yaml', (t) =>
      t.replace('    value: pass_rate\n', '    value: pass_rat\n') +
        '  - { id: wrong, kind: coverage, title: 错, table: institutions, columns: [region] }\n  - { id: pie, kind: pie, table: institutions }\n',
    );
    const text = readFileSync(path.join(ws, 'data/2016Q4/bulletin.yaml'), 'utf8');
    const r = tongbao(['check', '2016Q4'], ws);
    expect(r.status).toBe(1);
    // Schema errors come first: the unknown kind stops the file before references are checked.
    const kind = text.split('\n').findIndex((l) => l.includes('kind: pie')) + 1;
    expect(r.stderr).toMatch(new RegExp(`bulletin\\.yaml:${kind}:\\d+: 错误: 「charts\\.3\\.kind」取值不对，应为 series / bars / coverage 之一`));
    edit(ws, 'data/2016Q4/bulletin.yaml', (t) => t.replace(/ {2}- \{ id: pie.*\n/, ''));
    const r2 = tongbao(['check', '2016Q4'], ws);
    const value = lineOf(text, 'value: pass_rat');
    expect(r2.stderr).toContain(`bulletin.yaml:${value.line}:${value.column}: 错误: 图表「trend」指向表格「history」中不存在的列「pass_rat」（可用的列：period、pass_rate）`);
    expect(r2.stderr).toMatch(/bulletin\.yaml:\d+:\d+: 错误: 图表「wrong」的列「region」不是勾选列（type: check）（可用的勾选列：supervision、assessment、accountability、consolidation、disclosure）/);
  });
});

describe('a chart declared for print', () => {
  // The sample as it is, without its charts, and with its trend declared for print: built two
  // at a time before the tests read them (the sample as it is may be another test's build, copied).
  const withCharts = sampleWorkspace();
  const without = sampleWorkspace();
  edit(without, 'data/2016Q4/bulletin.yaml', (t) => t.slice(0, t.indexOf('\n# 图表')) + '\n');
  const printed = sampleWorkspace();
  edit(printed, 'data/2016Q4/bulletin.yaml', (t) => t.replace('    value: pass_rate\n', '    value: pass_rate\n    print: true\n'));
  let runs: Awaited<ReturnType<typeof sharedBuildAsync>>[];
  beforeAll(async () => {
    runs = await twoAtATime([withCharts, without, printed], (ws) => sharedBuildAsync(ws, ['build', '2016Q4']));
  }, 300_000);

  it('is the only kind that reaches the PDF: the sample’s PDF is the same bytes as without its charts', () => {
    for (const r of runs.slice(0, 2)) expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(path.join(without, 'out/2016Q4/index.html'), 'utf8')).not.toContain('<svg');
    expect(readFileSync(path.join(withCharts, 'out/2016Q4/bulletin.pdf')).equals(readFileSync(path.join(without, 'out/2016Q4/bulletin.pdf')))).toBe(true);
  });

  it('appears in the PDF, after the circular, with its labels as text', () => {
    const r = runs[2]!;
    expect(r.status, r.stderr).toBe(0);
    const pdf = path.join(printed, 'out/2016Q4/bulletin.pdf');
    const text = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' });
    const pages = text.split('\f');
    const chartPage = pages.findIndex((p) => p.includes('2016年全国政府网站抽查总体合格率'));
    expect(chartPage).toBeGreaterThan(0);
    expect(pages[chartPage]).toMatch(/第一季度[\s\S]*第四季度/);
    expect(pages[chartPage]).toContain('81.5%');
    // Only the declared chart: the coverage chart's labels stay on the portal.
    expect(text).not.toContain('32/32');
    expect(pages.findIndex((p) => /^\s*附件1/m.test(p))).toBeGreaterThan(chartPage);
    // Its text is in the embedded faces, not a bloating Type 3 fallback.
    expect(execFileSync('pdffonts', [pdf], { encoding: 'utf8' })).not.toMatch(/Type 3/);
  });
});
