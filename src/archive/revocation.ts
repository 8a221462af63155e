// Revocation data for a certificate, fetched where the certificate itself says: its CRL
// distribution points (HTTP), and the OCSP responder of its authority information access.
// What is fetched is kept as it came (DER) for the file's DSS, so that the signature can be
// validated after the certificate has expired or its authority is gone (PAdES B-LT).
import * as pkijs from 'pkijs';
import './p12.js'; // sets pkijs's crypto engine (the OCSP request's hashes)
import { NetworkError, exchange } from './http.js';

export class RevocationError extends Error {
  constructor(
    message: string,
    readonly hint: string,
    readonly rule: string,
  ) {
    super(message);
  }
}

export interface Revocation {
  /** CRLs (DER) and OCSP responses (OCSPResponse, DER) about the certificate. */
  crls: Buffer[];
  ocsps: Buffer[];
}

/** An OCSP response is a few kilobytes; a large CA's CRL can run to tens of megabytes. */
const MAX_OCSP_BYTES = 1024 * 1024;
const MAX_CRL_BYTES = 64 * 1024 * 1024;
const OID = { crlDistributionPoints: '2.5.29.31', authorityInfoAccess: '1.3.6.1.5.5.7.1.1', ocsp: '1.3.6.1.5.5.7.48.1' };

/** The HTTP URIs of a certificate's CRL distribution points and of its OCSP responders. */
export function revocationSources(cert: pkijs.Certificate): { crl: string[]; ocsp: string[] } {
  const uris = (names: pkijs.GeneralName[] | undefined) => (names ?? []).filter((n) => n.type === 6 && /^https?:/.test(String(n.value))).map((n) => String(n.value));
  const ext = (oid: string) => cert.extensions?.find((x) => x.extnID === oid)?.parsedValue;
  const dps = ext(OID.crlDistributionPoints) as pkijs.CRLDistributionPoints | undefined;
  const aia = ext(OID.authorityInfoAccess) as pkijs.InfoAccess | undefined;
  return {
    crl: (dps?.distributionPoints ?? []).flatMap((p) => uris(Array.isArray(p.distributionPoint) ? p.distributionPoint : undefined)),
    ocsp: (aia?.accessDescriptions ?? []).filter((d) => d.accessMethod === OID.ocsp).flatMap((d) => uris([d.accessLocation])),
  };
}

const cnOf = (c: pkijs.Certificate) => String(c.subject.typesAndValues.find((t) => t.type === '2.5.4.3')?.value.valueBlock.value ?? '证书');

/**
 * The CRLs and OCSP responses about `certDer`, issued by `issuerDer`. A certificate that names
 * no source gives none; a source that fails is an error: a B-LT file must hold what it claims.
 */
export async function fetchRevocation(certDer: Buffer, issuerDer: Buffer, signal?: AbortSignal): Promise<Revocation> {
  const cert = pkijs.Certificate.fromBER(new Uint8Array(certDer));
  const issuer = pkijs.Certificate.fromBER(new Uint8Array(issuerDer));
  const sources = revocationSources(cert);
  const out: Revocation = { crls: [], ocsps: [] };
  for (const url of sources.ocsp) {
    const request = new pkijs.OCSPRequest();
    await request.createForCertificate(cert, { hashAlgorithm: 'SHA-1', issuerCertificate: issuer });
    const body = await get(url, cnOf(cert), { body: Buffer.from(request.toSchema(true).toBER()), contentType: 'application/ocsp-request' }, MAX_OCSP_BYTES, signal);
    let status: number;
    try {
      status = pkijs.OCSPResponse.fromBER(new Uint8Array(body)).responseStatus.valueBlock.valueDec;
    } catch {
      throw new RevocationError(`OCSP 服务器 ${url} 的回答不是 OCSP 应答`, '稍后再试，或不用 --ltv', 'sign/ocsp');
    }
    if (status !== 0) throw new RevocationError(`OCSP 服务器 ${url} 没有给出「${cnOf(cert)}」的状态（应答状态 ${status}）`, '稍后再试，或不用 --ltv', 'sign/ocsp');
    out.ocsps.push(body);
  }
  for (const url of sources.crl) {
    let crl = await get(url, cnOf(cert), {}, MAX_CRL_BYTES, signal);
    const pem = /-----BEGIN X509 CRL-----([\s\S]*?)-----END X509 CRL-----/.exec(crl.toString('latin1'));
    if (pem) crl = Buffer.from(pem[1]!.replace(/\s+/g, ''), 'base64');
    try {
      pkijs.CertificateRevocationList.fromBER(new Uint8Array(crl));
    } catch {
      throw new RevocationError(`${url} 给出的不是证书吊销列表（CRL）`, '核对证书中的 CRL 地址，或不用 --ltv', 'sign/crl');
    }
    out.crls.push(crl);
  }
  return out;
}

async function get(url: string, who: string, request: { body?: Buffer; contentType?: string }, maxBytes: number, signal?: AbortSignal): Promise<Buffer> {
  try {
    return await exchange(url, request, maxBytes, signal);
  } catch (e) {
    if (!(e instanceof NetworkError)) throw e;
    const http = e.fault.kind === 'http';
    throw new RevocationError(`取「${who}」的吊销信息时，${e.say(url)}`, http ? '稍后再试，或不用 --ltv' : '核对网络，或不用 --ltv；未写入任何文件', http ? 'sign/revocation-http' : e.fault.kind === 'unreachable' ? 'sign/revocation-unreachable' : 'sign/revocation-network');
  }
}

