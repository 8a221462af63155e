import { describe, expect, it } from 'vitest';
import { cpSync, existsSync, readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { REPO, edit, sampleWorkspace, startDev, tongbao } from './helpers.js';

describe('tongbao new: the next quarter from the last', () => {
  it('creates 2017Q1 from 2016Q4, and check lists exactly what is still to be filled', () => {
    const root = sampleWorkspace();
    const r = tongbao(['new', '2017Q1', '--from', '2016Q4'], root);
    expect(r.status, r.stderr).toBe(0);
    const yaml = readFileSync(path.join(root, 'data/2017Q1/bulletin.yaml'), 'utf8');
    expect(yaml).toContain('title: 关于2017年第一次全国政府网站抽查情况的通报');
    expect(yaml).toMatch(/^period: 2017Q1$/m);
    expect(yaml).toMatch(/^previous: 2016Q4$/m);
    expect(yaml).toMatch(/^signed: 2017-04-20$/m);
    expect(yaml).toContain('sampled: { value: null, label: 抽查政府网站数 }');
    expect(readFileSync(path.join(root, 'data/2017Q1/problem-sites.csv'), 'utf8')).toBe('序号,省（区、市）/部门,网站名称,存在的突出问题,网站标识码\n');
    expect(readFileSync(path.join(root, 'content/2017Q1/circular.md'), 'utf8')).toBe(readFileSync(path.join(root, 'content/2016Q4/circular.md'), 'utf8'));

    const check = tongbao(['check', '2017Q1', '--json'], root);
    expect(check.status).toBe(1);
    const all = JSON.parse(check.stdout).messages as { rule: string; file: string; reason: string }[];
    // 2016Q4 listed problem sites and recorded no rectification: 2017Q1 gets a rectification
    // table started with their codes, its statuses to fill (checked in office-quarter.test.ts).
    expect(all.filter((m) => m.file.endsWith('rectification.csv') && m.rule === 'cell/required')).toHaveLength(15);
    const messages = all.filter((m) => !m.file.endsWith('rectification.csv'));
    const empty = messages.filter((m) => m.rule === 'rows/empty-table').map((m) => m.reason);
    expect(empty.sort()).toEqual(
      ['表格「history」还没有数据：文件只有表头', '表格「抽查发现存在突出问题的政府网站名单」还没有数据：文件只有表头', '表格「各省（区、市）政府网站有关制度建设情况」还没有数据：文件只有表头'].sort(),
    );
    expect(messages.filter((m) => m.rule === 'figures/unfilled')).toHaveLength(34);
    expect(messages.find((m) => m.rule === 'figures/unfilled')!.reason).toBe('数字「departments」（参加抽查的国务院部门数）尚未填写');
    // Nothing else: no noise about the circular while the data are missing.
    expect(new Set(messages.map((m) => m.rule))).toEqual(new Set(['rows/empty-table', 'figures/unfilled']));
  });

  it('refuses to overwrite a period that exists', () => {
    const root = sampleWorkspace();
    const r = tongbao(['new', '2016Q4', '--from', '2016Q4'], root);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('期次 2016Q4 已经存在');
  });
});

/** The sample's problem sites written as an .xlsx, as Excel saves it. */
async function writeXlsx(file: string, formulaAt?: string) {
  const rows = parse(readFileSync(path.join(REPO, 'data/2016Q4/problem-sites.csv'), 'utf8')) as string[][];
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('附件1');
  rows.forEach((r, i) => ws.addRow(i === 0 ? r : [Number(r[0]), ...r.slice(1)]));
  if (formulaAt) ws.getCell(formulaAt).value = { formula: 'HYPERLINK("http://evil.example","点击")' } as ExcelJS.CellFormulaValue;
  await wb.xlsx.writeFile(file);
}

describe('spreadsheets', () => {
  it('renders the same attachment from problem-sites.xlsx as from the CSV', async () => {
    const root = sampleWorkspace();
    expect(tongbao(['build', '2016Q4', '--format', 'html'], root).status).toBe(0);
    const section = (html: string) => {
      const start = html.indexOf('<section class="attachment attachment-table" id="attachment-1"');
      return html.slice(start, html.indexOf('</section>', start) + 10);
    };
    const fromCsv = section(readFileSync(path.join(root, 'out/2016Q4/index.html'), 'utf8'));

    await writeXlsx(path.join(root, 'data/2016Q4/problem-sites.xlsx'));
    edit(root, 'data/2016Q4/bulletin.yaml', (t) => t.replace('file: problem-sites.csv', 'file: problem-sites.xlsx'));
    const r = tongbao(['build', '2016Q4', '--format', 'html'], root);
    expect(r.status, r.stderr).toBe(0);
    const fromXlsx = section(readFileSync(path.join(root, 'out/2016Q4/index.html'), 'utf8'));
    expect(fromXlsx).toContain('1307320007');
    expect(fromXlsx).toBe(fromCsv);
  });

  it('places problems in a spreadsheet as file!sheet!B7', async () => {
    const root = sampleWorkspace();
    await writeXlsx(path.join(root, 'data/2016Q4/problem-sites.xlsx'), 'E7');
    edit(root, 'data/2016Q4/bulletin.yaml', (t) => t.replace('file: problem-sites.csv', 'file: problem-sites.xlsx'));
    const r = tongbao(['check', '2016Q4'], root);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('data/2016Q4/problem-sites.xlsx!附件1!E7: 错误: 单元格是公式 =HYPERLINK("http://evil.example","点击")，且没有保存计算结果');
    expect(r.stderr).toContain('data/2016Q4/problem-sites.xlsx!附件1!E7: 错误: 「网站标识码」不能为空');
  });
});

describe('tongbao dev', () => {
  it('serves the bulletin on 127.0.0.1 and shows a saved change within a second or two', async () => {
    const root = sampleWorkspace();
    const { child, url } = await startDev(root);
    try {
      const first = await (await fetch(url)).text();
      expect(first).toContain('关于2016年第四次全国政府网站抽查情况的通报');

      const t0 = performance.now();
      appendFileSync(path.join(root, 'content/2016Q4/circular.md'), '\n预览中新加的一段。\n');
      let page = '';
      while (performance.now() - t0 < 5000 && !page.includes('预览中新加的一段。')) {
        await new Promise((r) => setTimeout(r, 25));
        page = await (await fetch(url)).text();
      }
      const ms = performance.now() - t0;
      expect(page).toContain('预览中新加的一段。');
      expect(ms).toBeLessThan(2000);

      // A mistake: the last good page stays, with the problem shown over it.
      appendFileSync(path.join(root, 'content/2016Q4/circular.md'), '\n{{nonexistent_figure}}\n');
      const t1 = performance.now();
      while (performance.now() - t1 < 5000 && !page.includes('tongbao-dev')) {
        await new Promise((r) => setTimeout(r, 25));
        page = await (await fetch(url)).text();
      }
      expect(page).toContain('预览中新加的一段。');
      expect(page).toMatch(/content\/2016Q4\/circular\.md:\d+:\d+: 错误: 「nonexistent_figure」没有定义/);
    } finally {
      child.kill('SIGTERM');
    }
  });
});

describe('build with no period, and --all', () => {
  it('builds the latest period alone, or every period', () => {
    const root = sampleWorkspace();
    cpSync(path.join(root, 'data/2016Q4'), path.join(root, 'data/2016Q3'), { recursive: true });
    cpSync(path.join(root, 'content/2016Q4'), path.join(root, 'content/2016Q3'), { recursive: true });
    edit(root, 'data/2016Q3/bulletin.yaml', (t) => t.replace('period: 2016Q4', 'period: 2016Q3').replace('previous: 2016Q3', 'previous: 2016Q2'));
    expect(tongbao(['build', '--format', 'html'], root).status).toBe(0);
    expect(existsSync(path.join(root, 'out/2016Q4/index.html'))).toBe(true);
    expect(existsSync(path.join(root, 'out/2016Q3'))).toBe(false);
    const r = tongbao(['build', '--all', '--format', 'html', '--json'], root);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).map((x: { period: string }) => x.period)).toEqual(['2016Q3', '2016Q4']);
    expect(existsSync(path.join(root, 'out/2016Q3/index.html'))).toBe(true);
    writeFileSync(path.join(root, 'data/2016Q3/history.csv'), '期次\n'); // break one period: --all reports it and fails
    expect(tongbao(['build', '--all', '--format', 'html'], root).status).toBe(1);
  });
});
