// `new`: the next period from the last one. The same attachments and columns, tables emptied
// to their headers, reported figures cleared to null, dates moved on by one period, the
// narrative copied for editing. A rectification table starts with the codes of the period it
// follows (the sites whose fate it records) and the seal image is copied as it is. `check`
// then lists exactly what is still to be filled.
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isMap, isScalar, isSeq, parseDocument, YAMLSeq } from 'yaml';
import { displayPath, isPeriod, listPeriods, outsideFolder, periodPaths } from './bulletin.js';
import { loadBulletin } from './load/bulletin.js';
import { hasErrors, type Message } from './messages.js';
import { isoDate, parseDate, type CalendarDate } from './values.js';
import { periodHint, periodInfo } from './periods.js';
import { chineseNumeral } from './render/chinese.js';
import { readRegister } from './register/read.js';
import { rectificationColumns } from './register/sites.js';
import type { Listing } from './register/register.js';
import type { Bulletin, Column, TableSpec } from './schema.js';
import { nextWorkbook } from './workbook.js';

type RectificationTable = TableSpec & { kind: 'rectification'; sheet?: string };

export interface NewResult {
  ok: boolean;
  messages: Message[];
  created: string[];
}

/** Months from one period to the next of the same kind. */
function monthsBetween(from: string, to: string): number {
  const a = periodInfo(from);
  const b = periodInfo(to);
  const month = (p: typeof a) => p.year * 12 + (p.quarter ? (p.quarter - 1) * 3 : p.half ? (p.half - 1) * 6 : p.month ? p.month - 1 : 0);
  return month(b) - month(a);
}

/** A date moved on by whole months, the day kept where the month has it (31 → 30). */
export function addMonths(d: CalendarDate, months: number): CalendarDate {
  const total = d.year * 12 + (d.month - 1) + months;
  const year = Math.floor(total / 12);
  const month = (total % 12) + 1;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return { kind: 'date', year, month, day: Math.min(d.day, last) };
}

