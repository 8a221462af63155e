import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { tongbao } from './helpers.js';

interface FigureJson {
  name: string;
  display: string;
  value: unknown;
  derivation?: { formula: string; rows?: number[] };
}

function stats(args: string[], cwd?: string): Map<string, FigureJson> {
  const r = tongbao(['stats', ...args, '--json'], cwd);
  const out = JSON.parse(r.stdout) as { figures: FigureJson[] };
  return new Map(out.figures.map((f) => [f.name, f]));
}

describe('tongbao stats on the sample', () => {
  const figures = stats(['2016Q4']);

  it('holds the seed’s headline figures as printed', () => {
    expect(figures.get('sampled')!.display).toBe('7535');
    expect(figures.get('pass_rate')!.display).toBe('91%');
    expect(figures.get('department_pass_rate')!.display).toBe('97.2%');
    expect(figures.get('local_pass_rate')!.display).toBe('90.8%');
    expect(figures.get('messages')!.display).toBe('2399');
    // Exact values for programs: no floats.
    expect(figures.get('department_pass_rate')!.value).toBe('243/250');
  });

  it('holds the coverage of each of the five checks with its members', () => {
    const expected: Record<string, [string, string, string[]]> = {
      supervision: ['32/32', '100%', []],
      assessment: ['30/32', '93.75%', ['黑龙江', '西藏']],
      accountability: ['27/32', '84.375%', ['山西', '辽宁', '黑龙江', '广东', '青海']],
      consolidation: ['25/32', '78.125%', ['山西', '内蒙古', '上海', '河南', '海南', '重庆', '西藏']],
      disclosure: ['4/32', '12.5%', []],
    };
    for (const [key, [formula, shown, without]] of Object.entries(expected)) {
      const share = figures.get(`institutions.${key}.share`)!;
      expect(share.derivation!.formula).toBe(formula);
      expect(share.display).toBe(shown);
      const members = figures.get(`institutions.${key}.members`)!.value as string[];
      expect(members.length).toBe(Number(formula.split('/')[0]));
      if (without.length) expect(figures.get(`institutions.${key}.without`)!.value).toEqual(without);
    }
    expect(figures.get('institutions.disclosure.members')!.value).toEqual(['天津', '安徽', '湖南', '海南']);
  });

  it('computes the year’s first and last quarter and the problem sites by region', () => {
    expect(figures.get('history.pass_rate.first')!.display).toBe('81.5%');
    expect(figures.get('history.pass_rate.last')!.display).toBe('91%');
    expect(figures.get('sites.count')!.display).toBe('15');
    expect(figures.get('sites.region.groups')!.display).toMatch(/^山西 4、云南 4、/);
  });

  it('prints a readable table without --json', () => {
    const r = tongbao(['stats', '2016Q4']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('institutions.assessment.share  93.75%');
    expect(r.stdout).toContain('附件2「对政府网站进行考核」：30/32');
  });
});

describe('tongbao check: reported against computed', () => {
  it('reports the text’s 91% (考核) and 81% (集约化) against attachment 2, as warnings in the sample', () => {
    const r = tongbao(['check', '2016Q4']);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/bulletin\.yaml:\d+:\d+: 警告: 「assessment_share」与表格不符：附件2「对政府网站进行考核」30\/32 = 93\.75% → 94%，正文为 91%/);
    expect(r.stderr).toMatch(/bulletin\.yaml:\d+:\d+: 警告: 「consolidation_share」与表格不符：附件2「推进网站集约化建设」25\/32 = 78\.125% → 78%，正文为 81%/);
    // 84% (问责) agrees with 27/32 and is not reported.
    expect(r.stderr).not.toContain('accountability_share');
  });
});

/** A small district bulletin of our own, with sampled/passed counts, printed rates and a total row. */
function districtWorkspace(csv: string): string {
  const root = mkdtempSync(path.join(tmpdir(), 'tongbao-d-'));
  const dir = path.join(root, 'data', '2017Q1');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, 'bulletin.yaml'),
    `title: 关于2017年第一季度某市政府网站抽查情况的通报（示例）
period: 2017Q1
office: 某市人民政府办公室
source: 某市人民政府网
published: 2017-04-10
signed: 2017-04-05
figures:
  rate: { value: "54.62%", check: districts.passed.rate }
tables:
  - id: districts
    file: districts.csv
    columns:
      - { key: district, name: 区县, type: region }
      - { key: sampled, name: 抽查数, type: count }
      - { key: passed, name: 合格数, type: count, max: sampled }
      - { key: rate, name: 合格率, type: percent, ratio: [passed, sampled] }
`,
  );
  writeFileSync(path.join(dir, 'districts.csv'), csv);
  return root;
}

