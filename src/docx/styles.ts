// The Word document's styles and fonts, named as offices see them so that staff edit within
// them. The body, title and headings are Word's own styles, stored under the names Word itself
// stores (Normal, Title, heading 1–3) and shown by Chinese Word and WPS as 正文, 标题, 标题 1–3:
// a style stored as 「正文」 would be another style beside Word's Normal, and LibreOffice would
// not take it for its default one (whose size it counts the character grid against). The rest
// have no counterpart in Word and are named in Chinese. Each face goes by the office font's
// name (仿宋_GB2312, 黑体, 楷体_GB2312, 方正小标宋简体), which Word and WPS find installed, with
// the free face of the PDF named second (w:altName) for machines that lack it.
import type { Face, StyleId } from './model.js';
import { BODY_PT, CHAR, LINE_PITCH, TRACKING, ptToTwips } from './grid.js';

export const FACES: Record<Face, { name: string; alt: string; family: 'roman' | 'modern' | 'swiss' }> = {
  fangsong: { name: '仿宋_GB2312', alt: 'Noto Serif CJK SC', family: 'modern' },
  song: { name: '宋体', alt: 'Noto Serif CJK SC', family: 'roman' },
  xiaobiaosong: { name: '方正小标宋简体', alt: 'Noto Serif CJK SC', family: 'roman' },
  hei: { name: '黑体', alt: 'Noto Sans CJK SC', family: 'modern' },
  kai: { name: '楷体_GB2312', alt: 'AR PL UKai CN', family: 'modern' },
};

const fonts = (face: Face) => {
  const n = FACES[face].name;
  return `<w:rFonts w:ascii="${n}" w:eastAsia="${n}" w:hAnsi="${n}" w:cs="${n}"/>`;
};

interface StyleSpec {
  /** The name stored in the file. */
  name: string;
  /** The name Chinese Word and WPS show, when it is one of Word's own styles. */
  shown?: string;
  face?: Face;
  /** Points. */
  size?: number;
  align?: 'left' | 'center' | 'both';
  /** First-line indent in characters of the grid (the style 正文's is 2). */
  firstLine?: number;
  /** Exact line height in twips (the grid's pitch unless said). */
  line?: number;
  /** Character spacing in twentieths of a point. */
  spacing?: number;
  outline?: number;
  keepNext?: boolean;
  color?: string;
  /** Left and right indents in characters (the 版记's lines 左右各空一字). */
  sides?: number;
}

/**
 * Every paragraph keeps to the line grid by an exact height (22 to a page) and to 28
 * characters by its tracking (grid.ts says why not by the character grid); as in the print,
 * widow control is off (公文 keep the grid), punctuation does not hang past the margin, and
 * no extra space is set between Chinese and Latin text.
 */
export const STYLES: Record<StyleId, StyleSpec> = {
  Normal: { name: 'Normal', shown: '正文', face: 'fangsong', size: BODY_PT, align: 'both', firstLine: 2 },
  Plain: { name: '无缩进', firstLine: 0 },
  Title: { name: 'Title', shown: '标题', face: 'xiaobiaosong', size: 22, align: 'center', firstLine: 0, spacing: 0 },
  Heading1: { name: 'heading 1', shown: '标题 1', face: 'hei', outline: 0, keepNext: true },
  Heading2: { name: 'heading 2', shown: '标题 2', face: 'kai', outline: 1, keepNext: true },
  Heading3: { name: 'heading 3', shown: '标题 3', face: 'fangsong', outline: 2, keepNext: true },
  Caption: { name: '表题', face: 'hei', align: 'center', firstLine: 0, spacing: 0, keepNext: true },
  TableText: { name: '表格', size: 12, align: 'left', firstLine: 0, line: 360, spacing: 0 },
  TableHead: { name: '表头', face: 'hei', size: 12, align: 'center', firstLine: 0, line: 360, spacing: 0 },
  Note: { name: '表注', size: 12, align: 'left', firstLine: 0, line: 360, spacing: 0 },
  Colophon: { name: '版记', size: 14, align: 'left', firstLine: 0, line: ptToTwips(14 * 1.6), spacing: 0, sides: 1 },
  Mark: { name: '发文机关标志', face: 'xiaobiaosong', align: 'center', firstLine: 0, spacing: 0, color: 'E60012' },
};

/** The character style of figures from data, shaded for reviewers (`--docx-figures highlight`). */
export const FIGURE_STYLE = { id: 'Figure', name: '数据', fill: 'FFF29E' };

const W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"';

