// Across periods (issue 21): the register of listed sites by 网站标识码, repeats, a false claim
// of one, a closed site listed again, the rectification table's figures, the year's figures
// from its periods, a history table against them, and `tongbao sites` — all through the CLI
// on workspaces written here, and on examples/city.
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO, exampleWorkspace, tongbao } from './helpers.js';

interface PeriodData {
  /** Problem sites: code, name, problem. */
  sites?: [string, string, string][];
  /** Rectification rows: code, status. */
  rect?: [string, string][];
  /** Sites checked and passed, for the year's figures. */
  counts?: [number, number];
  circular?: string;
  yaml?: string;
  history?: string;
}

const CODES = { A: '1100000001', B: '1100000002', C: '1100000003', D: '1100000004', E: '1100000005', X: '1100000099' };

/** A workspace of small bulletins, one per period. */
function workspace(periods: Record<string, PeriodData>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'tongbao-register-'));
  for (const [period, d] of Object.entries(periods)) {
    const data = path.join(root, 'data', period);
    mkdirSync(data, { recursive: true });
    mkdirSync(path.join(root, 'content', period), { recursive: true });
    const tables: string[] = [];
    const attachments: string[] = [];
    if (d.sites) {
      writeFileSync(path.join(data, 'sites.csv'), `序号,网站名称,存在的问题,网站标识码\n${d.sites.map(([c, n, p], i) => `${i + 1},${n},${p},${c}`).join('\n')}\n`);
      attachments.push(`  - id: sites
    kind: table
    title: 问题网站名单
    file: sites.csv
    columns:
      - { key: no, name: 序号, type: integer }
      - { key: site, name: 网站名称 }
      - { key: problem, name: 存在的问题 }
      - { key: code, name: 网站标识码, type: site-code }`);
    }
    if (d.rect) {
      writeFileSync(path.join(data, 'rect.csv'), `网站标识码,整改状态\n${d.rect.map(([c, s]) => `${c},${s}`).join('\n')}\n`);
      tables.push(`  - id: rectification
    kind: rectification
    file: rect.csv
    columns:
      - { key: code, name: 网站标识码, type: site-code }
      - { key: status, name: 整改状态, type: status }`);
    }
    if (d.counts) {
      writeFileSync(path.join(data, 'counts.csv'), `地区,抽查网站数,合格网站数\n某区,${d.counts[0]},${d.counts[1]}\n`);
      tables.push(`  - id: counts
    file: counts.csv
    columns:
      - { key: region, name: 地区, type: region, values: [某区] }
      - { key: sampled, name: 抽查网站数, type: count }
      - { key: passed, name: 合格网站数, type: count, max: sampled }`);
    }
    if (d.history) {
      writeFileSync(path.join(data, 'history.csv'), d.history);
      tables.push(`  - id: history
    file: history.csv
    columns:
      - { key: period, name: 期次 }
      - { key: rate, name: 合格率, type: percent }`);
    }
    writeFileSync(
      path.join(data, 'bulletin.yaml'),
      `title: 关于${period}政府网站抽查情况的通报
period: ${period}
office: 某某办公室
source: 某某网
published: 2017-01-10
signed: 2017-01-09
${d.yaml ?? ''}
tables:
${tables.join('\n') || '  []'}
attachments:
${attachments.join('\n') || '  []'}
`,
    );
    writeFileSync(path.join(root, 'content', period, 'circular.md'), d.circular ?? '现将抽查情况通报如下。\n');
  }
  return root;
}

function stats(root: string, period: string): Map<string, { display: string; value: unknown }> {
  const r = tongbao(['stats', period, '--json', '--root', root]);
  expect(r.stdout, r.stderr).not.toBe('');
  return new Map(JSON.parse(r.stdout).figures.map((f: { name: string; display: string; value: unknown }) => [f.name, f]));
}

function check(root: string, period: string) {
  const r = tongbao(['check', period, '--json', '--root', root]);
  return { status: r.status, ...(JSON.parse(r.stdout) as { messages: { severity: string; file: string; line?: number; column?: number; reason: string; rule: string }[] }) };
}

