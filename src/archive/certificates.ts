// Certificates and keys as users hand them over: PEM (one or several blocks), DER, or the
// wrong thing altogether (a private key, a PKCS#12 file, a CSR, a CRL, garbage between PEM
// armour lines). Each is parsed here before use, and what is wrong is said in the user's
// words with the line it starts on, never in OpenSSL's ("PEM routines::no start line").
import { X509Certificate } from 'node:crypto';
import * as pkijs from 'pkijs';

/** A certificate file that cannot serve; `line` is where the faulty PEM block starts. */
export class CertificateFileError extends Error {
  constructor(
    message: string,
    readonly hint: string,
    readonly rule: string,
    readonly line?: number,
  ) {
    super(message);
  }
}

/** The length of the DER element at the start of `b` (the /Contents slot is zero-padded). */
export function derLength(b: Buffer): number {
  const first = b[1]!;
  if (first < 0x80) return 2 + first;
  const n = first & 0x7f;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + b[2 + i]!;
  return 2 + n + len;
}

/** The largest certificate file read. */
const MAX_CERTIFICATE_FILE = 16 * 1024 * 1024;

/** PEM labels that are not certificates, as a person names them. */
const OTHER_PEM: [RegExp, string][] = [
  [/PRIVATE KEY/, '私钥'],
  [/^PUBLIC KEY$|^RSA PUBLIC KEY$/, '公钥'],
  [/CERTIFICATE REQUEST/, '证书请求（CSR）'],
  [/X509 CRL/, '证书吊销列表（CRL）'],
  [/^PKCS7$|^CMS$/, 'PKCS#7 证书包'],
];

const lineAt = (text: string, index: number) => text.slice(0, index).split('\n').length;

/** What a PEM label names, in words; undefined for a certificate. */
function pemKind(label: string): string | undefined {
  if (label === 'CERTIFICATE' || label === 'X509 CERTIFICATE' || label === 'TRUSTED CERTIFICATE') return undefined;
  return OTHER_PEM.find(([re]) => re.test(label))?.[1] ?? `「${label}」`;
}

/** Is this DER a PKCS #12 file (what a .p12/.pfx holds)? */
function isPkcs12(der: Buffer): boolean {
  try {
    const pfx = pkijs.PFX.fromBER(new Uint8Array(der).buffer);
    return pfx.authSafe !== undefined;
  } catch {
    return false;
  }
}

/**
 * The certificates of a file, DER each, every one checked to parse: PEM blocks (a bundle of
 * roots, or a certificate and its chain), else the whole file as one DER certificate.
 * `what` names the file's role in messages ("根证书文件", "证书文件").
 */
export function readCertificates(bytes: Buffer, what: string): Buffer[] {
  // A bundle of every root there is stays under a megabyte; a larger file is something else.
  if (bytes.length > MAX_CERTIFICATE_FILE) throw new CertificateFileError(`${what}有 ${Math.round(bytes.length / 1024 / 1024)} MB，不像证书文件，未读取`, '请给出 PEM 格式的证书（-----BEGIN CERTIFICATE----- 开头）', 'pki/not-certificate');
  const text = bytes.toString('latin1');
  if (bytes.length === 0 || text.trim() === '') throw new CertificateFileError(`${what}是空的`, '请给出 PEM 格式的证书（-----BEGIN CERTIFICATE----- 开头）', 'pki/empty');
  const blocks = [...text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g)];
  const certs: Buffer[] = [];
  const others: string[] = [];
  for (const m of blocks) {
    const kind = pemKind(m[1]!);
    if (kind) {
      others.push(kind);
      continue;
    }
    const line = lineAt(text, m.index);
    const body = m[2]!.replace(/\s+/g, '');
    const der = /^[A-Za-z0-9+/]*={0,2}$/.test(body) ? Buffer.from(body, 'base64') : undefined;
    if (!der || !parses(der)) {
      throw new CertificateFileError(`${what}第 ${line} 行起的证书无法解读：-----BEGIN ${m[1]}----- 与 -----END ${m[1]}----- 之间不是有效的证书`, '文件可能被截断或改动过；请重新从发证机构取得证书', 'pki/bad-certificate', line);
    }
    certs.push(der);
  }
  if (certs.length) return certs;
  if (others.length) {
    const kinds = [...new Set(others)].join('、');
    const hint = others.includes('私钥')
      ? '这里要的是证书（-----BEGIN CERTIFICATE----- 开头），不是私钥；私钥不要交给别人'
      : others.includes('PKCS#7 证书包')
        ? '先转成 PEM 证书：openssl pkcs7 -print_certs -in 文件 -out 证书.pem'
        : '这里要的是证书（-----BEGIN CERTIFICATE----- 开头）';
    throw new CertificateFileError(`${what}中没有证书，只有${kinds}`, hint, 'pki/not-certificate', lineAt(text, blocks[0]!.index));
  }
  if (/-----BEGIN /.test(text)) throw new CertificateFileError(`${what}中的 PEM 块不完整（有 -----BEGIN 行，没有对应的 -----END 行）`, '文件可能被截断；请重新从发证机构取得证书', 'pki/bad-certificate', lineAt(text, text.indexOf('-----BEGIN ')));
  // No armour: a DER certificate (.cer, .crt as Windows exports them), or something else.
  if (bytes[0] === 0x30 && parses(bytes)) return [Buffer.from(bytes)];
  if (bytes[0] === 0x30 && isPkcs12(bytes)) throw new CertificateFileError(`${what}是 PKCS#12（.p12/.pfx）文件，不是证书`, '导出其中的证书：openssl pkcs12 -in 文件.p12 -nokeys -out 证书.pem', 'pki/not-certificate');
  throw new CertificateFileError(`${what}中没有证书（应为 PEM 格式，-----BEGIN CERTIFICATE----- 开头，或 DER 格式）`, '请给出发证机构提供的证书文件', 'pki/not-certificate');
}

/** Does this DER parse as an X.509 certificate (for node's crypto and for pkijs alike)? */
export function parses(der: Buffer): boolean {
  try {
    new X509Certificate(der);
    pkijs.Certificate.fromBER(new Uint8Array(der));
    return true;
  } catch {
    return false;
  }
}
