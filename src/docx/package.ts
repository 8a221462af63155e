// The same bulletin makes the same bytes. `docx` names some relationships at random, stamps
// the package with the time it was made and writes no font table; here the package is
// rewritten: ids (relationships, drawings) numbered in order, core properties from the
// bulletin, the faces named with their alternatives, and every entry dated the bulletin's date.
import { strFromU8, strToU8, unzipSync } from 'fflate';
import { escapeXml, zipDated } from '../zip.js';

export interface PackageInfo {
  title: string;
  subject: string;
  author: string;
  keywords: string;
  /** Creation and modification date: the signing date (or SOURCE_DATE_EPOCH). */
  date: Date;
}

function coreXml(info: PackageInfo): string {
  const when = info.date.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
    `<dc:title>${escapeXml(info.title)}</dc:title><dc:subject>${escapeXml(info.subject)}</dc:subject><dc:creator>${escapeXml(info.author)}</dc:creator>` +
    `<cp:keywords>${escapeXml(info.keywords)}</cp:keywords><cp:lastModifiedBy>${escapeXml(info.author)}</cp:lastModifiedBy><cp:revision>1</cp:revision><dc:language>zh-CN</dc:language>` +
    `<dcterms:created xsi:type="dcterms:W3CDTF">${when}</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">${when}</dcterms:modified>` +
    '</cp:coreProperties>'
  );
}

function fontRels(count: number): string {
  const rels = Array.from({ length: count }, (_, i) => `<Relationship Id="rId${i + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/font" Target="fonts/font${i + 1}.odttf"/>`);
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${rels.join('')}</Relationships>`;
}

/** A package's parts by path: text, or bytes (a package read back from its zip gives UTF-8 for the text). */
export type Parts = ReadonlyMap<string, string | Uint8Array>;

/** The parts of a zipped package. */
export const partsOfZip = (bytes: Uint8Array): Parts => new Map(Object.entries(unzipSync(bytes)));

/** Rewrite a package made by `docx` so that it depends on nothing but its input. */
export function normalizePackage(parts: Parts, info: PackageInfo & { fontTable: string; fonts?: readonly { data: Uint8Array }[] }): Buffer {
  const entries = new Map(parts);
  const fonts = info.fonts ?? [];
  // The embedded fonts (embed.ts): their files, their relationships from the font table.
  fonts.forEach((f, i) => entries.set(`word/fonts/font${i + 1}.odttf`, f.data));
  if (fonts.length) entries.set('word/_rels/fontTable.xml.rels', fontRels(fonts.length));
  const names = [...entries.keys()].sort((a, b) => (a === '[Content_Types].xml' ? -1 : b === '[Content_Types].xml' ? 1 : a < b ? -1 : a > b ? 1 : 0));
  const isText = (n: string) => /\.(xml|rels)$/.test(n);
  const texts = new Map(names.filter(isText).map((n) => [n, ((d) => (typeof d === 'string' ? d : strFromU8(d)))(entries.get(n)!)] as const));
  // Relationship ids not of the form rIdN were drawn at random: renumber them in the order met.
  const renamed = new Map<string, string>();
  for (const n of names.filter((x) => x.endsWith('.rels'))) {
    for (const m of texts.get(n)!.matchAll(/\bId="([^"]+)"/g)) {
      if (!/^rId\d+$/.test(m[1]!) && !renamed.has(m[1]!)) renamed.set(m[1]!, `rIdT${renamed.size + 1}`);
    }
  }
  // Drawings are numbered by one counter for the whole process (docx): a document made after
  // another in the same run would carry other ids. Numbered again in the order met, an id
  // shared by two elements (a picture's frame and the picture) kept shared.
  const drawing = /(<(?:wp:docPr|pic:cNvPr|wps:cNvPr)\b[^>]*?\bid=")(\d+)"/g;
  const drawings = new Map<string, string>();
  for (const text of texts.values()) for (const m of text.matchAll(drawing)) if (!drawings.has(m[2]!)) drawings.set(m[2]!, String(drawings.size + 1));
  return zipDated(
    names.map((n) => {
      // Fonts deflate to about half; pictures are compressed already.
      if (!isText(n)) {
        const data = entries.get(n)!;
        return [n, typeof data === 'string' ? strToU8(data) : data, n.endsWith('.odttf') ? 6 : 0] as const;
      }
      let text = texts.get(n)!;
      if (renamed.size) text = text.replace(/"([^"<>]{8,40})"/g, (m, id: string) => (renamed.has(id) ? `"${renamed.get(id)}"` : m));
      if (drawings.size) text = text.replace(drawing, (_, head: string, id: string) => `${head}${drawings.get(id)}"`);
      if (n === 'docProps/core.xml') text = coreXml(info);
      if (n === 'word/fontTable.xml') text = info.fontTable;
      if (fonts.length && n === '[Content_Types].xml' && !text.includes('Extension="odttf"')) text = text.replace(/(<Types[^>]*>)/, '$1<Default Extension="odttf" ContentType="application/vnd.openxmlformats-officedocument.obfuscatedFont"/>');
      // Where the schema puts them: after displayBackgroundShape and the print settings.
      if (fonts.length && n === 'word/settings.xml') text = text.replace(/(<w:settings[^>]*>(?:<w:(?:writeProtection|view|zoom|removePersonalInformation|removeDateAndTime|doNotDisplayPageBoundaries|displayBackgroundShape|printPostScriptOverText|printFractionalCharacterWidth|printFormsData)\b[^>]*\/>)*)/, '$1<w:embedTrueTypeFonts/><w:saveSubsetFonts/>');
      return [n, strToU8(text), 6] as const;
    }),
    info.date,
  );
}
