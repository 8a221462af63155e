// `tongbao verify <目录|期次>`: the output folder against SHA256SUMS, every PDF signature, and
// that an OFD package opens.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { formatMessage, type Message } from '../messages.js';
import { EXIT, UsageError, chinaTime, type Invocation } from './shell.js';

/** The largest OFD package opened: a built one is a few megabytes. */
const MAX_OFD_BYTES = 256 * 1024 * 1024;

export async function run({ root, args, flags, io }: Invocation): Promise<number> {
  if (args.length !== 1) throw new UsageError(args.length ? `多余的参数：${args.slice(1).join(' ')}` : 'verify 需要一个目录，如 out/2016Q4');
  // A period names its output folder: `verify 2016Q4` means out/2016Q4.
  const given = path.resolve(args[0]!);
  const byPeriod = path.join(root, 'out', args[0]!);
  const dir = existsSync(given) ? given : existsSync(byPeriod) ? byPeriod : undefined;
  if (!dir || !statSync(dir).isDirectory()) throw new UsageError(`没有目录「${args[0]}」`);
  const shown = (f: string) => path.relative(process.cwd(), f) || f;
  // Loaded here only: its PKI libraries would slow every other command's start.
  const { verifyFolder } = await import('../archive/verify.js');
  const trust = flags.trust === undefined ? undefined : await roots(flags.trust, shown);
  if (trust && !Array.isArray(trust)) {
    io.err(formatMessage(trust) + '\n');
    return EXIT.usage;
  }
  const result = await verifyFolder(dir, shown, { signed: flags.signed, ...(trust && { trust }) });
  // An OFD package must also open as GB/T 33190 says: each part well-formed, each file it names present.
  const ofds = readdirSync(dir).filter((f) => f.toLowerCase().endsWith('.ofd') && statSync(path.join(dir, f)).isFile());
  if (ofds.length) {
    const { checkOfdPackage } = await import('../ofd/check.js');
    for (const f of ofds) {
      const file = path.join(dir, f);
      // Read whole only when it is of a size an OFD can have (a built one is a few megabytes).
      const size = statSync(file).size;
      const problems = size > MAX_OFD_BYTES ? [`文件有 ${Math.round(size / 1024 / 1024)} MB，超过 ${MAX_OFD_BYTES / 1024 / 1024} MB 的上限，未打开`] : checkOfdPackage(readFileSync(file));
      for (const problem of problems) {
        result.messages.push({ severity: 'error', file: shown(file), reason: `OFD 文件打不开：${problem}`, hint: '重新生成：tongbao build <期次> --format ofd；来历不明的 OFD 文件不要打开', rule: 'verify/ofd' });
        result.ok = false;
      }
    }
  }
  if (flags.json) {
    io.out(JSON.stringify({ dir: shown(dir), ok: result.ok, checked: result.checked, signatures: result.signatures, ...(result.sumsSigner && { sumsSigner: result.sumsSigner }), messages: result.messages }, null, 2) + '\n');
    return result.ok ? EXIT.ok : EXIT.failed;
  }
  for (const m of result.messages) io.err(formatMessage(m) + '\n');
  if (!result.ok) {
    io.err(`${shown(dir)} 核对未通过：${result.messages.filter((m) => m.severity === 'error').length} 处问题\n`);
    return EXIT.failed;
  }
  if (!flags.quiet) {
    io.out(`${shown(dir)} 核对通过：${result.checked.length} 个文件与 SHA256SUMS 一致\n`);
    if (result.sumsSigner) io.out(`SHA256SUMS 有签名（签名人 ${result.sumsSigner}），文件清单与签名时相同\n`);
    for (const s of result.signatures) {
      const when = s.time ? `，签名时间 ${chinaTime(s.time)}` : '';
      const stamp = s.timestamp ? `，时间戳 ${chinaTime(s.timestamp.time)}（${s.timestamp.tsa}，PAdES ${s.level}）` : '（没有时间戳：签名时间只是签名人自己写的）';
      const covers = s.wholeFile ? '签名覆盖整个文件' : `签名之后只加入了验证信息（${s.dss!.certs} 个证书、${s.dss!.crls} 个吊销列表、${s.dss!.ocsps} 个 OCSP 应答）`;
      io.out(`${s.file}：签名有效，签名人 ${s.signer}（${s.subject}）${when}${stamp}，${covers}\n`);
      if (s.trust) {
        const basis = s.trust.signer.basis === 'timestamp' ? '按时间戳的时间核对有效期' : '没有时间戳，按现在的时间核对有效期';
        io.out(`  证书链：${s.trust.signer.chain.join(' → ')}（根证书在 ${flags.trust} 中），${basis}\n`);
        if (s.trust.tsa) io.out(`  时间戳服务器的证书链：${s.trust.tsa.chain.join(' → ')}\n`);
        const { checked, unchecked } = s.trust.revocation;
        if (unchecked.length === 0) io.out(`  吊销状态：${checked} 个证书均未被吊销（据文件中存入的吊销信息）\n`);
        else io.out(`  吊销状态：${unchecked.map((n) => `「${n}」`).join('、')}未核对（文件中没有它的吊销信息：签名时用 --ltv 存入）\n`);
      }
    }
    if (result.signatures.length === 0) io.out('其中没有签名的 PDF\n');
    else if (!trust) io.out('（未核对签名证书是否由受信任的机构签发：用 --trust 根证书.pem 核对）\n');
  }
  return EXIT.ok;
}

/** The roots a signer must lead to, from a PEM (or DER) file; a usage error when there are none. */
async function roots(file: string, shown: (f: string) => string): Promise<Buffer[] | Message> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    throw new UsageError(`读不到根证书文件「${file}」`);
  }
  const { readCertificates, CertificateFileError } = await import('../archive/certificates.js');
  try {
    return readCertificates(bytes, `根证书文件「${file}」`);
  } catch (e) {
    if (!(e instanceof CertificateFileError)) throw e;
    return { severity: 'error', file: shown(path.resolve(file)), ...(e.line !== undefined && { line: e.line }), reason: e.message, hint: e.hint, rule: `verify/trust-file` };
  }
}