function paragraphStyle(id: StyleId, s: StyleSpec): string {
  const ppr = [
    // In the schema's order: Word refuses a document whose properties are out of it.
    s.keepNext ? '<w:keepNext/>' : '',
    id === 'Normal' ? '<w:widowControl w:val="0"/><w:overflowPunct w:val="0"/><w:autoSpaceDE w:val="0"/><w:autoSpaceDN w:val="0"/><w:snapToGrid w:val="0"/>' : '',
    `<w:spacing w:before="0" w:after="0" w:line="${s.line ?? LINE_PITCH}" w:lineRule="exact"/>`,
    s.firstLine !== undefined || s.sides ? `<w:ind w:left="${Math.round((s.sides ?? 0) * CHAR)}" w:right="${Math.round((s.sides ?? 0) * CHAR)}" w:firstLineChars="${(s.firstLine ?? 0) * 100}" w:firstLine="${Math.round((s.firstLine ?? 0) * CHAR)}"/>` : '',
    s.align ? `<w:jc w:val="${s.align}"/>` : '',
    s.outline !== undefined ? `<w:outlineLvl w:val="${s.outline}"/>` : '',
  ].join('');
  const rpr = [
    s.face ? fonts(s.face) : '',
    s.color ? `<w:color w:val="${s.color}"/>` : '',
    s.spacing !== undefined ? `<w:spacing w:val="${s.spacing}"/>` : id === 'Normal' ? `<w:spacing w:val="${TRACKING}"/>` : '',
    s.size ? `<w:sz w:val="${s.size * 2}"/><w:szCs w:val="${s.size * 2}"/>` : '',
  ].join('');
  const base = id === 'Normal' ? '' : '<w:basedOn w:val="Normal"/>';
  const next = id === 'Normal' || id.startsWith('Heading') || id === 'Title' ? '<w:next w:val="Normal"/>' : '';
  return `<w:style w:type="paragraph"${id === 'Normal' ? ' w:default="1"' : ''} w:styleId="${id}"><w:name w:val="${s.name}"/>${base}${next}<w:qFormat/><w:pPr>${ppr}</w:pPr><w:rPr>${rpr}</w:rPr></w:style>`;
}

/** word/styles.xml. */
export function stylesXml(): string {
  const defaults =
    `<w:docDefaults><w:rPrDefault><w:rPr>${fonts('fangsong')}<w:kern w:val="2"/><w:sz w:val="${BODY_PT * 2}"/><w:szCs w:val="${BODY_PT * 2}"/><w:lang w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/></w:rPr></w:rPrDefault>` +
    `<w:pPrDefault><w:pPr><w:widowControl w:val="0"/><w:snapToGrid w:val="0"/><w:spacing w:line="${LINE_PITCH}" w:lineRule="exact"/></w:pPr></w:pPrDefault></w:docDefaults>`;
  const paragraphs = (Object.entries(STYLES) as [StyleId, StyleSpec][]).map(([id, s]) => paragraphStyle(id, s)).join('');
  const character =
    `<w:style w:type="character" w:default="1" w:styleId="DefaultParagraphFont"><w:name w:val="Default Paragraph Font"/><w:uiPriority w:val="1"/><w:semiHidden/></w:style>` +
    `<w:style w:type="character" w:styleId="${FIGURE_STYLE.id}"><w:name w:val="${FIGURE_STYLE.name}"/><w:basedOn w:val="DefaultParagraphFont"/><w:qFormat/><w:rPr><w:shd w:val="clear" w:color="auto" w:fill="${FIGURE_STYLE.fill}"/></w:rPr></w:style>`;
  const table =
    `<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/><w:semiHidden/><w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>` +
    `<w:style w:type="paragraph" w:styleId="Footer"><w:name w:val="footer"/><w:basedOn w:val="Normal"/><w:pPr><w:spacing w:line="${ptToTwips(14)}" w:lineRule="exact"/><w:ind w:firstLineChars="0" w:firstLine="0"/></w:pPr><w:rPr>${fonts('song')}<w:spacing w:val="0"/><w:sz w:val="28"/><w:szCs w:val="28"/></w:rPr></w:style>`;
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:styles ${W}>${defaults}${paragraphs}${character}${table}</w:styles>`;
}

/**
 * word/fontTable.xml: each face by the office's name, the free face as its alternative, and
 * the embedded subset of the free face under that name (embed.ts) by its relationship.
 */
export function fontTableXml(embedded: readonly { name: string; key: string }[] = []): string {
  const seen = new Set<string>();
  const entries = Object.values(FACES)
    .filter((f) => !seen.has(f.name) && seen.add(f.name))
    .map((f) => {
      const i = embedded.findIndex((e) => e.name === f.name);
      const embed = i < 0 ? '' : `<w:embedRegular r:id="rId${i + 1}" w:fontKey="${embedded[i]!.key}"/>`;
      return `<w:font w:name="${f.name}"><w:altName w:val="${f.alt}"/><w:charset w:val="86"/><w:family w:val="${f.family}"/><w:pitch w:val="fixed"/>${embed}</w:font>`;
    })
    .join('');
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:fonts ${W} xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">${entries}</w:fonts>`;
}
