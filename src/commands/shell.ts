// What every command shares: the options, the help text, the exit codes, how output is
// written, and the summary line of a check. The commands themselves are one file each.
import { parseArgs } from 'node:util';
import path from 'node:path';
import { displayPath, isPeriod, listPeriods, periodPaths } from '../bulletin.js';
import { existsSync } from 'node:fs';
import type { CheckResult } from '../check/index.js';
import { periodHint } from '../periods.js';

export const HELP = `用法：tongbao <命令> [期次] [选项]

命令：
  init <期次>      从零新建第一期：--office 发文机关 --region 行政区划代码 [--media] [--kind 级别]
  check <期次>     读取并核对一期通报的数据，列出所有问题
  new <期次>       以上一期为底新建一期（--from <期次> 指定沿用哪一期）
  stats <期次>     列出全部数字：取值、印出的写法和来历（--json 供程序读取）
  build <期次>     生成通报：out/<期次>/index.html、bulletin.pdf（可加 bulletin.docx）和校验文件 SHA256SUMS（不写期次则为最新一期；--all 生成所有期次）
  dev [期次]       在 http://127.0.0.1:4321/ 预览，保存即刷新（--port 换端口）
  verify <目录>    核对生成的目录（如 out/2016Q4）：SHA256SUMS 和 PDF 的签名
  schema           重新生成 data/bulletin.schema.json（编辑器据此检查 YAML）
  sites [标识码]    各期被通报网站的登记册（按网站标识码）：被通报期次、整改状态；写标识码则列出该网站的历次记录
                   （--period、--region、--status 筛选；--csv 输出供 Excel 打开的 CSV）

选项：
  --root <目录>    工作目录（含 data/、content/、templates/），默认为当前目录
  --format <格式>   build 的输出：html、pdf、docx、ofd 或 all（默认；bulletin.yaml 写 docx: true、ofd: true
                   时含 Word 文档、OFD）
                   docx 生成供审签的 Word 文档 bulletin.docx（同时生成 PDF，版式取自 PDF 的排版）
                   ofd 生成与 PDF 逐页相同的 OFD 版式文件 bulletin.ofd（GB/T 33190，同时生成 PDF）
  --docx-figures <方式>
                   Word 文档中来自数据的数字：plain（默认）不标记；highlight 用字符样式「数据」加底色标出，便于审核
  --archive        build 生成 PDF/A-2b 归档版 PDF（也可在 bulletin.yaml 中写 archive: true）
  --sign           build 用证书对 PDF 签名（PAdES；同时生成 PDF/A-2b）
  --p12 <文件>      签名证书（.p12/.pfx，含私钥）；口令取自环境变量 TONGBAO_SIGN_PASSWORD，
                   未设置时在终端中询问
  --key <文件> --cert <文件>
                   签名也可用 PEM 格式的私钥和证书（证书文件中可接着放证书链）；私钥加密时口令同上
  --tsa <网址>      build --sign 时向这个 RFC 3161 时间戳服务器取时间戳，证明签名的时间（PAdES B-T）
  --report         check 另写核对报告 out/<期次>/check-report.html（已接受的问题及理由、其余问题、正文数字的核对）
  --ltv            build --sign 时把证书链和吊销信息（CRL、OCSP）存入 PDF，证书过期后仍可验证（PAdES B-LT）
  --unsigned       build 明知地替换（或删去）out/ 中签名的、PDF/A 的或签名级别更高的 PDF（否则保留它，数据改过时拒绝生成）
  --trust <文件>    verify 核对签名证书能否通到这些根证书（PEM 或 DER，须是 CA 证书）：证书链、有效期（有时间戳时按时间戳的时间）、密钥用途
  --signed         verify 要求是签名的生成结果：SHA256SUMS 和每个 PDF 都有有效签名
  --period <期次>   sites 只列出该期被通报的网站
  --region <地区>   sites 只列出该地区的网站
  --status <状态>   sites 只列出该整改状态的网站：已整改、已关停、已上移、未整改、待整改（被通报后尚无整改记录）
  --csv            sites 输出 CSV（UTF-8 带 BOM、CRLF 换行，Excel 可直接打开）
  --json           以 JSON 输出结果，供其他程序读取
  --quiet          只输出错误和警告
  -h, --help       显示本帮助；tongbao help <命令> 或 tongbao <命令> --help 显示该命令的用法
  -v, --version    显示版本

退出码：0 成功（可能有警告），1 数据有错误或核对未通过，2 用法错误。
`;

