// Load one period: bulletin.yaml validated against the schema, then every declared table.
// All problems are collected; a bulletin is returned only when nothing stops the next stage.
import { displayPath, isPeriod, listPeriods, openWorkspaceFile, outsideFolder, periodPaths, present, resolveInside, type PeriodPaths } from '../bulletin.js';
import type { Message } from '../messages.js';
import { Bulletin, HELPER_NAMES, RESERVED_NAMES, type TableSpec } from '../schema.js';
import { isMap, isScalar, type YAMLMap } from 'yaml';
import { parseDate } from '../values.js';
import { parseTable, type Table } from './table.js';
import type { StreamedTable } from './stream.js';
import { chartProblems } from './charts.js';
import { readWorkbookFacts } from './workbook-facts.js';
import { imageProblem } from './image.js';
import { readWorkspaceBytes, readWorkspaceText } from './workspace-file.js';
import { forbiddenKeys, invisibleChars, parseYaml, placeOf, schemaMessages, writtenNumber, yamlToJS, type YamlSource } from './yaml.js';

export interface LoadedBulletin {
  paths: PeriodPaths;
  bulletin: Bulletin;
  source: YamlSource;
  /** Every declared table, attachments included, by id, in the order declared. Data tables
   * that are neither printed nor charted are streamed: their rows are read when checked. */
  tables: Map<string, Table | StreamedTable>;
  /** The seal image as a data URL, when the document declares one. */
  seal?: string;
}

export interface LoadResult {
  loaded?: LoadedBulletin;
  messages: Message[];
  /** Files read, for the summary line. */
  files: string[];
}

export interface LoadOptions {
  /** Stream every CSV table, attachments included: for readers of rows only (the register). */
  streamAll?: boolean;
}

