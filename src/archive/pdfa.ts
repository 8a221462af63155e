// PDF/A-2b as one incremental update on Chromium's PDF: XMP metadata matching the Info
// dictionary, and an sRGB output intent. Chromium already embeds every font (as CID TrueType
// subsets when the web fonts are used), writes no JavaScript and no encryption, and tags the
// structure; appending instead of rewriting keeps all of that byte for byte. (Ghostscript's
// conversion garbles the Chinese text and drops the tags: not used.)
import { existsSync, readFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { SaxesParser } from 'saxes';
import { PdfDocument, appendUpdate, decodeString, refNumber, streamBody, writeDict } from '../pdf/update.js';

/** Where an sRGB profile is found: the Debian package icc-profiles-free first (see .ci/setup.sh). */
export const ICC_CANDIDATES = [
  '/usr/share/color/icc/sRGB.icc',
  '/usr/share/color/icc/colord/sRGB.icc',
  '/usr/share/color/icc/ghostscript/srgb.icc',
];

export class IccProfileNotFound extends Error {}

export function findIccProfile(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env['TONGBAO_ICC_PROFILE'];
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new IccProfileNotFound(`TONGBAO_ICC_PROFILE 指向的文件不存在：${fromEnv}`);
    return fromEnv;
  }
  const found = ICC_CANDIDATES.find((f) => existsSync(f));
  if (!found) throw new IccProfileNotFound(`找不到 sRGB 色彩配置文件（查找过 ${ICC_CANDIDATES.join('、')}）`);
  return found;
}

/** The Info dictionary's entries, decoded. */
export function readInfo(doc: PdfDocument): Record<string, string> {
  if (!doc.trailer.info) return {};
  return Object.fromEntries([...doc.dict(doc.trailer.info)].map(([k, v]) => [k, /^[(<]/.test(v) && !v.startsWith('<<') ? decodeString(v) : v]));
}

/** D:20170120000000+08'00' → 2017-01-20T00:00:00+08:00 (the same instant and offset, as PDF/A asks). */
export function xmpDate(pdfDate: string): string {
  const m = /^D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(Z|[+-]\d{2}'?\d{2}'?)?/.exec(pdfDate);
  if (!m) throw new Error(`not a PDF date: ${pdfDate}`);
  const [, y, mo = '01', d = '01', h = '00', mi = '00', s = '00', z] = m;
  const zone = !z ? '' : z === 'Z' ? 'Z' : `${z.slice(0, 3)}:${z.replace(/'/g, '').slice(3, 5)}`;
  return `${y}-${mo}-${d}T${h}:${mi}:${s}${zone}`;
}

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The XMP packet: PDF/A identification plus each Info entry under its XMP name. */
export function xmpPacket(info: Record<string, string>): string {
  const lines: string[] = ['<pdfaid:part>2</pdfaid:part>', '<pdfaid:conformance>B</pdfaid:conformance>', '<dc:format>application/pdf</dc:format>'];
  const alt = (v: string) => `<rdf:Alt><rdf:li xml:lang="x-default">${xml(v)}</rdf:li></rdf:Alt>`;
  if (info['Title']) lines.push(`<dc:title>${alt(info['Title'])}</dc:title>`);
  if (info['Author']) lines.push(`<dc:creator><rdf:Seq><rdf:li>${xml(info['Author'])}</rdf:li></rdf:Seq></dc:creator>`);
  if (info['Subject']) lines.push(`<dc:description>${alt(info['Subject'])}</dc:description>`);
  if (info['Keywords']) lines.push(`<pdf:Keywords>${xml(info['Keywords'])}</pdf:Keywords>`);
  if (info['Producer']) lines.push(`<pdf:Producer>${xml(info['Producer'])}</pdf:Producer>`);
  if (info['Creator']) lines.push(`<xmp:CreatorTool>${xml(info['Creator'])}</xmp:CreatorTool>`);
  if (info['CreationDate']) lines.push(`<xmp:CreateDate>${xmpDate(info['CreationDate'])}</xmp:CreateDate>`);
  if (info['ModDate']) {
    lines.push(`<xmp:ModifyDate>${xmpDate(info['ModDate'])}</xmp:ModifyDate>`);
    lines.push(`<xmp:MetadataDate>${xmpDate(info['ModDate'])}</xmp:MetadataDate>`);
  }
  return (
    '<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>\n' +
    '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n' +
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n' +
    '<rdf:Description rdf:about=""\n' +
    ' xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"\n' +
    ' xmlns:dc="http://purl.org/dc/elements/1.1/"\n' +
    ' xmlns:xmp="http://ns.adobe.com/xap/1.0/"\n' +
    ' xmlns:pdf="http://ns.adobe.com/pdf/1.3/">\n' +
    lines.join('\n') +
    '\n</rdf:Description>\n</rdf:RDF>\n</x:xmpmeta>\n' +
    // Room for an editor to change the metadata in place, as the XMP spec recommends.
    `${' '.repeat(99)}\n`.repeat(20) +
    '<?xpacket end="w"?>'
  );
}

/** The XMP packet is not well-formed XML: the file would not be PDF/A, and is not claimed to be. */
export class XmpNotWellFormed extends Error {}

/** Parse the packet with a conforming XML parser (saxes: XML 1.0 characters, names, namespaces). */
export function checkXmp(xmp: string): void {
  const parser = new SaxesParser({ xmlns: true });
  let error: Error | undefined;
  parser.on('error', (e) => void (error ??= e));
  parser.write(xmp).close();
  if (error) throw new XmpNotWellFormed(error.message);
}

/** Make `pdf` PDF/A-2b: returns the input with one update appended. */
export function toPdfA(pdf: Buffer, iccProfile: Buffer): Buffer {
  const doc = new PdfDocument(pdf);
  const catalog = doc.dict(doc.trailer.root);
  if (catalog.has('Metadata') && catalog.has('OutputIntents')) throw new Error('PDF already has XMP metadata and an output intent');
  for (const k of ['OpenAction', 'AA', 'Names']) {
    // Chromium writes none of these; they could carry JavaScript, which PDF/A forbids.
    if (catalog.has(k)) throw new Error(`unexpected /${k} in the catalog`);
  }
  const n = doc.trailer.size;
  const [metadata, intent, profile] = [n, n + 1, n + 2];
  const packet = xmpPacket(readInfo(doc));
  checkXmp(packet);
  const xmp = Buffer.from(packet, 'utf8');
  catalog.set('Metadata', `${metadata} 0 R`);
  catalog.set('OutputIntents', `[${intent} 0 R]`);
  return appendUpdate(doc, [
    { num: refNumber(doc.trailer.root), body: writeDict(catalog) },
    // The XMP stays unfiltered: PDF/A readers (and people) read it as plain text.
    { num: metadata, body: streamBody(new Map([['Type', '/Metadata'], ['Subtype', '/XML']]), xmp) },
    {
      num: intent,
      body: writeDict(
        new Map([
          ['Type', '/OutputIntent'],
          ['S', '/GTS_PDFA1'],
          ['OutputConditionIdentifier', '(sRGB IEC61966-2.1)'],
          ['RegistryName', '(http://www.color.org)'],
          ['Info', '(sRGB IEC61966-2.1)'],
          ['DestOutputProfile', `${profile} 0 R`],
        ]),
      ),
    },
    { num: profile, body: streamBody(new Map([['N', '3'], ['Filter', '/FlateDecode']]), deflateSync(iccProfile, { level: 9 })) },
  ]);
}

export function pdfA(pdf: Buffer, iccFile = findIccProfile()): Buffer {
  return toPdfA(pdf, readFileSync(iccFile));
}
