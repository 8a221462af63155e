// One form for text that identifies something (a region, a site code, a value declared
// unique): the form it is compared, grouped and counted in. A zero-width space in 山西, a space
// in 东 城区 or full-width digits in a 网站标识码 would otherwise make a second group, slip past
// `unique`, or be refused with a message the user cannot see the reason for.

import { codePoint } from './chars.js';

/** Characters with no width: zero-width space and joiners, word joiner, BOM, soft hyphen. */
const INVISIBLE = /[\u200b-\u200d\u2060\ufeff\u00ad]/g;
/** Marks that NFC may compose (combining diacritics, kana voicing, Hangul jamo). */
const DECOMPOSED = /[\u0300-\u036f\u1100-\u11ff\u3099\u309a]/;
/** Full-width digits and Latin letters (punctuation such as ： is left as written). */
const FULL_WIDTH_ALNUM = /[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]/g;
const SPACES = /[\s\u3000]+/g;
/** Anything the normal form would change; most cells have none of it and cost one test. */
const ANY = /[\u200b-\u200d\u2060\ufeff\u00ad\u0300-\u036f\u1100-\u11ff\u3099\u309a\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\s\u3000]/;

/** Names and codes lose every space (东 城区 is 东城区); other text keeps single spaces. */
export type IdentityKind = 'name' | 'text';

export interface Normalized {
  text: string;
  /** What was changed, in Chinese: 看不见的字符、全角字符、空格. */
  changes: string[];
}

/** The identifying form of `text`; undefined when it is already in it. */
export function identityForm(text: string, kind: IdentityKind): Normalized | undefined {
  if (!ANY.test(text)) return undefined;
  const changes: string[] = [];
  let t = text;
  if (DECOMPOSED.test(t)) {
    const n = t.normalize('NFC');
    if (n !== t) changes.push('未合成的字符');
    t = n;
  }
  const visible = t.replace(INVISIBLE, '');
  if (visible !== t) changes.push('看不见的字符');
  t = visible;
  const narrow = t.replace(FULL_WIDTH_ALNUM, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
  if (narrow !== t) changes.push('全角字母或数字');
  t = narrow;
  const spaced = kind === 'name' ? t.replace(SPACES, '') : t.replace(SPACES, ' ');
  if (spaced !== t) changes.push('空格');
  t = spaced;
  return t === text ? undefined : { text: t, changes };
}

/** A text with its invisible characters shown, for a message: 山⟨U+200B⟩西. */
export function shown(text: string): string {
  return text.replace(/[\u200b-\u200d\u2060\ufeff\u00ad\u3000]/g, (c) => `⟨${codePoint(c)}⟩`);
}
