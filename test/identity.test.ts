// Issue 31, identity and totals: a total row however it is written (never summed as a member),
// names that only look alike compared in one form across rows and periods, and examples/province
// declaring what the register reads (its site names, its accounts).
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO, exampleWorkspace, tongbao, tongbaoAsync } from './helpers.js';
import { twoAtATime as inPairs } from './two-at-a-time.js';
import { parseTable } from '../src/load/table.js';
import { checkTable } from '../src/check/pass.js';
import { formatMessage } from '../src/messages.js';
import type { TableSpec } from '../src/schema.js';

const json = (r: { stdout: string }) => JSON.parse(r.stdout);

/** A table of regions (a text label column, no `values:`) and two counts; the members sum to 30 and 27. */
const regionsSpec = (label: Partial<TableSpec['columns'][number]> = {}): TableSpec => ({
  id: 't',
  file: 't.csv',
  columns: [
    { key: 'region', name: '地区', type: 'text', ...label },
    { key: 'kind', name: '类别', type: 'text', required: false },
    { key: 'sampled', name: '抽查数', type: 'count' },
    { key: 'passed', name: '合格数', type: 'count', max: 'sampled' },
  ],
});
const csvField = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** The table checked held in memory and streamed from disk: its sums and its messages, each way. */
async function bothWays(spec: TableSpec, rows: string[][]): Promise<{ sampled: unknown; messages: string[] }[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'tongbao-identity-'));
  try {
    const file = path.join(dir, 't.csv');
    const text = [spec.columns.map((c) => c.name), ...rows].map((r) => r.map(csvField).join(',')).join('\n') + '\n';
    writeFileSync(file, text);
    const parsed = parseTable(Buffer.from(text), 't.csv', spec);
    const held = await checkTable(parsed.table!, 't.csv');
    const streamed = await checkTable({ id: spec.id, file: 't.csv', spec, path: file, streamed: true }, 't.csv');
    return [
      { sampled: held.figures?.find((f) => f.name === 't.sampled.sum')?.value, messages: [...parsed.messages, ...held.problems].map(formatMessage) },
      { sampled: streamed.figures?.find((f) => f.name === 't.sampled.sum')?.value, messages: [...streamed.read, ...streamed.problems].map(formatMessage) },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const MEMBERS = [
  ['甲区', '', '10', '9'],
  ['乙区', '', '20', '18'],
];
const integer = (n: bigint) => ({ type: 'integer', value: n });

describe('a total row written another way (issue 31, item 12)', () => {
  // The issue's eleven spellings, then more of the family: traditional and Japanese forms, spaces,
  // brackets and quotes around it, a note after it, full-width and half-width forms, a region as a whole.
  const totals = [
    '總計', '汇总', '共计', '合计数', '总计（含省级部门）', '“合计”', '合\u200b计', '合\u0301计', 'Total', '全市', 'ｺﾞｳｹｲ',
    '合計', '総計', '彙總', '总 计', '【合计】', '(合计)', '（合计）', '「合计」', '合计：', 'Ｔｏｔａｌ', 'TOTAL', 'Grand Total', 'ﾄｰﾀﾙ',
    '全省', '全区', '全县', '全市合计', '全省汇总', '全市（不含市本级）', '\u2060合计', '合\u00ad计',
  ];

  it('is the total, held or streamed: the sums are the members’, and a wrong total is an error', async () => {
    for (const label of totals) {
      for (const way of await bothWays(regionsSpec(), [...MEMBERS, [label, '', '30', '27']])) {
        expect(way.sampled, label).toEqual(integer(30n));
        expect(way.messages, label).toEqual([]);
      }
      for (const way of await bothWays(regionsSpec(), [...MEMBERS, [label, '', '31', '27']])) {
        expect(way.sampled, label).toEqual(integer(30n));
        expect(way.messages.join('\n'), label).toContain('t.csv:4:');
        expect(way.messages.join('\n'), label).toContain('错误: 合计行的「抽查数」为 31，各行之和为 30');
      }
    }
  });

  it('holds its label and its empty cells as a total row, not as data: 合计 in an integer 序号 column, the label column left empty', async () => {
    const spec: TableSpec = { ...regionsSpec({ required: true }), columns: [{ key: 'no', name: '序号', type: 'integer', unique: true }, ...regionsSpec({ required: true }).columns] };
    const numbered = MEMBERS.map((r, i) => [String(i + 1), ...r]);
    for (const label of ['合计', '總計', '小计']) {
      for (const way of await bothWays(spec, [...numbered, [label, '', '', '30', '27']])) {
        expect(way.sampled, label).toEqual(integer(30n));
        expect(way.messages, label).toEqual(label === '小计' ? [expect.stringContaining('小计')] : []);
      }
    }
    // Its counts are still data, and still checked.
    for (const way of await bothWays(spec, [...numbered, ['合计', '', '', '3l', '27']])) {
      expect(way.messages.join('\n')).toContain('t.csv:4:6: 错误: 「抽查数」的「3l」不是整数');
    }
  });

  it('is the total in a cell that is not the label’s, when it reads a total word (總計, “合计”), and not when it reads 全市', async () => {
    for (const label of ['合计', '總計', '“合计”', 'Total', '合\u200b计']) {
      for (const way of await bothWays(regionsSpec(), [...MEMBERS, ['', label, '30', '27']])) expect(way.sampled, label).toEqual(integer(30n));
    }
    // 全市 in the 类别 column is data about the row, not its name: the row is a member.
    for (const way of await bothWays(regionsSpec(), [...MEMBERS, ['丙区', '全市', '5', '5']])) {
      expect(way.sampled).toEqual(integer(35n));
      expect(way.messages).toEqual([]);
    }
  });

  it('that is no total spelling but reads like one is counted and said, never summed silently', async () => {
    for (const label of ['合计：甲区', '总计以外', '小计（不计）之外', '东城区 total 2']) {
      for (const way of await bothWays(regionsSpec(), [...MEMBERS, [label, '', '5', '5']])) {
        expect(way.sampled, label).toEqual(integer(35n));
        expect(way.messages, label).toHaveLength(1);
        expect(way.messages[0], label).toMatch(/^t\.csv:4:1: 警告: 「地区」的「.*」像是合计或小计，却不是能认出的合计行写法：这一行已作为普通的一行计入各行之和/);
      }
    }
  });

  it('is data where it is data: 合计 inside a problem text, a value the column declares (全市), a long name', async () => {
    const spec: TableSpec = { id: 't', file: 't.csv', columns: [{ key: 'site', name: '网站名称', type: 'text' }, { key: 'problem', name: '存在的问题', type: 'text' }, { key: 'sampled', name: '抽查数', type: 'count' }] };
    for (const way of await bothWays(spec, [['甲网', '数据无法合计', '1'], ['乙网', '合计栏目为空', '2'], ['丙网', '“总计”数字有误', '3']])) {
      expect(way.sampled).toEqual(integer(6n));
      expect(way.messages).toEqual([]);
    }
    const listed = regionsSpec({ values: ['甲区', '乙区', '全市'] });
    for (const way of await bothWays(listed, [...MEMBERS, ['全市', '', '5', '5']])) {
      expect(way.sampled).toEqual(integer(35n));
      expect(way.messages).toEqual([]);
    }
    // A total not among the declared values is still the total, not an unknown value.
    for (const way of await bothWays(listed, [...MEMBERS, ['總計', '', '30', '27']])) {
      expect(way.sampled).toEqual(integer(30n));
      expect(way.messages).toEqual([]);
    }
  });

  it('is the total in a region column of a site list: 全省 alone is no unknown region', async () => {
    const spec: TableSpec = {
      id: 't',
      file: 't.csv',
      columns: [
        // A total row has no code (that an empty required cell is an error is the reader's rule, not this one).
        { key: 'code', name: '网站标识码', type: 'site-code', region: 'region', required: false },
        { key: 'region', name: '省（区、市）', type: 'region' },
        { key: 'sampled', name: '抽查数', type: 'count' },
      ],
    };
    const rows = [['1400000001', '山西', '10'], ['1400000002', '山西', '20']];
    for (const label of ['全省', '全国', '總計', '全省合计']) {
      for (const way of await bothWays(spec, [...rows, ['', label, '30']])) {
        expect(way.sampled, label).toEqual(integer(30n));
        expect(way.messages, label).toEqual([]);
      }
    }
  });

  it('through the CLI: 總計, 全市 and Total rows leave 130 sampled; a wrong one fails the check; a total-like name warns', async () => {
    const csvOf = (root: string) => path.join(root, 'data/2017Q1/districts.csv');
    const original = readFileSync(path.join(REPO, 'examples/city/data/2017Q1/districts.csv'), 'utf8');
    expect(original).toContain('合计,130,115,88.5%');
    /** examples/city with districts.csv changed, and the districts as a plain text column, without `values:`: nothing but the label tells a total. */
    const city = (change: (t: string) => string) => () => {
      const root = exampleWorkspace('city');
      const yaml = path.join(root, 'data/2017Q1/bulletin.yaml');
      writeFileSync(yaml, readFileSync(yaml, 'utf8').replace('{ key: district, name: 区县, type: region, width: 25%, align: center, values: [东城区, 西城区, 南湖区, 北山区, 临江县, 青石县] }', '{ key: district, name: 区县, width: 25%, align: center }'));
      writeFileSync(csvOf(root), change(original));
      return root;
    };
    const sum = async (root: string) => json(await tongbaoAsync(['stats', '2017Q1', '--json', '--root', root], root)).figures.find((f: { name: string }) => f.name === 'districts.sampled.sum')?.display;
    const own = async (make: () => string, test: (root: string) => Promise<void>) => {
      const root = make();
      try {
        await test(root);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    };
    const jobs = [
      () => own(city((t) => t.replace('合计,130,115,88.5%', '總計,130,115,88.5%')), async (root) => expect(await sum(root)).toBe('130')),
      // A wrong total is checked against the members' sum, 130: the row was not counted.
      ...['總計', '全市', 'Total', '“合计”'].map((label) => () =>
        own(city((t) => t.replace('合计,130,115,88.5%', `${csvField(label)},131,115,87.8%`)), async (root) => {
          const r = await tongbaoAsync(['check', '2017Q1', '--root', root], root);
          expect(r.status, label).toBe(1);
          expect(r.stderr, label).toMatch(/data\/2017Q1\/districts\.csv:8:\d+: 错误: 合计行的「抽查网站数」为 131，各行之和为 130/);
        }),
      ),
      () =>
        own(city((t) => t.replace('合计,130,115,88.5%', '合计：东城区,130,115,88.5%')), async (root) => {
          const r = await tongbaoAsync(['check', '2017Q1', '--root', root], root);
          expect(r.status).toBe(0);
          expect(r.stderr).toContain('data/2017Q1/districts.csv:8:1: 警告: 「区县」的「合计：东城区」像是合计或小计');
          expect(await sum(root)).toBe('260');
        }),
    ];
    await inPairs(jobs, (job) => job());
  }, 180_000);
});

describe('names that only look alike (issue 31, item 13)', () => {
  /** A workspace of new-media account lists, one per period. */
  function accounts(periods: Record<string, string[]>): string {
    const root = mkdtempSync(path.join(tmpdir(), 'tongbao-lookalike-'));
    for (const [period, rows] of Object.entries(periods)) {
      mkdirSync(path.join(root, 'data', period), { recursive: true });
      mkdirSync(path.join(root, 'content', period), { recursive: true });
      writeFileSync(path.join(root, 'content', period, 'circular.md'), '现将检查情况通报如下。\n');
      writeFileSync(path.join(root, 'data', period, 'accounts.csv'), `序号,平台,账号名称,存在的问题\n${rows.map((r, i) => `${i + 1},${r}`).join('\n')}\n`);
      writeFileSync(
        path.join(root, 'data', period, 'bulletin.yaml'),
        `title: 关于${period}政务新媒体检查情况的通报\nperiod: ${period}\noffice: 某某办公室\nsource: 某某网\npublished: 2017-01-10\nsigned: 2017-01-09\nattachments:\n  - id: accounts\n    kind: table\n    title: 问题账号名单\n    file: accounts.csv\n    account: { platform: platform, name: name }\n    columns:\n      - { key: no, name: 序号, type: integer }\n      - { key: platform, name: 平台 }\n      - { key: name, name: 账号名称 }\n      - { key: problem, name: 存在的问题 }\n`,
      );
    }
    return root;
  }

  it('are the same account across quarters, the repeat found and the look-alike said at its cell; `sites` lists each once', async () => {
    const root = accounts({
      '2017Q1': ['微信,某某发布,长期不更新', '微信,金华发布,长期不更新', '微博,Hello某某,长期不更新', '抖音,ABC发布,长期不更新', '快手,Alpha发布,长期不更新', '微博,Хэйхэ发布,长期不更新', '微信,某某口岸发布,长期不更新'],
      '2017Q2': [
        '微信,某某\u200b发布,长期不更新', // a zero-width space
        '微信,\uf90a华发布,长期不更新', // U+F90A, the compatibility ideograph of 金
        '微博,Hell\u043e某某,长期不更新', // a Cyrillic о
        '抖音,\uff21\uff22\uff23发布,长期不更新', // full-width letters
        '快手,\u0391lpha发布,长期不更新', // a Greek Α
        '微博,Хэйхэ发布,长期不更新', // written wholly in Cyrillic: left alone
        '微信,某某\u30ed岸发布,长期不更新', // the katakana ロ for 口
      ],
    });
    try {
      const r = tongbao(['check', '2017Q2', '--json', '--root', root]);
      const messages = json(r).messages as { severity: string; line: number; column: number; reason: string; rule: string }[];
      const repeats = messages.filter((m) => m.rule === 'register/repeat');
      expect(repeats.map((m) => m.line)).toEqual([2, 3, 4, 5, 6, 7, 8]);
      expect(repeats[1]!.reason).toContain('（微信/金华发布）连续被通报');
      expect(repeats[2]!.reason).toContain('（微博/Hello某某）连续被通报');
      const said = messages.filter((m) => m.rule === 'register/lookalike-name');
      expect(said.map((m) => [m.line, m.column, m.severity])).toEqual([[2, 6], [3, 6], [4, 6], [5, 6], [6, 6], [8, 6]].map((p) => [...p, 'warning']));
      expect(said[0]!.reason).toBe('「账号名称」的「某某⟨U+200B⟩发布」含有看不见的字符：看起来是「某某发布」，却是另一串文字');
      expect(said[1]!.reason).toContain('含有兼容区汉字：看起来是「金华发布」');
      expect(said[1]!.reason).toContain('⟨U+F90A⟩');
      expect(said[2]!.reason).toContain('「Hell\u043e⟨U+043E⟩某某」含有形似拉丁字母的西里尔或希腊字母：看起来是「Hello某某」');
      expect(said[3]!.reason).toContain('含有全角字母或数字：看起来是「ABC发布」');
      expect(said[4]!.reason).toContain('「\u0391⟨U+0391⟩lpha发布」含有形似拉丁字母的西里尔或希腊字母');
      expect(said[5]!.reason).toContain('「某某\u30ed⟨U+30ED⟩岸发布」含有形似汉字的片假名：看起来是「某某口岸发布」');

      // The register read four ways, two at a time.
      const typedIn = ['微博/Hell\u043e某某', '抖音/\uff21\uff22\uff23发布', '微信/某某\u200b发布'];
      const [all, listed, ...histories] = await inPairs([['sites', '--json'], ['sites'], ...typedIn.map((typed) => ['sites', typed, '--json'])], (args) => tongbaoAsync([...args, '--root', root], root));
      const sites = json(all!).sites as { key: string; periods: string[] }[];
      expect(sites.map((s) => [s.key, s.periods.length]).sort()).toEqual(
        [['微信/某某发布', 2], ['微信/金华发布', 2], ['微博/Hello某某', 2], ['抖音/ABC发布', 2], ['快手/Alpha发布', 2], ['微博/Хэйхэ发布', 2], ['微信/某某口岸发布', 2]].sort(),
      );
      const text = listed!.stdout;
      expect(text).toContain('共 7 个政务新媒体账号（2 期：2017Q1、2017Q2）');
      // An account's history asked for as it was written either way.
      for (const [i, typed] of typedIn.entries()) {
        const h = histories[i]!;
        expect(h.status, typed).toBe(0);
        expect(json(h).listings.map((l: { period: string }) => l.period), typed).toEqual(['2017Q1', '2017Q2']);
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('in a site list: the site name is said, and a unique or region column compares them in one form, held or streamed', async () => {
    const spec: TableSpec = {
      id: 't',
      file: 't.csv',
      kind: 'table',
      columns: [
        { key: 'no', name: '序号', type: 'integer' },
        { key: 'region', name: '地区', type: 'region' },
        { key: 'site', name: '网站名称', type: 'text' },
        { key: 'short', name: '简称', type: 'text', unique: true },
        { key: 'code', name: '网站标识码', type: 'site-code' },
        { key: 'sampled', name: '抽查数', type: 'count' },
      ],
    } as TableSpec;
    const rows = [
      ['1', '金华市', '金华市人民政府网', 'Jinhua', '3307000001', '1'],
      ['2', '\uf90a华市', '\uf90a华市教育局网', 'Jinhu\u0430', '3307000002', '1'], // U+F90A; a Cyrillic а
      ['3', '金华市', '金华市\u200b水利局网', 'ＪＨ', '3307000003', '1'],
      ['4', '金华市', '\u0397angzhou网', 'JH', '3307000004', '1'], // a Greek Η; ＪＨ and JH are one value
    ];
    for (const way of await bothWays(spec, rows)) {
      const m = way.messages.join('\n');
      expect(m).toContain('t.csv:3:3: 警告: 「地区」的「\uf90a⟨U+F90A⟩华市」含有兼容区汉字，已按「金华市」处理');
      expect(m).not.toContain('不是已知的地区');
      expect(m).toContain('t.csv:3:7: 警告: 「网站名称」的「\uf90a⟨U+F90A⟩华市教育局网」含有兼容区汉字：看起来是「金华市教育局网」，却是另一串文字');
      expect(m).toContain('t.csv:3:15: 警告: 「简称」的「Jinhu\u0430⟨U+0430⟩」含有形似拉丁字母的西里尔或希腊字母，已按「Jinhua」处理');
      expect(m).toContain('t.csv:3:15: 错误: 「简称」的「Jinhua」与第 2 行重复');
      expect(m).toContain('t.csv:4:7: 警告: 「网站名称」的「金华市⟨U+200B⟩水利局网」含有看不见的字符');
      expect(m).toContain('t.csv:4:16: 警告: 「简称」的「ＪＨ」含有全角字母或数字，已按「JH」处理');
      expect(m).toContain('t.csv:5:17: 错误: 「简称」的「JH」与第 4 行重复');
      expect(m).toContain('t.csv:5:7: 警告: 「网站名称」的「\u0397⟨U+0397⟩angzhou网」含有形似拉丁字母的西里尔或希腊字母');
    }
  });
});

describe('a column that lists its values', () => {
  it('takes a value written with a space it was declared with, and one written otherwise as the declared value, said', () => {
    const root = exampleWorkspace('province');
    try {
      const yaml = path.join(root, 'data/2023Q3/bulletin.yaml');
      const declared = (v: string) => writeFileSync(yaml, readFileSync(yaml, 'utf8').replaceAll(/values: \[微信, 微博, 抖音, [^,]+, 快手\]/g, `values: [微信, 微博, 抖音, ${v}, 快手]`));
      for (const f of ['media.csv', 'problem-accounts.csv']) {
        const p = path.join(root, 'data/2023Q3', f);
        writeFileSync(p, readFileSync(p, 'utf8').replaceAll('今日头条', '今日 头条'));
      }
      // Declared as written in the cells: nothing to say.
      declared('"今日 头条"');
      let r = tongbao(['check', '2023Q3'], root);
      expect(r.stderr).not.toContain('不在这一列声明的取值中');
      expect(r.stderr).not.toContain('写法不同');
      // Declared without the space: each cell is that value, and says so; the accepted rate still matches its row.
      declared('今日头条');
      r = tongbao(['check', '2023Q3'], root);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).toContain('data/2023Q3/media.csv:5:1: 警告: 「平台」的「今日 头条」与声明的取值「今日头条」写法不同，已按「今日头条」处理');
      expect(r.stderr).not.toContain('不在这一列声明的取值中');
      const s = json(tongbao(['stats', '2023Q3', '--json'], root));
      expect(JSON.stringify(s)).not.toContain('今日 头条');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('examples/province (issue 31, item 14)', () => {
  it('declares its site names and accounts: `sites` shows each site’s 网站名称 and region, and the accounts by platform', async () => {
    const root = exampleWorkspace('province');
    try {
      // Three readings of one workspace, two at a time.
      const [c, r, j] = await inPairs([['check', '2023Q3'], ['sites'], ['sites', '--json']], (args) => tongbaoAsync([...args, '--root', root], root));
      expect(c!.status, c!.stderr).toBe(0);
      expect(r!.status, r!.stderr).toBe(0);
      expect(r!.stdout).toMatch(/^9900000012 +“某某省地方志办公室”网 +省级部门 +2023Q3 +1 +待整改$/m);
      expect(r!.stdout).toMatch(/^9905020037 +“北原市北岭乡人民政府”网 +北原市 +2023Q3/m);
      expect(r!.stdout).toMatch(/^微信\/某某发布 +某某发布 +2023Q3/m);
      expect(r!.stdout).toContain('共 12 个网站、14 个政务新媒体账号（1 期：2023Q3）');
      const sites = json(j!).sites as { key: string; kind: string; name: string; region: string | null }[];
      // Same-named accounts on different platforms are different accounts.
      expect(sites.filter((s) => s.name === '某某发布').map((s) => s.key).sort()).toEqual(['今日头条/某某发布', '微信/某某发布', '微博/某某发布']);
      expect(sites.filter((s) => s.kind === 'site').every((s) => s.name.startsWith('“') && s.region !== s.name)).toBe(true);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
