// Issue 34, items 6 and 7. An `accept:` entry keeps one problem: its rule, one cell (file, row
// key or line, column) or one figure, and the two numbers it was written for (value, computed);
// anything else, or the same place with other numbers, is an error again. And another period's
// figures are used only when that period checks: each use of a figure drawn from one that does
// not is an error naming its problem. Everything through the CLI, on copies of the examples.
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { edit, exampleWorkspace, tongbao, tongbaoAsync } from './helpers.js';
import { twoAtATime } from './two-at-a-time.js';

const MEDIA = 'data/2023Q3/media.csv';
const PROVINCE = 'data/2023Q3/bulletin.yaml';
const ENTRY = /  - rule: figures\/rate\n(    .*\n)+/;

/** The province with its one accept entry replaced by `entries` (YAML list items). */
function province(entries: string[], change?: (csv: string) => string): string {
  const root = exampleWorkspace('province');
  edit(root, PROVINCE, (t) => t.replace(ENTRY, entries.map((e) => `  - ${e}\n`).join('')));
  if (change) edit(root, MEDIA, change);
  return root;
}
const lineOf = (root: string, file: string, needle: string) => readFileSync(path.join(root, file), 'utf8').split('\n').findIndex((l) => l.includes(needle)) + 1;
const errors = (stderr: string) => stderr.split('\n').filter((l) => l.includes(': 错误: '));
const PRECISE = '{ rule: figures/rate, at: "media.csv:今日头条:合格率", value: "86.66%", computed: "86.67%", reason: 原文如此，照录 }';
/** 微信's row made wrong: 48 sampled, 3 failed, printed 50%. */
const wechatWrong = (csv: string) => csv.replace('微信,48,3,93.8%', '微信,48,3,50%');