/** Each command's own help: `tongbao help <命令>`, `tongbao <命令> --help`. */
export const COMMAND_HELP: Record<string, string> = {
  init: `用法：tongbao init <期次> --office <发文机关> --region <行政区划代码> [--media] [--kind <级别>]

从零新建第一期通报：data/<期次>/bulletin.yaml（表格和数字的声明，带中文注释）、一个 Excel 工作簿
data/<期次>/<期次>检查数据.xlsx（「基本信息」「数字」和每个表格一张工作表，带表头、百分比格式和下拉列表）、
content/<期次>/circular.md（正文，数字都取自工作簿）。之后每期用 tongbao new。

  --office <名称>   发文机关，如 安吉县人民政府办公室
  --region <代码>   本机关所在地区的 6 位 GB/T 2260 行政区划代码，如 330523（安吉县）；
                   地区下拉列表取其下一级（乡镇街道、区县或市）。全国和部门通报可不写
  --media          同时检查政务新媒体（加上各平台抽查情况表和问题账号名单）
  --kind <级别>     national 全国、province 省级、city 市级、county 县级、department 部门；
                   不写则按 --region 的代码判断

例：tongbao init 2024Q1 --office 安吉县人民政府办公室 --region 330523 --media
然后在 Excel 或 WPS 中填写工作簿，运行 tongbao check 2024Q1（列出还没填的单元格），再 tongbao build 2024Q1。
`,
  new: `用法：tongbao new <期次> [--from <期次>]

以上一期为底新建一期：bulletin.yaml 和正文沿用，日期顺延；工作簿仍是工作簿（工作表、表头、格式、
下拉列表和公式保留，数据行清空，文件名改为新期次）；数字清空待填，文号清空。上一期的文件不变。

  --from <期次>     沿用哪一期（默认是新期次之前最近的一期）

例：tongbao new 2024Q2
`,
  check: `用法：tongbao check [期次] [--report] [--json] [--quiet]

读取并核对一期通报的数据（不写期次则为最新一期），列出所有问题：文件、行列或工作簿中的单元格
（如 2024Q1检查数据.xlsx!问题网站!B3），原因和改法。有错误时退出码为 1。

  --report         另写核对报告 out/<期次>/check-report.html
  --json           以 JSON 输出
  --quiet          只输出错误和警告
`,
  build: `用法：tongbao build [期次] [--format html|pdf|docx|ofd|all] [--all] [--archive] [--sign …]

生成通报：out/<期次>/index.html、bulletin.pdf（可加 bulletin.docx、bulletin.ofd）和校验文件 SHA256SUMS。
数据有错误时不生成，上一次的结果保留。

  --format <格式>   html、pdf、docx、ofd 或 all（默认）
  --all            生成所有期次
  --archive        生成 PDF/A-2b 归档版
  --sign           用证书签名（--p12 <文件>，或 --key <文件> --cert <文件>；口令取自 TONGBAO_SIGN_PASSWORD）
  --tsa <网址>      签名时取 RFC 3161 时间戳；--ltv 存入证书链和吊销信息
`,
  stats: `用法：tongbao stats [期次] [--json]

列出一期的全部数字：取值、印出的写法和来历（表格、行、算式）。
`,
  dev: `用法：tongbao dev [期次] [--port <端口>]

在 http://127.0.0.1:4321/ 预览一期通报，保存数据、正文或工作簿即刷新。
`,
  verify: `用法：tongbao verify <目录> [--signed] [--trust <文件>]

核对生成的目录（如 out/2024Q1）：SHA256SUMS 和 PDF 的签名。
`,
  schema: `用法：tongbao schema

重新生成 data/bulletin.schema.json（编辑器据此检查 bulletin.yaml）。
`,
  sites: `用法：tongbao sites [标识码] [--period <期次>] [--region <地区>] [--status <状态>] [--csv]

各期被通报网站的登记册（按网站标识码）：被通报期次、整改状态；写标识码则列出该网站的历次记录。
`,
};

export const VERSION = 'tongbao 0.1.0\n';

/** Exit codes: 0 done (warnings allowed), 1 the data or a check failed, 2 a usage error, 130 interrupted. */
export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

export class UsageError extends Error {}

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

export const defaultIo: Io = {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
};

