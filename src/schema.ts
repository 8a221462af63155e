// The schemas of a bulletin's files. Types are inferred from them, and the JSON Schema that
// editors use (data/bulletin.schema.json) is generated from them, so the three never drift.
import { z } from 'zod';

const key = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { message: '只能用英文字母、数字和下划线，且不以数字开头' })
  .refine((k) => !['__proto__', 'constructor', 'prototype'].includes(k), { message: '这是 JavaScript 保留的名称，请换一个' });

export const PERIOD_PATTERN = /^\d{4}(?:Q[1-4]|H[12]|-(?:0[1-9]|1[0-2]))?$/;
const period = z
  .string()
  .regex(PERIOD_PATTERN, { message: '期次应写作 2016Q4（季度）、2016H2（半年）、2016-12（月）或 2016（年）' });

/** Dates as offices write them: 2017-01-20 or 2017年1月20日. Checked as real dates later. */
export const DATE_PATTERN = /^(\d{4})(?:-(\d{1,2})-(\d{1,2})|年(\d{1,2})月(\d{1,2})日)$/;
const date = z
  .string()
  .regex(DATE_PATTERN, { message: '日期应写作 2017-01-20 或 2017年1月20日' })
  .describe('日期，如 2017-01-20');

export const COLUMN_TYPES = [
  'text',
  'integer',
  'count',
  'percent',
  'date',
  'check',
  'region',
  'site-code',
  'status',
] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];

export const Column = z
  .strictObject({
    key: key.describe('列的英文键名，正文和统计中用它指代此列'),
    name: z.string().min(1).describe('表头文字，与 CSV 第一行一致'),
    aliases: z.array(z.string().min(1)).optional().describe('表头的其他写法'),
    type: z
      .enum(COLUMN_TYPES)
      .default('text')
      .describe('text 文字，integer 整数，count 非负整数，percent 百分比，date 日期，check 勾选(√)，region 地区，site-code 网站标识码，status 整改状态（已整改、已关停、已上移、未整改）'),
    required: z.boolean().optional().describe('是否必填；勾选列默认可空，其余默认必填'),
    unique: z.boolean().optional().describe('此列的值不得重复'),
    max: key.optional().describe('此列的值不得大于同一行中另一列（如合格数不大于抽查数）'),
    region: key.optional().describe('网站标识码列：所属地区所在的列，用来核对标识码前两位'),
    ratio: z
      .union([
        z.tuple([key, key]).describe('[合格数列, 抽查数列]：合格率 = 合格数 / 抽查数'),
        z.strictObject({ failed: key.describe('不合格数所在的列'), of: key.describe('抽查数所在的列') }).describe('由不合格数算的合格率 = (抽查数 − 不合格数) / 抽查数'),
      ])
      .optional()
      .describe('百分比列：等于同一行中 [分子列, 分母列] 之比，如 [passed, sampled]；表格只有不合格数时写 { failed: failed, of: sampled }。核对是否四舍五入正确'),
    width: z
      .string()
      .regex(/^\d+(\.\d+)?(%|mm|em)$/, { message: '宽度写作 12%、20mm 或 4em' })
      .optional()
      .describe('列宽提示'),
    align: z.enum(['left', 'center', 'right']).optional().describe('对齐方式'),
    bidi: z.boolean().optional().describe('允许双向文字控制字符（从右向左的文字，如阿拉伯文名称）；默认不允许'),
    values: z.array(z.string().min(1)).min(1).optional().describe('这一列可以填的全部取值（如本市各区县的名称）；填了别的值时报错并指出最接近的一个'),
  })
  .describe('表格的一列');
export type Column = z.output<typeof Column>;

/** A rate column's counts: the numerator (or the failures it is the complement of) and the denominator. */
export function ratioOf(column: Column): { num: string; den: string; failed: boolean } | undefined {
  const r = column.ratio;
  if (!r) return undefined;
  return Array.isArray(r) ? { num: r[0], den: r[1], failed: false } : { num: r.failed, den: r.of, failed: true };
}

/**
 * The column a count column is rated against, and whether it counts failures: `max:` names
 * the bound of a count of passes; a count named as `failed` in a rate column's `ratio:` is
 * rated against that ratio's `of`, as the complement (合格率 = 1 − 不合格数 / 抽查数).
 */