export async function loadBulletin(root: string, period: string, options: LoadOptions = {}): Promise<LoadResult> {
  const paths = periodPaths(root, period);
  const messages: Message[] = [];
  const files: string[] = [];
  const yamlFile = displayPath(paths.yaml);

  if (!isPeriod(period)) {
    messages.push({ severity: 'error', file: period, reason: `「${period}」不是期次`, hint: '期次写作 2016Q4 这样的形式', rule: 'period/invalid' });
    return { messages, files };
  }
  if (!present(paths.yaml)) {
    const known = listPeriods(root);
    messages.push({
      severity: 'error',
      file: yamlFile,
      reason: `期次 ${period} 不存在：没有找到 ${yamlFile}`,
      hint: known.length ? `已有的期次：${known.join('、')}` : '用 tongbao new <期次> 新建一期',
      rule: 'period/missing',
    });
    return { messages, files };
  }
  // Read as every workspace file is: inside the root (a period folder linked from elsewhere is
  // refused here), under its size limit, decoded; its values are checked for characters below.
  const folder = outsideFolder(root, paths.dataDir);
  if (folder) return { messages: [{ severity: 'error', file: displayPath(paths.dataDir), ...folder }], files };
  const read = readWorkspaceText(root, paths.yaml, 'bulletin');
  if (read.text === undefined) return { messages: read.messages, files };
  files.push(yamlFile);

  const parsed = parseYaml(read.text, yamlFile);
  messages.push(...parsed.messages);
  if (!parsed.source) return { messages, files };
  const source = parsed.source;
  const forbidden = [...forbiddenKeys(source), ...invisibleChars(source)];
  if (forbidden.length) return { messages: [...messages, ...forbidden], files };
  const js = yamlToJS(source);
  if (js.message) return { messages: [...messages, js.message], files };
  messages.push(...figuresAsWritten(source, js.data));
  // What the office enters in its workbook (基本信息, 数字) when bulletin.yaml names one.
  const facts = await readWorkbookFacts(js.data, paths.dataDir, source);
  messages.push(...facts.messages);
  files.push(...facts.files);
  if (facts.unread) return { messages, files };

  const result = Bulletin.safeParse(js.data);
  if (!result.success) {
    messages.push(...schemaMessages(source, result.error.issues));
    return { messages, files };
  }
  const bulletin = result.data;
  const at = (p: (string | number)[], reason: string, hint?: string, rule = 'bulletin/rule') =>
    messages.push({ severity: 'error', file: yamlFile, ...placeOf(source, p), reason, ...(hint && { hint }), rule });

  if (bulletin.period !== period) {
    at(['period'], `period 写的是 ${bulletin.period}，但文件在 data/${period}/ 中`, `改为 ${period}，或把目录改名`, 'bulletin/period-mismatch');
  }
  for (const p of [['published'], ['signed'], ['sampling', 'from'], ['sampling', 'to']] as const) {
    const v = p.length === 1 ? bulletin[p[0]] : bulletin.sampling?.[p[1]];
    if (v !== undefined && !parseDate(v)) at([...p], `「${v}」不是存在的日期`, undefined, 'bulletin/date');
  }

  for (const name of Object.keys(bulletin.figures)) {
    if (RESERVED_NAMES.includes(name)) at(['figures', name], `数字不能命名为「${name}」：这是通报自身字段的名称`, '换一个名称', 'bulletin/reserved-name');
    else if (HELPER_NAMES.includes(name)) {
      messages.push({
        severity: 'error',
        file: yamlFile,
        ...placeOf(source, ['figures', name], true),
        reason: `数字不能命名为「${name}」：正文中的 {{${name}}} 是辅助函数，写 {{${name}}} 调用的是它，印不出这个数字`,
        hint: `换一个名称，如「${name}_count」，并改正正文中的引用；辅助函数的名称有：${HELPER_NAMES.filter((h) => !/Missing$/.test(h)).join('、')}`,
        rule: 'bulletin/reserved-name',
      });
    }
  }
  // Table ids name figures too (sites.count): they may not shadow a reported figure.
  const declared: [string, (string | number)[]][] = [
    ...bulletin.tables.map((t, i): [string, (string | number)[]] => [t.id, ['tables', i, 'id']]),
    ...bulletin.attachments.map((t, i): [string, (string | number)[]] => [t.id, ['attachments', i, 'id']]),
  ];
  for (const [id, p] of declared) {
    // Tables and figures share one namespace: {{sites.count}} reads the table, {{sites}} a figure.
    if (Object.hasOwn(bulletin.figures, id)) {
      const figureLine = placeOf(source, ['figures', id], true).line;
      at(p, `表格 id「${id}」与 figures 中第 ${figureLine} 行的数字「${id}」重名：表格和数字共用一套名称（{{${id}.count}} 指表格，{{${id}}} 指数字）`, `把其中一个改名，如表格 id 改为「${id}_table」，或数字改为「${id}_total」，并改正正文中的引用`, 'bulletin/reserved-name');
    } else if (RESERVED_NAMES.includes(id)) at(p, `表格 id「${id}」是通报自身字段的名称`, `换一个 id，如「${id}_table」；不能用的名称有：${RESERVED_NAMES.join('、')}`, 'bulletin/reserved-name');
  }
  // Problems in the table declarations stop here; anything else above still lets tables load.
  const beforeSpecs = messages.length;
  const specs: [TableSpec, (string | number)[]][] = [
    ...bulletin.tables.map((t, i): [TableSpec, (string | number)[]] => [t, ['tables', i]]),
    ...bulletin.attachments.map((t, i): [TableSpec, (string | number)[]] => [t, ['attachments', i]]),
  ];
  const ids = new Set<string>();
  for (const [spec, p] of specs) {
    if (ids.has(spec.id)) at([...p, 'id'], `表格 id「${spec.id}」重复`, '每个表格和附件的 id 应各不相同', 'bulletin/duplicate-id');
    ids.add(spec.id);
    const keys = new Set<string>();
    spec.columns.forEach((c, i) => {
      if (keys.has(c.key)) at([...p, 'columns', i, 'key'], `列键名「${c.key}」在表格「${spec.id}」中重复`, undefined, 'bulletin/duplicate-key');
      keys.add(c.key);
    });
    spec.columns.forEach((c, i) => {
      const refs: [string, (string | number)[]][] = [
        ...(c.max ? [[c.max, ['max']] as [string, (string | number)[]]] : []),
        ...(c.region ? [[c.region, ['region']] as [string, (string | number)[]]] : []),
        ...(Array.isArray(c.ratio) ? c.ratio.map((k, j): [string, (string | number)[]] => [k, ['ratio', j]]) : c.ratio ? [[c.ratio.failed, ['ratio', 'failed']] as [string, (string | number)[]], [c.ratio.of, ['ratio', 'of']] as [string, (string | number)[]]] : []),
      ];
      for (const [target, sub] of refs) {
        if (!keys.has(target)) {
          at([...p, 'columns', i, ...sub], `「${target}」指向表格「${spec.id}」中不存在的列`, `可用的列：${[...keys].join('、')}`, 'bulletin/bad-reference');
        }
      }
    });
  }
  for (const [spec, p] of specs) {
    const keys = spec.columns.map((c) => c.key);
    for (const k of ['platform', 'name'] as const) {
      const target = spec.account?.[k];
      if (target !== undefined && !keys.includes(target)) at([...p, 'account', k], `「${target}」指向表格「${spec.id}」中不存在的列`, `可用的列：${keys.join('、')}`, 'bulletin/bad-reference');
    }
    if ('kind' in spec && spec.kind === 'rectification') {
      for (const [type, what] of [['site-code', '网站标识码列（type: site-code）'], ['status', '整改状态列（type: status，填 已整改、已关停、已上移 或 未整改）']] as const) {
        if (!spec.columns.some((c) => c.type === type)) at([...p, 'columns'], `整改情况表「${spec.id}」没有${what}`, `在 columns 中声明这一列`, 'bulletin/rectification');
      }
    }
  }
  // Charts name tables and columns: a bad name is reported here, at the chart's own key.
  for (const p of chartProblems(bulletin)) at(p.path, p.reason, p.hint, 'bulletin/bad-reference');
  if (messages.length > beforeSpecs) return { messages, files };

  const tables = new Map<string, Table | StreamedTable>();
  const charted = new Set(bulletin.charts.map((c) => c.table));
  for (const [spec, p] of specs) {
    const resolved = resolveInside(paths.dataDir, spec.file);
    if (!resolved.ok) {
      at([...p, 'file'], resolved.reason, resolved.hint, 'table/file');
      continue;
    }
    const display = displayPath(resolved.file);
    // Checked (inside the workspace, a file, under the limit) before anything of it is read.
    const opened = openWorkspaceFile(root, resolved.file, 'table');
    if (!opened.ok) {
      at([...p, 'file'], opened.refusal.reason, opened.refusal.hint, opened.refusal.rule);
      continue;
    }
    files.push(display);
    // exceljs is large: loaded only when a bulletin has a spreadsheet. A data table that is
    // neither printed nor charted is read later, row by row, as it is checked.
    if (!/\.xlsx$/i.test(spec.file) && (options.streamAll || (p[0] === 'tables' && !charted.has(spec.id)))) {
      tables.set(spec.id, { id: spec.id, file: display, spec, path: opened.real, streamed: true });
      continue;
    }
    const bytes = readWorkspaceBytes(root, opened.real, 'table').bytes;
    if (!bytes) continue; // gone since it was opened: the next build says why
    const t = /\.xlsx$/i.test(spec.file) ? await (await import('./xlsx.js')).parseXlsx(bytes, display, spec) : parseTable(bytes, display, spec);
    for (const m of t.messages) messages.push(m);
    if (t.table) tables.set(spec.id, t.table);
  }

  let seal: string | undefined;
  const sealFile = bulletin.document?.seal;
  if (sealFile) {
    const resolved = resolveInside(paths.dataDir, sealFile);
    if (!resolved.ok) at(['document', 'seal'], resolved.reason, resolved.hint, 'document/seal');
    else {
      const svg = /\.svg$/i.test(sealFile);
      const read = readWorkspaceBytes(root, resolved.file, 'seal');
      const problem = read.bytes ? imageProblem(read.bytes, svg ? 'svg' : 'png') : undefined;
      if (!read.bytes) at(['document', 'seal'], read.refusal!.reason, read.refusal!.hint, 'document/seal');
      else if (problem) at(['document', 'seal'], `印章图片「${sealFile}」无法使用：${problem}`, '换用完好的 .png 或 .svg 文件（可在图片查看器中打开确认）', 'document/seal');
      else {
        files.push(displayPath(resolved.file));
        seal = `data:${svg ? 'image/svg+xml' : 'image/png'};base64,${read.bytes.toString('base64')}`;
      }
    }
  }
  if (bulletin.document?.printed_on && !parseDate(bulletin.document.printed_on)) {
    at(['document', 'printed_on'], `「${bulletin.document.printed_on}」不是存在的日期`, undefined, 'bulletin/date');
  }
  // A 版头 is the issuing mark over the 发文字号 (GB/T 9704 §7.2): a number alone prints under
  // 59 mm of blank paper. Said, not refused: the office may mean it; a 函 has its own format.
  const doc = bulletin.document;
  if (doc?.number && !doc.issuer_mark) {
    const letter = /函/.test(doc.number) && doc.format !== 'letter';
    messages.push({
      severity: 'warning',
      file: yamlFile,
      ...placeOf(source, ['document', 'number']),
      reason: `版头有发文字号「${doc.number}」而没有发文机关标志（issuer_mark）：印出来发文字号上方是一片空白`,
      hint: letter
        ? '这是函：在 document 下写 format: letter（信函格式）和 issuer_mark: 发文机关全称'
        : '在 document 下写 issuer_mark（如「××市人民政府办公室文件」）；不印版头则删去 number',
      rule: 'document/head',
    });
  }

  return { loaded: { paths, bulletin, source, tables, ...(seal && { seal }) }, messages, files };
}

