// RFC 3161 time-stamps: a token from a time-stamping authority over the signature value,
// which proves the signature existed at the token's time (PAdES B-T). The request carries a
// nonce and asks for the TSA's certificate; the answer is checked before it is kept: granted,
// over this very signature, with our nonce, and signed by the certificate it names.
import { createHash, randomBytes } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { Failure, checkCms } from './cms.js';
import { NetworkError, exchange } from './http.js';

export const TSA_OID = {
  /** id-aa-signatureTimeStampToken, the unsigned attribute that holds the token. */
  signatureTimeStampToken: '1.2.840.113549.1.9.16.2.14',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  sha256: '2.16.840.1.101.3.4.2.1',
};

export class TimestampError extends Error {
  constructor(
    message: string,
    readonly hint: string,
    readonly rule: string,
  ) {
    super(message);
  }
}

export interface Timestamp {
  /** The token, a CMS ContentInfo (DER), as the TSA signed it. */
  token: Buffer;
  time: Date;
  /** The TSA's certificate subject, for the report. */
  tsa: string;
  /** The certificates the token carries (the TSA's and its chain), DER. */
  certificates: Buffer[];
}

/** A time-stamp response is a few kilobytes (the token and the TSA's certificates). */
const MAX_ANSWER_BYTES = 1024 * 1024;

/** Ask `url` for a token over `data` (the signature value); a TimestampError says what failed. */
export async function requestTimestamp(url: string, data: Buffer, signal?: AbortSignal): Promise<Timestamp> {
  const imprint = createHash('sha256').update(data).digest();
  const nonce = randomBytes(8);
  nonce[0] = (nonce[0]! & 0x3f) | 0x40; // a positive INTEGER, minimal in DER as it stands
  const request = new pkijs.TimeStampReq({
    version: 1,
    messageImprint: new pkijs.MessageImprint({ hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: TSA_OID.sha256 }), hashedMessage: new asn1js.OctetString({ valueHex: imprint }) }),
    nonce: new asn1js.Integer({ valueHex: nonce }),
    certReq: true,
  });
  let body: Buffer;
  try {
    body = await exchange(url, { body: Buffer.from(request.toSchema().toBER()), contentType: 'application/timestamp-query' }, MAX_ANSWER_BYTES, signal);
  } catch (e) {
    if (!(e instanceof NetworkError)) throw e;
    const http = e.fault.kind === 'http';
    throw new TimestampError(e.say(`时间戳服务器 ${url}`), http ? '核对 --tsa 的地址；服务器暂时不可用时稍后再试；未写入任何文件' : '核对 --tsa 的地址和网络，或换一个时间戳服务器；未写入任何文件', http ? 'sign/tsa-http' : e.fault.kind === 'unreachable' ? 'sign/tsa-unreachable' : 'sign/tsa-network');
  }
  return checkResponse(body, imprint, nonce, url);
}

function checkResponse(body: Buffer, imprint: Buffer, nonce: Buffer, url: string): Timestamp {
  const bad = (what: string) => new TimestampError(`时间戳服务器 ${url} 的回答${what}`, '这个服务器给不出可用的时间戳；换一个时间戳服务器，未写入任何文件', 'sign/tsa-answer');
  let resp: pkijs.TimeStampResp;
  try {
    resp = pkijs.TimeStampResp.fromBER(new Uint8Array(body));
  } catch {
    throw bad('不是 RFC 3161 时间戳应答');
  }
  const status = resp.status.status;
  if (status !== 0 && status !== 1) {
    const text = resp.status.statusStrings?.map((s) => s.valueBlock.value).join('；');
    throw bad(`是拒绝（状态 ${status}${text ? `：${text}` : ''}）`);
  }
  if (!resp.timeStampToken) throw bad('中没有时间戳');
  const token = Buffer.from(resp.timeStampToken.toSchema().toBER());
  const checked = checkToken(token, imprint);
  if (!checked.nonce || !Buffer.from(checked.nonce).equals(nonce)) throw bad('中的随机数（nonce）不是本次请求的');
  return { token, time: checked.time, tsa: checked.tsa, certificates: checked.certificates };
}

/**
 * A token checked on its own: a SignedData over a TSTInfo whose imprint is `imprint` (SHA-256
 * of the signature value), its signature valid by the certificate it carries. `verify` uses it too.
 */
export function checkToken(token: Buffer, imprint: Buffer): { time: Date; tsa: string; nonce?: Uint8Array; certificate: Buffer; certificates: Buffer[] } {
  const fail = (what: string) => new TimestampError(`时间戳${what}`, '时间戳不可用；重新签名并加时间戳', 'sign/tsa-token');
  let info: pkijs.TSTInfo;
  let content: ArrayBuffer;
  try {
    const signedData = new pkijs.SignedData({ schema: pkijs.ContentInfo.fromBER(new Uint8Array(token)).content });
    if (signedData.encapContentInfo.eContentType !== TSA_OID.tstInfo || !signedData.encapContentInfo.eContent) throw new Error('not a TSTInfo');
    content = signedData.encapContentInfo.eContent.getValue();
    info = pkijs.TSTInfo.fromBER(content);
  } catch {
    throw fail('无法解读');
  }
  const hashed = Buffer.from(info.messageImprint.hashedMessage.getValue());
  if (info.messageImprint.hashAlgorithm.algorithmId !== TSA_OID.sha256 || !hashed.equals(imprint)) throw fail('不是对本签名的：其中的摘要与签名值的 SHA-256 不符');
  let signed: ReturnType<typeof checkCms>;
  try {
    signed = checkCms(token, (hash) => createHash(hash).update(Buffer.from(content)).digest(), '时间戳的内容在签发后被改动', '时间戳不可用');
  } catch (e) {
    if (!(e instanceof Failure)) throw e;
    throw fail(`无效：${e.reason}`);
  }
  return { time: info.genTime, tsa: signed.signer, certificate: Buffer.from(signed.x509.raw), certificates: signed.certificates, ...(info.nonce && { nonce: new Uint8Array(info.nonce.valueBlock.valueHexView) }) };
}
