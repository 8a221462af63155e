// Hardening, third round (issue 31): expressions that nest or run on without bound, helpers
// given what they cannot take, and `accept:` naming a rule it must not switch off. Each
// through the CLI on a copy of the sample: the exit code, the message at its file, line and
// column, in the project's words, never JavaScript's.
import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { edit, sampleWorkspace, startDev, tongbao, tongbaoAsync, type Run } from './helpers.js';
import { twoAtATime } from './two-at-a-time.js';

const YAML = 'data/2016Q4/bulletin.yaml';
const CIRCULAR = 'content/2016Q4/circular.md';
/** What a user must never see: JavaScript's own words, or a stack. */
const JS_WORDS = /Cannot|undefined|BigInt|TypeError|RangeError|at Object|is not a function|must be positive|call stack|内部错误|模板出错/;

/** Line and column (1-based) of the first `needle` in a file of the workspace. */
function placeOf(root: string, file: string, needle: string, from = 0): { line: number; column: number } {
  const text = readFileSync(path.join(root, file), 'utf8');
  const i = text.indexOf(needle, from);
  if (i < 0) throw new Error(`${needle} not in ${file}`);
  const before = text.slice(0, i);
  return { line: before.split('\n').length, column: i - before.lastIndexOf('\n') };
}


/** The sample with more reported figures, each checked by an expression. */
function withChecks(checks: Record<string, string>): string {
  const root = sampleWorkspace();
  const lines = Object.entries(checks).map(([name, check]) => `  ${name}: { value: 1, check: ${JSON.stringify(check)} }`);
  edit(root, YAML, (t) => t.replace('figures:\n', `figures:\n${lines.join('\n')}\n`));
  return root;
}

describe('check: expressions of any length or depth', () => {
  const deep = '('.repeat(3000) + 'sampled' + ')'.repeat(3000);
  const minus = '- '.repeat(10_000) + 'sampled';
  const sum = Array(100_000).fill('sampled').join(' + ');
  const calls = 'growth('.repeat(3000) + 'sampled' + ', sampled)'.repeat(3000);
  const wide = '（'.repeat(40) + 'sampled' + '）'.repeat(40); // full-width, as a Chinese input method types them
  const huge = `sampled * ${'9'.repeat(5000)}`;
  const root = withChecks({ deep, minus, sum, calls, wide, huge, fine: '((((((((((((((((sampled)))))))))))))))) - - - departments' });
  const col = (name: string, offset: number) => placeOf(root, YAML, `  ${name}: {`).column + `  ${name}: { value: 1, check: "`.length + offset;
  const line = (name: string) => placeOf(root, YAML, `  ${name}: {`).line;

  it('check says where each stops, at its line and column, and no stack overflows', () => {
    const r = tongbao(['check', '2016Q4'], root);
    expect(r.status).toBe(1);
    expect(r.stderr).not.toMatch(JS_WORDS);
    // The 17th parenthesis, the 17th call; the 201st token of the others.
    expect(r.stderr).toContain(`${YAML}:${line('deep')}:${col('deep', 16)}: 错误: 括号或函数嵌套超过 16 层`);
    expect(r.stderr).toContain(`${YAML}:${line('calls')}:${col('calls', 16 * 'growth('.length + 6)}: 错误: 括号或函数嵌套超过 16 层`);
    expect(r.stderr).toContain(`${YAML}:${line('wide')}:${col('wide', 16)}: 错误: 括号或函数嵌套超过 16 层`);
    expect(r.stderr).toContain(`${YAML}:${line('minus')}:${col('minus', 200 * 2)}: 错误: 算式太长：超过 200 个数、名称和运算符`);
    expect(r.stderr).toContain(`${YAML}:${line('sum')}:${col('sum', 100 * 'sampled + '.length)}: 错误: 算式太长`);
    expect(r.stderr).toContain(`${YAML}:${line('huge')}:${col('huge', 'sampled * '.length)}: 错误: 算式中的数「99999999999999999999…」超过 15 位`);
    // Sixteen levels and a run of minus signs are still arithmetic: 7535 − 71 ≠ 1.
    expect(r.stderr).toContain('「fine」与算式不符：((((((((((((((((sampled)))))))))))))))) - - - departments = 7535 − −−71 = 7464，正文为 1');
  });

  it('stats and build say the same, and stop', async () => {
    // Side by side: neither writes (the build stops before it would).
    const both = [['stats', '2016Q4'], ['build', '2016Q4', '--format', 'html']];
    const runs = await Promise.all(both.map((args) => tongbaoAsync(args, root)));
    for (const [i, args] of both.entries()) {
      const r = runs[i]!;
      expect(r.status, args[0]).toBe(1);
      expect(r.stderr, args[0]).not.toMatch(JS_WORDS);
      expect(r.stderr, args[0]).toContain(`${YAML}:${line('deep')}:${col('deep', 16)}: 错误: 括号或函数嵌套超过 16 层`);
    }
    expect(existsSync(path.join(root, 'out/2016Q4/index.html'))).toBe(false);
  });
});

