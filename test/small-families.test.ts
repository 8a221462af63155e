// Issue 34, items 8, 10 and 11: small families of inputs that passed silently. Each through the
// CLI on a copy of examples/province, with inputs that are right (no message, the figure as
// written) and members of the family that are wrong (an error at its place saying what to write).
import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { edit, exampleWorkspace, tongbao, tongbaoAsync, type Run } from './helpers.js';
import { twoAtATime } from './two-at-a-time.js';

const YAML = 'data/2023Q3/bulletin.yaml';
const CIRCULAR = 'content/2023Q3/circular.md';

/** The errors of a run, as lines (the example's accepted warning left out). */
const errors = (r: Run) => r.stderr.split('\n').filter((l) => l.includes(': 错误: '));

/** examples/province, changed by `change`, then checked. */
function province(change: (root: string) => void, command: string[] = ['check', '2023Q3']): Run & { root: string } {
  const root = exampleWorkspace('province');
  change(root);
  return { ...tongbao(command, root), root };
}

/** `province` over a family of cases, two at a time; each case's run is looked at in order. */
function provinces<T>(cases: readonly T[], change: (c: T) => (root: string) => void, look: (c: T, r: Run & { root: string }) => void, command: (c: T) => string[] = () => ['check', '2023Q3']) {
  return twoAtATime(
    cases,
    async (c) => {
      const root = exampleWorkspace('province');
      change(c)(root);
      return { ...(await tongbaoAsync(command(c), root)), root };
    },
    look,
  );
}

/** The 1-based line of the first line of `file` in `root` that contains `needle`. */
const lineOf = (root: string, file: string, needle: string) => readFileSync(path.join(root, file), 'utf8').split('\n').findIndex((l) => l.includes(needle)) + 1;

describe('item 8: a 合计 row of integer columns', () => {
  /** A data table of integer columns (no ratio, so no rate catches a wrong total). */
  const withTable = (csv: string) => (root: string) => {
    writeFileSync(path.join(root, 'data/2023Q3/staff.csv'), csv);
    edit(root, YAML, (t) =>
      t.replace(
        'tables:\n',
        'tables:\n  - id: staff\n    file: staff.csv\n    columns:\n      - { key: no, name: 序号, type: integer, unique: true }\n      - { key: unit, name: 单位 }\n      - { key: posts, name: 发稿数, type: integer }\n      - { key: change, name: 比上季度增减, type: integer }\n',
      ),
    );
  };

  it('takes a total that is the members\' sum (negative members too, 序号 not summed)', async () => {
    await provinces(['合计', '总计', '全省合计'], (total) => withTable(`序号,单位,发稿数,比上季度增减\n1,省级部门,120,-3\n2,东江市,45,5\n3,西岭市,21,0\n,${total},186,2\n`), (total, r) => {
      expect(errors(r), total).toEqual([]);
      expect(r.status).toBe(0);
    });
  });

  it('refuses a total that is not the sum, at its cell, with the sum', async () => {
    const cases = [['168', '2', '发稿数」为 168，各行之和为 186'], ['186', '-2', '比上季度增减」为 -2，各行之和为 2'], ['165', '7', '发稿数」为 165，各行之和为 186']] as const;
    await provinces(cases, ([posts, change]) => withTable(`序号,单位,发稿数,比上季度增减\n1,省级部门,120,-3\n2,东江市,45,5\n3,西岭市,21,0\n,合计,${posts},${change}\n`), ([, , wrong], r) => {
      expect(r.stderr).toContain(`data/2023Q3/staff.csv:5:`);
      expect(r.stderr).toContain(`错误: 合计行的「${wrong}（核对合计或各行的数字（第 2–4 行））`);
      expect(r.status).toBe(1);
    });
  });

  it('refuses the same total in a table whose counts are declared integer (186/165 over 168/156)', () => {
    const r = province((root) => {
      edit(root, YAML, (t) => t.replace('{ key: sampled, name: 抽查网站数, type: count,', '{ key: sampled, name: 抽查网站数, type: integer,').replace('{ key: passed, name: 合格网站数, type: count,', '{ key: passed, name: 合格网站数, type: integer,'));
      edit(root, 'data/2023Q3/regions.csv', (t) => t.replace('合计,168,156,92.9%', '合计,186,165,88.7%'));
    });
    expect(r.stderr).toContain('data/2023Q3/regions.csv:8:4: 错误: 合计行的「抽查网站数」为 186，各行之和为 168');
    expect(r.stderr).toContain('data/2023Q3/regions.csv:8:8: 错误: 合计行的「合格网站数」为 165，各行之和为 156');
  });
});

