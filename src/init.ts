// `tongbao init`: a first period from nothing, for an office of one kind (national, province,
// city, county, department): bulletin.yaml with its tables declared once, a circular whose
// figures are all bound, and one workbook in which the office enters everything that changes
// each quarter (基本信息, 数字, a sheet per table). `check` then lists what is left to fill.
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { Document, isMap, isSeq } from 'yaml';
import { displayPath, isPeriod, periodPaths } from './bulletin.js';
import { divisionByCode, divisionsUnder, provinceList } from './divisions.js';
import { FACTS, FIGURES_SHEET, FIGURE_COLUMNS, INFO_SHEET } from './load/workbook-facts.js';
import type { Message } from './messages.js';
import { periodHint, periodInfo } from './periods.js';
import { bulletinJsonSchema, type Column } from './schema.js';

export const KINDS = ['national', 'province', 'city', 'county', 'department'] as const;
export type Kind = (typeof KINDS)[number];

export interface InitOptions {
  period: string;
  office: string;
  /** GB/T 2260 code of the office's area (not needed for national or department). */
  region?: string;
  media: boolean;
  kind?: Kind;
}

export interface InitResult {
  ok: boolean;
  messages: Message[];
  created: string[];
}

/** Platforms offered in the drop-down lists of new-media tables. */
export const PLATFORMS = ['微信', '微博', '抖音', '今日头条', '快手', '视频号', '其他'];

interface Area {
  kind: Kind;
  /** 安吉县; empty for national and department. */
  name: string;
  /** 全县, 全市, 全国, 本部门. */
  whole: string;
  /** What a row of the per-region table is: 乡镇（街道）, 区县. */
  unit: string;
  /** The region column's header and its allowed values (none for a department's units). */
  column: string;
  values?: string[];
  addressee: string;
}

function area(kind: Kind, name: string, code6?: string): Area {
  const tail = name.at(-1) ?? '';
  const whole = kind === 'national' ? '全国' : kind === 'department' ? '本系统' : `全${tail === '区' && kind === 'province' ? '区' : tail}`;
  switch (kind) {
    case 'national':
      return { kind, name: '', whole, unit: '地区和部门', column: '省（区、市）/部门', values: [...provinceList(), '国务院部门'], addressee: '各省、自治区、直辖市人民政府办公厅，国务院各部委、各直属机构办公厅（室）' };
    case 'province':
      return { kind, name, whole, unit: '市和省级部门', column: '地区', values: [...divisionsUnder(code6!), '省级部门'], addressee: '各市人民政府，省政府各部门、各直属机构' };
    case 'city':
      return { kind, name, whole, unit: '区县和市级部门', column: '地区', values: [...divisionsUnder(code6!), '市级部门'], addressee: '各区县人民政府，市政府各部门、各直属机构' };
    case 'county':
      return { kind, name, whole, unit: '乡镇（街道）和部门', column: '地区', values: [...divisionsUnder(code6!), `${tail}级部门`], addressee: `各乡镇人民政府、街道办事处，${tail}政府各部门` };
    case 'department':
      return { kind, name, whole, unit: '单位', column: '单位', addressee: '各司局、各直属单位' };
  }
}

interface Table {
  id: string;
  kind: 'table';
  print?: 'inline';
  title: string;
  sheet: string;
  columns: Column[];
  note?: string;
  /** A list of new-media accounts: the register keys each by platform and name. */
  account?: { platform: string; name: string };
}

