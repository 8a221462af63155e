// The page cannot be turned against its reader: every string a workspace gives (each string
// key of the schema, each cell) filled with active markup is shown as text or dropped, and
// Chromium opening the built page neither navigates nor sends a request. Every address in the
// markup points at a server listening here, so a request that got through would be seen.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { SaxesParser } from 'saxes';
import { strFromU8, unzipSync } from 'fflate';
import type { z } from 'zod';
import { Bulletin } from '../src/schema.js';
import { launchBrowser, closeBrowser } from '../src/print/browser.js';
import { PACKAGE_TEMPLATES } from '../src/render/html.js';
import { edit, sampleWorkspace, tongbao } from './helpers.js';

type Schema = z.core.$ZodType;
const defOf = (s: Schema) => (s as unknown as { _zod: { def: Record<string, unknown> & { type: string } } })._zod.def;

/**
 * The paths of every string the schema lets a workspace write freely (`attachments[].note`,
 * `figures.*.label`); strings held to a pattern (keys, dates, file names) cannot hold markup.
 * A field added to the schema is found here, and the test below fails until it is filled.
 */
function freeStrings(schema: Schema, at = ''): string[] {
  const def = defOf(schema);
  switch (def.type) {
    case 'string': {
      const checks = (def['checks'] as Schema[] | undefined) ?? [];
      return checks.some((c) => defOf(c)['format'] === 'regex') ? [] : [at];
    }
    case 'object':
      return Object.entries(def['shape'] as Record<string, Schema>).flatMap(([k, v]) => freeStrings(v, at ? `${at}.${k}` : k));
    case 'array':
      return freeStrings(def['element'] as Schema, `${at}[]`);
    case 'record':
      return freeStrings(def['valueType'] as Schema, `${at}.*`);
    case 'optional':
    case 'default':
    case 'nullable':
    case 'readonly':
      return freeStrings(def['innerType'] as Schema, at);
    case 'union':
      return [...new Set((def['options'] as Schema[]).flatMap((o) => freeStrings(o, at)))];
    case 'pipe':
      return freeStrings(def['in'] as Schema, at);
    default:
      return []; // numbers, booleans, enums, literals, tuples of keys
  }
}

/** Strings that must name something else of the workspace (a figure, a problem): no markup can pass. */
const REFERENCES: Record<string, string> = {
  'figures.*.check': 'names a computed figure',
  'accept[].rule': 'names the rule of a problem found',
  'accept[].at': 'names the place of a problem found',
  'accept[].value': 'names the number printed at that place',
  'accept[].computed': 'names the number the data give there',
  'claims[]': 'a comparison of figures, written alone',
  'claims[].check': 'a comparison of figures',
  'tables[].sheet': 'names a sheet of an .xlsx file',
  'attachments[].sheet': 'names a sheet of an .xlsx file',
};

let server: Server;
let base = '';
const requests: string[] = [];

/** Active markup of every kind, each address naming the field it was put in. */
const markup = (tag: string) =>
  `<meta http-equiv="refresh" content="0;url=${base}/meta-${tag}"><style>body{display:none}</style>` +
  `<a href="${base}/a-${tag}">a</a><img src="${base}/img-${tag}"><script>location="${base}/script-${tag}"</script>` +
  `<iframe src="${base}/iframe-${tag}"></iframe><base href="${base}/base-${tag}/"><form action="${base}/form-${tag}"><button>b</button></form>` +
  `<a href="javascript:location='${base}/js-${tag}'">j</a>![i](${base}/mdimg-${tag}) 字${tag}字`;

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'text/html' }).end('<p>phish</p>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** Open the page as a reader would; what it requested and where it went. */
async function open(file: string) {
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    const navigations: string[] = [];
    const seen: string[] = [];
    page.on('request', (r) => seen.push(r.url()));
    page.on('framenavigated', (f) => navigations.push(f.url()));
    const url = pathToFileURL(file).href;
    await page.goto(url, { waitUntil: 'load' });
    await new Promise((r) => setTimeout(r, 1500)); // a refresh of 0 s would have happened by now
    const dom = await page.evaluate(() => ({
      text: document.body.innerText,
      httpEquiv: [...document.querySelectorAll('meta[http-equiv]')].map((m) => m.getAttribute('http-equiv')),
      styles: document.querySelectorAll('style').length,
      forbidden: [...document.querySelectorAll('script, iframe, base, form, object, embed, img, link')].map((e) => e.outerHTML.slice(0, 80)),
      links: [...document.querySelectorAll('a[href]')].map((a) => a.getAttribute('href')!),
      hidden: getComputedStyle(document.body).display === 'none',
    }));
    return { url, final: page.url(), navigations, seen, ...dom };
  } finally {
    await closeBrowser(browser);
  }
}

