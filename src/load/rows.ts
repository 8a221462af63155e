// Rows as every reader gives them: cells typed and placed (line, column) so that any later
// rule can point at them; the column that names a row, the rows that hold a total (合计) rather
// than a member, and how a table is named to the user (附件2, or its file). Checking, figures
// and charts all read rows through these.
import { numberedAttachments, type Attachment, type Column, type TableSpec } from '../schema.js';
import type { Value } from '../values.js';

export interface Cell {
  /** The text as written, trimmed. */
  text: string;
  value: Value;
  line: number;
  column: number;
  /** In a spreadsheet: `Sheet1!B7`, shown in messages instead of line and column. */
  ref?: string;
}

/** Where a message about a cell points: `file:line:col`, or `file!sheet!B7` in a spreadsheet. */
export function cellPlace(file: string, cell: { line?: number; column?: number; ref?: string }): { file: string; line?: number; column?: number } {
  if (cell.ref) return { file: `${file}!${cell.ref}` };
  // A sheet's row (file!sheet): its first cell, as Excel names it.
  if (/\.xlsx!/i.test(file) && cell.line !== undefined) return { file: `${file}!A${cell.line}` };
  return { file, ...(cell.line !== undefined && { line: cell.line }), ...(cell.column !== undefined && { column: cell.column }) };
}

export interface Row {
  line: number;
  cells: Record<string, Cell>;
}

/** A member row is counted; a total row (合计) is checked against the members; a subtotal (小计) is neither. */
export type RowKind = 'member' | 'total' | 'subtotal';

/**
 * One row as a reader gives it, to whoever reads the table row by row. The same for a table
 * held in memory and for one streamed from disk, whose cells are reused from row to row: an
 * event is valid during its call only, and `keep` copies a row that must outlast it.
 */
export interface RowEvent {
  readonly row: Row;
  /** The row's cells by index in the spec's columns; undefined for a column the header lacks. */
  readonly cells: readonly (Cell | undefined)[];
  /** Not a member: a total row (a cell reads 合计, …) or a subtotal; never counted. */
  readonly total: boolean;
  /** A subtotal (小计): not counted, and not checked against the members either. */
  readonly subtotal: boolean;
  keep(): Row;
}

export type RowHandler = (e: RowEvent) => void;

/** Each row of a table held in memory, as a row event. */
export function eachRow(rows: readonly Row[], spec: TableSpec, onRow: RowHandler): void {
  const columns = spec.columns;
  const naming = namingColumns(columns);
  for (const row of rows) {
    const kind = rowKind(row, naming);
    onRow({ row, cells: columns.map((c) => row.cells[c.key]), total: kind !== 'member', subtotal: kind === 'subtotal', keep: () => row });
  }
}

/**
 * Labels of a total row in any cell, compared in their total form (totalForm: NFKC, simplified
 * forms of the total words, without white space, invisible characters, stray combining marks,
 * quotes, colons, brackets or a note in brackets after the label): 合 计, 總計, “合计”,
 * 总计（含省级部门）, Ｔｏｔａｌ all read 合计 or 总计 or total.
 */
export const TOTAL_LABELS = ['合计', '总计', '共计', '汇总', '总和', '总体', '全部', '总数', '合计数', '总计数', '共计数', 'total', 'grandtotal', 'sum', 'overall', 'トータル', 'ゴウケイ', 'ごうけい', 'ソウケイ'];
const SUBTOTAL_LABELS = ['小计', '小计数', 'subtotal'];
/** What a naming cell (the first column, the label column) may end in to be a total: 全市合计, 城区小计. */
const TOTAL_ENDINGS = ['合计', '总计', '共计', '汇总', '合计数', '总计数', '共计数', 'total'];
/** A region as a whole, alone in a naming cell, is its total: 全市, 全省, 全区. */
const WHOLE_REGION = /^全(?:市|省|区|县|国|州|盟|旗|镇|乡|辖区|自治区|自治州|自治县|部门)$/;
/** A total word anywhere in a naming cell of a member row: said, never counted silently. */
const TOTAL_WORD = /合计|总计|共计|汇总|小计|total/;

