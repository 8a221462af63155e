// Trust in a signer's certificate, judged against roots the user names (`verify --trust
// roots.pem`): a path from the certificate through the certificates the signature carries to
// one of those roots, each link's signature, the issuers being CAs, every certificate valid at
// the time that can be proven (the time-stamp's, else now), and the key usage the role needs.
// Revocation is not judged here yet.
import { X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { Failure } from './cms.js';

export interface TrustPath {
  /** Subjects from the signer to the root, as a person reads them (CN). */
  chain: string[];
  /** The same certificates, DER. */
  certs: Buffer[];
  /** The time validity was judged at, and why that time. */
  at: Date;
  basis: 'timestamp' | 'now';
}

export { pemCertificates } from './p12.js';

const cn = (c: X509Certificate) => /(?:^|\n)CN=([^\n]*)/.exec(c.subject)?.[1] ?? c.subject.replace(/\n/g, ',');
const day = (d: Date) => new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 10);

/**
 * The path from `leaf` to one of `roots`, checked at `at`; a Failure names the first fault.
 * `role` picks the key usage checked on the leaf: signing (digitalSignature or nonRepudiation)
 * or time-stamping (extended key usage timeStamping).
 */
export function checkTrust(leaf: Buffer, carried: readonly Buffer[], roots: readonly Buffer[], at: Date, basis: TrustPath['basis'], role: 'signer' | 'tsa'): TrustPath {
  const who = role === 'signer' ? '签名人' : '时间戳服务器';
  const rootCerts = roots.map((r) => new X509Certificate(r));
  const pool = carried.map((c) => new X509Certificate(c));
  const first = new X509Certificate(leaf);
  usage(first, role, who);
  const path = [first];
  for (let depth = 0; depth < 10; depth++) {
    const current = path.at(-1)!;
    const valid = (c: X509Certificate, name: string) => {
      if (at < new Date(c.validFrom) || at > new Date(c.validTo)) {
        const when = basis === 'timestamp' ? `时间戳的时间（${day(at)}）` : `现在（${day(at)}）`;
        const unproven = basis === 'now' ? '；签名没有时间戳，无法证明它是在有效期内做的' : '';
        throw new Failure(`${name}「${cn(c)}」在${when}不在有效期内（${day(new Date(c.validFrom))} 至 ${day(new Date(c.validTo))}）${unproven}`, basis === 'now' ? '证书过期后，只有带时间戳（--tsa）的签名还能核验；请重新签名并加时间戳' : '请用有效期内的证书重新签名', 'verify/trust-validity');
      }
    };
    valid(current, path.length === 1 ? `${who}的证书` : '证书链中的证书');
    const issues = (issuer: X509Certificate) => current.checkIssued(issuer) && current.verify(issuer.publicKey);
    const root = rootCerts.find(issues);
    if (root) {
      valid(root, '根证书');
      const all = [...path, ...(root.fingerprint256 === current.fingerprint256 ? [] : [root])];
      return { chain: all.map(cn), certs: all.map((x) => Buffer.from(x.raw)), at, basis };
    }
    if (current.checkIssued(current) && current.verify(current.publicKey)) {
      throw new Failure(`${who}的证书链通到根证书「${cn(current)}」，但它不在 --trust 给出的证书中`, '核对 --trust 的根证书文件是否是签发机构的根证书；不认识的根证书不可信任', 'verify/trust-root');
    }
    const next = pool.find((c) => c.fingerprint256 !== current.fingerprint256 && c.ca && issues(c));
    if (!next) {
      throw new Failure(`${who}的证书链不能通到给定的根证书：「${cn(current)}」的签发者「${/(?:^|\n)CN=([^\n]*)/.exec(current.issuer)?.[1] ?? current.issuer}」不在 --trust 给出的证书中，签名中也没有带它`, '核对 --trust 的根证书文件是否是签发机构的根证书', 'verify/trust-chain');
    }
    path.push(next);
  }
  throw new Failure(`${who}的证书链过长`, '核对证书', 'verify/trust-chain');
}

/** The leaf's key usage, where the certificate states one. */
function usage(cert: X509Certificate, role: 'signer' | 'tsa', who: string): void {
  if (role === 'tsa') {
    const eku = cert.keyUsage ?? [];
    if (!eku.includes('1.3.6.1.5.5.7.3.8')) throw new Failure(`${who}的证书没有时间戳用途（extendedKeyUsage timeStamping）`, '这个证书不能签发时间戳；换一个时间戳服务器', 'verify/trust-usage');
    return;
  }
  const ext = pkijs.Certificate.fromBER(new Uint8Array(cert.raw)).extensions?.find((x) => x.extnID === '2.5.29.15');
  if (!ext) return;
  const bits = asn1js.fromBER(ext.extnValue.valueBlock.valueHexView).result as asn1js.BitString;
  if (((new Uint8Array(bits.valueBlock.valueHexView)[0] ?? 0) & 0xc0) === 0) {
    throw new Failure(`${who}的证书的密钥用途不含数字签名或不可否认`, '这个证书不能用来签署文件', 'verify/trust-usage');
  }
}
