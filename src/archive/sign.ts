// A PAdES signature (SubFilter ETSI.CAdES.detached, SHA-256, signing-certificate-v2; with a
// TSA's token over the signature value, B-T) added as one incremental update: a signature field whose widget is invisible (zero Rect) on the
// first page, and a /Contents placeholder filled once the /ByteRange digest is known.
// The CMS is built with pkijs, which copies the issuer name from the certificate as issued:
// node-forge re-encodes Chinese names wrongly and the signature then fails to verify.
import { createHash, sign as cryptoSign, X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { pdfDate, pdfText } from '../pdf/finish.js';
import { PdfDocument, appendUpdate, parseDict, refNumber, writeDict } from '../pdf/update.js';
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

const BYTE_RANGE_SLOT = `[0 0 0 0]${' '.repeat(36)}`;

/** Sign `pdf` (after PDF/A): returns it with the signature update appended. */
export async function signPdf(pdf: Buffer, signer: Signer, options: SignOptions = {}): Promise<Buffer> {
  const doc = new PdfDocument(pdf);
  const catalog = doc.dict(doc.trailer.root);
  const pageNum = firstPage(doc, catalog.get('Pages')!);
  const page = doc.dict(pageNum);
  const [sigNum, fieldNum] = [doc.trailer.size, doc.trailer.size + 1];

  const annots = page.get('Annots');
  if (annots && !annots.startsWith('[')) throw new Error('indirect /Annots arrays are not supported');
  page.set('Annots', annots ? `${annots.slice(0, -1)} ${fieldNum} 0 R]` : `[${fieldNum} 0 R]`);

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
    // Printable and locked, zero-sized: PDF/A needs the print flag, and needs no appearance
    // for an annotation without area.
    ['F', '132'],
    ['Rect', '[0 0 0 0]'],
    ['P', `${pageNum} 0 R`],
  ]);

  const out = appendUpdate(doc, [
    { num: refNumber(doc.trailer.root), body: writeDict(catalog) },
    { num: pageNum, body: writeDict(page) },
    { num: sigNum, body: writeDict(sig) },
    { num: fieldNum, body: writeDict(field) },
  ]);

  // Fill the placeholders: the byte ranges around /Contents, then the CMS over them.
  const text = out.toString('latin1', pdf.length);
  const slot = text.indexOf(BYTE_RANGE_SLOT) + pdf.length;
  const open = text.indexOf('/Contents <') + pdf.length + '/Contents '.length;
  const close = open + contentsBytes * 2 + 2;
  const range = `[0 ${open} ${close} ${out.length - close}]`.padEnd(BYTE_RANGE_SLOT.length, ' ');
  out.write(range, slot, 'latin1');
  const digest = createHash('sha256').update(out.subarray(0, open)).update(out.subarray(close)).digest();
  const cms = options.timestamp ? await cmsSignatureWithTimestamp(signer, digest, options.timestamp) : cmsSignature(signer, digest);
  if (cms.length > contentsBytes) throw new Error(`signature of ${cms.length} bytes does not fit its ${contentsBytes}-byte slot`);
  out.write(cms.toString('hex').toUpperCase(), open + 1, 'latin1');
  return out;
}
