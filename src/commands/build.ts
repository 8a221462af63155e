// `tongbao build [期次] [--all] [--format …] [--archive] [--sign --p12 …]`: the bulletin's
// outputs written to out/<期次>/, atomically; one browser for every period with --all.
import path from 'node:path';
import { FORMATS, Interrupted, PrintError, buildBulletin, startBrowser, type Format } from '../build.js';
import { BrowserNotFound, browserProcess, closeBrowser } from '../print/browser.js';
import { listPeriods } from '../bulletin.js';
import { formatMessage } from '../messages.js';
import { EXIT, UsageError, checkJson, chinaTime, defaultIo, onePeriod, summary, type Invocation, type Io } from './shell.js';

export async function run({ root, args, flags, io, signal }: Invocation): Promise<number> {
  if (flags.all) {
    if (args.length) throw new UsageError('--all 不能与期次同用');
    return await runBuildAll(root, flags, io, signal);
  }
  return await runBuild(root, onePeriod(root, args), flags, io, signal);
}

interface BuildFlags {
  json: boolean;
  quiet: boolean;
  format: string;
  'docx-figures': string;
  archive: boolean;
  sign: boolean;
  p12?: string | undefined;
  key?: string | undefined;
  cert?: string | undefined;
  tsa?: string | undefined;
  ltv: boolean;
  unsigned: boolean;
}

async function runBuild(root: string, period: string, opts: BuildFlags, io: Io, signal: AbortSignal): Promise<number> {
  if (!FORMATS.includes(opts.format as Format)) throw new UsageError(`--format 只能是 ${FORMATS.join('、')}`);
  for (const o of ['p12', 'key', 'cert'] as const) if (opts[o] !== undefined && !opts.sign) throw new UsageError(`--${o} 要与 --sign 一起使用`);
  if (opts.sign && !opts.p12 && (!opts.key || !opts.cert)) throw new UsageError('--sign 需要签名证书：--p12 <文件>，或 --key <私钥.pem> --cert <证书.pem>');
  if (opts.p12 && (opts.key || opts.cert)) throw new UsageError('--p12 与 --key/--cert 只能选一种');
  const docxFigures = docxFiguresOf(opts);
  if (opts.sign && opts.format === 'html') throw new UsageError('--sign 签的是 PDF：不能与 --format html 一起使用');
  if (opts.tsa !== undefined && !opts.sign) throw new UsageError('--tsa 给签名加时间戳：要与 --sign 一起使用');
  if (opts.tsa !== undefined && !/^https?:\/\/[^\s/]+/.test(opts.tsa)) throw new UsageError(`--tsa 应是时间戳服务器的网址（http:// 或 https:// 开头），而不是「${opts.tsa}」`);
  if (opts.ltv && !opts.sign) throw new UsageError('--ltv 把验证签名所需的证书和吊销信息存入 PDF：要与 --sign 一起使用');
  const certificate = opts.p12 ? { p12: path.resolve(opts.p12) } : { pem: { key: path.resolve(opts.key ?? ''), cert: path.resolve(opts.cert ?? '') } };
  // A PEM key without encryption needs no password; everything else asks for one.
  const password = opts.sign ? (certificate.pem && !(await pemNeedsPassword(certificate.pem.key)) ? '' : await signPassword()) : '';
  const sign = opts.sign ? { ...certificate, password, ...(opts.tsa && { tsa: opts.tsa }), ...(opts.ltv && { ltv: true }) } : undefined;
  let result;
  try {
    result = await buildBulletin(root, period, {
      format: opts.format as Format,
      docxFigures,
      archive: opts.archive,
      ...(sign && { sign }),
      ...(opts.unsigned && { unsigned: true }),
      // Ctrl-C or a TERM from outside: stop, leave out/ as it was.
      signal,
      ...progressFor(opts, io),
    });
  } catch (e) {
    const code = stopped(e, period, io);
    if (code === undefined) throw e;
    return code;
  }
  if (opts.json) {
    io.out(JSON.stringify({ ...checkJson(result), written: result.written.map((f) => path.join(result.outDir ?? '', f)), kept: (result.kept ?? []).map((f) => path.join(result.outDir ?? '', f)), ...(result.pdf && { pdf: result.pdf }), ...(result.archive && { archive: result.archive }) }, null, 2) + '\n');
  } else {
    for (const m of result.messages) if (!opts.quiet || m.severity === 'error') io.err(formatMessage(m) + '\n');
    const reason = result.pdf?.slices?.reason;
    if (reason && !opts.quiet) io.err(`提示：长表格没能分段打印（${reason}），已整体打印，用时较长\n`);
    if (!result.ok) io.err(`${period} 未生成：请先改正上面的错误（out/ 中上次生成的结果保持不变）\n`);
    else if (!opts.quiet) {
      const where = path.relative(process.cwd(), result.outDir!) || result.outDir!;
      io.out(`${summary(result)}\n已生成 ${result.written.map((f) => path.join(where, f)).join('、')}\n`);
      if (result.kept?.length) io.out(`保留了上次生成的 ${result.kept.map((f) => path.join(where, f)).join('、')}（与现在的数据一致，与上次生成时逐字节相同）\n`);
      const a = result.archive;
      if (a) {
        const stamped = a.timestamp ? `，时间戳：${chinaTime(a.timestamp.time)}（${a.timestamp.tsa}）` : '';
        const ltv = a.ltv ? `；已存入验证信息（${a.ltv.certs} 个证书、${a.ltv.crls} 个吊销列表、${a.ltv.ocsps} 个 OCSP 应答）` : '';
        const signed = a.signer ? `，已签名（签名人：${a.signer}，签名时间：${chinaTime(a.signedAt!)}${stamped}）${ltv}` : '';
        io.out(`bulletin.pdf 为 PDF/A-2b${signed}\n`);
      }
    }
  }
  return result.ok ? EXIT.ok : EXIT.failed;
}