export function boundOf(columns: readonly Column[], column: Column): { bound: Column; failed: boolean } | undefined {
  if (column.type !== 'count') return undefined;
  const failures = columns.map(ratioOf).find((r) => r?.failed && r.num === column.key);
  const key = failures?.den ?? column.max;
  const bound = key ? columns.find((c) => c.key === key) : undefined;
  return bound && { bound, failed: !!failures };
}

const tableFile = z
  .string()
  .min(1)
  .regex(/\.(csv|txt|xlsx)$/i, { message: '表格文件应为 .csv 或 .xlsx' })
  .describe('表格文件（.csv 或 .xlsx），与 bulletin.yaml 同目录');

/** What a rectification table may say of a site of the previous period's list. */
export const RECTIFICATION_STATUS = ['已整改', '已关停', '已上移', '未整改'] as const;
export type RectificationStatus = (typeof RECTIFICATION_STATUS)[number];

export const TableSpec = z.strictObject({
  id: key.describe('表格的英文键名'),
  file: tableFile,
  sheet: z.string().min(1).optional().describe('.xlsx 文件中的工作表名；不填则用第一个工作表'),
  columns: z.array(Column).min(1),
  account: z
    .strictObject({ platform: key.describe('平台所在的列'), name: key.describe('账号名称所在的列') })
    .optional()
    .describe('政务新媒体名单（没有网站标识码）：平台和账号名称所在的列；登记册按「平台 + 账号名称」记录每个账号'),
  register: z
    .boolean()
    .optional()
    .describe('是否记入各期问题网站登记册（tongbao sites、连续被通报的核对）：有网站标识码列（或 account）的附件名单默认记入；数据表（如全部抽查网站的逐站结果）默认不记入，问题名单放在 tables 中时写 true'),
});
export type TableSpec = z.output<typeof TableSpec>;

/**
 * A data table recording what became of the previous period's problem sites: a site-code
 * column, a status column (type status) and optionally a date column.
 */
export const RectificationSpec = TableSpec.extend({
  kind: z.literal('rectification').describe('rectification 整改情况表：上一期通报的问题网站各自的整改状态（已整改、已关停、已上移、未整改）和日期'),
}).describe('整改情况表');

export const Attachment = TableSpec.extend({
  kind: z.enum(['table', 'matrix']).describe('table 名单表格；matrix 勾选矩阵（√）'),
  title: z.string().min(1).describe('附件标题'),
  note: z.string().optional().describe('表下注，如「注：……」'),
  orientation: z
    .enum(['auto', 'portrait', 'landscape'])
    .default('auto')
    .describe('PDF 中的排法：auto 竖排放不下（列挤到只剩一两个字宽、或有单字成行）时横排（默认）；portrait 总是竖排；landscape 总是横排。横排页的表头朝订口，页码位置与其他页相同（GB/T 9704 第 8 条）'),
  print: z
    .enum(['attachment', 'inline'])
    .default('attachment')
    .describe('印在哪里：attachment 作为附件印在文后（默认，按顺序编号）；inline 印在正文中 {{table 表格id}} 所在的位置，不作为附件'),
}).describe('附件');
export type Attachment = z.output<typeof Attachment>;

/** The attachments printed after the circular, numbered 附件1, 附件2…: those not printed in the text. */
export function numberedAttachments<T extends { print?: 'attachment' | 'inline' }>(attachments: readonly T[]): T[] {
  return attachments.filter((a) => a.print !== 'inline');
}

// Charts: pictures of numbers a table already holds. Each names its source table and columns;
// the values are read from the loaded table or its computed figures, never typed here.
const chartBase = {
  id: key.describe('图表的英文键名，在页面中作锚点'),
  title: z.string().min(1).describe('图表标题，也是图表的无障碍名称'),
  table: key.describe('数据来源：tables 或 attachments 中某个表格的 id'),
  note: z.string().min(1).optional().describe('图下说明'),
  print: z.boolean().default(false).describe('是否也印入 PDF；正式通报默认不含图表，只在网页上显示'),
};