describe('the circular’s expressions of any depth', () => {
  // [what, the text put where the circular prints {{pass_rate}}, where the message points, its reason]
  const cases: [string, string, string, string][] = [
    ['subexpressions 5,000 deep, one a line', `{{percent ${'(percent\n'.repeat(5000)}pass_rate${')'.repeat(5000)}}}`, `{{percent ${'(percent\n'.repeat(16)}`, '括号（子表达式）嵌套超过 16 层'],
    ['blocks 3,000 deep', `${'{{#if pass_rate}}\n'.repeat(3000)}x${'{{/if}}\n'.repeat(3000)}`, '{{#if pass_rate}}\n'.repeat(16), '块（{{#if}} 等）嵌套超过 16 层'],
    ['an {{else if}} chain of 3,000', `{{#if pass_rate}}a${'{{else if pass_rate}}b\n'.repeat(3000)}{{/if}}`, `{{#if pass_rate}}a${'{{else if pass_rate}}b\n'.repeat(15)}`, '块（{{#if}}、{{else if}} 等）嵌套超过 16 层'],
    ['50,000 arguments, one a line', `{{percent ${'pass_rate\n'.repeat(50_000)}}}`, '', '表达式太长：超过 1000 个字符'],
    ['a dotted name of 3,000 parts', `{{${Array(3000).fill('a').join('.')}}}`, '', '表达式太长：超过 1000 个字符'],
  ];

  // Each case checked in a workspace of its own, two at a time, timed each; each test looks at its own.
  const checked = new Map<string, { root: string; r: Run; ms: number }>();
  beforeAll(async () => {
    await twoAtATime(cases, async ([what, text]) => {
      const root = sampleWorkspace();
      edit(root, CIRCULAR, (t) => t.replace('总体合格率{{pass_rate}}', `总体合格率${text}`));
      const t0 = performance.now();
      const r = await tongbaoAsync(['check', '2016Q4'], root);
      checked.set(what, { root, r, ms: performance.now() - t0 });
    });
  }, 300_000);

  it.each(cases)('%s: an error at its place, within seconds', async (what, text, before, reason) => {
    const { root, r, ms } = checked.get(what)!;
    const start = placeOf(root, CIRCULAR, text);
    const at = placeOf(root, CIRCULAR, text.slice(before.length), readFileSync(path.join(root, CIRCULAR), 'utf8').indexOf(text) + before.length);
    expect(ms).toBeLessThan(30_000);
    expect(r.status).toBe(1);
    expect(r.stderr).not.toMatch(JS_WORDS);
    expect(at.line).toBeGreaterThanOrEqual(start.line);
    expect(r.stderr).toContain(`${CIRCULAR}:${at.line}:${at.column}: 错误: ${reason}`);
  });
});

