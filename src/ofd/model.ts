// The pages of the OFD as plain values, read off the finished PDF (from-pdf.ts) and written
// as GB/T 33190 parts (write.ts). Lengths in millimetres, y downward from the page's top, as
// OFD measures them.

/** [a b c d e f]: x' = a·x + c·y + e, y' = b·x + d·y + f. */
export type Matrix = [number, number, number, number, number, number];

export interface Color {
  rgb: [number, number, number];
  /** 0–255, when not opaque. */
  alpha?: number;
}

/** A run of glyphs in one font, size and colour along one baseline. */
export interface TextItem {
  type: 'text';
  /** The PDF font it is set in (its BaseFont name). */
  font: string;
  /** Em size in mm. */
  size: number;
  fill: Color;
  /** The characters, one per glyph (fonts.ts makes each font's cmap lead to that glyph). */
  chars: string[];
  /** Each glyph's origin on the page. */
  origins: [number, number][];
  /** Direction of the baseline (unit vector) and of a glyph's "down", on the page. */
  along: [number, number];
  down: [number, number];
}

export interface PathItem {
  type: 'path';
  /** Subpaths: M, L, B (cubic), C (close), in page coordinates. */
  ops: (['M' | 'L', number, number] | ['B', number, number, number, number, number, number] | ['C'])[];
  fill?: Color;
  stroke?: Color;
  lineWidth: number;
  evenOdd: boolean;
}

export interface ImageItem {
  type: 'image';
  png: Buffer;
  /** The unit square of the image (0,0 its top left) on the page. */
  ctm: Matrix;
}

export type PageItem = TextItem | PathItem | ImageItem;

export interface OfdPage {
  /** Width and height in mm. */
  size: [number, number];
  items: PageItem[];
}

export interface OutlineEntry {
  title: string;
  /** 0-based page, and the top of the destination in mm (when the PDF gives one). */
  page: number;
  top?: number;
  children: OutlineEntry[];
}

/** One PDF font as the pages use it: which character each glyph is. */
export interface FontUse {
  name: string;
  /** Character → glyph id, for every glyph the pages show. */
  chars: Map<string, number>;
}

export interface OfdDocument {
  pages: OfdPage[];
  fonts: Map<string, FontUse>;
  outline: OutlineEntry[];
}

/** What cannot be carried over into the OFD: its page and object, and why. */
export class OfdError extends Error {
  constructor(
    message: string,
    readonly page: number,
  ) {
    super(message);
    this.name = 'OfdError';
  }
}
