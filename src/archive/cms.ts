// A CMS SignedData checked against the digest of what it signs, by the certificate it carries:
// the PDF's signature, the signature of SHA256SUMS and a time-stamp token are all checked here
// (pkijs parses, node's crypto verifies). Trust in the certificate is judged elsewhere.
import { X509Certificate, createHash, verify as cryptoVerify } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { derLength } from './certificates.js';
import { OID, subjectName } from './sign.js';

export const HASH_BY_OID: Record<string, string> = {
  [OID.sha256]: 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

/** What is wrong with a signature, in the user's words. */
export class Failure extends Error {
  constructor(
    readonly reason: string,
    readonly hint: string,
    readonly rule: string,
  ) {
    super(reason);
  }
}

/**
 * A CMS SignedData (DER, trailing zeros allowed) checked against the digest of what it signs:
 * the signer's certificate found, the message digest, the signature value, signing-certificate-v2.
 */
export function checkCms(raw: Buffer, digestOf: (hash: string) => Buffer, changed: string, changedHint: string): { signer: string; subject: string; x509: X509Certificate; signerInfo: pkijs.SignerInfo; certificates: Buffer[] } {
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
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(certDer);
  } catch {
    throw new Failure('签名中签名人的证书无法解读', '签名数据已损坏；请重新生成并签名', 'verify/certificate');
  }
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
  const certificates = (signedData.certificates ?? []).filter((c): c is pkijs.Certificate => c instanceof pkijs.Certificate).map((c) => Buffer.from(c.toSchema().toBER()));
  return { signer, subject, x509, signerInfo: si, certificates };
}