describe('every workspace string filled with active markup', () => {
  let root = '';
  let filled = new Set<string>();
  let build: ReturnType<typeof tongbao>;

  beforeAll(() => {
    root = sampleWorkspace();
    const yamlFile = path.join(root, 'data/2016Q4/bulletin.yaml');
    const b = parse(readFileSync(yamlFile, 'utf8')) as Record<string, any>;
    const m = (p: string) => {
      filled.add(p);
      return markup(p);
    };
    // The bulletin's own words. title_lines must join to the title.
    const [t1, t2] = [m('title'), m('title_lines[]')];
    Object.assign(b, { title: t1 + t2, title_lines: [t1, t2], office: m('office'), signatory: m('signatory'), source: m('source'), keywords: [m('keywords[]')] });
    // The official elements, shown on the portal page too.
    b.document = { portal: true, classification: '秘密', classification_period: m('document.classification_period'), issuer_mark: m('document.issuer_mark'), number: m('document.number'), signer: m('document.signer'), addressee: m('document.addressee'), annotation: m('document.annotation'), cc: m('document.cc'), printed_by: m('document.printed_by'), printed_on: '2017-01-20' };
    // Reported figures: a printed value in both forms, and the words about each.
    b.figures.sampled = m('figures.*');
    b.figures.departments = { value: m('figures.*.value'), label: '部门数' };
    for (const f of Object.values(b.figures) as Record<string, unknown>[]) if (typeof f === 'object') Object.assign(f, { label: m('figures.*.label'), note: m('figures.*.note') });
    // Tables: titles, notes (Markdown), column names (the CSV header follows), aliases, values and cells.
    for (const list of ['tables', 'attachments'] as const) {
      for (const t of b[list]) {
        if (list === 'attachments') Object.assign(t, { title: m('attachments[].title'), note: m('attachments[].note') });
        for (const c of t.columns) {
          c.aliases = [m(`${list}[].columns[].aliases[]`)];
          if (c.type === undefined || c.type === 'text' || c.type === 'integer') {
            const name = m(`${list}[].columns[].name`) + c.key;
            edit(root, `data/2016Q4/${t.file}`, (csv) => csv.replace(c.name, `"${name.replace(/"/g, '""')}"`));
            c.name = name;
          }
        }
      }
    }
    // A column limited to listed values, every cell one of them. (Values are compared without
    // their spaces: this markup has none, `/` parts its attributes as well.)
    const problem = b.attachments[0].columns.find((c: { key: string }) => c.key === 'problem');
    const unspaced = (p: string) => m(p).replace(/ /g, '/');
    problem.values = [unspaced('attachments[].columns[].values[]')];
    b.tables[0].columns[0].values = ['2016Q1', '2016Q4', unspaced('tables[].columns[].values[]')];
    const cell = markup('cell');
    edit(root, 'data/2016Q4/problem-sites.csv', (csv) =>
      csv.split('\n').map((line, i) => {
        if (i === 0 || !line) return line;
        const cols = line.split(',');
        return [cols[0], cols[1], `"${cell.replace(/"/g, '""')}${i}"`, `"${problem.values[0].replace(/"/g, '""')}"`, cols[4]].join(',');
      }).join('\n'),
    );
    // Charts: titles and notes; a bar chart whose labels are those cells.
    b.charts.push({ id: 'sites', kind: 'bars', title: 'x', table: 'sites', label: 'site', value: 'no' });
    for (const c of b.charts) Object.assign(c, { title: m('charts[].title'), note: m('charts[].note') });
    // A claim's words are shown in check-report.html.
    b.claims = [{ check: 'pass_rate >= 90%', label: m('claims[].label'), note: m('claims[].note') }];
    // A problem kept on purpose: its reason is shown in check-report.html.
    b.accept = [{ rule: 'figures/disagree', at: 'consolidation_share', value: '81%', computed: '78%', reason: m('accept[].reason') }];
    writeFileSync(yamlFile, stringify(b));
    // The circular prints the words of bulletin.yaml, also where Markdown would read them.
    edit(root, 'content/2016Q4/circular.md', (md) => `${md}\n\n{{office}}**{{source}}**[{{signatory}}](${base}/md-link) {{{title}}}\n\n{{attachments.0.title}}\n`);
    build = tongbao(['build', '--format', 'html'], root);
  });

  it('fills every string key the schema allows', () => {
    const keys = freeStrings(Bulletin as unknown as Schema);
    expect(keys.length).toBeGreaterThan(20);
    const missing = keys.filter((k) => !filled.has(k) && !REFERENCES[k]);
    expect(missing, 'string fields of the schema this test does not fill: fill them below, or name them in REFERENCES with why no markup can pass').toEqual([]);
  });

  it('builds, and the page shows the markup as text or drops it, and goes nowhere', async () => {
    expect(build.stderr + build.stdout).not.toMatch(/: 错误: |Error|Cannot read|undefined/);
    expect(build.status).toBe(0);
    const html = readFileSync(path.join(root, 'out/2016Q4/index.html'), 'utf8');
    const seen = await open(path.join(root, 'out/2016Q4/index.html'));
    expect(seen.final).toBe(seen.url);
    expect(seen.navigations.filter((u) => u !== seen.url)).toEqual([]);
    expect(seen.seen.filter((u) => !u.startsWith('file:') && !u.startsWith('data:'))).toEqual([]);
    expect(requests).toEqual([]);
    expect(seen.hidden).toBe(false);
    expect(seen.httpEquiv).toEqual(['Content-Security-Policy']);
    expect(seen.styles).toBe(2);
    expect(seen.forbidden).toEqual([]);
    // Links: the page's own anchors, the one link the circular's Markdown writes, and the bare
    // addresses a note's Markdown holds (its raw markup dropped, its text kept). None from a value.
    expect(seen.links.filter((h) => !h.startsWith('#') && h !== `${base}/md-link` && !h.includes('attachments%5B%5D.note'))).toEqual([]);
    // The words are printed as they were written: markup as text (the circular's and the notes' Markdown drop it).
    for (const field of ['title', 'office', 'source', 'signatory', 'document.issuer_mark', 'document.number', 'document.signer', 'document.addressee', 'document.annotation', 'document.cc', 'document.printed_by', 'figures.*.value', 'attachments[].title', 'attachments[].columns[].name', 'charts[].title', 'charts[].note']) {
      expect(seen.text, field).toContain(`<meta http-equiv="refresh" content="0;url=${base}/meta-${field}">`);
    }
    expect(seen.text).toContain(`<script>location="${base}/script-cell"</script>`);
    expect(seen.text).toContain(`<meta/http-equiv="refresh"/content="0;url=${base}/meta-attachments[].columns[].values[]">`);
    // The notes are Markdown: their raw markup is dropped, their words kept, as in the circular.
    expect(seen.text).toContain('字attachments[].note字');
    expect(html).not.toMatch(/⟦|⟧/);
    // The chart's labels are text in its SVG.
    const svg = html.slice(html.indexOf('id="chart-sites"'));
    expect(svg).toContain('&lt;script&gt;');
  });

  it('keeps the markup as text in the check report', () => {
    const report = readFileSync(path.join(root, 'out/2016Q4/check-report.html'), 'utf8');
    expect(report).toContain('&lt;meta http-equiv=&quot;refresh&quot;');
    expect(report.match(/<meta http-equiv/g)).toHaveLength(1);
  });
});

