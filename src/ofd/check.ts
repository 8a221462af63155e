// An OFD package read back as a reader must read it: each part a well-formed XML document in
// the OFD namespace, OFD.xml leading to the document, the document to every page and resource
// file it names. For `verify`: a checksum says the file is the one built, this that it opens.
import { strFromU8 } from 'fflate';
import { SaxesParser } from 'saxes';
import path from 'node:path';
import { ZipError, readZip } from '../zip.js';

const NS = 'http://www.ofdspec.org/2016';

interface Part {
  root: string;
  /** Text of each element by local name, in order (DocRoot, BaseLoc attributes, FontFile…). */
  texts: Map<string, string[]>;
  attrs: Map<string, string[]>;
}

function parse(name: string, xml: string): Part {
  const parser = new SaxesParser({ xmlns: true });
  const texts = new Map<string, string[]>();
  const attrs = new Map<string, string[]>();
  let root: string | undefined;
  let current: string | undefined;
  parser.on('opentag', (t) => {
    if (t.uri !== NS) throw new Error(`${name}：元素 ${t.name} 不在 OFD 的命名空间中`);
    root ??= t.local;
    current = t.local;
    for (const a of Object.values(t.attributes)) attrs.set(`${t.local}@${a.local}`, [...(attrs.get(`${t.local}@${a.local}`) ?? []), a.value]);
  });
  parser.on('text', (text) => {
    if (current && text.trim()) texts.set(current, [...(texts.get(current) ?? []), text.trim()]);
  });
  parser.on('closetag', () => (current = undefined));
  try {
    parser.write(xml).close();
  } catch (e) {
    throw new Error(`${name} 不是合格的 XML：${(e as Error).message.split('\n')[0]}`);
  }
  return { root: root ?? '', texts, attrs };
}

/** The problems of an OFD package, in Chinese; none when it opens as GB/T 33190 says. */
export function checkOfdPackage(bytes: Uint8Array): string[] {
  let files: Record<string, Uint8Array>;
  try {
    // Sizes checked before inflating: a few megabytes that unpack to gigabytes are refused.
    files = readZip(bytes);
  } catch (e) {
    if (!(e instanceof ZipError)) throw e;
    return [e.message];
  }
  const problems: string[] = [];
  const read = (name: string): Part | undefined => {
    const data = files[name];
    if (!data) {
      problems.push(`缺少 ${name}`);
      return undefined;
    }
    try {
      return parse(name, strFromU8(data));
    } catch (e) {
      problems.push((e as Error).message);
      return undefined;
    }
  };
  const ofd = read('OFD.xml');
  if (!ofd) return problems;
  if (ofd.root !== 'OFD') problems.push('OFD.xml 的根元素不是 ofd:OFD');
  const docRoot = ofd.texts.get('DocRoot')?.[0];
  if (!docRoot) return [...problems, 'OFD.xml 中没有 DocRoot'];
  const doc = read(docRoot);
  if (!doc) return problems;
  const dir = path.posix.dirname(docRoot);
  for (const page of doc.attrs.get('Page@BaseLoc') ?? []) read(path.posix.join(dir, page));
  for (const res of [...(doc.texts.get('PublicRes') ?? []), ...(doc.texts.get('DocumentRes') ?? [])]) {
    const r = read(path.posix.join(dir, res));
    const base = path.posix.join(dir, r?.attrs.get('Res@BaseLoc')?.[0] ?? '');
    for (const f of [...(r?.texts.get('FontFile') ?? []), ...(r?.texts.get('MediaFile') ?? [])]) if (!files[path.posix.join(base, f)]) problems.push(`缺少 ${path.posix.join(base, f)}`);
  }
  return problems;
}