describe('item 8: a rate printed over a base of 0', () => {
  it('refuses any rate printed on a row with nothing sampled, in both kinds of ratio', async () => {
    const cases = [
      ['data/2023Q3/media.csv', '快手,15,1,93.3%', '快手,0,0,57%', '「快手」的「合格率」印为 57%，但这一行的「抽查账号数」为 0'],
      ['data/2023Q3/media.csv', '快手,15,1,93.3%', '快手,0,0,0%', '「快手」的「合格率」印为 0%，但这一行的「抽查账号数」为 0'],
      ['data/2023Q3/regions.csv', '北原市,18,15,83.3%', '北原市,0,0,100%', '「北原市」的「合格率」印为 100%，但这一行的「抽查网站数」为 0'],
    ] as const;
    await provinces(cases, ([file, from, to]) => (root) => edit(root, file, (t) => t.replace(from, to)), ([file, , to, reason], r) => {
      const line = lineOf(r.root, file, to.split(',')[0]!);
      expect(r.stderr, to).toContain(`${file}:${line}:`);
      expect(r.stderr, to).toContain(`错误: ${reason}：没有`);
      expect(r.stderr, to).toContain('确实为 0 的，这一格留空（并给这一列写 required: false），或删去这一行');
      expect(r.status).toBe(1);
    });
  });

  it('takes a row with nothing sampled whose rate is left empty', () => {
    const r = province((root) => {
      edit(root, 'data/2023Q3/media.csv', (t) => t.replace('快手,15,1,93.3%', '快手,0,0,').replace('合计,150,14,90.7%', '合计,135,13,90.4%'));
      edit(root, YAML, (t) => t.replace("ratio: { failed: failed, of: sampled }, align: center }", "ratio: { failed: failed, of: sampled }, align: center, required: false }").replace('value: "90.7%"', 'value: "90.4%"').replace('value: "91.8%"', 'value: "91.7%"'));
    });
    expect(errors(r)).toEqual([]);
    expect(r.stderr).not.toContain('快手');
  });
});

