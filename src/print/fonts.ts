// Faces for the PDF. GB/T 9704 names 仿宋, 小标宋, 黑体 and 楷体; the official fonts are not free
// to redistribute, so an office's own copies are used when present (a fonts/ folder in the
// workspace, or installed on the system), and free faces from npm otherwise. Every face is
// loaded from a file by @font-face: system CJK fonts would be embedded as Type 3.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Fontkit from 'fontkit';
import { openWorkspaceFile } from '../bulletin.js';
import { decodedFace, decodedPath, faceCache, writeWhole } from '../font-cache.js';

const require = createRequire(import.meta.url);

export type FontChoice = 'auto' | 'free' | 'official';

interface Role {
  /** Private family name used by print.css, so no system font of the same name interferes. */
  family: string;
  /** The official face's usual file and family names. */
  official: string[];
  /** The free face: @fontsource package and its CSS file. */
  free: [pkg: string, css: string];
  /** Needed under `fonts: official`. 宋体 sets only the page numbers' digits: the free serif
   * face (a 宋体 design) stands in for it when the office has no file of its own. */
  required: boolean;
}

/** `fonts: official` and the office's fonts/ lacks some of the faces: which ones. */
export class MissingFonts extends Error {
  constructor(readonly names: string[]) {
    super(`fonts/ 中没有${names.join('、')}`);
    this.name = 'MissingFonts';
  }
}

export const ROLES: Record<'fangsong' | 'song' | 'xiaobiaosong' | 'hei' | 'kai', Role> = {
  fangsong: { family: 'TB FangSong', official: ['仿宋_GB2312', 'FangSong_GB2312', '仿宋', 'FangSong', 'simfang'], free: ['noto-serif-sc', '400.css'], required: true },
  song: { family: 'TB Song', official: ['宋体', 'SimSun', 'simsun'], free: ['noto-serif-sc', '400.css'], required: false },
  xiaobiaosong: { family: 'TB XiaoBiaoSong', official: ['方正小标宋简体', '方正小标宋_GBK', 'FZXiaoBiaoSong-B05S', 'FZXBSJW'], free: ['noto-serif-sc', '700.css'], required: true },
  hei: { family: 'TB Hei', official: ['黑体', 'SimHei', 'simhei'], free: ['noto-sans-sc', '400.css'], required: true },
  kai: { family: 'TB Kai', official: ['楷体_GB2312', 'KaiTi_GB2312', '楷体', 'KaiTi', 'simkai'], free: ['lxgw-wenkai', '500.css'], required: true },
};

export interface FontSetup {
  css: string;
  /** Folders the printer may read font files from. */
  dirs: string[];
  /** Which face serves each role, for the build's report. */
  used: Record<string, string>;
  /**
   * The office's own faces the page names, each as `name sha256`: the page refers to them by
   * path, so what they hold is part of what a print was made from (build.ts).
   */
  faces: string[];
  /** Office fonts not used, or not for every character, and why. */
  notes: FontNote[];
  /**
   * Characters of the text that some role's faces lack (by their files and unicode-ranges):
   * Chromium prints them from a system font, or as an empty box. Which of the two, the
   * printed PDF tells (pdf/glyphs.ts); none of these, and the PDF need not be read.
   */
  uncovered: string[];
}

export interface FontNote {
  file: string;
  severity: 'warning';
  reason: string;
}

const FONT_FILE = /\.(ttf|otf|woff2?|ttc)$/i;

function packageDir(pkg: string): string {
  return path.dirname(require.resolve(`@fontsource/${pkg}/package.json`));
}

/** @font-face rules for every role: the office's file first, then the free face's subsets. */
/** An office font that cannot serve: it does not parse, or lacks most of the text's characters. */
function unusable(file: string, chars: readonly number[]): { reason?: string; missing: string[]; sha256?: string } {
  let missing: string[];
  let sha256: string;
  try {
    // Loaded only when an office has fonts of its own (0.2 s). fontkit reads tables as they
    // are asked for: a broken file may fail at the first lookup. The bytes read once: checked,
    // and hashed for what the print is made from.
    const fontkit = require('fontkit') as typeof Fontkit;
    const bytes = readFileSync(file);
    sha256 = createHash('sha256').update(bytes).digest('hex');
    const opened = fontkit.create(bytes);
    const font = 'fonts' in opened ? (opened.fonts[0] as Fontkit.Font) : opened;
    if (!font || typeof font.hasGlyphForCodePoint !== 'function') throw new Error('no face');
    font.hasGlyphForCodePoint(0x4e00);
    missing = chars.filter((c) => !font.hasGlyphForCodePoint(c)).map((c) => String.fromCodePoint(c));
  } catch {
    return { reason: '不是能读取的字体文件（可能已损坏，或只是改了扩展名）', missing: [] };
  }
  // A face for Latin text named 仿宋_GB2312, say: it would print nothing of the document itself.
  if (chars.length && missing.length * 2 > chars.length) return { reason: `缺少文中 ${chars.length} 个字中的 ${missing.length} 个（如「${missing.slice(0, 6).join('')}」），不是这种中文字体`, missing };
  return { missing, sha256 };
}

