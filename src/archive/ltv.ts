// The validation data of a signature inside the file (PAdES B-LT): a DSS dictionary added in
// an incremental update after the signature, holding the certificates of its chains and the
// CRLs and OCSP responses about them, with a VRI entry for the signature. The signature's own
// bytes are untouched; readers (and `verify`) accept an update that only adds the DSS.
import { createHash } from 'node:crypto';
import { PdfDocument, appendUpdate, arrayItems, parseDict, refNumber, streamBody, writeDict } from '../pdf/update.js';

export interface ValidationData {
  certs: Buffer[];
  crls: Buffer[];
  ocsps: Buffer[];
}

/** The last signature's /Contents bytes (the CMS with its zero padding): what its VRI key hashes. */
export function signatureContents(pdf: Buffer): Buffer {
  const text = pdf.toString('latin1');
  const all = [...text.matchAll(/\/Contents\s*<([0-9A-Fa-f]+)>/g)];
  const last = all.at(-1);
  if (!last) throw new Error('no signature in the PDF');
  return Buffer.from(last[1]!, 'hex');
}

/** `pdf` with the DSS appended; data already in the file's DSS is not repeated. */
export function addDss(pdf: Buffer, data: ValidationData): Buffer {
  const doc = new PdfDocument(pdf);
  const catalog = doc.dict(doc.trailer.root);
  let next = doc.trailer.size;
  const objects: { num: number; body: string | Buffer }[] = [];
  const seen = new Map<string, number>();
  // Each item once, as an unfiltered stream of its DER bytes.
  const refs = (items: Buffer[]) => {
    const out: string[] = [];
    for (const item of items) {
      const key = createHash('sha256').update(item).digest('hex');
      let num = seen.get(key);
      if (num === undefined) {
        num = next++;
        seen.set(key, num);
        objects.push({ num, body: streamBody(new Map(), item) });
      }
      if (!out.includes(`${num} 0 R`)) out.push(`${num} 0 R`);
    }
    return out;
  };
  const certs = refs(data.certs);
  const crls = refs(data.crls);
  const ocsps = refs(data.ocsps);
  const vriKey = createHash('sha1').update(signatureContents(pdf)).digest('hex').toUpperCase();
  const vri = new Map<string, string>([['Type', '/VRI']]);
  if (certs.length) vri.set('Cert', `[${certs.join(' ')}]`);
  if (crls.length) vri.set('CRL', `[${crls.join(' ')}]`);
  if (ocsps.length) vri.set('OCSP', `[${ocsps.join(' ')}]`);
  // An earlier DSS (a file signed twice) is kept and added to.
  const old = catalog.get('DSS');
  const dss = old ? (old.startsWith('<<') ? parseDict(old) : doc.dict(old)) : new Map<string, string>([['Type', '/DSS']]);
  const merge = (key: string, more: string[]) => {
    const items = [...arrayItems(dss.get(key)), ...more.filter((r) => !arrayItems(dss.get(key)).includes(r))];
    if (items.length) dss.set(key, `[${items.join(' ')}]`);
  };
  merge('Certs', certs);
  merge('CRLs', crls);
  merge('OCSPs', ocsps);
  const vris = dss.get('VRI') ? parseDict(dss.get('VRI')!) : new Map<string, string>();
  vris.set(vriKey, writeDict(vri));
  dss.set('VRI', writeDict(vris));
  const dssNum = old && !old.startsWith('<<') ? refNumber(old) : next++;
  objects.push({ num: dssNum, body: writeDict(dss) });
  catalog.set('DSS', `${dssNum} 0 R`);
  objects.push({ num: refNumber(doc.trailer.root), body: writeDict(catalog) });
  return appendUpdate(doc, objects);
}

/** The DSS of a PDF, read back: its certificates, CRLs and OCSP responses (DER). */
export function readDss(pdf: Buffer): ValidationData | undefined {
  const doc = new PdfDocument(pdf);
  const ref = doc.dict(doc.trailer.root).get('DSS');
  if (!ref) return undefined;
  const dss = ref.startsWith('<<') ? parseDict(ref) : doc.dict(ref);
  const streams = (key: string) => arrayItems(dss.get(key)).map((r) => streamData(doc, refNumber(r)));
  return { certs: streams('Certs'), crls: streams('CRLs'), ocsps: streams('OCSPs') };
}

/** An unfiltered stream's bytes. */
function streamData(doc: PdfDocument, num: number): Buffer {
  const { value, rest } = doc.parts(num);
  const length = Number(parseDict(value).get('Length'));
  const text = rest.toString('latin1');
  let at = text.indexOf('stream') + 6;
  if (text[at] === '\r') at++;
  if (text[at] === '\n') at++;
  return rest.subarray(at, at + length);
}
