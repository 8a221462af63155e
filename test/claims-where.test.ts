// Issue 34, items 1, 5, 9 and 12: a count the text never prints (`where:`), solved exactly; a
// printed share outside [0, 100%]; 持平 and a growth over a base <= 0; an exact value shown to
// the digits that decide its rounding. Each through the CLI on a copy of the sample, with right
// and wrong printed figures.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { edit, exampleWorkspace, sampleWorkspace, tongbao } from './helpers.js';
import { parseExpression } from '../src/figures/expression.js';
import { monotone } from '../src/figures/solve.js';
import type { Figure } from '../src/figures/figure.js';

// The sample reports 工商总局's messages: 18 received, 6 not yet resolved; sampled 7535.
const YAML = 'data/2016Q4/bulletin.yaml';

/** The sample with more reported figures (YAML flow maps, one a line); then `tongbao check`. */
function checkWith(figures: Record<string, string>) {
  const ws = sampleWorkspace();
  const lines = Object.entries(figures).map(([name, f]) => `  ${name}: ${f}`);
  edit(ws, YAML, (t) => t.replace('figures:\n', `figures:\n${lines.join('\n')}\n`));
  const r = tongbao(['check', '2016Q4'], ws);
  const text = readFileSync(path.join(ws, YAML), 'utf8').split('\n');
  const line = (name: string) => text.findIndex((l) => l.startsWith(`  ${name}:`)) + 1;
  return { ...r, ws, line, col: (name: string, needle: string) => text[line(name) - 1]!.indexOf(needle) + 1 };
}

const errorsAbout = (stderr: string, name: string) => stderr.split('\n').filter((l) => l.includes(`「${name}」`) && l.includes('错误'));

