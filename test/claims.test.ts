// Issue 34, items 2–4: claims that are comparisons (`claims:`), percentage points (a share
// minus a share is points, never a share), and a row or group by name (`regions[东江市]`).
// Each through the CLI on a copy of examples/province, with right and wrong members of each
// family, the messages at their line in bulletin.yaml, and what `stats --json` says.
import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { edit, exampleWorkspace, sampleWorkspace, tongbao } from './helpers.js';

const YAML = 'data/2023Q3/bulletin.yaml';

/** The province example with more figures (YAML lines under `figures:`) and claims (under `claims:`); then `tongbao <command>`. */
function province(more: { figures?: string[]; claims?: string[] }, command: string[] = ['check', '2023Q3']) {
  const root = exampleWorkspace('province');
  edit(root, YAML, (t) =>
    t
      .replace('figures:\n', `figures:\n${(more.figures ?? []).map((l) => `  ${l}\n`).join('')}`)
      .replace('claims:\n', `claims:\n${(more.claims ?? []).map((l) => `  - ${l}\n`).join('')}`),
  );
  const r = tongbao([...command, '--root', root]);
  const text = readFileSync(path.join(root, YAML), 'utf8').split('\n');
  /** The 1-based line of bulletin.yaml holding `s`. */
  const line = (s: string) => {
    const i = text.findIndex((l) => l.includes(s));
    if (i < 0) throw new Error(`not in bulletin.yaml: ${s}`);
    return i + 1;
  };
  return { ...r, root, line, at: (s: string) => `${YAML}:${line(s)}:` };
}

/** The messages of a run about bulletin.yaml at the line holding `s`. */
const messagesAt = (r: { stderr: string; line: (s: string) => number }, s: string) => r.stderr.split('\n').filter((l) => l.includes(`bulletin.yaml:${r.line(s)}:`));