describe('item 8: a check that checks nothing', () => {
  const closedCheck = (check: string, more: (t: string) => string = (t) => t) => (root: string) =>
    edit(root, YAML, (t) => more(t.replace('check: "running_prev - running"', `check: ${check}`)));

  it('takes a check computed from other figures', () => {
    const r = province(() => {});
    expect(errors(r)).toEqual([]);
    expect(r.status).toBe(0);
  });

  it('refuses a check of the figure by itself, alone or in an expression, at the name', async () => {
    await provinces(['closed', '"closed"', '"closed + 0"', '"running_prev - running + closed - closed"'], (check) => closedCheck(check), (check, r) => {
      const line = lineOf(r.root, YAML, `check: ${check}`);
      const column = readFileSync(path.join(r.root, YAML), 'utf8').split('\n')[line - 1]!.indexOf('closed', 10) + 1;
      expect(errors(r), check).toEqual([`${YAML}:${line}:${column}: 错误: 「closed」的 check 核对的是它自己：一个数字与自己比较总是相符，什么也没有核对（写出能算出「closed」的数字或算式（如 "running_prev - running"、表格的 regions.passed.sum）；不核对就删去 check）`]);
      expect(r.status).toBe(1);
    });
  });

  it('refuses a ring of checks through other figures, naming the way round', () => {
    const two = province(closedCheck('"rectify_days - 4"', (t) => t.replace('rectify_days: { value: 20, label: 整改期限（工作日） }', 'rectify_days: { value: 20, label: 整改期限（工作日）, check: "closed + 4" }')));
    expect(errors(two)).toHaveLength(1);
    expect(errors(two)[0]).toContain('错误: 「closed」的 check 绕回了它自己（closed → rectify_days → closed）');
    const three = province(
      closedCheck('"rectify_days - 4"', (t) =>
        t.replace('rectify_days: { value: 20, label: 整改期限（工作日） }', 'rectify_days: { value: 20, label: 整改期限（工作日）, check: "accounts_prev / 60" }').replace('accounts_prev: { value: 1200,', 'accounts_prev: { value: 1200, check: "(closed + 4) * 60",'),
      ),
    );
    expect(errors(three)).toHaveLength(1);
    expect(errors(three)[0]).toMatch(/「(closed|accounts_prev|rectify_days)」的 check 绕回了它自己（(\S+ → ){3}\S+）/);
    expect(three.status).toBe(1);
  });

  it('refuses an empty check at its place', async () => {
    await provinces(['""', "''", '"   "'], (check) => closedCheck(check), (check, r) => {
      const line = lineOf(r.root, YAML, `check: ${check}`);
      expect(errors(r), check).toEqual([`${YAML}:${line}:12: 错误: 「closed」的 check 是空的：什么也没有核对（写出与它核对的数字名称或算式（如 regions.passed.rate、"running_prev - running"）；不核对就删去 check 这一项）`]);
    });
  });
});

