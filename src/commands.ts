// The commands: arguments in, exit code out. All the work is in the library. (cli.ts starts
// Chromium first for a build, then loads this.)
import { parseArgs } from 'node:util';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { checkBulletin, type CheckResult } from './check.js';
import { FORMATS, Interrupted, PrintError, buildBulletin, renderBulletin, type Format } from './build.js';
import { BrowserNotFound, closeBrowser, launchBrowser } from './render/browser.js';
import { takePrelaunched } from './render/early.js';
import { startPreview, type Preview } from './preview.js';
import { listPeriods } from './bulletin.js';
import { formatMessage, type Message } from './messages.js';
import { display, exactJSON, type Figure } from './figures/figure.js';
import { bulletinJsonSchema } from './schema.js';
import { newPeriod } from './new.js';

const HELP = `用法：tongbao <命令> [期次] [选项]

命令：
  check <期次>     读取并核对一期通报的数据，列出所有问题
  new <期次>       以上一期为底新建一期（--from <期次> 指定沿用哪一期）
  stats <期次>     列出全部数字：取值、印出的写法和来历（--json 供程序读取）
  build <期次>     生成通报：out/<期次>/index.html、bulletin.pdf 和校验文件 SHA256SUMS（不写期次则为最新一期；--all 生成所有期次）
  dev [期次]       在 http://127.0.0.1:4321/ 预览，保存即刷新（--port 换端口）
  verify <目录>    核对生成的目录（如 out/2016Q4）：SHA256SUMS 和 PDF 的签名
  schema           重新生成 data/bulletin.schema.json（编辑器据此检查 YAML）

选项：
  --root <目录>    工作目录（含 data/、content/、templates/），默认为当前目录
  --format <格式>   build 的输出：html、pdf 或 all（默认）
  --archive        build 生成 PDF/A-2b 归档版 PDF（也可在 bulletin.yaml 中写 archive: true）
  --sign           build 用证书对 PDF 签名（PAdES；同时生成 PDF/A-2b）
  --p12 <文件>      签名证书（.p12/.pfx，含私钥）；口令取自环境变量 TONGBAO_SIGN_PASSWORD，
                   未设置时在终端中询问
  --json           以 JSON 输出结果，供其他程序读取
  --quiet          只输出错误和警告
  -h, --help       显示本帮助
  -v, --version    显示版本

退出码：0 成功（可能有警告），1 数据有错误或核对未通过，2 用法错误。
`;

export class UsageError extends Error {}

interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

const defaultIo: Io = {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
};

export async function main(argv: string[], io: Io = defaultIo): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        root: { type: 'string', default: '.' },
        json: { type: 'boolean', default: false },
        format: { type: 'string', default: 'all' },
        from: { type: 'string' },
        port: { type: 'string', default: '4321' },
        all: { type: 'boolean', default: false },
        archive: { type: 'boolean', default: false },
        sign: { type: 'boolean', default: false },
        p12: { type: 'string' },
        quiet: { type: 'boolean', short: 'q', default: false },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', short: 'v', default: false },
      },
    });
  } catch (e) {
    io.err(`tongbao: ${usageReason(e as Error)}\n运行 tongbao --help 查看用法\n`);
    return 2;
  }
  const { values, positionals } = args;
  if (values.help) {
    io.out(HELP);
    return 0;
  }
  if (values.version) {
    io.out('tongbao 0.1.0\n');
    return 0;
  }
  const [command, ...rest] = positionals;
  const root = path.resolve(values.root);
  try {
    switch (command) {
      case 'check':
        return await runCheck(root, onePeriod(root, rest), values, io);
      case 'build':
        if (values.all) {
          if (rest.length) throw new UsageError('--all 不能与期次同用');
          return await runBuildAll(root, values, io);
        }
        return await runBuild(root, onePeriod(root, rest), values, io);
      case 'new': {
        if (rest.length !== 1) throw new UsageError('new 需要一个期次，如 tongbao new 2017Q1 --from 2016Q4');
        const r = await newPeriod(root, rest[0]!, values.from);
        for (const m of r.messages) io.err(formatMessage(m) + '\n');
        if (r.ok && !values.quiet) {
          io.out(`已新建 ${rest[0]}：\n${r.created.map((f) => `  ${f}`).join('\n')}\n填好表格和 bulletin.yaml 中 value: null 的数字后，运行 tongbao check ${rest[0]} 核对\n`);
        }
        return r.ok ? 0 : 1;
      }
      case 'dev':
        return await runDev(root, onePeriod(root, rest), values, io);
      case 'verify':
        return await runVerify(root, rest, values, io);
      case 'stats':
        return await runStats(root, onePeriod(root, rest), values, io);
      case 'schema': {
        const file = path.join(root, 'data', 'bulletin.schema.json');
        writeFileSync(file, JSON.stringify(bulletinJsonSchema(), null, 2) + '\n');
        if (!values.quiet) io.out(`已写入 ${path.relative(process.cwd(), file) || file}\n`);
        return 0;
      }
      case undefined:
        io.err(HELP);
        return 2;
      default:
        throw new UsageError(`未知命令「${command}」`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`tongbao: ${e.message}\n运行 tongbao --help 查看用法\n`);
      return 2;
    }
    // Not the user's doing: say so plainly; the stack only when asked for.
    io.err(`tongbao: 内部错误：${(e as Error).message}（请把这条信息报告给维护者；设置 TONGBAO_DEBUG=1 可看到详细位置）\n`);
    if (process.env['TONGBAO_DEBUG']) io.err(`${(e as Error).stack}\n`);
    return 1;
  }
}

