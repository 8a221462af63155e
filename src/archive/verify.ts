// tongbao verify: is an output folder exactly what was built and signed? Checked in-process:
// every file against SHA256SUMS, and every PDF signature by recomputing the digest of its
// /ByteRange and verifying the CMS with the certificate it carries (pkijs parses, node's
// crypto verifies), and its time-stamp token against the signature value. Trust in the
// certificate's issuer is judged only against roots the user names (trust.ts): the office's
// certificate authority is not known to tongbao.
import { createHash } from 'node:crypto';
import { closeSync, existsSync, lstatSync, openSync, readFileSync, readSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import * as pkijs from 'pkijs';
import type { Message } from '../messages.js';
import { SUMS_FILE, SUMS_SIGNATURE, parseSums } from './checksums.js';
import { Failure, checkCms } from './cms.js';
import { TSA_OID, TimestampError, checkToken } from './timestamp.js';
import { checkTrust, type TrustPath } from './trust.js';
import { readDss, type ValidationData } from './ltv.js';
import { RevocationError, revocationStatus } from './revocation.js';
import { PdfDocument, refNumber, writeDict } from '../pdf/update.js';
import { signedFileList } from './manifest.js';
import { checkSet } from './set-check.js';

export interface SignatureReport {
  file: string;
  field?: string;
  signer: string;
  /** The certificate's full subject, as poppler prints it. */
  subject: string;
  time?: Date;
  valid: boolean;
  /** The signature covers the whole file (nothing appended after signing). */
  wholeFile: boolean;
  /** PAdES level reached: B-B; B-T with a valid time-stamp token; B-LT with revocation data in a DSS too. */
  level: 'B-B' | 'B-T' | 'B-LT';
  /** What the DSS added after the signature holds. */
  dss?: { certs: number; crls: number; ocsps: number };
  /** The time-stamp token's time and its authority. */
  timestamp?: { time: Date; tsa: string };
  /** With `--trust`: the signer's path to a given root, and the TSA's. */
  trust?: { signer: TrustPath; tsa?: TrustPath; revocation: { checked: number; unchecked: string[] } };
}

export interface VerifyResult {
  dir: string;
  ok: boolean;
  messages: Message[];
  /** Files whose SHA-256 matched SHA256SUMS. */
  checked: string[];
  signatures: SignatureReport[];
  /** Who signed SHA256SUMS, when the build signed it. */
  sumsSigner?: string;
}

/** The largest PDF whose signatures are read (it is held in memory, and read as text once). */
const MAX_PDF_BYTES = 256 * 1024 * 1024;
/** SHA256SUMS and its signature are a few hundred bytes; anything this large was not written by a build. */
const MAX_SUMS_BYTES = 1024 * 1024;

/** A file's SHA-256, read a megabyte at a time: a file of any size is hashed in little memory. */
function hashFile(file: string): string {
  const hash = createHash('sha256');
  const chunk = Buffer.alloc(1024 * 1024);
  const fd = openSync(file, 'r');
  try {
    for (let n; (n = readSync(fd, chunk, 0, chunk.length, null)) > 0; ) hash.update(chunk.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

const mb = (n: number) => `${Math.round(n / 1024 / 1024)} MB`;

/** D:YYYYMMDDHHmmss+08'00' → Date. */
export function parsePdfDate(s: string): Date | undefined {
  const m = /^D:(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(Z|([+-])(\d{2})'?(\d{2})'?)?/.exec(s);
  if (!m) return undefined;
  const utc = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  const offset = m[8] ? (m[8] === '-' ? -1 : 1) * (+m[9]! * 60 + +m[10]!) : 0;
  return new Date(utc - offset * 60_000);
}

/** Verify one signature whose /ByteRange is `range`; throws a Failure saying what is wrong. */
async function verifySignature(pdf: Buffer, range: number[], dictText: string, file: string, roots?: readonly Buffer[]): Promise<SignatureReport> {
  const [a, b, c, d] = range as [number, number, number, number];
  if (a !== 0 || b <= 0 || c <= b || c + d > pdf.length || pdf[b] !== 0x3c || pdf[c - 1] !== 0x3e) {
    throw new Failure('签名的字节范围（/ByteRange）与文件不符', '文件在签名后被截断或改动；请重新生成并签名', 'verify/byte-range');
  }
  const hex = pdf.toString('latin1', b + 1, c - 1);
  if (!/^[0-9A-Fa-f]*$/.test(hex)) throw new Failure('签名数据（/Contents）已损坏', '请重新生成并签名', 'verify/contents');
  const raw = Buffer.from(hex, 'hex');
  const cms = checkCms(raw, (hash) => createHash(hash).update(pdf.subarray(a, a + b)).update(pdf.subarray(c, c + d)).digest(), '签名后有内容被改动', '此文件不是签名时的原样；请从存档中取回原件或重新生成并签名');
  const { signer, subject, x509, signerInfo } = cms;
  const stamp = timestampOf(signerInfo);
  const timestamp = stamp && { time: stamp.time, tsa: stamp.tsa };
  // What was added after the signature may only be validation data (a DSS).
  const after = c + d === pdf.length ? undefined : changedAfter(pdf, c + d);
  if (after) throw new Failure(`签名（签名人 ${signer}）之后${after}`, '签名只保证签名时的版本；请从存档中取回原件或重新生成并签名', 'verify/changed-after');
  let dss: ValidationData | undefined;
  try {
    dss = c + d === pdf.length ? undefined : readDss(pdf);
  } catch {
    throw new Failure(`签名（签名人 ${signer}）之后加入的验证信息（DSS）无法解读`, '文件在签名后被改动或已损坏；请从存档中取回原件或重新生成并签名', 'verify/dss');
  }
  // Trust: the signer's path at the proven time (the token's, else now), the TSA's at the token's.
  let trust: SignatureReport['trust'];
  if (roots) {
    const proven = stamp?.time ?? new Date();
    const signerPath = checkTrust(Buffer.from(x509.raw), [...cms.certificates, ...(dss?.certs ?? [])], roots, proven, stamp ? 'timestamp' : 'now', 'signer');
    const tsaPath = stamp && checkTrust(stamp.certificate, [...stamp.certificates, ...(dss?.certs ?? [])], roots, stamp.time, 'timestamp', 'tsa');
    const revocation = await revocationOf([signerPath, ...(tsaPath ? [tsaPath] : [])], dss, stamp?.time);
    trust = { signer: signerPath, ...(tsaPath && { tsa: tsaPath }), revocation };
  }
  const m = /\/M\s*\((D:[^)]*)\)/.exec(dictText);
  const time = m ? parsePdfDate(m[1]!) : undefined;
  if (time && (time < new Date(x509.validFrom) || time > new Date(x509.validTo))) {
    throw new Failure(`签名时间不在证书有效期（${x509.validFrom} 至 ${x509.validTo}）内`, '请用有效期内的证书重新签名', 'verify/validity');
  }
  const field = /\/T\s*\(([^)]*)\)/.exec(dictText)?.[1];
  const level = timestamp ? (dss && (dss.crls.length || dss.ocsps.length) ? 'B-LT' : 'B-T') : 'B-B';
  return { file, signer, subject, valid: true, wholeFile: c + d === pdf.length, level, ...(dss && { dss: { certs: dss.certs.length, crls: dss.crls.length, ocsps: dss.ocsps.length } }), ...(time && { time }), ...(field && { field }), ...(timestamp && { timestamp }), ...(trust && { trust }) };
}

/**
 * What an update after the signature (which ends at `signedEnd`) changed, in words, when it is
 * more than validation data: an object of the signed revision rewritten (a page, the page
 * tree...) or deleted, or the catalog changed beyond its /DSS. New objects only matter when
 * something signed points to them, which would be a change.
 */
function changedAfter(pdf: Buffer, signedEnd: number): string | undefined {
  let signed: PdfDocument;
  let full: PdfDocument;
  try {
    signed = new PdfDocument(pdf.subarray(0, signedEnd));
    full = new PdfDocument(pdf);
  } catch {
    return '文件又被追加了无法解读的内容';
  }
  const root = refNumber(full.trailer.root);
  if (root !== refNumber(signed.trailer.root)) return '文档的根（Catalog）被换掉';
  for (const [num, at] of full.offsets) {
    const before = signed.offsets.get(num);
    if (before === undefined || before < 0 || (at >= 0 && at < signedEnd)) continue; // new, or untouched
    if (at < 0) return `删去了对象 ${num}`;
    if (num === root) {
      const [x, y] = [signed.dict(num), full.dict(num)];
      x.delete('DSS');
      y.delete('DSS');
      if (writeDict(new Map([...x].sort())) !== writeDict(new Map([...y].sort()))) return '文档的根（Catalog）被改动（不只是加入验证信息）';
      continue;
    }
    const type = /\/Type\s*\/(\w+)/.exec(signed.object(num))?.[1];
    return type === 'Page' || type === 'Pages' ? `又有更新改动了页面（对象 ${num}）` : `又有更新改写了对象 ${num}${type ? `（${type}）` : ''}`;
  }
  return undefined;
}

/** Each link's revocation status from the DSS; a certificate revoked before the proven time fails. */
async function revocationOf(paths: readonly TrustPath[], dss: ValidationData | undefined, stampTime: Date | undefined): Promise<{ checked: number; unchecked: string[] }> {
  let checked = 0;
  const unchecked: string[] = [];
  for (const p of paths) {
    for (let i = 0; i + 1 < p.certs.length; i++) {
      let found: Awaited<ReturnType<typeof revocationStatus>>;
      try {
        found = await revocationStatus(p.certs[i]!, p.certs[i + 1]!, dss ?? { crls: [], ocsps: [] });
      } catch (e) {
        if (!(e instanceof RevocationError)) throw e;
        throw new Failure(e.message, e.hint, e.rule);
      }
      const revoked = found.find((s) => s.revoked && (!stampTime || s.revoked <= stampTime));
      if (revoked) {
        const when = revoked.revoked!.getTime() > 0 ? `，吊销时间 ${revoked.revoked!.toISOString().slice(0, 19).replace('T', ' ')}（UTC）` : '';
        const why = stampTime ? '，早于时间戳的时间' : '；签名没有时间戳，无法证明签名早于吊销';
        throw new Failure(`证书「${p.chain[i]}」已被吊销（${revoked.source}${when}）${why}`, '这个签名不再可信；请用有效的证书重新签名', 'verify/revoked');
      }
      if (found.length) checked++;
      else unchecked.push(p.chain[i]!);
    }
  }
  return { checked, unchecked };
}

/** The signature's time-stamp token (PAdES B-T), checked against its signature value. */
function timestampOf(si: pkijs.SignerInfo): ReturnType<typeof checkToken> | undefined {
  const attr = si.unsignedAttrs?.attributes.find((a) => a.type === TSA_OID.signatureTimeStampToken);
  if (!attr) return undefined;
  try {
    const imprint = createHash('sha256').update(Buffer.from(si.signature.valueBlock.valueHexView)).digest();
    return checkToken(Buffer.from(attr.values[0].toBER()), imprint);
  } catch (e) {
    if (!(e instanceof TimestampError)) throw e;
    throw new Failure(e.message, '时间戳不是对这个签名的，或已损坏；请重新签名并加时间戳', 'verify/timestamp');
  }
}

/** Every signature dictionary in a PDF (by its /ByteRange), verified. */
export async function verifyPdf(pdf: Buffer, file: string, roots?: readonly Buffer[]): Promise<{ signatures: SignatureReport[]; messages: Message[] }> {
  const text = pdf.toString('latin1');
  const signatures: SignatureReport[] = [];
  const messages: Message[] = [];
  for (const m of text.matchAll(/\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g)) {
    const start = text.lastIndexOf(' obj', m.index);
    const end = text.indexOf('endobj', m.index);
    const dict = text.slice(start, end < 0 ? undefined : end).replace(/\/Contents\s*<[^>]*>/, '');
    try {
      signatures.push(await verifySignature(pdf, m.slice(1, 5).map(Number), dict, file, roots));
    } catch (e) {
      if (!(e instanceof Failure)) throw e;
      messages.push({ severity: 'error', file, reason: e.reason, hint: e.hint, rule: e.rule });
    }
  }
  return { signatures, messages };
}

/** Check a built folder: SHA256SUMS, then every PDF's signatures. */
/** `signed`: the folder must be a signed build's (SHA256SUMS signed, every PDF signed). */
/** `trust`: the roots a signer's certificate must lead to (DER); without it trust is not judged. */
export async function verifyFolder(dir: string, display: (file: string) => string = (f) => f, options: { signed?: boolean; trust?: readonly Buffer[] } = {}): Promise<VerifyResult> {
  const messages: Message[] = [];
  const checked: string[] = [];
  const signatures: SignatureReport[] = [];
  const sumsFile = path.join(dir, SUMS_FILE);
  const shown = (name: string) => display(path.join(dir, name));
  // Every entry, hidden ones included, as it is (a link is not followed): a build writes
  // regular files only, so anything else was put there afterwards.
  const names: string[] = [];
  for (const n of readdirSync(dir).sort()) {
    const st = lstatSync(path.join(dir, n));
    if (st.isFile()) names.push(n);
    else {
      const what = st.isSymbolicLink() ? '符号链接' : st.isDirectory() ? '子目录' : '特殊文件';
      messages.push({ severity: 'error', file: shown(n), reason: `生成的目录中多了一个${what}，它不是 tongbao 生成的`, hint: '删去它；生成的目录只含 SHA256SUMS 列出的文件', rule: 'verify/not-a-file' });
    }
  }
  const tooLarge = (name: string) => {
    const size = statSync(path.join(dir, name)).size;
    if (size <= MAX_SUMS_BYTES) return false;
    messages.push({ severity: 'error', file: shown(name), reason: `文件有 ${mb(size)}，不是生成时写出的 ${name}（它只有几百字节），未读取`, hint: '请从存档中取回原件或重新生成', rule: 'verify/too-large' });
    return true;
  };
  if (names.includes(SUMS_FILE) && tooLarge(SUMS_FILE)) {
    // Said above; the files are not checked against it.
  } else if (!names.includes(SUMS_FILE)) {
    messages.push({ severity: 'error', file: shown(SUMS_FILE), reason: '缺少校验文件 SHA256SUMS', hint: '用 tongbao build 重新生成，它会写出 SHA256SUMS', rule: 'verify/no-sums' });
  } else {
    const { entries, bad } = parseSums(readFileSync(sumsFile, 'utf8'));
    for (const line of bad) messages.push({ severity: 'error', file: shown(SUMS_FILE), line, reason: '这一行不是「SHA-256 值 文件名」的格式', hint: 'SHA256SUMS 被改动过；请重新生成', rule: 'verify/sums-format' });
    for (const e of entries) {
      const file = path.join(dir, e.name);
      if (path.dirname(path.resolve(file)) !== path.resolve(dir) || !names.includes(e.name)) {
        messages.push({ severity: 'error', file: shown(e.name), reason: `文件缺失（SHA256SUMS 第 ${e.line} 行列出了它）`, hint: '请从存档中取回或重新生成', rule: 'verify/missing' });
      } else if (hashFile(file) !== e.hash) {
        messages.push({ severity: 'error', file: shown(e.name), reason: '文件内容与 SHA256SUMS 记录的不符：生成后被改动过', hint: '请从存档中取回原件或重新生成', rule: 'verify/checksum' });
      } else checked.push(e.name);
    }
    const listed = new Set(entries.map((e) => e.name));
    for (const n of names) {
      if (n !== SUMS_FILE && n !== SUMS_SIGNATURE && !listed.has(n)) {
        messages.push({ severity: 'error', file: shown(n), reason: '文件未列入 SHA256SUMS：生成后被加入', hint: '删去此文件，或重新生成', rule: 'verify/unlisted' });
      }
    }
  }
  // A signed build signs its file list too: a PDF swapped for an unsigned one, or taken out with
  // its line, changes SHA256SUMS, and the list no longer matches its signature.
  let sumsSigner: string | undefined;
  if (names.includes(SUMS_SIGNATURE) && names.includes(SUMS_FILE) && !tooLarge(SUMS_SIGNATURE) && statSync(sumsFile).size <= MAX_SUMS_BYTES) {
    const sums = signedFileList(dir) ?? readFileSync(sumsFile);
    try {
      sumsSigner = checkCms(readFileSync(path.join(dir, SUMS_SIGNATURE)), (hash) => createHash(hash).update(sums).digest(), 'SHA256SUMS 在签名之后被改动（有文件被换掉、删去或加入，校验值又重算过）', '文件清单不是签名时的原样；请从存档中取回原件或重新生成并签名').signer;
    } catch (e) {
      if (!(e instanceof Failure)) throw e;
      // checkCms words an unreadable CMS as a PDF's /Contents: here it is the whole file.
      const unreadable = e.rule === 'verify/contents';
      messages.push({ severity: 'error', file: shown(SUMS_SIGNATURE), reason: unreadable ? 'SHA256SUMS 的签名文件无法解读（不是 CMS 签名，或已损坏）' : e.reason, hint: unreadable ? '请从存档中取回原件或重新生成并签名' : e.hint, rule: e.rule });
    }
  } else if (options.signed) {
    messages.push({ severity: 'error', file: shown(SUMS_SIGNATURE), reason: '要求是签名的生成结果（--signed），但 SHA256SUMS 没有签名', hint: '用 tongbao build --sign 生成，它会写出 SHA256SUMS.p7s', rule: 'verify/unsigned' });
  }
  const pdfs = names.filter((n) => n.toLowerCase().endsWith('.pdf')).sort();
  if (options.signed && pdfs.length === 0) messages.push({ severity: 'error', file: display(dir), reason: '要求是签名的生成结果（--signed），但目录中没有 PDF', hint: '用 tongbao build --sign 生成', rule: 'verify/unsigned' });
  for (const n of pdfs) {
    const size = statSync(path.join(dir, n)).size;
    if (size > MAX_PDF_BYTES) {
      messages.push({ severity: 'error', file: shown(n), reason: `PDF 有 ${mb(size)}，超过 ${mb(MAX_PDF_BYTES)} 的上限，未核对其中的签名`, hint: '生成的通报 PDF 只有几 MB；请从存档中取回原件或重新生成', rule: 'verify/too-large' });
      continue;
    }
    const r = await verifyPdf(readFileSync(path.join(dir, n)), shown(n), options.trust);
    for (const s of r.signatures) signatures.push(s);
    for (const m of r.messages) messages.push(m);
    if (options.signed && r.signatures.length === 0 && r.messages.length === 0) {
      messages.push({ severity: 'error', file: shown(n), reason: '要求是签名的生成结果（--signed），但这个 PDF 没有签名', hint: '请从存档中取回签名的原件，或用 tongbao build --sign 重新生成', rule: 'verify/unsigned' });
    }
  }
  messages.push(...checkSet(dir, names, display));
  return { dir, ok: messages.every((m) => m.severity !== 'error'), messages, checked, signatures, ...(sumsSigner && { sumsSigner }) };
}
