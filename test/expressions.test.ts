// Arithmetic between figures (issue 20): `check:` expressions with + − × /, parentheses and
// growth(x, base), computed exactly and compared at the printed precision; `x.growth` against
// the previous period; {{growth}} in the circular. Each checked through the CLI on a copy of
// the sample, with a right and a wrong printed figure.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { edit, sampleWorkspace, tongbao } from './helpers.js';
import { evaluate, parseExpression, ExpressionError } from '../src/figures/expression.js';
import { againstPrevious } from '../src/figures/change.js';
import { display, type Figure } from '../src/figures/figure.js';
import { fraction } from '../src/figures/fraction.js';

// The sample reports 工商总局's messages: 18 received, 6 not yet resolved; 附件1 has 15 rows.
const YAML = 'data/2016Q4/bulletin.yaml';

/** The sample with more reported figures, each `name: { value, check }`; then `tongbao check`. */
function checkWith(figures: Record<string, { value: string | number; check: string }>) {
  const ws = sampleWorkspace();
  const lines = Object.entries(figures).map(([name, f]) => `  ${name}: { value: ${JSON.stringify(f.value)}, check: ${JSON.stringify(f.check)} }`);
  edit(ws, YAML, (t) => t.replace('figures:\n', `figures:\n${lines.join('\n')}\n`));
  const r = tongbao(['check', '2016Q4'], ws);
  return { ...r, ws, line: (name: string) => readFileSync(path.join(ws, YAML), 'utf8').split('\n').findIndex((l) => l.startsWith(`  ${name}:`)) + 1 };
}

describe('check: expressions', () => {
  it('takes a right difference and refuses a wrong one, with the arithmetic written out', () => {
    const r = checkWith({ resolved: { value: 12, check: 'saic_messages - saic_unresolved' }, resolved_wrong: { value: 13, check: 'saic_messages - saic_unresolved' } });
    expect(r.stderr).not.toContain('「resolved」');
    expect(r.stderr).toContain(`${YAML}:${r.line('resolved_wrong')}:`);
    expect(r.stderr).toContain('「resolved_wrong」与算式不符：saic_messages - saic_unresolved = 18 − 6 = 12，正文为 13');
    expect(r.status).toBe(1);
  });

  it('computes a rate over a sum of two figures exactly, rounded half-up at the printed digits', () => {
    // 15 / (18 + 6) = 62.5%: printed 62.5% and 63% agree; 62% (truncated) and 83.3% (15/18) do not.
    const check = 'sites.count / (saic_messages + saic_unresolved)';
    const r = checkWith({ a: { value: '62.5%', check }, b: { value: '63%', check }, c: { value: '62%', check }, d: { value: '83.3%', check } });
    expect(r.stderr).not.toMatch(/「[ab]」/);
    expect(r.stderr).toContain('「c」与算式不符：sites.count / (saic_messages + saic_unresolved) = 15 / (18 + 6) = 62.5% → 63%，正文为 62%');
    expect(r.stderr).toContain('「d」与算式不符');
    expect(r.stderr).toContain('= 15 / (18 + 6) = 62.5%，正文为 83.3%');
  });

  it('shows a quotient printed as a whole number as a number, rounded half-up', () => {
    // 18 / 4 = 4.5 → 5 (half-up); 4 is wrong.
    const r = checkWith({ q: { value: 5, check: 'saic_messages / 4' }, w: { value: 4, check: 'saic_messages / 4' } });
    expect(r.stderr).not.toContain('「q」');
    expect(r.stderr).toContain('「w」与算式不符：saic_messages / 4 = 18 / 4 = 4.500 → 5，正文为 4');
  });

  it('places an unknown name and a division by zero at their column in the expression', () => {
    const r = checkWith({ e: { value: 1, check: 'saic_messages - saic_unresolvd' }, z: { value: 1, check: 'saic_messages / (gansu_times - 1)' } });
    const text = readFileSync(path.join(r.ws, YAML), 'utf8').split('\n');
    const col = (name: string, needle: string) => text[r.line(name) - 1]!.indexOf(needle) + 1;
    expect(r.stderr).toContain(`${YAML}:${r.line('e')}:${col('e', 'saic_unresolvd')}: 错误: 「saic_unresolvd」不是能从表格算出的数字`);
    expect(r.stderr).toContain(`${YAML}:${r.line('z')}:${col('z', '/ (')}: 错误: 除数为零：1 − 1 = 0`);
    expect(r.status).toBe(1);
  });

  it('says what is wrong with a malformed expression, where', () => {
    for (const [text, at, reason] of [
      ['a +', 3, '算式不完整'],
      ['(a + b', 6, '算式不完整'],
      ['a b', 2, '多余的「b」'],
      ['a % b', 2, '算式中不能有「%」'],
      ['sum(a, b)', 0, '没有「sum」这个函数'],
      ['growth(a)', 0, 'growth 需要两个数'],
    ] as const) {
      let error: unknown;
      try {
        parseExpression(text);
      } catch (e) {
        error = e;
      }
      expect(error, text).toBeInstanceOf(ExpressionError);
      expect((error as ExpressionError).at, text).toBe(at);
      expect((error as ExpressionError).reason, text).toContain(reason);
    }
    // Operators typed with a Chinese input method read the same.
    const f = (n: bigint): Figure => ({ name: 'x', label: 'x', source: 'reported', value: { type: 'integer', value: n } });
    const figures = new Map([['a', f(18n)], ['b', f(6n)]]);
    expect(evaluate(parseExpression('（a － b）÷ a × 3'), (n) => figures.get(n))).toMatchObject({ value: fraction(2n), formula: '(18 − 6) / 18 × 3' });
  });
});

