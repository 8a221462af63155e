// tongbao verify: is an output folder exactly what was built and signed? Checked in-process:
// every file against SHA256SUMS, and every PDF signature by recomputing the digest of its
// /ByteRange and verifying the CMS with the certificate it carries (pkijs parses, node's
// crypto verifies). Trust in the certificate's issuer is not judged here: the office's
// certificate authority is not known to tongbao.
import { X509Certificate, createHash, verify as cryptoVerify } from 'node:crypto';
import { existsSync, lstatSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import type { Message } from '../messages.js';
import { SUMS_FILE, SUMS_SIGNATURE, parseSums, sha256 } from './checksums.js';
import { OID, subjectName } from './sign.js';

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

const HASH_BY_OID: Record<string, string> = {
  [OID.sha256]: 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

/** D:YYYYMMDDHHmmss+08'00' → Date. */
export function parsePdfDate(s: string): Date | undefined {
  const m = /^D:(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(Z|([+-])(\d{2})'?(\d{2})'?)?/.exec(s);
  if (!m) return undefined;
  const utc = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  const offset = m[8] ? (m[8] === '-' ? -1 : 1) * (+m[9]! * 60 + +m[10]!) : 0;
  return new Date(utc - offset * 60_000);
}

/** The length of the DER element at the start of `b` (the /Contents slot is zero-padded). */
function derLength(b: Buffer): number {
  const first = b[1]!;
  if (first < 0x80) return 2 + first;
  const n = first & 0x7f;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + b[2 + i]!;
  return 2 + n + len;
}

class Failure extends Error {
  constructor(
    readonly reason: string,
    readonly hint: string,
    readonly rule: string,
  ) {
    super(reason);
  }
}

/** Verify one signature whose /ByteRange is `range`; throws a Failure saying what is wrong. */
function verifySignature(pdf: Buffer, range: number[], dictText: string, file: string): SignatureReport {
  const [a, b, c, d] = range as [number, number, number, number];
  if (a !== 0 || b <= 0 || c <= b || c + d > pdf.length || pdf[b] !== 0x3c || pdf[c - 1] !== 0x3e) {
    throw new Failure('签名的字节范围（/ByteRange）与文件不符', '文件在签名后被截断或改动；请重新生成并签名', 'verify/byte-range');
  }
  const hex = pdf.toString('latin1', b + 1, c - 1);
  if (!/^[0-9A-Fa-f]*$/.test(hex)) throw new Failure('签名数据（/Contents）已损坏', '请重新生成并签名', 'verify/contents');
  const raw = Buffer.from(hex, 'hex');
  const cms = checkCms(raw, (hash) => createHash(hash).update(pdf.subarray(a, a + b)).update(pdf.subarray(c, c + d)).digest(), '签名后有内容被改动', '此文件不是签名时的原样；请从存档中取回原件或重新生成并签名');
  const { signer, subject, x509 } = cms;
  const m = /\/M\s*\((D:[^)]*)\)/.exec(dictText);
  const time = m ? parsePdfDate(m[1]!) : undefined;
  if (time && (time < new Date(x509.validFrom) || time > new Date(x509.validTo))) {
    throw new Failure(`签名时间不在证书有效期（${x509.validFrom} 至 ${x509.validTo}）内`, '请用有效期内的证书重新签名', 'verify/validity');
  }
  const field = /\/T\s*\(([^)]*)\)/.exec(dictText)?.[1];
  return { file, signer, subject, valid: true, wholeFile: c + d === pdf.length, ...(time && { time }), ...(field && { field }) };
}

/**
 * A CMS SignedData (DER, trailing zeros allowed) checked against the digest of what it signs:
 * the signer's certificate found, the message digest, the signature value, signing-certificate-v2.
 */
function checkCms(raw: Buffer, digestOf: (hash: string) => Buffer, changed: string, changedHint: string): { signer: string; subject: string; x509: X509Certificate } {
  let signedData: pkijs.SignedData;
  try {
    const info = pkijs.ContentInfo.fromBER(new Uint8Array(raw.subarray(0, derLength(raw))));
    if (info.contentType !== OID.signedData) throw new Error('not SignedData');
    signedData = new pkijs.SignedData({ schema: info.content });
  } catch {
    throw new Failure('签名数据（/Contents）无法解读', '签名数据已损坏；请重新生成并签名', 'verify/contents');
  }
  const si = signedData.signerInfos[0];
  if (!si || !si.signedAttrs) throw new Failure('签名中没有签名属性', '不是 PAdES 签名；请用 tongbao build --sign 重新签名', 'verify/cms');
  const sid = si.sid as pkijs.IssuerAndSerialNumber;
  const cert = (signedData.certificates ?? []).find(
    (x): x is pkijs.Certificate => x instanceof pkijs.Certificate && x.issuer.isEqual(sid.issuer) && x.serialNumber.isEqual(sid.serialNumber),
  );
  if (!cert) throw new Failure('签名中没有签名人的证书', '请用含证书的 .p12 文件重新签名', 'verify/certificate');
  const certDer = Buffer.from(cert.toSchema().toBER());
  const x509 = new X509Certificate(certDer);
  const signer = subjectName(certDer);
  const subject = cert.subject.typesAndValues
    .map((t) => `${({ '2.5.4.3': 'CN', '2.5.4.10': 'O', '2.5.4.11': 'OU', '2.5.4.6': 'C', '2.5.4.7': 'L', '2.5.4.8': 'ST' } as Record<string, string>)[t.type] ?? t.type}=${t.value.valueBlock.value}`)
    .reverse()
    .join(',');

  const hash = HASH_BY_OID[si.digestAlgorithm.algorithmId];
  if (!hash) throw new Failure(`签名的摘要算法 ${si.digestAlgorithm.algorithmId} 不受支持`, '请用 SHA-256 重新签名', 'verify/algorithm');
  const digest = digestOf(hash);
  const attr = (oid: string) => si.signedAttrs!.attributes.find((x) => x.type === oid)?.values[0];
  const md = attr(OID.messageDigest) as asn1js.OctetString | undefined;
  if (!md || !digest.equals(Buffer.from(md.valueBlock.valueHexView))) {
    throw new Failure(`文件内容与签名不符：${changed}（签名人 ${signer}）`, changedHint, 'verify/digest');
  }
  const signedAttrs = Buffer.from(si.signedAttrs.encodedValue);
  signedAttrs[0] = 0x31;
  const alg = si.signatureAlgorithm.algorithmId;
  if (alg === '1.2.840.113549.1.1.10') throw new Failure('RSASSA-PSS 签名暂不支持核验', '请用 pdfsig 核验此文件', 'verify/algorithm');
  const ok = cryptoVerify(hash, signedAttrs, x509.publicKey, Buffer.from(si.signature.valueBlock.valueHexView));
  if (!ok) throw new Failure(`签名无效：签名值与签名人 ${signer} 的证书不符`, '签名数据已被改动；请重新生成并签名', 'verify/signature');
  const ess = attr(OID.signingCertificateV2) as asn1js.Sequence | undefined;
  if (ess) {
    const first = ((ess.valueBlock.value[0] as asn1js.Sequence).valueBlock.value[0] as asn1js.Sequence).valueBlock.value;
    // ESSCertIDv2 ::= SEQUENCE { hashAlgorithm DEFAULT sha256, certHash OCTET STRING, … }
    const defaulted = first[0] instanceof asn1js.OctetString;
    const essHash = defaulted ? 'sha256' : HASH_BY_OID[new pkijs.AlgorithmIdentifier({ schema: first[0] }).algorithmId] ?? 'sha256';
    const certHash = (defaulted ? first[0] : first[1]) as asn1js.OctetString;
    if (!createHash(essHash).update(certDer).digest().equals(Buffer.from(certHash.valueBlock.valueHexView))) {
      throw new Failure('签名属性中的证书（signing-certificate-v2）与签名人的证书不符', '签名人的证书被替换过；请重新签名', 'verify/signing-certificate');
    }
  }
  return { signer, subject, x509 };
}

/** Every signature dictionary in a PDF (by its /ByteRange), verified. */
export function verifyPdf(pdf: Buffer, file: string): { signatures: SignatureReport[]; messages: Message[] } {
  const text = pdf.toString('latin1');
  const signatures: SignatureReport[] = [];
  const messages: Message[] = [];
  for (const m of text.matchAll(/\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g)) {
    const start = text.lastIndexOf(' obj', m.index);
    const end = text.indexOf('endobj', m.index);
    const dict = text.slice(start, end < 0 ? undefined : end).replace(/\/Contents\s*<[^>]*>/, '');
    try {
      const r = verifySignature(pdf, m.slice(1, 5).map(Number), dict, file);
      if (!r.wholeFile) {
        messages.push({ severity: 'error', file, reason: `签名（签名人 ${r.signer}）之后文件又被追加了内容`, hint: '签名只保证签名时的版本；请从存档中取回原件或重新生成并签名', rule: 'verify/appended' });
      }
      signatures.push(r);
    } catch (e) {
      if (!(e instanceof Failure)) throw e;
      messages.push({ severity: 'error', file, reason: e.reason, hint: e.hint, rule: e.rule });
    }
  }
  return { signatures, messages };
}

/** Check a built folder: SHA256SUMS, then every PDF's signatures. */
/** `signed`: the folder must be a signed build's (SHA256SUMS signed, every PDF signed). */
export function verifyFolder(dir: string, display: (file: string) => string = (f) => f, options: { signed?: boolean } = {}): VerifyResult {
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
  if (!existsSync(sumsFile)) {
    messages.push({ severity: 'error', file: shown(SUMS_FILE), reason: '缺少校验文件 SHA256SUMS', hint: '用 tongbao build 重新生成，它会写出 SHA256SUMS', rule: 'verify/no-sums' });
  } else {
    const { entries, bad } = parseSums(readFileSync(sumsFile, 'utf8'));
    for (const line of bad) messages.push({ severity: 'error', file: shown(SUMS_FILE), line, reason: '这一行不是「SHA-256 值 文件名」的格式', hint: 'SHA256SUMS 被改动过；请重新生成', rule: 'verify/sums-format' });
    for (const e of entries) {
      const file = path.join(dir, e.name);
      if (path.dirname(path.resolve(file)) !== path.resolve(dir) || !names.includes(e.name)) {
        messages.push({ severity: 'error', file: shown(e.name), reason: `文件缺失（SHA256SUMS 第 ${e.line} 行列出了它）`, hint: '请从存档中取回或重新生成', rule: 'verify/missing' });
      } else if (sha256(readFileSync(file)) !== e.hash) {
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
  if (names.includes(SUMS_SIGNATURE) && existsSync(sumsFile)) {
    const sums = readFileSync(sumsFile);
    try {
      sumsSigner = checkCms(readFileSync(path.join(dir, SUMS_SIGNATURE)), (hash) => createHash(hash).update(sums).digest(), 'SHA256SUMS 在签名之后被改动（有文件被换掉、删去或加入，校验值又重算过）', '文件清单不是签名时的原样；请从存档中取回原件或重新生成并签名').signer;
    } catch (e) {
      if (!(e instanceof Failure)) throw e;
      messages.push({ severity: 'error', file: shown(SUMS_SIGNATURE), reason: e.reason, hint: e.hint, rule: e.rule });
    }
  } else if (options.signed) {
    messages.push({ severity: 'error', file: shown(SUMS_SIGNATURE), reason: '要求是签名的生成结果（--signed），但 SHA256SUMS 没有签名', hint: '用 tongbao build --sign 生成，它会写出 SHA256SUMS.p7s', rule: 'verify/unsigned' });
  }
  const pdfs = names.filter((n) => n.toLowerCase().endsWith('.pdf')).sort();
  if (options.signed && pdfs.length === 0) messages.push({ severity: 'error', file: display(dir), reason: '要求是签名的生成结果（--signed），但目录中没有 PDF', hint: '用 tongbao build --sign 生成', rule: 'verify/unsigned' });
  for (const n of pdfs) {
    const r = verifyPdf(readFileSync(path.join(dir, n)), shown(n));
    for (const s of r.signatures) signatures.push(s);
    for (const m of r.messages) messages.push(m);
    if (options.signed && r.signatures.length === 0 && r.messages.length === 0) {
      messages.push({ severity: 'error', file: shown(n), reason: '要求是签名的生成结果（--signed），但这个 PDF 没有签名', hint: '请从存档中取回签名的原件，或用 tongbao build --sign 重新生成', rule: 'verify/unsigned' });
    }
  }
  return { dir, ok: messages.every((m) => m.severity !== 'error'), messages, checked, signatures, ...(sumsSigner && { sumsSigner }) };
}
