// Rates printed from failures (`ratio: { failed, of }`) and a 合计 row's rate from its own
// counts (issue 20), through the CLI on a copy of examples/city.
import { describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO, edit, tongbao } from './helpers.js';

const CSV = 'data/2017Q1/districts.csv';
const YAML = 'data/2017Q1/bulletin.yaml';

function city(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'tongbao-rates-'));
  cpSync(path.join(REPO, 'examples/city'), root, { recursive: true, filter: (f) => !f.includes(`${path.sep}out`) });
  return root;
}

/** The city's district table as an office with only failures writes it: 不合格网站数, and the 合格率 from it. */
function failuresCity(change: (csv: string) => string = (t) => t): string {
  const root = city();
  edit(root, CSV, (t) =>
    change(
      t
        .split('\n')
        .map((line, i) => {
          if (!line) return line;
          const [name, sampled, passed, rate] = line.split(',');
          return i === 0 ? `${name},${sampled},不合格网站数,${rate}` : `${name},${sampled},${Number(sampled) - Number(passed)},${rate}`;
        })
        .join('\n'),
    ),
  );
  edit(root, YAML, (t) =>
    t
      .replace('      - { key: passed, name: 合格网站数, type: count, max: sampled, width: 25%, align: center }', '      - { key: failed, name: 不合格网站数, type: count, width: 25%, align: center }')
      .replace('ratio: [passed, sampled]', 'ratio: { failed: failed, of: sampled }')
      .replace('check: districts.passed.rate', 'check: districts.failed.rate'),
  );
  edit(root, 'content/2017Q1/circular.md', (t) => t.replace('合格{{districts.passed.sum}}个', '不合格{{districts.failed.sum}}个').replaceAll('districts.passed.', 'districts.failed.'));
  return root;
}

const lineOf = (root: string, file: string, start: string) => readFileSync(path.join(root, file), 'utf8').split('\n').findIndex((l) => l.startsWith(start)) + 1;