const hexDigit = (c: number) => (c >= 48 && c <= 57 ? c - 48 : c >= 65 && c <= 70 ? c - 55 : c >= 97 && c <= 102 ? c - 87 : -1);

/**
 * Each span of a CSS unicode-range (`U+4E00-4E03,U+20AC`), given to `visit`. Read a character
 * at a time: a face's CSS has some 40,000 spans, and splitting them into strings took 26 ms of
 * every print.
 */
function eachSpan(range: string, visit: (from: number, to: number) => void): void {
  const hex = (at: number): [number, number] => {
    let n = 0;
    for (let d; at < range.length && (d = hexDigit(range.charCodeAt(at))) >= 0; at++) n = n * 16 + d;
    return [n, at];
  };
  for (let i = range.indexOf('+'); i >= 0; i = range.indexOf('+', i)) {
    const [from, end] = hex(i + 1);
    const [to, after] = range[end] === '-' ? hex(end + 1) : [from, end];
    visit(from, to);
    i = after;
  }
}

/** Those of `sorted` (ascending) from `from` to `to`, added to `into`: a binary search for the first. */
function addWithin(sorted: readonly number[], from: number, to: number, into: Set<number>): void {
  let [lo, hi] = [0, sorted.length];
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < from) lo = mid + 1;
    else hi = mid;
  }
  for (let i = lo; i < sorted.length && sorted[i]! <= to; i++) into.add(sorted[i]!);
}

/** The free face's @font-face rules for a role, and which of `codePoints` (ascending) its files cover. */
async function freeFaces(role: Role, dirs: Set<string>, codePoints: readonly number[]): Promise<{ css: string; covered: Set<number> }> {
  const [pkg, cssFile] = role.free;
  const dir = packageDir(pkg);
  dirs.add(dir);
  let css = '';
  const covered = new Set<number>();
  let whole = false;
  const source = readFileSync(path.join(dir, cssFile), 'utf8');
  for (const m of source.matchAll(/@font-face\s*\{([^}]*)\}/g)) {
    const body = m[1]!;
    const src = /url\(\.\/files\/([^)]+\.woff2)\)/.exec(body)?.[1];
    if (!src) continue;
    const range = /unicode-range:\s*([^;]+);/.exec(body)?.[1];
    const file = path.join(dir, 'files', src);
    css += `@font-face{font-family:'${role.family}';font-display:block;src:url("${pathToFileURL(file).href}") format("woff2");${range ? `unicode-range:${range};` : ''}}\n`;
    if (range) eachSpan(range, (from, to) => addWithin(codePoints, from, to, covered));
    // One large file for every character (the 楷 face: 7 MB): Chromium would decode and
    // embed all of it. A cut of it to the document's characters is checked first; the whole
    // face above still serves any character the cut lacks.
    if (!range && codePoints.length) {
      const cut = await cutFace(file, codePoints);
      if (cut) {
        dirs.add(path.dirname(cut.file));
        css += `@font-face{font-family:'${role.family}';font-display:block;src:url("${pathToFileURL(cut.file).href}") format("truetype");unicode-range:${unicodeRange(codePoints)};}\n`;
        const lacks = new Set(cut.lacks);
        for (const c of codePoints) if (!lacks.has(c)) covered.add(c);
      } else whole = true; // the whole face, its coverage unread: taken as covering
    }
  }
  return { css, covered: whole ? new Set(codePoints) : covered };
}

/** `U+4E00-4E03,U+4E07`: the code points as CSS unicode-range. */
function unicodeRange(codePoints: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < codePoints.length; ) {
    let j = i;
    while (j + 1 < codePoints.length && codePoints[j + 1] === codePoints[j]! + 1) j++;
    const hex = (n: number) => n.toString(16).toUpperCase();
    parts.push(j > i ? `U+${hex(codePoints[i]!)}-${hex(codePoints[j]!)}` : `U+${hex(codePoints[i]!)}`);
    i = j + 1;
  }
  return parts.join(',');
}

/**
 * The face at `file` cut down to `codePoints` (sorted, unique), as a TrueType file in the
 * cache, with the code points the face lacks; undefined when it cannot be made (the whole
 * face serves then). The woff2 is decoded once (0.8 s for the 楷 face); a cut from the
 * decoded face takes 0.1 s, and is kept too, its lacking code points beside it.
 */