describe('helpers given what they cannot take', () => {
  const list = 'institutions.disclosure.members'; // 天津、安徽、湖南、海南
  // [the expression, the part of it the message points at, a fragment of the reason]
  const cases: [string, string, string][] = [
    ['{{percent}}', '{{percent', '{{percent}} 缺少参数'],
    ['{{percent pass_rate 1.5}}', '{{percent', '{{percent}} 的小数位数应为 0 到 6 的整数，这里是「1.5」'],
    ['{{percent pass_rate -1}}', '{{percent', '这里是「-1」'],
    ['{{percent pass_rate 100000000}}', '{{percent', '这里是「100000000」'],
    ['{{percent pass_rate "2"}}', '{{percent', '这里是「"2"」'],
    ['{{percent pass_rate sampled}}', '{{percent', '这里是「sampled」'],
    ['{{percent pass_rate 1 2}}', '{{percent', '{{percent}} 的参数太多：最多 2 个，这里有 3 个'],
    ['{{percent "abc"}}', '{{percent', '{{percent}} 需要一个数字的名称，这里是「"abc"」'],
    ['{{percent sampled}}', '{{percent', '「sampled」不是百分比'],
    ['{{percent pass_rate digits=1}}', '{{percent', '{{percent}} 没有「digits=」这一项'],
    ['{{#percent pass_rate}}x{{/percent}}', '{{#percent', '{{percent}} 不能写成块'],
    ['{{growth sampled departments 10000000}}', '{{growth', '{{growth}} 的小数位数应为 0 到 6 的整数，这里是「10000000」'],
    ['{{growth sampled departments 1.5}}', '{{growth', '这里是「1.5」'],
    ['{{growth sampled "x"}}', '{{growth', '这里是「"x"」'],
    ['{{growth sampled departments 1 2}}', '{{growth', '{{growth}} 的参数太多'],
    ['{{growth office departments}}', '{{growth', '{{growth}} 需要一个数字的名称'],
    ['{{cn 1.5}}', '{{cn', '{{cn}} 只把 0 到 99999 的整数写成汉字，这里是「1.5」'],
    ['{{cn -3}}', '{{cn', '这里是「-3」'],
    ['{{cn 100000000000}}', '{{cn', '这里是「100000000000」'],
    ['{{cn pass_rate}}', '{{cn', '这里是「pass_rate」'],
    [`{{list ${list} -1}}`, '{{list', '{{list}} 列出的个数应为 1 到 999999 的整数，这里是「-1」'],
    [`{{list ${list} 0}}`, '{{list', '这里是「0」'],
    [`{{list ${list} 1.5}}`, '{{list', '这里是「1.5」'],
    [`{{list ${list} unit=3}}`, '{{list', '{{list}} 的 unit 应写成 unit="个"'],
    [`{{list ${list} sep="，"}}`, '{{list', '{{list}} 没有「sep=」这一项；可写的有：unit=、empty='],
    ['{{list pass_rate}}', '{{list', '「pass_rate」不是名单'],
    ['{{date}}', '{{date', '{{date}} 缺少参数'],
    ['{{date 12}}', '{{date', '{{date}} 需要一个日期，这里是「12」'],
    ['{{change pass_rate 1}}', '{{change', '{{change}} 的参数太多'],
    ['{{table}}', '{{table', '{{table}} 缺少参数'],
    ['{{if pass_rate}}', '{{if', '{{if}} 要写成块：{{#if 名称}}……{{/if}}'],
    ['{{#if}}x{{/if}}', '{{#if', '{{if}} 缺少参数'],
    ['{{#unless pass_rate sampled}}x{{/unless}}', '{{#unless', '{{unless}} 的参数太多'],
    ['{{#each pass_rate}}x{{/each}}', '{{#each', '{{each}} 不能用于数字「pass_rate」'],
    ['{{with pass_rate}}', '{{with', '{{with}} 要写成块'],
    ['{{lookup pass_rate}}', '{{lookup', '{{lookup}} 缺少第 2 个参数'],
    ['{{log pass_rate}}', '{{log', '{{log}} 只把内容写到命令行'],
    ['{{pass_rate 1}}', '{{pass_rate', '「pass_rate」不是辅助函数，后面不能跟参数'],
    ['{{> foo}}', '{{>', '没有「foo」这个局部模板'],
    // The innermost call that fails is the place; a block's content keeps its own message.
    ['{{percent (cn 1.5)}}', '(cn', '{{cn}} 只把 0 到 99999 的整数写成汉字'],
    ['{{#if pass_rate}}{{#unless sampled}}x{{else}}{{percent pass_rate 9}}{{/unless}}{{/if}}', '{{percent', '{{percent}} 的小数位数应为 0 到 6 的整数，这里是「9」'],
    ['{{#if pass_rate}}{{nonexistent}}{{/if}}', 'nonexistent}}', '「nonexistent」没有定义'],
  ];

  it('each an error in Chinese at the line and column of its call', async () => {
    const roots = cases.map(([expr]) => {
      const root = sampleWorkspace();
      edit(root, CIRCULAR, (t) => t.replace('总体合格率{{pass_rate}}', `总体合格率${expr}`));
      return root;
    });
    const runs = await twoAtATime(roots, (root) => tongbaoAsync(['check', '2016Q4'], root));
    cases.forEach(([expr, at, reason], i) => {
      const r = runs[i]!;
      const start = readFileSync(path.join(roots[i]!, CIRCULAR), 'utf8').indexOf(expr);
      const place = placeOf(roots[i]!, CIRCULAR, at, start);
      expect(r.status, expr).toBe(1);
      expect(r.stderr, expr).not.toMatch(JS_WORDS);
      const here = r.stderr.split('\n').filter((l) => l.startsWith(`${CIRCULAR}:${place.line}:${place.column}: 错误: `));
      expect(here.join('\n'), expr).toContain(reason);
    });
  }, 300_000);

  it('takes what is right, up to the bounds', () => {
    const root = sampleWorkspace();
    const text = `{{percent pass_rate 6}}；{{growth sampled departments 0}}；{{cn 99999}}；{{list ${list} 2}}；{{list ${list} 999999 unit="个"}}`;
    edit(root, CIRCULAR, (t) => t.replace('总体合格率{{pass_rate}}', `总体合格率${text}`));
    const r = tongbao(['build', '2016Q4', '--format', 'html'], root);
    expect(r.status, r.stderr).toBe(0);
    const html = readFileSync(path.join(root, 'out/2016Q4/index.html'), 'utf8');
    expect(html).toContain('总体合格率91.000000%；增长10513%；九万九千九百九十九；天津、安徽等；天津、安徽、湖南、海南。');
  });
});