describe('item 10: numbers as bulletin.yaml writes them', () => {
  const days = (written: string, short = false) => (root: string) =>
    edit(root, YAML, (t) => t.replace('rectify_days: { value: 20, label: 整改期限（工作日） }', short ? `rectify_days: ${written}` : `rectify_days: { value: ${written}, label: 整改期限（工作日） }`));

  it('prints a plain number exactly as written, in the page and in stats', async () => {
    const cases = [['12.50', false], ['3.0', false], ['3.0', true], ['0.5', false], ['123456789012345678901234567890', false], ['-3', true]] as const;
    const built = await twoAtATime(cases, async ([written, short]) => {
      const root = exampleWorkspace('province');
      days(written, short)(root);
      const r = { ...(await tongbaoAsync(['build', '2023Q3', '--format', 'html'], root)), root };
      return { r, stats: await tongbaoAsync(['stats', '2023Q3', '--json'], root) };
    });
    for (const [i, [written]] of cases.entries()) {
      const { r, stats: s } = built[i]!;
      expect(errors(r), written).toEqual([]);
      expect(r.status, written).toBe(0);
      const page = readFileSync(path.join(r.root, 'out/2023Q3/index.html'), 'utf8');
      expect(page.replace(/<[^>]+>/g, ''), written).toContain(`逐一整改，${written}个工作日内`);
      const stats = JSON.parse(s.stdout) as { figures: { name: string; value: unknown; display: string }[] };
      const figure = stats.figures.find((f) => f.name === 'rectify_days')!;
      expect(figure.display, written).toBe(written);
      if (/^-?\d+$/.test(written)) expect(figure.value, written).toBe(written); // exact, never a float
    }
  });

  it('refuses the forms YAML reads as another number, saying what to write', async () => {
    const cases = [
      ['007', '前面多了 0', '7'],
      ['1e3', '科学计数法', '1000'],
      ['0x14', '十六进制', '20'],
      ['0o17', '八进制', '15'],
      ['+5', '前面多了 +', '5'],
    ] as const;
    const both = cases.flatMap((c) => [false, true].map((short) => [...c, short] as const));
    await provinces(both, ([written, , , short]) => days(written, short), ([written, form, read], r) => {
      const line = lineOf(r.root, YAML, 'rectify_days');
      const column = readFileSync(path.join(r.root, YAML), 'utf8').split('\n')[line - 1]!.indexOf(written) + 1;
      expect(errors(r), written).toEqual([
        `${YAML}:${line}:${column}: 错误: 数字「rectify_days」写作 ${written}（${form}），YAML 会把它读作 ${read}：印出来不是所写的样子（按正文印出的写法写：要印 ${read} 就直接写 ${read}，确要照原样印 ${written} 就加引号写 "${written}"）`,
      ]);
      expect(r.status).toBe(1);
    });
    const inf = province(days('.inf'));
    expect(errors(inf)).toHaveLength(1);
    expect(errors(inf)[0]).toContain('数字「rectify_days」写作 .inf（特殊值）');
  });

  it('checks a decimal at the digits it is written with', () => {
    const r = province((root) =>
      edit(root, YAML, (t) =>
        t.replace(
          'rectify_days: { value: 20, label: 整改期限（工作日） }',
          'rectify_days: { value: 20, label: 整改期限（工作日） }\n  per_region: { value: 28.00, check: "regions.sampled.sum / 6" }\n  per_region_wrong: { value: 28.1, check: "regions.sampled.sum / 6" }\n  third: { value: 0.33, check: "1 / 3" }\n  third_wrong: { value: 0.34, check: "1 / 3" }',
        ),
      ),
    );
    expect(errors(r)).toEqual([
      `${YAML}:${lineOf(r.root, YAML, 'per_region_wrong')}:30: 错误: 「per_region_wrong」与算式不符：regions.sampled.sum / 6 = 168 / 6 = 28.000 → 28.0，正文为 28.1（改正正文中的数字、算式或表格中的数据）`,
      `${YAML}:${lineOf(r.root, YAML, 'third_wrong')}:25: 错误: 「third_wrong」与算式不符：1 / 3 = 1 / 3 = 0.3333 → 0.33，正文为 0.34（改正正文中的数字、算式或表格中的数据）`,
    ]);
  });

  it('takes the same forms quoted, as text', () => {
    const r = province(days('"0x14"'), ['build', '2023Q3', '--format', 'html']);
    expect(errors(r)).toEqual([]);
    expect(readFileSync(path.join(r.root, 'out/2023Q3/index.html'), 'utf8').replace(/<[^>]+>/g, '')).toContain('逐一整改，0x14个工作日内');
  });
});

