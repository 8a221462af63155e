// `new` on a period whose tables are in one Excel workbook: the next period gets a workbook
// (not CSV text in a file named .xlsx), with the same sheets, header rows, formats, drop-down
// lists and formulas and no data; the period's own files are left byte for byte.
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { edit, sampleWorkspace, tongbao } from './helpers.js';

const BOOK = '2016Q4检查数据.xlsx';
const NEXT = '2017Q1检查数据.xlsx';

/** The sample's three tables as three sheets of one workbook, set up as an office would. */
async function sampleWorkbook(root: string, change: (wb: ExcelJS.Workbook) => void = () => undefined): Promise<void> {
  const csv = (name: string) => readFileSync(path.join(root, 'data/2016Q4', name), 'utf8').trim().split('\n').map((l) => l.split(','));
  const wb = new ExcelJS.Workbook();
  const sites = wb.addWorksheet('附件1');
  // A title row and a blank row above the header, as office sheets have.
  sites.addRow(['2016年第四季度抽查发现问题的网站']);
  sites.addRow([]);
  for (const r of csv('problem-sites.csv')) sites.addRow(r.map((c, i) => (i === 0 && /^\d+$/.test(c) ? Number(c) : c)));
  const matrix = wb.addWorksheet('附件2');
  for (const r of csv('institutions.csv')) matrix.addRow(r.map((c, i) => (i === 0 && /^\d+$/.test(c) ? Number(c) : c)));
  for (let row = 2; row <= matrix.rowCount; row++) {
    for (let col = 3; col <= 7; col++) matrix.getCell(row, col).dataValidation = { type: 'list', allowBlank: true, formulae: ['"√"'] };
  }
  const history = wb.addWorksheet('历次合格率');
  history.addRow(['期次', '总体合格率']);
  history.addRow(['2016Q1', 0.815]);
  // The last rate as a formula whose result Excel saved.
  history.addRow(['2016Q4', { formula: '91/100', result: 0.91 }]);
  history.getCell('B2').numFmt = '0.0%';
  history.getCell('B3').numFmt = '0%';
  history.getColumn(1).width = 12;
  change(wb);
  writeFileSync(path.join(root, 'data/2016Q4', BOOK), Buffer.from(await wb.xlsx.writeBuffer()));
  edit(root, 'data/2016Q4/bulletin.yaml', (t) =>
    t
      .replace('    file: problem-sites.csv', `    file: ${BOOK}\n    sheet: 附件1`)
      .replace('    file: institutions.csv', `    file: ${BOOK}\n    sheet: 附件2`)
      .replace('    file: history.csv', `    file: ${BOOK}\n    sheet: 历次合格率`),
  );
  for (const f of ['problem-sites.csv', 'institutions.csv', 'history.csv']) rmSync(path.join(root, 'data/2016Q4', f));
}

describe('new, when the tables are in an Excel workbook', () => {
  it('carries the workbook to the next period as a workbook, empty of data, and leaves the last one untouched', async () => {
    const root = sampleWorkspace();
    await sampleWorkbook(root);
    const before = readFileSync(path.join(root, 'data/2016Q4', BOOK));

    const r = tongbao(['new', '2017Q1', '--from', '2016Q4'], root);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`data/2017Q1/${NEXT}`);

    // The last period's workbook: byte for byte as it was.
    expect(readFileSync(path.join(root, 'data/2016Q4', BOOK)).equals(before)).toBe(true);
    expect(existsSync(path.join(root, 'data/2017Q1', BOOK))).toBe(false);

    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(readFileSync(path.join(root, 'data/2017Q1', NEXT)) as unknown as ArrayBuffer);
    // 2016Q4 listed problem sites and recorded no rectification: a sheet for it is added.
    expect(wb.worksheets.map((w) => w.name)).toEqual(['附件1', '附件2', '历次合格率', '整改情况']);
    const sites = wb.getWorksheet('附件1')!;
    expect(sites.getCell('A1').value).toBe('2016年第四季度抽查发现问题的网站');
    expect(sites.getRow(3).values).toEqual([undefined, '序号', '省（区、市）/部门', '网站名称', '存在的突出问题', '网站标识码']);
    expect(sites.getCell('C4').value).toBeNull();
    const matrix = wb.getWorksheet('附件2')!;
    expect(matrix.getCell('B1').value).toBe('省（区、市）');
    expect(matrix.getCell('B2').value).toBeNull();
    expect(matrix.getCell('D5').dataValidation).toMatchObject({ type: 'list', formulae: ['"√"'] });
    const history = wb.getWorksheet('历次合格率')!;
    expect(history.getCell('A2').value).toBeNull();
    expect(history.getCell('B2').numFmt).toBe('0.0%');
    // The formula is kept for the new data; last period's result is not.
    expect(history.getCell('B3').value).toEqual({ formula: '91/100' });
    expect(history.getCell('B3').numFmt).toBe('0%');
    expect(history.getColumn(1).width).toBe(12);

    const yaml = readFileSync(path.join(root, 'data/2017Q1/bulletin.yaml'), 'utf8');
    expect(yaml.match(new RegExp(`file: ${NEXT}`, 'g'))).toHaveLength(4);
    expect(yaml).not.toContain(BOOK);

    // check lists the empty tables, and has nothing to say about the workbook itself.
    const c = tongbao(['check', '2017Q1'], root);
    expect(c.status).toBe(1);
    expect(c.stderr + c.stdout).not.toMatch(/无法读取|重新保存|没有保存计算结果|xlsx\/unreadable/);
    expect(c.stderr + c.stdout).toContain(`${NEXT}`);
    rmSync(root, { recursive: true, force: true });
  });
});