/** The tables an office of this kind fills each period, as bulletin.yaml declares them. */
function tables(a: Area, media: boolean): Table[] {
  // A region column (type region) is what the register files a site under (sites --region).
  const region: Column = { key: 'region', name: a.column, type: a.values ? 'region' : 'text', align: 'center', ...(a.values && { values: a.values }) };
  const list: Table[] = [
    {
      id: 'regions',
      kind: 'table',
      print: 'inline',
      title: `各${a.unit}政府网站抽查情况`,
      sheet: '网站抽查',
      columns: [
        region,
        { key: 'sampled', name: '抽查网站数', type: 'count', align: 'center' },
        { key: 'passed', name: '合格网站数', type: 'count', max: 'sampled', align: 'center' },
        { key: 'rate', name: '合格率', type: 'percent', ratio: ['passed', 'sampled'], align: 'center' },
      ],
    },
    {
      id: 'problem_sites',
      kind: 'table',
      title: '检查发现问题的政府网站名单',
      sheet: '问题网站',
      columns: [
        { key: 'no', name: '序号', type: 'integer', unique: true, align: 'center' },
        { ...region },
        { key: 'site', name: '网站名称', type: 'text' },
        { key: 'code', name: '网站标识码', type: 'site-code', unique: true, align: 'center' },
        { key: 'problem', name: '存在的问题', type: 'text' },
      ],
    },
  ];
  if (media) {
    const platform: Column = { key: 'platform', name: '平台', type: 'text', align: 'center', values: PLATFORMS };
    list.splice(1, 0, {
      id: 'media',
      kind: 'table',
      print: 'inline',
      title: '各平台政务新媒体抽查情况',
      sheet: '新媒体抽查',
      columns: [
        platform,
        { key: 'sampled', name: '抽查账号数', type: 'count', align: 'center' },
        { key: 'failed', name: '不合格账号数', type: 'count', align: 'center' },
        { key: 'rate', name: '合格率', type: 'percent', ratio: { failed: 'failed', of: 'sampled' }, align: 'center' },
      ],
      note: '注：合格率 =（抽查账号数 − 不合格账号数）/ 抽查账号数。',
    });
    list.push({
      id: 'problem_accounts',
      kind: 'table',
      title: '检查发现问题的政务新媒体名单',
      sheet: '问题账号',
      columns: [
        { key: 'no', name: '序号', type: 'integer', unique: true, align: 'center' },
        { ...platform },
        { key: 'account', name: '账号名称', type: 'text' },
        { key: 'owner', name: '开设主体', type: 'text' },
        { key: 'problem', name: '存在的问题', type: 'text' },
      ],
      account: { platform: 'platform', name: 'account' },
    });
  }
  return list;
}

/** The reported figures: entered in the 数字 sheet, declared (with their labels) in bulletin.yaml. */
function figures(a: Area, media: boolean): [name: string, label: string, format: string][] {
  return [
    ['running', `本期末${a.whole}正在运行的政府网站数`, '0'],
    ...(media ? [['accounts', `本期末${a.whole}政务新媒体账号数`, '0'] as [string, string, string]] : []),
    ['rectify_days', '问题整改期限（工作日）', '0'],
  ];
}

function circular(a: Area, media: boolean): string {
  const what = media ? '政府网站和政务新媒体' : '政府网站';
  const lists = media ? '附件1、附件2' : '附件';
  const out = [
    `{{office}}于{{date sampling.from}}至{{date sampling.to}}对${a.whole}${what}开展了{{period.text}}抽查。现将有关情况通报如下：`,
    '',
    '## 一、总体情况',
    '',
    `截至{{period.text}}末，${a.whole}正在运行的政府网站{{running}}个${media ? '，政务新媒体账号{{accounts}}个' : ''}。本次抽查政府网站{{regions.sampled.sum}}个${media ? '、政务新媒体账号{{media.sampled.sum}}个' : ''}。`,
    '',
    '## 二、政府网站抽查情况',
    '',
    `本次抽查政府网站{{regions.sampled.sum}}个，合格{{regions.passed.sum}}个，合格率为{{percent regions.passed.rate 1}}。各${a.unit}情况如下：`,
    '',
    '{{table regions}}',
    '',
    `检查发现存在问题的政府网站{{problem_sites.count}}个，名单见${media ? '附件1' : '附件'}。`,
    '',
  ];
  if (media) {
    out.push(
      '## 三、政务新媒体抽查情况',
      '',
      '本次抽查政务新媒体账号{{media.sampled.sum}}个，不合格{{media.failed.sum}}个，合格率为{{percent media.failed.rate 1}}。各平台情况如下：',
      '',
      '{{table media}}',
      '',
      '检查发现存在问题的政务新媒体账号{{problem_accounts.count}}个，名单见附件2。',
      '',
    );
  }
  out.push(
    `## ${media ? '四' : '三'}、工作要求`,
    '',
    `各单位要对照${lists}逐一整改，于{{rectify_days}}个工作日内将整改情况书面报送{{office}}。`,
    '',
  );
  return out.join('\n');
}

