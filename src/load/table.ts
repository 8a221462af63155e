// CSV tables: encoding detected, header matched to the declared columns, every cell typed
// and placed (line, column) so that any later rule can point at it.
import { parse, type Info } from 'csv-parse/sync';
import { MessageList, type Message } from '../messages.js';
import { RECTIFICATION_STATUS, type Column, type TableSpec } from '../schema.js';
import { decodeText, looksBinary, type Encoding } from './decode.js';
import { parseCheck, parseDate, parseInteger, parsePercent, type Value } from '../values.js';
import { cellPlace, namingColumns, totalKind, type Cell, type Row } from './rows.js';
import { badChar, badCharReason, isPlainText } from './chars.js';
import { identityForm, shown } from './identity.js';
import { CsvStream } from './csv-stream.js';
import type { Field, RawRecord } from './record.js';

export type { Field, RawRecord } from './record.js';

/** A table held in memory: attachments and charted tables, whose rows are printed or drawn. */
export interface Table {
  id: string;
  /** Display path of the file, as used in messages. */
  file: string;
  spec: TableSpec;
  encoding: Encoding | 'xlsx';
  rows: Row[];
}

const MAX_CELL = 10_000;

/** Headers compare without white space, so a header wrapped in Excel (Alt+Enter) still matches. */
export const normalizeHeader = (s: string) => s.replace(/[\s\u00a0\u3000]+/g, '');

export function parseTable(bytes: Uint8Array, file: string, spec: TableSpec): { table?: Table; messages: Message[] } {
  const { text, encoding } = decodeText(bytes);
  if (looksBinary(text)) {
    return { messages: [{ severity: 'error', file, reason: '文件不是文本表格（含有二进制内容）', hint: '请在 Excel 或 WPS 中「另存为」CSV（逗号分隔），或直接使用 .xlsx 文件', rule: 'csv/binary' }] };
  }
  const parsed = csvRecords(text, file);
  if (!parsed.records) return { messages: parsed.messages };
  const t = tableFromRecords(parsed.records, file, spec, encoding);
  return { ...t, messages: [...parsed.messages, ...t.messages] };
}

/**
 * Records of a CSV text with the place of every field; syntax problems as messages. A regular
 * file (most are) is read by the streaming tokenizer, which gives csv-parse's records and
 * places several times faster, and a ragged row costs it nothing (csv-parse builds a CsvError
 * for each one, relaxed or not: 14.5 of 35 s on 130,000 ragged rows); csv-parse reads the
 * rest, and says what is wrong with them.
 */
export function csvRecords(text: string, file: string): { records?: RawRecord[]; messages: Message[] } {
  const records: RawRecord[] = [];
  if (new CsvStream((r) => void records.push(r)).push(text, true)) return { records, messages: [] };
  return csvParseRecords(text, file);
}

/** csvRecords by csv-parse alone. */
export function csvParseRecords(text: string, file: string): { records?: RawRecord[]; messages: Message[] } {
  const messages = new MessageList();
  let records: { record: string[]; raw: string; info: Info }[];
  try {
    records = parse(text, {
      relax_column_count: true,
      info: true,
      raw: true,
      skip_empty_lines: true,
      record_delimiter: ['\r\n', '\n', '\r'],
      skip_records_with_error: true,
      on_skip: (err) => {
        if (err) messages.push(csvError(err as unknown as CsvFault, text, file));
        return undefined;
      },
    }) as unknown as typeof records;
  } catch (err) {
    messages.push(csvError(err as CsvFault, text, file));
    return { messages: messages.messages() };
  }
  const said = messages.messages();
  if (said.some((m) => m.rule === 'csv/quote-not-closed')) return { messages: said };
  return { records: records.map(fieldPlacer()), messages: said };
}