describe('where: a count the text never prints', () => {
  const r = checkWith({
    // 91.15% of 339: n = 309. 91.3% prints for none (309 → 91.2%, 310 → 91.4%).
    numerator: '{ value: "91.15%", check: "n / 339", where: { n: "0..339" } }',
    numerator_bad: '{ value: "91.3%", check: "n / 339", where: { n: "0..339" } }',
    // 18 messages are 77.7% of some base: 18/23 = 78.3%, so none; 78.3% holds for 23.
    base: '{ value: "78.3%", check: "saic_messages / total", where: { total: "1..1000" } }',
    base_bad: '{ value: "77.7%", check: "saic_messages / total", where: { total: "1..1000" } }',
    // A growth over an unprinted base, in a range far too wide to try value by value.
    drop: '{ value: "减少35.7%", check: "growth(saic_messages, q2)", where: { q2: "1..1000000000000" } }',
    growth_bad: '{ value: "减少35.9%", check: "growth(saic_messages, q2)", where: { q2: "1..1000000000000" } }',
    // Two unknowns, and an expression that is not monotone: tried value by value.
    two: '{ value: "50%", check: "(a + b) / 18", where: { a: "0..10", b: "0..5" } }',
    square: '{ value: 4, check: "(n - 5) * (n - 5)", where: { n: "0..10" } }',
    square_bad: '{ value: 3, check: "(n - 5) * (n - 5)", where: { n: "0..10" } }',
  });

  it('accepts a printed figure some whole number in the range gives, at its printed digits', () => {
    for (const name of ['numerator', 'base', 'drop', 'two', 'square']) expect(errorsAbout(r.stderr, name), name).toEqual([]);
  });

  it('refuses one no whole number gives, naming the nearest candidates and what they print', () => {
    expect(r.stderr).toContain(
      `${YAML}:${r.line('numerator_bad')}:${r.col('numerator_bad', '"91.3%"')}: 错误: 「numerator_bad」与算式不符：n / 339，n 取 0..339 中的整数，没有一个印为 91.3%；最接近的：n = 309 → 309 / 339 = 91.150% → 91.2%；n = 310 → 310 / 339 = 91.445% → 91.4%`,
    );
    expect(r.stderr).toContain('「base_bad」与算式不符：saic_messages / total，total 取 1..1000 中的整数，没有一个印为 77.7%；最接近的：total = 24 → 18 / 24 = 75% → 75.0%；total = 23 → 18 / 23 = 78.261% → 78.3%');
    expect(r.stderr).toContain('「growth_bad」与算式不符：growth(saic_messages, q2)，q2 取 1..1000000000000 中的整数，没有一个印为 减少35.9%；最接近的：q2 = 29 → (18 − 29) / 29 = 减少37.931% → 减少37.9%；q2 = 28 → (18 − 28) / 28 = 减少35.714% → 减少35.7%');
    expect(r.stderr).toContain('「square_bad」与算式不符：(n - 5) * (n - 5)，n 取 0..10 中的整数，没有一个印为 3；最接近的：n = 4 → (4 − 5) × (4 − 5) = 1；n = 3 → (3 − 5) × (3 − 5) = 4');
    expect(r.status).toBe(1);
  });

  it('lists the solutions in stats, and in stats --json', () => {
    const s = tongbao(['stats', '2016Q4', '--json'], r.ws);
    const checks = JSON.parse(s.stdout).checks as { name: string; agrees: boolean; where?: object; solutions?: object[]; count?: string; nearest?: object[] }[];
    const of = (name: string) => checks.find((c) => c.name === name)!;
    expect(of('numerator')).toMatchObject({ agrees: true, where: { n: '0..339' }, solutions: [{ n: '309' }], count: '1', formula: '309 / 339' });
    expect(of('base')).toMatchObject({ agrees: true, solutions: [{ total: '23' }], count: '1' });
    expect(of('two')).toMatchObject({ agrees: true, count: '6' });
    expect(of('two').solutions).toContainEqual({ a: '9', b: '0' });
    expect(of('square')).toMatchObject({ solutions: [{ n: '3' }, { n: '7' }], count: '2' });
    expect(of('numerator_bad')).toMatchObject({ agrees: false, solutions: [], count: '0', nearest: [{ n: '309', rounded: '91.2%' }, { n: '310', rounded: '91.4%' }] });
    const text = tongbao(['stats', '2016Q4'], r.ws).stdout;
    expect(text).toContain('核对 numerator：n / 339 = 309 / 339 = 91.150% → 91.15%，正文 91.15%  相符（n = 309）');
    expect(text).toContain('核对 square：(n - 5) * (n - 5) = (3 − 5) × (3 − 5) = 4，正文 4  相符（n = 3；n = 7，共 2 个解）');
    expect(text).toContain('核对 numerator_bad：n / 339 = 309 / 339 = 91.150% → 91.2%，正文 91.3%  不符（无解；最接近的：n = 309 → 91.2%；n = 310 → 91.4%）');
  });

  it('gives a run of consecutive solutions as one, found by bisection over a wide range', () => {
    // 18 / total prints 0.0% for every total from 36001 up (18/36000 = 0.05% rounds up).
    const w = checkWith({ tiny: '{ value: "0.0%", check: "saic_messages / total", where: { total: "1..1000000000000" } }' });
    expect(errorsAbout(w.stderr, 'tiny')).toEqual([]);
    const checks = JSON.parse(tongbao(['stats', '2016Q4', '--json'], w.ws).stdout).checks as { name: string; solutions: object[]; count: string }[];
    expect(checks.find((c) => c.name === 'tiny')).toMatchObject({ solutions: [{ total: '36001..1000000000000' }], count: String(1000000000000 - 36001 + 1) });
  });

  it('says what is wrong with a where: unused, a figure’s name, a range backwards or too large, no check', () => {
    const w = checkWith({
      unused: '{ value: "50%", check: "saic_messages / 36", where: { m: "0..10" } }',
      taken: '{ value: "50%", check: "sampled / 36", where: { sampled: "0..10" } }',
      backwards: '{ value: "50%", check: "n / 36", where: { n: "10..0" } }',
      wide: '{ value: "50%", check: "a * b / c", where: { a: "0..1000", b: "0..1000", c: "1..1000" } }',
      bare: '{ value: "50%", where: { n: "0..10" } }',
      // Not monotone, so each value would be tried: too many.
      bumpy: '{ value: 4, check: "(n - 5) * (n - 5)", where: { n: "0..1000000" } }',
    });
    expect(w.stderr).toContain(`${YAML}:${w.line('unused')}:${w.col('unused', '"0..10"')}: 错误: where 中的「m」没有在 check 中用到`);
    expect(w.stderr).toContain(`${YAML}:${w.line('taken')}:${w.col('taken', '"0..10"')}: 错误: where 中的「sampled」已是一个数字的名称，不能作未知数`);
    expect(w.stderr).toContain('错误: where 中「n」的范围 10..0 从大到小（写作 "0..10"）');
    expect(w.stderr).toContain(`${YAML}:${w.line('wide')}:`);
    expect(w.stderr).toContain('错误: 「wide」的 where 要检验 1002001000 种取值，超过了 100000 种的上限');
    expect(w.stderr).toContain('错误: 「bare」写了 where 但没有 check');
    expect(w.stderr).toContain('错误: 「bumpy」的 where 要检验 1000001 种取值，超过了 100000 种的上限');
    expect(w.status).toBe(1);
    // A range not written lo..hi stops at bulletin.yaml's schema, at its place.
    const m = checkWith({ malformed: '{ value: "50%", check: "n / 36", where: { n: "0-10" } }' });
    expect(m.stderr).toContain(`${YAML}:${m.line('malformed')}:${m.col('malformed', '"0-10"')}: 错误: 「figures.malformed.where.n」写作 "最小..最大"，如 "0..339"`);
  });

  it('bisects only where the shape shows the expression monotone', () => {
    const f = (v: bigint): Figure => ({ name: 'x', label: 'x', source: 'reported', value: { type: 'integer', value: v } });
    const figures = new Map([['k', f(18n)], ['z', f(-4n)]]);
    const dir = (text: string, lo: bigint, hi: bigint) => monotone(parseExpression(text), { name: 'n', lo, hi }, (x) => figures.get(x));
    expect(dir('n / 339', 0n, 339n)).toBe(1);
    expect(dir('k / n', 1n, 100n)).toBe(-1);
    expect(dir('k / n', 0n, 100n)).toBe(undefined); // may divide by zero
    expect(dir('growth(k, n)', 1n, 100n)).toBe(-1);
    expect(dir('(n - 5) * (n - 5)', 0n, 10n)).toBe(undefined);
    expect(dir('(n - 5) * (n - 5)', 5n, 10n)).toBe(1);
    expect(dir('z * n + k', 0n, 10n)).toBe(-1);
    expect(dir('n * n / (n + 1)', 0n, 10n)).toBe(undefined); // true but not shown: searched value by value
    expect(dir('k - k', 0n, 10n)).toBe(0);
  });
});