/** Traditional and Japanese forms of the characters of the total words: 總計, 合計, 総計, 彙總. */
const SIMPLIFIED: Record<string, string> = { 計: '计', 總: '总', 総: '总', 彙: '汇', 匯: '汇', 數: '数', 體: '体', 區: '区', 縣: '县', 國: '国', 鎮: '镇', 鄉: '乡', 轄: '辖' };
const TRADITIONAL = /[計總総彙匯數體區縣國鎮鄉轄]/g;
/** Zero-width characters, soft hyphen, BOM; combining marks NFKC left on their own (合\u0301计). */
const STRAY = /[\u200b-\u200f\u2060-\u2064\ufeff\u00ad\u034f\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe00-\ufe0f\ufe20-\ufe2f]/g;
/** White space, quotes, colons and the like around or inside a label: “合计”, 合计：, 合·计. */
const DECOR = /[\s"'`“”‘’「」『』〝〞〟:;,.、。·・\-_*#]/g;
/** A note in brackets after a label: 总计（含省级部门）. */
const NOTE = /^(.+?)[([{（【〔〈《〖][^)\]}）】〕〉》〗]*[)\]}）】〕〉》〗]$/;
const BRACKETS = /[()[\]{}（）【】〔〕〈〉《》〖〗]/g;

/**
 * The form a label is compared in to tell a total row: see TOTAL_LABELS. Only texts that pass
 * `mayBeTotal` come here.
 */
export function totalForm(t: string): string {
  let s = t.normalize('NFKC').replace(STRAY, '').toLowerCase().replace(DECOR, '');
  const note = NOTE.exec(s);
  if (note) s = note[1]!;
  s = s.replace(BRACKETS, '');
  return s.replace(TRADITIONAL, (c) => SIMPLIFIED[c] ?? c);
}

/** Longest text read as a label (a naming cell: 全市政府网站合计（不含省级部门）); longer is a member. */
const MAX_LABEL = 40;
// What each character may say of a total, for `mayBeTotal`: a character of a total word (合 计
// 总 和 …: two of them make a candidate, so 合肥市 or 小店区 is told apart at once), 全 (全市),
// a Latin letter (Total), or a form NFKC may change into one of these (half-width katakana,
// full-width letters, compatibility ideographs, radicals, enclosed forms), a candidate at once.
const WORD = 1;
const WHOLE = 2;
const LATIN = 3;
const NOW = 4;
const KIND = (() => {
  const t = new Uint8Array(0x10000);
  for (const c of '合总總総共汇彙匯小计計和体體数數部') t[c.charCodeAt(0)] = WORD;
  t['全'.charCodeAt(0)] = WHOLE;
  for (const c of 'TtSsOo') t[c.charCodeAt(0)] = LATIN;
  for (const c of 'トゴごソ') t[c.charCodeAt(0)] = NOW;
  const range = (a: number, b: number) => t.fill(NOW, a, b + 1);
  range(0x2e80, 0x2fdf); // CJK radicals, Kangxi radicals
  range(0x3200, 0x33ff); // enclosed and squared CJK
  range(0xd800, 0xdbff); // past the BMP (compatibility ideographs supplement)
  range(0xf900, 0xfaff); // CJK compatibility ideographs
  range(0xff21, 0xff3a); // full-width Latin letters
  range(0xff41, 0xff5a);
  range(0xff65, 0xff9f); // half-width katakana
  return t;
})();
/** tot, sum, ove (lower case by | 0x20). */
const latinStart = (a: number, b: number, c: number) => (a === 0x74 && b === 0x6f && c === 0x74) || (a === 0x73 && b === 0x75 && c === 0x6d) || (a === 0x6f && b === 0x76 && c === 0x65);

