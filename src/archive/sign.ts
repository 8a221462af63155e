// A PAdES signature (SubFilter ETSI.CAdES.detached, SHA-256, signing-certificate-v2; with a
// TSA's token over the signature value, B-T) added as one incremental update: a signature
// field whose widget shows the seal where the print left its box (or is invisible, a zero
// Rect on the first page), and a /Contents placeholder filled once the /ByteRange digest is known.
// The CMS is built with pkijs, which copies the issuer name from the certificate as issued:
// node-forge re-encodes Chinese names wrongly and the signature then fails to verify.
import { createHash, sign as cryptoSign, X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { pdfDate, pdfText } from '../pdf/finish.js';
import { deflateSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { PdfDocument, appendUpdate, arrayItems, parseDict, refNumber, streamBody, writeDict } from '../pdf/update.js';
import type { Signer } from './p12.js';

export const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  sha256: '2.16.840.1.101.3.4.2.1',
  rsaEncryption: '1.2.840.113549.1.1.1',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
};

export interface SignOptions {
  /** When the signature is made; SOURCE_DATE_EPOCH may fix it for reproducible builds. */
  time?: Date;
  /** Why (shown by readers as the signature's reason). */
  reason?: string;
  /** A time-stamp token over the signature value (PAdES B-T), from a TSA. */
  timestamp?: (signature: Buffer) => Promise<Buffer>;
  /**
   * The seal as the signature's face: its image (PNG with transparency) and the address of the
   * link annotation the print left where the seal goes. The widget takes that annotation's
   * place; without it the signature is invisible.
   */
  appearance?: { png: Buffer; marker: string };
}

/** Room for a time-stamp token: the TSA's signature and its certificates. */
const TOKEN_BYTES = 16384;

/** The certificate's subject CN (or O), decoded from whatever string type the CA chose. */
export function subjectName(certDer: Uint8Array): string {
  const cert = pkijs.Certificate.fromBER(new Uint8Array(certDer));
  const get = (oid: string) => cert.subject.typesAndValues.find((t) => t.type === oid)?.value.valueBlock.value as string | undefined;
  return get(OID.commonName) ?? get(OID.organization) ?? new X509Certificate(Buffer.from(certDer)).subject;
}

const algorithm = (algorithmId: string, nullParams = false) =>
  new pkijs.AlgorithmIdentifier({ algorithmId, ...(nullParams && { algorithmParams: new asn1js.Null() }) });

/** ESS signing-certificate-v2 (RFC 5035): binds the signature to this certificate. */
function signingCertificateV2(cert: pkijs.Certificate, certDer: Uint8Array): asn1js.Sequence {
  const hash = createHash('sha256').update(certDer).digest();
  const issuerSerial = new asn1js.Sequence({
    value: [
      // GeneralNames { directoryName [4] Name }: the issuer as encoded in the certificate.
      new asn1js.Sequence({ value: [new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 4 }, value: [cert.issuer.toSchema()] })] }),
      cert.serialNumber,
    ],
  });
  // hashAlgorithm is left out: SHA-256 is its DEFAULT, and DER omits defaults.
  const essCertIdV2 = new asn1js.Sequence({ value: [new asn1js.OctetString({ valueHex: hash }), issuerSerial] });
  return new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [essCertIdV2] })] });
}

/** The detached CMS SignedData over `digest` (SHA-256 of the signed byte ranges). */
export function cmsSignature(signer: Signer, digest: Buffer): Buffer {
  return assemble(signer, signatureValue(signer, digest));
}

/**
 * The same with an RFC 3161 token over its signature value (PAdES B-T): `timestamp` is asked
 * for the token once the value is known, and the token goes into the unsigned attributes.
 */
export async function cmsSignatureWithTimestamp(signer: Signer, digest: Buffer, timestamp: (signature: Buffer) => Promise<Buffer>): Promise<Buffer> {
  const signed = signatureValue(signer, digest);
  const token = await timestamp(signed.signature);
  const unsigned = new pkijs.Attribute({ type: '1.2.840.113549.1.9.16.2.14', values: [asn1js.fromBER(new Uint8Array(token)).result] });
  return assemble(signer, signed, unsigned);
}