describe('repeat failures', () => {
  const root = workspace({
    '2017Q1': { sites: [[CODES.A, '甲网', '首页长期未更新'], [CODES.B, '乙网', '栏目空白']] },
    '2017Q2': { sites: [[CODES.C, '丙网', '首页长期未更新，整改不彻底'], [CODES.B, '乙网', '再次发现栏目空白'], [CODES.D, '丁网', '互动栏目长期未回复']] },
    '2017Q3': { sites: [[CODES.E, '戊网', '站点无法访问']] },
  });

  it('reports a site listed in the previous period too, at its code cell, with the earlier row', () => {
    const r = check(root, '2017Q2');
    const repeats = r.messages.filter((m) => m.rule === 'register/repeat');
    expect(repeats).toHaveLength(1);
    expect(repeats[0]).toMatchObject({ severity: 'info', line: 3, column: 15 });
    expect(repeats[0]!.file).toMatch(/data\/2017Q2\/sites\.csv$/);
    expect(repeats[0]!.reason).toContain('「乙网」（1100000002）连续被通报');
    expect(repeats[0]!.reason).toMatch(/2017Q1\/sites\.csv 第 3 行/);
    expect(r.status).toBe(0);
    const f = stats(root, '2017Q2');
    expect(f.get('sites.repeat.count')?.display).toBe('1');
    expect(f.get('sites.repeat.members')?.display).toBe('乙网');
  });

  it('finds none when no site of the previous list is listed again', () => {
    const r = check(root, '2017Q3');
    expect(r.messages.filter((m) => m.rule.startsWith('register/'))).toEqual([]);
    expect(stats(root, '2017Q3').get('sites.repeat.count')?.display).toBe('0');
  });

  it('warns of a problem text claiming a repeat the previous list does not show, at the problem cell', () => {
    const claims = check(root, '2017Q2').messages.filter((m) => m.rule === 'register/false-repeat');
    // 丙网 claims 整改不彻底 but was not listed; 乙网 says 再次 and was: only the first is wrong.
    expect(claims).toHaveLength(1);
    expect(claims[0]).toMatchObject({ severity: 'warning', line: 2, column: 6 });
    expect(claims[0]!.reason).toContain('「丙网」（1100000003）不在上一期（2017年第一季度）的名单中');
  });

  it('says nothing of claims or repeats when the previous period is not in the workspace', () => {
    const first = check(root, '2017Q1');
    expect(first.messages.filter((m) => m.rule.startsWith('register/'))).toEqual([]);
    expect(stats(root, '2017Q1').has('sites.repeat.count')).toBe(false);
  });

  it('lists the first 100 repeats of a list and counts the rest, as every rule does', () => {
    const many = Array.from({ length: 150 }, (_, i): [string, string, string] => [`11000${String(i).padStart(5, '0')}`, `第${i}网`, '栏目空白']);
    const w = workspace({ '2017Q1': { sites: many }, '2017Q2': { sites: many } });
    const repeats = check(w, '2017Q2').messages.filter((m) => m.rule === 'register/repeat');
    expect(repeats).toHaveLength(101);
    expect(repeats.at(-1)!.reason).toBe('从这里起还有 50 处同类问题（register/repeat）未逐条列出');
    expect(stats(w, '2017Q2').get('sites.repeat.count')?.display).toBe('150');
  });

  it('makes repeats warnings when the bulletin says so', () => {
    const w = workspace({
      '2017Q1': { sites: [[CODES.A, '甲网', '首页长期未更新']] },
      '2017Q2': { sites: [[CODES.A, '甲网', '首页长期未更新']], yaml: 'repeat: warning' },
    });
    const r = tongbao(['check', '2017Q2', '--root', w]);
    expect(r.stderr).toMatch(/sites\.csv:2:14: 警告: 「甲网」（1100000001）连续被通报/);
    expect(r.stdout).toContain('0 个错误，1 个警告');
  });
});