describe('item 11: names in the circular', () => {
  /** The circular with `expression` as a paragraph before 五、工作要求. */
  const circular = (expression: string) => (root: string) => edit(root, CIRCULAR, (t) => t.replace('## 五、工作要求', `${expression}\n\n## 五、工作要求`));
  const lineOfExpression = (r: { root: string }, expression: string) => lineOf(r.root, CIRCULAR, expression);

  it('takes {{#if}} and {{#unless}} on names that exist', async () => {
    await provinces(['{{#if recheck.fixed.without}}有未整改的。{{else}}全部整改。{{/if}}', '{{#unless recheck.fixed.without}}全部整改。{{/unless}}', '{{#if sampling}}有抽查日期。{{/if}}', '{{#if recheck.fixed.without}}甲{{else if site_rate}}乙{{/if}}'], circular, (e, r) => {
      expect(errors(r), e).toEqual([]);
    });
  });

  it('refuses {{#if}} and {{#unless}} on an unknown name at its column, naming the nearest', async () => {
    const cases = [
      ['{{#if recheck.fixd.without}}有未整改的。{{else}}全部整改。{{/if}}', 7, 'recheck.fixd', '最接近的有：recheck.fixed'],
      ['{{#unless recheck.fixd.without}}全部整改。{{/unless}}', 11, 'recheck.fixd', '最接近的有：recheck.fixed'],
      ['{{#if overal_rate}}甲{{/if}}', 7, 'overal_rate', '最接近的有：overall_rate'],
      ['{{#if site_rate}}甲{{else if media_rat}}乙{{/if}}', 29, 'media_rat', '最接近的有：media_rate'],
      ['{{#if nosuch}}甲{{/if}}', 7, 'nosuch', '检查拼写；tongbao stats'],
      ['{{#regoins}}甲{{/regoins}}', 4, 'regoins', '最接近的有：regions'],
      ['{{lookup period "txt"}}', 10, 'period.txt', '最接近的有：period.text'],
    ] as const;
    await provinces(cases, ([e]) => circular(e), ([e, column, name, hint], r) => {
      const [error, ...more] = errors(r);
      expect(more, e).toEqual([]);
      expect(error, e).toContain(`${CIRCULAR}:${lineOfExpression(r, e)}:${column}: 错误: 「${name}」没有定义：不是 bulletin.yaml 中的数字，也不能由表格算出（`);
      expect(error, e).toContain(hint);
      expect(r.status).toBe(1);
    });
  });

  it('takes the figures named under a figure (overall_rate.change), never its own fields', async () => {
    // A figure with children holds them as properties (city 2017Q2: overall_rate and overall_rate.change).
    const city = async (line: string) => {
      const root = exampleWorkspace('city');
      edit(root, 'content/2017Q2/circular.md', (t) => `${t.trimEnd()}\n\n${line}\n`);
      return { ...(await tongbaoAsync(['check', '2017Q2'], root)), root };
    };
    const cases = [['overall_rate.figure', '检查拼写'], ['overall_rate.chang', '最接近的有：overall_rate.change'], ['overall_rate.escape', '检查拼写']] as const;
    const [ok, ...runs] = await twoAtATime(['比上期{{change overall_rate.change}}，{{overall_rate.growth}}，{{#if overall_rate.change}}有变化{{/if}}。', ...cases.map(([name]) => `比上期{{${name}}}。`)], city);
    expect(errors(ok!)).toEqual([]);
    expect(ok!.status).toBe(0);
    for (const [i, [name, hint]] of cases.entries()) {
      const r = runs[i]!;
      const [error, ...more] = errors(r);
      expect(more, name).toEqual([]);
      expect(error, name).toContain(`: 错误: 「${name}」没有定义：不是 bulletin.yaml 中的数字，也不能由表格算出（`);
      expect(error, name).toContain(hint);
    }
  });

  it('refuses a group of figures printed as one value, naming the member to write', async () => {
    const cases = [
      ['{{regions.passed}}', 'regions.passed', '{{regions.passed.sum}}'],
      ['{{period}}', 'period', '{{period.text}}'],
      ['{{{period}}}', 'period', '{{period.text}}'],
      ['{{attachments}}', 'attachments', '{{attachments.0.title}}'],
      ['{{sampling}}', 'sampling', '{{sampling.from}}'],
    ] as const;
    await provinces(cases, ([e]) => circular(`本期${e}。`), ([e, name, member], r) => {
      const [error, ...more] = errors(r);
      expect(more, e).toEqual([]);
      expect(error, e).toContain(`: 错误: 「${name}」是一组数据，不是一个数：印出来是「[object Object]」（写其中要印的一项，如 `);
      expect(error, e).toContain(member);
      expect(error, e).toMatch(new RegExp(`^${CIRCULAR}:\\d+:${e.startsWith('{{{') ? 6 : 5}: `));
    });
    const right = province(circular('本期{{period.text}}，{{regions.passed.sum}}个。'), ['build', '2023Q3', '--format', 'html']);
    expect(errors(right)).toEqual([]);
    const page = readFileSync(path.join(right.root, 'out/2023Q3/index.html'), 'utf8').replace(/<[^>]+>/g, '');
    expect(page).toContain('本期2023年第三季度，156个。');
    expect(page).not.toContain('[object Object]');
  });

  it('refuses {{#if}} on a group of figures, which is always true', () => {
    const r = province(circular('{{#if regions.passed}}甲{{/if}}'));
    expect(errors(r)[0]).toContain('「regions.passed」是一组数据，不是一个数：{{#if}}、{{#unless}} 对它总是成立');
  });

  it('refuses the names every JavaScript object has', async () => {
    const names = ['{{constructor}}', '{{__proto__}}', '{{toString}}', '{{hasOwnProperty}}', '{{valueOf}}', '{{regions.constructor}}', '{{period.constructor}}', '{{#if constructor}}甲{{/if}}', '{{list recheck.__proto__}}', '{{lookup period "constructor"}}'];
    await provinces(names, (e) => circular(`本期${e}。`), (e, r) => {
      const [error, ...more] = errors(r);
      expect(more, e).toEqual([]);
      expect(error, e).toMatch(/: 错误: 「[\w.]+」不是数据的名称：「(constructor|__proto__|toString|hasOwnProperty|valueOf)」是每个 JavaScript 对象都有的属性，在通报中什么也印不出/);
      expect(r.status).toBe(1);
    });
  });

  it('refuses a figure named like a helper, at its line in bulletin.yaml', async () => {
    const named = (name: string) => (root: string) => {
      edit(root, YAML, (t) => t.replace('rectify_days: { value: 20,', `${name}: { value: 20,`));
      edit(root, CIRCULAR, (t) => t.replace('{{rectify_days}}', `{{${name}}}`));
    };
    await provinces(['log', 'each', 'list', 'percent', 'if', 'cn', 'lookup'], named, (name, r) => {
      const line = lineOf(r.root, YAML, `  ${name}: { value: 20`);
      expect(errors(r)[0], name).toBe(
        `${YAML}:${line}:3: 错误: 数字不能命名为「${name}」：正文中的 {{${name}}} 是辅助函数，写 {{${name}}} 调用的是它，印不出这个数字（换一个名称，如「${name}_count」，并改正正文中的引用；辅助函数的名称有：percent、date、change、growth、table、list、cn、if、unless、each、with、lookup、log）`,
      );
      expect(r.status).toBe(1);
    });
    const right = province((root) => {
      edit(root, YAML, (t) => t.replace('rectify_days: { value: 20,', 'log_days: { value: 20,'));
      edit(root, CIRCULAR, (t) => t.replace('{{rectify_days}}', '{{log_days}}'));
    });
    expect(errors(right)).toEqual([]);
  });

  it('checks helper arguments: a count of names from 1, a numeral of a whole number', async () => {
    const cases = [
      ['{{list recheck.fixed.without -1}}', '{{list}} 列出的个数应为 1 到 999999 的整数，这里是「-1」'],
      ['{{list recheck.fixed.without 0}}', '{{list}} 列出的个数应为 1 到 999999 的整数，这里是「0」'],
      ['{{list recheck.fixed.without 1.5}}', '{{list}} 列出的个数应为 1 到 999999 的整数，这里是「1.5」'],
      ['{{cn 1.5}}', '{{cn}} 只把 0 到 99999 的整数写成汉字，这里是「1.5」'],
      ['{{cn -1}}', '{{cn}} 只把 0 到 99999 的整数写成汉字，这里是「-1」'],
      ['{{cn site_rate}}', '{{cn}} 只把 0 到 99999 的整数写成汉字，这里是「site_rate」'],
    ] as const;
    await provinces(cases, ([e]) => circular(`本期${e}。`), ([e, reason], r) => {
      expect(errors(r), e).toEqual([expect.stringContaining(`${CIRCULAR}:${lineOfExpression(r, e)}:3: 错误: ${reason}`)]);
    });
    const right = province(circular('本期{{list recheck.fixed.without 1}}，第{{cn period.quarter}}季度。'), ['build', '2023Q3', '--format', 'html']);
    expect(errors(right)).toEqual([]);
    expect(readFileSync(path.join(right.root, 'out/2023Q3/index.html'), 'utf8').replace(/<[^>]+>/g, '')).toContain('第三季度。');
  });
});
