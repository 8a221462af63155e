// One form for text that identifies something (a region, a site code, a value declared
// unique): the form it is compared, grouped and counted in. A zero-width space in 山西, a space
// in 东 城区 or full-width digits in a 网站标识码 would otherwise make a second group, slip past
// `unique`, or be refused with a message the user cannot see the reason for.

import { codePoint, isPlainText } from './chars.js';

/** Characters with no width: zero-width space and joiners, word joiner, BOM, soft hyphen. */
const INVISIBLE = /[\u200b-\u200d\u2060\ufeff\u00ad]/g;
/** Marks that NFC may compose (combining diacritics, kana voicing, Hangul jamo). */
const DECOMPOSED = /[\u0300-\u036f\u1100-\u11ff\u3099\u309a]/;
/** CJK compatibility ideographs (U+F90A 金), which NFC maps to the unified ones (U+91D1 金). */
const COMPAT = /[\uf900-\ufaff]|\ud87e[\udc00-\ude1f]/g;
/** Full-width digits and Latin letters (punctuation such as ： is left as written). */
const FULL_WIDTH_ALNUM = /[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]/g;
const SPACES = /[\s\u3000]+/g;
/** Greek and Cyrillic letters. */
const GREEK_CYRILLIC = /[\u0370-\u03ff\u0400-\u052f]/;
/** Anything the normal form would change; most cells have none of it and cost one test. */
export const ANY = /[\u200b-\u200d\u2060\ufeff\u00ad\u0300-\u036f\u1100-\u11ff\u3099\u309a\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\s\u3000\uf900-\ufaff\ud87e\u0370-\u03ff\u0400-\u052f\u3040-\u30ff]/;

/**
 * Greek and Cyrillic letters that look like Latin ones (the prototypes Unicode's confusables
 * data, UTS #39, gives them): in a name that also holds Latin letters or Han characters, an о
 * typed on a Russian keyboard is a look-alike, and the name is compared by its skeleton.
 */
const LATIN_LOOKALIKE: Readonly<Record<string, string>> = {
  // Cyrillic
  а: 'a', в: 'ʙ', е: 'e', к: 'ĸ', о: 'o', р: 'p', с: 'c', у: 'y', х: 'x', ѕ: 's', і: 'i', ї: 'ï', ј: 'j', һ: 'h', ԁ: 'd', ԛ: 'q', ԝ: 'w', ӏ: 'l', ү: 'y', ɡ: 'g',
  А: 'A', В: 'B', Е: 'E', З: '3', К: 'K', М: 'M', Н: 'H', О: 'O', Р: 'P', С: 'C', Т: 'T', У: 'Y', Х: 'X', Ѕ: 'S', І: 'I', Ј: 'J', Ү: 'Y', Ԛ: 'Q', Ԝ: 'W', Ӏ: 'I',
  // Greek
  α: 'a', ι: 'i', κ: 'ĸ', ν: 'v', ο: 'o', ρ: 'p', υ: 'u', γ: 'y',
  Α: 'A', Β: 'B', Ε: 'E', Ζ: 'Z', Η: 'H', Ι: 'I', Κ: 'K', Μ: 'M', Ν: 'N', Ο: 'O', Ρ: 'P', Τ: 'T', Υ: 'Y', Χ: 'X',
};
const LATIN_OR_HAN = /[A-Za-z\u3400-\u4dbf\u4e00-\u9fff]/;

/**
 * `text` with its Greek and Cyrillic look-alikes as the Latin letters they imitate, when it
 * mixes scripts: it holds Latin letters or Han characters, and every Greek or Cyrillic letter
 * in it is a look-alike. A name written wholly in Cyrillic or Greek (Хэйхэ) is left alone.
 */
function latinLookalikes(text: string): string | undefined {
  if (!GREEK_CYRILLIC.test(text) || !LATIN_OR_HAN.test(text)) return undefined;
  let out = '';
  for (const c of text) {
    const code = c.charCodeAt(0);
    if ((code >= 0x370 && code <= 0x3ff) || (code >= 0x400 && code <= 0x52f)) {
      const latin = LATIN_LOOKALIKE[c];
      if (latin === undefined) return undefined;
      out += latin;
    } else out += c;
  }
  return out;
}

/**
 * Katakana that look like Han characters (UTS #39's prototypes: ロ 口, エ 工, カ 力, タ 夕, ニ 二,
 * ハ 八, ト 卜, ー 一), typed by a Japanese input method into a Chinese name.
 */
