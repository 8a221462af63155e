// Spreadsheets as Excel and WPS save them (.xlsx), read with exceljs: the first sheet or a
// named one, each cell as the text the office sees, placed as `file!sheet!B7` in messages.
import ExcelJS from 'exceljs';
import { MessageList, type Message } from '../messages.js';
import type { TableSpec } from '../schema.js';
import { tableFromRecords, type Field, type RawRecord, type Table } from './table.js';
import { roundedDecimal } from '../values.js';

function columnLetter(n: number): string {
  let s = '';
  for (; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

/** The text a cell shows: numbers in their format (97.2% stays 97.2%), dates as 2017-01-20. */
function cellText(cell: ExcelJS.Cell): { text: string; formula?: string } {
  const v = cell.value;
  if (v === null || v === undefined) return { text: '' };
  if (typeof v === 'object' && 'formula' in v) {
    const result = (v as ExcelJS.CellFormulaValue).result;
    const text = result === undefined || result === null || typeof result === 'object' ? '' : shown(result, cell.numFmt);
    return { text, formula: (v as ExcelJS.CellFormulaValue).formula };
  }
  if (typeof v === 'object' && 'richText' in v) return { text: v.richText.map((r) => r.text).join('') };
  if (typeof v === 'object' && 'text' in v && 'hyperlink' in v) return { text: String(v.text) };
  if (v instanceof Date) return { text: v.toISOString().slice(0, 10) };
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return { text: shown(v, cell.numFmt) };
  return { text: String(v) };
}

function shown(v: number | string | boolean, numFmt: string | undefined): string {
  if (typeof v !== 'number') return String(v);
  const pct = numFmt && /%/.test(numFmt);
  if (pct) {
    const decimals = /\.(0+)%/.exec(numFmt!)?.[1]?.length ?? 0;
    return `${roundedDecimal(v, 2, decimals)}%`;
  }
  return String(v);
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
  const sheet = spec.sheet ? workbook.getWorksheet(spec.sheet) : workbook.worksheets[0];
  if (!sheet) {
    const names = workbook.worksheets.map((w) => w.name).join('、');
    return { messages: [{ severity: 'error', file, reason: spec.sheet ? `工作簿中没有名为「${spec.sheet}」的工作表` : '工作簿中没有工作表', hint: names ? `已有的工作表：${names}` : '', rule: 'xlsx/no-sheet' }] };
  }
  const messages = new MessageList();
  const records: RawRecord[] = [];
  const width = sheet.columnCount;
  sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const fields: Field[] = [];
    for (let c = 1; c <= width; c++) {
      const ref = `${sheet.name}!${columnLetter(c)}${rowNumber}`;
      const { text, formula } = cellText(row.getCell(c));
      if (formula !== undefined) {
        messages.push({
          severity: text === '' ? 'error' : 'warning',
          file: `${file}!${ref}`,
          reason: text === '' ? `单元格是公式 =${formula}，且没有保存计算结果` : `单元格是公式 =${formula}，已按它保存的结果「${text}」处理`,
          hint: '在 Excel 中把公式「选择性粘贴」为数值后保存',
          rule: 'xlsx/formula',
        });
      }
      fields.push({ text, line: rowNumber, column: c, ref });
    }
    records.push({ line: rowNumber, fields });
  });
  const t = tableFromRecords(records, file, spec, 'xlsx');
  return { ...t, messages: [...messages.messages(), ...t.messages] };
}