describe('a table of our own', () => {
  it('catches a rate truncated instead of rounded', () => {
    const root = districtWorkspace('区县,抽查数,合格数,合格率\n东城区,130,71,54.61%\n西城区,40,40,100%\n');
    const r = tongbao(['check', '2017Q1'], root);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      'data/2017Q1/districts.csv:2:12: 错误: 「东城区」的「合格率」印为 54.61%，按「合格数」/「抽查数」71/130 = 54.61538% 四舍五入应为 54.62%（这是截断而非四舍五入的结果；应为 54.62%）',
    );
  });

  it('catches a total that is not the sum of its rows, and a rate over the wrong base', () => {
    const root = districtWorkspace('区县,抽查数,合格数,合格率\n东城区,130,71,54.62%\n西城区,40,40,100%\n合计,160,111,65.29%\n');
    const r = tongbao(['check', '2017Q1'], root);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('districts.csv:4:4: 错误: 合计行的「抽查数」为 160，各行之和为 170');
    // The 合计 row's rate follows from its own counts (issue 20): 111/160, not the members' 111/170.
    expect(r.stderr).toContain('districts.csv:4:12: 错误: 「合计」的「合格率」印为 65.29%，按「合格数」/「抽查数」111/160 = 69.37500% 四舍五入应为 69.38%');
    // The reported 54.62% is checked against 111/170 = 65.29%, and disagrees.
    expect(r.stderr).toMatch(/「rate」与表格不符：districts\.csv「合格数」111\/170 = 65\.294% → 65\.29%，正文为 54\.62%/);
  });

  it('accepts a correct table and computes its rates and ranking', () => {
    const root = districtWorkspace('区县,抽查数,合格数,合格率\n东城区,130,71,54.62%\n西城区,40,40,100%\n合计,170,111,65.29%\n');
    edit(root);
    const figures = stats(['2017Q1'], root);
    expect(figures.get('districts.passed.rate')!.display).toBe('65.294%');
    expect(figures.get('districts.sampled.sum')!.display).toBe('170');
    expect(figures.get('districts.passed.ranking')!.value).toEqual(['西城区 100%', '东城区 54.615%']);
    expect(figures.get('districts.passed.full')!.value).toEqual(['西城区']);
  });
});

function edit(root: string) {
  // The reported rate is now the one the table supports.
  const f = path.join(root, 'data/2017Q1/bulletin.yaml');
  writeFileSync(f, readFileSync(f, 'utf8').replace('"54.62%", check: districts.passed.rate', '"65.29%", check: districts.passed.rate'));
}

/** A district table without printed rates: only counts, to rank. */
function countsWorkspace(csv: string): string {
  const root = districtWorkspace(csv);
  const f = path.join(root, 'data/2017Q1/bulletin.yaml');
  writeFileSync(f, readFileSync(f, 'utf8').replace(/figures:\n.*\n/, '').replace(/ *- \{ key: rate.*\n/, ''));
  return root;
}

describe('the ranking of a bounded count', () => {
  const names = (f: FigureJson | undefined) => (f!.value as string[]).map((s) => s.split(' ')[0]);

  it('ranks equal rates, however written (3/4, 6/8), in file order', () => {
    const root = countsWorkspace('区县,抽查数,合格数\n东城区,4,2\n西城区,4,3\n朝阳区,2,1\n海淀区,8,6\n丰台区,3,3\n石景山区,9,9\n');
    const figures = stats(['2017Q1'], root);
    expect(figures.get('districts.passed.ranking')!.value).toEqual(['丰台区 100%', '石景山区 100%', '西城区 75%', '海淀区 75%', '东城区 50%', '朝阳区 50%']);
    expect(figures.get('districts.passed.ranking')!.derivation!.rows).toEqual([6, 7, 3, 5, 2, 4]);
    expect(figures.get('districts.passed.full')!.value).toEqual(['丰台区', '石景山区']);
  });

  it('ranks rates of counts too large for a double to tell apart, exactly', () => {
    // 10¹²/(10¹² + 1) and (10¹² + 1)/(10¹² + 2) are the same double: the later, higher rate
    // comes first all the same; 2·10¹²/(2·10¹² + 2) equals the first and follows it.
    const root = countsWorkspace('区县,抽查数,合格数\n东城区,1000000000001,1000000000000\n西城区,2000000000002,2000000000000\n朝阳区,1000000000002,1000000000001\n海淀区,3,1\n');
    const figures = stats(['2017Q1'], root);
    expect(names(figures.get('districts.passed.ranking'))).toEqual(['朝阳区', '东城区', '西城区', '海淀区']);
    expect(figures.get('districts.passed.ranking')!.derivation!.rows).toEqual([4, 2, 3, 5]);
  });

  it('writes the sum of a count term by term, zero and numbers past 2^31 and 2^53 as written', () => {
    const root = countsWorkspace('区县,抽查数,合格数\n东城区,9007199254740993,0\n西城区,12,12\n朝阳区,2147483648,2147483647\n海淀区,1000,999\n');
    const figures = stats(['2017Q1'], root);
    expect(figures.get('districts.sampled.sum')!.derivation!.formula).toBe('9007199254740993 + 12 + 2147483648 + 1000');
    expect(figures.get('districts.sampled.sum')!.display).toBe('9007201402225653');
    expect(figures.get('districts.passed.sum')!.derivation!.formula).toBe('0 + 12 + 2147483647 + 999');
    expect(names(figures.get('districts.passed.ranking'))).toEqual(['西城区', '朝阳区', '海淀区', '东城区']);
  });
});