function yamlText(o: InitOptions, a: Area, book: string, code6: string | undefined): string {
  const info = periodInfo(o.period);
  const what = o.media ? '政府网站和政务新媒体' : '政府网站';
  const place = a.kind === 'national' ? '全国' : a.kind === 'department' ? '' : a.name;
  const ts = tables(a, o.media);
  const figs = figures(a, o.media);
  const doc = {
    title: `关于${info.text}${place}${what}抽查情况的通报`,
    period: o.period,
    office: o.office,
    ...(code6 && { region: code6 }),
    source: a.kind === 'national' ? '中国政府网' : a.kind === 'department' ? o.office : `${a.name}人民政府网`,
    workbook: book,
    document: { issuer_mark: o.office },
    figures: Object.fromEntries(figs.map(([name, label]) => [name, { label }])),
    attachments: ts.map((t) => ({ id: t.id, kind: t.kind, ...(t.print && { print: t.print }), title: t.title, file: book, sheet: t.sheet, columns: t.columns, ...(t.note && { note: t.note }), ...(t.account && { account: t.account }) })),
  };
  // One line per column (and per figure), as the examples write them.
  const yaml = new Document(doc, { aliasDuplicateObjects: false });
  const flow = (node: unknown) => {
    if (isMap(node) || isSeq(node)) node.flow = true;
  };
  const attachments = yaml.get('attachments', true);
  if (isSeq(attachments)) {
    for (const t of attachments.items) {
      const columns = isMap(t) ? t.get('columns', true) : undefined;
      if (isSeq(columns)) columns.items.forEach(flow);
    }
  }
  const declared = yaml.get('figures', true);
  if (isMap(declared)) declared.items.forEach((p) => flow(p.value));
  const body = yaml.toString({ lineWidth: 0 });
  return [
    '# yaml-language-server: $schema=../bulletin.schema.json',
    '#',
    `# ${info.text}${what}抽查情况通报（tongbao init 生成）。每期要填的内容都在工作簿 ${book} 中：`,
    '#   「基本信息」工作表：文号、成文日期、发布日期、抽查起止日期、主送、署名；',
    '#   「数字」工作表：正文中报告的数字（名称与下面 figures 的名称相同，数值按印出的写法）；',
    '#   其余工作表：每个表格一张，第 2 行是表头，从第 3 行起逐行填写（地区、平台可从下拉列表中选）。',
    '# 填好后运行 tongbao check 核对，tongbao build 生成。这个文件只在表格的列或要核对的数字变了时才需要改。',
    '# 一个数字要与表格核对时，在它下面加 check，如 check: regions.passed.rate（见 README）。',
    '',
    body,
  ].join('\n');
}

const FILL = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFFF2CC' } } as const;
/** Rows of each table sheet prepared with drop-down lists, formats and formulas. */
const PREPARED_ROWS = 200;