describe("an attachment's note is Markdown, printed in a line under its table", () => {
  const root = sampleWorkspace();
  const yaml = path.join(root, 'data/2016Q4/bulletin.yaml');
  const original = readFileSync(yaml, 'utf8');
  const line = original.split('\n').findIndex((l) => l.includes('note: 注：抽查采样时间为')) + 1;
  /** The sample with attachment 1's note (line `line`) written as `note`. */
  const withNote = (note: string) => writeFileSync(yaml, original.replace(/note: 注：抽查采样时间为.*/, note));
  const errors = (r: { stdout: string; stderr: string }) => (r.stdout + r.stderr).split('\n').filter((l) => l.includes(': 错误: '));

  it('prints its emphasis and figures, drops its raw markup, and goes through the PDF printer', () => {
    // The reproduction: a refresh in the note made the printer fail ("Execution context was destroyed").
    withNote(`note: '<meta http-equiv="refresh" content="0;url=http://127.0.0.1:9/phish"><style>p{display:none}</style>注：**抽查**采样时间为{{date sampling.from}}，{{office}}。'`);
    const r = tongbao(['build'], root);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const html = readFileSync(path.join(root, 'out/2016Q4/index.html'), 'utf8');
    expect(html).toContain('<p class="note">p{display:none}注：<strong>抽查</strong>采样时间为2016年12月16日，国务院办公厅政府信息与政务公开办公室。</p>');
    expect(html.match(/http-equiv/g)).toHaveLength(1);
    const text = spawnSync('pdftotext', [path.join(root, 'out/2016Q4/bulletin.pdf'), '-'], { encoding: 'utf8' }).stdout;
    expect(text).toContain('抽查采样时间为2016年12月16日，国务院办公厅');
  });

  it('refuses {{table}} in a note at its place, in a block or a sub-expression too', () => {
    for (const [note, column] of [
      ['note: 注：见{{table institutions}}。', 14],
      ['note: "注：{{#if sampling}}{{table sites}}{{/if}}"', 30],
      ['note: 注：{{date (table sites)}}', 20],
    ] as const) {
      withNote(note);
      const r = tongbao(['check'], root);
      expect(r.status).toBe(1);
      const [e, ...more] = errors(r);
      expect(more, note).toEqual([]);
      expect(e, note).toMatch(new RegExp(`^data/2016Q4/bulletin\\.yaml:${line}:${column}: 错误: 附件1的 note 中不能写 \\{\\{table \\w+\\}\\}：表格不能印在表下注中（.*print: inline）$`));
      expect(r.stdout + r.stderr).not.toContain('⟦');
    }
  });

  it('refuses a heading, a list or a table in a note; shows a note’s unknown name at its place', () => {
    for (const note of ['note: "# 注"', 'note: "- 注一"', 'note: "| a | b |\\n| - | - |\\n| 1 | 2 |"']) {
      withNote(note);
      const r = tongbao(['check'], root);
      expect(r.status).toBe(1);
      expect(errors(r), note).toEqual([`data/2016Q4/bulletin.yaml:${line}:11: 错误: 附件1的 note 只能是表下的一段文字，不能有标题、列表、表格或引用（note 按 Markdown 排版（可用 **强调**、链接和换行）；标题、列表等写在正文中）`]);
    }
    withNote('note: 注：{{nosuch}}');
    expect(errors(tongbao(['check'], root))).toEqual([`data/2016Q4/bulletin.yaml:${line}:15: 错误: 附件1的 note：「nosuch」没有定义：不是 bulletin.yaml 中的数字，也不能由表格算出（检查拼写；tongbao stats 列出所有可用的名称）`]);
  });
});

