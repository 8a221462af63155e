// Reproduction as printed (issue 20): `accept:` keeps named problems as warnings that say why,
// the build goes on and writes the check report; an entry that matches nothing is an error.
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { REPO, edit, exampleWorkspace, tongbao } from './helpers.js';
import { vnu } from './judges.js';

const YAML = 'data/2017Q1/bulletin.yaml';

/** The city with 北山区's rate truncated (13/15 printed 86.66%) and the text's rate off. */
function faultyCity(accept: string): string {
  const root = exampleWorkspace('city');
  edit(root, 'data/2017Q1/districts.csv', (t) => t.replace('北山区,15,13,86.7%', '北山区,15,13,86.66%'));
  edit(root, YAML, (t) => t.replace('    value: "88.5%"', '    value: "88.6%"') + `\naccept:\n${accept}`);
  return root;
}

const lineOf = (root: string, needle: string) => readFileSync(path.join(root, YAML), 'utf8').split('\n').findIndex((l) => l.includes(needle)) + 1;

describe('accept:', () => {
  const both = [
    '  - { rule: figures/rate, at: "districts.csv:北山区:合格率", value: "86.66%", computed: "86.67%", reason: 原文如此（截断），照录 }',
    '  - { rule: disagree, at: overall_rate, value: "88.6%", computed: "88.5%", reason: 正文原印88.6%，照录 }',
  ].join('\n');

  it('turns each named problem into a warning with its reason; check passes and build writes the report', () => {
    const root = faultyCity(both);
    const r = tongbao(['check', '2017Q1', '--root', root]);
    expect(r.status, r.stderr).toBe(0);
    // The city's repeat failure is an info line (提示), not a problem kept.
    const warnings = r.stderr.trim().split('\n').filter((l) => !l.includes(': 提示: '));
    expect(warnings).toHaveLength(2);
    expect(r.stderr).toContain(`districts.csv:5:11: 警告: 已接受：「北山区」的「合格率」印为 86.66%，按「合格网站数」/「抽查网站数」13/15 = 86.66667% 四舍五入应为 86.67%（原文如此（截断），照录（bulletin.yaml 第 ${lineOf(root, 'figures/rate')} 行 accept））`);
    expect(r.stderr).toContain('警告: 已接受：「overall_rate」与表格不符：附件1「合格网站数」115/130 = 88.462% → 88.5%，正文为 88.6%');
    expect(tongbao(['build', '2017Q1', '--root', root, '--format', 'html']).status).toBe(0);
    const report = path.join(root, 'out/2017Q1/check-report.html');
    const html = readFileSync(report, 'utf8');
    expect(html).toContain('已接受的问题 2 个，其余问题 0 个');
    expect(html).toContain('<td>原文如此（截断），照录</td>');
    expect(html).toContain('13/15 = 86.66667% 四舍五入应为 86.67%');
    expect(html).toMatch(/<td>overall_rate<\/td><td>districts\.passed\.rate<\/td><td>88\.462% → 88\.5%<\/td><td>88\.6%<\/td><td>不符<\/td>/);
    expect(readFileSync(path.join(root, 'out/2017Q1/SHA256SUMS'), 'utf8')).toContain('check-report.html');
    expect(vnu(report).filter((m) => m.type === 'error')).toEqual([]);
  });

  it('accepts a row by its line as well as by its name; leaves what it does not name an error', () => {
    const root = faultyCity('  - { rule: rate, at: "districts.csv:5:合格率", value: "86.66%", computed: "86.67%", reason: 照录 }');
    const r = tongbao(['check', '2017Q1', '--root', root]);
    expect(r.stderr).toContain('警告: 已接受：「北山区」的「合格率」');
    expect(r.stderr).toMatch(/错误: 「overall_rate」与表格不符/);
    expect(r.status).toBe(1);
  });

  it('is an error, at its line, when an entry matches no problem', () => {
    const root = faultyCity(`${both}\n  - { rule: figures/rate, at: "districts.csv:东城区:合格率", value: "90%", computed: "90%", reason: 没有这个问题 }`);
    const r = tongbao(['check', '2017Q1', '--root', root]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`bulletin.yaml:${lineOf(root, '没有这个问题')}:5: 错误: accept 的第 3 项（figures/rate，districts.csv:东城区:合格率）没有对应的问题`);
    expect(existsSync(path.join(root, 'out/2017Q1/check-report.html'))).toBe(false);
  });

  it('writes the report from check --report, listing what is left too', () => {
    const root = faultyCity('  - { rule: disagree, at: overall_rate, value: "88.6%", computed: "88.5%", reason: 照录 }');
    const r = tongbao(['check', '2017Q1', '--root', root, '--report']);
    expect(r.status).toBe(1);
    const html = readFileSync(path.join(root, 'out/2017Q1/check-report.html'), 'utf8');
    expect(html).toContain('已接受的问题 1 个，其余问题 1 个（错误 1 个）');
    expect(html).toContain('「北山区」的「合格率」印为 86.66%');
  });
});

describe('examples/province', () => {
  it('checks with exactly one warning, the accepted truncated rate, builds, and lists it in the check report', () => {
    const root = exampleWorkspace('province');
    const r = tongbao(['check', '2023Q3', '--root', root]);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/media\.csv:5:11: 警告: 已接受：「今日头条」的「合格率」印为 86\.66%，按（「抽查账号数」−「不合格账号数」）\/「抽查账号数」\(30 − 4\)\/30/);
    const b = tongbao(['build', '2023Q3', '--root', root]);
    expect(b.status, b.stderr).toBe(0);
    const report = readFileSync(path.join(root, 'out/2023Q3/check-report.html'), 'utf8');
    expect(report).toContain('已接受的问题 1 个，其余问题 0 个');
    expect(report).toContain('原文印为截断的86.66%（应为86.67%），按原文照录');
    // Its checks worked out: a difference, a growth, a rate over a sum, a rate from failures.
    for (const row of ['<td>closed</td><td>running_prev - running</td><td>812 − 796 = 16</td>', '<td>accounts_growth</td><td>growth(accounts, accounts_prev)</td><td>(1350 − 1200) / 1200 = 增长12.5%</td>', '= 91.824% → 91.8%</td>', '<td>media_rate</td><td>media.failed.rate</td><td>90.667% → 90.7%</td>']) {
      expect(report).toContain(row);
    }
    const html = readFileSync(path.join(root, 'out/2023Q3/index.html'), 'utf8');
    expect(html).toContain('比上季度末的1200个增长12.5%');
    expect(html).toContain('id="table-media"');
  });

  it('is named nowhere in src/', () => {
    const files = execFileSync('git', ['ls-files', 'src'], { cwd: REPO, encoding: 'utf8' }).trim().split('\n');
    for (const f of files) expect(readFileSync(path.join(REPO, f), 'utf8'), f).not.toMatch(/examples\/province|某某省|2023Q3/);
  });
});