export const SeriesChart = z
  .strictObject({
    ...chartBase,
    kind: z.literal('series').describe('series 按期次的折线（如各季度合格率）'),
    table: key.optional().describe('数据来源：tables 或 attachments 中某个表格的 id；不填则按 figure 从年内各期的数据取值'),
    x: key.optional().describe('期次（横轴）所在的列；不填则用表格的第一列文字列'),
    value: key.optional().describe('数值所在的列：percent、count 或 integer 列（有 table 时必填）'),
    figure: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/, { message: '写数字的名称，如 districts.passed.rate' })
      .optional()
      .describe('每一期自己的数字的名称（如 districts.passed.rate）：不写 table 时折线取年内各期的这个数字，缺数据的期次留空；同时写了 table 时，表格中每一行都与该期自己的数字核对'),
  })
  .describe('按期次的折线图');

export const BarsChart = z
  .strictObject({
    ...chartBase,
    kind: z.literal('bars').describe('bars 按地区等分项的条形图，从大到小排列'),
    label: key.optional().describe('分项名称所在的列；不填则用地区列或第一列文字列'),
    value: key.describe('数值所在的列：percent、count 或 integer 列；声明了 max 的合格数列按合格率画'),
    digits: z.number().int().min(0).max(3).optional().describe('算出的比例保留几位小数（百分数），默认 1'),
    order: z.enum(['desc', 'asc', 'table']).default('desc').describe('desc 从大到小（默认），asc 从小到大，table 按表格顺序'),
  })
  .describe('分项条形图');

export const CoverageChart = z
  .strictObject({
    ...chartBase,
    kind: z.literal('coverage').describe('coverage 勾选矩阵中每个勾选列的覆盖比例（√ 数/总数）'),
    columns: z.array(key).min(1).optional().describe('要画的勾选列；不填则画全部勾选列'),
    digits: z.number().int().min(0).max(3).optional().describe('比例保留几位小数（百分数），默认 1'),
  })
  .describe('勾选列覆盖比例图');

export const Chart = z.discriminatedUnion('kind', [SeriesChart, BarsChart, CoverageChart]).describe('图表');
export type Chart = z.output<typeof Chart>;
export const CHART_KINDS = ['series', 'bars', 'coverage'] as const;

const figureValue = z.union([z.number(), z.string().min(1)]);

/**
 * The elements of an official document (GB/T 9704-2012) beyond the body, each optional. The
 * PDF shows all that is declared; the portal page, a web article, only with `portal: true`.
 */
export const OfficialDocument = z
  .strictObject({
    copy_number: z.string().regex(/^\d{1,6}$/, { message: '份号为 1 至 6 位数字' }).optional().describe('份号，如 000001'),
    classification: z.enum(['秘密', '机密', '绝密']).optional().describe('密级'),
    classification_period: z.string().min(1).optional().describe('保密期限，如 1年；与密级连写为「秘密★1年」'),
    urgency: z.enum(['特急', '加急', '特提', '平急']).optional().describe('紧急程度'),
    issuer_mark: z.string().min(1).optional().describe('发文机关标志，如「××市人民政府办公室文件」，红色居中'),
    number: z.string().min(1).optional().describe('发文字号，如「×政办函〔2017〕12号」'),
    signer: z.string().min(1).optional().describe('签发人姓名（上行文）：印在发文机关标志下空二行的右侧，发文字号移到左侧'),
    format: z.enum(['document', 'letter']).default('document').describe('版式：document 为文件格式；letter 为信函格式（GB/T 9704 第 10.1 条：红色双线，首页不印页码，版记不印印发机关）'),
    addressee: z.string().min(1).optional().describe('主送机关，标题下一行顶格，以全角冒号结尾'),
    annotation: z.string().min(1).optional().describe('附注，印在成文日期下一行，加圆括号'),
    seal: z.string().regex(/\.(png|svg)$/i, { message: '印章图片应为 .png 或 .svg' }).optional().describe('印章图片（与 bulletin.yaml 同目录），压在落款和日期上'),
    cc: z.string().min(1).optional().describe('抄送机关（版记），如「××委办公室，××人大常委会办公室。」'),
    printed_by: z.string().min(1).optional().describe('印发机关（版记）'),
    printed_on: z.string().regex(DATE_PATTERN, { message: '日期应写作 2017-01-20 或 2017年1月20日' }).optional().describe('印发日期（版记）'),
    portal: z.boolean().default(false).describe('网页版也显示份号、发文机关标志和版记等（默认只在 PDF 中显示）'),
  })
  .describe('公文的版头、主送、附注、印章和版记（GB/T 9704-2012），均可选');
