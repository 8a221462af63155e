// Inputs that used to give a wrong figure or a crash with no word (issue 18), each tested as a
// family: the spelling that was found and others like it.
import { beforeAll, describe, expect, it } from 'vitest';
import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { request } from 'node:http';
import zlib from 'node:zlib';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { REPO, edit, sampleWorkspace, sitesSpec, tongbao, tongbaoAsync } from './helpers.js';
import { twoAtATime as inPairs } from './two-at-a-time.js';
import { sharedBuild } from './shared-build.js';
import { parseTable } from '../src/load/table.js';
import { checkTable } from '../src/check/pass.js';
import { formatMessage, LISTED_PER_RULE } from '../src/messages.js';
import { roundedDecimal } from '../src/values.js';
import { checkXmp, xmpPacket } from '../src/archive/pdfa.js';

/** A copy of examples/city to change. */
function cityWorkspace(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'tongbao-city-'));
  cpSync(path.join(REPO, 'examples', 'city'), root, { recursive: true });
  return root;
}
const DISTRICTS = 'data/2017Q1/districts.csv';
const json = (r: { stdout: string }) => JSON.parse(r.stdout);
/** The figures `stats` shows, by name: one run of the CLI, read for as many figures as a test needs. */
const figures = async (root: string, period: string) => {
  const r = await tongbaoAsync(['stats', period, '--json', '--root', root], root);
  return (name: string) => json(r).figures.find((f: { name: string }) => f.name === name)?.display;
};
/** `tongbao check` without blocking, so that the members of a family run two at a time. */
const check = (args: string[], cwd = REPO) => tongbaoAsync(['check', ...args], cwd);
/** Runs `test` on a workspace of its own made by `make`, removed afterwards. */
const inOwn = async <T>(make: () => string, test: (root: string) => Promise<T>): Promise<T> => {
  const root = make();
  try {
    return await test(root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
};

describe('a total row however it is written', () => {
  // The city's districts: 130 sampled, 115 passed; the last row is its 合计.
  const spellings = ['合计', '合 计', '合　计', ' 合计 ', '合计：', '合计:', '全市合计', '全市合 计：', '总计', '总 计', '全区总计'];
  it('is the total, never a member: sums stay 130/115, and a wrong total is reported', async () => {
    // Each spelling in a workspace of its own, two at a time.
    await inPairs(spellings, (label) =>
      inOwn(cityWorkspace, async (root) => {
        const file = path.join(root, DISTRICTS);
        const original = readFileSync(file, 'utf8');
        writeFileSync(file, original.replace('合计,130,115,88.5%', `${label.includes(' ') ? `"${label}"` : label},130,115,88.5%`));
        const figure = await figures(root, '2017Q1');
        expect(figure('districts.sampled.sum'), label).toBe('130');
        expect(figure('districts.passed.sum'), label).toBe('115');
        writeFileSync(file, original.replace('合计,130,115,88.5%', `${label.includes(' ') ? `"${label}"` : label},131,115,87.8%`));
        const r = await check(['2017Q1', '--root', root]);
        expect(r.status, label).toBe(1);
        expect(r.stderr, label).toContain('合计行的「抽查网站数」为 131，各行之和为 130');
        expect(r.stderr, label).not.toContain('已按「'); // a total's label is not a name to normalise
      }),
    );
  });

  it('小计 is neither counted nor checked, and the user is told', async () => {
    await inPairs(['小计', '城区小计', '城区小计：', '小 计'], (label) =>
      inOwn(cityWorkspace, async (root) => {
        const file = path.join(root, DISTRICTS);
        const original = readFileSync(file, 'utf8');
        // A subtotal of the first two districts, after them.
        writeFileSync(file, original.replace('西城区,18,17,94.4%\n', `西城区,18,17,94.4%\n${label.includes(' ') ? `"${label}"` : label},42,41,97.6%\n`));
        expect((await figures(root, '2017Q1'))('districts.sampled.sum'), label).toBe('130');
        const r = await check(['2017Q1', '--root', root]);
        expect(r.status, label).toBe(0);
        expect(r.stderr, label).toMatch(/districts\.csv:4:1: 警告: 「.*小 ?计.*」是小计行：不计入各行之和，也不与各行核对/);
        // Its own rate is still checked against its own counts.
        writeFileSync(file, original.replace('西城区,18,17,94.4%\n', `西城区,18,17,94.4%\n${label.includes(' ') ? `"${label}"` : label},42,41,97.5%\n`));
        expect((await check(['2017Q1', '--root', root])).stderr, label).toContain('印为 97.5%，按「合格网站数」/「抽查网站数」41/42');
      }),
    );
  });

  it('is told apart in a streamed table as in a held one', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tongbao-totals-'));
    try {
      const spec = sitesSpec();
      const lines = ['网站标识码,省（区、市）,网站类型,抽查数,合格数,是否合格'];
      for (let i = 0; i < 30_000; i++) lines.push(`14${String(i).padStart(8, '0')},山西,县级政府网站,10,9,`);
      for (const label of ['"合 计"', '全省合计：']) {
        const file = path.join(dir, 'sites.csv');
        writeFileSync(file, [...lines, `,${label},,300000,270000,`].join('\n') + '\n');
        const streamed = await checkTable({ id: 'sites', file: 'sites.csv', spec, path: file, streamed: true }, 'sites.csv');
        const held = await checkTable(parseTable(readFileSync(file), 'sites.csv', spec).table!, 'sites.csv');
        for (const c of [streamed, held]) {
          const sum = c.figures!.find((f) => f.name === 'sites.sampled.sum')!;
          expect(sum.value, label).toEqual({ type: 'integer', value: 300000n });
          expect(c.problems, label).toEqual([]);
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is only a total in a naming column when written as a suffix: a problem text ending in 合计 is data', async () => {
    const spec = { id: 't', file: 't.csv', columns: [{ key: 'site', name: '网站', type: 'text' as const }, { key: 'problem', name: '问题', type: 'text' as const }, { key: 'n', name: '数', type: 'count' as const }] };
    const t = parseTable(Buffer.from('网站,问题,数\n甲网,无法合计,1\n乙网,正常,2\n'), 't.csv', spec).table!;
    const c = await checkTable(t, 't.csv');
    expect(c.figures!.find((f) => f.name === 't.n.sum')!.value).toEqual({ type: 'integer', value: 3n });
  });
});

describe('numbers from a spreadsheet', () => {
  it('are rounded from their shortest decimal, half-up, never through binary floating point', () => {
    expect(roundedDecimal(0.8155, 2, 1)).toBe('81.6'); // (0.8155 * 100).toFixed(1) is 81.5
    expect(roundedDecimal(0.12345, 2, 2)).toBe('12.35');
    expect(roundedDecimal(0.145, 2, 0)).toBe('15');
    expect(roundedDecimal(1.005, 2, 1)).toBe('100.5');
    expect(roundedDecimal(0.0005, 2, 1)).toBe('0.1');
    expect(roundedDecimal(1e-7, 2, 1)).toBe('0.0');
    expect(roundedDecimal(1, 2, 0)).toBe('100');
    expect(roundedDecimal(-0.8155, 2, 1)).toBe('-81.6');
    expect(roundedDecimal(12345678.9, 0, 0)).toBe('12345679');
  });

  it('show a percentage as Excel does: 0.8155 as 0.0% is 81.6%, and agrees with its counts', async () => {
    const ExcelJS = (await import('exceljs')).default;
    const root = cityWorkspace();
    try {
      const wb = new ExcelJS.Workbook();
      const ws = wb.addWorksheet('各区县');
      ws.addRow(['区县', '抽查网站数', '合格网站数', '合格率']);
      const rows: [string, number, number, number, string][] = [
        ['东城区', 10000, 8155, 0.8155, '0.0%'],
        ['西城区', 20000, 2469, 0.12345, '0.00%'],
        ['南湖区', 200, 29, 0.145, '0%'],
        ['北山区', 20000, 10, 0.0005, '0.0%'],
      ];
      for (const [name, sampled, passed, rate, format] of rows) {
        const row = ws.addRow([name, sampled, passed, rate]);
        row.getCell(4).numFmt = format;
      }
      await wb.xlsx.writeFile(path.join(root, 'data/2017Q1/districts.xlsx'));
      const yaml = path.join(root, 'data/2017Q1/bulletin.yaml');
      writeFileSync(yaml, readFileSync(yaml, 'utf8').replace('file: districts.csv', 'file: districts.xlsx').replace(/overall_rate:\n(?:    .*\n)+/, ''));
      const r = tongbao(['check', '2017Q1', '--json', '--root', root]);
      const rates = json(r).messages.filter((m: { rule: string }) => m.rule === 'figures/rate');
      expect(rates.map(formatMessage)).toEqual([]);
      expect(tongbao(['stats', '2017Q1', '--root', root]).stdout).toMatch(/districts\.rate\.first  81\.6%/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('invisible characters', () => {
  const cases: [string, string, string][] = [
    ['\u202e', 'U+202E', '双向文字控制字符'],
    ['\u2067', 'U+2067', '双向文字控制字符'],
    ['\u200f', 'U+200F', '双向文字控制字符'],
    ['\u000b', 'U+000B', '控制字符'],
    ['\u0007', 'U+0007', '控制字符'],
    ['\u0085', 'U+0085', '控制字符'],
  ];
  it('in a cell are refused at the cell, naming the character', async () => {
    await inPairs(cases, ([ch, code, kind]) =>
      inOwn(cityWorkspace, async (root) => {
        const file = path.join(root, 'data/2017Q1/problem-sites.csv');
        const lines = readFileSync(file, 'utf8').split('\n');
        const cells = lines[2]!.split(',');
        cells[2] = `某某${ch}网站`;
        lines[2] = cells.join(',');
        writeFileSync(file, lines.join('\n'));
        const r = await check(['2017Q1', '--root', root]);
        expect(r.status, code).toBe(1);
        const col = lines[2]!.indexOf('某某') + 1;
        expect(r.stderr, code).toContain(`problem-sites.csv:3:${col}: 错误: 「网站名称」的单元格含有看不见的${kind} ${code}（第 3 个字符）`);
      }),
    );
  });

  it('of writing direction pass in a column declared bidi: true; control characters still do not', () => {
    const root = cityWorkspace();
    try {
      const yaml = path.join(root, 'data/2017Q1/bulletin.yaml');
      writeFileSync(yaml, readFileSync(yaml, 'utf8').replace('{ key: site, name: 网站名称, width: 36% }', '{ key: site, name: 网站名称, width: 36%, bidi: true }'));
      const file = path.join(root, 'data/2017Q1/problem-sites.csv');
      const original = readFileSync(file, 'utf8');
      const put = (ch: string) => writeFileSync(file, original.replace(/(\n\d+,[^,\n]+,)([^,\n]+)/, `$1\u2067مرحبا${ch}\u2069$2`));
      put('');
      expect(tongbao(['check', '2017Q1', '--root', root]).status).toBe(0);
      put('\u000b');
      expect(tongbao(['check', '2017Q1', '--root', root]).stderr).toContain('U+000B');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('in bulletin.yaml are refused where they are, before anything is built', async () => {
    const original = readFileSync(path.join(REPO, 'data/2016Q4/bulletin.yaml'), 'utf8');
    const lines = original.split('\n');
    const titleLine = lines.findIndex((l) => l.startsWith('title:')) + 1;
    const officeLine = lines.findIndex((l) => l.startsWith('office:')) + 1;
    await inPairs(
      [
        [(t: string) => t.replace(/^title: (.*)$/m, 'title: "$1\\v"'), titleLine, 'U+000B'],
        [(t: string) => t.replace(/^title: (.*)$/m, 'title: "\\u202e$1"'), titleLine, 'U+202E'],
        [(t: string) => t.replace(/^office: (.*)$/m, 'office: "$1\\x07"'), officeLine, 'U+0007'],
      ] as [(t: string) => string, number, string][],
      ([change, line, code]) =>
        inOwn(sampleWorkspace, async (root) => {
          writeFileSync(path.join(root, 'data/2016Q4/bulletin.yaml'), change(original));
          const r = await tongbaoAsync(['build', '2016Q4', '--format', 'html', '--root', root], REPO);
          expect(r.status, code).toBe(1);
          expect(r.stderr, code).toMatch(new RegExp(`bulletin\\.yaml:${line}:\\d+: 错误: .*${code.replace('+', '\\+')}`));
        }),
    );
  });

  it('would make an XMP packet no XML parser reads: it is checked before PDF/A is claimed', () => {
    expect(() => checkXmp(xmpPacket({ Title: '关于抽查情况的通报', Author: '某某办公室' }))).not.toThrow();
    for (const bad of ['\u000b', '\u0000', '\ufffe']) expect(() => checkXmp(xmpPacket({ Title: `通报${bad}` })), JSON.stringify(bad)).toThrow();
  });
});

describe('a table with a great many bad rows', () => {
  /** A city workspace whose problem-sites (held) or a data table (streamed) has `n` broken rows. */
  function broken(kind: 'streamed-integer' | 'held-ragged' | 'held-quote', n: number): string {
    const root = cityWorkspace();
    const dir = path.join(root, 'data/2017Q1');
    if (kind === 'streamed-integer') {
      const lines = ['区县,抽查网站数'];
      for (let i = 0; i < n; i++) lines.push(`区${i},十`);
      writeFileSync(path.join(dir, 'big.csv'), lines.join('\n') + '\n');
      const yaml = path.join(dir, 'bulletin.yaml');
      writeFileSync(yaml, readFileSync(yaml, 'utf8').replace(/^tables:( \[\])?$/m, 'tables:\n  - id: big\n    file: big.csv\n    columns:\n      - { key: name, name: 区县 }\n      - { key: n, name: 抽查网站数, type: count }'));
    } else {
      const file = path.join(dir, 'problem-sites.csv');
      const [header] = readFileSync(file, 'utf8').split('\n');
      const lines = [header];
      for (let i = 0; i < n; i++) lines.push(kind === 'held-ragged' ? `${i + 1},东城区,某网站,问题` : `${i + 1},东城区,某"网站,问题,1101010001`);
      writeFileSync(file, lines.join('\n') + '\n');
    }
    return root;
  }

  const kinds = [['streamed-integer', 'cell/integer'], ['held-ragged', 'csv/ragged-row'], ['held-quote', 'csv/']] as const;
  // The three checks run in beforeAll, two at a time; each test reads its own.
  const checked = new Map<string, Awaited<ReturnType<typeof check>>>();
  beforeAll(async () => {
    await inPairs(kinds, ([kind]) => inOwn(() => broken(kind, 130_000), async (root) => void checked.set(kind, await check(['2017Q1', '--json', '--root', root]))));
  }, 240_000);

  for (const [kind, rule] of kinds) {
    it(`lists the first ${LISTED_PER_RULE} of each kind and counts the rest (${kind}, 130,000 rows)`, () => {
      {
        const r = checked.get(kind)!;
        expect(r.stderr).not.toContain('内部错误');
        expect(r.status).toBe(1);
        const messages: { rule: string; reason: string; line?: number }[] = json(r).messages.filter((m: { rule: string }) => m.rule.startsWith(rule));
        expect(messages.length).toBe(LISTED_PER_RULE + 1);
        const rest = messages.find((m) => m.reason.startsWith('从这里起还有'))!;
        expect(rest.reason).toBe(`从这里起还有 ${130_000 - LISTED_PER_RULE} 处同类问题（${messages[0]!.rule}）未逐条列出`);
        expect(rest.line).toBe(LISTED_PER_RULE + 2);
      }
    });
  }
});

describe('the preview server', () => {
  /** A request with the Host (and Origin) given, as a page elsewhere could send it. */
  const get = (port: number, pathname: string, headers: Record<string, string>) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: pathname, headers }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => {
          body += d;
          if (pathname === '/__events') res.destroy(); // a stream: its first line is enough
        });
        res.on('close', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });

  it('answers only requests named for this machine and port (DNS rebinding), and checks the event stream\'s Origin', async () => {
    const { startPreview } = await import('../src/preview.js');
    const root = sampleWorkspace();
    const preview = await startPreview(root, '2016Q4', { port: 0 });
    try {
      const port = Number(new URL(preview.url).port);
      for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`]) {
        expect((await get(port, '/', { host })).status, host).toBe(200);
      }
      for (const host of [`evil.example:${port}`, `localhost.evil.example:${port}`, `127.0.0.1:${port + 1}`, '127.0.0.1', 'evil.example']) {
        const r = await get(port, '/', { host });
        expect(r.status, host).toBe(403);
        expect(r.body).not.toContain('通报');
      }
      expect((await get(port, '/__events', { host: `127.0.0.1:${port}`, origin: 'http://evil.example' })).status).toBe(403);
      expect((await get(port, '/__events', { host: `127.0.0.1:${port}`, origin: `http://localhost:${port}` })).status).toBe(200);
      // A query string is the same page.
      for (const p of ['/?x=1', '/index.html?v=2', '/#top']) expect((await get(port, p, { host: `127.0.0.1:${port}` })).status, p).toBe(200);
    } finally {
      await preview.close();
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('shows a message holding $` or $& once, over one copy of the page', async () => {
    const { startPreview } = await import('../src/preview.js');
    const root = sampleWorkspace();
    const preview = await startPreview(root, '2016Q4', { port: 0 });
    try {
      const port = Number(new URL(preview.url).port);
      for (const text of ['$`', '$&', "$'", '$1']) {
        const file = path.join(root, 'data/2016Q4/problem-sites.csv');
        writeFileSync(file, readFileSync(file, 'utf8').replace(/1407810012|X[^,\n]*X/, () => `X${text}X`));
        await preview.rebuild();
        const page = (await get(port, '/', { host: `127.0.0.1:${port}` })).body;
        expect(page.match(/<!DOCTYPE html>/gi)?.length, text).toBe(1);
        expect(page, text).toContain(`「X${text.replace('&', '&amp;').replace("'", '&#39;')}X」`);
      }
    } finally {
      await preview.close();
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('fonts: official', () => {
  const face = path.join(REPO, 'node_modules/@fontsource/noto-serif-sc/files/noto-serif-sc-chinese-simplified-400-normal.woff2');
  const withFonts = (names: string[]) => {
    const root = sampleWorkspace();
    const yaml = path.join(root, 'data/2016Q4/bulletin.yaml');
    writeFileSync(yaml, `${readFileSync(yaml, 'utf8')}\nfonts: official\n`);
    if (names.length) mkdirSync(path.join(root, 'fonts'));
    for (const n of names) cpSync(face, path.join(root, 'fonts', `${n}.woff2`));
    return root;
  };

  it('names every face fonts/ lacks, as a message at fonts: in bulletin.yaml, and keeps out/', async () => {
    const cases = [
      [[], '仿宋_GB2312、方正小标宋简体、黑体、楷体_GB2312'],
      [['仿宋_GB2312'], '方正小标宋简体、黑体、楷体_GB2312'],
      [['仿宋_GB2312', '方正小标宋简体', '黑体', '宋体'], '楷体_GB2312'],
    ] as [string[], string][];
    await inPairs(cases, ([have, lacking]) =>
      inOwn(() => withFonts(have), async (root) => {
        const r = await tongbaoAsync(['build', '2016Q4', '--format', 'pdf'], root);
        expect(r.stderr, have.join()).not.toContain('内部错误');
        expect(r.status, have.join()).toBe(1);
        expect(r.stderr, have.join()).toMatch(new RegExp(`data/2016Q4/bulletin\\.yaml:\\d+:\\d+: 错误: 要求使用正式字体（fonts: official），但 fonts/ 中没有可用的${lacking}（`));
        expect(existsSync(path.join(root, 'out/2016Q4'))).toBe(false);
      }),
    );
  });

  it('builds with the four faces the README names: 宋体 (page numbers) is not required', () => {
    const root = withFonts(['仿宋_GB2312', '方正小标宋简体', '黑体', '楷体_GB2312']);
    try {
      const r = tongbao(['build', '2016Q4', '--format', 'pdf'], root);
      expect(r.status, r.stderr).toBe(0);
      expect(existsSync(path.join(root, 'out/2016Q4/bulletin.pdf'))).toBe(true);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('periods and usage', () => {
  it('a period folder that is a symbolic link within the workspace is a period like any other', () => {
    const root = sampleWorkspace();
    // An archive folder of the workspace's own; a link out of the workspace is refused
    // (test/workspace-files.test.ts).
    const elsewhere = path.join(root, 'archive');
    mkdirSync(elsewhere);
    try {
      cpSync(path.join(root, 'data/2016Q4'), path.join(elsewhere, '2017Q1'), { recursive: true });
      writeFileSync(path.join(elsewhere, '2017Q1/bulletin.yaml'), readFileSync(path.join(elsewhere, '2017Q1/bulletin.yaml'), 'utf8').replace('period: 2016Q4', 'period: 2017Q1'));
      symlinkSync(path.join(elsewhere, '2017Q1'), path.join(root, 'data/2017Q1'));
      cpSync(path.join(root, 'content/2016Q4'), path.join(root, 'content/2017Q1'), { recursive: true });
      // No period named: the latest, the linked one.
      const r = tongbao(['check', '--json'], root);
      expect(r.status, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout).period).toBe('2017Q1');
      const all = tongbao(['build', '--all', '--format', 'html', '--json'], root);
      expect(all.status, all.stderr).toBe(0);
      expect(JSON.parse(all.stdout).map((x: { period: string }) => x.period)).toEqual(['2016Q4', '2017Q1']);
    } finally {
      rmSync(root, { recursive: true, force: true });
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it('a command used wrongly exits 2, whatever the mistake, and says how to get help', async () => {
    const wrong = [
      ['check', 'foo'],
      ['check', '2016Q5'],
      ['check', '2099Q1'],
      ['stats', '2099Q1', '--json'],
      ['build', '../../etc'],
      ['build', '2099Q1', '--format', 'html'],
      ['dev', '2099Q1', '--port', '0'],
      ['check', '2016Q4', 'extra'],
      ['build', '2016Q4', '--format', 'odt'],
      ['check', '--nonsense'],
      ['frobnicate'],
      ['constructor'],
      ['__proto__'],
      ['toString'],
    ];
    await inPairs(wrong, async (args) => {
      const r = await tongbaoAsync(args, REPO);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toContain('运行 tongbao --help 查看用法');
      expect(r.stderr, args.join(' ')).not.toContain('内部错误');
    });
    expect((await check(['2099Q1'])).stderr).toContain('期次 2099Q1 不存在：没有找到 data/2099Q1/bulletin.yaml（已有的期次：2016Q4）');
  });
});

describe('verify on a folder changed after the build', () => {
  it('names a dangling link, a link, a subfolder, a hidden file and a pipe for what each is, without a crash', () => {
    const root = sampleWorkspace();
    try {
      expect(sharedBuild(root, ['build', '2016Q4', '--format', 'html']).status).toBe(0); // the plain sample's page, as other tests build it
      const out = path.join(root, 'out/2016Q4');
      const cases: [string, (dir: string) => void, string][] = [
        ['dangling link', (d) => symlinkSync(path.join(d, 'nowhere'), path.join(d, 'extra.pdf')), 'extra.pdf: 错误: 生成的目录中多了一个符号链接'],
        ['link to a copy', (d) => { cpSync(path.join(d, 'index.html'), path.join(root, 'copy.html')); rmSync(path.join(d, 'index.html')); symlinkSync(path.join(root, 'copy.html'), path.join(d, 'index.html')); }, 'index.html: 错误: 生成的目录中多了一个符号链接'],
        ['subfolder', (d) => mkdirSync(path.join(d, 'extra')), 'extra: 错误: 生成的目录中多了一个子目录'],
        ['hidden file', (d) => writeFileSync(path.join(d, '.note'), 'x'), '.note: 错误: 文件未列入 SHA256SUMS'],
        ['pipe', (d) => spawnSync('mkfifo', [path.join(d, 'fifo')]), 'fifo: 错误: 生成的目录中多了一个特殊文件'],
      ];
      for (const [what, change, said] of cases) {
        const dir = path.join(root, `check-${what.replace(/ /g, '-')}`);
        cpSync(out, dir, { recursive: true });
        change(dir);
        const r = tongbao(['verify', dir], root);
        expect(r.stderr, what).not.toContain('内部错误');
        expect(r.status, what).toBe(1);
        expect(r.stderr, what).toContain(said);
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('a seal image', () => {
  /** A real 40 × 40 red PNG, built here. */
  function png(): Buffer {
    const chunk = (type: string, body: Buffer) => {
      const len = Buffer.alloc(4);
      len.writeUInt32BE(body.length);
      const crc = Buffer.alloc(4);
      crc.writeUInt32BE(zlib.crc32(Buffer.concat([Buffer.from(type, 'latin1'), body])));
      return Buffer.concat([len, Buffer.from(type, 'latin1'), body, crc]);
    };
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(40, 0);
    ihdr.writeUInt32BE(40, 4);
    ihdr.set([8, 6, 0, 0, 0], 8);
    const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(40 * 4, Buffer.from([200, 0, 0, 255]))]);
    const idat = zlib.deflateSync(Buffer.concat(Array.from({ length: 40 }, () => row)));
    return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))]);
  }

  it('that does not decode is refused at seal: in bulletin.yaml, naming what is wrong; a good one passes', async () => {
    {
      const svg = readFileSync(path.join(REPO, 'examples/city/data/2017Q1/seal.svg'));
      const good = png();
      const bad = Buffer.from(good);
      bad[good.length - 20] ^= 0xff; // inside IDAT's CRC or data
      const cases: [string, Buffer, string | undefined][] = [
        ['seal.png', good, undefined],
        ['seal.svg', svg, undefined],
        ['seal.png', Buffer.from('not an image at all'), '开头没有 PNG 的标志'],
        ['seal.png', good.subarray(0, 60), '被截断'],
        ['seal.png', bad, '校验值不符'],
        ['seal.png', Buffer.alloc(0), '开头没有 PNG 的标志'],
        ['seal.svg', svg.subarray(0, Math.floor(svg.length / 2)), '不是合格的 XML'],
        ['seal.svg', Buffer.from('<html xmlns="http://www.w3.org/1999/xhtml"></html>'), '根元素是「html」'],
        ['seal.svg', Buffer.from([0xff, 0xfe, 0x00, 0x41]), '不是合格的 XML'],
      ];
      await inPairs(cases, ([name, bytes, said]) =>
        inOwn(cityWorkspace, async (root) => {
          const yaml = path.join(root, 'data/2017Q1/bulletin.yaml');
          writeFileSync(path.join(root, 'data/2017Q1', name), bytes);
          writeFileSync(yaml, readFileSync(yaml, 'utf8').replace('seal: seal.svg', `seal: ${name}`));
          const r = await check(['2017Q1', '--root', root]);
          expect(r.stderr, `${name} ${said}`).not.toContain('内部错误');
          if (!said) {
            expect(r.status, `${name}: ${r.stderr}`).toBe(0);
            return;
          }
          expect(r.status, said).toBe(1);
          expect(r.stderr, said).toMatch(new RegExp(`bulletin\\.yaml:\\d+:\\d+: 错误: 印章图片「${name.replace('.', '\\.')}」无法使用：.*${said}`));
        }),
      );
    }
  });
});

describe('a spreadsheet that unpacks to far more than it weighs', () => {
  it('is refused from its ZIP directory before anything is inflated, quickly and with a message', () => {
    const root = cityWorkspace();
    try {
      const yaml = path.join(root, 'data/2017Q1/bulletin.yaml');
      writeFileSync(yaml, readFileSync(yaml, 'utf8').replace('file: districts.csv', 'file: districts.xlsx'));
      const target = path.join(root, 'data/2017Q1/districts.xlsx');
      const cases: [string, string, string][] = [
        ['one sheet of 450 MB', 'for n in ["xl/worksheets/sheet1.xml"]:\n  w(n, 450)', '解压后有 450 MB'],
        ['five parts of 100 MB', 'for k in range(5):\n  w(f"xl/worksheets/sheet{k + 1}.xml", 100)', '解压后有 500 MB'],
        ['shared strings of 420 MB beside a small sheet', 'w("xl/sharedStrings.xml", 420)\nw("xl/worksheets/sheet1.xml", 1)', '解压后有 421 MB'],
      ];
      for (const [what, body, said] of cases) {
        const script = `import zipfile\nz = zipfile.ZipFile(${JSON.stringify(target)}, "w", zipfile.ZIP_DEFLATED, compresslevel=1)\ndef w(name, mb):\n  with z.open(name, "w") as f:\n    for i in range(mb): f.write(bytes(1 << 20))\nz.writestr("[Content_Types].xml", "<Types/>")\n${body}\nz.close()\n`;
        expect(spawnSync('python3', ['-c', script]).status, what).toBe(0);
        const t0 = performance.now();
        const r = tongbao(['check', '2017Q1', '--root', root]);
        expect(performance.now() - t0, what).toBeLessThan(15_000);
        expect(r.status, what).toBe(1);
        expect(r.stderr, what).toContain(`districts.xlsx: 错误: 这个 .xlsx 文件${said}，超过 400 MB 的上限，未读取`);
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('bulletin.yaml with many figures', () => {
  it('still says where a key is repeated, in a block map, a flow map and a nested one', async () => {
    const original = readFileSync(path.join(REPO, 'data/2016Q4/bulletin.yaml'), 'utf8');
    const yaml = (root: string) => path.join(root, 'data/2016Q4/bulletin.yaml');
    // Each change repeats a key; the message points at the repetition's key.
    const repeats = ([
        [(t: string) => t.replace('figures:\n', 'figures:\n  dup: 1\n  dup: 2\n'), (t: string) => t.split('\n').indexOf('  dup: 2') + 1, 3],
        [(t: string) => t.replace('figures:\n', 'figures:\n  dup: { value: 1, value: 2 }\n'), (t: string) => t.split('\n').indexOf('  dup: { value: 1, value: 2 }') + 1, 20],
        [(t: string) => t.replace(/^title: /m, 'title: x\ntitle: '), (t: string) => t.split('\n').findIndex((l, i) => i > 0 && l.startsWith('title: ') && t.split('\n')[i - 1] === 'title: x') + 1, 1],
    ] as [(t: string) => string, (t: string) => number, number][]).map(([change, line, column]) => () =>
      inOwn(sampleWorkspace, async (root) => {
        const text = change(original);
        writeFileSync(yaml(root), text);
        const r = await check(['2016Q4'], root);
        expect(r.status).toBe(1);
        expect(r.stderr).toContain(`bulletin.yaml:${line(text)}:${column}: 错误: YAML 语法错误：同一层级出现了重复的键`);
      }),
    );
    // 50,000 figures: read in linear time (the library's own check compared every pair).
    const many = () =>
      inOwn(sampleWorkspace, async (root) => {
        writeFileSync(yaml(root), original.replace('figures:\n', `figures:\n${Array.from({ length: 50_000 }, (_, i) => `  f${i}: { value: ${i}, label: 数字${i} }\n`).join('')}`));
        const r = await check(['2016Q4', '--quiet'], root);
        expect(r.status, r.stderr).toBe(0);
      });
    // The long one first, beside the three short ones.
    await inPairs([many, ...repeats], (job) => job());
  }, 120_000);
});

describe('names and codes in one form', () => {
  it('a region written with an invisible character or a space is the same region: grouped and checked as one, and said', async () => {
    await inPairs([['南\u200b湖区', '南⟨U+200B⟩湖区'], ['南 湖区', '南 湖区'], ['南\u3000湖区', '南⟨U+3000⟩湖区'], ['南\u2060湖区', '南⟨U+2060⟩湖区'], ['南\ufeff湖区', '南⟨U+FEFF⟩湖区']], ([written, shown]) =>
      inOwn(cityWorkspace, async (root) => {
        const file = path.join(root, 'data/2017Q1/checks.csv');
        // 北山区's row now names 南湖区 again, written oddly: one region twice, which unique catches.
        writeFileSync(file, readFileSync(file, 'utf8').replace(/\n(\d+),北山区,/, (_, n) => `\n${n},"${written}",`));
        const r = await check(['2017Q1', '--root', root]);
        expect(r.stderr, shown).toContain(`「区县」的「${shown}」含有`);
        expect(r.stderr, shown).toContain('已按「南湖区」处理');
        expect(r.stderr, shown).toMatch(/错误: 「区县」的「南湖区」与第 \d+ 行重复/);
      }),
    );
  });

  it('full-width digits in a site code are read as digits, and the code is checked as usual', () => {
    const root = cityWorkspace();
    try {
      const file = path.join(root, 'data/2017Q1/problem-sites.csv');
      const original = readFileSync(file, 'utf8');
      const code = /,(\d{10})\s*$/m.exec(original)![1]!;
      const wide = [...code].map((d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0)).join('');
      writeFileSync(file, original.replace(code, wide));
      let r = tongbao(['check', '2017Q1', '--root', root]);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).toContain(`「网站标识码」的「${wide}」含有全角字母或数字，已按「${code}」处理`);
      expect(r.stderr).not.toContain('不是网站标识码');
      // Province 99 does not exist: checked like any code, on its normal form.
      writeFileSync(file, original.replace(code, `９９${wide.slice(2)}`));
      r = tongbao(['check', '2017Q1', '--root', root]);
      expect(r.stderr).toContain(`已按「99${code.slice(2)}」处理`);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('a region nobody knows is an error naming the nearest known one; a department row and a full province name pass', async () => {
    const original = readFileSync(path.join(REPO, 'data/2016Q4/problem-sites.csv'), 'utf8');
    /** `check` of the sample with problem-sites.csv changed, in a workspace of its own. */
    const checkWith = (change: (t: string) => string) =>
      inOwn(sampleWorkspace, async (root) => {
        writeFileSync(path.join(root, 'data/2016Q4/problem-sites.csv'), change(original));
        return check(['2016Q4', '--root', root]);
      });
    const cases: [string, string, string | undefined][] = [
      ['火星', '「省（区、市）/部门」的「火星」不是已知的地区', undefined],
      ['山酉', '「省（区、市）/部门」的「山酉」不是已知的地区', '最接近的是「山西」'],
      ['山西省', '', undefined],
    ];
    const regions = cases.map(([region, said, near]) => async () => {
      const r = await checkWith((t) => t.replace('\n2,山西,', `\n2,${region},`));
      if (!said) {
        expect(r.stderr, region).not.toContain('不是已知的地区');
        return;
      }
      expect(r.status, region).toBe(1);
      expect(r.stderr, region).toContain(said);
      if (near) expect(r.stderr, region).toContain(near);
    });
    // A full province name still has its code checked: 山西省 with a 河北 code.
    const code = async () => expect((await checkWith((t) => t.replace(/\n2,山西,([^,]*),([^,]*),14/, '\n2,山西省,$1,$2,13'))).stderr).toContain('与这一行的地区「山西省」（14）不符');
    // A department's row: its code is bm…, its region cell names the department.
    const department = async () => expect((await checkWith((t) => t.replace(/\n2,山西,([^,]*),([^,]*),\d{10}/, '\n2,国家统计局,$1,$2,bm12000001'))).stderr).not.toContain('不是已知的地区');
    await inPairs([...regions, code, department], (job) => job());
  });

  it('a column that lists its values holds only those, and the nearest is named', () => {
    const root = cityWorkspace();
    try {
      const file = path.join(root, 'data/2017Q1/districts.csv');
      writeFileSync(file, readFileSync(file, 'utf8').replace('东城区', '东城县'));
      const r = tongbao(['check', '2017Q1', '--root', root]);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('「区县」的「东城县」不在这一列声明的取值中（最接近的是「东城区」；可以填的有：东城区、西城区、南湖区、北山区、临江县、青石县）');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('a circular the Markdown parser would choke on', () => {
  it('is refused at its line before parsing, quickly, never a stack overflow or a hang', () => {
    const root = sampleWorkspace();
    try {
      const circular = path.join(root, 'content/2016Q4/circular.md');
      const original = readFileSync(circular, 'utf8');
      const line = original.split('\n').length + 1; // the added text's first line
      const cases: [string, string, string][] = [
        ['100,000 *', 'a' + '*'.repeat(100_000), `:${line}:1: 错误: 这一行有 100001 个字符，超过 10000 个的上限`],
        ['5,000 *a', '*a'.repeat(5000), `:${line}:1: 错误: 这一行有 5000 个 Markdown 标记符号`],
        ['600 _ in a sentence', '某某'.repeat(10) + '_'.repeat(600), `:${line}:1: 错误: 这一行有 600 个 Markdown 标记符号`],
        ['20,000 >', '>'.repeat(20_000), `:${line}:1: 错误: 这一行有 20000 个字符`],
        ['17 nested quotes', '> '.repeat(17) + 'x', `:${line}:1: 错误: 这一行嵌套了 17 层`],
        ['3,000 list markers on a line', '- '.repeat(3000) + 'x', `:${line}:1: 错误: 这一行嵌套了 17 层`],
        ['a list 400 levels deep', Array.from({ length: 400 }, (_, i) => '  '.repeat(i) + '- x').join('\n'), `:${line + 17}:1: 错误: 这一行嵌套了 17 层`],
        ['100,000 [', '['.repeat(100_000), `:${line}:1: 错误: 这一行有 100000 个字符`],
        ['a circular of 2 MB', Array.from({ length: 40_000 }, () => '某某'.repeat(25)).join('\n'), ':1:1: 错误: 正文有'],
      ];
      for (const [what, added, said] of cases) {
        writeFileSync(circular, `${original}\n${added}\n`);
        const t0 = performance.now();
        const r = tongbao(['check', '2016Q4'], root);
        expect(performance.now() - t0, what).toBeLessThan(20_000);
        expect(r.stderr, what).not.toContain('内部错误');
        expect(r.status, what).toBe(1);
        expect(r.stderr, what).toContain(`content/2016Q4/circular.md${said}`);
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }, 240_000);
});

describe('the preview, when a period\'s folder is replaced whole', () => {
  it('keeps rebuilding from the new folder', async () => {
    const { startPreview } = await import('../src/preview.js');
    const root = sampleWorkspace();
    const preview = await startPreview(root, '2016Q4', { port: 0 });
    const page = async () => (await fetch(preview.url)).text();
    const waitFor = async (text: string) => {
      const t0 = performance.now();
      let p = '';
      while (performance.now() - t0 < 8000 && !(p = await page()).includes(text)) await new Promise((r) => setTimeout(r, 50));
      return p;
    };
    try {
      for (const dir of ['content', 'data']) {
        // Replaced as a restore or a checkout does: the old folder moved away, a copy put in its place.
        const folder = path.join(root, dir, '2016Q4');
        cpSync(folder, `${folder}.copy`, { recursive: true });
        rmSync(folder, { recursive: true });
        cpSync(`${folder}.copy`, folder, { recursive: true });
        rmSync(`${folder}.copy`, { recursive: true });
        await new Promise((r) => setTimeout(r, 300));
        const marker = `替换${dir}之后的改动`;
        if (dir === 'content') appendFileSync(path.join(folder, 'circular.md'), `\n${marker}。\n`);
        else edit(root, 'data/2016Q4/bulletin.yaml', (t) => t.replace(/^title: (.*)$/m, `title: $1${marker}`));
        expect(await waitFor(marker), dir).toContain(marker);
      }
    } finally {
      await preview.close();
      rmSync(root, { recursive: true, force: true });
    }
  }, 60_000);
});
