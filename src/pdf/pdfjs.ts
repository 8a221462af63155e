// The finished PDF opened with PDF.js, the reference reader, as every reader of it here wants
// it: fonts with their extra properties (Type 3 glyph drawings among them), no eval, no system
// fonts or font faces (nothing is drawn), no console output.
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

export type PdfJsDocument = Awaited<ReturnType<typeof getDocument>['promise']>;

export function openWithPdfJs(pdf: Uint8Array): Promise<PdfJsDocument> {
  return getDocument({ data: new Uint8Array(pdf), fontExtraProperties: true, isEvalSupported: false, useSystemFonts: false, disableFontFace: true, verbosity: 0 }).promise;
}