async function workbookBytes(o: InitOptions, a: Area): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'tongbao';
  // Excel computes the rate formulas again when it opens the file.
  wb.calcProperties.fullCalcOnLoad = true;
  const info = wb.addWorksheet(INFO_SHEET);
  info.columns = [{ width: 16 }, { width: 44 }, { width: 60 }];
  info.addRow(['项目', '内容', '说明']).font = { bold: true };
  for (const f of FACTS) {
    const prefill = f.label === '署名' ? o.office : f.label === '主送' ? a.addressee : null;
    const row = info.addRow([f.label, prefill, `${f.required ? '必填。' : ''}${f.note}`]);
    row.getCell(2).fill = FILL;
    if (f.date) row.getCell(2).numFmt = 'yyyy"年"m"月"d"日"';
  }
  const numbers = wb.addWorksheet(FIGURES_SHEET);
  numbers.columns = [{ width: 16 }, { width: 44 }, { width: 16 }];
  numbers.addRow([...FIGURE_COLUMNS]).font = { bold: true };
  for (const [name, label, fmt] of figures(a, o.media)) {
    const row = numbers.addRow([name, label, null]);
    row.getCell(3).fill = FILL;
    row.getCell(3).numFmt = fmt;
  }
  // The drop-down lists' values, on a sheet of their own (an inline list holds 255 characters).
  const lists = new Map<string, string>();
  const options = wb.addWorksheet('选项', { state: 'hidden' });
  const listRange = (values: readonly string[]): string => {
    const key = values.join('\n');
    let range = lists.get(key);
    if (!range) {
      const col = lists.size + 1;
      values.forEach((v, i) => (options.getCell(i + 1, col).value = v));
      const letter = String.fromCharCode(64 + col);
      range = `'选项'!$${letter}$1:$${letter}$${values.length}`;
      lists.set(key, range);
    }
    return range;
  };
  for (const t of tables(a, o.media)) {
    const sheet = wb.addWorksheet(t.sheet);
    sheet.addRow([t.title]).font = { bold: true, size: 14 };
    sheet.addRow(t.columns.map((c) => c.name)).font = { bold: true };
    sheet.views = [{ state: 'frozen', ySplit: 2 }];
    t.columns.forEach((c, i) => {
      const col = sheet.getColumn(i + 1);
      col.width = c.type === 'text' && !c.values ? 36 : c.type === 'site-code' ? 14 : 12;
      for (let r = 3; r < 3 + PREPARED_ROWS; r++) {
        const cell = sheet.getCell(r, i + 1);
        if (c.values) cell.dataValidation = { type: 'list', allowBlank: true, formulae: [listRange(c.values)], showErrorMessage: true, errorTitle: '不在列表中', error: `请从下拉列表中选择${c.name}` };
        if (c.type === 'count' || c.type === 'integer') cell.numFmt = '0';
        if (c.type === 'site-code') cell.numFmt = '@';
        if (c.type === 'percent') {
          cell.numFmt = '0.0%';
          const ratio = c.ratio;
          const at = (key: string) => `${String.fromCharCode(65 + t.columns.findIndex((x) => x.key === key))}${r}`;
          if (Array.isArray(ratio)) cell.value = { formula: `IF(${at(ratio[1])}="","",${at(ratio[0])}/${at(ratio[1])})` } as ExcelJS.CellFormulaValue;
          else if (ratio) cell.value = { formula: `IF(${at(ratio.of)}="","",(${at(ratio.of)}-${at(ratio.failed)})/${at(ratio.of)})` } as ExcelJS.CellFormulaValue;
        }
      }
    });
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** The workbook's name for a period: 2024Q1检查数据.xlsx (new renames it for the next period). */
export const workbookName = (period: string) => `${period}检查数据.xlsx`;

export async function initPeriod(root: string, o: InitOptions): Promise<InitResult> {
  const paths = periodPaths(root, o.period);
  const fail = (reason: string, hint: string, rule = 'init/refused'): InitResult => ({ ok: false, created: [], messages: [{ severity: 'error', file: displayPath(paths.dataDir), reason, hint, rule }] });
  if (!isPeriod(o.period)) return fail(`「${o.period}」不是期次`, periodHint(o.period));
  if (existsSync(paths.dataDir) || existsSync(paths.contentDir)) return fail(`期次 ${o.period} 已经存在`, `不会覆盖已有的 ${displayPath(paths.dataDir)}；下一期用 tongbao new ${o.period} 之后的期次`);
  let division: ReturnType<typeof divisionByCode>;
  if (o.region !== undefined) {
    division = divisionByCode(o.region.trim());
    if (!division) return fail(`「${o.region}」不是行政区划代码`, '写本机关所在地区的 6 位 GB/T 2260 代码，如 330523（安吉县）、330500（湖州市）、330000（浙江省）');
  }
  const kind: Kind = o.kind ?? (division ? division.level : 'national');
  if ((kind === 'province' || kind === 'city' || kind === 'county') && !division) return fail(`${kind === 'province' ? '省级' : kind === 'city' ? '市级' : '县级'}通报需要 --region 行政区划代码`, '如 --region 330523（安吉县）');
  if (division && (kind === 'province' || kind === 'city' || kind === 'county') && division.level !== kind) {
    return fail(`--region ${o.region} 是${division.name}，不是${kind === 'province' ? '省级' : kind === 'city' ? '市级' : '县级'}地区`, `写本机关所在地区的代码，或把 --kind 改为 ${division.level}`);
  }
  const a = area(kind, division?.name ?? '', division?.code6);
  const book = workbookName(o.period);
  const created: string[] = [];
  try {
    mkdirSync(paths.dataDir, { recursive: true });
    mkdirSync(paths.contentDir, { recursive: true });
    const schema = path.join(root, 'data', 'bulletin.schema.json');
    if (!existsSync(schema)) {
      writeFileSync(schema, JSON.stringify(bulletinJsonSchema(), null, 2) + '\n');
      created.push(displayPath(schema));
    }
    writeFileSync(paths.yaml, yamlText(o, a, book, division?.code6));
    created.push(displayPath(paths.yaml));
    const bookFile = path.join(paths.dataDir, book);
    writeFileSync(bookFile, await workbookBytes(o, a));
    created.push(displayPath(bookFile));
    const md = path.join(paths.contentDir, 'circular.md');
    writeFileSync(md, circular(a, o.media));
    created.push(displayPath(md));
  } catch (e) {
    // Half a period is worse than none.
    rmSync(paths.dataDir, { recursive: true, force: true });
    rmSync(paths.contentDir, { recursive: true, force: true });
    throw e;
  }
  return { ok: true, messages: [], created };
}