describe('examples/province: a rate whose base the text never prints', () => {
  it('checks 按期办结率 97.6% of some total, lists the totals, and refuses 97.62%, which no total gives', () => {
    const root = exampleWorkspace('province');
    const s = tongbao(['stats', '2023Q3', '--json'], root);
    const checks = JSON.parse(s.stdout).checks as { name: string }[];
    expect(checks.find((c) => c.name === 'on_time_rate')).toMatchObject({ agrees: true, where: { messages_total: '1..100000' }, solutions: [{ messages_total: '2205..2207' }], count: '3' });
    edit(root, 'data/2023Q3/bulletin.yaml', (t) => t.replace('value: "97.6%"', 'value: "97.62%"'));
    const r = tongbao(['check', '2023Q3'], root);
    expect(r.stderr).toContain(
      '错误: 「on_time_rate」与算式不符：messages_on_time / messages_total，messages_total 取 1..100000 中的整数，没有一个印为 97.62%；最接近的：messages_total = 2206 → 2153 / 2206 = 97.597% → 97.60%；messages_total = 2205 → 2153 / 2205 = 97.642% → 97.64%',
    );
    expect(r.status).toBe(1);
  });
});

describe('a printed share outside [0, 100%]', () => {
  it('is an error in bulletin.yaml, unless it is a growth; 0% and 100% are shares', () => {
    const r = checkWith({
      over: '"101%"',
      under: '"-3%"',
      full: '"100%"',
      none: '"0%"',
      over_checked: '{ value: "100.4%", check: "saic_messages / saic_messages" }',
      growth_bare: '{ value: "200%", check: "growth(saic_messages, saic_unresolved)" }',
      growth_named: '{ value: "增长200%", check: "growth(saic_messages, saic_unresolved)" }',
    });
    expect(r.stderr).toContain(`${YAML}:${r.line('over')}:3: 错误: 「over」印为 101%：比例不能超过 100%（比例、合格率、占比都在 0 到 100% 之间`);
    expect(r.stderr).toContain('错误: 「under」印为 -3%：比例不能小于 0');
    expect(r.stderr).toContain('错误: 「over_checked」印为 100.4%：比例不能超过 100%');
    for (const name of ['full', 'none', 'growth_bare', 'growth_named']) expect(errorsAbout(r.stderr, name), name).toEqual([]);
    expect(r.status).toBe(1);
  });

  it('is an error in a percentage column, unless the column is a change', () => {
    const ws = sampleWorkspace();
    edit(ws, 'data/2016Q4/history.csv', (t) => t.replace('2016Q1,81.5%', '2016Q1,101%').replace('2016Q4,91%', '2016Q4,91%\n2016Q3,-0.5%'));
    const r = tongbao(['check', '2016Q4'], ws);
    expect(r.stderr).toContain('data/2016Q4/history.csv:2:8: 错误: 「总体合格率」的 101% 超过 100%：比例、合格率在 0 到 100% 之间');
    expect(r.stderr).toContain('data/2016Q4/history.csv:4:8: 错误: 「总体合格率」的 -0.5% 小于 0');
    expect(r.status).toBe(1);
    // The same values under a change's name are no share.
    edit(ws, YAML, (t) => t.replace('{ key: pass_rate, name: 总体合格率, type: percent }', '{ key: pass_rate, name: 合格率同比变化, type: percent }'));
    expect(tongbao(['check', '2016Q4'], ws).stderr).not.toContain('超过 100%');
  });
});