describe('a rate printed from failures', () => {
  it('checks each row and the total as (抽查数 − 不合格数) / 抽查数, and gives the pass rate as .rate', () => {
    const root = failuresCity();
    const r = tongbao(['check', '2017Q1', '--root', root]);
    expect(r.stderr).not.toContain('错误');
    expect(r.status).toBe(0);
    const figures = new Map((JSON.parse(tongbao(['stats', '2017Q1', '--root', root, '--json']).stdout).figures as { name: string; display: string; value: string }[]).map((f) => [f.name, f]));
    expect(figures.get('districts.failed.sum')?.display).toBe('15');
    expect(figures.get('districts.failed.rate')?.value).toBe('23/26'); // 115/130
    expect(figures.get('districts.failed.failure_rate')?.value).toBe('3/26');
    expect(figures.get('districts.failed.full')?.display).toBe('东城区');
    expect(figures.get('districts.failed.ranking')?.display).toMatch(/^东城区 100%、西城区 94\.4/);
    // The circular and the PDF-less build print the pass rate.
    expect(tongbao(['build', '2017Q1', '--root', root, '--format', 'html']).status).toBe(0);
    expect(readFileSync(path.join(root, 'out/2017Q1/index.html'), 'utf8')).toContain('不合格15个，总体合格率为88.5%');
  });

  it('refuses a row that prints the failure rate, or the rate truncated, with the arithmetic', () => {
    // 西城区: 1 of 18 failed → 94.4%, printed as its failure rate; 临江县: 4 of 22 → 81.8%.
    const root = failuresCity((t) => t.replace('西城区,18,1,94.4%', '西城区,18,1,5.6%').replace('临江县,22,4,81.8%', '临江县,22,4,81.9%'));
    const r = tongbao(['check', '2017Q1', '--root', root]);
    expect(r.status).toBe(1);
    const at = (name: string) => `${CSV}:${lineOf(root, CSV, name)}:`;
    expect(r.stderr).toContain(`${at('西城区')}`);
    expect(r.stderr).toContain('「西城区」的「合格率」印为 5.6%，按（「抽查网站数」−「不合格网站数」）/「抽查网站数」(18 − 1)/18 = 94.4444% 四舍五入应为 94.4%');
    expect(r.stderr).toContain('「临江县」的「合格率」印为 81.9%，按（「抽查网站数」−「不合格网站数」）/「抽查网站数」(22 − 4)/22 = 81.8182% 四舍五入应为 81.8%');
    expect(r.stderr).not.toMatch(/「(东城区|南湖区|北山区|青石县|合计)」的「合格率」/);
  });

  it('draws a bar chart of a failures column as the pass rate', () => {
    const root = failuresCity();
    edit(root, YAML, (t) => `${t}\ncharts:\n  - { id: pass, kind: bars, title: 各区县合格率, table: districts, value: failed }\n`);
    const r = tongbao(['build', '2017Q1', '--root', root, '--format', 'html']);
    expect(r.status, r.stderr).toBe(0);
    const html = readFileSync(path.join(root, 'out/2017Q1/index.html'), 'utf8');
    // A header is shown in its words (<wbr> between spans that do not wrap): the text as read.
    expect(html.replace(/<wbr>|<span class="word">|<\/span>/g, '')).toContain('合格率（1 − 不合格网站数/抽查网站数）');
    // Highest first: 东城区 (24 − 0)/24, then 西城区 (18 − 1)/18 = 94.4%; 青石县 last at 75%.
    const order = [...html.matchAll(/<th scope="row">([^<]+)<\/th><td>\(\d+ − \d+\)\/\d+（([\d.]+%)）<\/td>/g)].map((m) => `${m[1]} ${m[2]}`);
    expect(order[0]).toBe('东城区 100%');
    expect(order[1]).toBe('西城区 94.4%');
    expect(order.at(-1)).toBe('青石县 75%');
  });

  it('refuses more failures than sites checked', () => {
    const root = failuresCity((t) => t.replace('北山区,15,2,86.7%', '北山区,15,16,86.7%'));
    const r = tongbao(['check', '2017Q1', '--root', root]);
    expect(r.stderr).toContain(`${CSV}:${lineOf(root, CSV, '北山区')}:`);
    expect(r.stderr).toContain('「不合格网站数」16 大于「抽查网站数」15');
  });

  it('still refuses `ratio: [failed, sampled]`, which reads the failures as passes, on every row', () => {
    const root = failuresCity();
    edit(root, YAML, (t) => t.replace('ratio: { failed: failed, of: sampled }', 'ratio: [failed, sampled]'));
    const r = tongbao(['check', '2017Q1', '--root', root]);
    expect(r.stderr.match(/的「合格率」印为/g)?.length).toBeGreaterThanOrEqual(6);
  });
});

describe('a 合计 row’s rate', () => {
  it('is checked against its own counts: a right total stays right when a member row is wrong', () => {
    // 西城区 printed 16 passed with its old rate: the row's rate and the sum are wrong, the
    // 合计 row (115/130 = 88.5%) is not.
    const root = city();
    edit(root, CSV, (t) => t.replace('西城区,18,17,94.4%', '西城区,18,16,94.4%'));
    const r = tongbao(['check', '2017Q1', '--root', root]);
    expect(r.stderr).toContain('「西城区」的「合格率」印为 94.4%，按「合格网站数」/「抽查网站数」16/18');
    expect(r.stderr).toContain('合计行的「合格网站数」为 115，各行之和为 114');
    expect(r.stderr).not.toContain('「合计」的「合格率」');
  });

  it('is wrong when it does not follow from its own counts', () => {
    const root = city();
    edit(root, CSV, (t) => t.replace('合计,130,115,88.5%', '合计,130,115,88.4%'));
    const r = tongbao(['check', '2017Q1', '--root', root]);
    expect(r.stderr).toContain(`${CSV}:${lineOf(root, CSV, '合计')}:`);
    expect(r.stderr).toContain('「合计」的「合格率」印为 88.4%，按「合格网站数」/「抽查网站数」115/130 = 88.4615% 四舍五入应为 88.5%（这是截断而非四舍五入的结果');
  });

  it('without counts of its own, is checked against the members’ sums', () => {
    const root = city();
    edit(root, CSV, (t) => t.replace('合计,130,115,88.5%', '合计,,,87.9%'));
    const r = tongbao(['check', '2017Q1', '--root', root]);
    expect(r.stderr).toContain('「合计」的「合格率」印为 87.9%，按「合格网站数」/「抽查网站数」各行合计 115/130');
  });
});
