import { beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { REPO, edit, sampleWorkspace, tongbao, tongbaoAsync, type Run } from './helpers.js';
import { sharedBuild } from './shared-build.js';
import { twoAtATime } from './two-at-a-time.js';
import { parseTable } from '../src/load/table.js';
import { parseYaml, schemaMessages } from '../src/load/yaml.js';
import { Bulletin } from '../src/schema.js';
import { buildBulletin } from '../src/build.js';

type Mutate = (root: string) => void;
const data = (f: string) => `data/2016Q4/${f}`;
const write = (f: string, content: string | Uint8Array): Mutate => (root) => writeFileSync(path.join(root, f), content);
const change = (f: string, fn: (t: string) => string): Mutate => (root) => edit(root, f, fn);

/** Every file of a workspace but its outputs, with sizes: what a failed run must leave alone. */
function snapshot(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (path.relative(root, p) === 'out') continue;
      if (e.isDirectory()) walk(p);
      else out.push(`${path.relative(root, p)} ${e.isSymbolicLink() ? 'link' : statSync(p).size}`);
    }
  };
  walk(root);
  return out.sort();
}

const sitesCsv = readFileSync(path.join(REPO, 'data/2016Q4/problem-sites.csv'), 'utf8');
const yamlText = readFileSync(path.join(REPO, 'data/2016Q4/bulletin.yaml'), 'utf8');

