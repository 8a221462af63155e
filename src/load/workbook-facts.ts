// What an office enters in its workbook rather than in bulletin.yaml: the 基本信息 sheet (文号,
// dates, 主送, 署名) and the 数字 sheet (name, 说明, value), when bulletin.yaml names the
// workbook with `workbook:`. Read before the schema, into the YAML's data, so the bulletin is
// whole when it is validated; every problem, and every later message about a value taken from a
// cell, is placed at that cell (2024Q1检查数据.xlsx!数字!C3), where the office will fix it.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import type ExcelJS from 'exceljs';
import { displayPath, listPeriods, periodPaths, resolveInside } from '../bulletin.js';
import type { Message } from '../messages.js';
import { parseDate, isoDate } from '../values.js';
import { placeOf, type YamlSource } from './yaml.js';

export const INFO_SHEET = '基本信息';
export const FIGURES_SHEET = '数字';

/** One item of the 基本信息 sheet: its label (column A), where it goes in bulletin.yaml, what it is. */
export interface Fact {
  label: string;
  path: readonly string[];
  date?: boolean;
  required?: boolean;
  note: string;
}

/** The 基本信息 items, in the order `init` writes them. */
export const FACTS: readonly Fact[] = [
  { label: '文号', path: ['document', 'number'], required: true, note: '发文字号，如 安政办函〔2024〕8号；每期不同' },
  { label: '成文日期', path: ['signed'], date: true, required: true, note: '落款日期' },
  { label: '发布日期', path: ['published'], date: true, required: true, note: '在门户网站发布的日期' },
  { label: '抽查开始日期', path: ['sampling', 'from'], date: true, required: true, note: '本期检查的起始日期' },
  { label: '抽查结束日期', path: ['sampling', 'to'], date: true, required: true, note: '本期检查的截止日期' },
  { label: '主送', path: ['document', 'addressee'], note: '主送机关，如 各乡镇人民政府、街道办事处，县政府各部门；可不填' },
  { label: '署名', path: ['signatory'], required: true, note: '落款的发文机关' },
  { label: '抄送', path: ['document', 'cc'], note: '版记中的抄送机关；可不填' },
];

/** The column headers of the 数字 sheet. */
export const FIGURE_COLUMNS = ['名称', '说明', '数值'] as const;

/** Where values taken from cells are: `figures.sampled.value` → `file!数字!C3`. */
const cells = new WeakMap<YamlSource, Map<string, string>>();

/**
 * Where a message about `path` of bulletin.yaml points: the workbook cell its value was read
 * from, or its place in bulletin.yaml.
 */
export function sourcePlace(source: YamlSource, path: readonly (string | number)[]): { file: string; line?: number; column?: number } {
  const cell = cells.get(source)?.get(path.join('.'));
  return cell ? { file: cell } : { file: source.file, ...placeOf(source, path) };
}

const plain = (s: string) => s.replace(/[\s\u3000：:]+/g, '');
const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Read the workbook `data.workbook` names (if any) into `data`, the bulletin as parsed from
 * YAML: each filled 基本信息 item and each 数字 row. An item left empty is an error at its cell
 * ("尚未填写"), its figure `value: null`; a required date left empty gets a stand-in so that the
 * rest can be checked (the error already stops the build).
 */
export async function readWorkbookFacts(data: unknown, dataDir: string, source: YamlSource): Promise<{ messages: Message[]; files: string[]; unread?: true }> {
  const read = await readFacts(data, dataDir, source);
  // A workbook that cannot be read leaves every value it holds missing: that one error is told.
  if (read.messages.some((m) => ['workbook/file', 'xlsx/unreadable', 'xlsx/too-large'].includes(m.rule))) return { ...read, unread: true };
  // Each period's 文号 is its own: one that an earlier period had is a copy left unchanged.
  const number = isRecord(data) ? getIn(data, ['document', 'number']) : undefined;
  if (typeof number === 'string' && number.trim()) {
    const earlier = await earlierNumbers(dataDir);
    const same = [...earlier].filter(([, n]) => n.replace(/\s+/g, '') === number.replace(/\s+/g, '')).map(([p]) => p);
    if (same.length) {
      read.messages.push({ severity: 'error', ...sourcePlace(source, ['document', 'number']), reason: `文号「${number}」与 ${same.join('、')} 的文号相同`, hint: '每期通报有自己的发文字号：填写本期的文号', rule: 'bulletin/number-repeated' });
    }
  }
  return read;
}