describe('growth: 持平 at the printed digits, and no base <= 0', () => {
  it('takes 持平 when the change rounds to zero at the printed digits, either way, and says what it is when not', () => {
    const r = checkWith({
      flat: '{ value: "持平", check: "growth(1000, 1000)" }',
      flat_up: '{ value: "持平", check: "growth(10004, 10000)" }',
      flat_down: '{ value: "持平", check: "growth(9996, 10000)" }',
      zero_down: '{ value: "减少0%", check: "growth(997, 1000)" }',
      zero_up: '{ value: "增长0.0%", check: "growth(10003, 10000)" }',
      flat_bad: '{ value: "持平", check: "growth(997, 1000)" }',
      zero_bad: '{ value: "增长0.0%", check: "growth(1005, 1000)" }',
    });
    for (const name of ['flat', 'flat_up', 'flat_down', 'zero_down', 'zero_up']) expect(errorsAbout(r.stderr, name), name).toEqual([]);
    expect(r.stderr).toContain('「flat_bad」与算式不符：growth(997, 1000) = (997 − 1000) / 1000 = 减少0.3%，正文为 持平');
    expect(r.stderr).toContain('「zero_bad」与算式不符：growth(1005, 1000) = (1005 − 1000) / 1000 = 增长0.5%，正文为 持平');
    const checks = JSON.parse(tongbao(['stats', '2016Q4', '--json'], r.ws).stdout).checks as { name: string; rounded: string; printed: string }[];
    expect(checks.find((c) => c.name === 'zero_down')).toMatchObject({ rounded: '持平', printed: '持平' });
  });

  it('prints {{growth}} of a change that rounds to zero as 持平, up or down', () => {
    const ws = sampleWorkspace();
    edit(ws, YAML, (t) => t.replace('figures:\n', 'figures:\n  a_now: 10003\n  a_then: 10000\n  b_now: 9997\n'));
    edit(ws, 'content/2016Q4/circular.md', (t) => `${t}\n\n甲{{growth a_now a_then 1}}，乙{{growth b_now a_then 1}}，丙{{growth b_now a_then 2}}。\n`);
    const r = tongbao(['build', '2016Q4', '--format', 'html'], ws);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(path.join(ws, 'out/2016Q4/index.html'), 'utf8')).toContain('甲持平，乙持平，丙减少0.03%。');
  });

  it('refuses a growth over a negative or zero base, where it is written', () => {
    const r = checkWith({
      negative: '{ value: "增长10%", check: "growth(5, saic_unresolved - 12)" }',
      zero: '{ value: "增长10%", check: "growth(5, saic_unresolved - 6)" }',
      positive: '{ value: "减少16.7%", check: "growth(5, saic_unresolved)" }',
    });
    expect(r.stderr).toContain(`${YAML}:${r.line('negative')}:${r.col('negative', 'growth(')}: 错误: 基期的数为负数，增长率没有意义：6 − 12 < 0（增长率以正的基期数为基数；负数之间的变化写作差，如 a - b）`);
    expect(r.stderr).toContain(`${YAML}:${r.line('zero')}:${r.col('zero', 'growth(')}: 错误: 基期的数为零，算不出增长率：6 − 6 = 0`);
    expect(errorsAbout(r.stderr, 'positive')).toEqual([]);
    expect(r.status).toBe(1);
  });
});