describe('accept: only rules about printed figures', () => {
  /** The sample with accept entries, and a fault made by `breakIt`. */
  function faulty(accept: string[], breakIt: (root: string) => void): string {
    const root = sampleWorkspace();
    breakIt(root);
    edit(root, YAML, (t) => `${t.trimEnd()}\n\naccept:\n${accept.map((a) => `  - ${a}\n`).join('')}`);
    return root;
  }
  /** Where the message about an entry is: at its rule's value. */
  const ruleAt = (root: string, rule: string) => {
    const p = placeOf(root, YAML, `rule: ${rule},`, readFileSync(path.join(root, YAML), 'utf8').indexOf('accept:'));
    return `${YAML}:${p.line}:${p.column + 'rule: '.length}: 错误: `;
  };
  const figure = '{ rule: disagree, at: consolidation_share, value: "81%", computed: "78%", reason: 原文印为81%，照录 }';

  it('refuses a rule about a cell (an invisible U+202E), by its full and its short name; the cell stays an error; a figure is still accepted', () => {
    const root = faulty(
      ['{ rule: cell/invisible-char, at: "problem-sites.csv:3", reason: 照录 }', '{ rule: invisible-char, at: "problem-sites.csv:3", reason: 照录 }', figure],
      (r) => edit(r, 'data/2016Q4/problem-sites.csv', (t) => t.replace('“阳高县人民政府”网', '“阳高县人民政府\u202e”网')),
    );
    const r = tongbao(['check', '2016Q4'], root);
    expect(r.status).toBe(1);
    expect(r.stderr).not.toMatch(JS_WORDS);
    expect(r.stderr).toContain(`${ruleAt(root, 'cell/invisible-char')}accept 的第 1 项（cell/invisible-char）不能接受：单元格的值读不出或不能安全地印出`);
    expect(r.stderr).toContain(`${ruleAt(root, 'invisible-char')}accept 的第 2 项（invisible-char）不能接受`);
    expect(r.stderr).toContain('可写的 rule 有：figures/disagree、figures/rate、figures/total、figures/history');
    expect(r.stderr).toMatch(/problem-sites\.csv:3:\d+: 错误: 「网站名称」的单元格含有看不见的双向文字控制字符 U\+202E/);
    expect(r.stderr).not.toContain('已接受：「网站名称」');
    // The entry about a printed figure is honoured: a warning that says so.
    expect(r.stderr).toContain('警告: 已接受：「consolidation_share」与表格不符');
    const b = tongbao(['build', '2016Q4', '--format', 'html'], root);
    expect(b.status).toBe(1);
    expect(existsSync(path.join(root, 'out/2016Q4/index.html'))).toBe(false);
  });

  it('refuses a template rule: check fails as build does, with the same messages, and nothing is written', async () => {
    const root = faulty(['{ rule: template/error, at: "circular.md:5", reason: 照录 }', '{ rule: template/unknown-name, at: "circular.md:5", reason: 照录 }', figure], (r) =>
      edit(r, CIRCULAR, (t) => t.replace('总体合格率{{pass_rate}}', '总体合格率{{percent pass_rate 1.5}}')),
    );
    // Side by side: the build stops before writing anything, as the test asserts.
    const [c, b] = await Promise.all([tongbaoAsync(['check', '2016Q4'], root), tongbaoAsync(['build', '2016Q4', '--format', 'html'], root)]);
    for (const r of [c!, b!]) {
      expect(r.status).toBe(1);
      expect(r.stderr).not.toMatch(JS_WORDS);
      expect(r.stderr).toContain(`${ruleAt(root, 'template/error')}accept 的第 1 项（template/error）不能接受：正文的表达式生成不出文字`);
      expect(r.stderr).toContain(`${ruleAt(root, 'template/unknown-name')}accept 的第 2 项（template/unknown-name）不能接受`);
      expect(r.stderr).toMatch(/circular\.md:5:\d+: 错误: \{\{percent\}\} 的小数位数/);
      expect(r.stderr).toContain('警告: 已接受：「consolidation_share」');
    }
    expect(existsSync(path.join(root, 'out/2016Q4/index.html'))).toBe(false);
  });
});