function onePeriod(root: string, rest: string[]): string {
  if (rest.length > 1) throw new UsageError(`多余的参数：${rest.slice(1).join(' ')}`);
  if (rest[0]) return rest[0];
  const latest = listPeriods(root).at(-1);
  if (!latest) throw new UsageError(`${path.join(root, 'data')} 中没有任何一期通报；请指明期次`);
  return latest;
}

async function runCheck(root: string, period: string, opts: { json: boolean; quiet: boolean }, io: Io): Promise<number> {
  // Rendering in memory too: the circular's bindings and lint are part of the check.
  const result = await renderBulletin(root, period);
  if (opts.json) {
    io.out(JSON.stringify(checkJson(result), null, 2) + '\n');
  } else {
    for (const m of result.messages) io.err(formatMessage(m) + '\n');
    if (!opts.quiet) io.out(summary(result) + '\n');
  }
  return result.ok ? 0 : 1;
}

async function runDev(root: string, period: string, opts: { port: string; quiet: boolean }, io: Io): Promise<number> {
  const port = Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port 应为 0–65535 的整数`);
  const log = (messages: Message[], ms: number) => {
    for (const m of messages) if (m.severity === 'error') io.err(formatMessage(m) + '\n');
    if (!opts.quiet) io.out(`${new Date().toLocaleTimeString('zh-CN', { hour12: false })} 已重新生成（${Math.round(ms)} 毫秒）${messages.some((m) => m.severity === 'error') ? '，有错误，页面保持上次的结果' : ''}\n`);
  };
  let preview: Preview;
  try {
    preview = await startPreview(root, period, { port, onRebuild: log });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      io.err(`tongbao: 端口 ${port} 已被占用（用 --port 换一个，或 --port 0 自动选择）\n`);
      return 1;
    }
    throw e;
  }
  io.out(`预览地址：${preview.url}（保存 data、content 或 templates 中的文件即自动刷新；按 Ctrl-C 退出）\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await preview.close();
  return 0;
}

interface BuildFlags {
  json: boolean;
  quiet: boolean;
  format: string;
  archive: boolean;
  sign: boolean;
  p12?: string | undefined;
}

async function runBuild(root: string, period: string, opts: BuildFlags, io: Io): Promise<number> {
  if (!FORMATS.includes(opts.format as Format)) throw new UsageError(`--format 只能是 ${FORMATS.join('、')}`);
  if (opts.p12 !== undefined && !opts.sign) throw new UsageError('--p12 要与 --sign 一起使用');
  if (opts.sign && !opts.p12) throw new UsageError('--sign 需要签名证书：--p12 <文件>');
  if (opts.sign && opts.format === 'html') throw new UsageError('--sign 签的是 PDF：不能与 --format html 一起使用');
  const sign = opts.sign ? { p12: path.resolve(opts.p12!), password: await signPassword() } : undefined;
  // Ctrl-C or a TERM from outside: stop printing, leave out/ as it was.
  const controller = new AbortController();
  const abort = () => controller.abort();
  process.once('SIGINT', abort);
  process.once('SIGTERM', abort);
  let result;
  try {
    result = await buildBulletin(root, period, {
      format: opts.format as Format,
      archive: opts.archive,
      ...(sign && { sign }),
      signal: controller.signal,
      ...progressFor(opts, io),
    });
  } catch (e) {
    if (e instanceof Interrupted) {
      io.err(`tongbao: 已中断，${period} 未生成（out/ 中上次生成的结果保持不变）\n`);
      return 130;
    }
    if (e instanceof BrowserNotFound) {
      io.err(`tongbao: ${e.message}\n`);
      return 1;
    }
    if (e instanceof PrintError) {
      io.err(`tongbao: 生成 PDF 失败：${e.message}（检查 chromium --headless --version 能否运行；可先用 --format html 只生成网页；out/ 中上次生成的结果保持不变）\n`);
      return 1;
    }
    throw e;
  } finally {
    process.off('SIGINT', abort);
    process.off('SIGTERM', abort);
  }
  if (opts.json) {
    io.out(JSON.stringify({ ...checkJson(result), written: result.written.map((f) => path.join(result.outDir ?? '', f)), ...(result.pdf && { pdf: result.pdf }), ...(result.archive && { archive: result.archive }) }, null, 2) + '\n');
  } else {
    for (const m of result.messages) if (!opts.quiet || m.severity === 'error') io.err(formatMessage(m) + '\n');
    const reason = result.pdf?.slices?.reason;
    if (reason && !opts.quiet) io.err(`提示：长表格没能分段打印（${reason}），已整体打印，用时较长\n`);
    if (!result.ok) io.err(`${period} 未生成：请先改正上面的错误（out/ 中上次生成的结果保持不变）\n`);
    else if (!opts.quiet) {
      const where = path.relative(process.cwd(), result.outDir!) || result.outDir!;
      io.out(`${summary(result)}\n已生成 ${result.written.map((f) => path.join(where, f)).join('、')}\n`);
      const a = result.archive;
      if (a) {
        const signed = a.signer ? `，已签名（签名人：${a.signer}，签名时间：${chinaTime(a.signedAt!)}）` : '';
        io.out(`bulletin.pdf 为 PDF/A-2b${signed}\n`);
      }
    }
  }
  return result.ok ? 0 : 1;
}

