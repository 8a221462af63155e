// A signer from a PKCS #12 file (.p12/.pfx), as certificate authorities hand them out.
// pkijs reads the structure and decrypts the bags; the MAC is checked here, because PKCS #12
// derives its MAC key from the password as UTF-16 (RFC 7292 B.1), which pkijs does byte by
// byte: a Chinese password would never match. The certificates are kept as the DER bytes
// found in the file, so their Chinese names reach the signature exactly as issued.
import { X509Certificate, createHash, createHmac, createPrivateKey, timingSafeEqual, webcrypto, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { CertificateFileError, derLength, parses, readCertificates } from './certificates.js';

pkijs.setEngine('node', new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto as unknown as pkijs.CryptoEngineParameters['crypto'] }));

export interface Signer {
  key: KeyObject;
  /** The signer's certificate, DER as issued. */
  certificate: Buffer;
  /** Other certificates in the file (the issuing chain), DER. */
  chain: Buffer[];
}

export class SignerError extends Error {
  constructor(
    message: string,
    readonly hint: string,
    readonly rule: string,
  ) {
    super(message);
  }
}

const OID = {
  keyBag: '1.2.840.113549.1.12.10.1.1',
  shroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  certBag: '1.2.840.113549.1.12.10.1.3',
  x509Certificate: '1.2.840.113549.1.9.22.1',
};

const HASHES: Record<string, { name: string; u: number; v: number }> = {
  '1.3.14.3.2.26': { name: 'sha1', u: 20, v: 64 },
  '2.16.840.1.101.3.4.2.1': { name: 'sha256', u: 32, v: 64 },
  '2.16.840.1.101.3.4.2.2': { name: 'sha384', u: 48, v: 128 },
  '2.16.840.1.101.3.4.2.3': { name: 'sha512', u: 64, v: 128 },
};

/** RFC 7292 appendix B.2: the PKCS #12 key derivation (id 3 = MAC key). */
function pkcs12Kdf(hash: { name: string; u: number; v: number }, pw: Buffer, salt: Buffer, iterations: number, id: number, size: number): Buffer {
  const { u, v } = hash;
  const fill = (b: Buffer) => {
    const n = b.length === 0 ? 0 : v * Math.ceil(b.length / v);
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i++) out[i] = b[i % b.length]!;
    return out;
  };
  const D = Buffer.alloc(v, id);
  let I = Buffer.concat([fill(salt), fill(pw)]);
  const out: Buffer[] = [];
  for (let got = 0; got < size; got += u) {
    let A = createHash(hash.name).update(Buffer.concat([D, I])).digest();
    for (let i = 1; i < iterations; i++) A = createHash(hash.name).update(A).digest();
    out.push(A);
    const B = fill(A).subarray(0, v);
    const next = Buffer.alloc(I.length);
    for (let j = 0; j < I.length; j += v) {
      let carry = 1;
      for (let k = v - 1; k >= 0; k--) {
        const sum = I[j + k]! + B[k]! + carry;
        next[j + k] = sum & 0xff;
        carry = sum >> 8;
      }
    }
    I = next;
  }
  return Buffer.concat(out).subarray(0, size);
}

function checkMac(pfx: pkijs.PFX, password: string): void {
  const mac = pfx.macData;
  if (!mac) return; // files without a MAC rely on the decryption alone
  const alg = HASHES[mac.mac.digestAlgorithm.algorithmId];
  if (!alg) throw new SignerError(`证书文件的完整性校验算法 ${mac.mac.digestAlgorithm.algorithmId} 不受支持`, '请用 SHA-1 或 SHA-256 校验导出证书文件', 'sign/p12-mac');
  const content = pfx.authSafe.content as asn1js.OctetString;
  const data = Buffer.from(content.getValue());
  const got = Buffer.from(mac.mac.digest.valueBlock.valueHexView);
  // The password as a BMPString with its terminating zero; an empty one is written either as
  // nothing or as the terminator alone, depending on the tool that made the file: both tried.
  const encodings = password === '' ? [Buffer.alloc(0), Buffer.alloc(2)] : [Buffer.concat([Buffer.from(password, 'utf16le').swap16(), Buffer.alloc(2)])];
  for (const pw of encodings) {
    const key = pkcs12Kdf(alg, pw, Buffer.from(mac.macSalt.valueBlock.valueHexView), mac.iterations ?? 1, 3, alg.u);
    const expected = createHmac(alg.name, key).update(data).digest();
    if (expected.length === got.length && timingSafeEqual(expected, got)) return;
  }
  throw new SignerError(password === '' ? '证书口令不正确（现在的口令是空的）' : '证书口令不正确', '请核对环境变量 TONGBAO_SIGN_PASSWORD 或重新输入口令；口令无误时，证书文件可能已损坏', 'sign/bad-password');
}