describe("a workspace's own templates", () => {
  const root = sampleWorkspace();
  const own = (name: string, change: (s: string) => string) => {
    mkdirSync(path.join(root, 'templates/partials'), { recursive: true });
    writeFileSync(path.join(root, 'templates', name), change(readFileSync(path.join(PACKAGE_TEMPLATES, name), 'utf8')));
  };

  it('may write markup, but what they print stays text, even through {{{ }}}', () => {
    edit(root, 'data/2016Q4/bulletin.yaml', (t) => t.replace('office: 国务院办公厅政府信息与政务公开办公室', 'office: "<b>办公室</b>"'));
    edit(root, 'content/2016Q4/circular.md', (t) => t.replace('{{office}}近期', '{{{office}}}近期'));
    own('bulletin.hbs', (t) => t.replace('<main class="bulletin">', '<main class="bulletin"><p class="own"><em>本站</em>{{{office}}}{{{title}}}{{{pass_rate}}}</p>'));
    const r = tongbao(['build', '--format', 'html'], root);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const html = readFileSync(path.join(root, 'out/2016Q4/index.html'), 'utf8');
    expect(html).toContain('<p class="own"><em>本站</em>&lt;b&gt;办公室&lt;/b&gt;关于2016年第四次全国政府网站抽查情况的通报91%</p>');
    expect(html).toContain('<p>&#x3C;b>办公室&#x3C;/b>近期');
    expect(html).not.toContain('<b>');
  });

  it('are refused when they would make the page navigate, loosen its CSP, post a form or embed a page', () => {
    for (const markup of ['<meta http-equiv="refresh" content="0;url=http://127.0.0.1:9/">', '<meta http-equiv="Content-Security-Policy" content="default-src *">', '<base href="http://127.0.0.1:9/">', '<form action="http://127.0.0.1:9/"></form>', '<iframe src="about:blank"></iframe>', '<embed src="x">']) {
      own('partials/colophon.hbs', () => '');
      own('bulletin.hbs', (t) => t.replace('</main>', `${markup}</main>`));
      const r = tongbao(['check'], root);
      expect(r.status, markup).toBe(1);
      const e = (r.stdout + r.stderr).split('\n').filter((l) => l.includes(': 错误: '));
      expect(e, markup).toHaveLength(1);
      // Shown where the template writes it.
      const main = readFileSync(path.join(PACKAGE_TEMPLATES, 'bulletin.hbs'), 'utf8').split('\n').findIndex((l) => l.startsWith('</main>')) + 1;
      expect(e[0], markup).toMatch(new RegExp(`^templates/bulletin\\.hbs:${main}:\\d+: 错误: 生成的网页中有 .+：通报页面不能自行跳转、改变链接的去处、提交表单或嵌入其他页面（.*templates/ 中自己改写的模板.*）$`));
    }
  });
});

