// A period's workbooks carried to the next period as workbooks: the same sheets, header rows,
// number formats, drop-down lists and formulas, the data rows emptied. The office keeps
// working in the file it knows; writing a table's header as CSV text into an .xlsx (as `new`
// once did) leaves a file Excel cannot open and loses every format the office set up.
import ExcelJS from 'exceljs';
import { RECTIFICATION_STATUS, type TableSpec } from './schema.js';
import { HEADER_SEARCH_ROWS, headerIndex, tableSheet } from './load/xlsx.js';
import { FACTS, FIGURES_SHEET, INFO_SHEET } from './load/workbook-facts.js';

/** What `new` puts in a table's first data rows (a rectification table's codes), by column name. */
export type StartRows = readonly Readonly<Record<string, string>>[];

export interface SheetPlan {
  spec: TableSpec & { sheet?: string };
  rows: StartRows;
  /** A table new in this period (a rectification table): its sheet added when missing. */
  create?: boolean;
}

const cellString = (v: ExcelJS.CellValue): string => {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object' && 'richText' in v) return v.richText.map((r) => r.text).join('');
  if (typeof v === 'object' && 'text' in v) return String(v.text);
  if (typeof v === 'object') return '';
  return String(v);
};
const plain = (s: string) => s.replace(/[\s\u3000]+/g, '');

/** The header row, found as the loader finds it, and its column numbers by column name. */
export function headerRow(sheet: ExcelJS.Worksheet, spec: TableSpec): { row: number; columns: Map<string, number> } {
  const rows = Array.from({ length: Math.min(HEADER_SEARCH_ROWS, sheet.rowCount) }, (_, i) => {
    const cells: string[] = [];
    sheet.getRow(i + 1).eachCell({ includeEmpty: true }, (cell, c) => (cells[c - 1] = cellString(cell.value)));
    return Array.from(cells, (c) => c ?? '');
  });
  const row = headerIndex(rows, spec) + 1;
  const columns = new Map<string, number>();
  rows[row - 1]?.forEach((text, i) => {
    if (text !== '' && !columns.has(plain(text))) columns.set(plain(text), i + 1);
  });
  return { row, columns };
}

/**
 * A data cell emptied for the next period: a formula stays, without the result saved for last
 * period's data (Excel computes it again on the next save); a value goes; the cell's format stays.
 */
function emptied(cell: ExcelJS.Cell): void {
  const v = cell.value;
  if (v && typeof v === 'object' && 'formula' in v && v.formula) cell.value = { formula: v.formula } as ExcelJS.CellFormulaValue;
  else if (v && typeof v === 'object' && 'sharedFormula' in v && v.sharedFormula) cell.value = { sharedFormula: v.sharedFormula } as ExcelJS.CellSharedFormulaValue;
  else cell.value = null;
}

/**
 * The workbook `bytes` for the next period: every table's sheet emptied below its header row,
 * then given its start rows; every other sheet and everything else in the file as it was.
 */
export async function nextWorkbook(bytes: Buffer, plans: readonly SheetPlan[], facts?: NextFacts): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  if (facts) nextFacts(workbook, facts);
  for (const plan of plans) {
    const sheet = tableSheet(workbook, plan.spec) ?? (plan.create && plan.spec.sheet ? addedSheet(workbook, plan.spec) : undefined);
    if (!sheet) continue;
    const header = headerRow(sheet, plan.spec);
    for (let r = header.row + 1; r <= sheet.rowCount; r++) sheet.getRow(r).eachCell({ includeEmpty: false }, emptied);
    plan.rows.forEach((values, i) => {
      const row = sheet.getRow(header.row + 1 + i);
      for (const [name, value] of Object.entries(values)) {
        const c = header.columns.get(plain(name));
        if (c !== undefined && value !== '') row.getCell(c).value = value;
      }
    });
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** How the 基本信息 and 数字 sheets go on to the next period. */
export interface NextFacts {
  /** A date (2024-04-10) moved on to the next period's. */
  moveDate: (iso: string) => string;
  /** Each figure's value for the new period, when it can be known (accounts_prev: last period's accounts). */
  carried?: ReadonlyMap<string, number | string>;
}

/**
 * The 基本信息 sheet for the next period: the dates moved on, the 文号 emptied (each period has
 * its own; the office fills it in), the rest kept; the 数字 sheet's values emptied, but for
 * those carried from the last period.
 */
function nextFacts(workbook: ExcelJS.Workbook, next: NextFacts): void {
  const info = workbook.getWorksheet(INFO_SHEET);
  info?.eachRow((row) => {
    const label = cellString(row.getCell(1).value).replace(/[\s\u3000：:]+/g, '');
    const fact = FACTS.find((f) => f.label === label);
    if (!fact) return;
    const cell = row.getCell(2);
    if (fact.label === '文号') cell.value = null;
    else if (fact.date) {
      const v = cell.value;
      if (v instanceof Date) cell.value = new Date(`${next.moveDate(v.toISOString().slice(0, 10))}T00:00:00Z`);
      else if (typeof v === 'string' && v.trim()) cell.value = next.moveDate(v.trim());
    }
  });
  const figures = workbook.getWorksheet(FIGURES_SHEET);
  let header = 0;
  figures?.eachRow((row, r) => {
    if (header === 0) {
      if (plain(cellString(row.getCell(1).value)) === '名称') header = r;
      return;
    }
    const cell = row.getCell(3);
    const carried = next.carried?.get(plain(cellString(row.getCell(1).value)));
    const v = cell.value;
    if (carried !== undefined) cell.value = carried;
    else if (v && typeof v === 'object' && 'formula' in v) emptied(cell);
    else cell.value = null;
  });
}

/** A sheet for a table the workbook did not have: its header row, a status drop-down list. */
function addedSheet(workbook: ExcelJS.Workbook, spec: TableSpec & { sheet?: string }): ExcelJS.Worksheet {
  const sheet = workbook.addWorksheet(spec.sheet!);
  sheet.addRow(['上一期通报的问题网站整改情况']).font = { bold: true, size: 14 };
  sheet.addRow(spec.columns.map((c) => c.name)).font = { bold: true };
  spec.columns.forEach((c, i) => {
    sheet.getColumn(i + 1).width = c.type === 'text' ? 36 : 14;
    for (let r = 3; r <= 202; r++) {
      const cell = sheet.getCell(r, i + 1);
      if (c.type === 'status') cell.dataValidation = { type: 'list', allowBlank: true, formulae: [`"${RECTIFICATION_STATUS.join(',')}"`] };
      if (c.type === 'date') cell.numFmt = 'yyyy"年"m"月"d"日"';
      if (c.type === 'site-code') cell.numFmt = '@';
    }
  });
  return sheet;
}