export type OfficialDocument = z.output<typeof OfficialDocument>;

export const ReportedFigure = z.union([
  figureValue,
  z.strictObject({
    value: figureValue.nullable().describe('按正文印出的写法，如 7535、"91%"、"97.2%"；null 表示尚未填写'),
    label: z.string().optional().describe('这个数字是什么'),
    check: z.string().optional().describe('与之核对的计算数字的名称，如 institutions.assessment.share'),
    where: z
      .record(key, z.string().regex(/^\s*-?\d{1,15}\s*\.\.\s*-?\d{1,15}\s*$/, { message: '写作 "最小..最大"，如 "0..339"' }))
      .optional()
      .describe('check 中正文没有印出的整数（未知数）及其范围，如 { n: "0..339" }：范围内有一个整数使 check 印为正文的数即相符'),
    severity: z.enum(['error', 'warning']).optional().describe('核对不一致时是错误（默认）还是警告'),
    note: z.string().optional().describe('说明'),
  }),
]);
export type ReportedFigure = z.output<typeof ReportedFigure>;

/**
 * A claim the text makes of its figures without printing one (抽查比例不低于10%): a comparison,
 * or comparisons joined by and/or, checked like a figure; written alone or with what the text says.
 */
export const Claim = z.union([
  z.string().min(1).describe('比较，如 "regions.sampled.sum / running >= 10%"'),
  z.strictObject({
    check: z.string().min(1).describe('比较：>=、>、<、<=、=、≠（也可写 ≥ ≤ !=），几个比较用 and、or 连接；数字的名称、算式、90%、3个百分点、表格[名称].列.统计'),
    label: z.string().min(1).optional().describe('说明：正文中的说法，如「抽查比例不低于10%」'),
    severity: z.enum(['error', 'warning']).optional().describe('不成立时是错误（默认）还是警告'),
    note: z.string().optional().describe('备注'),
  }),
]);
export type Claim = z.output<typeof Claim>;

/** Names a figure may not take: templates use them for the bulletin's own fields. */
export const RESERVED_NAMES = ['title', 'office', 'signatory', 'source', 'published', 'signed', 'sampling', 'period', 'previous_period', 'next_period', 'attachments', 'previous', 'keywords', 'fonts', 'document', 'title_lines'];

/**
 * The helpers of the circular (render/helpers.ts registers these and no others): a figure of
 * one of these names could not be printed, `{{list}}` calling the helper instead.
 */
export const HELPER_NAMES = ['percent', 'date', 'change', 'growth', 'table', 'list', 'cn', 'if', 'unless', 'each', 'with', 'lookup', 'log', 'helperMissing', 'blockHelperMissing'];