describe('growth', () => {
  it('checks 增长 and 减少 on the right base, and names the usual slips', () => {
    // growth(18, 6) = +200%; growth(6, 18) = −66.7%.
    const r = checkWith({
      up: { value: '增长200%', check: 'growth(saic_messages, saic_unresolved)' },
      up_plain: { value: '200%', check: 'growth(saic_messages, saic_unresolved)' },
      down: { value: '减少66.7%', check: 'growth(saic_unresolved, saic_messages)' },
      wrong_base: { value: '增长66.7%', check: 'growth(saic_messages, saic_unresolved)' },
      wrong_sign: { value: '增长66.7%', check: 'growth(saic_unresolved, saic_messages)' },
    });
    expect(r.stderr).not.toMatch(/「(up|up_plain|down)」/);
    expect(r.stderr).toContain('「wrong_base」与算式不符：growth(saic_messages, saic_unresolved) = (18 − 6) / 6 = 增长200% → 增长200.0%，正文为 增长66.7%（正文的增长率以本期数为基数；应以基期数为基数：增长200.0%）');
    expect(r.stderr).toContain('「wrong_sign」与算式不符');
    expect(r.stderr).toContain('（正文把减少写成了增长：应为减少66.7%）');
  });

  it('gives every count and share a .growth against the previous period, on the previous base', () => {
    const f = (name: string, value: Figure['value']): Figure => ({ name, label: name, source: 'computed', value });
    const now = [f('sites', { type: 'integer', value: 90n }), f('rate', { type: 'share', value: fraction(9n, 10n), digits: 0 }), f('names', { type: 'list', value: ['甲'] })];
    const before = new Map([
      ['sites', f('sites', { type: 'integer', value: 80n })],
      ['rate', f('rate', { type: 'share', value: fraction(3n, 4n), digits: 0 })],
      ['names', f('names', { type: 'list', value: ['乙'] })],
    ]);
    const out = new Map(againstPrevious(now, before, { previous: '2016Q3', current: '2016Q4' }).map((g) => [g.name, g]));
    expect(display(out.get('sites.growth')!.value)).toBe('增长12.5%');
    expect(display(out.get('rate.growth')!.value)).toBe('增长20%');
    expect(display(out.get('rate.change')!.value)).toBe('15个百分点');
    expect(out.has('names.growth')).toBe(false);
    const fewer = againstPrevious([f('sites', { type: 'integer', value: 66n })], before, { previous: '2016Q3', current: '2016Q4' });
    expect(display(fewer.find((g) => g.name === 'sites.growth')!.value)).toBe('减少17.5%');
  });

  it('prints {{growth x base 1}} in the circular as 增长…% or 减少…%', () => {
    const ws = sampleWorkspace();
    edit(ws, 'content/2016Q4/circular.md', (t) => `${t}\n\n留言数比未办结数{{growth saic_messages saic_unresolved 1}}，未办结数比留言数{{growth saic_unresolved saic_messages 1}}。\n`);
    const r = tongbao(['build', '2016Q4', '--format', 'html'], ws);
    expect(r.status, r.stderr).toBe(0);
    const html = readFileSync(path.join(ws, 'out/2016Q4/index.html'), 'utf8');
    expect(html).toContain('留言数比未办结数增长200.0%，未办结数比留言数减少66.7%。');
  });
});