describe('new-media accounts, which have no site code', () => {
  it('are one record by platform + account name across periods, spaces aside', () => {
    const root = workspace({});
    const account = (period: string, rows: string[]) => {
      mkdirSync(path.join(root, 'data', period), { recursive: true });
      mkdirSync(path.join(root, 'content', period), { recursive: true });
      writeFileSync(path.join(root, 'content', period, 'circular.md'), '现将抽查情况通报如下。\n');
      writeFileSync(path.join(root, 'data', period, 'accounts.csv'), `序号,平台,账号名称,存在的问题\n${rows.map((r, i) => `${i + 1},${r}`).join('\n')}\n`);
      writeFileSync(
        path.join(root, 'data', period, 'bulletin.yaml'),
        `title: 关于${period}政务新媒体检查情况的通报\nperiod: ${period}\noffice: 某某办公室\nsource: 某某网\npublished: 2017-01-10\nsigned: 2017-01-09\nattachments:\n  - id: accounts\n    kind: table\n    title: 问题账号名单\n    file: accounts.csv\n    account: { platform: platform, name: name }\n    columns:\n      - { key: no, name: 序号, type: integer }\n      - { key: platform, name: 平台 }\n      - { key: name, name: 账号名称 }\n      - { key: problem, name: 存在的问题 }\n`,
      );
    };
    account('2017Q1', ['微信,某某发布,长期不更新', '微博,某某交通,互动不回应']);
    account('2017Q2', ['微 信,某某 发布,再次长期不更新', '微信,某某交通,内容空白']);
    const r = check(root, '2017Q2');
    const repeats = r.messages.filter((m) => m.rule === 'register/repeat');
    // 微信/某某发布 again; 某某交通 moved from 微博 to 微信 and is another account.
    expect(repeats).toHaveLength(1);
    expect(repeats[0]).toMatchObject({ line: 2, column: 7 });
    expect(repeats[0]!.reason).toContain('「某某 发布」（微信/某某发布）连续被通报');
    expect(r.messages.filter((m) => m.rule === 'register/false-repeat')).toEqual([]);
    const list = JSON.parse(tongbao(['sites', '--json', '--root', root]).stdout).sites as { key: string; kind: string; periods: string[] }[];
    expect(list.find((s) => s.key === '微信/某某发布')).toMatchObject({ kind: 'account', periods: ['2017Q1', '2017Q2'] });
    expect(list.map((s) => s.key).sort()).toEqual(['微信/某某交通', '微信/某某发布', '微博/某某交通']);
  });
});