export async function newPeriod(root: string, period: string, from?: string): Promise<NewResult> {
  const fail = (reason: string, hint?: string): NewResult => ({
    ok: false,
    created: [],
    messages: [{ severity: 'error', file: displayPath(periodPaths(root, period).dataDir), reason, ...(hint && { hint }), rule: 'new/refused' }],
  });
  if (!isPeriod(period)) return fail(`「${period}」不是期次`, periodHint(period));
  const target = periodPaths(root, period);
  if (existsSync(target.dataDir) || existsSync(target.contentDir)) {
    return fail(`期次 ${period} 已经存在`, `不会覆盖已有的 ${displayPath(target.dataDir)}；换一个期次，或先删除它`);
  }
  const source = from ?? listPeriods(root).filter((p) => p < period).at(-1);
  if (!source) return fail(`没有可以沿用的上一期`, listPeriods(root).length ? '用 --from <期次> 指明沿用哪一期' : '还没有任何一期时，用 tongbao init <期次> --office <发文机关> --region <行政区划代码> 新建第一期');
  const loaded = await loadBulletin(root, source);
  if (!loaded.loaded || hasErrors(loaded.messages)) {
    return { ok: false, created: [], messages: loaded.messages.filter((m) => m.severity === 'error') };
  }
  const old = loaded.loaded;
  // The narrative is copied: never from a folder linked out of the workspace.
  const outside = outsideFolder(root, old.paths.contentDir);
  if (outside) return { ok: false, created: [], messages: [{ severity: 'error', file: displayPath(old.paths.contentDir), ...outside }] };
  const months = monthsBetween(source, period);

  const doc = parseDocument(readFileSync(old.paths.yaml, 'utf8'));
  doc.set('period', period);
  // The title names its period as prose (2016年第四次…): move that on too.
  const title = doc.get('title');
  if (typeof title === 'string') doc.set('title', retitle(title, source, period));
  doc.set('previous', source);
  const moveDate = (p: string[]) => {
    const v = doc.getIn(p);
    const d = typeof v === 'string' ? parseDate(v) : undefined;
    if (d) doc.setIn(p, isoDate(addMonths(d, months)));
  };
  for (const p of [['published'], ['signed'], ['sampling', 'from'], ['sampling', 'to']]) moveDate(p);
  // A table file named for its period (2016Q4检查数据.xlsx) is named for the new one.
  for (const list of ['tables', 'attachments']) {
    const items = doc.get(list, true);
    if (!isSeq(items)) continue;
    for (const item of items.items) {
      const file = isMap(item) ? item.get('file') : undefined;
      if (typeof file === 'string' && isMap(item)) item.set('file', renamed(file, source, period));
    }
  }
  // The 文号 is each period's own: the next one proposed (a new year starts at 1), to be checked.
  const number = doc.getIn(['document', 'number'], true);
  const signedYear = parseDate(String(doc.get('signed') ?? ''))?.year;
  if (isScalar(number) && typeof number.value === 'string') {
    const next = nextNumber(number.value, signedYear);
    if (next) {
      number.value = next;
      number.comment = ' 按上一期的文号顺推，请核对';
    }
  }
  const book = doc.get('workbook');
  if (typeof book === 'string') doc.set('workbook', renamed(book, source, period));
  // What was accepted last period was accepted for its figures and rows, not for the next ones.
  doc.delete('accept');
  // `accounts_prev` is last period's `accounts`: known now, so filled in.
  const carried = previousValues(old.bulletin.figures);
  const figures = doc.get('figures', true);
  if (isMap(figures)) {
    for (const pair of figures.items) {
      // A figure whose value is in the workbook's 数字 sheet has none here.
      if (isMap(pair.value)) {
        if (pair.value.has('value')) pair.value.set('value', carried.get(String(pair.key)) ?? null);
      } else if (isScalar(pair.value)) pair.value = doc.createNode({ value: carried.get(String(pair.key)) ?? null, label: String(pair.key) });
    }
  }

  // A period that listed problem sites but had no rectification table: the new one gets one,
  // to record what became of each site (filled with their codes below).
  const scaffold = old.bulletin.tables.some((t) => 'kind' in t && t.kind === 'rectification') ? undefined : rectificationScaffold(old.bulletin, source, period);
  if (scaffold) {
    const node = doc.createNode(scaffold.yaml);
    const columns = node.get('columns', true);
    // One line per column, as bulletin.yaml writes them.
    if (isSeq(columns)) for (const c of columns.items) if (isMap(c)) c.flow = true;
    const tables = doc.get('tables', true);
    if (isSeq(tables)) tables.items.push(node);
    else {
      const seq = new YAMLSeq();
      seq.items.push(node);
      doc.set('tables', seq);
    }
  }

  const created: string[] = [];
  mkdirSync(target.dataDir, { recursive: true });
  try {
    writeFileSync(target.yaml, doc.toString({ lineWidth: 0 }));
    created.push(displayPath(target.yaml));
    // Each table: its header only (a workbook stays a workbook), under a name for the new period.
    const specs = [...old.bulletin.tables, ...(scaffold ? [scaffold.spec] : []), ...old.bulletin.attachments];
    const listed = await listedIn(root, source, specs);
    const byFile = new Map<string, { spec: (typeof specs)[number]; rows: Record<string, string>[]; create?: boolean }[]>();
    const facts = old.bulletin.workbook;
    if (facts) byFile.set(facts, []);
    for (const spec of specs) {
      const rect = rectificationColumns(spec);
      // What became of each site the source period listed: its code (and name) filled in.
      const name = spec.columns.find((c) => c.type === 'text');
      const rows = rect ? [...listed.values()].map((l) => ({ [spec.columns[rect.code]!.name]: l.site.key, ...(name && { [name.name]: l.name }) })) : [];
      byFile.set(spec.file, [...(byFile.get(spec.file) ?? []), { spec, rows, ...(spec === scaffold?.spec && { create: true }) }]);
    }
    for (const [name, plans] of byFile) {
      const file = path.join(target.dataDir, renamed(name, source, period));
      if (/\.xlsx$/i.test(name)) writeFileSync(file, await nextWorkbook(readFileSync(path.join(old.paths.dataDir, name)), plans, name === facts ? { moveDate: (d) => { const c = parseDate(d); return c ? isoDate(addMonths(c, months)) : d; }, carried } : undefined));
      else {
        const { spec, rows } = plans[0]!;
        const line = (values: (string | undefined)[]) => values.map((v) => csvField(v ?? '')).join(',');
        writeFileSync(file, [line(spec.columns.map((c) => c.name)), ...rows.map((r) => line(spec.columns.map((c) => r[c.name])))].join('\n') + '\n');
      }
      created.push(displayPath(file));
    }
    // The seal is the same every period.
    const seal = old.bulletin.document?.seal;
    if (seal && existsSync(path.join(old.paths.dataDir, seal))) {
      cpSync(path.join(old.paths.dataDir, seal), path.join(target.dataDir, seal));
      created.push(displayPath(path.join(target.dataDir, seal)));
    }
    if (existsSync(old.paths.contentDir)) {
      cpSync(old.paths.contentDir, target.contentDir, { recursive: true, errorOnExist: true });
      for (const f of readdirSync(target.contentDir)) created.push(displayPath(path.join(target.contentDir, f)));
    }
  } catch (e) {
    // Half a new period is worse than none.
    rmSync(target.dataDir, { recursive: true, force: true });
    rmSync(target.contentDir, { recursive: true, force: true });
    throw e;
  }
  return { ok: true, messages: [], created };
}