const OPTIONS = {
  root: { type: 'string', default: '.' },
  json: { type: 'boolean', default: false },
  format: { type: 'string', default: 'all' },
  'docx-figures': { type: 'string', default: 'plain' },
  from: { type: 'string' },
  office: { type: 'string' },
  kind: { type: 'string' },
  media: { type: 'boolean', default: false },
  port: { type: 'string', default: '4321' },
  all: { type: 'boolean', default: false },
  archive: { type: 'boolean', default: false },
  sign: { type: 'boolean', default: false },
  signed: { type: 'boolean', default: false },
  report: { type: 'boolean', default: false },
  csv: { type: 'boolean', default: false },
  period: { type: 'string' },
  region: { type: 'string' },
  status: { type: 'string' },
  p12: { type: 'string' },
  key: { type: 'string' },
  cert: { type: 'string' },
  tsa: { type: 'string' },
  trust: { type: 'string' },
  ltv: { type: 'boolean', default: false },
  unsigned: { type: 'boolean', default: false },
  quiet: { type: 'boolean', short: 'q', default: false },
  help: { type: 'boolean', short: 'h', default: false },
  version: { type: 'boolean', short: 'v', default: false },
} as const;

export type Flags = ReturnType<typeof parseArgs<{ args: string[]; allowPositionals: true; options: typeof OPTIONS }>>['values'];

/** What a command is given: the workspace, its arguments after the command's name, the options. */
export interface Invocation {
  root: string;
  args: string[];
  flags: Flags;
  io: Io;
  /** Aborted by Ctrl-C, TERM or HUP. */
  signal: AbortSignal;
}

/** The options and positionals; a UsageError for an unknown option or a missing value. */
export function parseCommandLine(argv: string[]): { flags: Flags; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
    return { flags: values, positionals };
  } catch (e) {
    throw new UsageError(usageReason(e as Error));
  }
}

function usageReason(e: Error): string {
  const m = /Unknown option '([^']+)'/.exec(e.message);
  if (m) return `未知选项 ${m[1]}`;
  const v = /Option '([^']+)' argument missing/.exec(e.message);
  if (v) return `选项 ${v[1]} 需要一个值`;
  return e.message;
}

/** The one period a command names, or the latest one when none is named; a usage error when it does not exist. */
export function onePeriod(root: string, rest: string[]): string {
  if (rest.length > 1) throw new UsageError(`多余的参数：${rest.slice(1).join(' ')}`);
  const known = listPeriods(root);
  const period = rest[0] ?? known.at(-1);
  if (!period) throw new UsageError(`${path.join(root, 'data')} 中没有任何一期通报；还没有任何一期时，用 tongbao init <期次> --office <发文机关> --region <行政区划代码> 新建第一期`);
  if (!isPeriod(period)) throw new UsageError(`「${period}」不是期次（${periodHint(period)}）`);
  const yaml = periodPaths(root, period).yaml;
  if (!existsSync(yaml)) {
    throw new UsageError(`期次 ${period} 不存在：没有找到 ${displayPath(yaml)}（${known.length ? `已有的期次：${known.join('、')}` : '还没有任何一期时，用 tongbao init <期次> --office <发文机关> --region <行政区划代码> 新建第一期'}）`);
  }
  return period;
}

export function counts(result: CheckResult) {
  const errors = result.messages.filter((m) => m.severity === 'error').length;
  const warnings = result.messages.filter((m) => m.severity === 'warning').length;
  return { errors, warnings, infos: result.messages.length - errors - warnings };
}

export function summary(result: CheckResult): string {
  const { errors, warnings, infos } = counts(result);
  const verdict = errors ? '未通过' : '通过';
  return `${result.period} 检查${verdict}：${result.files} 个文件，${result.rows} 行数据，${errors} 个错误，${warnings} 个警告${infos ? `，${infos} 条提示` : ''}`;
}

export function checkJson(result: CheckResult) {
  return { period: result.period, ok: result.ok, files: result.files, rows: result.rows, ...counts(result), messages: result.messages };
}

/** 2026年11月27日 21:34:47（北京时间） */
export function chinaTime(d: Date): string {
  const c = new Date(d.getTime() + 8 * 3600_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${c.getUTCFullYear()}年${c.getUTCMonth() + 1}月${c.getUTCDate()}日 ${p(c.getUTCHours())}:${p(c.getUTCMinutes())}:${p(c.getUTCSeconds())}（北京时间）`;
}