describe('the exact value in a message, to the digits that decide its rounding', () => {
  it('shows 98.4496% → 98.4%, never 98.450% → 98.4%; as few digits as before where they decide', () => {
    const r = checkWith({
      four: '{ value: "98.5%", check: "127 / 129" }',
      three: '{ value: "65.2%", check: "111 / 170" }',
      exact: '{ value: "62%", check: "15 / 24" }',
      whole: '{ value: 5, check: "22498 / 5000" }',
      growth: '{ value: "减少35.3%", check: "growth(647501, 1000000)" }',
    });
    expect(r.stderr).toContain('「four」与算式不符：127 / 129 = 127 / 129 = 98.4496% → 98.4%，正文为 98.5%');
    expect(r.stderr).toContain('「three」与算式不符：111 / 170 = 111 / 170 = 65.294% → 65.3%，正文为 65.2%');
    expect(r.stderr).toContain('「exact」与算式不符：15 / 24 = 15 / 24 = 62.5% → 63%，正文为 62%');
    expect(r.stderr).toContain('「whole」与算式不符：22498 / 5000 = 22498 / 5000 = 4.4996 → 4，正文为 5');
    expect(r.stderr).toContain('「growth」与算式不符：growth(647501, 1000000) = (647501 − 1000000) / 1000000 = 减少35.2499% → 减少35.2%，正文为 减少35.3%');
  });

  it('shows a printed rate in a table to the digits that decide it', () => {
    const ws = sampleWorkspace();
    // A rate column over counts: 1968999/2000000 = 98.44995% printed 98.5% (98.4500% would read as agreeing).
    edit(ws, YAML, (t) => t.replace('      - { key: pass_rate, name: 总体合格率, type: percent }', '      - { key: pass_rate, name: 总体合格率, type: percent, ratio: [passed, sampled] }\n      - { key: sampled, name: 抽查数, type: count }\n      - { key: passed, name: 合格数, type: count, max: sampled }'));
    edit(ws, 'data/2016Q4/history.csv', () => '期次,总体合格率,抽查数,合格数\n2016Q1,98.5%,2000000,1968999\n2016Q4,91%,100,91\n');
    const r = tongbao(['check', '2016Q4'], ws);
    expect(r.stderr).toContain('「总体合格率」印为 98.5%，按「合格数」/「抽查数」1968999/2000000 = 98.44995% 四舍五入应为 98.4%');
  });
});