/** Progress lines on a terminal only: not in --quiet, --json, or when output is a file or pipe. */
function progressFor(opts: { json: boolean; quiet: boolean }, io: Io) {
  if (opts.json || opts.quiet || !process.stderr.isTTY || io !== defaultIo) return {};
  const t0 = performance.now();
  return {
    onProgress: (stage: string, detail?: string) =>
      io.err(`\x1b[2m[${((performance.now() - t0) / 1000).toFixed(1)} 秒] ${stage}${detail ? `：${detail}` : ''}\x1b[0m\n`),
  };
}

async function runBuildAll(root: string, opts: { json: boolean; quiet: boolean; format: string }, io: Io): Promise<number> {
  if (!FORMATS.includes(opts.format as Format)) throw new UsageError(`--format 只能是 ${FORMATS.join('、')}`);
  const periods = listPeriods(root);
  if (!periods.length) throw new UsageError(`${path.join(root, 'data')} 中没有任何一期通报`);
  // One browser for every period: starting Chromium costs more than printing a bulletin.
  const pre = opts.format === 'html' ? undefined : takePrelaunched();
  // Each period opens its own tab: the one opened early is not needed.
  void pre?.tab.then((t) => t.close()).catch(() => undefined);
  const browser = opts.format === 'html' ? undefined : await (pre?.browser ?? launchBrowser());
  let failed = 0;
  const results = [];
  try {
    for (const period of periods) {
      const r = await buildBulletin(root, period, { format: opts.format as Format, ...(browser && { browser }), ...progressFor(opts, io) });
      results.push(r);
      if (!r.ok) failed++;
      if (!opts.json) {
        for (const m of r.messages) if (!opts.quiet || m.severity === 'error') io.err(formatMessage(m) + '\n');
        if (!opts.quiet || !r.ok) io.out(`${summary(r)}${r.ok ? `，已生成 ${r.written.join('、')}` : '，未生成'}\n`);
      }
    }
  } finally {
    if (browser) await closeBrowser(browser);
  }
  if (opts.json) io.out(JSON.stringify(results.map((r) => ({ ...checkJson(r), written: r.written })), null, 2) + '\n');
  return failed ? 1 : 0;
}

/** The signing password: from the environment, else asked on the terminal; never an argument. */
async function signPassword(): Promise<string> {
  const env = process.env['TONGBAO_SIGN_PASSWORD'];
  if (env !== undefined) return env;
  if (!process.stdin.isTTY) throw new UsageError('没有签名口令：请设置环境变量 TONGBAO_SIGN_PASSWORD，或在终端中运行以输入口令');
  return readHidden('证书口令：');
}

/** Read a line from the terminal without echoing it. */
function readHidden(prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stderr.write(prompt);
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    let value = '';
    const done = (fn: () => void) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.removeListener('data', onData);
      process.stderr.write('\n');
      fn();
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return done(() => resolve(value));
        if (ch === '\u0003') return done(() => reject(new UsageError('已取消')));
        if (ch === '\u007f' || ch === '\b') value = [...value].slice(0, -1).join('');
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}

