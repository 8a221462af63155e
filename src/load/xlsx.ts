// Spreadsheets as Excel and WPS save them (.xlsx), read with exceljs: the first sheet or a
// named one, each cell as the text the office sees, placed as `file!sheet!B7` in messages.
import ExcelJS from 'exceljs';
import { MessageList, type Message } from '../messages.js';
import type { TableSpec } from '../schema.js';
import { tableFromRecords, type Field, type RawRecord, type Table } from './table.js';
import { formatNumber } from './number-format.js';

export function columnLetter(n: number): string {
  let s = '';
  for (; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

/** The text a cell shows: numbers in their format (97.2% stays 97.2%), dates as 2017-01-20. */
export function cellText(cell: ExcelJS.Cell): { text: string; formula?: string; error?: string } {
  const v = cell.value;
  if (v === null || v === undefined) return { text: '' };
  if (cell.type === ExcelJS.ValueType.Formula) {
    // Read from the cell, not its value: exceljs's value drops a result that is 0 (or false).
    const result = cell.result as unknown;
    const formula = cell.formula;
    if (result instanceof Date) return { text: result.toISOString().slice(0, 10), formula };
    if (result && typeof result === 'object' && 'error' in result) return { text: '', formula, error: String((result as { error: unknown }).error) };
    const text = typeof result === 'number' || typeof result === 'string' || typeof result === 'boolean' ? shown(result, cell.numFmt) : '';
    return { text, formula };
  }
  if (typeof v === 'object' && 'richText' in v) return { text: v.richText.map((r) => r.text).join('') };
  if (typeof v === 'object' && 'text' in v && 'hyperlink' in v) return { text: String(v.text) };
  if (v instanceof Date) return { text: v.toISOString().slice(0, 10) };
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return { text: shown(v, cell.numFmt) };
  return { text: String(v) };
}

/** A value as the cell shows it: a number in its number format (number-format.ts). */
function shown(v: number | string | boolean, numFmt: string | undefined): string {
  return typeof v === 'number' ? formatNumber(v, numFmt) : String(v);
}

const NUMERIC = new Set(['integer', 'count', 'percent']);

/** Merged ranges among the data rows: an error over a number column, a note over others. */
function mergedCells(sheet: ExcelJS.Worksheet, header: readonly string[], headerLine: number, spec: TableSpec, where: (ref: string) => string): Message[] {
  const merges = ((sheet.model as { merges?: string[] }).merges ?? []);
  const out: Message[] = [];
  for (const range of merges) {
    const m = /^([A-Z]+)(\d+):([A-Z]+)(\d+)$/.exec(range);
    if (!m || Number(m[4]) <= headerLine) continue; // a title merged across the top
    const [c1, c2] = [columnNumber(m[1]!), columnNumber(m[3]!)];
    const names = header.slice(c1 - 1, c2).map((h) => plainName(h));
    const columns = spec.columns.filter((c) => names.includes(plainName(c.name)) || c.aliases?.some((a) => names.includes(plainName(a))));
    const numeric = columns.filter((c) => NUMERIC.has(c.type));
    const value = cellText(sheet.getCell(`${m[1]}${m[2]}`)).text;
    out.push(
      numeric.length
        ? { severity: 'error', file: where(range), reason: `「${numeric.map((c) => c.name).join('」「')}」列的单元格 ${range} 是合并的：其中的数字「${value}」会在它跨过的每一行各算一次`, hint: '取消合并，把数字只填在它所属的一行（其余行按实际填写）', rule: 'xlsx/merged' }
        : { severity: 'info', file: where(range), reason: `单元格 ${range} 是合并的：它跨过的每一行都按「${value}」读取`, rule: 'xlsx/merged' },
    );
  }
  return out;
}

function columnNumber(letters: string): number {
  let n = 0;
  for (const ch of letters) n = n * 26 + ch.charCodeAt(0) - 64;
  return n;
}

/** What a workbook may hold once unpacked: a million rows of a few columns is about a third of it. */
export const MAX_UNPACKED_BYTES = 400 * 1024 * 1024;

/**
 * The sizes a ZIP's central directory declares for its entries, added up, read before anything
 * is inflated: a few megabytes that unpack to gigabytes (a "zip bomb") are refused at once.
 * Undefined when there is no directory to read (exceljs then says the file is not a workbook).
 */
export function declaredUnpackedSize(b: Buffer): number | undefined {
  // The end-of-central-directory record: 22 bytes and a comment of up to 65,535 at the end.
  for (let at = b.length - 22; at >= Math.max(0, b.length - 22 - 65_535); at--) {
    if (b.readUInt32LE(at) !== 0x06054b50) continue;
    const count = b.readUInt16LE(at + 10);
    let p = b.readUInt32LE(at + 16);
    let total = 0;
    for (let i = 0; i < count; i++) {
      if (p + 46 > b.length || b.readUInt32LE(p) !== 0x02014b50) return undefined;
      const size = b.readUInt32LE(p + 24);
      // 0xFFFFFFFF: the real size is in a ZIP64 field, over 4 GiB: too large in any case.
      total += size === 0xffffffff ? Number.MAX_SAFE_INTEGER : size;
      p += 46 + b.readUInt16LE(p + 28) + b.readUInt16LE(p + 30) + b.readUInt16LE(p + 32);
    }
    return total;
  }
  return undefined;
}

/** Rows searched for the header: an office sheet often has a title (and a blank row) above it. */
export const HEADER_SEARCH_ROWS = 10;

const plainName = (s: string) => s.replace(/[\s\u3000]+/g, '');

/** Which of the first rows is the header: the first naming most of the declared columns (0 when none names any). */
export function headerIndex(rows: readonly (readonly string[])[], spec: TableSpec): number {
  const names = new Set(spec.columns.map((c) => plainName(c.name)));
  let best = 0;
  let bestCount = 0;
  rows.forEach((cells, i) => {
    const count = new Set(cells.map(plainName).filter((c) => names.has(c))).size;
    if (count > bestCount) [best, bestCount] = [i, count];
  });
  return best;
}

/** The sheet a table reads: the one it names, else the first one shown (a hidden sheet is not what the office sees). */
export function tableSheet(workbook: ExcelJS.Workbook, spec: { sheet?: string }): ExcelJS.Worksheet | undefined {
  if (spec.sheet) return workbook.getWorksheet(spec.sheet);
  return workbook.worksheets.find((w) => w.state !== 'hidden' && w.state !== 'veryHidden') ?? workbook.worksheets[0];
}

export async function parseXlsx(bytes: Uint8Array, file: string, spec: TableSpec & { sheet?: string }): Promise<{ table?: Table; messages: Message[] }> {
  const unpacked = declaredUnpackedSize(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  if (unpacked !== undefined && unpacked > MAX_UNPACKED_BYTES) {
    const mb = unpacked >= Number.MAX_SAFE_INTEGER ? '4096 MB 以上' : `${Math.round(unpacked / 1024 / 1024)} MB`;
    return {
      messages: [{ severity: 'error', file, reason: `这个 .xlsx 文件解压后有 ${mb}，超过 ${MAX_UNPACKED_BYTES / 1024 / 1024} MB 的上限，未读取`, hint: '数据这么多时请在 Excel 或 WPS 中另存为 CSV（CSV 按行读取，没有这个上限）；如果文件来历不明，不要打开它', rule: 'xlsx/too-large' }],
    };
  }
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer);
  } catch {
    return { messages: [{ severity: 'error', file, reason: '无法读取这个 .xlsx 文件（文件损坏或不是 Excel 工作簿）', hint: '在 Excel 或 WPS 中打开后重新保存为 .xlsx', rule: 'xlsx/unreadable' }] };
  }
  const sheet = tableSheet(workbook, spec);
  if (!sheet) {
    const names = workbook.worksheets.map((w) => w.name).join('、');
    return { messages: [{ severity: 'error', file, reason: spec.sheet ? `工作簿中没有名为「${spec.sheet}」的工作表` : '工作簿中没有工作表', hint: names ? `已有的工作表：${names}` : '', rule: 'xlsx/no-sheet' }] };
  }
  const messages = new MessageList();
  const records: RawRecord[] = [];
  const width = sheet.columnCount;
  const hidden: number[] = [];
  // Numbers in cells not formatted as percent: a rate typed 0.8 there is told how to show it.
  const plainNumbers = new Map<string, number>();
  sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    if (row.hidden) hidden.push(rowNumber);
    const fields: Field[] = [];
    const cells = Array.from({ length: width }, (_, i) => cellText(row.getCell(i + 1)));
    // A row of formulas waiting for their inputs (as `new` leaves a workbook) is an empty row.
    if (cells.every((c) => c.text === '')) return;
    for (let c = 1; c <= width; c++) {
      const ref = `${columnLetter(c)}${rowNumber}`;
      const { text, formula } = cells[c - 1]!;
      // A formula's saved result is what Excel shows, and is read as such (0 included); only a
      // formula Excel never computed, or whose result is an error, leaves nothing to read.
      if (formula !== undefined && text === '') {
        const error = cells[c - 1]!.error;
        messages.push({
          severity: 'error',
          file: `${file}!${sheet.name}!${ref}`,
          reason: error ? `单元格的公式 =${formula} 算出的是错误值 ${error}` : `单元格是公式 =${formula}，且没有保存计算结果`,
          hint: error ? '核对公式引用的单元格（如除数为 0 或为空）' : '在 Excel 或 WPS 中打开并保存一次，让它算出结果；或把公式「选择性粘贴」为数值',
          rule: 'xlsx/formula',
        });
      }
      const cell = row.getCell(c);
      const v = formula !== undefined ? cell.result : cell.value;
      if (typeof v === 'number' && !/%/.test(cell.numFmt ?? '')) plainNumbers.set(ref, v);
      fields.push({ text, line: rowNumber, column: c, ref });
    }
    records.push({ line: rowNumber, fields });
  });
  // A title (and blank rows) above the header, as office sheets have: the header is the row
  // that names the declared columns, and the user is told which row was taken.
  const header = headerIndex(records.slice(0, HEADER_SEARCH_ROWS).map((r) => r.fields.map((f) => f.text)), spec);
  // One title cell right above the header, as init and new write each sheet, needs no word:
  // four sheets would say it four times on a fresh workbook. Any other layout is said.
  const titled = header === 1 && records[0]!.line === 1 && records[1]!.line === 2 && records[0]!.fields.filter((f) => f.text !== '').length === 1;
  if (header > 0 && !titled) {
    messages.push({ severity: 'info', file: `${file}!${sheet.name}!A${records[header]!.line}`, reason: `以第 ${records[header]!.line} 行为表头，上面的 ${records[header]!.line - 1} 行（标题）不读`, rule: 'xlsx/header-row' });
  }
  const headerLine = records[header]?.line ?? 0;
  const where = (ref: string) => `${file}!${sheet.name}!${ref}`;
  // Rows hidden in Excel are data all the same: read, and said, so that none counts unseen.
  const hiddenData = hidden.filter((r) => r > headerLine);
  if (hiddenData.length) {
    const shown = hiddenData.slice(0, 10).join('、') + (hiddenData.length > 10 ? ` 等 ${hiddenData.length} 行` : '');
    messages.push({ severity: 'warning', file: where(`A${hiddenData[0]}`), reason: `第 ${shown} 行在 Excel 中是隐藏的，仍按数据读取`, hint: '不要的行请删除，而不是隐藏；要的行取消隐藏以便核对', rule: 'xlsx/hidden-rows' });
  }
  // A merged cell: exceljs gives its value to every cell it covers, so a number merged over
  // three rows would count three times; a name merged over rows belongs to each of them.
  for (const m of mergedCells(sheet, records[header]?.fields.map((f) => f.text) ?? [], headerLine, spec, where)) messages.push(m);
  // The table is named with its sheet: every place in it, and every message about it, says which.
  const t = tableFromRecords(records.slice(header), `${file}!${sheet.name}`, spec, 'xlsx');
  const told = t.messages.map((m) => {
    const ref = m.rule === 'cell/percent' ? /!([A-Z]+\d+)$/.exec(m.file)?.[1] : undefined;
    const v = ref !== undefined ? plainNumbers.get(ref) : undefined;
    if (v === undefined) return m;
    const asPercent = formatNumber(v, '0.0#%');
    return { ...m, hint: `单元格的数字格式不是百分比，Excel 显示的就是 ${formatNumber(v, undefined)}：${Math.abs(v) <= 1 ? `若是 ${asPercent}，` : ''}选中这一列，把单元格格式设为「百分比」（开始 → 数字 → %）后保存` };
  });
  return { ...t, messages: [...messages.messages(), ...told] };
}