/** --docx-figures: a way of marking, and only for a build that may make the Word document. */
function docxFiguresOf(opts: { format: string; 'docx-figures': string }): 'plain' | 'highlight' {
  const v = opts['docx-figures'];
  if (v !== 'plain' && v !== 'highlight') throw new UsageError(`--docx-figures 只能是 plain 或 highlight，而不是「${v}」`);
  if (v === 'highlight' && (opts.format === 'html' || opts.format === 'pdf')) throw new UsageError(`--docx-figures 标记的是 Word 文档中的数字：要与 --format docx 一起使用（或 --format all，bulletin.yaml 中写 docx: true），不能与 --format ${opts.format} 同用`);
  return v;
}

/** What a build that stopped before writing says, and its exit code; undefined for an internal error. */
function stopped(e: unknown, what: string, io: Io): number | undefined {
  if (e instanceof Interrupted) {
    io.err(`tongbao: 已中断，${what} 未生成（out/ 中上次生成的结果保持不变）\n`);
    return EXIT.interrupted;
  }
  if (e instanceof BrowserNotFound) {
    io.err(`tongbao: ${e.message}\n`);
    return EXIT.failed;
  }
  if (e instanceof PrintError) {
    io.err(`tongbao: 生成 PDF 失败：${e.message}（检查 chromium --headless --version 能否运行；可先用 --format html 只生成网页；out/ 中上次生成的结果保持不变）\n`);
    return EXIT.failed;
  }
  return undefined;
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

async function runBuildAll(root: string, opts: { json: boolean; quiet: boolean; format: string; 'docx-figures': string }, io: Io, signal: AbortSignal): Promise<number> {
  if (!FORMATS.includes(opts.format as Format)) throw new UsageError(`--format 只能是 ${FORMATS.join('、')}`);
  const docxFigures = docxFiguresOf(opts);
  const periods = listPeriods(root);
  if (!periods.length) throw new UsageError(`${path.join(root, 'data')} 中没有任何一期通报`);
  // One browser for every period: starting Chromium costs more than printing a bulletin.
  let browser;
  try {
    browser = opts.format === 'html' ? undefined : await startBrowser(signal);
  } catch (e) {
    const code = stopped(e, '所有期次', io);
    if (code === undefined) throw e;
    return code;
  }
  // An interrupt ends the shared browser, which makes a pending print fail at once.
  const stop = () => void (browser && browserProcess(browser)?.kill('SIGKILL'));
  signal.addEventListener('abort', stop);
  let failed = 0;
  const results = [];
  try {
    for (const period of periods) {
      let r;
      try {
        r = await buildBulletin(root, period, { format: opts.format as Format, docxFigures, ...(browser && { browser }), signal, ...progressFor(opts, io) });
      } catch (e) {
        if (!(e instanceof Interrupted)) throw e;
        io.err(`tongbao: 已中断，${period} 及以后的期次未生成（out/ 中上次生成的结果保持不变）\n`);
        return EXIT.interrupted;
      }
      results.push(r);
      if (!r.ok) failed++;
      if (!opts.json) {
        for (const m of r.messages) if (!opts.quiet || m.severity === 'error') io.err(formatMessage(m) + '\n');
        if (!opts.quiet || !r.ok) io.out(`${summary(r)}${r.ok ? `，已生成 ${r.written.join('、')}${r.kept?.length ? `，保留了 ${r.kept.join('、')}` : ''}` : '，未生成'}\n`);
      }
    }
  } finally {
    signal.removeEventListener('abort', stop);
    if (browser) await closeBrowser(browser).catch(() => undefined);
  }
  if (opts.json) io.out(JSON.stringify(results.map((r) => ({ ...checkJson(r), written: r.written, kept: r.kept ?? [] })), null, 2) + '\n');
  return failed ? EXIT.failed : EXIT.ok;
}

/** Whether a PEM key file is encrypted; a file that cannot be read is the build's to report. */
async function pemNeedsPassword(file: string): Promise<boolean> {
  const { readFileSync } = await import('node:fs');
  const { pemKeyEncrypted } = await import('../archive/p12.js');
  try {
    return pemKeyEncrypted(readFileSync(file));
  } catch {
    return false;
  }
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

