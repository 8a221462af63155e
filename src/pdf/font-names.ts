// The names of the embedded fonts, as a reader (pdffonts, Acrobat's 文档属性 → 字体) shows
// them. The free faces' files (@fontsource) are instances cut from variable fonts whose
// name table still names the default instance: Chromium embeds Noto Serif SC's Regular as
// 「NotoSerifSCExtraLight-Regular」 and Noto Sans SC's as 「NotoSansSCThin-Regular」, though
// the glyphs are those of the weight after the hyphen. The names are rewritten to the
// instance used (NotoSerifSC-Regular), in place: the PDF's offsets do not move.

/** Weights a variable font's default instance is named by, at the end of its family. */
const DEFAULT_INSTANCE = /(?:Thin|Hairline|ExtraLight|UltraLight|Light|Medium|SemiBold|DemiBold|ExtraBold|UltraBold|Black|Heavy)$/;
/** The style after the hyphen: the instance the glyphs are from. */
const STYLE = /^(?:Regular|Bold|Italic|BoldItalic|Thin|ExtraLight|Light|Medium|SemiBold|ExtraBold|Black)$/;

/** The instance's name for an embedded font's name (with or without its subset tag), or the name as it is. */
export function instanceName(name: string): string {
  const m = /^([A-Z]{6}\+)?([A-Za-z0-9]+)-([A-Za-z]+)$/.exec(name);
  if (!m || !STYLE.test(m[3]!)) return name;
  const family = m[2]!.replace(DEFAULT_INSTANCE, '');
  return family && family !== m[2] ? `${m[1] ?? ''}${family}-${m[3]}` : name;
}

/**
 * Every /BaseFont and /FontName of the PDF named for its instance, written over the old name
 * in place: the shorter name is followed by spaces, which separate tokens anywhere in a
 * dictionary (PDF 1.7 §7.2.2), so no offset in the cross-reference table changes.
 */
export function nameFontsByInstance(pdf: Buffer): void {
  const text = pdf.toString('latin1');
  for (const m of text.matchAll(/\/(?:BaseFont|FontName)\s*\/([A-Za-z0-9+#-]+)/g)) {
    const name = m[1]!;
    const renamed = instanceName(name);
    if (renamed === name || renamed.length > name.length) continue;
    pdf.write(renamed.padEnd(name.length, ' '), m.index + m[0].length - name.length, 'latin1');
  }
}