/** Earlier periods whose 文号 is compared: a number is reused within a year or two, not later. */
const EARLIER_COMPARED = 8;

/** The 文号 of the periods before this one (the last few), from bulletin.yaml or its workbook. */
async function earlierNumbers(dataDir: string): Promise<Map<string, string>> {
  const root = path.dirname(path.dirname(dataDir));
  const period = path.basename(dataDir);
  const out = new Map<string, string>();
  for (const p of listPeriods(root).filter((p) => p < period).slice(-EARLIER_COMPARED)) {
    try {
      const { yaml, dataDir: dir } = periodPaths(root, p);
      const data: unknown = parse(readFileSync(yaml, 'utf8'));
      if (!isRecord(data)) continue;
      const inYaml = getIn(data, ['document', 'number']);
      if (typeof inYaml === 'string') out.set(p, inYaml);
      else if (typeof data['workbook'] === 'string') {
        const ExcelJSModule = (await import('exceljs')).default;
        const wb = new ExcelJSModule.Workbook();
        await wb.xlsx.load(readFileSync(path.join(dir, data['workbook'])) as unknown as ArrayBuffer);
        wb.getWorksheet(INFO_SHEET)?.eachRow((row) => {
          const v = row.getCell(2).value;
          if (plain(String(row.getCell(1).value ?? '')) === '文号' && typeof v === 'string' && v.trim()) out.set(p, v.trim());
        });
      }
    } catch {
      // An earlier period that cannot be read is checked on its own; nothing to compare here.
    }
  }
  return out;
}