/** What a file given as --p12 is when it is not a PKCS #12 file, in words; undefined when it may be one. */
function notPkcs12(bytes: Buffer): string | undefined {
  if (bytes.length === 0) return '证书文件是空的';
  const text = bytes.subarray(0, 4096).toString('latin1');
  const label = /-----BEGIN ([A-Z0-9 ]+)-----/.exec(text)?.[1];
  if (label) return `证书文件是 PEM 文本（${/PRIVATE KEY/.test(label) ? '私钥' : /CERTIFICATE/.test(label) ? '证书' : label}），不是 PKCS#12（.p12/.pfx）文件`;
  if (bytes[0] !== 0x30) return '不是 PKCS#12 证书文件';
  if (bytes.length < 2 || derLength(bytes) > bytes.length) return '证书文件不完整（被截断了）';
  if (parses(bytes)) return '证书文件是单独的证书（DER），不含私钥，不是 PKCS#12（.p12/.pfx）文件';
  return undefined;
}

export async function loadSigner(p12: Buffer, password: string): Promise<Signer> {
  const not = notPkcs12(p12);
  const notHint = '请使用 .p12 或 .pfx 格式的签名证书（含私钥）；PEM 格式的私钥和证书用 --key 和 --cert 给出';
  if (not) throw new SignerError(not, notHint, 'sign/not-p12');
  let pfx: pkijs.PFX;
  try {
    pfx = pkijs.PFX.fromBER(new Uint8Array(p12).buffer);
    if (!(pfx.authSafe?.content instanceof asn1js.OctetString)) throw new Error('no authSafe data');
  } catch {
    throw new SignerError('不是 PKCS#12 证书文件，或文件已损坏', notHint, 'sign/not-p12');
  }
  checkMac(pfx, password);
  // PBES2 (what OpenSSL 3 and current CAs write) takes the password as UTF-8 bytes.
  const pw = new Uint8Array(Buffer.from(password, 'utf8')).buffer;
  const keys: { der: Buffer; encrypted: boolean }[] = [];
  const certs: Buffer[] = [];
  try {
    await pfx.parseInternalValues({ checkIntegrity: false, password: pw });
    const safe = pfx.parsedValue!.authenticatedSafe!;
    await safe.parseInternalValues({ safeContents: safe.safeContents.map(() => ({ password: pw })) });
    for (const contents of safe.parsedValue.safeContents) {
      for (const bag of contents.value.safeBags) {
        if (bag.bagId === OID.shroudedKeyBag) {
          // An EncryptedPrivateKeyInfo: node (OpenSSL) decrypts it below, with every cipher it knows.
          keys.push({ der: Buffer.from((bag.bagValue as pkijs.PKCS8ShroudedKeyBag).toSchema().toBER()), encrypted: true });
        } else if (bag.bagId === OID.keyBag) {
          keys.push({ der: Buffer.from((bag.bagValue as pkijs.PrivateKeyInfo).toSchema().toBER()), encrypted: false });
        } else if (bag.bagId === OID.certBag) {
          const cert = bag.bagValue as pkijs.CertBag;
          if (cert.certId !== OID.x509Certificate) continue;
          // The OCTET STRING's own bytes: the certificate exactly as issued.
          certs.push(Buffer.from((cert.certValue as asn1js.OctetString).getValue()));
        }
      }
    }
  } catch (e) {
    if (e instanceof SignerError) throw e;
    const legacy = /1\.2\.840\.113549\.1\.12\.1\.([1-6])\b/.exec(String((e as Error).message))?.[1];
    if (legacy) {
      const name = ['RC4-128', 'RC4-40', '3DES', '2-key 3DES', 'RC2-128', 'RC2-40'][Number(legacy) - 1];
      throw new SignerError(
        `证书文件使用了旧式加密（PKCS#12 的 SHA-1 + ${name}，多见于较早的 OpenSSL 和 Windows 导出的文件），这里无法解开`,
        '用 OpenSSL 重新导出为新式加密：openssl pkcs12 -legacy -in 旧.p12 -nodes -out 临时.pem，再 openssl pkcs12 -export -in 临时.pem -out 新.p12（然后删去临时.pem）',
        'sign/p12-legacy',
      );
    }
    throw new SignerError('无法解开证书文件中的内容', '请核对口令；证书文件可能已损坏或使用了不支持的加密算法（可用 openssl pkcs12 -info -in 文件 查看）', 'sign/p12-decrypt');
  }
  if (keys.length === 0) throw new SignerError('证书文件中没有私钥', '请导出含私钥的 .p12 文件', 'sign/no-key');
  let key: KeyObject;
  try {
    const { der, encrypted } = keys[0]!;
    key = createPrivateKey({ key: der, format: 'der', type: 'pkcs8', ...(encrypted && { passphrase: password }) });
  } catch {
    throw new SignerError('无法解开证书文件中的私钥', '请核对口令；证书文件可能已损坏', 'sign/bad-password');
  }
  // A certificate bag that does not parse is no part of the chain (it could not be checked or sent).
  const readable = certs.filter(parses);
  const own = readable.find((c) => new X509Certificate(c).checkPrivateKey(key));
  if (!own) throw new SignerError('证书文件中没有与私钥对应的证书', '请导出含签名证书和私钥的 .p12 文件', 'sign/no-certificate');
  return { key, certificate: own, chain: readable.filter((c) => c !== own) };
}