describe('rectification', () => {
  const listed: [string, string, string][] = [
    [CODES.A, '甲网', '首页长期未更新'],
    [CODES.B, '乙网', '栏目空白'],
    [CODES.C, '丙网', '站点无法访问'],
    [CODES.D, '丁网', '互动栏目长期未回复'],
  ];
  const circular = '整改率{{rectification.rate}}，未整改：{{list rectification.pending.members}}。\n';

  it('takes the rate over the previous list exactly: 3 of 4 → 75%', () => {
    const root = workspace({
      '2017Q1': { sites: listed },
      '2017Q2': { rect: [[CODES.A, '已整改'], [CODES.B, '已关停'], [CODES.C, '已上移'], [CODES.D, '未整改']], circular },
    });
    const r = check(root, '2017Q2');
    expect(r.messages.filter((m) => m.rule.startsWith('register/'))).toEqual([]);
    const f = stats(root, '2017Q2');
    expect(f.get('rectification.rate')).toMatchObject({ display: '75%', value: '3/4' });
    expect(f.get('rectification.pending.members')?.display).toBe('丁网');
    expect(f.get('rectification.closed.count')?.display).toBe('2');
    tongbao(['build', '2017Q2', '--format', 'html', '--root', root]);
    expect(readOut(root, '2017Q2')).toContain('整改率75%，未整改：丁网。');
  });

  it('rounds half-up at display only: 2 of 3 → 66.7%, kept as 2/3', () => {
    const root = workspace({
      '2017Q1': { sites: listed.slice(0, 3) },
      '2017Q2': { rect: [[CODES.A, '已整改'], [CODES.B, '已整改'], [CODES.C, '未整改']] },
    });
    expect(stats(root, '2017Q2').get('rectification.rate')).toMatchObject({ display: '66.7%', value: '2/3' });
  });

  it('reports sites of the previous list missing from the table, and codes that were not on it', () => {
    const root = workspace({
      '2017Q1': { sites: listed },
      '2017Q2': { rect: [[CODES.A, '已整改'], [CODES.B, '已关停'], [CODES.X, '已整改'], [CODES.C, '已整改']] },
    });
    const r = check(root, '2017Q2');
    const unknown = r.messages.filter((m) => m.rule === 'register/rectification-unknown');
    expect(unknown).toHaveLength(1);
    expect(unknown[0]).toMatchObject({ severity: 'warning', line: 4, column: 1 });
    expect(unknown[0]!.reason).toContain('1100000099 不在上一期（2017年第一季度）的问题网站名单中');
    const missing = r.messages.filter((m) => m.rule === 'register/rectification-missing');
    expect(missing).toHaveLength(1);
    expect(missing[0]!.reason).toContain('1 个网站不在整改情况表中：「丁网」（1100000004）');
    // The missing one counts as not rectified; the stranger counts for nothing.
    expect(stats(root, '2017Q2').get('rectification.rate')).toMatchObject({ display: '75%', value: '3/4' });
  });

  it('says the rate cannot be worked out when the previous period is not there', () => {
    const root = workspace({ '2017Q2': { rect: [[CODES.A, '已整改']] } });
    const r = check(root, '2017Q2');
    const m = r.messages.find((x) => x.rule === 'register/no-previous');
    expect(m?.reason).toContain('工作区中没有 2017Q1 的数据');
    expect(m?.line).toBeGreaterThan(0);
    expect(stats(root, '2017Q2').has('rectification.rate')).toBe(false);
  });

  it('refuses a status that is not one of the four, naming the cell', () => {
    const root = workspace({ '2017Q1': { sites: listed }, '2017Q2': { rect: [[CODES.A, '整改中']] } });
    const r = check(root, '2017Q2');
    expect(r.status).toBe(1);
    expect(r.messages.find((m) => m.rule === 'cell/status')).toMatchObject({ line: 2, column: 12 });
  });
});

describe('a closed site listed again', () => {
  it('is a warning at the later listing, naming the report that closed it', () => {
    const root = workspace({
      '2017Q1': { sites: [[CODES.A, '甲网', '站点无法访问'], [CODES.B, '乙网', '栏目空白']] },
      '2017Q2': { rect: [[CODES.A, '已关停'], [CODES.B, '已整改']] },
      '2017Q3': { sites: [[CODES.C, '丙网', '栏目空白'], [CODES.A, '甲网', '首页长期未更新']] },
    });
    const r = check(root, '2017Q3');
    const again = r.messages.filter((m) => m.rule === 'register/closed-again');
    expect(again).toHaveLength(1);
    expect(again[0]).toMatchObject({ severity: 'warning', line: 3, column: 14 });
    expect(again[0]!.reason).toMatch(/「甲网」（1100000001）在 2017Q2 的整改情况表中为「已关停」（.*2017Q2\/rect\.csv 第 2 行），本期又被列入名单/);
    // 乙网 was rectified, not closed: listing it again would be a repeat, not this.
    expect(again[0]!.reason).not.toContain('乙网');
  });
});