/** The sites `period` listed, when the new period has a rectification table to start with them. */
async function listedIn(root: string, period: string, tables: readonly TableSpec[]): Promise<Map<string, Listing>> {
  if (!tables.some((t) => rectificationColumns(t))) return new Map();
  const listed = (await readRegister(root, { upTo: period, lists: [period] })).listedIn(period);
  // The table is keyed by 网站标识码: new-media accounts have none, and no row there.
  return new Map([...listed].filter(([, l]) => l.site.kind === 'site'));
}

function retitle(title: string, from: string, to: string): string {
  const a = periodInfo(from);
  const b = periodInfo(to);
  let t = title.replace(a.text, b.text);
  if (a.quarter && b.quarter) t = t.replace(`${a.year}年第${chineseNumeral(a.quarter)}次`, `${b.year}年第${chineseNumeral(b.quarter)}次`);
  return t;
}

/** The number after `number` (某政办函〔2017〕12号 → 13号; in another year, 〔2018〕1号); undefined when not of that form. */
export function nextNumber(number: string, year?: number): string | undefined {
  const m = /^(.*〔)(\d{4})(〕.*?)(\d+)(号)$/.exec(number.trim());
  if (!m) return undefined;
  const [, head, y, mid, n, tail] = m;
  return year && year !== Number(y) ? `${head}${year}${mid}1${tail}` : `${head}${y}${mid}${Number(n) + 1}${tail}`;
}

/** Each `X_prev` figure's value for the next period: this period's `X`, when it has one. */
function previousValues(figures: Bulletin['figures']): Map<string, number | string> {
  const out = new Map<string, number | string>();
  for (const name of Object.keys(figures)) {
    if (!name.endsWith('_prev')) continue;
    const base = figures[name.slice(0, -'_prev'.length)];
    const value = typeof base === 'object' && base !== null ? base.value : base;
    if (value !== undefined && value !== null) out.set(name, value);
  }
  return out;
}

/**
 * The rectification table a period gets when the last one listed problem sites (a list with a
 * site-code column) but recorded no rectification: in its workbook as a sheet 整改情况, else as
 * rectification.csv.
 */
function rectificationScaffold(b: Bulletin, from: string, to: string): { yaml: Record<string, unknown>; spec: RectificationTable } | undefined {
  const lists = [...b.attachments, ...b.tables].filter((t) => t.columns.some((c) => c.type === 'site-code'));
  if (!lists.length) return undefined;
  const book = b.workbook ?? lists.map((t) => t.file).find((f) => /\.xlsx$/i.test(f));
  const file = book ? renamed(book, from, to) : 'rectification.csv';
  const columns: Column[] = [
    { key: 'code', name: '网站标识码', type: 'site-code' },
    { key: 'site', name: '网站名称', type: 'text', required: false },
    { key: 'status', name: '整改状态', type: 'status' },
    { key: 'date', name: '完成日期', type: 'date', required: false },
  ];
  const yaml = { id: 'rectification', kind: 'rectification', file, ...(book && { sheet: '整改情况' }), columns };
  // The spec as `new` writes the file from: named as the last period's file, as the others are.
  return { yaml, spec: { ...yaml, file: book ?? file, kind: 'rectification' } as RectificationTable };
}

/** A file name with the source period in it, named for the new period; others as they are. */
function renamed(file: string, from: string, to: string): string {
  const base = path.basename(file);
  return base.includes(from) ? path.join(path.dirname(file), base.split(from).join(to)) : file;
}

function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