describe('accept: one cell or figure, and the numbers it keeps', () => {
  it('the example: its entry names file, row, column, value and computed; check and stats pass', () => {
    const root = exampleWorkspace('province');
    const c = tongbao(['check', '2023Q3'], root);
    expect(c.status, c.stderr).toBe(0);
    expect(c.stderr).toContain(`media.csv:5:11: 警告: 已接受：「今日头条」的「合格率」印为 86.66%`);
    // stats honours accept: as check does (it exited 1 here before).
    const s = tongbao(['stats', '2023Q3', '--json'], root);
    expect(s.status, s.stderr).toBe(0);
    expect(JSON.parse(s.stdout).ok).toBe(true);
  });

  it('never matches by a column alone, a row alone, or a word of the message: each is an error, and a new wrong row stays one', async () => {
    // The last: a row without its column (below); all checked two at a time.
    const ats = ['media.csv:合格率', 'media.csv:今日头条', '合格率', '截断', 'media.csv::合格率'];
    const roots = [...ats.map((at) => province([`{ rule: figures/rate, at: "${at}", value: "86.66%", computed: "86.67%", reason: 照录 }`], wechatWrong)), province(['{ rule: figures/rate, at: "media.csv:今日头条", reason: 照录 }'])];
    const runs = await twoAtATime(roots, (root) => tongbaoAsync(['check', '2023Q3'], root));
    for (const [i, at] of ats.entries()) {
      const root = roots[i]!;
      const r = runs[i]!;
      expect(r.status, at).toBe(1);
      // Neither rate is accepted: 微信 50% and 今日头条 86.66% are both errors.
      expect(r.stderr, at).toMatch(/media\.csv:2:9: 错误: 「微信」的「合格率」印为 50%/);
      expect(r.stderr, at).toMatch(/media\.csv:5:11: 错误: 「今日头条」的「合格率」印为 86\.66%/);
      expect(r.stderr, at).not.toContain('已接受');
      const entry = lineOf(root, PROVINCE, `at: "${at}"`);
      expect(r.stderr, at).toMatch(new RegExp(`bulletin\\.yaml:${entry}:\\d+: 错误: accept 的第 1 项（figures/rate，${at.replace(/[.*]/g, '\\$&')}）(没有写明是哪一格|没有对应的问题)`));
    }
    // A row without its column: the message writes out the entry for each of its problems.
    const r = runs[ats.length]!;
    expect(r.stderr).toContain('写作 - { rule: figures/rate, at: "media.csv:今日头条:合格率", value: "86.66%", computed: "86.67%", reason: 原文如此，照录 }');
  });

  it('accepts its own cell only: a precise entry leaves a new wrong row an error', () => {
    const r = tongbao(['check', '2023Q3'], province([PRECISE], wechatWrong));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('警告: 已接受：「今日头条」的「合格率」');
    expect(errors(r.stderr).some((l) => /media\.csv:2:9: 错误: 「微信」的「合格率」印为 50%/.test(l))).toBe(true);
  });

  it('by line and by column key as well as by row and column name; the row key as written, spaces aside', async () => {
    const ats = ['media.csv:5:合格率', 'media.csv:今日头条:rate', 'media.csv:今日 头条:合格率'];
    await twoAtATime(
      ats,
      (at) => tongbaoAsync(['check', '2023Q3'], province([`{ rule: rate, at: "${at}", value: "86.66%", computed: "86.67%", reason: 照录 }`])),
      (at, r) => {
        expect(r.status, `${at}\n${r.stderr}`).toBe(0);
        expect(r.stderr).toContain('已接受：「今日头条」');
      },
    );
  });

  it('is stale when the printed number changes, or the data do: the problem is an error again, naming the entry', async () => {
    const cases: [string, (csv: string) => string, string, string][] = [
      ['printed 60%', (t) => t.replace('今日头条,30,4,86.66%', '今日头条,30,4,60%'), '现在印为 60%、按数据应为 87%', 'value: "60%", computed: "87%"'],
      ['printed 86.65%', (t) => t.replace('今日头条,30,4,86.66%', '今日头条,30,4,86.65%'), '现在印为 86.65%、按数据应为 86.67%', 'value: "86.65%", computed: "86.67%"'],
      ['counts 29/3', (t) => t.replace('今日头条,30,4,86.66%', '今日头条,29,3,86.66%').replace('合计,150,14,90.7%', '合计,149,13,91.3%'), '现在印为 86.66%、按数据应为 89.66%', 'value: "86.66%", computed: "89.66%"'],
    ];
    const roots = cases.map(([, change]) => province([PRECISE], change));
    // Each case's check and stats, two at a time.
    const runs = await twoAtATime(roots.flatMap((root) => [['check', root], ['stats', root]] as const), ([command, root]) => tongbaoAsync([command, '2023Q3'], root));
    for (const [i, [what, , now, write]] of cases.entries()) {
      const root = roots[i]!;
      const r = runs[2 * i]!;
      expect(r.status, what).toBe(1);
      const line = errors(r.stderr).find((l) => l.includes('media.csv:5:11: 错误: 「今日头条」的「合格率」'));
      expect(line, `${what}\n${r.stderr}`).toBeDefined();
      expect(line).toContain(`bulletin.yaml 第 ${lineOf(root, PROVINCE, 'rule: figures/rate')} 行的 accept 已过时：它接受的是 value: "86.66%"、computed: "86.67%"，${now}`);
      expect(line).toContain(write);
      expect(runs[2 * i + 1]!.status, what).toBe(1);
    }
  });

  it('a figure of the text by name, with its numbers; stale when the text changes; a figure entry never accepts a cell', () => {
    const city = exampleWorkspace('city');
    const yaml = 'data/2017Q1/bulletin.yaml';
    const entry = '  - { rule: disagree, at: overall_rate, value: "88.6%", computed: "88.5%", reason: 正文原印88.6%，照录 }';
    edit(city, yaml, (t) => t.replace('    value: "88.5%"', '    value: "88.6%"') + `\naccept:\n${entry}\n`);
    let r = tongbao(['check', '2017Q1'], city);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('警告: 已接受：「overall_rate」与表格不符');
    edit(city, yaml, (t) => t.replace('    value: "88.6%"', '    value: "88.7%"'));
    r = tongbao(['check', '2017Q1'], city);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/错误: 「overall_rate」与表格不符：.*正文为 88\.7%；bulletin\.yaml 第 \d+ 行的 accept 已过时：它接受的是 value: "88\.6%"、computed: "88\.5%"/);
    // The figure's name as the row of a table: no cell is accepted by it.
    const p = province(['{ rule: rate, at: 今日头条, value: "86.66%", computed: "86.67%", reason: 照录 }']);
    r = tongbao(['check', '2023Q3'], p);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('accept 的第 1 项（rate，今日头条）没有对应的问题');
  });

  it('without value or computed accepts nothing, and says what to write', async () => {
    const entries = ['{ rule: rate, at: "media.csv:今日头条:合格率", reason: 照录 }', '{ rule: rate, at: "media.csv:今日头条:合格率", value: "86.66%", reason: 照录 }', '{ rule: rate, at: "media.csv:今日头条:合格率", computed: "86.67%", reason: 照录 }'];
    const runs = await twoAtATime(entries, (e) => tongbaoAsync(['check', '2023Q3'], province([e])));
    for (const [i, e] of entries.entries()) {
      const r = runs[i]!;
      expect(r.status, e).toBe(1);
      expect(r.stderr).toMatch(/media\.csv:5:11: 错误: 「今日头条」的「合格率」/);
      expect(r.stderr).toMatch(/accept 的第 1 项（rate，media\.csv:今日头条:合格率）没有写 (value|computed)/);
      expect(r.stderr).toContain('value: "86.66%", computed: "86.67%"');
    }
  });

  it('a total row by 合计 and its column: accepted with its numbers, another total column not', () => {
    const root = province(['{ rule: total, at: "media.csv:合计:抽查账号数", value: "151", computed: "150", reason: 原文合计如此 }', PRECISE], (t) => t.replace('合计,150,14,90.7%', '合计,151,14,90.7%'));
    let r = tongbao(['check', '2023Q3'], root);
    expect(r.stderr).toMatch(/media\.csv:7:\d+: 警告: 已接受：合计行的「抽查账号数」为 151，各行之和为 150/);
    edit(root, MEDIA, (t) => t.replace('合计,151,14,90.7%', '合计,151,15,90.7%'));
    r = tongbao(['check', '2023Q3'], root);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/media\.csv:7:\d+: 错误: 合计行的「不合格账号数」为 15，各行之和为 14/);
  });

  it('a history table\'s cell by its period and column: accepted with its numbers, stale when the cell changes', () => {
    const root = exampleWorkspace('city');
    writeFileSync(path.join(root, 'data/2017Q2/history.csv'), '期次,合格率\n2017Q1,87%\n第二季度,90.9%\n');
    edit(root, 'data/2017Q2/bulletin.yaml', (t) =>
      t.replace('tables:\n', 'tables:\n  - id: history\n    file: history.csv\n    columns:\n      - { key: period, name: 期次 }\n      - { key: rate, name: 合格率, type: percent }\n')
        .replace('    figure: districts.passed.rate\n', '    figure: districts.passed.rate\n    table: history\n    x: period\n    value: rate\n') +
        'accept:\n  - { rule: history, at: "history.csv:2017Q1:合格率", value: "87%", computed: "88%", reason: 原文如此 }\n',
    );
    let r = tongbao(['check', '2017Q2'], root);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('history.csv:2:8: 警告: 已接受：2017Q1 的「合格率」写的是 87%');
    edit(root, 'data/2017Q2/history.csv', (t) => t.replace('2017Q1,87%', '2017Q1,86%'));
    r = tongbao(['check', '2017Q2'], root);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/history\.csv:2:8: 错误: 2017Q1 的「合格率」写的是 86%.*accept 已过时：它接受的是 value: "87%"、computed: "88%"，现在印为 86%、按数据应为 88%/);
  });

  it('new does not carry accept: into the next period (last quarter accepted last quarter\'s numbers)', () => {
    const root = exampleWorkspace('province');
    const r = tongbao(['new', '2023Q4', '--from', '2023Q3'], root);
    expect(r.status, r.stderr).toBe(0);
    const next = readFileSync(path.join(root, 'data/2023Q4/bulletin.yaml'), 'utf8');
    expect(next).not.toMatch(/^accept:/m);
    expect(next).not.toContain('value: "86.66%"');
    expect(readFileSync(path.join(root, PROVINCE), 'utf8')).toMatch(/^accept:/m);
  });
});