/**
 * Each figure's value as bulletin.yaml writes it, not as YAML reads it: `12.50` stays 12.50
 * and a 30-digit count stays exact (text, read as the figure's value later); forms that YAML
 * rewrites are errors at their place. `data` is changed in place.
 */
function figuresAsWritten(source: YamlSource, data: unknown): Message[] {
  const figures = data && typeof data === 'object' ? (data as { figures?: unknown }).figures : undefined;
  const map = source.doc.get('figures', true);
  if (!figures || typeof figures !== 'object' || Array.isArray(figures) || !isMap(map)) return [];
  const messages: Message[] = [];
  // The map's pairs walked once: 50,000 figures looked up by path would take quadratic time.
  for (const pair of map.items) {
    if (!isScalar(pair.key) || typeof pair.key.value !== 'string') continue;
    const name = pair.key.value;
    const spec = (figures as Record<string, unknown>)[name];
    const nested = isMap(pair.value);
    const written = writtenNumber(source, nested ? (pair.value as YAMLMap).get('value', true) : pair.value, `数字「${name}」`);
    if (!written) continue;
    if (written.message) messages.push(written.message);
    if (nested && spec && typeof spec === 'object') (spec as Record<string, unknown>)['value'] = written.value;
    else if (!nested) (figures as Record<string, unknown>)[name] = written.value;
  }
  return messages;
}

/** A table held in memory (an attachment, a charted table); undefined for a streamed one. */
export function heldTable(loaded: LoadedBulletin, id: string): Table | undefined {
  const t = loaded.tables.get(id);
  return t && !('streamed' in t) ? t : undefined;
}
