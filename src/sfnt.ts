// TrueType tables written for a font subset: the OFD's embedded faces (ofd/fonts.ts) and the
// Word document's (docx/embed.ts) need the same character map.

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