/** Whether `t` may be a total label: false for nearly every cell, by a table look-up a character. */
function mayBeTotal(t: string): boolean {
  let words = 0;
  let latin = false;
  for (let i = 0; i < t.length; i++) {
    switch (KIND[t.charCodeAt(i)]) {
      case 0:
        break;
      case WORD:
        if (++words === 2) return true;
        break;
      case WHOLE:
        if (t.length <= 12) return true;
        break;
      case LATIN:
        // The first three letters of total, sum, overall: gov.cn and most Latin text go on.
        if (!latin && i + 2 < t.length) latin = latinStart(t.charCodeAt(i) | 0x20, t.charCodeAt(i + 1) | 0x20, t.charCodeAt(i + 2) | 0x20);
        break;
      default:
        return true;
    }
  }
  return latin;
}

/**
 * What a cell's text makes its row. Any cell reading a total label makes a total row; a naming
 * cell (the first column or the label column) ending in one (全市合计) does too, or reading a
 * region as a whole (全市) — unless the column lists it among its declared `values`; one
 * reading or ending in 小计 makes a subtotal. Runs per cell of a streamed table: most texts are
 * told apart by a table look-up per character.
 */
export function totalKind(t: string, naming: boolean, listed?: ReadonlySet<string>): RowKind {
  if (t.length < 2 || t.length > MAX_LABEL || !mayBeTotal(t)) return 'member';
  const s = totalForm(t);
  if (s.length < 2) return 'member';
  const label = TOTAL_LABELS.includes(s) ? 'total' : SUBTOTAL_LABELS.includes(s) ? 'subtotal' : undefined;
  if (label && !naming) return label;
  if (!naming || listed?.has(s)) return 'member';
  if (label) return label;
  if (s.endsWith('小计') || s.endsWith('subtotal')) return 'subtotal';
  if (TOTAL_ENDINGS.some((e) => s.endsWith(e)) || WHOLE_REGION.test(s)) return 'total';
  return 'member';
}

/**
 * A naming cell of a member row that still reads like a total (合计：东城区, 全市合计以外): it is
 * counted, and the user must be told. Undefined for most texts.
 */
export function totalLike(t: string, listed?: ReadonlySet<string>): string | undefined {
  if (t.length < 2 || !mayBeTotal(t)) return undefined;
  const s = totalForm(t);
  return TOTAL_WORD.test(s) && !listed?.has(s) ? s : undefined;
}

/**
 * The columns whose text names a row, where a total may be written 全市合计 or 全市: the first
 * one and the label column, each with its declared values in their total form (a value the
 * office declared is a member, whatever it reads).
 */
export function namingColumns(columns: readonly Column[]): Map<string, ReadonlySet<string> | undefined> {
  const out = new Map<string, ReadonlySet<string> | undefined>();
  const add = (c: Column) => out.set(c.key, c.values ? new Set(c.values.map(totalForm)) : undefined);
  if (columns[0]) add(columns[0]);
  const label = labelColumn(columns);
  if (label) add(label);
  return out;
}

/** What a row held in memory is; `naming` from namingColumns. */
export function rowKind(row: Row, naming: ReadonlyMap<string, ReadonlySet<string> | undefined>): RowKind {
  let kind: RowKind = 'member';
  for (const k in row.cells) {
    const c = totalKind(row.cells[k]!.text, naming.has(k), naming.get(k));
    if (c === 'total') return c;
    if (c === 'subtotal') kind = c;
  }
  return kind;
}

/** The column that names a row: the first region column, else the first text column. */
export function labelColumn(columns: readonly Column[]): Column | undefined {
  return columns.find((c) => c.type === 'region') ?? columns.find((c) => c.type === 'text');
}

/** How a table is named in a derivation: `附件2` for attachments, the file name otherwise. */
export function tablePlace(table: { id: string; file: string }, attachments: readonly Attachment[]): string {
  const inline = attachments.find((a) => a.id === table.id && a.print === 'inline');
  if (inline) return `正文表格「${inline.title}」`;
  const i = numberedAttachments(attachments).findIndex((a) => a.id === table.id);
  return i >= 0 ? `附件${i + 1}` : (table.file.split('/').at(-1) ?? table.file);
}