/** The signed attributes and the signature over them. */
function signatureValue(signer: Signer, digest: Buffer): { cert: pkijs.Certificate; signedAttrs: pkijs.SignedAndUnsignedAttributes; signature: Buffer } {
  const cert = pkijs.Certificate.fromBER(new Uint8Array(signer.certificate));
  const attrs = [
    new pkijs.Attribute({ type: OID.contentType, values: [new asn1js.ObjectIdentifier({ value: OID.data })] }),
    new pkijs.Attribute({ type: OID.messageDigest, values: [new asn1js.OctetString({ valueHex: digest })] }),
    new pkijs.Attribute({ type: OID.signingCertificateV2, values: [signingCertificateV2(cert, signer.certificate)] }),
  ];
  // DER sorts a SET OF by encoding; verifiers that re-encode the attributes expect that order.
  const der = (a: pkijs.Attribute) => Buffer.from(a.toSchema().toBER());
  attrs.sort((a, b) => Buffer.compare(der(a), der(b)));
  const signedAttrs = new pkijs.SignedAndUnsignedAttributes({ type: 0, attributes: attrs });
  const toSign = Buffer.from(signedAttrs.toSchema().toBER());
  toSign[0] = 0x31; // signed as a SET OF, stored as [0] IMPLICIT (RFC 5652 §5.4)
  const kind = signer.key.asymmetricKeyType;
  if (kind !== 'rsa' && kind !== 'ec') throw new Error(`unsupported key type ${kind}: only RSA and ECDSA keys can sign`);
  return { cert, signedAttrs, signature: cryptoSign('sha256', toSign, signer.key) };
}

function assemble(signer: Signer, { cert, signedAttrs, signature }: ReturnType<typeof signatureValue>, unsigned?: pkijs.Attribute): Buffer {
  const chain = signer.chain.map((c) => pkijs.Certificate.fromBER(new Uint8Array(c)));
  const signerInfo = new pkijs.SignerInfo({
    version: 1,
    sid: new pkijs.IssuerAndSerialNumber({ issuer: cert.issuer, serialNumber: cert.serialNumber }),
    digestAlgorithm: algorithm(OID.sha256),
    signedAttrs,
    signatureAlgorithm: signer.key.asymmetricKeyType === 'rsa' ? algorithm(OID.rsaEncryption, true) : algorithm(OID.ecdsaWithSha256),
    signature: new asn1js.OctetString({ valueHex: signature }),
    ...(unsigned && { unsignedAttrs: new pkijs.SignedAndUnsignedAttributes({ type: 1, attributes: [unsigned] }) }),
  });
  const signedData = new pkijs.SignedData({
    version: 1,
    digestAlgorithms: [algorithm(OID.sha256)],
    encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: OID.data }),
    certificates: [cert, ...chain],
    signerInfos: [signerInfo],
  });
  const content = new pkijs.ContentInfo({ contentType: OID.signedData, content: signedData.toSchema(true) });
  return Buffer.from(content.toSchema().toBER());
}

/** The first page's object number: the signature's widget sits there (invisibly). */
function firstPage(doc: PdfDocument, pagesRef: string): number {
  let node = refNumber(pagesRef);
  for (let depth = 0; depth < 64; depth++) {
    const d = doc.dict(node);
    if (d.get('Type') !== '/Pages') return node;
    const kid = /\d+ \d+ R/.exec(d.get('Kids') ?? '')?.[0];
    if (!kid) throw new Error('PDF without pages');
    node = refNumber(kid);
  }
  throw new Error('page tree too deep');
}

/** The print holds no box for the seal (the widget would have nowhere to show it). */
export class SealSlotMissing extends Error {
  constructor() {
    super('印章的位置在打印出的 PDF 中没有找到');
    this.name = 'SealSlotMissing';
  }
}

const BYTE_RANGE_SLOT = `[0 0 0 0]${' '.repeat(36)}`;

