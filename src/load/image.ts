// A seal image is decoded before it is used: a file that is not the image it says it is
// (random bytes, a truncated PNG, an SVG that does not parse) would print as a broken-image
// icon on a signed document.
import { inflateSync } from 'node:zlib';
import { SaxesParser } from 'saxes';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Why `bytes` is not a usable image of its kind, in Chinese; undefined when it decodes. */
export function imageProblem(bytes: Buffer, kind: 'png' | 'svg'): string | undefined {
  return kind === 'png' ? pngProblem(bytes) : svgProblem(bytes);
}

/** CRC-32 (ISO 3309), as PNG chunks carry it. */
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(b: Buffer): number {
  let c = 0xffffffff;
  for (let i = 0; i < b.length; i++) c = CRC_TABLE[(c ^ b[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

function pngProblem(b: Buffer): string | undefined {
  if (b.length < 8 || !b.subarray(0, 8).equals(PNG_SIGNATURE)) return '文件不是 PNG 图片（开头没有 PNG 的标志）';
  let at = 8;
  let header: { width: number; height: number; depth: number; color: number; interlace: number } | undefined;
  const data: Buffer[] = [];
  let ended = false;
  while (at + 12 <= b.length) {
    const length = b.readUInt32BE(at);
    const type = b.toString('latin1', at + 4, at + 8);
    if (at + 12 + length > b.length) return `PNG 图片不完整：「${type}」数据块被截断`;
    const body = b.subarray(at + 8, at + 8 + length);
    if (crc32(b.subarray(at + 4, at + 8 + length)) !== b.readUInt32BE(at + 8 + length)) return `PNG 图片已损坏：「${type}」数据块的校验值不符`;
    if (type === 'IHDR') header = { width: body.readUInt32BE(0), height: body.readUInt32BE(4), depth: body[8]!, color: body[9]!, interlace: body[12]! };
    else if (type === 'IDAT') data.push(body);
    else if (type === 'IEND') {
      ended = true;
      break;
    }
    at += 12 + length;
  }
  if (!header) return 'PNG 图片没有文件头（IHDR）';
  if (!ended) return 'PNG 图片不完整：没有结束标记（IEND）';
  const channels = CHANNELS[header.color];
  if (!channels || header.width === 0 || header.height === 0) return 'PNG 图片的尺寸或颜色类型无效';
  if (header.width * header.height > 40_000_000) return `PNG 图片过大（${header.width} × ${header.height} 像素）`;
  let pixels: Buffer;
  try {
    pixels = inflateSync(Buffer.concat(data));
  } catch {
    return 'PNG 图片的像素数据无法解压：文件已损坏';
  }
  // Without interlacing every row is a filter byte and the row's bytes.
  const rowBytes = Math.ceil((header.width * channels * header.depth) / 8);
  if (header.interlace === 0 && pixels.length < header.height * (rowBytes + 1)) return 'PNG 图片的像素数据不完整：文件被截断';
  return undefined;
}

function svgProblem(b: Buffer): string | undefined {
  const parser = new SaxesParser({ xmlns: true });
  let error: Error | undefined;
  let root: string | undefined;
  parser.on('error', (e) => void (error ??= e));
  parser.on('opentag', (t) => void (root ??= t.local));
  try {
    parser.write(new TextDecoder('utf-8', { fatal: true }).decode(b)).close();
  } catch (e) {
    error ??= e as Error;
  }
  if (error) return `SVG 图片不是合格的 XML：${error.message.split('\n')[0]}`;
  if (root !== 'svg') return `文件不是 SVG 图片（根元素是「${root ?? '无'}」，不是 svg）`;
  return undefined;
}