/**
 * What a B-LT file holds for a signature: every certificate of its chains (the signer's, and
 * the TSA's when there is a token) and the revocation data of each one that is not a root,
 * fetched from its issuer's sources. The chains must be complete in what the signer carries.
 */
export async function collectValidation(chains: readonly Buffer[], signal?: AbortSignal): Promise<Revocation & { certs: Buffer[] }> {
  const { X509Certificate } = await import('node:crypto');
  const certs = chains.filter((c, i) => chains.findIndex((d) => d.equals(c)) === i);
  const x509 = certs.map((c) => new X509Certificate(c));
  const out = { certs, crls: [] as Buffer[], ocsps: [] as Buffer[] };
  for (const [i, cert] of x509.entries()) {
    if (cert.checkIssued(cert) && cert.verify(cert.publicKey)) continue; // a root vouches for itself
    const issuer = x509.findIndex((c, j) => j !== i && cert.checkIssued(c) && cert.verify(c.publicKey));
    if (issuer < 0) {
      const name = /(?:^|\n)CN=([^\n]*)/.exec(cert.subject)?.[1] ?? cert.subject;
      throw new RevocationError(`证书链不完整：「${name}」的签发者的证书不在签名证书文件中，取不到它的吊销信息`, '请使用含完整证书链的 .p12 文件（发证机构提供），或不用 --ltv', 'sign/chain');
    }
    const r = await fetchRevocation(certs[i]!, certs[issuer]!, signal);
    // A certificate revoked already cannot sign: said now, not found by a reader later.
    const revoked = (await revocationStatus(certs[i]!, certs[issuer]!, r)).find((s) => s.revoked);
    if (revoked) {
      const name = /(?:^|\n)CN=([^\n]*)/.exec(cert.subject)?.[1] ?? cert.subject;
      throw new RevocationError(`证书「${name}」已被吊销（${revoked.source}）`, '已吊销的证书不能再签名；请向发证机构申请新证书', 'sign/revoked');
    }
    out.crls.push(...r.crls);
    out.ocsps.push(...r.ocsps);
  }
  return out;
}

export interface RevocationStatus {
  source: 'OCSP' | 'CRL';
  /** When the certificate was revoked; absent when the source says it is good. */
  revoked?: Date;
}

/**
 * What `data` says of `certDer` (issued by `issuerDer`): each OCSP response and CRL about it,
 * whose signature is the issuer's, read as good or revoked (with the time). Data about other
 * certificates is passed over; a response about this one with a bad signature is an error.
 */
export async function revocationStatus(certDer: Buffer, issuerDer: Buffer, data: { crls: readonly Buffer[]; ocsps: readonly Buffer[] }): Promise<RevocationStatus[]> {
  const cert = pkijs.Certificate.fromBER(new Uint8Array(certDer));
  const issuer = pkijs.Certificate.fromBER(new Uint8Array(issuerDer));
  const out: RevocationStatus[] = [];
  for (const der of data.ocsps) {
    let basic: pkijs.BasicOCSPResponse;
    try {
      const response = pkijs.OCSPResponse.fromBER(new Uint8Array(der));
      if (!response.responseBytes) continue;
      basic = pkijs.BasicOCSPResponse.fromBER(response.responseBytes.response.getValue());
    } catch {
      continue;
    }
    const status = await basic.getCertificateStatus(cert, issuer);
    if (!status.isForCertificate || status.status === 2) continue;
    let signed = false;
    try {
      signed = await basic.verify({ trustedCerts: [issuer] });
    } catch {
      signed = false;
    }
    if (!signed) throw new RevocationError(`关于「${cnOf(cert)}」的 OCSP 应答的签名无效`, '吊销信息被改动过或不是签发机构给的', 'verify/ocsp-signature');
    const single = basic.tbsResponseData.responses.find((r) => r.certID.serialNumber.isEqual(cert.serialNumber));
    out.push({ source: 'OCSP', ...(status.status === 1 && { revoked: revokedAt(single?.certStatus) ?? new Date(0) }) });
  }
  for (const der of data.crls) {
    let crl: pkijs.CertificateRevocationList;
    try {
      crl = pkijs.CertificateRevocationList.fromBER(new Uint8Array(der));
    } catch {
      continue;
    }
    if (!crl.issuer.isEqual(cert.issuer)) continue;
    // A CRL of the same name not signed by this issuer is not about it (another CA of that
    // name, or a forgery): passed over, so it can neither clear nor condemn the certificate.
    let signed = false;
    try {
      signed = await crl.verify({ issuerCertificate: issuer });
    } catch {
      signed = false;
    }
    if (!signed) continue;
    const entry = crl.revokedCertificates?.find((r) => r.userCertificate.isEqual(cert.serialNumber));
    out.push({ source: 'CRL', ...(entry && { revoked: entry.revocationDate.value }) });
  }
  return out;
}

/** RevokedInfo's revocationTime, from a SingleResponse's certStatus ([1] IMPLICIT SEQUENCE). */
function revokedAt(certStatus: unknown): Date | undefined {
  const first = (certStatus as { valueBlock?: { value?: { toDate?: () => Date }[] } } | undefined)?.valueBlock?.value?.[0];
  return typeof first?.toDate === 'function' ? first.toDate() : undefined;
}