describe('claims: comparisons checked like figures, at their line', () => {
  it('the example holds each of its claims, and stats --json gives each one’s truth', () => {
    const r = province({}, ['stats', '2023Q3', '--json']);
    const out = JSON.parse(r.stdout) as { claims: { index: number; check: string; label?: string; formula: string; holds: boolean }[]; figures: { name: string; type: string; display: string }[] };
    expect(out.claims.map((c) => c.label)).toEqual(['抽查比例不低于10%', '省级部门和省会市、东江市、南湾市的合格率在90%以上', '西岭市、北原市低于90%', '西岭市、北原市各有3个网站被通报']);
    expect(out.claims.every((c) => c.holds)).toBe(true);
    expect(out.claims[0]!.formula).toBe('168 / 796 = 21.106% ≥ 10%');
    expect(out.claims[2]!.formula).toBe('87.5% < 90%（成立），且 83.333% < 90%（成立）');
    const c = tongbao(['check', '2023Q3', '--root', r.root]);
    expect(c.status, c.stderr).toBe(0);
    expect(c.stderr).not.toMatch(/claims|说法/);
  });

  it('a claim that does not hold is an error at its line, with the values put in; each comparison marked', () => {
    const wrong = [
      '{ check: "regions[西岭市].passed.rate >= 90%", label: 西岭市在90%以上 }',
      '"regions.sampled.sum / running < 10%"',
      '"regions[北原市].passed.rate > 85% or media.failed.rate >= 91%"',
      '"regions[东江市].passed.rate >= 90% and regions[南湾市].passed.rate > 91%"',
      '"problem_sites.count = 13"',
      '"problem_accounts.count ≠ 14"',
      '"site_rate <= 92.8%"',
    ];
    const right = ['"problem_sites.count = 12"', '"problem_accounts.count != 13"', '"regions[东江市].passed.rate > 90% 且 (site_rate ≥ 95% 或 media_rate ＞ 90%)"', '"site_rate - media_rate >= 2个百分点"', '"regions.passed.rate = 13/14"'];
    const r = province({ claims: [...wrong, ...right] });
    expect(r.status).toBe(1);
    const expected = [
      '错误: 说法「西岭市在90%以上」不成立：regions[西岭市].passed.rate >= 90%，即 87.5% ≥ 90%',
      '错误: claims 第 2 条不成立：regions.sampled.sum / running < 10%，即 168 / 796 = 21.106% < 10%',
      '错误: claims 第 3 条不成立：regions[北原市].passed.rate > 85% or media.failed.rate >= 91%，即 83.333% > 85%（不成立），或 90.667% ≥ 91%（不成立）',
      '错误: claims 第 4 条不成立：regions[东江市].passed.rate >= 90% and regions[南湾市].passed.rate > 91%，即 92.857% ≥ 90%（成立），且 90.909% > 91%（不成立）',
      '错误: claims 第 5 条不成立：problem_sites.count = 13，即 12 = 13',
      '错误: claims 第 6 条不成立：problem_accounts.count ≠ 14，即 14 ≠ 14',
      '错误: claims 第 7 条不成立：site_rate <= 92.8%，即 92.9% ≤ 92.8%',
    ];
    wrong.forEach((w, i) => {
      const at = messagesAt(r, w.replace(/^\{ check: /, ''));
      expect(at, w).toHaveLength(1);
      expect(at[0]).toContain(expected[i]!);
    });
    for (const w of right) expect(messagesAt(r, w), w).toEqual([]);
  });

  it('shows the decimals that tell two sides apart, and a warning when the claim says so', () => {
    const r = province({ claims: ['"regions.passed.rate <= 92.857%"', '{ check: "regions.passed.rate > 93%", severity: warning }', '"regions.passed.rate < 92.8571%"', '"regions.passed.rate > 92.8572% or site_rate < 92.9%"'] });
    expect(messagesAt(r, 'regions.passed.rate <= 92.857%')[0]).toContain('即 92.8571% ≤ 92.857%');
    // Never a contradiction on its face: 156/168 = 92.857142…% is above 92.8571%, and read so.
    expect(messagesAt(r, 'regions.passed.rate < 92.8571%')[0]).toContain('即 92.85714% < 92.8571%');
    expect(messagesAt(r, 'regions.passed.rate > 92.8572%')[0]).toContain('即 92.857% > 92.8572%（不成立），或 92.9% < 92.9%（不成立）');
    expect(messagesAt(r, 'regions.passed.rate > 93%')[0]).toContain('警告: claims 第 2 条不成立：regions.passed.rate > 93%，即 92.857% > 93%');
    const s = province({ claims: ['{ check: "regions.passed.rate > 93%", severity: warning }'] });
    expect(s.status, s.stderr).toBe(0);
  });

  it('refuses what is not a claim, or compares two kinds of number, at its column', () => {
    const bad: [string, string][] = [
      ['"regions.passed.rate"', '这一条不是比较'],
      ['"regions.passed.rate > 90"', '「>」两边不是同一种数：左边是比例（92.857%），右边是整数（90）'],
      ['"site_rate - media_rate >= 2%"', '「≥」两边不是同一种数：左边是百分点（92.9% − 90.7%），右边是比例（2%）'],
      ['"problem_sites.count >= 50%"', '「≥」两边不是同一种数：左边是整数（12），右边是比例（50%）'],
      ['"0% < site_rate < 100%"', '比较不能连写：这里又有「<」'],
      ['"site_rate >="', '算式不完整'],
      ['"site_rte >= 90%"', '「site_rte」不是能从表格算出的数字'],
      ['"(site_rate > 90%) + 1 > 0"', '「>」是比较，这里应是算得出数的算式'],
    ];
    const r = province({ claims: bad.map(([c]) => c) });
    expect(r.status).toBe(1);
    bad.forEach(([c, reason], i) => {
      const at = messagesAt(r, c);
      expect(at, c).toHaveLength(1);
      expect(at[0]).toContain(`错误: claims 第 ${i + 1} 条：${reason}`);
      expect(at[0], c).toMatch(/bulletin\.yaml:\d+:\d+: /);
    });
    // The column is the place in the claim: the operator of a mixed comparison.
    const line = r.line('"regions.passed.rate > 90"');
    expect(r.stderr).toContain(`bulletin.yaml:${line}:${'  - "regions.passed.rate '.length + 1}: 错误`);
  });

  it('a comparison in a figure’s check: is refused, pointing to claims:', () => {
    const r = province({ figures: ['odd: { value: 1, check: "site_rate >= 90%" }'] });
    expect(messagesAt(r, 'odd:')[0]).toContain('错误: 「>=」是比较，这里应是算得出数的算式（比较（如 rate >= 90%）写在 bulletin.yaml 的 claims: 中');
  });
});

describe('percentage points: a share minus a share', () => {
  it('takes points printed as N个百分点 or with their direction, and refuses them as a share or a count', () => {
    const r = province({
      figures: [
        'gap_points: { value: "2.2个百分点", check: "site_rate - media_rate" }',
        'gap_share: { value: "2.2%", check: "site_rate - media_rate" }',
        'gap_count: { value: 2, check: "site_rate - media_rate" }',
        'up_words: { value: "提高11.8个百分点", check: "site_rate - site_rate_prev" }',
        'down_words: { value: "下降11.8个百分点", check: "site_rate_prev - site_rate" }',
        'down_wrong: { value: "下降11.8个百分点", check: "site_rate - site_rate_prev" }',
        'up_off: { value: "11.9个百分点", check: "site_rate - site_rate_prev" }',
        'not_points: { value: "1.1个百分点", check: "site_rate / site_rate_prev" }',
        'moved: { value: "95.9%", check: "site_rate + 3个百分点" }',
        'growth_gap: { value: "12.5个百分点", check: "growth(accounts, accounts_prev) - 0%" }',
      ],
    });
    expect(r.status).toBe(1);
    for (const ok of ['gap_points:', 'up_words:', 'down_words:', 'moved:', 'growth_gap:']) expect(messagesAt(r, ok), ok).toEqual([]);
    expect(messagesAt(r, 'gap_share:')[0]).toContain('错误: 「gap_share」与算式不符（两个比例之差，单位是百分点，不是百分比或个数）：site_rate - media_rate = 92.9% − 90.7% = 2.2个百分点，正文为 2.2%（正文应写作「2.2个百分点」：value: "2.2个百分点"）');
    expect(messagesAt(r, 'gap_count:')[0]).toContain('「gap_count」与算式不符（两个比例之差，单位是百分点，不是百分比或个数）：site_rate - media_rate = 92.9% − 90.7% = 2.2个百分点，正文为 2');
    expect(messagesAt(r, 'down_wrong:')[0]).toContain('「down_wrong」与算式不符：site_rate - site_rate_prev = 92.9% − 81.1% = 11.8个百分点，正文为 下降11.8个百分点（方向相反：算出的是提高11.8个百分点');
    expect(messagesAt(r, 'up_off:')[0]).toContain('「up_off」与算式不符：site_rate - site_rate_prev = 92.9% − 81.1% = 11.8个百分点，正文为 11.9个百分点');
    expect(messagesAt(r, 'not_points:')[0]).toContain('「not_points」与算式不符（算出的不是百分点：只有两个比例之差是百分点）');
  });

  it('against the previous period: .change is points, to be printed and compared as points (city 2017Q1)', () => {
    const root = exampleWorkspace('city');
    const file = 'data/2017Q1/bulletin.yaml';
    edit(root, file, (t) =>
      t.replace(
        'figures:\n',
        `figures:
  up: { value: "3.0个百分点", check: overall_rate.change }
  up_words: { value: "提高3个百分点", check: "overall_rate - previous.overall_rate" }
  up_share: { value: "3.0%", check: overall_rate.change }
  up_reverse: { value: "3个百分点", check: "previous.overall_rate - overall_rate" }
`,
      ) +
        `claims:
  - "overall_rate.change >= 3个百分点 and districts.passed.rate.change > 0个百分点"
  - "districts.passed.rate.change > 3个百分点"
`,
    );
    const r = tongbao(['check', '2017Q1', '--root', root]);
    const lines = readFileSync(path.join(root, file), 'utf8').split('\n');
    const at = (s: string) => r.stderr.split('\n').filter((l) => l.includes(`bulletin.yaml:${lines.findIndex((x) => x.includes(s)) + 1}:`));
    expect(at('  up:')).toEqual([]);
    expect(at('  up_words:')).toEqual([]);
    expect(at('  up_share:')[0]).toContain('错误: 「up_share」与表格不符（两个比例之差，单位是百分点，不是百分比或个数）：overall_rate.change = 88.5% − 85.5%（2016Q4 → 2017Q1） = 3.0个百分点，正文为 3.0%（正文应写作「3.0个百分点」：value: "3.0个百分点"）');
    expect(at('  up_reverse:')[0]).toContain('「up_reverse」与算式不符：previous.overall_rate - overall_rate = 85.5% − 88.5% = -3个百分点，正文为 3个百分点（方向相反：算出的是下降3个百分点；正文这样写时 value 写作「下降3个百分点」，否则把 check 的两项对调）');
    expect(at('overall_rate.change >= 3个百分点')).toEqual([]);
    expect(at('districts.passed.rate.change > 3个百分点')[0]).toContain('错误: claims 第 2 条不成立：districts.passed.rate.change > 3个百分点，即 2.978个百分点 > 3个百分点');
  });

  it('refuses adding a count to points', () => {
    const r = province({ figures: ['mixed: { value: "3个百分点", check: "site_rate - media_rate + 1" }'] });
    expect(messagesAt(r, 'mixed:')[0]).toContain('错误: 百分点不能与整数相加：92.9% − 90.7% + 1（百分点的常数写作 1个百分点，百分比写作 1%）');
  });

  it('prints points as N个百分点, and stats --json gives the figure as points', () => {
    const s = province({}, ['stats', '2023Q3', '--json']);
    const out = JSON.parse(s.stdout) as { figures: { name: string; type: string; value: string; display: string }[]; checks: { name: string; exact: string; printed: string; agrees: boolean }[] };
    expect(out.figures.find((f) => f.name === 'site_rate_up')).toMatchObject({ type: 'points', value: '59/5', display: '11.8个百分点' });
    expect(out.checks.find((c) => c.name === 'site_rate_up')).toMatchObject({ exact: '11.8个百分点', printed: '11.8个百分点', agrees: true });
    const b = tongbao(['build', '2023Q3', '--root', s.root, '--format', 'html']);
    expect(b.status, b.stderr).toBe(0);
    const html = readFileSync(path.join(s.root, 'out/2023Q3/index.html'), 'utf8');
    expect(html).toContain('比上季度的81.1%提高11.8个百分点');
    expect(html).toContain('抽查比例不低于10%');
    expect(html).toContain('其中东江市为92.9%');
    // The check report beside it (the example accepts a truncated rate) lists the claims worked out.
    const report = readFileSync(path.join(s.root, 'out/2023Q3/check-report.html'), 'utf8');
    expect(report).toContain('<h2>正文的说法</h2>');
    expect(report).toContain('<tr><td>抽查比例不低于10%</td><td>regions.sampled.sum / running &gt;= sampling_floor</td><td>168 / 796 = 21.106% ≥ 10%</td><td>成立</td></tr>');
  });
});

describe('a row or a group by name', () => {
  it('takes a row by its label, a group by a column’s value, in the form row labels are compared', () => {
    const right = [
      'a: { value: "92.9%", check: "regions[东江市].passed.rate" }',
      'b: { value: "92.9%", check: "regions[ 东江市 ].passed.rate" }',
      'c: { value: "92.9%", check: "regions［东江市］.passed.rate" }',
      'd: { value: "92.9%", check: "regions[东\\u200b江市].passed.rate" }',
      'e: { value: 26, check: "regions[东江市].passed" }',
      'f: { value: "92.9%", check: "regions[东江市].rate" }',
      'g: { value: 3, check: "problem_sites.region[西岭市].count" }',
      'h: { value: 4, check: "problem_sites.category[单项否决].count" }',
      'i: { value: 5, check: "recheck.category[扣分].count" }',
      'j: { value: 4, check: "problem_accounts.platform[今日头条].count" }',
      'k: { value: "90.9%", check: "regions[南湾市].passed.sum / regions[南湾市].sampled.sum" }',
    ];
    const r = province({ figures: right });
    expect(r.status, r.stderr).toBe(0);
    const s = tongbao(['stats', '2023Q3', '--root', r.root]);
    expect(s.stdout).toMatch(/^regions\[东江市\]\.passed\.rate {2}92\.857% .*26\/28（第 4 行）$/m);
    expect(s.stdout).toMatch(/^problem_sites\.region\[西岭市\]\.count {2}3 .*（第 6–8 行）$/m);
    expect(s.stdout).toContain('核对 b：regions[ 东江市 ].passed.rate = 92.857% → 92.9%，正文 92.9%  相符');
  });

  it('a wrong figure for a row says which rows it was computed from', () => {
    const r = province({ figures: ['dj_wrong: { value: "92.8%", check: "regions[东江市].passed.rate" }'] });
    expect(messagesAt(r, 'dj_wrong:')[0]).toContain('错误: 「dj_wrong」与表格不符：正文表格「各市政府网站抽查情况」中「地区」为「东江市」的行「合格网站数」26/28 = 92.857% → 92.9%，正文为 92.8%');
  });

  it('an unknown row, column, table or statistic is an error naming the nearest, at its column', () => {
    const wrong: [string, string][] = [
      ['x1: { value: 3, check: "regions[东江].passed.rate" }', '表格「regions」中没有「东江」这一行（最接近的是「东江市」；「地区」有：省级部门、省会市、东江市、西岭市、南湾市、北原市）'],
      ['x2: { value: 3, check: "regions[四川].passed.rate" }', '表格「regions」中没有「四川」这一行（「地区」有：省级部门、省会市、东江市、西岭市、南湾市、北原市）'],
      ['x3: { value: 3, check: "problem_sites.region[西岭].count" }', '表格「problem_sites」中没有「地区」为「西岭」的行（最接近的是「西岭市」'],
      ['x4: { value: 3, check: "problem_sites.unit[南京].count" }', '表格「problem_sites」没有「unit」列（列有：no（序号）、region（地区）'],
      ['x5: { value: 3, check: "problem_sites.regoin[西岭市].count" }', '表格「problem_sites」没有「regoin」列（最接近的是「region」'],
      ['x6: { value: 3, check: "region[东江市].passed.rate" }', '没有 id 为「region」的表格（最接近的是「regions」'],
      ['x7: { value: 3, check: "regions[东江市].passd.rate" }', '「regions[东江市]」（1 行）没有「passd.rate」（可用的有：regions[东江市].count'],
      ['x8: { value: 3, check: "regions[东江市] + 1" }', '「regions[东江市]」是一行，不是一个数（写出要取的统计，如 regions[东江市].count）'],
      ['x9: { value: 3, check: "previous.regions[东江市].passed.rate" }', '「previous.regions[东江市].passed.rate」：上期和全年的数字不能按名称取行'],
      ['x10: { value: 3, check: "regions[].passed.rate" }', '方括号中没有写名称'],
      ['x11: { value: 3, check: "regions[东江市.passed.rate" }', '方括号「[」没有成对'],
    ];
    const r = province({ figures: wrong.map(([f]) => f), claims: ['"regions[东江].passed.rate >= 90%"'] });
    expect(r.status).toBe(1);
    for (const [f, reason] of wrong) {
      const at = messagesAt(r, f.split(':')[0] + ':');
      expect(at, f).toHaveLength(1);
      expect(at[0]).toContain(`错误: ${reason}`);
    }
    // At the column of the name in the check: x1's `regions` starts after `check: "`.
    const x1 = wrong[0]![0];
    expect(messagesAt(r, 'x1:')[0]).toContain(`bulletin.yaml:${r.line('x1:')}:${'  '.length + x1.indexOf('regions') + 1}:`);
    expect(messagesAt(r, 'regions[东江].passed.rate >= 90%')[0]).toContain('错误: claims 第 1 条：表格「regions」中没有「东江」这一行（最接近的是「东江市」');
  });
});

describe('the next period', () => {
  it('new carries the claims over; they wait, silent, until the figures and tables they name are filled', () => {
    const root = exampleWorkspace('province');
    expect(tongbao(['new', '2023Q4', '--root', root]).status).toBe(0);
    const yaml = readFileSync(path.join(root, 'data/2023Q4/bulletin.yaml'), 'utf8');
    expect(yaml).toContain('site_rate_prev: { value: "92.9%", label: 上季度政府网站抽查合格率 }');
    expect(yaml).toContain('label: 西岭市、北原市低于90%');
    const r = tongbao(['check', '2023Q4', '--root', root]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('数字「site_rate_up」（政府网站抽查合格率比上季度提高的百分点）尚未填写');
    expect(r.stderr).not.toMatch(/claims|说法|regions\[/);
  });
});

describe('rows by name in a table streamed from disk', () => {
  it('picks the rows as the stream goes by (1.6 MB, cells reused from row to row), the same as held in memory', () => {
    const PROVINCES = [['13', '河北'], ['14', '山西'], ['41', '河南'], ['53', '云南']] as const;
    const lines = ['网站标识码,省（区、市）,网站类型,抽查数,合格数'];
    const want = { hebei: { sampled: 0, passed: 0 }, yunnanRows: 0, portals: 0 };
    for (let i = 0; i < 40_000; i++) {
      const [code, name] = PROVINCES[i % 4]!;
      const sampled = 10 + (i % 7);
      const passed = sampled - (i % 3);
      const kind = i % 3 ? '部门网站' : '门户网站';
      if (name === '河北') [want.hebei.sampled, want.hebei.passed] = [want.hebei.sampled + sampled, want.hebei.passed + passed];
      if (name === '云南') want.yunnanRows++;
      if (kind === '门户网站') want.portals++;
      lines.push([`${code}${String(i).padStart(8, '0')}`, name, kind, sampled, passed].join(','));
    }
    const ws = sampleWorkspace();
    writeFileSync(path.join(ws, 'data/2016Q4/all-sites.csv'), lines.join('\n') + '\n');
    const rate = `${((want.hebei.passed / want.hebei.sampled) * 100).toFixed(1)}%`; // only to write the figure: the check is exact
    edit(ws, 'data/2016Q4/bulletin.yaml', (t) =>
      t
        .replace(
          'figures:\n',
          `figures:\n  hebei_rate: { value: "${rate}", check: "all_sites[河北].passed.rate" }\n  hebei_sampled: { value: ${want.hebei.sampled}, check: "all_sites[ 河北 ].sampled.sum" }\n  portals: { value: ${want.portals}, check: "all_sites.kind[门户网站].count" }\n  portals_wrong: { value: ${want.portals + 1}, check: "all_sites.kind[门户网站].count" }\n`,
        )
        .replace(
          'tables:\n',
          `tables:\n  - id: all_sites\n    file: all-sites.csv\n    columns:\n      - { key: code, name: 网站标识码, type: site-code, region: region }\n      - { key: region, name: 省（区、市）, type: region }\n      - { key: kind, name: 网站类型, values: [门户网站, 部门网站] }\n      - { key: sampled, name: 抽查数, type: count }\n      - { key: passed, name: 合格数, type: count, max: sampled }\n`,
        ) + `claims:\n  - "all_sites[云南].count = ${want.yunnanRows} and all_sites[河南].passed.rate > 80%"\n  - "all_sites[湖南].count = 0"\n`,
    );
    expect(readFileSync(path.join(ws, 'data/2016Q4/all-sites.csv')).length).toBeGreaterThan(1_000_000);
    const r = tongbao(['check', '2016Q4'], ws);
    const text = readFileSync(path.join(ws, 'data/2016Q4/bulletin.yaml'), 'utf8').split('\n');
    const at = (s: string) => r.stderr.split('\n').filter((l) => l.includes(`bulletin.yaml:${text.findIndex((x) => x.includes(s)) + 1}:`));
    for (const ok of ['hebei_rate:', 'hebei_sampled:', 'portals:', `all_sites[云南].count = ${want.yunnanRows}`]) expect(at(ok), ok).toEqual([]);
    expect(at('portals_wrong:')[0]).toContain(`「portals_wrong」与表格不符：all-sites.csv中「网站类型」为「门户网站」的行：${want.portals} 行 = ${want.portals}，正文为 ${want.portals + 1}`);
    expect(at('all_sites[湖南].count = 0')[0]).toContain('错误: claims 第 2 条：表格「all_sites」中没有「湖南」这一行（最接近的是「河南」；「省（区、市）」有：河北、山西、河南、云南）');
  });
});
