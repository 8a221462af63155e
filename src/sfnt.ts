// TrueType tables read and written for a font subset: the OFD's embedded faces (ofd/fonts.ts)
// and the Word document's (docx/embed.ts) need the same character map and the same file around it.

/** A font file's tables by tag (views into `font`), and its sfnt version. */
export function readTables(font: Buffer): { version: number; tables: Map<string, Buffer> } {
  const tables = new Map<string, Buffer>();
  for (let i = 0; i < font.readUInt16BE(4); i++) {
    const rec = 12 + i * 16;
    const at = font.readUInt32BE(rec + 8);
    tables.set(font.toString('latin1', rec, rec + 4), font.subarray(at, at + font.readUInt32BE(rec + 12)));
  }
  return { version: font.readUInt32BE(0), tables };
}

/** A cmap's character → glyph pairs (formats 4 and 12 of the Unicode encodings), the first subtable's first. */
export function readCmap(cmap: Buffer | undefined): Map<number, number> {
  const map = new Map<number, number>();
  if (!cmap) return map;
  const count = cmap.readUInt16BE(2);
  for (let i = 0; i < count; i++) {
    const platform = cmap.readUInt16BE(4 + i * 8);
    const encoding = cmap.readUInt16BE(6 + i * 8);
    const at = cmap.readUInt32BE(8 + i * 8);
    if (!(platform === 0 || (platform === 3 && (encoding === 1 || encoding === 10)))) continue;
    const format = cmap.readUInt16BE(at);
    if (format === 4) {
      const segs = cmap.readUInt16BE(at + 6) / 2;
      const ends = at + 14;
      const starts = ends + segs * 2 + 2;
      const deltas = starts + segs * 2;
      const ranges = deltas + segs * 2;
      for (let s = 0; s < segs; s++) {
        const end = cmap.readUInt16BE(ends + s * 2);
        const start = cmap.readUInt16BE(starts + s * 2);
        const delta = cmap.readInt16BE(deltas + s * 2);
        const range = cmap.readUInt16BE(ranges + s * 2);
        for (let c = start; c <= end && c !== 0xffff; c++) {
          let g: number;
          if (range === 0) g = (c + delta) & 0xffff;
          else {
            const raw = cmap.readUInt16BE(ranges + s * 2 + range + (c - start) * 2);
            g = raw === 0 ? 0 : (raw + delta) & 0xffff;
          }
          if (g && !map.has(c)) map.set(c, g);
        }
      }
    } else if (format === 12) {
      const groups = cmap.readUInt32BE(at + 12);
      for (let k = 0; k < groups; k++) {
        const start = cmap.readUInt32BE(at + 16 + k * 12);
        const end = cmap.readUInt32BE(at + 20 + k * 12);
        const glyph = cmap.readUInt32BE(at + 24 + k * 12);
        for (let c = start; c <= end; c++) if (!map.has(c)) map.set(c, glyph + (c - start));
      }
    }
  }
  return map;
}

/** A cmap with a format 4 subtable (BMP, Windows Unicode) and a format 12 one (all of Unicode). */
export function writeCmap(map: Map<number, number>): Buffer {
  const codes = [...map.keys()].sort((a, b) => a - b);
  const bmp = codes.filter((c) => c < 0xffff);
  // Format 4: one segment per code (sizes are small: the subset's characters), then the 0xFFFF end.
  const segs = bmp.length + 1;
  const f4 = Buffer.alloc(16 + segs * 8);
  f4.writeUInt16BE(4, 0);
  f4.writeUInt16BE(f4.length, 2);
  f4.writeUInt16BE(segs * 2, 6);
  const pow = 2 ** Math.floor(Math.log2(segs));
  f4.writeUInt16BE(pow * 2, 8);
  f4.writeUInt16BE(Math.log2(pow), 10);
  f4.writeUInt16BE(segs * 2 - pow * 2, 12);
  const ends = 14;
  const starts = ends + segs * 2 + 2;
  const deltas = starts + segs * 2;
  bmp.forEach((c, s) => {
    f4.writeUInt16BE(c, ends + s * 2);
    f4.writeUInt16BE(c, starts + s * 2);
    f4.writeUInt16BE((map.get(c)! - c) & 0xffff, deltas + s * 2);
  });
  f4.writeUInt16BE(0xffff, ends + bmp.length * 2);
  f4.writeUInt16BE(0xffff, starts + bmp.length * 2);
  f4.writeUInt16BE(1, deltas + bmp.length * 2);
  const f12 = Buffer.alloc(16 + codes.length * 12);
  f12.writeUInt16BE(12, 0);
  f12.writeUInt32BE(f12.length, 4);
  f12.writeUInt32BE(codes.length, 12);
  codes.forEach((c, k) => {
    f12.writeUInt32BE(c, 16 + k * 12);
    f12.writeUInt32BE(c, 20 + k * 12);
    f12.writeUInt32BE(map.get(c)!, 24 + k * 12);
  });
  const head = Buffer.alloc(4 + 2 * 8);
  head.writeUInt16BE(0, 0);
  head.writeUInt16BE(2, 2);
  head.writeUInt16BE(3, 4);
  head.writeUInt16BE(1, 6);
  head.writeUInt32BE(head.length, 8);
  head.writeUInt16BE(3, 12);
  head.writeUInt16BE(10, 14);
  head.writeUInt32BE(head.length + f4.length, 16);
  return Buffer.concat([head, f4, f12]);
}

/** The sum of the 32-bit words of `b`, whose length is a multiple of 4. */
const checksum = (b: Buffer) => {
  let sum = 0;
  for (let i = 0; i < b.length; i += 4) sum = (sum + b.readUInt32BE(i)) >>> 0;
  return sum;
};

/** A TrueType file of these tables, in tag order, checksums and head.checkSumAdjustment set. */
export function writeSfnt(all: ReadonlyMap<string, Buffer>, version = 0x00010000): Buffer {
  const tags = [...all.keys()].sort();
  const padded = (n: number) => (n + 3) & ~3;
  // One buffer, zero-filled: each table copied in at its offset, padded with zeros to a word.
  const size = tags.reduce((n, tag) => n + padded(all.get(tag)!.length), 12 + tags.length * 16);
  const out = Buffer.alloc(size);
  out.writeUInt32BE(version, 0);
  out.writeUInt16BE(tags.length, 4);
  const pow = 2 ** Math.floor(Math.log2(tags.length));
  out.writeUInt16BE(pow * 16, 6);
  out.writeUInt16BE(Math.log2(pow), 8);
  out.writeUInt16BE(tags.length * 16 - pow * 16, 10);
  let offset = 12 + tags.length * 16;
  let headAt = -1;
  tags.forEach((tag, i) => {
    const data = all.get(tag)!;
    data.copy(out, offset);
    if (tag === 'head') {
      out.writeUInt32BE(0, offset + 8); // checkSumAdjustment, set below
      headAt = offset;
    }
    const rec = 12 + i * 16;
    out.write(tag, rec, 'latin1');
    out.writeUInt32BE(checksum(out.subarray(offset, offset + padded(data.length))), rec + 4);
    out.writeUInt32BE(offset, rec + 8);
    out.writeUInt32BE(data.length, rec + 12);
    offset += padded(data.length);
  });
  if (headAt >= 0) out.writeUInt32BE((0xb1b0afba - checksum(out)) >>> 0, headAt + 8);
  return out;
}