/** Sign `pdf` (after PDF/A): returns it with the signature update appended. */
export async function signPdf(pdf: Buffer, signer: Signer, options: SignOptions = {}): Promise<Buffer> {
  const doc = new PdfDocument(pdf);
  const catalog = doc.dict(doc.trailer.root);
  let next = doc.trailer.size;
  const sigNum = next++;
  const updates: { num: number; body: string | Buffer }[] = [];
  // The widget: the seal's slot taken over, or a new invisible one on the first page.
  const slot = options.appearance && sealSlot(doc, options.appearance.marker);
  // The print left the seal out for the widget to show: without its place, it would be lost.
  if (options.appearance && !slot) throw new SealSlotMissing();
  let fieldNum: number;
  let pageNum: number;
  let widget: Map<string, string>;
  if (slot && options.appearance) {
    fieldNum = slot.num;
    pageNum = slot.page;
    const rect = arrayItems(slot.dict.get('Rect')).map(Number);
    const [w, h] = [rect[2]! - rect[0]!, rect[3]! - rect[1]!];
    const image = imageXObject(options.appearance.png);
    const [imageNum, maskNum, formNum] = [next++, next++, next++];
    updates.push({ num: maskNum, body: image.mask }, { num: imageNum, body: image.image(maskNum) });
    // Multiplied onto the page, as ink is: the text under the seal stays legible, as printed.
    const form = new Map([['Type', '/XObject'], ['Subtype', '/Form'], ['BBox', `[0 0 ${fmt(w)} ${fmt(h)}]`], ['Resources', `<</XObject <</Seal ${imageNum} 0 R>> /ExtGState <</Ink <</Type /ExtGState /BM /Multiply>>>>>>`]]);
    updates.push({ num: formNum, body: streamBody(form, Buffer.from(`q /Ink gs ${fmt(w)} 0 0 ${fmt(h)} 0 0 cm /Seal Do Q`, 'latin1')) });
    widget = new Map([['Rect', `[${rect.map(fmt).join(' ')}]`], ['AP', `<</N ${formNum} 0 R>>`]]);
    const parent = slot.dict.get('StructParent');
    if (parent) widget.set('StructParent', parent);
    // The seal's link repeated off the edges of other pages: kept (the structure tree names
    // them) but inert, with no action and no area.
    for (const stray of slot.strays) {
      const d = new Map([['Type', '/Annot'], ['Subtype', '/Link'], ['F', '4'], ['Border', '[0 0 0]'], ['Rect', '[0 0 0 0]']]);
      const p = doc.dict(stray).get('StructParent');
      if (p) d.set('StructParent', p);
      updates.push({ num: stray, body: writeDict(d) });
    }
  } else {
    fieldNum = next++;
    pageNum = firstPage(doc, catalog.get('Pages')!);
    const page = doc.dict(pageNum);
    const annots = page.get('Annots');
    if (annots && !annots.startsWith('[')) throw new Error('indirect /Annots arrays are not supported');
    page.set('Annots', annots ? `${annots.slice(0, -1)} ${fieldNum} 0 R]` : `[${fieldNum} 0 R]`);
    updates.push({ num: pageNum, body: writeDict(page) });
    // Zero-sized: PDF/A needs no appearance for an annotation without area.
    widget = new Map([['Rect', '[0 0 0 0]']]);
  }

  const form = catalog.get('AcroForm');
  if (form && !form.startsWith('<<')) throw new Error('an indirect /AcroForm is not supported');
  const acro = form ? parseDict(form) : new Map<string, string>();
  const fields = acro.get('Fields');
  acro.set('Fields', fields ? `${fields.slice(0, -1)} ${fieldNum} 0 R]` : `[${fieldNum} 0 R]`);
  acro.set('SigFlags', '3'); // SignaturesExist | AppendOnly
  catalog.set('AcroForm', writeDict(acro));

  const name = subjectName(signer.certificate);
  const contentsBytes = 8192 + signer.certificate.length + signer.chain.reduce((n, c) => n + c.length, 0) + (options.timestamp ? TOKEN_BYTES : 0);
  const sig = new Map<string, string>([
    ['Type', '/Sig'],
    ['Filter', '/Adobe.PPKLite'],
    ['SubFilter', '/ETSI.CAdES.detached'],
    ['ByteRange', BYTE_RANGE_SLOT],
    ['Contents', `<${'0'.repeat(contentsBytes * 2)}>`],
    ['M', `(${pdfDate(options.time ?? new Date())})`],
    ['Name', pdfText(name)],
    ...(options.reason ? ([['Reason', pdfText(options.reason)]] as [string, string][]) : []),
  ]);
  const taken = new Set([...doc.text.matchAll(/\/T \(Signature(\d+)\)/g)].map((m) => m[1]));
  let k = 1;
  while (taken.has(String(k))) k++;
  const field = new Map<string, string>([
    ['Type', '/Annot'],
    ['Subtype', '/Widget'],
    ['FT', '/Sig'],
    ['T', `(Signature${k})`],
    ['V', `${sigNum} 0 R`],
    // Printable and locked: PDF/A needs the print flag.
    ['F', '132'],
    ['P', `${pageNum} 0 R`],
    ...widget,
  ]);

  const out = appendUpdate(doc, [
    { num: refNumber(doc.trailer.root), body: writeDict(catalog) },
    ...updates,
    { num: sigNum, body: writeDict(sig) },
    { num: fieldNum, body: writeDict(field) },
  ]);

  // Fill the placeholders: the byte ranges around /Contents, then the CMS over them.
  const text = out.toString('latin1', pdf.length);
  const rangeAt = text.indexOf(BYTE_RANGE_SLOT) + pdf.length;
  const open = text.indexOf('/Contents <') + pdf.length + '/Contents '.length;
  const close = open + contentsBytes * 2 + 2;
  const range = `[0 ${open} ${close} ${out.length - close}]`.padEnd(BYTE_RANGE_SLOT.length, ' ');
  out.write(range, rangeAt, 'latin1');
  const digest = createHash('sha256').update(out.subarray(0, open)).update(out.subarray(close)).digest();
  const cms = options.timestamp ? await cmsSignatureWithTimestamp(signer, digest, options.timestamp) : cmsSignature(signer, digest);
  if (cms.length > contentsBytes) throw new Error(`signature of ${cms.length} bytes does not fit its ${contentsBytes}-byte slot`);
  out.write(cms.toString('hex').toUpperCase(), open + 1, 'latin1');
  return out;
}