// [what, how it is broken, the place expected in the message, a fragment of the reason]
const corpus: [string, Mutate, RegExp, string][] = [
  ['a truncated CSV, cut inside a quoted cell', write(data('problem-sites.csv'), sitesCsv.slice(0, 200) + ',"站点长'), /problem-sites\.csv:\d+:\d+: 错误/, '引号未闭合'],
  ['a truncated YAML', write(data('bulletin.yaml'), yamlText.slice(0, 900)), /bulletin\.yaml:\d+:\d+: 错误/, ''],
  ['a CSV in Big5 read as GB18030: garbled headers', write(data('institutions.csv'), Buffer.from([0xa7, 0xc7, 0xb8, 0xb9, 0x2c, 0x41, 0x0a])), /institutions\.csv:1:1: 错误/, '缺少列'],
  ['a CSV in UTF-16 with its BOM reads fine, then a ragged row', write(data('history.csv'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('期次,总体合格率\n2016Q1,81.5%,x\n', 'utf16le')])), /history\.csv:2:1: 错误/, '这一行有 3 个单元格'],
  ['a ragged row with too many cells', change(data('problem-sites.csv'), (t) => t.replace('1402210003', '1402210003,多余')), /problem-sites\.csv:3:1: 错误/, '这一行有 6 个单元格'],
  ['a spreadsheet formula in a cell', change(data('problem-sites.csv'), (t) => t.replace('站点长期无法访问', '"=HYPERLINK(""http://evil.example"",""点击"")"')), /problem-sites\.csv:3:\d+: 错误/, '像是电子表格公式'],
  ['a YAML alias bomb', write(data('bulletin.yaml'), 'a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n'), /bulletin\.yaml:1:1: 错误/, 'YAML 无法展开'],
  ['a __proto__ key', change(data('bulletin.yaml'), (t) => t.replace('figures:\n', 'figures:\n  __proto__: { value: 1 }\n')), /bulletin\.yaml:\d+:3: 错误/, '不能使用「__proto__」作为键名'],
  ['a constructor key', change(data('bulletin.yaml'), (t) => t.replace('figures:\n', 'figures:\n  constructor: 1\n')), /bulletin\.yaml:\d+:3: 错误/, '不能使用「constructor」作为键名'],
  ['a column key named prototype', change(data('bulletin.yaml'), (t) => t.replace('{ key: period, name: 期次 }', '{ key: prototype, name: 期次 }')), /bulletin\.yaml:\d+:\d+: 错误/, 'JavaScript 保留的名称'],
  ['a very large cell', change(data('problem-sites.csv'), (t) => t.replace('站点长期无法访问', '站'.repeat(20_000))), /problem-sites\.csv:3:\d+: 错误/, '单元格过长'],
  ['a very large file', (root) => truncateSync(path.join(root, data('history.csv')), 300 * 1024 * 1024), /bulletin\.yaml:\d+:\d+: 错误/, '超过 256 MB'],
  ['binary garbage for a CSV', write(data('institutions.csv'), Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256))), /institutions\.csv: 错误/, '二进制'],
  ['binary garbage for the YAML', write(data('bulletin.yaml'), Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 104729) % 256))), /bulletin\.yaml(:\d+:\d+)?: 错误/, ''],
  ['a table path with ../', change(data('bulletin.yaml'), (t) => t.replace('file: institutions.csv', 'file: ../../content/2016Q4/x.csv')), /bulletin\.yaml:\d+:11: 错误/, '指向数据目录之外'],
  ['a symlink out of the folder', (root) => { symlinkSync('/etc/hostname', path.join(root, data('out.csv'))); edit(root, data('bulletin.yaml'), (t) => t.replace('file: history.csv', 'file: out.csv')); }, /bulletin\.yaml:\d+:11: 错误/, '指向数据目录之外的链接'],
  ['a missing table file', change(data('bulletin.yaml'), (t) => t.replace('file: history.csv', 'file: histroy.csv')), /bulletin\.yaml:\d+:11: 错误/, '找不到文件「histroy.csv」'],
  ['a broken expression in the circular', write('content/2016Q4/circular.md', '正文。\n\n合格率{{pass_rate}。\n'), /circular\.md:3: 错误/, '模板表达式写法有误'],
  ['a missing circular', (root) => rmSync(path.join(root, 'content/2016Q4'), { recursive: true }), /content\/2016Q4: 错误/, '没有通报正文'],
  ['a negative count', (root) => { edit(root, data('bulletin.yaml'), (t) => t.replace("{ key: no, name: 序号, type: integer, unique: true, width: 8%, align: center }", "{ key: no, name: 序号, type: count, unique: true, width: 8%, align: center }")); edit(root, data('problem-sites.csv'), (t) => t.replace('\n3,山西', '\n-3,山西')); }, /problem-sites\.csv:4:1: 错误/, '是数量，不能为负数（-3）'],
  ['an unknown key in the YAML', change(data('bulletin.yaml'), (t) => t.replace('source: 中国政府网', 'source: 中国政府网\nsoruce: x')), /bulletin\.yaml:\d+:1: 错误/, '有未知的键 「soruce」'],
  ['a percentage where a count is declared', change(data('bulletin.yaml'), (t) => t.replace('{ key: pass_rate, name: 总体合格率, type: percent }', '{ key: pass_rate, name: 总体合格率, type: count }')), /history\.csv:2:8: 错误/, '不是整数'],
];