/** A table from records of any source (CSV, spreadsheet): header matched, cells typed. */
export function tableFromRecords(records: RawRecord[], file: string, spec: TableSpec, encoding: Encoding | 'xlsx'): { table?: Table; messages: Message[] } {
  const messages = new MessageList();
  const at: At = (where, reason, hint, rule, severity = 'error') =>
    messages.push({ severity, ...cellPlace(file, where), reason, ...(hint && { hint }), rule });

  const header = records[0];
  if (!header) {
    at({}, '表格是空的，没有表头', `第一行应为表头：${spec.columns.map((c) => c.name).join('，')}`, 'csv/empty');
    return { messages: messages.messages() };
  }
  const typeRow = rowTyper(header, spec, encoding, at);
  const rows: Row[] = [];
  for (let i = 1; i < records.length; i++) {
    const row = typeRow(records[i]!);
    if (row) rows.push(row);
  }

  return { table: { id: spec.id, file, spec, encoding, rows }, messages: messages.messages() };
}

/**
 * Match a header to the declared columns (problems reported through `at`) and return the
 * function that types each following record; it returns no row for a row left empty or a
 * ragged one (reported). Shared by the in-memory and the streaming loaders.
 */
export function rowTyper(header: RawRecord, spec: TableSpec, encoding: Encoding | 'xlsx', at: At): (rec: RawRecord) => Row | undefined {
  const { width, present } = matchHeader(header, spec, at);
  const naming = namingColumns(spec.columns);
  return (rec) => {
    if (rec.fields.every((f) => f.text.trim() === '')) return undefined; // a row of empty cells Excel left behind
    // A spreadsheet row is as wide as its sheet; only CSV rows can be ragged.
    if (encoding !== 'xlsx' && rec.fields.length !== width) {
      raggedRow(rec.line, rec.fields.length, width, at);
      return undefined;
    }
    const cells: Record<string, Cell> = {};
    const inTotal = present.some(({ column, i }) => totalKind((rec.fields[i]?.text ?? '').trim(), naming.has(column.key), naming.get(column.key)) !== 'member');
    for (const { column, i } of present) {
      const f = rec.fields[i] ?? { text: '', line: rec.line, column: i + 1 };
      cells[column.key] = typedCell(f, column, at, inTotal);
    }
    return { line: rec.line, cells };
  };
}

/** The header against the declared columns: each present column with its field index. */
export function matchHeader(header: RawRecord, spec: TableSpec, at: At): { width: number; present: { column: Column; i: number }[] } {
  const index = new Map<string, number>();
  header.fields.forEach((f, i) => {
    const name = normalizeHeader(f.text);
    const column = spec.columns.find((c) => [c.name, ...(c.aliases ?? [])].some((n) => normalizeHeader(n) === name));
    if (!column) {
      if (name === '' && header.fields.slice(i).every((g) => normalizeHeader(g.text) === '')) return; // trailing empty cells
      at(f, `表头「${f.text}」不是 bulletin.yaml 中声明的列`, `声明的列为：${spec.columns.map((c) => c.name).join('，')}`, 'csv/unknown-column');
    } else if (index.has(column.key)) {
      at(f, `表头「${f.text}」重复出现`, '删除重复的列', 'csv/duplicate-column');
    } else {
      index.set(column.key, i);
    }
  });
  for (const c of spec.columns) {
    if (!index.has(c.key)) {
      at({ ...header.fields[0], line: header.line, column: 1 }, `缺少列「${c.name}」`, `在表头中加上「${c.name}」，或在 bulletin.yaml 中删去这一列的声明`, 'csv/missing-column');
    }
  }
  const present = spec.columns.flatMap((column) => {
    const i = index.get(column.key);
    return i === undefined ? [] : [{ column, i }];
  });
  return { width: header.fields.length, present };
}

export function raggedRow(line: number, cells: number, width: number, at: At): void {
  at({ line, column: 1 }, `这一行有 ${cells} 个单元格，表头有 ${width} 个`, '检查是否漏了或多了逗号，或单元格中的逗号未加引号', 'csv/ragged-row');
}

