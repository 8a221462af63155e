// Breaking a 公文 title into lines (GB/T 9704-2012 §7.3.1): 词意完整, 排列对称, 梯形或菱形.
// Chromium breaks a long title wherever a line fills up, inside a word, and may leave one
// character alone; here the lines are chosen before: only between words, the fewest lines
// that fit, and among those the most balanced trapezoid or diamond.
import { divisionNames } from '../divisions.js';
import { provinceNames } from '../regions.js';

/** Characters a line of 2号 (22 pt) holds in the 156 mm type area: 156 / 7.76. */
export const TITLE_LINE_WIDTH = 20;
const MAX_LINES = 6;
/** Candidate lines tried at most, over all line counts. */
const SEARCH_BUDGET = 50_000;

/** Words an office writes that the dictionary may split (全|市政府). */
const OFFICE_WORDS = ['政府网站', '通报', '全国', '全省', '全市', '全区', '全县', '季度', '门户网站', '抽查情况', '有关情况'];

/**
 * Spans never broken: a number with its unit (2016年, 第一季度), a short bracketed group, and
 * the office's words.
 */
const GLUED = [/第?[0-9０-９一二三四五六七八九十百]+(?:年度?|季度|月份?|日|次|批|期|号|个|家)?/g, /[（(《“‘][^）)》”’]{0,8}[）)》”’]/g];

/** Never at a line's start: closing punctuation and bound particles. */
const NO_START = /^[，。、；：？！）》”’·的地得]/u;
/** Never at a line's end. */
const NO_END = /[（《“‘]$/u;

let places: Map<string, string[]> | undefined;
/**
 * The place names by their first character (each list longest first), so that a text is
 * searched for the few names that can start at each of its characters, not for all three
 * thousand: every table header and title line is cut with them.
 */
function placeNames(): Map<string, string[]> {
  if (places) return places;
  // Longest first, so 新疆生产建设兵团 is found before 新疆. Division names of 2 characters
  // or fewer are common words too; they are not needed to keep a title whole.
  const names = [...new Set([...provinceNames(), ...[...divisionNames()].filter((n) => n.length > 2)])].sort((a, b) => b.length - a.length);
  places = new Map();
  for (const n of names) {
    if (n.length < 2) continue;
    const first = n[0]!;
    const list = places.get(first);
    if (list) list.push(n);
    else places.set(first, [n]);
  }
  return places;
}

/** One segmenter for every text: making one loads ICU's dictionary again, a third of a millisecond each. */
let segmenter: Intl.Segmenter | undefined;

/** Display width in characters of the title face: CJK and full-width 1, ASCII about half. */
export function titleWidth(s: string): number {
  let w = 0;
  for (const c of s) w += c.charCodeAt(0) < 0x2000 ? 0.55 : 1;
  return w;
}

/**
 * Break points by title and words, kept: they follow from those strings alone, and the preview
 * breaks the same title and column headers again on every save.
 */
const pointsOf = new Map<string, readonly number[]>();

/** Positions (indices into the string's code units) where a line may break. */
function breakPoints(title: string, words: readonly string[]): readonly number[] {
  const key = `${title}\u0000${words.join('\u0001')}`;
  let points = pointsOf.get(key);
  if (!points) {
    if (pointsOf.size > 512) pointsOf.clear(); // titles and headers edited many times over
    pointsOf.set(key, (points = findBreakPoints(title, words)));
  }
  return points;
}

function findBreakPoints(title: string, words: readonly string[]): number[] {
  segmenter ??= new Intl.Segmenter('zh', { granularity: 'word' });
  const candidates = new Set<number>();
  for (const s of segmenter.segment(title)) if (s.index > 0) candidates.add(s.index);
  // Inside a glued span, no break.
  const glue = (from: number, to: number) => {
    for (let i = from + 1; i < to; i++) candidates.delete(i);
  };
  for (const re of GLUED) for (const m of title.matchAll(re)) glue(m.index, m.index + m[0].length);
  for (const w of [...OFFICE_WORDS, ...words]) {
    if (w.length < 2) continue;
    for (let i = title.indexOf(w); i >= 0; i = title.indexOf(w, i + 1)) glue(i, i + w.length);
  }
  const byFirst = placeNames();
  for (let i = 0; i < title.length; i++) for (const w of byFirst.get(title[i]!) ?? []) if (title.startsWith(w, i)) glue(i, i + w.length);
  return [...candidates].filter((i) => !NO_START.test(title.slice(i)) && !NO_END.test(title.slice(0, i))).sort((a, b) => a - b);
}