const HAN_LOOKALIKE: Readonly<Record<string, string>> = { ロ: '口', エ: '工', カ: '力', タ: '夕', ニ: '二', ハ: '八', ト: '卜', ー: '一' };
const KANA = /[\u3040-\u30ff]/;
const HAN = /[\u3400-\u4dbf\u4e00-\u9fff]/;

/** `text` with its Han look-alike katakana as Han, when it holds Han and no other kana. */
function hanLookalikes(text: string): string | undefined {
  if (!KANA.test(text) || !HAN.test(text)) return undefined;
  let out = '';
  for (const c of text) {
    const code = c.charCodeAt(0);
    if (code >= 0x3040 && code <= 0x30ff) {
      const han = HAN_LOOKALIKE[c];
      if (han === undefined) return undefined; // Japanese text: other kana beside them
      out += han;
    } else out += c;
  }
  return out;
}

/** Names and codes lose every space (东 城区 is 东城区); other text keeps single spaces. */
export type IdentityKind = 'name' | 'text';

export interface Normalized {
  text: string;
  /** What was changed, in Chinese: 看不见的字符、全角字符、空格. */
  changes: string[];
}

/** The identifying form of `text`; undefined when it is already in it. */
export function identityForm(text: string, kind: IdentityKind): Normalized | undefined {
  // Of a plain text's characters, ANY matches only the space (\s).
  if ((isPlainText(text) && !text.includes(' ')) || !ANY.test(text)) return undefined;
  const changes: string[] = [];
  let t = text;
  if (DECOMPOSED.test(t)) {
    const n = t.normalize('NFC');
    if (n !== t) changes.push('未合成的字符');
    t = n;
  }
  const unified = t.replace(COMPAT, (c) => c.normalize('NFC'));
  if (unified !== t) changes.push('兼容区汉字');
  t = unified;
  const visible = t.replace(INVISIBLE, '');
  if (visible !== t) changes.push('看不见的字符');
  t = visible;
  const narrow = t.replace(FULL_WIDTH_ALNUM, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
  if (narrow !== t) changes.push('全角字母或数字');
  t = narrow;
  const latin = latinLookalikes(t);
  if (latin !== undefined && latin !== t) {
    changes.push('形似拉丁字母的西里尔或希腊字母');
    t = latin;
  }
  const han = hanLookalikes(t);
  if (han !== undefined && han !== t) {
    changes.push('形似汉字的片假名');
    t = han;
  }
  const spaced = kind === 'name' ? t.replace(SPACES, '') : t.replace(SPACES, ' ');
  if (spaced !== t) changes.push('空格');
  t = spaced;
  return t === text ? undefined : { text: t, changes };
}

/** Combining marks NFKC leaves on their own (合\u0301计): no letter of a name carries one. */
const STRAY_MARKS = /[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f\ufe00-\ufe0f]/g;

/**
 * The one form two names are compared in, across rows and periods (a new-media account in the
 * register): the identifying form, then NFKC (half-width katakana, full-width brackets,
 * compatibility forms), without stray combining marks. Two names with the same key are the same.
 */
export function nameKey(text: string): string {
  const t = identityForm(text, 'name')?.text ?? text;
  // NFKC only when a character may change: most names are plain Han and Latin.
  return /[^\u0020-\u007e\u4e00-\u9fff]/.test(t) ? t.normalize('NFKC').replace(STRAY_MARKS, '').replace(SPACES, '') : t;
}

/**
 * A text with its invisible characters shown, for a message: 山⟨U+200B⟩西; a look-alike letter
 * or a compatibility ideograph followed by its code point: Bе⟨U+0435⟩ijing, 金⟨U+F90A⟩华.
 */
export function shown(text: string): string {
  return text
    .replace(/[\u200b-\u200d\u2060\ufeff\u00ad\u3000]/g, (c) => `⟨${codePoint(c)}⟩`)
    .replace(/[\u0370-\u03ff\u0400-\u052f\u30a8-\u30fc\uf900-\ufaff]|\ud87e[\udc00-\ude1f]/g, (c) => (LATIN_LOOKALIKE[c] !== undefined || HAN_LOOKALIKE[c] !== undefined || c.charCodeAt(0) >= 0xd800 ? `${c}⟨${codePoint(c)}⟩` : c));
}