export type At = (where: { line?: number; column?: number; ref?: string }, reason: string, hint: string | undefined, rule: string, severity?: 'error' | 'warning') => void;

const SPACE = /^[\s\u00a0\u3000]+|[\s\u00a0\u3000]+$/g;

/** What `/[\s\u00a0\u3000]/` matches, one UTF-16 unit, without a regex or a string per test. */
export function isSpaceCode(c: number): boolean {
  if (c <= 32) return c === 32 || (c >= 9 && c <= 13);
  if (c < 160) return false;
  return c === 160 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/** Whether SPACE (or trim()) would change the text: its first or last character is white space. */
export function hasEdgeSpace(t: string): boolean {
  return t.length > 0 && (isSpaceCode(t.charCodeAt(0)) || isSpaceCode(t.charCodeAt(t.length - 1)));
}

/** What `/^[=+@]/` or `/^-[^\d]/` matches: a text a spreadsheet would take for a formula. */
function looksLikeFormula(t: string): boolean {
  const c = t.charCodeAt(0);
  if (c === 61 || c === 43 || c === 64) return true;
  if (c !== 45 || t.length < 2) return false;
  const d = t.charCodeAt(1);
  return d < 48 || d > 57;
}

/** What SITE_CODE matches (ten digits, or bm and eight), by char codes: this runs per row. */
function isSiteCode(t: string): boolean {
  let from: number;
  if (t.length !== 10) return false;
  if (t.charCodeAt(0) === 98 && t.charCodeAt(1) === 109) from = 2;
  else from = 0;
  for (let i = from; i < 10; i++) {
    const c = t.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** A column's declared values by their identifying form; made once per column. */
const declaredByColumn = new WeakMap<Column, Map<string, string>>();
function declaredValues(column: Column): Map<string, string> {
  let m = declaredByColumn.get(column);
  if (!m) {
    m = new Map((column.values ?? []).map((v) => [identityForm(v, 'name')?.text ?? v, v] as const));
    declaredByColumn.set(column, m);
  }
  return m;
}

function typedCell(f: Field, column: Column, at: At, inTotal: boolean): Cell {
  // Built plainly (no spread): this runs per cell.
  const cell: Cell = f.ref ? { text: '', value: null, line: f.line, column: f.column, ref: f.ref } : { text: '', value: null, line: f.line, column: f.column };
  fillCell(cell, f.text, column, at, inTotal);
  return cell;
}

/**
 * Type `raw` as `column` into a cell already placed (line, column, ref), its problems through
 * `at`. Shared by the in-memory reader (a cell per field) and the stream (cells reused per row).
 */
export function fillCell(cell: Cell, raw: string, column: Column, at: At, inTotal = false): void {
  let text = hasEdgeSpace(raw) ? raw.replace(SPACE, '') : raw;
  cell.text = text;
  cell.value = null;
  if (text !== raw && text !== '' && column.type !== 'check') {
    at(cell, `「${column.name}」的「${text}」前后有多余的空格`, '删去空格；已按去掉空格后的值处理', 'cell/whitespace', 'warning');
  }
  if (text.length > MAX_CELL) {
    at(cell, `「${column.name}」单元格过长（${text.length} 个字符）`, `单元格不应超过 ${MAX_CELL} 个字符`, 'cell/too-long');
    return;
  }
  // Text that identifies (a region, a site code, a unique value) is compared in one form: the
  // change is said, and the rest of the pipeline sees only the normal form.
  // A total's label (合 计) names no region: it is left as written.
  const identifying = column.type === 'region' || column.type === 'site-code' || (column.unique && column.type === 'text');
  // Most cells are plain text: told once here, for the form and the characters checked below
  // (a plain text without a space is in its identifying form, and holds no bad character).
  let plain = isPlainText(text);
  if (identifying && !(plain && !text.includes(' ')) && totalKind(text, true) === 'member') {
    const normal = identityForm(text, column.type === 'text' ? 'text' : 'name');
    if (normal) {
      at(cell, `「${column.name}」的「${shown(text)}」含有${normal.changes.join('、')}，已按「${normal.text}」处理`, '改正单元格，使同一个名称或编码处处写法相同', 'cell/normalized', 'warning');
      text = normal.text;
      cell.text = text;
      plain = isPlainText(text);
    }
  }
  // A column that lists its values holds them as declared: 今日 头条 written for the declared
  // 今日头条 (or the other way round) is that value, said, so that it groups with the others.
  // (An identifying column has its one form already, declared values compared in it.)
  if (column.values && !identifying) {
    const declared = declaredValues(column).get(identityForm(text, 'name')?.text ?? text);
    if (declared !== undefined && declared !== text) {
      at(cell, `「${column.name}」的「${shown(text)}」与声明的取值「${declared}」写法不同，已按「${declared}」处理`, '改正单元格，使同一个取值处处写法相同', 'cell/normalized', 'warning');
      text = declared;
      cell.text = text;
      plain = isPlainText(text);
    }
  }
  const bad = plain ? undefined : badChar(text, column.bidi);
  if (bad) {
    const hint = bad.kind === 'bidi' ? '删去这个字符，它常随复制粘贴带入；确要写从右向左的文字（如阿拉伯文）时，在 bulletin.yaml 中给这一列写 bidi: true' : '删去这个字符，它常随复制粘贴带入';
    at(cell, `「${column.name}」的单元格${badCharReason(bad)}`, hint, 'cell/invisible-char');
    return;
  }
  // In a total row, the cell that says 合计 is its label and a cell left empty is not missing:
  // neither is the column's data (合计 in a 序号 column is no integer to complain of).
  if (inTotal && (text === '' || totalKind(text, true) !== 'member')) {
    cell.value = text === '' && column.type === 'check' ? false : null;
    return;
  }
  if (text === '') {
    if (column.type === 'check') cell.value = false;
    else if (column.required ?? true) at(cell, `「${column.name}」不能为空`, '填写这个单元格', 'cell/required');
    return;
  }
  switch (column.type) {
    case 'text':
    case 'region':
      if (looksLikeFormula(text)) {
        at(cell, `「${column.name}」的「${text.slice(0, 30)}」以 ${text[0]} 开头，像是电子表格公式`, '公式不会被计算；请填写它的结果，或在开头加上中文说明文字', 'cell/formula');
      }
      cell.value = text;
      break;
    case 'status':
      if (!(RECTIFICATION_STATUS as readonly string[]).includes(text)) at(cell, `「${column.name}」的「${text.slice(0, 30)}」不是整改状态`, `填写 ${RECTIFICATION_STATUS.join('、')} 之一`, 'cell/status');
      else cell.value = text;
      break;
    case 'site-code':
      if (!isSiteCode(text)) notA(cell, column, text, '网站标识码（10 位数字，部门网站为 bm 加 8 位数字）', 'cell/site-code', at);
      cell.value = text;
      break;
    case 'integer':
    case 'count': {
      const n = parseInteger(text);
      if (n === undefined) notA(cell, column, text, '整数', 'cell/integer', at);
      else if (column.type === 'count' && n < 0n) at(cell, `「${column.name}」是数量，不能为负数（${text}）`, undefined, 'cell/negative');
      else cell.value = n;
      break;
    }
    case 'percent': {
      const p = parsePercent(text);
      if (!p) notA(cell, column, text, '百分比（如 97.2%）', 'cell/percent', at);
      else cell.value = p;
      break;
    }
    case 'date': {
      const d = parseDate(text);
      if (!d) notA(cell, column, text, '日期（如 2017-01-20 或 2017年1月20日）', 'cell/date', at);
      else cell.value = d;
      break;
    }
    case 'check': {
      const c = parseCheck(text);
      if (c === undefined) notA(cell, column, text, '勾选标记（√ 或留空）', 'cell/check', at);
      else cell.value = c;
      break;
    }
  }
}

function notA(cell: Cell, column: Column, text: string, expected: string, rule: string, at: At): void {
  at(cell, `「${column.name}」的「${text}」不是${expected}`, undefined, rule);
}

/** Where each field of a record starts: csv-parse reports only the record's last line. */
/**
 * Where each field of each record starts. csv-parse reports only a record's last line, and
 * counts a \r\n inside quotes as two lines (the count drifts from there on); a record's raw text
 * also carries the empty lines skipped before it. Both are accounted for here, in order.
 */
export function fieldPlacer(): (r: { record: string[]; raw: string; info: Info }) => { line: number; fields: Field[] } {
  let drift = 0;
  return (r) => {
    const raw = r.raw.replace(/^(?:\r\n|\n|\r)+/, '').replace(/(\r\n|\n|\r)$/, '');
    const quotedCrlf = raw.match(/\r\n/g)?.length ?? 0;
    const end = r.info.lines - drift - quotedCrlf;
    drift += quotedCrlf;
    let line = end - (raw.match(/\r\n|\n|\r/g)?.length ?? 0);
    const startLine = line;
    let column = 1;
    const starts: { line: number; column: number }[] = [{ line, column }];
    let quoted = false;
    for (let i = 0; i < raw.length; i++) {
      const ch = raw[i]!;
      if (ch === '"') quoted = !quoted;
      else if (ch === ',' && !quoted) starts.push({ line, column: column + 1 });
      if (ch === '\n' || (ch === '\r' && raw[i + 1] !== '\n')) {
        line++;
        column = 1;
        continue;
      }
      column++;
    }
    return {
      line: startLine,
      fields: r.record.map((text, i) => ({ text, ...(starts[i] ?? starts.at(-1)!) })),
    };
  };
}

/** The opening quote that never closes, for a message better than "at the end of the file". */
function unclosedQuote(text: string): { line: number; column: number } {
  let quoted = false;
  let openAt = 0;
  let fieldStart = true;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') i++;
        else quoted = false;
      }
    } else if (ch === '"' && fieldStart) {
      quoted = true;
      openAt = i;
    }
    fieldStart = !quoted && (ch === ',' || ch === '\n' || ch === '\r');
  }
  const before = text.slice(0, openAt);
  const line = (before.match(/\r\n|\n|\r/g)?.length ?? 0) + 1;
  const column = openAt - Math.max(before.lastIndexOf('\n'), before.lastIndexOf('\r')) ;
  return { line, column };
}