describe("the year's figures from its periods", () => {
  const quarters = { '2017Q1': [40, 36], '2017Q2': [50, 45], '2017Q3': [30, 28], '2017Q4': [80, 72] } as const;

  it('sums counts and averages rates over four quarters, each from its own table', () => {
    const root = workspace(Object.fromEntries(Object.entries(quarters).map(([p, c]) => [p, { counts: [...c] as [number, number] }])));
    const f = stats(root, '2017Q4');
    expect(f.get('year.counts.sampled.sum.sum')?.display).toBe('200');
    expect(f.get('year.counts.passed.sum.sum')?.display).toBe('181');
    expect(f.get('year.counts.passed.rate.series')?.display).toBe('第一季度90%、第二季度90%、第三季度93.3%、第四季度90%');
    // (9/10 + 9/10 + 14/15 + 9/10) / 4 = 109/120 = 90.833…%
    expect(f.get('year.counts.passed.rate.mean')).toMatchObject({ value: '109/120', display: '90.8%' });
    expect(f.get('year.missing')?.display).toBe('');
  });

  it('shows a missing quarter as missing and gives no sum or mean over the rest', () => {
    const { '2017Q3': _, ...three } = quarters;
    const root = workspace({
      ...Object.fromEntries(Object.entries(three).map(([p, c]) => [p, { counts: [...c] as [number, number] }])),
      '2017Q4': { counts: [80, 72], circular: '全年共抽查{{year.counts.sampled.sum.sum}}个网站。\n' },
    });
    const f = stats(root, '2017Q4');
    expect(f.get('year.counts.sampled.sum.series')?.display).toBe('第一季度40、第二季度50、第三季度（缺）、第四季度80');
    expect(f.has('year.counts.sampled.sum.sum')).toBe(false);
    expect(f.get('year.missing')?.display).toBe('第三季度');
    const r = tongbao(['check', '2017Q4', '--root', root]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/circular\.md:1:8: 错误: 「year\.counts\.sampled\.sum\.sum」没有定义.*缺第三季度的数据/);
  });

  it('never uses a quarter whose data have errors: its year figures are there, said unusable, and each use is an error naming its problem (issue 34)', () => {
    const root = workspace({ '2017Q1': { counts: [40, 36] }, '2017Q2': { counts: [50, 45], circular: '全年共抽查{{year.counts.sampled.sum.sum}}个网站。\n' } });
    writeFileSync(path.join(root, 'data/2017Q1/counts.csv'), '地区,抽查网站数,合格网站数\n某区,40,46\n');
    const f = stats(root, '2017Q2') as Map<string, { display: string; faulty?: string }>;
    expect(f.get('year.counts.sampled.sum.series')?.display).toBe('第一季度40、第二季度50');
    expect(f.get('year.counts.sampled.sum.sum')?.faulty).toMatch(/^2017Q1 的核对有 \d+ 个错误，如 .*counts\.csv:2:\d+ /);
    const r = check(root, '2017Q2');
    expect(r.status).toBe(1);
    expect(r.messages.find((m) => m.rule === 'figures/year')).toBeUndefined();
    const use = r.messages.find((m) => m.rule === 'figures/faulty-period');
    // At the name (after `{{`), as the circular's name check places every name.
    expect(use).toMatchObject({ severity: 'error', line: 1, column: 8 });
    expect(use!.reason).toMatch(/^「year\.counts\.sampled\.sum\.sum」取自有错误的期次，不能使用：2017Q1 的核对有/);
  });

  it('reports a hand-typed history table that disagrees with the periods’ own figures, at the cell', () => {
    const root = workspace({
      '2017Q1': { counts: [40, 36] },
      '2017Q2': {
        counts: [50, 45],
        history: '期次,合格率\n2017Q1,88%\n第二季度,90%\n2016Q4,70%\n',
        yaml: 'charts:\n  - { id: trend, kind: series, title: 合格率, table: history, x: period, value: rate, figure: counts.passed.rate }',
      },
    });
    const r = check(root, '2017Q2');
    const bad = r.messages.filter((m) => m.rule === 'figures/history');
    // 2017Q1 is 36/40 = 90%, not 88%; 第二季度 agrees; 2016Q4 has no data here to compare with.
    expect(bad).toHaveLength(1);
    expect(bad[0]).toMatchObject({ severity: 'error', line: 2, column: 8 });
    expect(bad[0]!.reason).toContain('2017Q1 的「合格率」写的是 88%，但 2017Q1 自己的数据算出 counts.passed.rate = 90%');
  });

  it('draws a trend chart from the periods themselves, a missing one left as a gap', () => {
    const root = workspace({
      '2017Q1': { counts: [40, 36] },
      '2017Q3': { counts: [30, 28], yaml: 'charts:\n  - { id: trend, kind: series, title: 各季度合格率, figure: counts.passed.rate }' },
    });
    const r = tongbao(['build', '2017Q3', '--format', 'html', '--root', root]);
    expect(r.status, r.stderr).toBe(0);
    expect(readOut(root, '2017Q3')).toContain('折线图：第一季度 90%，第三季度 93.3%；第二季度无数据。');
  });
});