/** The certificates of a PEM file (a certificate and its chain, or a bundle of roots), DER each. */
export function pemCertificates(text: string): Buffer[] {
  return [...text.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)].map((m) => Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64'));
}

/** Does a PEM private key need a password (PKCS #8 encrypted, or an old-style encrypted key)? */
export function pemKeyEncrypted(keyPem: Buffer): boolean {
  return /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(keyPem.toString('latin1'));
}

/** A private key from a --key file: PEM (encrypted or not) or DER (PKCS #8, PKCS #1, SEC 1). */
function readKey(bytes: Buffer, password: string): KeyObject {
  const encrypted = pemKeyEncrypted(bytes);
  const label = /-----BEGIN ([A-Z0-9 ]+)-----/.exec(bytes.toString('latin1'))?.[1];
  const notKey = (what: string) => new SignerError(`私钥文件${what}`, '请使用 PEM 格式的私钥（-----BEGIN PRIVATE KEY----- 开头）；.p12 文件用 --p12 给出', 'sign/not-key');
  if (bytes.length === 0) throw notKey('是空的');
  if (label && !/PRIVATE KEY/.test(label)) throw notKey(`中没有私钥，只有${/CERTIFICATE/.test(label) ? '证书' : label}`);
  try {
    return createPrivateKey({ key: bytes, format: 'pem', ...(encrypted && { passphrase: password }) });
  } catch {
    if (encrypted) throw new SignerError('无法解开私钥文件：口令不对', '请核对口令', 'sign/bad-password');
    if (label) throw notKey(`第 ${bytes.toString('latin1').slice(0, bytes.toString('latin1').indexOf('-----BEGIN')).split('\n').length} 行起的私钥无法解读（可能被截断或改动过）`);
  }
  for (const type of ['pkcs8', 'pkcs1', 'sec1'] as const) {
    try {
      return createPrivateKey({ key: bytes, format: 'der', type });
    } catch {
      // the next encoding
    }
  }
  throw notKey(notPkcs12(bytes) === undefined ? '是 PKCS#12（.p12/.pfx）文件，不是私钥' : '无法读取：不是 PEM 或 DER 格式的私钥');
}