export interface CsvFault {
  code?: string;
  lines?: number;
  message: string;
}

export function csvError(e: CsvFault, text: string, file: string): Message {
  if (e.code === 'CSV_QUOTE_NOT_CLOSED') {
    const open = unclosedQuote(text);
    return {
      severity: 'error',
      file,
      ...open,
      reason: '引号未闭合：从这里开始的引号直到文件末尾都没有配对的结束引号',
      hint: '在单元格末尾补上英文双引号 "，或删去这个引号',
      rule: 'csv/quote-not-closed',
    };
  }
  return {
    severity: 'error',
    file,
    ...(e.lines !== undefined && { line: e.lines }),
    reason: csvReason(e.code, e.message),
    hint: '检查这一行的引号是否成对',
    rule: `csv/${e.code ?? 'parse'}`,
  };
}

function csvReason(code: string | undefined, message: string): string {
  switch (code) {
    case 'INVALID_OPENING_QUOTE':
      return '单元格中间出现了引号：含引号的单元格应整个用英文双引号括起，内部的引号写成两个 ""';
    case 'CSV_INVALID_CLOSING_QUOTE':
      return '引号后面紧跟着其他字符：结束引号之后应是逗号或换行';
    case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
      return '结束引号之后有多余的字符';
    default:
      return `CSV 格式错误：${message}`;
  }
}