describe('the Word document and the OFD', () => {
  it('hold markup of the words as text, in XML that parses', () => {
    const root = sampleWorkspace();
    const markupText = `<meta http-equiv="refresh" content="0;url=http://127.0.0.1:9/"><style>*{display:none}</style><script>x()</script>]]><!-- &amp; ' "`;
    const quoted = `'${markupText.replace(/'/g, "''")}`;
    edit(root, 'data/2016Q4/bulletin.yaml', (t) =>
      t
        .replace('office: 国务院办公厅政府信息与政务公开办公室', `office: ${quoted}办公室'`)
        .replace('title: 关于2016年第四次全国政府网站抽查情况的通报', `title: ${quoted}通报'`)
        .replace('note: 注：数据来源为各省（区、市）有关情况报告。', `note: ${quoted}注：数据来源为各省（区、市）有关情况报告。'`),
    );
    edit(root, 'data/2016Q4/problem-sites.csv', (t) => t.replace('站点长期无法访问', `"${markupText.replace(/"/g, '""')}"`));
    for (const format of ['docx', 'ofd']) {
      const r = tongbao(['build', '--format', format], root);
      expect(r.status, r.stdout + r.stderr).toBe(0);
      const parts = unzipSync(readFileSync(path.join(root, `out/2016Q4/bulletin.${format}`)));
      let text = '';
      for (const [name, bytes] of Object.entries(parts)) {
        if (!name.endsWith('.xml')) continue;
        const parser = new SaxesParser();
        parser.on('error', (e) => {
          throw new Error(`${format} ${name}: ${e.message}`);
        });
        parser.on('text', (t) => (text += t));
        parser.write(strFromU8(bytes)).close();
      }
      // The words as they were written (the note's raw markup is dropped: it is Markdown).
      expect(text, format).toContain(`${markupText}办公室`);
      expect(text, format).toContain('<script>x()</script>]]>');
    }
  });
});

describe('internal marks', () => {
  it('a value that reads as a table mark, or as a bare link, prints as the text it is', () => {
    const root = sampleWorkspace();
    edit(root, 'data/2016Q4/bulletin.yaml', (t) => t.replace('office: 国务院办公厅政府信息与政务公开办公室', 'office: ⟦table:institutions⟧').replace('source: 中国政府网', 'source: www.gov.cn http://www.gov.cn/ a@gov.cn'));
    edit(root, 'content/2016Q4/circular.md', (t) => `${t}\n\n{{office}}\n\n{{source}}\n`);
    const r = tongbao(['build', '--format', 'html'], root);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const html = readFileSync(path.join(root, 'out/2016Q4/index.html'), 'utf8');
    expect(html).toContain('<p>⟦table:institutions⟧</p>');
    expect(html).toContain('<p>www.gov.cn http://www.gov.cn/ a@gov.cn</p>');
    expect(html).not.toContain('class="inline-table');
    expect(html).not.toContain('\uFDD2');
  });
});
