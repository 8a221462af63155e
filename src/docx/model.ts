// The Word document as plain values: what the print HTML says, in the terms of a 公文 set in
// Word (styles, lines of the grid, characters of indent). from-html.ts makes it, write.ts
// writes it; neither knows the other's format.

/** The styles of the document, by id (styles.ts names them in Chinese). */
export type StyleId =
  | 'Normal' // 正文
  | 'Title' // 标题: 2号小标宋, centred
  | 'Heading1' // 标题 1: 黑体
  | 'Heading2' // 标题 2: 楷体
  | 'Heading3' // 标题 3: 仿宋
  | 'Plain' // 无缩进: 正文 without the first-line indent (主送, 附件 labels, 版头 lines)
  | 'Caption' // 表题: 黑体, centred
  | 'TableText' // 表格: 小四 (12 pt) 仿宋, 1.5 lines
  | 'TableHead' // 表头: 小四黑体, centred
  | 'Note' // 表注: 小四仿宋
  | 'Colophon' // 版记: 4号仿宋
  | 'Mark'; // 发文机关标志: red 小标宋

/** The faces of GB/T 9704, by role: a run may take another face than its style's. */
export type Face = 'fangsong' | 'hei' | 'kai' | 'xiaobiaosong' | 'song';

export interface Run {
  text: string;
  face?: Face;
  /** Text that came from the data (a figure, a date, a list): the character style 数据 when highlighted. */
  figure?: boolean;
  /** A line break before this run (a title's lines, chosen between words). */
  breakBefore?: boolean;
  /** A tab before this run (发文字号 and 签发人 on one line; 印发机关 and the date). */
  tabBefore?: boolean;
}

export interface Paragraph {
  type: 'paragraph';
  style: StyleId;
  runs: Run[];
  align?: 'left' | 'center' | 'right' | 'both';
  /** In characters of the grid (one = 3号, 16 pt). */
  indent?: { left?: number; right?: number; firstLine?: number; hanging?: number };
  /** Space before, in millimetres, on top of the style's (the 版头's fixed places). */
  spaceBeforeMm?: number;
  /** An exact line height in millimetres instead of the style's (the 版头's lines). */
  lineMm?: number;
  /** Font size in points instead of the style's (the issuing mark's, from the bulletin). */
  sizePt?: number;
  pageBreakBefore?: boolean;
  keepNext?: boolean;
  /** At least two of its lines on each page it runs to (公文 otherwise keep the grid). */
  widowControl?: boolean;
  /**
   * A rule under the paragraph (the red rule of the 版头). A double one (信函格式, heavy over
   * light) reaches past the type area by `overhangMm` at its left and right: 170 mm, centred
   * on the sheet (§10.1), whose type area is not (28 mm left, 26 right).
   */
  ruleBelow?: { color: string; widthMm: number; double?: boolean; overhangMm?: { left: number; right: number } };
  /**
   * A run-in heading (「（一）…。」 opening a paragraph): a paragraph of its own, for the
   * navigation pane, whose mark is hidden as Word's style separator, so that Word prints the
   * paragraph after it on the same line.
   */
  runIn?: boolean;
  /** A right-aligned tab stop at the type area's right edge, less this many characters. */
  rightTab?: number;
}

export interface Cell {
  runs: Run[];
  align: 'left' | 'center' | 'right';
  /** A row header (the label column): 仿宋 like the others, but read first. */
  rowHeader?: boolean;
}

export interface Table {
  type: 'table';
  /** The id of its attachment or inline table (attachment-1, table-districts), for the layout's widths. */
  anchor?: string;
  /** Column widths as shares of the type area's width, when the print layout set them. */
  widths?: number[];
  head: Cell[];
  rows: Cell[][];
}

/** The 版记: its rules and lines, at the foot of a page. */
export interface Colophon {
  type: 'colophon';
  cc?: Run[];
  printedBy?: string;
  printedOn?: string;
  /** Where the print put it: the last page's foot, or a page of its own (after a blank one). */
  place: 'foot' | 'own-page' | 'after-blank';
}

/** A new section: the pages after it are landscape (a wide attachment) or upright again. */
export interface SectionBreak {
  type: 'section';
  orientation: 'portrait' | 'landscape';
}

export type Block = Paragraph | Table | Colophon | SectionBreak;

export interface DocxDocument {
  blocks: Block[];
  /** 信函格式 (§10.1): the first page has no number, and the red double rule 20 mm above its foot. */
  letter?: boolean;
  /** What the Word document leaves out of the print, to be told to the user. */
  omitted: string[];
}