/** 2026年11月27日 21:34:47（北京时间） */
function chinaTime(d: Date): string {
  const c = new Date(d.getTime() + 8 * 3600_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${c.getUTCFullYear()}年${c.getUTCMonth() + 1}月${c.getUTCDate()}日 ${p(c.getUTCHours())}:${p(c.getUTCMinutes())}:${p(c.getUTCSeconds())}（北京时间）`;
}

async function runVerify(root: string, rest: string[], opts: { json: boolean; quiet: boolean }, io: Io): Promise<number> {
  if (rest.length !== 1) throw new UsageError(rest.length ? `多余的参数：${rest.slice(1).join(' ')}` : 'verify 需要一个目录，如 out/2016Q4');
  // A period names its output folder: `verify 2016Q4` means out/2016Q4.
  const given = path.resolve(rest[0]!);
  const byPeriod = path.join(root, 'out', rest[0]!);
  const dir = existsSync(given) ? given : existsSync(byPeriod) ? byPeriod : undefined;
  if (!dir || !statSync(dir).isDirectory()) throw new UsageError(`没有目录「${rest[0]}」`);
  const shown = (f: string) => path.relative(process.cwd(), f) || f;
  // Loaded here only: its PKI libraries would slow every other command's start.
  const { verifyFolder } = await import('./archive/verify.js');
  const result = verifyFolder(dir, shown);
  if (opts.json) {
    io.out(JSON.stringify({ dir: shown(dir), ok: result.ok, checked: result.checked, signatures: result.signatures, messages: result.messages }, null, 2) + '\n');
    return result.ok ? 0 : 1;
  }
  for (const m of result.messages) io.err(formatMessage(m) + '\n');
  if (!result.ok) {
    io.err(`${shown(dir)} 核对未通过：${result.messages.filter((m) => m.severity === 'error').length} 处问题\n`);
    return 1;
  }
  if (!opts.quiet) {
    io.out(`${shown(dir)} 核对通过：${result.checked.length} 个文件与 SHA256SUMS 一致\n`);
    for (const s of result.signatures) {
      const when = s.time ? `，签名时间 ${chinaTime(s.time)}` : '';
      io.out(`${s.file}：签名有效，签名人 ${s.signer}（${s.subject}）${when}，签名覆盖整个文件\n`);
    }
    if (result.signatures.length) io.out('（未核对签名证书是否由受信任的机构签发）\n');
    else io.out('其中没有签名的 PDF\n');
  }
  return 0;
}

async function runStats(root: string, period: string, opts: { json: boolean; quiet: boolean }, io: Io): Promise<number> {
  const result = await checkBulletin(root, period);
  for (const m of result.messages) if (!opts.quiet || m.severity === 'error') io.err(formatMessage(m) + '\n');
  const figures = [...(result.figures?.values() ?? [])];
  if (opts.json) {
    io.out(JSON.stringify({ period, ok: result.ok, figures: figures.map(figureJson) }, null, 2) + '\n');
  } else {
    for (const f of figures) {
      const d = f.derivation;
      const where = d?.place ?? (d?.file ? `${d.file} ` : '');
      const how = d ? `  ← ${where}${d.formula}${d.rows?.length ? `（第 ${compactLines(d.rows)} 行）` : ''}` : '';
      io.out(`${f.name}  ${display(f.value)}  ${f.label}${how}\n`);
    }
  }
  return result.ok ? 0 : 1;
}

function figureJson(f: Figure) {
  return { name: f.name, label: f.label, source: f.source, type: f.value.type, value: exactJSON(f.value), display: display(f.value), derivation: f.derivation };
}

/** 2,3,4,7 → 2–4、7 */
function compactLines(lines: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < lines.length; ) {
    let j = i;
    while (j + 1 < lines.length && lines[j + 1] === lines[j]! + 1) j++;
    parts.push(j > i ? `${lines[i]}–${lines[j]}` : String(lines[i]));
    i = j + 1;
  }
  return parts.join('、');
}

function counts(result: CheckResult) {
  const errors = result.messages.filter((m) => m.severity === 'error').length;
  return { errors, warnings: result.messages.length - errors };
}

function summary(result: CheckResult): string {
  const { errors, warnings } = counts(result);
  const verdict = errors ? '未通过' : '通过';
  return `${result.period} 检查${verdict}：${result.files} 个文件，${result.rows} 行数据，${errors} 个错误，${warnings} 个警告`;
}

function checkJson(result: CheckResult) {
  return { period: result.period, ok: result.ok, files: result.files, rows: result.rows, ...counts(result), messages: result.messages };
}

function usageReason(e: Error): string {
  const m = /Unknown option '([^']+)'/.exec(e.message);
  if (m) return `未知选项 ${m[1]}`;
  const v = /Option '([^']+)' argument missing/.exec(e.message);
  if (v) return `选项 ${v[1]} 需要一个值`;
  return e.message;
}