export const Bulletin = z
  .strictObject({
    title: z.string().min(1).describe('通报标题'),
    title_lines: z.array(z.string().min(1)).min(1).optional().describe('标题分行（可选）：按词分行、连起来与 title 相同；不填则自动按词意分成梯形或菱形'),
    period: period.describe('期次，与目录名一致'),
    previous: period.optional().describe('上一期的期次，用于环比'),
    office: z.string().min(1).describe('发文机关'),
    region: z
      .string()
      .regex(/^\d{6}$/, { message: '应为 6 位 GB/T 2260 行政区划代码，如 330523' })
      .optional()
      .describe('本机关所在地区的 6 位 GB/T 2260 行政区划代码（tongbao init --region 写入）：网站标识码的前六位应在这个地区之内'),
    workbook: z
      .string()
      .regex(/\.xlsx$/i, { message: '工作簿应为 .xlsx 文件' })
      .optional()
      .describe('本期的 Excel 工作簿（与 bulletin.yaml 同目录）：「基本信息」工作表的文号、成文日期、发布日期、抽查日期、主送、署名和「数字」工作表的数字（名称、说明、数值）从这里读取，不必写在本文件中'),
    signatory: z.string().min(1).optional().describe('发文机关署名，印在成文日期上方；不填则用发文机关（office）'),
    source: z.string().min(1).describe('信息来源'),
    published: date.describe('发布日期'),
    signed: date.describe('成文日期（落款日期）'),
    sampling: z
      .strictObject({ from: date, to: date })
      .optional()
      .describe('抽查采样时间'),
    document: OfficialDocument.optional(),
    keywords: z.array(z.string().min(1)).optional().describe('PDF 的关键词；不填则用「通报」「政府网站抽查」和期次'),
    fonts: z
      .enum(['auto', 'free', 'official'])
      .default('auto')
      .describe('PDF 字体：auto 有正式字体（fonts/ 目录）就用，否则用免费字体；free 只用免费字体；official 必须用正式字体'),
    archive: z
      .boolean()
      .default(false)
      .describe('生成 PDF/A-2b 归档版 PDF（与 tongbao build --archive 相同）'),
    docx: z
      .boolean()
      .default(false)
      .describe('tongbao build 同时生成供审签、可编辑的 Word 文档 bulletin.docx（按 GB/T 9704 的文档网格；与 --format docx 相同）'),
    ofd: z
      .boolean()
      .default(false)
      .describe('tongbao build 同时生成 OFD 版式文件 bulletin.ofd（GB/T 33190，与 PDF 逐页相同，文字仍是文字；与 --format ofd 相同）'),
    figures: z.record(key, ReportedFigure).default({}).describe('正文中报告的数字，按印出的写法填写'),
    claims: z.array(Claim).default([]).describe('正文中不印出数字的说法（如「抽查比例不低于10%」「四川在90%以上」），每条是一个比较，与数字一样核对，不成立时指出它在本文件中的行'),
    tables: z
      .array(z.union([RectificationSpec, TableSpec]))
      .default([])
      .describe('不作为附件印出的数据表；kind: rectification 的是上一期问题网站的整改情况表'),
    repeat: z
      .enum(['info', 'warning'])
      .default('info')
      .describe('本期名单中上一期也被通报的网站（连续被通报）：info 作为提示列出（默认），warning 作为警告'),
    attachments: z.array(Attachment).default([]).describe('附件，按顺序编号'),
    charts: z.array(Chart).default([]).describe('图表：默认只在网页上显示，print: true 的也印入 PDF'),
    accept: z
      .array(
        z.strictObject({
          rule: z.string().min(1).describe('问题的规则名（tongbao check --json 中的 rule）：只能是原文印错的数字 figures/disagree、figures/rate、figures/total、figures/history（可省去 figures/）；其他问题不能接受，须改正'),
          at: z.string().min(1).describe('问题的位置：表格文件:行名:列名（districts.csv:青石县:合格率）、表格文件:行号:列名（districts.csv:8:合格率），或正文数字的名称（overall_rate）'),
          value: z.union([z.string(), z.number()]).optional().describe('接受的数字，照印出的写法，如 "86.66%"：印出的数变了，问题重新报告'),
          computed: z.union([z.string(), z.number()]).optional().describe('按数据应为的数，照 tongbao check 的消息，如 "86.67%"：数据变了，问题重新报告'),
          reason: z.string().min(1).describe('为什么保留原样，如「原文如此，照录」'),
        }),
      )
      .default([])
      .describe('按原文照录时保留的已知问题：每项只接受一个位置上的一个数（value 印出的、computed 按数据应为的），变为注明理由的警告，生成照常进行；没有对应问题的项是错误，数字变了的项已过时，问题重新报告'),
  })
  .superRefine((b, ctx) => {
    if (b.title_lines && b.title_lines.join('') !== b.title)
      ctx.addIssue({ code: 'custom', path: ['title_lines'], message: `title_lines 连起来应与 title 完全相同：「${b.title_lines.join('')}」与「${b.title}」不同` });
  })
  .describe('一期通报的数据说明（bulletin.yaml）');
export type Bulletin = z.output<typeof Bulletin>;

export function bulletinJsonSchema(): object {
  return z.toJSONSchema(Bulletin, { io: 'input', target: 'draft-7' });
}
