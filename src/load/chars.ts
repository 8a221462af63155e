// Characters no text the build prints may hold: C0 and C1 control characters (tab and line
// breaks aside), which make the XMP packet, the OFD's XML and the HTML ill-formed; the
// bidirectional controls, which reorder text on the page (U+202E prints 甲乙丙 as 丙乙甲) while
// the data reads right; and a surrogate without its pair ("\ud800" in YAML), which is no
// character at all and prints as U+FFFD.
const ANY_ALL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
export const ANY = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufffe\uffff\ud800-\udfff]/;
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const SURROGATE = /[\ud800-\udfff]/;

export interface BadChar {
  /** Index in the text. */
  index: number;
  /** U+202E */
  code: string;
  kind: 'control' | 'bidi' | 'surrogate';
}

/** The first character of `text` no data value may hold; bidirectional ones pass when allowed. */
export function badChar(text: string, allowBidi = false): BadChar | undefined {
  return isPlainText(text) ? undefined : badChars(text, allowBidi, 1)[0];
}

/**
 * Whether every character of `text` is printable ASCII (space included), a CJK unified
 * ideograph or √ (a check column's mark): most cells are, and such a text holds nothing the
 * checks of characters look for (neither ANY here nor identity.ts's). A loop over char codes
 * costs a fraction of a regex test on the short texts of a million-row table.
 */
export function isPlainText(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x4e00 ? c > 0x9fff : (c < 0x20 || c > 0x7e) && c !== 0x221a) return false;
  }
  return true;
}

/** Up to `limit` characters of `text` no printed text may hold, in order. */
export function badChars(text: string, allowBidi = false, limit = Infinity): BadChar[] {
  const found: BadChar[] = [];
  if (isPlainText(text) || !ANY.test(text)) return found;
  for (let i = 0; i < text.length && found.length < limit; i++) {
    const ch = text[i]!;
    if (!ANY.test(ch)) continue;
    if (SURROGATE.test(ch)) {
      const c = ch.charCodeAt(0);
      // A pair (a character past the BMP, 𠀀) is one character: both halves pass.
      if (c <= 0xdbff && i + 1 < text.length && /[\udc00-\udfff]/.test(text[i + 1]!)) {
        i++;
        continue;
      }
      found.push({ index: i, code: codePoint(ch), kind: 'surrogate' });
      continue;
    }
    const kind = BIDI.test(ch) ? 'bidi' : 'control';
    if (kind === 'bidi' && allowBidi) continue;
    found.push({ index: i, code: codePoint(ch), kind });
  }
  return found;
}

/** What a user is told of it, in Chinese. */
export function badCharReason(c: BadChar): string {
  return charReason(c, `（第 ${c.index + 1} 个字符）`);
}

/** What a user is told of it; `at` follows the character's code (empty where the message names the line and column). */
export function charReason(c: Pick<BadChar, 'code' | 'kind'>, at = ''): string {
  switch (c.kind) {
    case 'bidi':
      return `含有看不见的双向文字控制字符 ${c.code}${at}，它会改变文字在页面上的显示顺序`;
    case 'surrogate':
      return `含有不成对的代理码元 ${c.code}${at}，它不是一个字符，网页和 PDF 中会印成替换符号 U+FFFD`;
    default:
      return `含有看不见的控制字符 ${c.code}${at}，网页和 PDF 都不能含有这种字符`;
  }
}

/** U+202E, as messages name a character. */
export const codePoint = (ch: string): string => `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/** `text` without the characters badChar finds, to quote it in a message. */
export const withoutBadChars = (text: string): string => text.replace(ANY_ALL, '');
