import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'puppeteer-core';
import { launchBrowser } from '../src/print/browser.js';
import { REPO, SEED, edit, sampleWorkspace, tongbao } from './helpers.js';
import { axe, vnu } from './judges.js';
import { sharedBuild } from './shared-build.js';

const strip = (s: string) => s.replace(/[\s\u00a0\u3000]+/g, '');

/** The seed split into its circular, attachment 1 and attachment 2. */
function seed() {
  const lines = readFileSync(SEED, 'utf8').split('\n');
  const a1 = lines.findIndex((l) => l.trim() === '附件1');
  const a2 = lines.findIndex((l) => l.trim() === '附件2');
  return { circular: lines.slice(0, a1), att1: lines.slice(a1, a2), att2: lines.slice(a2) };
}

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
  await page.goto(pathToFileURL(file).href);
});

afterAll(async () => {
  await browser?.close();
});

describe('the portal page of the 2016Q4 sample', () => {
  it('holds every line of the seed’s circular, white space aside', async () => {
    const text = strip(await page.$eval('.circular', (e) => e.textContent ?? ''));
    const missing = seed()
      .circular.map(strip)
      .filter((l) => l !== '' && !text.includes(l));
    expect(missing).toEqual([]);
  });

  it('holds the header line, the attachment list and the signing date in their places', async () => {
    expect(strip(await page.$eval('.byline', (e) => e.textContent ?? ''))).toBe('信息来源：中国政府网发布日期：2017年2月7日');
    expect(await page.$$eval('.attachment-list li', (li) => li.map((e) => e.textContent))).toEqual([
      '1.抽查发现存在突出问题的政府网站名单',
      '2.各省（区、市）政府网站有关制度建设情况',
    ]);
    expect(await page.$eval('.signature .date', (e) => e.textContent)).toBe('2017年1月20日');
  });

  it('shows attachment 1 with its 15 rows exactly as printed, codes and note', async () => {
    const s = seed().att1.map((l) => l.replace(/[\s\u00a0]+$/, '').trim()).filter(Boolean);
    expect(s[1]).toBe('抽查发现存在突出问题的政府网站名单');
    const header = s.slice(2, 7);
    const body = s.slice(7, 7 + 15 * 5);
    const expected = Array.from({ length: 15 }, (_, i) => body.slice(i * 5, i * 5 + 5));
    const section = '#attachment-1';
    expect(await page.$eval(`${section} .attachment-label`, (e) => e.textContent)).toBe('附件1');
    expect(await page.$eval(`${section} h2`, (e) => e.textContent)).toBe(s[1]);
    expect(await page.$$eval(`${section} thead th`, (th) => th.map((e) => e.textContent))).toEqual(header);
    const rows = await page.$$eval(`${section} tbody tr`, (trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
    expect(rows).toEqual(expected);
    expect(await page.$eval(`${section} .note`, (e) => e.textContent)).toBe(s.at(-1));
  });

  it('shows attachment 2 with its 32 rows, as many √ per row as the seed, and its note', async () => {
    const lines = seed().att2.filter((l) => l.trim() !== '');
    const section = '#attachment-2';
    const rows = await page.$$eval(`${section} tbody tr`, (trs) =>
      trs.map((tr) => ({
        name: tr.children[1]!.textContent,
        marks: [...tr.querySelectorAll('[aria-hidden="true"]')].map((m) => m.textContent).join(''),
      })),
    );
    expect(rows).toHaveLength(32);
    // In the seed each row is its number, its name (maybe on two lines) and its marks.
    for (const [i, row] of rows.entries()) {
      const start = lines.findIndex((l, k) => l.trim() === String(i + 1) && k > 8 && lines[k + 1]!.trim().length > 1);
      const end = i + 1 < 32 ? lines.findIndex((l, k) => k > start && l.trim() === String(i + 2)) : lines.findIndex((l) => l.startsWith('注：'));
      const seedMarks = lines.slice(start + 1, end).join('').replace(/[^√]/g, '');
      expect(row.marks, `row ${i + 1} ${row.name}`).toBe(seedMarks);
      expect(strip(lines.slice(start + 1, end).join(''))).toContain(row.name);
    }
    expect(await page.$eval(`${section} .note`, (e) => e.textContent)).toBe('注：数据来源为各省（区、市）有关情况报告。');
    // The √ is read out as a word, with a legend, to a screen reader.
    expect(await page.$eval(`${section} tbody td .sr-only`, (e) => e.textContent)).toBe('是');
    expect(await page.$eval(`${section} .legend`, (e) => e.textContent)).toContain('√ 表示');
  });

  it('is one self-contained file with semantic tables and a CSP that forbids scripts', () => {
    const html = readFileSync(file, 'utf8');
    expect(html).toMatch(/<html lang="zh-CN">/);
    expect(html).toMatch(/Content-Security-Policy" content="default-src &#x27;none&#x27;/);
    expect(html).not.toMatch(/<script|<link|src="http|url\(http/);
    expect((html.match(/<caption/g) ?? []).length).toBe(2);
    expect(html).toContain('<th scope="col"');
    expect(html).toContain('<th scope="row"');
    expect(html).toContain('<style media="print">');
  });

  it('passes the Nu HTML Checker with no error', () => {
    const errors = vnu(file).filter((m) => m.type === 'error');
    expect(errors).toEqual([]);
  });

  it.each([1280, 375])('has no axe-core WCAG 2.1 A/AA violation at %i px', async (width) => {
    const violations = await axe(browser, file, width);
    expect(violations.map((v) => `${v.id}: ${v.help} ${JSON.stringify(v.nodes.slice(0, 3).map((n) => n.target))}`)).toEqual([]);
  });

  it('fits a 375 px phone: a table wider than its box scrolls in it, with a visible cue', async () => {
    const p = await browser.newPage();
    await p.setJavaScriptEnabled(false);
    await p.setViewport({ width: 375, height: 800 });
    await p.goto(pathToFileURL(file).href);
    const { body, boxes } = await p.evaluate(() => ({
      body: document.documentElement.scrollWidth,
      boxes: [...document.querySelectorAll('.table-scroll')].map((box) => {
        const hint = box.previousElementSibling;
        return { over: box.scrollWidth > box.clientWidth, cue: !!hint && hint.classList.contains('scroll-hint') && getComputedStyle(hint).display !== 'none' && (hint as HTMLElement).offsetHeight > 0 };
      }),
    }));
    expect(body).toBeLessThanOrEqual(375);
    expect(boxes.length).toBeGreaterThan(0);
    for (const b of boxes) if (b.over) expect(b.cue).toBe(true);
    // The sample's attachments have 5 and 7 columns: both scroll on a phone, and say so.
    expect(boxes.filter((b) => b.over)).toHaveLength(2);
    await p.screenshot({ path: path.join(root, 'out/2016Q4/shot-375.png'), fullPage: true });
    await p.close();
  });

  it('is byte-identical when built twice from the same inputs', () => {
    const first = readFileSync(file);
    expect(tongbao(['build', '2016Q4', '--format', 'html'], root).status).toBe(0);
    expect(readFileSync(file).equals(first)).toBe(true);
  });
});

describe('hostile content', () => {
  it('shows markup from CSV cells, YAML strings and Markdown as text or not at all', () => {
    const ws = sampleWorkspace();
    edit(ws, 'data/2016Q4/problem-sites.csv', (t) =>
      t.replace('站点长期无法访问', '"<script>alert(1)</script><img src=x onerror=alert(2)>"').replace('多个栏目为空白，多个栏目长期不更新', '"<a href=""javascript:alert(3)"">点我</a>"'),
    );
    edit(ws, 'data/2016Q4/bulletin.yaml', (t) => t.replace('source: 中国政府网', 'source: "<script>alert(4)</script>中国政府网"').replace('label: 抽查政府网站数', 'label: "<b>x</b>"'));
    edit(ws, 'content/2016Q4/circular.md', (t) =>
      t +
        '\n<script>alert(5)</script>\n\n<img src="https://evil.example/x.png" onerror="alert(6)">\n\n[点击](javascript:alert(7)) <iframe src="https://evil.example"></iframe>\n\n![远程图片](https://evil.example/y.png)\n',
    );
    const r = tongbao(['build', '2016Q4', '--format', 'html'], ws);
    expect(r.status, r.stderr).toBe(0);
    const html = readFileSync(path.join(ws, 'out/2016Q4/index.html'), 'utf8');
    const body = html.slice(html.indexOf('<body>'));
    // No element, handler or link made from the payloads: `<` only ever starts our own tags.
    expect(body).not.toMatch(/<(script|iframe|img|object|embed)\b/i);
    expect(body).not.toMatch(/<[^>]*\son\w+\s*=/i);
    expect(body).not.toMatch(/<[^>]*(href|src)\s*=\s*"?(javascript:|https?:)/i);
    // Shown as text: a long run may break (<wbr>, in a span of its own) but reads the same.
    const shown = body.replace(/<wbr>|<span class="long-word">|<\/span>/g, '');
    expect(shown).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src&#x3D;x onerror&#x3D;alert(2)&gt;');
    expect(shown).toContain('&lt;a href&#x3D;&quot;javascript:alert(3)&quot;&gt;点我&lt;/a&gt;');
    expect(shown).toContain('&lt;script&gt;alert(4)&lt;/script&gt;中国政府网');
    expect(body).toContain('点击'); // the link text stays, without its href
  });
});

describe('the circular', () => {
  it('warns at line and column for a number typed into the prose instead of bound', () => {
    const ws = sampleWorkspace();
    edit(ws, 'content/2016Q4/circular.md', (t) => t.replace('共抽查本地区、本部门政府网站{{sampled}}个', '共抽查本地区、本部门政府网站7535个'));
    const r = tongbao(['check', '2016Q4'], ws);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/content\/2016Q4\/circular\.md:5:\d+: 警告: 正文中的数字「7535」没有绑定到数据/);
  });

  it('stops with file, line and column when the circular names an unknown figure', () => {
    const ws = sampleWorkspace();
    edit(ws, 'content/2016Q4/circular.md', (t) => t.replace('{{pass_rate}}', '{{pass_rte}}'));
    const before = tongbao(['build', '2016Q4', '--format', 'html'], ws);
    expect(before.status).toBe(1);
    expect(before.stderr).toMatch(/content\/2016Q4\/circular\.md:5:\d+: 错误: 「pass_rte」没有定义/);
  });
});

it('the sample in the repository builds', () => {
  expect(readFileSync(path.join(REPO, 'content/2016Q4/circular.md'), 'utf8')).toContain('{{sampled}}');
});
