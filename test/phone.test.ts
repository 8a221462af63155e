// The portal page on a phone (issue 35): 375 px wide, as Chromium draws it. Titles break only
// between the words the print breaks between, column headers keep their words whole, and a
// table that scrolls keeps its header row and first column in view. Screenshots are kept in
// a folder the test names, for a person to look at.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'puppeteer-core';
import { closeBrowser, launchBrowser } from '../src/print/browser.js';
import { edit, exampleWorkspace, sampleWorkspace } from './helpers.js';
import { sharedBuildAsync } from './shared-build.js';
import { twoAtATime } from './two-at-a-time.js';

const SHOTS = mkdtempSync(path.join(tmpdir(), 'tongbao-phone-'));

interface Case {
  name: string;
  root: string;
  period: string;
}

/** The page of a workspace just made (a build of the same inputs earlier in the run is copied). */
async function built(name: string, root: string, period: string): Promise<Case> {
  const r = await sharedBuildAsync(root, ['build', period, '--format', 'html']);
  expect(r.status, r.stderr).toBe(0);
  return { name, root, period };
}

async function open(browser: Browser, c: Case): Promise<Page> {
  const page = await browser.newPage();
  await page.setViewport({ width: 375, height: 740, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  await page.goto(pathToFileURL(path.join(c.root, 'out', c.period, 'index.html')).href, { waitUntil: 'load' });
  await page.evaluate(() => document.fonts.ready);
  return page;
}

/**
 * The lines of each title and column header as drawn: the characters of each element grouped
 * by the line their box is on.
 */
function drawnLines(page: Page): Promise<{ what: string; lines: string[] }[]> {
  return page.evaluate(() => {
    const out: { what: string; lines: string[] }[] = [];
    for (const el of document.querySelectorAll('h1.title, h2.attachment-title, thead th')) {
      const lines: { top: number; text: string }[] = [];
      const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const text = n.textContent ?? '';
        for (let i = 0; i < text.length; i++) {
          const range = document.createRange();
          range.setStart(n, i);
          range.setEnd(n, i + 1);
          const r = range.getClientRects()[0];
          if (!r || r.width === 0) continue;
          const line = lines.find((l) => Math.abs(l.top - r.top) < r.height / 2);
          if (line) line.text += text[i];
          else lines.push({ top: r.top, text: text[i]! });
        }
      }
      out.push({ what: el.tagName.toLowerCase() === 'th' ? 'header' : 'title', lines: lines.sort((a, b) => a.top - b.top).map((l) => l.text) });
    }
    return out;
  });
}

/** Words of the screenshots that were broken, and other words of the kind. */
const WORDS = ['通报', '示例', '政府网站', '序号', '网站数', '合格率', '季度', '全国', '网站名称', '网站标识码', '新媒体', '政务新媒体'];

/** A break inside one of the words: the text of two lines joined has the word across the join. */
function brokenWords(lines: string[]): string[] {
  const broken: string[] = [];
  for (let i = 0; i + 1 < lines.length; i++) {
    const at = lines[i]!.length;
    const both = lines[i]! + lines[i + 1]!;
    for (const w of WORDS) for (let k = both.indexOf(w); k >= 0; k = both.indexOf(w, k + 1)) if (k < at && k + w.length > at) broken.push(`${lines[i]}/${lines[i + 1]}`);
  }
  return broken;
}

describe('the portal page at 375 px', () => {
  let browser: Browser;
  const cases: Case[] = [];
  beforeAll(async () => {
    const long = sampleWorkspace();
    // A title of many words, and headers of a narrow table (the issue's 「抽查网站/数」).
    edit(long, 'data/2016Q4/bulletin.yaml', (t) => t.replace(/^title: .*$/m, 'title: 关于2016年第四季度全省政府网站和政务新媒体检查情况的通报（示例）'));
    const workspaces: [string, string, string][] = [
      ['sample', sampleWorkspace(), '2016Q4'],
      ['sample with a long title', long, '2016Q4'],
      ['city 2017Q1', exampleWorkspace('city'), '2017Q1'],
      ['city 2017Q2', exampleWorkspace('city'), '2017Q2'],
      ['province', exampleWorkspace('province'), '2023Q3'],
    ];
    cases.push(...(await twoAtATime(workspaces, ([name, root, period]) => built(name, root, period))));
    browser = await launchBrowser();
  }, 300_000);
  afterAll(async () => {
    if (browser) await closeBrowser(browser);
  });

  it('breaks titles and column headers between words only', async () => {
    let titles = 0;
    let headers = 0;
    for (const c of cases) {
      const page = await open(browser, c);
      await page.screenshot({ path: path.join(SHOTS, `${c.name.replace(/\s+/g, '-')}.png`), fullPage: true });
      for (const el of await drawnLines(page)) {
        if (el.what === 'title') titles++;
        else headers++;
        expect(brokenWords(el.lines), `${c.name}: ${el.what} ${el.lines.join('/')}`).toEqual([]);
        // No line of a single character (「号」, 「数」 alone).
        if (el.lines.length > 1) for (const l of el.lines) expect(l.length, `${c.name}: ${el.what} ${el.lines.join('/')}`).toBeGreaterThan(1);
      }
      await page.close();
    }
    expect(titles).toBeGreaterThan(8);
    expect(headers).toBeGreaterThan(20);
    console.log(`phone screenshots: ${SHOTS}`);
  }, 120_000);

  it('the check can fail: the same page without the word breaks breaks inside words', async () => {
    const page = await open(browser, cases.find((c) => c.name === 'sample with a long title')!);
    await page.addStyleTag({ content: '.word { white-space: normal !important; }' });
    const lines = (await drawnLines(page)).filter((e) => e.what === 'title');
    expect(lines.some((e) => brokenWords(e.lines).length > 0), JSON.stringify(lines)).toBe(true);
    await page.close();
  }, 60_000);

  it('keeps the header row and first column of a scrolling table in view', async () => {
    const c = cases.find((x) => x.name === 'sample')!;
    const page = await open(browser, c);
    // The √ matrix of the sample: 32 rows, scrolled inside its box.
    const matrix = await page.$('.attachment-matrix .table-scroll.wide');
    expect(matrix).not.toBeNull();
    await matrix!.scrollIntoView();
    const before = await page.evaluate((box) => {
      const head = box.querySelector('thead th')!.getBoundingClientRect();
      return { box: box.getBoundingClientRect().top, head: head.top, scrollable: box.scrollHeight > box.clientHeight + 100, wide: box.scrollWidth > box.clientWidth };
    }, matrix!);
    expect(before.scrollable).toBe(true);
    expect(before.wide).toBe(true);
    await page.evaluate((box) => box.scrollBy(120, 400), matrix!);
    const after = await page.evaluate((box) => {
      const b = box.getBoundingClientRect();
      const head = box.querySelector('thead th:nth-child(3)')!.getBoundingClientRect();
      const first = box.querySelector('tbody tr:nth-child(12) > :first-child')!.getBoundingClientRect();
      // What a reader sees at the header's and the first column's places: the header and the row's first cell.
      const atHead = document.elementFromPoint(head.left + head.width / 2, head.top + head.height / 2);
      const atFirst = document.elementFromPoint(first.left + 4, first.top + first.height / 2);
      return { box: { top: b.top, left: b.left }, head: { top: head.top }, first: { left: first.left }, scrolled: [box.scrollLeft, box.scrollTop], headSeen: atHead?.closest('thead') !== null, firstSeen: atFirst?.closest('tr > :first-child') !== null && atFirst?.closest('tbody') !== null };
    }, matrix!);
    await page.screenshot({ path: path.join(SHOTS, 'sample-matrix-scrolled.png') });
    expect(after.scrolled[1]).toBeGreaterThan(300);
    expect(after.scrolled[0]).toBeGreaterThan(50);
    // The header row stays at the box's top, the first column at its left.
    expect(Math.abs(after.head.top - after.box.top)).toBeLessThan(1.5);
    expect(Math.abs(after.first.left - after.box.left)).toBeLessThan(1.5);
    expect(after.headSeen).toBe(true);
    expect(after.firstSeen).toBe(true);
    await page.close();
  }, 60_000);
});