/** How far a set of lines is from a balanced trapezoid or diamond; lower is better. */
function cost(widths: number[]): number {
  const mean = widths.reduce((a, b) => a + b, 0) / widths.length;
  let c = widths.reduce((a, w) => a + (w - mean) ** 2, 0);
  // A shape that is neither: a short line between longer ones (an hourglass) or zigzags.
  const up = widths.slice(1).map((w, i) => Math.sign(w - widths[i]!));
  const signs = up.filter((s) => s !== 0);
  const monotone = signs.every((s) => s === signs[0]);
  const diamond = signs.length === 2 && signs[0]! > 0 && signs[1]! < 0;
  if (!monotone && !diamond) c += 100;
  return c;
}

/**
 * The title's lines: one when it fits, else the fewest lines that fit the type area's width,
 * broken between words, no line under three characters, the most balanced shape.
 */
export function breakTitle(title: string, words: readonly string[] = [], lineWidth = TITLE_LINE_WIDTH): string[] {
  const width = titleWidth(title);
  if (width <= lineWidth) return [title];
  // A title of more than six lines is not one an office writes: the browser breaks it.
  if (width > MAX_LINES * lineWidth) return [title];
  const points = breakPoints(title, words);
  const chars = (s: string) => [...s].length;
  // The choices grow as (breaks per line)^lines: a title of many short words (a run of
  // commas, say) is searched up to a bound, and keeps the best lines found by then.
  let budget = SEARCH_BUDGET;
  for (let k = Math.max(2, Math.ceil(width / lineWidth)); k <= Math.min(MAX_LINES, points.length + 1); k++) {
    let best: { lines: string[]; cost: number } | undefined;
    const choose = (from: number, start: number, lines: string[]) => {
      if (--budget < 0) return;
      if (lines.length === k - 1) {
        const last = title.slice(start);
        const all = [...lines, last];
        if (titleWidth(last) > lineWidth || chars(last) < 3) return;
        const c = cost(all.map(titleWidth));
        if (!best || c < best.cost) best = { lines: all, cost: c };
        return;
      }
      for (let p = from; p < points.length; p++) {
        const line = title.slice(start, points[p]);
        if (titleWidth(line) > lineWidth) break;
        if (chars(line) < 3) continue;
        choose(p + 1, points[p]!, [...lines, line]);
      }
    };
    choose(0, 0, []);
    if (best) return best.lines;
  }
  // No break between words fits: leave it to the browser.
  return [title];
}

/**
 * A title's lines cut into their words, where a line may break (the places breakTitle
 * chooses from): the portal page lets a narrow screen break a line there and nowhere else.
 */
export function lineWords(lines: readonly string[], words: readonly string[] = []): string[][] {
  return lines.map((line) => {
    const points = [0, ...breakPoints(line, words), line.length];
    return points.slice(1).map((p, i) => line.slice(points[i], p));
  });
}

/**
 * A short text (a table's column header) cut into its words, no piece of one character:
 * 「抽查|网站数」, never 「抽查网站|数」; 「序号」 whole.
 */
export function headerWords(text: string, words: readonly string[] = []): string[] {
  const points = [0, ...breakPoints(text, words), text.length];
  const pieces: string[] = [];
  for (let i = 1; i < points.length; i++) {
    const piece = text.slice(points[i - 1], points[i]);
    if (pieces.length && ([...piece].length < 2 || [...pieces.at(-1)!].length < 2)) pieces[pieces.length - 1] += piece;
    else pieces.push(piece);
  }
  return pieces;
}

/** `title_lines` from bulletin.yaml: they must spell the title, each within the line. */
export function checkTitleLines(title: string, lines: readonly string[]): string | undefined {
  if (lines.join('') !== title) return `title_lines 连起来应与 title 完全相同：「${lines.join('')}」≠「${title}」`;
  const long = lines.find((l) => titleWidth(l) > TITLE_LINE_WIDTH);
  if (long) return `title_lines 中「${long}」超过一行（约 ${TITLE_LINE_WIDTH} 个字）`;
  return undefined;
}
