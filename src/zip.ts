// Packages of XML parts zipped (the Word document, the OFD) so that the same input gives the
// same bytes: entries in the order given, each dated the document's date; and read back safely.
import { zipSync, type Zippable } from 'fflate';
import { inflateRawSync } from 'node:zlib';

/** Text for an XML attribute or element. */
export const escapeXml = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);

/**
 * The entries as a ZIP, in their order, each compressed at its level. ZIP dates are local
 * time: `date` is written as the same wall-clock time in every zone (and no earlier than 1980).
 */
export function zipDated(entries: readonly (readonly [name: string, data: Uint8Array, level: 0 | 6])[], date: Date): Buffer {
  const utc = Math.max(date.getTime(), Date.UTC(1980, 0, 2));
  const mtime = new Date(utc + new Date(utc).getTimezoneOffset() * 60_000);
  const files: Zippable = {};
  for (const [name, data, level] of entries) files[name] = [data, { mtime, level }];
  return Buffer.from(zipSync(files, { mtime }));
}

/** What a ZIP read here may hold: an OFD or a Word document is a few megabytes unpacked. */
export const ZIP_LIMITS = { entries: 10_000, bytes: 256 * 1024 * 1024 };

/** A ZIP that is not one, or holds more than the limits allow; the message is the user's. */
export class ZipError extends Error {}

const MB = (n: number) => (n >= 0xffffffff ? '4096 MB 以上' : `${Math.max(1, Math.round(n / 1024 / 1024))} MB`);

/**
 * The entries of a ZIP, read safely: the central directory is read first, and the entry count
 * and the sizes it declares are checked against `limits` before anything is inflated; each
 * entry is then inflated with its declared size as a hard cap (zlib stops as soon as the
 * output would pass it), so a size that lies cannot make it unpack more. A "zip bomb" is
 * refused in milliseconds, whatever it declares.
 */
export function readZip(bytes: Uint8Array, limits: { entries: number; bytes: number } = ZIP_LIMITS): Record<string, Uint8Array> {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const broken = () => new ZipError('不是 ZIP 文件，或文件不完整');
  // The end-of-central-directory record: 22 bytes and a comment of up to 65,535 at the end.
  let end = -1;
  for (let at = b.length - 22; at >= Math.max(0, b.length - 22 - 65_535); at--) {
    if (b.readUInt32LE(at) === 0x06054b50) {
      end = at;
      break;
    }
  }
  if (end < 0) throw broken();
  const count = b.readUInt16LE(end + 10);
  // 0xFFFF entries means ZIP64: more than any package here may hold.
  if (count > limits.entries || count === 0xffff) throw new ZipError(`其中的文件有 ${count === 0xffff ? '65535 个以上' : `${count} 个`}，超过 ${limits.entries} 个的上限，未解压`);
  const entries: { name: string; method: number; packed: number; size: number; local: number }[] = [];
  let p = b.readUInt32LE(end + 16);
  for (let i = 0; i < count; i++) {
    if (p + 46 > b.length || b.readUInt32LE(p) !== 0x02014b50) throw broken();
    const nameLength = b.readUInt16LE(p + 28);
    // Bit 11: the name is UTF-8; else code page 437, read as latin1 (package names are ASCII).
    const name = b.toString(b.readUInt16LE(p + 8) & 0x800 ? 'utf8' : 'latin1', p + 46, p + 46 + nameLength);
    entries.push({ name, method: b.readUInt16LE(p + 10), packed: b.readUInt32LE(p + 20), size: b.readUInt32LE(p + 24), local: b.readUInt32LE(p + 42) });
    p += 46 + nameLength + b.readUInt16LE(p + 30) + b.readUInt16LE(p + 32);
  }
  // 0xFFFFFFFF: the real size is in a ZIP64 field, over 4 GiB: too large in any case.
  const total = entries.reduce((n, e) => n + (e.size === 0xffffffff ? Number.MAX_SAFE_INTEGER : e.size), 0);
  if (total > limits.bytes) {
    const largest = entries.reduce((x, y) => (y.size > x.size ? y : x));
    throw new ZipError(`解压后有 ${MB(Math.min(total, 0xffffffff))}（最大的一项 ${largest.name} 有 ${MB(largest.size)}），超过 ${MB(limits.bytes)} 的上限，未解压`);
  }
  // No prototype: an entry named __proto__ or constructor is a name like any other.
  const files: Record<string, Uint8Array> = Object.create(null);
  for (const e of entries) {
    const at = e.local;
    if (at + 30 > b.length || b.readUInt32LE(at) !== 0x04034b50) throw broken();
    const start = at + 30 + b.readUInt16LE(at + 26) + b.readUInt16LE(at + 28);
    if (start + e.packed > b.length) throw broken();
    const packed = b.subarray(start, start + e.packed);
    if (e.method === 0) {
      if (e.packed !== e.size) throw new ZipError(`其中的 ${e.name} 声明的大小与实际不符`);
      files[e.name] = packed;
    } else if (e.method === 8) {
      try {
        // One byte over the declared size is enough to know it lies.
        files[e.name] = inflateRawSync(packed, { maxOutputLength: Math.max(1, e.size + 1) });
      } catch (err) {
        if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw new ZipError(`其中的 ${e.name} 解压后比它声明的 ${e.size} 字节多，未解压`);
        throw new ZipError(`其中的 ${e.name} 已损坏，无法解压`);
      }
      if (files[e.name]!.length !== e.size) throw new ZipError(`其中的 ${e.name} 解压后的大小与它声明的不符，文件已损坏`);
    } else throw new ZipError(`其中的 ${e.name} 用了不支持的压缩方式（${e.method}）`);
  }
  return files;
}