async function cutFace(file: string, codePoints: readonly number[]): Promise<{ file: string; lacks: number[] } | undefined> {
  // Without a cache of this user's own, the whole face serves (Chromium takes only a file).
  const cache = faceCache();
  if (!cache) return undefined;
  try {
    const whole = decodedPath(file);
    const key = createHash('sha256').update(`${whole}\n${codePoints.join(',')}`).digest('hex').slice(0, 32);
    const cut = path.join(cache, `cut-${key}.ttf`);
    const lacking = path.join(cache, `cut-${key}.lacks.json`);
    if (existsSync(cut) && existsSync(lacking)) return { file: cut, lacks: JSON.parse(readFileSync(lacking, 'utf8')) as number[] };
    if (!existsSync(cut)) {
      const subsetFont = (await import('subset-font')).default;
      writeWhole(cut, await subsetFont(await decodedFace(file), String.fromCodePoint(...codePoints), { targetFormat: 'truetype' }));
    }
    const fontkit = require('fontkit') as typeof Fontkit;
    const face = fontkit.openSync(cut) as Fontkit.Font;
    const lacks = codePoints.filter((c) => !face.hasGlyphForCodePoint(c));
    writeWhole(lacking, new TextEncoder().encode(JSON.stringify(lacks)));
    return { file: cut, lacks };
  } catch {
    return undefined;
  }
}

/**
 * @font-face rules for every role: the office's file when it reads and covers the text (the
 * free face's subsets behind it for any character it lacks), else the free face. `text` is
 * what the document prints; each office font is checked against its characters.
 */
export async function fontSetup(root: string, choice: FontChoice = 'auto', text = ''): Promise<FontSetup> {
  const fontsDir = path.join(root, 'fonts');
  const own = choice !== 'free' && existsSync(fontsDir) ? readdirSync(fontsDir).filter((f) => FONT_FILE.test(f)) : [];
  const dirs = new Set<string>();
  const used: Record<string, string> = {};
  const faces: string[] = [];
  const notes: FontNote[] = [];
  const chars = [...new Set([...text].filter((c) => c.trim() !== ''))].map((c) => c.codePointAt(0)!);
  const sorted = [...chars].sort((a, b) => a - b);
  const missingOfficial: string[] = [];
  const uncovered = new Set<number>();
  let css = '';
  for (const [name, role] of Object.entries(ROLES)) {
    const file = own.find((f) => role.official.includes(path.parse(f).name));
    // Opened as every workspace file is: a font linked from outside the workspace is not read.
    const opened = file ? openWorkspaceFile(root, path.join(fontsDir, file), 'font') : undefined;
    const check: { reason?: string; missing: string[]; refused?: boolean; sha256?: string } | undefined = !file ? undefined : opened && !opened.ok ? { reason: opened.refusal.reason, missing: [], refused: true } : unusable(path.join(fontsDir, file), chars);
    if (file && check && !check.reason) {
      const url = pathToFileURL(path.join(fontsDir, file)).href;
      // A character the office face lacks comes from the free face, never a system font (which
      // Chromium would embed as Type 3): its subsets first, the office face last, tried first.
      if (check.missing.length) {
        const free = await freeFaces(role, dirs, sorted);
        css += free.css;
        for (const c of check.missing) if (!free.covered.has(c.codePointAt(0)!)) uncovered.add(c.codePointAt(0)!);
        notes.push({ file: path.join(fontsDir, file), severity: 'warning', reason: `字体「${file}」中没有文中的 ${check.missing.length} 个字（${check.missing.slice(0, 12).join('')}${check.missing.length > 12 ? '等' : ''}），这些字改用免费字体印出` });
      }
      css += `@font-face{font-family:'${role.family}';font-display:block;src:url("${url}");}\n`;
      dirs.add(fontsDir);
      used[name] = file;
      faces.push(`${file} ${check.sha256}`);
      continue;
    }
    if (file && check?.refused) {
      if (choice === 'official' && role.required) missingOfficial.push(`${role.official[0]}（${check.reason}）`);
      else notes.push({ file: path.join(fontsDir, file), severity: 'warning', reason: `${check.reason}，改用免费字体` });
    } else if (file && check?.reason) {
      if (choice === 'official' && role.required) missingOfficial.push(`${role.official[0]}（fonts/${file} ${check.reason}）`);
      else notes.push({ file: path.join(fontsDir, file), severity: 'warning', reason: `字体「${file}」${check.reason}，改用免费字体` });
    } else if (choice === 'official' && role.required) missingOfficial.push(role.official[0]!);
    const free = await freeFaces(role, dirs, sorted);
    css += free.css;
    for (const c of chars) if (!free.covered.has(c)) uncovered.add(c);
    used[name] = `@fontsource/${role.free[0]}`;
  }
  if (missingOfficial.length) throw new MissingFonts(missingOfficial);
  return { css, dirs: [...dirs], used, faces, notes, uncovered: [...uncovered].sort((a, b) => a - b).map((c) => String.fromCodePoint(c)) };
}