describe('a corpus of broken bulletins: a positioned message, exit 1, nothing written', () => {
  // Each member broken in a workspace of its own and built, two at a time; each test looks at its own.
  const built = new Map<string, { root: string; before: string[]; r: Run }>();
  beforeAll(async () => {
    await twoAtATime(corpus, async ([what, mutate]) => {
      const root = sampleWorkspace();
      mutate(root);
      const before = snapshot(root);
      built.set(what, { root, before, r: await tongbaoAsync(['build', '2016Q4', '--format', 'html'], root) });
    });
  }, 300_000);

  it.each(corpus)('%s', (what, _mutate, place, reason) => {
    const { root, before, r } = built.get(what)!;
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toMatch(place);
    expect(r.stderr).toContain(reason);
    expect(r.stderr).not.toMatch(/内部错误|\n\s+at |Error:/);
    expect(snapshot(root)).toEqual(before);
    expect(existsSync(path.join(root, 'out/2016Q4'))).toBe(false);
  });

  it('a period that does not exist', () => {
    const r = tongbao(['build', '1999Q1']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('期次 1999Q1 不存在');
  });

  it('a period name that is a path is a usage error of its own', () => {
    const r = tongbao(['build', '../../etc']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('不是期次');
  });
});

describe('nothing lost', () => {
  it('a build interrupted while printing leaves the previous PDF byte-identical', async () => {
    const root = sampleWorkspace();
    expect(sharedBuild(root, ['build', '2016Q4']).status).toBe(0);
    const pdf = path.join(root, 'out/2016Q4/bulletin.pdf');
    const before = readFileSync(pdf);
    edit(root, 'content/2016Q4/circular.md', (t) => t + '\n新增的一段。\n');
    const child = spawn(process.execPath, [path.join(REPO, 'bin/tongbao.js'), 'build', '2016Q4'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    // Wait until the print has begun: the printer's folder appears in out/ (a loaded machine takes
    // longer to get there; the wait is for the moment, not a limit on the build).
    const printing = () => readdirSync(path.join(root, 'out')).some((n) => n.startsWith('.2016Q4.print-'));
    for (let i = 0; i < 4000 && !printing(); i++) await new Promise((r) => setTimeout(r, 10));
    expect(printing()).toBe(true);
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(code).toBe(130);
    expect(stderr).toContain('已中断');
    expect(readFileSync(pdf).equals(before)).toBe(true);
    expect(readdirSync(path.join(root, 'out')).filter((n) => /^\.2016Q4\.(tmp|old|print)-/.test(n))).toEqual([]);
  });

  it('a Chromium that fails to start is tried twice, then reported, and the last PDF stays', () => {
    const root = sampleWorkspace();
    expect(sharedBuild(root, ['build', '2016Q4', '--format', 'html']).status).toBe(0);
    const html = readFileSync(path.join(root, 'out/2016Q4/index.html'));
    const fake = path.join(root, 'fake-chromium.sh');
    writeFileSync(fake, '#!/bin/sh\necho crashed >&2\nexit 3\n');
    chmodSync(fake, 0o755);
    edit(root, 'content/2016Q4/circular.md', (t) => t + '\n新增的一段。\n');
    const r = tongbao(['build', '2016Q4'], root, { PUPPETEER_EXECUTABLE_PATH: fake, TONGBAO_CHROMIUM_TIMEOUT: '10' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('生成 PDF 失败：Chromium 启动两次都没有成功');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(readFileSync(path.join(root, 'out/2016Q4/index.html')).equals(html)).toBe(true);
  });

  it('no browser at all: says how to get one', () => {
    const root = sampleWorkspace();
    const r = tongbao(['build', '2016Q4'], root, { PUPPETEER_EXECUTABLE_PATH: '/nonexistent/chrome' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('找不到 Chromium、Chrome 或 Edge 浏览器');
    expect(r.stderr).toContain('PUPPETEER_EXECUTABLE_PATH');
    expect(existsSync(path.join(root, 'out/2016Q4'))).toBe(false);
  });
});

describe('fuzzing the loaders: only typed, positioned messages come out', () => {
  const spec = { id: 'sites', file: 'x.csv', columns: [
    { key: 'no', name: '序号', type: 'integer' as const },
    { key: 'region', name: '省（区、市）/部门', type: 'region' as const },
    { key: 'site', name: '网站名称', type: 'text' as const },
    { key: 'problem', name: '存在的突出问题', type: 'text' as const },
    { key: 'code', name: '网站标识码', type: 'site-code' as const, region: 'region' },
  ] };
  const wellFormed = (m: { file: string; severity: string; reason: string; rule: string; line?: number; column?: number }) =>
    m.file === 'x.csv' && ['error', 'warning'].includes(m.severity) && m.reason.length > 0 && m.rule.length > 0 &&
    (m.line === undefined || (Number.isInteger(m.line) && m.line >= 1)) && (m.column === undefined || (Number.isInteger(m.column) && m.column >= 1));

  it('CSV loader: arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => {
        const r = parseTable(bytes, 'x.csv', spec);
        expect(r.messages.every(wellFormed)).toBe(true);
        if (!r.table) expect(r.messages.some((m) => m.severity === 'error')).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('CSV loader: the sample with characters inserted and deleted', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(sitesCsv.length), fc.nat(5), fc.constantFrom('"', ',', '\n', '\r', '√', '""', ' ', '\u0000', '=')), { minLength: 1, maxLength: 6 }), (edits) => {
        let t = sitesCsv;
        for (const [at, del, ins] of edits) t = t.slice(0, at) + ins + t.slice(at + del);
        const r = parseTable(new TextEncoder().encode(t), 'x.csv', spec);
        expect(r.messages.every(wellFormed)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('YAML loader and schema: the sample with characters inserted and deleted', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(yamlText.length), fc.nat(8), fc.constantFrom(':', '-', ' ', '\n', '"', '[', '{', '&a', '*a', '\t', '#', '__proto__: 1\n')), { minLength: 1, maxLength: 5 }), (edits) => {
        let t = yamlText;
        for (const [at, del, ins] of edits) t = t.slice(0, at) + ins + t.slice(at + del);
        const parsed = parseYaml(t, 'x.yaml');
        for (const m of parsed.messages) expect(m.line).toBeGreaterThanOrEqual(1);
        if (!parsed.source) return;
        let js: unknown;
        try {
          js = parsed.source.doc.toJS({ maxAliasCount: 50 });
        } catch {
          return; // reported as 'YAML 无法展开' by the loader
        }
        const r = Bulletin.safeParse(js);
        if (!r.success) for (const m of schemaMessages(parsed.source, r.error.issues)) expect(m.line).toBeGreaterThanOrEqual(1);
      }),
      { numRuns: 300 },
    );
  });
});

describe('isolation while printing', () => {
  it('remote images, stylesheets and fonts in a template cause no request outside the build', async () => {
    const root = sampleWorkspace();
    const { mkdirSync, cpSync } = await import('node:fs');
    mkdirSync(path.join(root, 'templates/partials'), { recursive: true });
    cpSync(path.join(REPO, 'templates'), path.join(root, 'templates'), { recursive: true });
    // A hostile template: no CSP of its own, remote and local references of every kind.
    // (An <iframe> is refused before printing: test/page-safety.test.ts.)
    edit(root, 'templates/bulletin.hbs', (t) =>
      t
        .replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, '')
        .replace(
          '</head>',
          '<link rel="stylesheet" href="https://evil.example/x.css"><style>@import url(http://evil.example/y.css); @font-face{font-family:X;src:url(https://evil.example/f.woff2)} body{font-family:X;background:url(file:///etc/hostname)}</style></head>',
        )
        .replace('<main class="bulletin">', '<main class="bulletin"><img src="https://evil.example/p.png" alt=""><img src="//evil.example/q.png" alt=""><script src="https://evil.example/s.js"></script>'),
    );
    const result = await buildBulletin(root, '2016Q4', { format: 'pdf' });
    expect(result.ok).toBe(true);
    const requests = result.requests!;
    const outside = requests.filter((r) => !r.url.startsWith('file:') && !r.url.startsWith('data:'));
    // Chromium asked for the remote things (the template named them) and was refused each time.
    expect(outside.length).toBeGreaterThanOrEqual(3);
    expect(outside.every((r) => !r.allowed)).toBe(true);
    expect(requests.filter((r) => r.url === 'file:///etc/hostname').every((r) => !r.allowed)).toBe(true);
    // What was allowed is the page itself and the font files of the build (the 楷 cut among them).
    for (const r of requests.filter((r) => r.allowed)) expect(r.url).toMatch(/print\.html$|\/@fontsource\/|\/tongbao-fonts-\d+\/cut-[0-9a-f]{32}\.ttf$|^data:/);
  });
});