describe('stats', () => {
  it('shows each check’s expression with the values put in, in --json too', () => {
    const r = checkWith({ resolved: { value: 12, check: 'saic_messages - saic_unresolved' } });
    const s = tongbao(['stats', '2016Q4', '--json'], r.ws);
    const checks = JSON.parse(s.stdout).checks as { name: string; formula?: string; exact: string; agrees: boolean }[];
    expect(checks.find((c) => c.name === 'resolved')).toMatchObject({ formula: '18 − 6', exact: '12', agrees: true });
    expect(checks.find((c) => c.name === 'assessment_share')).toMatchObject({ exact: '93.75%', agrees: false });
    expect(tongbao(['stats', '2016Q4'], r.ws).stdout).toContain('核对 resolved：saic_messages - saic_unresolved = 18 − 6 = 12，正文 12  相符');
  });
});

describe('names in the prose and in bulletin.yaml', () => {
  it('takes 附件1, 表2 and 第4季度 as names, not as bare numbers; still warns for a count typed in', () => {
    const ws = sampleWorkspace();
    edit(ws, 'content/2016Q4/circular.md', (t) => `${t}\n\n详见附件1和表2，第4季度共有17个问题。\n`);
    const r = tongbao(['check', '2016Q4'], ws);
    const bare = r.stderr.split('\n').filter((l) => l.includes('没有绑定到数据'));
    expect(bare.map((l) => /「(.+?)」没有绑定/.exec(l)?.[1])).toEqual(['17']);
  });

  it('places a dotted name whose middle part does not exist at its line and column', () => {
    const ws = sampleWorkspace();
    edit(ws, 'content/2016Q4/circular.md', (t) => `${t}\n\n问题网站分布：{{list sites.kind.groups}}。\n`);
    const r = tongbao(['check', '2016Q4'], ws);
    const line = readFileSync(path.join(ws, 'content/2016Q4/circular.md'), 'utf8').split('\n').findIndex((l) => l.startsWith('问题网站分布')) + 1;
    expect(r.stderr).toContain(`circular.md:${line}:15: 错误: 「sites.kind」没有定义：不是 bulletin.yaml 中的数字，也不能由表格算出`);
    expect(r.status).toBe(1);
  });

  it('names the missing part of a dotted name printed bare, as for one given to a helper', () => {
    const ws = sampleWorkspace();
    edit(ws, 'content/2016Q4/circular.md', (t) => `${t}\n\n问题网站分布：{{sites.kind.distinct}}。\n`);
    const r = tongbao(['check', '2016Q4'], ws);
    const line = readFileSync(path.join(ws, 'content/2016Q4/circular.md'), 'utf8').split('\n').findIndex((l) => l.startsWith('问题网站分布')) + 1;
    expect(r.stderr).toContain(`circular.md:${line}:10: 错误: 「sites.kind」没有定义：不是 bulletin.yaml 中的数字，也不能由表格算出`);
    expect(r.status).toBe(1);
  });

  it('says which table and which figure share a name, where each is, and how to rename', () => {
    const ws = sampleWorkspace();
    edit(ws, YAML, (t) => t.replace('figures:\n', 'figures:\n  sites: { value: 15, label: 问题网站数 }\n'));
    const r = tongbao(['check', '2016Q4'], ws);
    expect(r.status).toBe(1);
    const figureLine = readFileSync(path.join(ws, YAML), 'utf8').split('\n').findIndex((l) => l.startsWith('  sites:')) + 1;
    expect(r.stderr).toMatch(new RegExp(`bulletin\\.yaml:\\d+:\\d+: 错误: 表格 id「sites」与 figures 中第 ${figureLine} 行的数字「sites」重名：表格和数字共用一套名称`));
    expect(r.stderr).toContain('如表格 id 改为「sites_table」，或数字改为「sites_total」');
  });
});
