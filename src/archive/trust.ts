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
  // What the file carries (the CMS, its DSS) may hold anything: what does not parse is no link.
  const pool = carried.flatMap((c) => {
    try {
      return [new X509Certificate(c)];
    } catch {
      return [];
    }
  });
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
    const issues = (issuer: X509Certificate) => issuedBy(current, issuer);
    // An anchor vouches for what it issued only as a CA; the leaf itself given is pinned, not issuing.
    const issuers = rootCerts.filter(issues);
    const root = issuers.find((r) => r.fingerprint256 === current.fingerprint256 || !notCa(r));
    if (!root && issuers.length) {
      throw new Failure(`--trust 给出的「${cn(issuers[0]!)}」签发了「${cn(current)}」，但${notCa(issuers[0]!)}，不能作为信任的根证书`, '--trust 应给发证机构的 CA 根证书（基本约束 CA:TRUE、密钥用途含证书签发）；请向发证机构索取', 'verify/trust-not-ca');
    }
    if (root) {
      valid(root, '根证书');
      const all = [...path, ...(root.fingerprint256 === current.fingerprint256 ? [] : [root])];
      return { chain: all.map(cn), certs: all.map((x) => Buffer.from(x.raw)), at, basis };
    }
    if (selfSigned(current)) {
      throw new Failure(`${who}的证书链通到根证书「${cn(current)}」，但它不在 --trust 给出的证书中`, '核对 --trust 的根证书文件是否是签发机构的根证书；不认识的根证书不可信任', 'verify/trust-root');
    }
    const next = pool.find((c) => c.fingerprint256 !== current.fingerprint256 && issues(c));
    if (!next) {
      throw new Failure(`${who}的证书链不能通到给定的根证书：「${cn(current)}」的签发者「${/(?:^|\n)CN=([^\n]*)/.exec(current.issuer)?.[1] ?? current.issuer}」不在 --trust 给出的证书中，签名中也没有带它`, '核对 --trust 的根证书文件是否是签发机构的根证书', 'verify/trust-chain');
    }
    const why = notCa(next);
    if (why) throw new Failure(`证书链中的「${cn(next)}」签发了「${cn(current)}」，但${why}`, '这样的证书链不可信任：只有 CA 证书能签发证书', 'verify/trust-not-ca');
    path.push(next);
  }
  throw new Failure(`${who}的证书链过长`, '核对证书', 'verify/trust-chain');
}

/**
 * Did `issuer` sign `c`? By name and signature only: OpenSSL's checkIssued also wants the
 * issuer's keyCertSign, and would hide an anchor without it instead of letting us say so.
 */
const issuedBy = (c: X509Certificate, issuer: X509Certificate) => c.issuer === issuer.subject && c.verify(issuer.publicKey);
const selfSigned = (c: X509Certificate) => issuedBy(c, c);

/** The KeyUsage bits (first byte: digitalSignature 0x80 … keyCertSign 0x04), when stated. */
function keyUsageByte(cert: pkijs.Certificate): number | undefined {
  const ext = cert.extensions?.find((x) => x.extnID === '2.5.29.15');
  if (!ext) return undefined;
  const bits = asn1js.fromBER(ext.extnValue.valueBlock.valueHexView).result as asn1js.BitString;
  return new Uint8Array(bits.valueBlock.valueHexView)[0] ?? 0;
}

/**
 * Why `c` may not issue certificates, or undefined when it may (RFC 5280 4.2.1.9 and 4.2.1.3):
 * basicConstraints CA:TRUE, and keyCertSign where a key usage is stated. A v1 certificate has no
 * extensions to say either: taken as a CA only when self-signed (an old root, as OpenSSL
 * takes it), never as an intermediate or an issuing end entity.
 */
function notCa(c: X509Certificate): string | undefined {
  const cert = pkijs.Certificate.fromBER(new Uint8Array(c.raw));
  if (cert.version === 0) return selfSigned(c) ? undefined : '它是没有扩展的 v1 证书，又不是自签名的根证书，不能认作 CA';
  // Read here, not from node's `ca`: OpenSSL's answer folds the key usage in.
  const basic = cert.extensions?.find((x) => x.extnID === '2.5.29.19')?.parsedValue as pkijs.BasicConstraints | undefined;
  if (!basic?.cA) return '它不是 CA 证书（基本约束 basicConstraints 不是 CA:TRUE）';
  const ku = keyUsageByte(cert);
  if (ku !== undefined && (ku & 0x04) === 0) return '它的密钥用途（keyUsage）不含证书签发（keyCertSign）';
  return undefined;
}

/** The leaf's key usage, where the certificate states one. */
function usage(cert: X509Certificate, role: 'signer' | 'tsa', who: string): void {
  if (role === 'tsa') {
    const eku = cert.keyUsage ?? [];
    if (!eku.includes('1.3.6.1.5.5.7.3.8')) throw new Failure(`${who}的证书没有时间戳用途（extendedKeyUsage timeStamping）`, '这个证书不能签发时间戳；换一个时间戳服务器', 'verify/trust-usage');
    return;
  }
  const ku = keyUsageByte(pkijs.Certificate.fromBER(new Uint8Array(cert.raw)));
  if (ku !== undefined && (ku & 0xc0) === 0) {
    throw new Failure(`${who}的证书的密钥用途不含数字签名或不可否认`, '这个证书不能用来签署文件', 'verify/trust-usage');
  }
}