describe('tongbao dev', () => {
  it('survives a save of a deep expression, in the circular and in a check, and shows where', async () => {
    const root = sampleWorkspace();
    const { child, url } = await startDev(root);
    let exited = false;
    child.on('exit', () => (exited = true));
    try {
      const waitFor = async (pattern: RegExp) => {
        let page = '';
        for (const t0 = performance.now(); performance.now() - t0 < 20_000 && !pattern.test(page); ) {
          await new Promise((r) => setTimeout(r, 100));
          page = await (await fetch(url)).text();
        }
        return page;
      };
      const circular = readFileSync(path.join(root, CIRCULAR), 'utf8');
      writeFileSync(path.join(root, CIRCULAR), circular.replace('总体合格率{{pass_rate}}', `总体合格率{{percent ${'(percent\n'.repeat(3000)}pass_rate${')'.repeat(3000)}}}`));
      expect(await waitFor(/括号（子表达式）嵌套超过 16 层/)).toMatch(/content\/2016Q4\/circular\.md:21:1: 错误: 括号（子表达式）嵌套超过 16 层/);
      writeFileSync(path.join(root, CIRCULAR), circular);
      edit(root, YAML, (t) => t.replace('check: history.pass_rate.last', `check: "${'('.repeat(3000)}history.pass_rate.last${')'.repeat(3000)}"`));
      const page = await waitFor(/括号或函数嵌套超过 16 层/);
      const panel = /<aside id="tongbao-dev"[^]*?<\/aside>/.exec(page)![0];
      expect(panel).toMatch(/data\/2016Q4\/bulletin\.yaml:\d+:\d+: 错误: 括号或函数嵌套超过 16 层/);
      expect(panel).not.toMatch(JS_WORDS);
      expect(exited).toBe(false);
    } finally {
      child.kill('SIGTERM');
    }
  });
});