/** A signer from a PEM private key and a PEM certificate file (the certificate, then its chain). */
export function loadPemSigner(keyPem: Buffer, certPem: Buffer, password: string): Signer {
  const key = readKey(keyPem, password);
  let certs: Buffer[];
  try {
    certs = readCertificates(certPem, '证书文件（--cert）');
  } catch (e) {
    if (!(e instanceof CertificateFileError)) throw e;
    throw new SignerError(e.message, e.hint, e.rule === 'pki/not-certificate' || e.rule === 'pki/empty' ? 'sign/no-certificate' : 'sign/bad-certificate');
  }
  const own = certs.find((c) => new X509Certificate(c).checkPrivateKey(key));
  if (!own) throw new SignerError('证书文件中没有与私钥对应的证书', '核对 --key 和 --cert 是不是同一张证书的', 'sign/no-certificate');
  return { key, certificate: own, chain: certs.filter((c) => c !== own) };
}

/** Key types a PAdES signature is made with here, by node's name for them. */
const KEY_TYPES: Record<string, string> = { rsa: 'RSA', ec: 'ECDSA' };
const KEY_NAMES: Record<string, string> = { ed25519: 'Ed25519', ed448: 'Ed448', dsa: 'DSA', 'rsa-pss': 'RSA-PSS', dh: 'DH', x25519: 'X25519', x448: 'X448' };

const chinaDate = (d: Date) => {
  const c = new Date(d.getTime() + 8 * 3600_000);
  return `${c.getUTCFullYear()}年${c.getUTCMonth() + 1}月${c.getUTCDate()}日`;
};

/**
 * What makes a signer unfit to sign at `time`, checked before anything is printed: a key of a
 * type the signature cannot be made with, a certificate not valid at that time, or one whose
 * key usage excludes signing (digitalSignature or nonRepudiation).
 */
export function checkSigner(signer: Signer, time: Date): void {
  const type = signer.key.asymmetricKeyType ?? '';
  if (!KEY_TYPES[type]) {
    throw new SignerError(`证书的密钥类型是 ${KEY_NAMES[type] ?? type}，PDF 签名这里只能用 RSA 或 ECDSA 密钥`, '请向发证机构申请 RSA 或 ECDSA（P-256）密钥的签名证书', 'sign/key-type');
  }
  const cert = pkijs.Certificate.fromBER(new Uint8Array(signer.certificate));
  const from = cert.notBefore.value;
  const to = cert.notAfter.value;
  if (time < from) {
    throw new SignerError(`签名证书尚未生效：有效期从${chinaDate(from)}起，签名时间是${chinaDate(time)}`, '核对计算机的日期，或使用已生效的证书（设置了 SOURCE_DATE_EPOCH 时，签名时间取它）', 'sign/not-yet-valid');
  }
  if (time > to) {
    throw new SignerError(`签名证书已过期：有效期到${chinaDate(to)}为止，签名时间是${chinaDate(time)}`, '请使用有效期内的证书（设置了 SOURCE_DATE_EPOCH 时，签名时间取它）', 'sign/expired');
  }
  const usage = cert.extensions?.find((x) => x.extnID === '2.5.29.15');
  if (usage) {
    // KeyUsage is a BIT STRING: bit 0 digitalSignature, bit 1 nonRepudiation (contentCommitment).
    const bits = asn1js.fromBER(usage.extnValue.valueBlock.valueHexView).result as asn1js.BitString;
    const first = new Uint8Array(bits.valueBlock.valueHexView)[0] ?? 0;
    if ((first & 0xc0) === 0) {
      throw new SignerError('签名证书的密钥用途不含数字签名（digitalSignature）或不可否认（nonRepudiation），不能用来签署文件', '请使用签名用途的证书（加密证书和 CA 证书不能签名）', 'sign/key-usage');
    }
  }
}