describe('no figure from a faulty period', () => {
  const Q1 = 'data/2017Q1/bulletin.yaml';
  const Q2 = 'data/2017Q2/bulletin.yaml';
  const CIRCULAR = 'content/2017Q2/circular.md';
  /** The city with 2017Q1's text printing 99.9% against its table's 88.5%; 2017Q2 without its chart, using previous.* in its text. */
  function city(q1: (t: string) => string): string {
    const root = exampleWorkspace('city');
    edit(root, Q1, q1);
    edit(root, Q2, (t) => t.slice(0, t.indexOf('\ncharts:')) + '\n');
    edit(root, CIRCULAR, (t) => `${t.trimEnd()}\n\n上期正文合格率{{previous.overall_rate}}，比上期{{change overall_rate.change}}。\n`);
    return root;
  }
  const wrong = (t: string) => t.replace('    value: "88.5%"', '    value: "99.9%"');

  it('2017Q1 printing 99.9% against 88.5%: 2017Q2 fails at each use of year.*, previous.*, .change, naming 2017Q1\'s problem', () => {
    const root = city(wrong);
    expect(tongbao(['check', '2017Q1'], root).stderr).toContain('「overall_rate」与表格不符：附件1「合格网站数」115/130 = 88.462% → 88.5%，正文为 99.9%');
    const problem = `2017Q1 的核对有 1 个错误，如 ${Q1}:34:12 「overall_rate」与表格不符：附件1「合格网站数」115/130 = 88.462% → 88.5%，正文为 99.9%`;
    const r = tongbao(['check', '2017Q2'], root);
    expect(r.status).toBe(1);
    const line = lineOf(root, CIRCULAR, 'year.districts.sampled.sum.sum');
    // The column is the name's own (after `{{`), as for every name the circular writes.
    expect(r.stderr).toContain(`${CIRCULAR}:${line}:17: 错误: 「year.districts.sampled.sum.sum」取自有错误的期次，不能使用：${problem}（先改正 2017Q1 的错误（运行 tongbao check 2017Q1）`);
    const b = tongbao(['build', '2017Q2', '--format', 'html'], root);
    expect(b.status).toBe(1);
    expect(existsSync(path.join(root, 'out/2017Q2/index.html'))).toBe(false);
    // Each kind of use, one at a time (a template stops at its first error).
    edit(root, CIRCULAR, (t) => t.replace(/^.*year\.districts.*$/m, ''));
    const prev = tongbao(['check', '2017Q2'], root);
    expect(prev.stderr).toMatch(/circular\.md:\d+:\d+: 错误: 「previous\.overall_rate」取自有错误的期次，不能使用：2017Q1 的核对有 1 个错误/);
    edit(root, CIRCULAR, (t) => t.replace('上期正文合格率{{previous.overall_rate}}，', ''));
    const change = tongbao(['check', '2017Q2'], root);
    expect(change.stderr).toMatch(/circular\.md:\d+:\d+: 错误: 「overall_rate\.change」取自有错误的期次/);
    // In a check: expression, at the name.
    edit(root, Q2, (t) => t.replace('  rectify_days:', '  prev_rate: { value: "88.5%", check: previous.districts.passed.rate }\n  rectify_days:'));
    const expr = tongbao(['check', '2017Q2'], root);
    expect(expr.stderr).toMatch(new RegExp(`${Q2}:${lineOf(root, Q2, 'prev_rate')}:\\d+: 错误: 「previous\\.districts\\.passed\\.rate」取自有错误的期次，不能使用：2017Q1 的核对有 1 个错误`));
    // stats shows them, said unusable.
    const s = tongbao(['stats', '2017Q2'], root);
    expect(s.stdout).toMatch(/^year\.districts\.passed\.rate\.mean .*（不能使用：取自有错误的 2017Q1）$/m);
  });

  it('the chart drawn from the year\'s periods is an error at its figure', () => {
    const root = exampleWorkspace('city');
    edit(root, Q1, wrong);
    const r = tongbao(['check', '2017Q2'], root);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${Q2}:${lineOf(root, Q2, 'figure: districts.passed.rate')}:13: 错误: 图表「trend」：「year.districts.passed.rate.series」取自有错误的期次，不能使用：2017Q1 的核对有 1 个错误`);
  });

  it('any error makes it faulty: a wrong rate in its table, an unfilled figure', async () => {
    const cases = [
      ['a table rate', (root: string) => edit(root, 'data/2017Q1/districts.csv', (t) => t.replace('北山区,15,13,86.7%', '北山区,15,13,86.66%')), 'districts.csv:5:11 「北山区」的「合格率」'],
      ['an unfilled figure', (root: string) => edit(root, Q1, (t) => t.replace('    value: "88.5%"', '    value: null')), '「overall_rate」'],
    ] as const;
    const runs = await twoAtATime(cases, ([, change]) => {
      const root = city((t) => t);
      change(root);
      return tongbaoAsync(['check', '2017Q2'], root);
    });
    for (const [i, [what, , file]] of cases.entries()) {
      const r = runs[i]!;
      expect(r.status, what).toBe(1);
      expect(r.stderr, what).toMatch(/错误: 「year\.districts\.sampled\.sum\.sum」取自有错误的期次，不能使用：2017Q1 的核对有 \d+ 个错误，如 /);
      expect(r.stderr, what).toContain(file);
    }
  });

  it('a period whose only problems are accepted is not faulty: 2017Q2 checks and prints its figures', () => {
    const root = city((t) => `${wrong(t)}\naccept:\n  - { rule: disagree, at: overall_rate, value: "99.9%", computed: "88.5%", reason: 原文印为99.9%，照录 }\n`);
    expect(tongbao(['check', '2017Q1'], root).status).toBe(0);
    const r = tongbao(['check', '2017Q2'], root);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('取自有错误的期次');
    expect(r.stderr).not.toContain('数据有错误');
    const b = tongbao(['build', '2017Q2', '--format', 'html'], root);
    expect(b.status, b.stderr).toBe(0);
    const html = readFileSync(path.join(root, 'out/2017Q2/index.html'), 'utf8');
    expect(html).toContain('上期正文合格率99.9%');
    expect(html).toMatch(/平均合格率为<[^>]*>?89\.7%|平均合格率为89\.7%/);
  });

  it('the examples as they are: 2017Q2 uses 2017Q1 and checks', () => {
    const root = city((t) => t);
    const r = tongbao(['check', '2017Q2'], root);
    expect(r.status, r.stderr).toBe(0);
  });
});