describe('a new period after one with a rectification table', () => {
  it('starts its rectification table with the codes and names the period before listed, the status left to fill', () => {
    const root = exampleWorkspace('city');
    const r = tongbao(['new', '2017Q3', '--root', root]);
    expect(r.status, r.stderr).toBe(0);
    const lines = readFileSync(path.join(root, 'data/2017Q3/rectification.csv'), 'utf8').trim().split('\n');
    expect(lines[0]).toBe('网站标识码,整改状态,完成日期');
    expect(lines.slice(1)).toEqual(readFileSync(path.join(root, 'data/2017Q2/problem-sites.csv'), 'utf8').trim().split('\n').slice(1).map((l) => `${l.split(',').at(-1)},,`));
    // The seal comes along; the empty statuses are what check asks for, row by row.
    expect(readFileSync(path.join(root, 'data/2017Q3/seal.svg'), 'utf8')).toBe(readFileSync(path.join(root, 'data/2017Q2/seal.svg'), 'utf8'));
    const c = check(root, '2017Q3');
    const empty = c.messages.filter((m) => m.rule === 'cell/required' && m.file.endsWith('rectification.csv'));
    expect(empty.map((m) => [m.line, m.column])).toEqual(lines.slice(1).map((_, i) => [i + 2, 12]));
    expect(c.messages.some((m) => m.rule === 'document/seal')).toBe(false);
  });
});