describe('a workbook as Excel saved it', () => {
  it('is read from its header row under a title, and a formula by its saved result, 0 included, without a warning', async () => {
    const root = sampleWorkspace();
    await sampleWorkbook(root, (wb) => {
      // 2016Q1's rate as a formula whose saved result is 0.
      wb.getWorksheet('历次合格率')!.getCell('B2').value = { formula: 'C2/D2', result: 0 } as ExcelJS.CellFormulaValue;
    });
    const r = tongbao(['check', '2016Q4'], root);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('公式');
    expect(r.stderr).toContain(`data/2016Q4/${BOOK}!附件1!A3: 提示: 以第 3 行为表头，上面的 2 行（标题）不读`);
    const s = tongbao(['stats', '2016Q4', '--json'], root);
    expect(s.stdout).toContain('0.0%');
    rmSync(root, { recursive: true, force: true });
  });

  it('names the cell of a formula with no saved result, or whose result is an error value', async () => {
    const root = sampleWorkspace();
    await sampleWorkbook(root, (wb) => {
      const h = wb.getWorksheet('历次合格率')!;
      h.getCell('B2').value = { formula: '1/0', result: { error: '#DIV/0!' } } as unknown as ExcelJS.CellFormulaValue;
      h.getCell('B3').value = { formula: '91/100' } as ExcelJS.CellFormulaValue;
    });
    const r = tongbao(['check', '2016Q4'], root);
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toContain(`data/2016Q4/${BOOK}!历次合格率!B2: 错误: 单元格的公式 =1/0 算出的是错误值 #DIV/0!`);
    expect(r.stderr).toContain(`data/2016Q4/${BOOK}!历次合格率!B3: 错误: 单元格是公式 =91/100，且没有保存计算结果`);
    rmSync(root, { recursive: true, force: true });
  });
});

describe('what Excel shows is what is read', () => {
  it('reads a number in its number format: a literal "%" does not scale, optional decimals are kept, General is no percent', async () => {
    for (const [value, numFmt, shown] of [[81.5, '0.0"%"', '81.5%'], [0.815, '#0.0#%', '81.5%'], [0.8155, '0.0%', '81.6%'], [0.815, 'General', undefined]] as const) {
      const root = sampleWorkspace();
      await sampleWorkbook(root, (wb) => {
        const cell = wb.getWorksheet('历次合格率')!.getCell('B2');
        cell.value = value;
        cell.numFmt = numFmt;
      });
      if (shown) {
        const s = tongbao(['stats', '2016Q4', '--json'], root);
        const first = JSON.parse(s.stdout).figures.find((f: { name: string }) => f.name === 'history.pass_rate.first');
        expect(first.display, numFmt).toBe(shown);
      } else {
        // General shows 0.815, as Excel does: no percent, and said so at the cell.
        const c = tongbao(['check', '2016Q4'], root);
        expect(c.status).toBe(1);
        expect(c.stderr).toContain(`${BOOK}!历次合格率!B2: 错误: 「总体合格率」的「0.815」不是百分比`);
        expect(c.stderr).toContain('若是 81.5%，选中这一列，把单元格格式设为「百分比」');
      }
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('reports merged cells (an error over a number column) and hidden rows, each at its sheet and range', async () => {
    const root = sampleWorkspace();
    await sampleWorkbook(root, (wb) => {
      const sites = wb.getWorksheet('附件1')!;
      sites.mergeCells('B4:B5');
      sites.mergeCells('A6:A7');
      sites.getRow(8).hidden = true;
    });
    const r = tongbao(['check', '2016Q4'], root);
    expect(r.stderr).toContain(`${BOOK}!附件1!B4:B5: 提示: 单元格 B4:B5 是合并的：它跨过的每一行都按`);
    expect(r.stderr).toContain(`${BOOK}!附件1!A6:A7: 错误: 「序号」列的单元格 A6:A7 是合并的`);
    expect(r.stderr).toContain(`${BOOK}!附件1!A8: 警告: 第 8 行在 Excel 中是隐藏的，仍按数据读取`);
    rmSync(root, { recursive: true, force: true });
  });
});
