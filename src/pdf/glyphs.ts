// Which glyphs of a printed PDF did not come from the document's own fonts. A character no
// @font-face covers is printed by Chromium from a system font, which Skia embeds as a Type 3
// font (outlines drawn as paths), or, when no font has it, as glyph 0: the empty box
// (.notdef) of whichever font was current. PDF.js, the reference reader, resolves each
// glyph of each page; the box has no character behind it, so it is counted, not named.
import { OPS } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { openWithPdfJs } from './pdfjs.js';

export interface GlyphSources {
  /** Characters printed with a real glyph of an embedded (non-Type 3) font. */
  embedded: Set<string>;
  /** Characters printed by a system font (Type 3): the font's name, without its subset tag. */
  system: Map<string, { font: string; pages: number[] }>;
  /** Pages with empty boxes (glyph 0), and how many on each. */
  boxes: Map<number, number>;
}

interface PdfJsGlyph {
  originalCharCode: number;
  unicode: string;
  operatorListId?: string;
}

export async function glyphSources(pdf: Uint8Array): Promise<GlyphSources> {
  const doc = await openWithPdfJs(pdf);
  const found: GlyphSources = { embedded: new Set(), system: new Map(), boxes: new Map() };
  try {
    for (let n = 1; n <= doc.numPages; n++) {
      const page = await doc.getPage(n);
      const ops = await page.getOperatorList();
      let font: { name: string; isType3Font?: boolean } | undefined;
      for (let i = 0; i < ops.fnArray.length; i++) {
        const fn = ops.fnArray[i];
        const args = ops.argsArray[i] as unknown[];
        if (fn === OPS.setFont) font = page.commonObjs.get(args[0] as string) as typeof font;
        const shown = fn === OPS.showText || fn === OPS.showSpacedText || fn === OPS.nextLineShowText ? args[0] : fn === OPS.nextLineSetSpacingShowText ? args[2] : undefined;
        if (!shown || !font) continue;
        for (const g of shown as (PdfJsGlyph | number)[]) {
          if (typeof g === 'number') continue;
          // Glyph 0 is .notdef in every font: a CID 0, or a Type 3 procedure named g0 by Skia.
          if (font.isType3Font ? g.operatorListId === 'g0' : g.originalCharCode === 0) {
            found.boxes.set(n, (found.boxes.get(n) ?? 0) + 1);
          } else if (font.isType3Font) {
            const seen = found.system.get(g.unicode) ?? found.system.set(g.unicode, { font: font.name.replace(/^[A-Z]{6}\+/, ''), pages: [] }).get(g.unicode)!;
            if (seen.pages.at(-1) !== n) seen.pages.push(n);
          } else found.embedded.add(g.unicode);
        }
      }
      page.cleanup();
    }
  } finally {
    await doc.destroy();
  }
  return found;
}