async function readFacts(data: unknown, dataDir: string, source: YamlSource): Promise<{ messages: Message[]; files: string[] }> {
  const messages: Message[] = [];
  if (!isRecord(data) || typeof data['workbook'] !== 'string') return { messages, files: [] };
  const name = data['workbook'];
  const atYaml = (reason: string, hint: string, rule: string) => messages.push({ severity: 'error', file: source.file, ...placeOf(source, ['workbook']), reason, hint, rule });
  if (!/\.xlsx$/i.test(name)) {
    atYaml(`workbook 应是 .xlsx 工作簿，写的是「${name}」`, '写本期工作簿的文件名，如 2024Q1检查数据.xlsx', 'workbook/file');
    return { messages, files: [] };
  }
  const resolved = resolveInside(dataDir, name);
  if (!resolved.ok) {
    atYaml(resolved.reason, resolved.hint ?? '', 'workbook/file');
    return { messages, files: [] };
  }
  const file = displayPath(resolved.file);
  const ExcelJSModule = (await import('exceljs')).default;
  const { cellText, declaredUnpackedSize, MAX_UNPACKED_BYTES } = await import('./xlsx.js');
  const workbook = new ExcelJSModule.Workbook();
  try {
    const bytes = readFileSync(resolved.file);
    const unpacked = declaredUnpackedSize(bytes);
    if (unpacked !== undefined && unpacked > MAX_UNPACKED_BYTES) {
      messages.push({ severity: 'error', file, reason: `这个 .xlsx 文件解压后超过 ${MAX_UNPACKED_BYTES / 1024 / 1024} MB，未读取`, hint: '「基本信息」「数字」和表格用不到这么大的工作簿：检查是否选错了文件', rule: 'xlsx/too-large' });
      return { messages, files: [file] };
    }
    await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch {
    messages.push({ severity: 'error', file, reason: '无法读取这个 .xlsx 文件（文件损坏或不是 Excel 工作簿）', hint: '在 Excel 或 WPS 中打开后重新保存为 .xlsx', rule: 'xlsx/unreadable' });
    return { messages, files: [file] };
  }
  const placed = new Map<string, string>();
  cells.set(source, placed);
  const sheets = workbook.worksheets.map((w) => w.name).join('、');
  const at = (sheet: ExcelJS.Worksheet, ref: string) => `${file}!${sheet.name}!${ref}`;
  const unfilled = (where: string, what: string, hint: string) => messages.push({ severity: 'error', file: where, reason: `${what}尚未填写`, hint, rule: 'workbook/unfilled' });

  const info = workbook.getWorksheet(INFO_SHEET);
  if (!info) messages.push({ severity: 'error', file, reason: `工作簿中没有「${INFO_SHEET}」工作表（文号、日期、主送、署名）`, hint: `已有的工作表：${sheets}；把这张工作表加回来，或在 bulletin.yaml 中写这些项`, rule: 'workbook/sheet' });
  else {
    const seen = new Set<string>();
    info.eachRow({ includeEmpty: false }, (row, r) => {
      const label = plain(cellText(row.getCell(1)).text);
      const fact = FACTS.find((f) => plain(f.label) === label);
      if (!fact) return;
      seen.add(fact.label);
      const cell = row.getCell(2);
      const where = at(info, `B${r}`);
      placed.set(fact.path.join('.'), where);
      const v = cell.formula ? cell.result : cell.value;
      let text = v instanceof Date ? isoDate({ kind: 'date', year: v.getUTCFullYear(), month: v.getUTCMonth() + 1, day: v.getUTCDate() }) : cellText(cell).text.trim();
      if (text === '') {
        if (getIn(data, fact.path) !== undefined) return; // bulletin.yaml says it
        if (fact.required) unfilled(where, `${fact.label}`, fact.date ? '填写日期，如 2024-04-10 或 2024年4月10日' : fact.note);
        if (fact.required && fact.date) setIn(data, fact.path, '2000-01-01');
        return;
      }
      if (fact.date) {
        const d = parseDate(text);
        if (!d) {
          messages.push({ severity: 'error', file: where, reason: `${fact.label}「${text}」不是日期`, hint: '填写日期，如 2024-04-10 或 2024年4月10日（或把单元格格式设为日期）', rule: 'workbook/date' });
          text = '2000-01-01';
        } else text = isoDate(d);
      }
      setIn(data, fact.path, text);
    });
    for (const fact of FACTS) {
      if (fact.required && !seen.has(fact.label) && getIn(data, fact.path) === undefined) {
        messages.push({ severity: 'error', file: `${file}!${info.name}`, reason: `「${INFO_SHEET}」工作表中没有「${fact.label}」一行`, hint: `在 A 列加一行「${fact.label}」，在 B 列填写（${fact.note}）`, rule: 'workbook/unfilled' });
        if (fact.date) setIn(data, fact.path, '2000-01-01');
      }
    }
  }

  const figuresSheet = workbook.getWorksheet(FIGURES_SHEET);
  if (figuresSheet) {
    const figures = isRecord(data['figures']) ? data['figures'] : (data['figures'] = {});
    let header = 0;
    const names = new Map<string, number>();
    figuresSheet.eachRow({ includeEmpty: false }, (row, r) => {
      if (header === 0) {
        if (plain(cellText(row.getCell(1)).text) === FIGURE_COLUMNS[0]) header = r;
        return;
      }
      const name = cellText(row.getCell(1)).text.trim();
      const label = cellText(row.getCell(2)).text.trim();
      const cell = row.getCell(3);
      if (name === '') return;
      const where = at(figuresSheet, `C${r}`);
      if (names.has(name)) {
        messages.push({ severity: 'error', file: at(figuresSheet, `A${r}`), reason: `数字「${name}」重复：第 ${names.get(name)} 行已有`, hint: '每个名称只写一行；删去多余的一行', rule: 'workbook/figure-name' });
        return;
      }
      names.set(name, r);
      if (!KEY.test(name)) {
        messages.push({ severity: 'error', file: at(figuresSheet, `A${r}`), reason: `数字的名称「${name}」只能用英文字母、数字和下划线，且不以数字开头`, hint: '正文用 {{名称}} 引用它；改用如 running、accounts 这样的名称', rule: 'workbook/figure-name' });
        return;
      }
      const { text, error } = cellText(cell);
      if (error) {
        messages.push({ severity: 'error', file: where, reason: `数字「${name}」的公式算出的是错误值 ${error}`, hint: '核对公式引用的单元格', rule: 'xlsx/formula' });
        return;
      }
      const declared = figures[name];
      const value: string | number | null = text.trim() === '' ? null : /^-?\d+(\.\d+)?$/.test(text.trim()) ? Number(text.trim()) : text.trim();
      figures[name] = { ...(isRecord(declared) ? declared : {}), ...(label && !(isRecord(declared) && declared['label']) && { label }), value };
      placed.set(`figures.${name}.value`, where);
      placed.set(`figures.${name}`, where);
    });
  }
  return { messages, files: [file] };
}

function getIn(data: Record<string, unknown>, path: readonly string[]): unknown {
  let o: unknown = data;
  for (const k of path) o = isRecord(o) ? o[k] : undefined;
  return o;
}

function setIn(data: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let o = data;
  for (const k of path.slice(0, -1)) o = isRecord(o[k]) ? (o[k] as Record<string, unknown>) : (o[k] = {}) as Record<string, unknown>;
  o[path.at(-1)!] = value;
}