/**
 * The link annotation the print left in the seal's box: its object, its dictionary, its page.
 * Chromium may repeat a positioned box's link on the pages around it, off their edges: the one
 * whose box lies on its page is the seal's; the others are returned to be made inert.
 */
function sealSlot(doc: PdfDocument, marker: string): { num: number; dict: Map<string, string>; page: number; strays: number[] } | undefined {
  const objectAt = (i: number) => Number(/(\d+)$/.exec(doc.text.slice(Math.max(0, i - 12), i))?.[1] ?? NaN);
  const found: { num: number; dict: Map<string, string>; page: number; inside: boolean }[] = [];
  for (let at = doc.text.indexOf(`(${marker})`); at >= 0; at = doc.text.indexOf(`(${marker})`, at + 1)) {
    const num = objectAt(doc.text.lastIndexOf(' 0 obj', at));
    if (!Number.isFinite(num) || found.some((f) => f.num === num)) continue;
    const dict = doc.dict(num);
    if (dict.get('Subtype') !== '/Link') continue;
    const page = pageOf(doc, num);
    if (page === undefined) continue;
    const [x0, y0, x1, y1] = arrayItems(dict.get('Rect')).map(Number) as [number, number, number, number];
    const [bx0, by0, bx1, by1] = arrayItems(doc.dict(page).get('MediaBox') ?? '[0 0 595.92 841.92]').map(Number) as [number, number, number, number];
    found.push({ num, dict, page, inside: x0 >= bx0 && y0 >= by0 && x1 <= bx1 && y1 <= by1 });
  }
  const seal = found.find((f) => f.inside);
  return seal && { num: seal.num, dict: seal.dict, page: seal.page, strays: found.filter((f) => f !== seal).map((f) => f.num) };
}

