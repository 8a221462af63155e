// A Word document read back as Word must read it: a ZIP (its declared sizes checked before
// anything is inflated), every XML part well-formed, and the parts a document needs: the
// content types, the package's relationships and the main document they name.
import { strFromU8, unzipSync } from 'fflate';
import { SaxesParser } from 'saxes';

/** More than this inflated, or a part inflating more than this many times its size, is refused unread. */
const MAX_TOTAL = 512 << 20;
const MAX_RATIO = 1000;

/** The problems of a .docx, in Chinese; none when it opens as a Word document. */
export function checkDocxPackage(bytes: Uint8Array): string[] {
  let files: Record<string, Uint8Array>;
  const problems: string[] = [];
  let total = 0;
  try {
    files = unzipSync(bytes, {
      filter: (f) => {
        total += f.originalSize;
        if (f.originalSize > Math.max(1 << 20, f.size * MAX_RATIO) || total > MAX_TOTAL) throw new SizeError(`${f.name} 声明解压后有 ${f.originalSize} 字节，远超正常的 Word 文档`);
        return true;
      },
    });
  } catch (e) {
    return [e instanceof SizeError ? e.message : '不是 ZIP 文件'];
  }
  for (const name of ['[Content_Types].xml', '_rels/.rels']) if (!files[name]) problems.push(`缺少 ${name}`);
  for (const [name, data] of Object.entries(files)) {
    if (!/\.(xml|rels)$/i.test(name)) continue;
    const problem = wellFormed(strFromU8(data));
    if (problem) problems.push(`${name} 不是合格的 XML：${problem}`);
  }
  const main = files['_rels/.rels'] && /Type="[^"]*\/officeDocument"[^>]*?Target="\/?([^"]+)"|Target="\/?([^"]+)"[^>]*?Type="[^"]*\/officeDocument"/.exec(strFromU8(files['_rels/.rels']));
  const target = main?.[1] ?? main?.[2];
  if (files['_rels/.rels'] && !target) problems.push('_rels/.rels 中没有指向正文（officeDocument）的关系');
  else if (target && !files[target]) problems.push(`缺少正文 ${target}`);
  return problems;
}

class SizeError extends Error {}

/** undefined when `xml` is a well-formed XML document, else the parser's first complaint. */
function wellFormed(xml: string): string | undefined {
  const parser = new SaxesParser({ xmlns: true });
  try {
    parser.write(xml).close();
    return undefined;
  } catch (e) {
    return (e as Error).message.split('\n')[0];
  }
}