describe('tongbao sites on examples/city', () => {
  const city = path.join(REPO, 'examples/city');

  it('lists the repeat site with both periods, and its history by code', () => {
    const r = tongbao(['sites', '--root', city]);
    expect(r.status).toBe(0);
    const line = r.stdout.split('\n').find((l) => l.startsWith('9901030024'));
    expect(line).toMatch(/“南湖区农业局”网\s+南湖区\s+2016Q4、2017Q1\s+2\s+已整改/);
    expect(r.stdout).toContain('（3 期：2016Q4、2017Q1、2017Q2）');
    const h = tongbao(['sites', '9901030024', '--root', city]);
    expect(h.stdout).toMatch(/2016Q4\s+被通报\s+首页面长时间未更新/);
    expect(h.stdout).toMatch(/2017Q1\s+被通报\s+首页面长时间未更新，整改不彻底/);
    expect(h.stdout).toMatch(/2017Q1\s+整改情况\s+未整改/);
    expect(h.stdout).toMatch(/2017Q2\s+整改情况\s+已整改（2017-04-18）/);
  });

  it('filters by period, region and status', () => {
    const r = tongbao(['sites', '--root', city, '--json', '--period', '2017Q2', '--status', '待整改', '--region', '临江县']);
    const sites = JSON.parse(r.stdout).sites as { key: string; periods: string[] }[];
    expect(sites.map((s) => s.key)).toEqual(['9901210077', '9901210091', '9901210094']);
    expect(sites[0]!.periods).toEqual(['2016Q4', '2017Q2']);
    expect(tongbao(['sites', '--root', city, '--status', '好了']).status).toBe(2);
  });

  it('writes CSV that Excel opens: a BOM, CRLF line ends, every field quoted', () => {
    const r = spawnBytes(['sites', '--root', city, '--csv', '--region', '南湖区']);
    expect([...r.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = r.subarray(3).toString('utf8');
    const lines = text.split('\r\n');
    expect(lines[0]).toBe('"网站标识码","网站名称","地区","被通报期次","次数","整改状态"');
    expect(lines).toContain('"9901030024","“南湖区农业局”网","南湖区","2016Q4、2017Q1","2","已整改"');
    expect(text.replace(/\r\n/g, '')).not.toContain('\n');
  });

  it('writes a field Excel would take for a formula as text', () => {
    const root = workspace({ '2017Q1': { sites: [[CODES.A, '=HYPERLINK(1)', '首页长期未更新'], [CODES.B, '@SUM(1+1)', '栏目空白'], [CODES.C, '-2+3', '站点无法访问'], [CODES.D, '丁网', '栏目空白']] } });
    const r = spawnBytes(['sites', '--root', root, '--csv']);
    const lines = r.subarray(3).toString('utf8').split('\r\n');
    expect(lines).toContain(`"${CODES.A}","'=HYPERLINK(1)",,"2017Q1","1","待整改"`);
    expect(lines).toContain(`"${CODES.B}","'@SUM(1+1)",,"2017Q1","1","待整改"`);
    expect(lines).toContain(`"${CODES.C}","'-2+3",,"2017Q1","1","待整改"`);
    expect(lines).toContain(`"${CODES.D}","丁网",,"2017Q1","1","待整改"`);
    // The table on screen and the JSON keep the names as they are.
    expect(JSON.parse(tongbao(['sites', '--root', root, '--json']).stdout).sites.map((s: { name: string }) => s.name)).toContain('@SUM(1+1)');
  });

  it('says so for a code never listed', () => {
    const r = tongbao(['sites', '9999999999', '--root', city]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('登记册中没有「9999999999」');
  });
});

function readOut(root: string, period: string): string {
  return readFileSync(path.join(root, 'out', period, 'index.html'), 'utf8');
}

function spawnBytes(args: string[]): Buffer {
  return spawnSync(process.execPath, [path.join(REPO, 'bin', 'tongbao.js'), ...args], { cwd: REPO }).stdout;
}

describe('the register read again from the start', () => {
  it('takes back what a stream gave before it fell back to the in-memory reader', async () => {
    // The stream hands rows, then the reader starts over (an irregular file): the marks undo them.
    const { Register } = await import('../src/register/register.js');
    const r = new Register();
    const t = r.table('2017Q1', 'sites', 'sites.csv');
    r.add(t, { key: CODES.A, kind: 'site', line: 2, column: 1, name: '甲网', problem: '栏目空白' });
    const mark = r.mark();
    r.add(t, { key: CODES.A, kind: 'site', line: 3, column: 1, name: '甲网（改名）', problem: '再次', claimColumn: 5 });
    r.add(t, { key: CODES.B, kind: 'site', line: 4, column: 1, name: '乙网', problem: '首页长期未更新' });
    r.rollback(mark);
    r.add(t, { key: CODES.A, kind: 'site', line: 9, column: 1, name: '甲网', problem: '站点无法访问' });
    expect(r.listings).toBe(2);
    expect(r.has(CODES.B)).toBe(false);
    expect(r.history(CODES.A).map((l) => [l.line, l.name, l.problem, l.claimColumn])).toEqual([
      [2, '甲网', '栏目空白', undefined],
      [9, '甲网', '站点无法访问', undefined],
    ]);
  });
});

// An empty list printed as it is leaves its sentence without the names it speaks of
// ("：。", "整改不彻底" with no subject): an error at the expression, unless the circular says
// what to print when it is empty (empty="无") or branches on it ({{#if}}).
describe('an empty list in the circular', () => {
  const all: [string, string, string][] = [
    [CODES.A, '甲网', '首页长期未更新'],
    [CODES.B, '乙网', '栏目空白'],
  ];
  const rectified: [string, string][] = [[CODES.A, '已整改'], [CODES.B, '已关停']];
  const periods = (circular: string) => workspace({ '2017Q1': { sites: all }, '2017Q2': { rect: rectified, counts: [10, 9], circular } });

  it.each([
    ['{{list rectification.pending.members}}整改不彻底。', 'rectification.pending.members', 1],
    ['{{list rectification.pending.members 3}}等整改不彻底。', 'rectification.pending.members', 1],
    ['全部合格的地区：{{list counts.passed.full}}。', 'counts.passed.full', 9],
    ['未整改：{{rectification.pending.members}}。', 'rectification.pending.members', 5],
  ])('is an error at its place: %s', (line, name, column) => {
    const root = periods(`现将抽查情况通报如下。\n\n${line}\n`);
    const r = check(root, '2017Q2');
    expect(r.status).toBe(1);
    const empty = r.messages.filter((m) => m.rule === 'template/empty-list');
    expect(empty).toHaveLength(1);
    expect(empty[0]).toMatchObject({ severity: 'error', file: expect.stringMatching(/content\/2017Q2\/circular\.md$/), line: 3, column });
    expect(empty[0]!.reason).toContain(`「${name}」是空名单`);
    // The build says the same and writes nothing.
    const b = tongbao(['build', '2017Q2', '--format', 'html', '--root', root]);
    expect(b.status).toBe(1);
    expect(b.stderr).toContain(`content/2017Q2/circular.md:3:${column}: 错误: 「${name}」是空名单`);
    expect(b.stderr).toContain('empty="无"');
  });

  it('prints what empty= says, and a list with names as it is', () => {
    const root = periods('未整改：{{list rectification.pending.members empty="无"}}；全部合格：{{list counts.passed.full empty="（无）"}}。\n');
    expect(tongbao(['build', '2017Q2', '--format', 'html', '--root', root]).status).toBe(0);
    expect(readOut(root, '2017Q2')).toContain('未整改：无；全部合格：（无）。');
    const some = workspace({ '2017Q1': { sites: all }, '2017Q2': { rect: [[CODES.A, '已整改'], [CODES.B, '未整改']], circular: '未整改：{{list rectification.pending.members empty="无"}}。\n' } });
    expect(tongbao(['build', '2017Q2', '--format', 'html', '--root', some]).status).toBe(0);
    expect(readOut(some, '2017Q2')).toContain('未整改：乙网。');
  });

  it('branches with {{#if}} and {{#unless}} on a figure by its value', () => {
    const circular = [
      '{{#if rectification.pending.members}}{{list rectification.pending.members}}整改不彻底。{{else}}上期通报的网站均已整改。{{/if}}',
      '{{#unless rectification.pending.count}}未整改数为零。{{/unless}}{{#if rectification.rate}}整改率{{rectification.rate}}。{{/if}}',
      '',
    ].join('\n\n');
    const root = periods(circular);
    expect(check(root, '2017Q2').messages.filter((m) => m.severity === 'error')).toEqual([]);
    expect(tongbao(['build', '2017Q2', '--format', 'html', '--root', root]).status).toBe(0);
    const html = readOut(root, '2017Q2');
    expect(html).toContain('上期通报的网站均已整改。');
    expect(html).toContain('未整改数为零。');
    expect(html).toContain('整改率100%。');
    expect(html).not.toContain('整改不彻底');
    const some = workspace({ '2017Q1': { sites: all }, '2017Q2': { rect: [[CODES.A, '已整改'], [CODES.B, '未整改']], circular } });
    expect(tongbao(['build', '2017Q2', '--format', 'html', '--root', some]).status).toBe(0);
    const html2 = readOut(some, '2017Q2');
    expect(html2).toContain('乙网整改不彻底。');
    expect(html2).not.toContain('未整改数为零');
    expect(html2).toContain('整改率50%。');
  });
});

// A quarter whose problem sites each lie in a district of their own, or a quarter with one
// problem site: the district column still groups (3 个区县, 1 个区县), and the circular that
// says 分布在{{sites.district.distinct}}个区县 builds.
describe('a region column whose rows are all different', () => {
  it.each([
    [[1, 2, 5], '分布在3个区县，按区县统计依次为：西城区1个、南湖区1个、北山区1个。'],
    [[10], '分布在1个区县，按区县统计依次为：青石县1个。'],
  ])('still groups: rows %j', (keep, sentence) => {
    const root = exampleWorkspace('city');
    const file = path.join(root, 'data/2017Q2/problem-sites.csv');
    const [head, ...rows] = readFileSync(file, 'utf8').trimEnd().split('\n');
    writeFileSync(file, `${[head, ...rows.filter((r) => keep.includes(Number(r.split(',')[0])))].join('\n')}\n`);
    const r = tongbao(['build', '2017Q2', '--format', 'html', '--root', root]);
    expect(r.status, r.stderr).toBe(0);
    expect(readOut(root, '2017Q2').replace(/<[^>]+>/g, '')).toContain(sentence);
    expect(stats(root, '2017Q2').get('sites.district.distinct')?.display).toBe(String(keep.length));
  });
});