/** The page whose /Annots names object `num`. */
function pageOf(doc: PdfDocument, num: number): number | undefined {
  const ref = new RegExp(`(?<!\\d)${num} 0 R\\b`, 'g');
  for (const m of doc.text.matchAll(ref)) {
    const at = doc.text.lastIndexOf(' 0 obj', m.index);
    const page = Number(/(\d+)$/.exec(doc.text.slice(Math.max(0, at - 12), at))?.[1] ?? NaN);
    if (!Number.isFinite(page)) continue;
    const d = doc.dict(page);
    if (d.get('Type') === '/Page' && arrayItems(d.get('Annots')).includes(`${num} 0 R`)) return page;
  }
  return undefined;
}

const fmt = (n: number) => String(Math.round(n * 1000) / 1000);

/** A PNG as an image XObject (RGB, 8 bits) whose transparency is its soft mask. */
function imageXObject(png: Buffer): { mask: Buffer; image: (maskNum: number) => Buffer } {
  const { width, height, data } = PNG.sync.read(png);
  const rgb = Buffer.alloc(width * height * 3);
  const alpha = Buffer.alloc(width * height);
  for (let i = 0, j = 0, k = 0; i < data.length; i += 4, j += 3, k++) {
    rgb[j] = data[i]!;
    rgb[j + 1] = data[i + 1]!;
    rgb[j + 2] = data[i + 2]!;
    alpha[k] = data[i + 3]!;
  }
  const common: [string, string][] = [['Type', '/XObject'], ['Subtype', '/Image'], ['Width', String(width)], ['Height', String(height)], ['BitsPerComponent', '8'], ['Filter', '/FlateDecode']];
  return {
    mask: streamBody(new Map([...common, ['ColorSpace', '/DeviceGray']]), deflateSync(alpha)),
    image: (maskNum) => streamBody(new Map([...common, ['ColorSpace', '/DeviceRGB'], ['SMask', `${maskNum} 0 R`]]), deflateSync(rgb)),
  };
}

/**
 * A subject name that is UTF-8 read as Latin-1 (安吉县 as å®\u0089å\u0090\u0089å\u008e¿), as
 * `openssl req -subj` without `-utf8` makes it: the signature would name its signer in
 * garbage. The name meant, when the bytes decode, or '' when only the pattern shows.
 */
export function garbledName(name: string): string | undefined {
  if (!/[\u0080-\u00ff]/.test(name)) return undefined;
  // Every character a byte: the bytes may be the UTF-8 the issuer meant.
  if (/^[\u0000-\u00ff]*$/.test(name)) {
    try {
      const meant = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(name, 'latin1'));
      if (meant !== name) return meant;
    } catch {
      // Not UTF-8 after all: Latin-1 text (Müller) is a real name, unless control characters show.
    }
  }
  return /[\u0080-\u009f]/.test(name) ? '' : undefined;
}

/** Warnings on a signer fit to sign: its name, as the signature will show it, is mojibake. */
export function signerWarnings(signer: Signer): { reason: string; hint: string; rule: string }[] {
  const name = subjectName(signer.certificate);
  const meant = garbledName(name);
  if (meant === undefined) return [];
  // Shown without its invisible control characters, and short.
  const shown = name.replace(/[\u0080-\u009f]/g, '');
  return [
    {
      reason: `签名证书的签名人名称是乱码：「${shown.length > 16 ? `${shown.slice(0, 16)}…` : shown}」${meant ? `，应是「${meant}」（UTF-8 编码被当作 Latin-1 读了）` : '（编码有误）'}；签名会以这个名称显示`,
      hint: '用 openssl 自制的证书请加 -utf8 重新生成（见 README「签名用的证书」）；CA 签发的证书请联系发证机构',
      rule: 'sign/garbled-name',
    },
  ];
}
