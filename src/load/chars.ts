// Characters no data value may hold: C0 and C1 control characters (tab and line breaks
// aside), which make the XMP packet and the HTML ill-formed, and the bidirectional controls,
// which reorder text on the page (U+202E prints 甲乙丙 as 丙乙甲) while the data reads right.
const ANY_ALL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufffe\uffff]/g;
const ANY = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufffe\uffff]/;
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

export interface BadChar {
  /** Index in the text. */
  index: number;
  /** U+202E */
  code: string;
  kind: 'control' | 'bidi';
}

/** The first character of `text` no data value may hold; bidirectional ones pass when allowed. */
export function badChar(text: string, allowBidi = false): BadChar | undefined {
  if (!ANY.test(text)) return undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (!ANY.test(ch)) continue;
    const kind = BIDI.test(ch) ? 'bidi' : 'control';
    if (kind === 'bidi' && allowBidi) continue;
    return { index: i, code: codePoint(ch), kind };
  }
  return undefined;
}

/** What a user is told of it, in Chinese. */
export function badCharReason(c: BadChar): string {
  return c.kind === 'bidi'
    ? `含有看不见的双向文字控制字符 ${c.code}（第 ${c.index + 1} 个字符），它会改变文字在页面上的显示顺序`
    : `含有看不见的控制字符 ${c.code}（第 ${c.index + 1} 个字符），网页和 PDF 都不能含有这种字符`;
}

/** U+202E, as messages name a character. */
export const codePoint = (ch: string): string => `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/** `text` without the characters badChar finds, to quote it in a message. */
export const withoutBadChars = (text: string): string => text.replace(ANY_ALL, '');
