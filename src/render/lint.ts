// A number typed into the prose is a figure typed twice: it should be bound to the data.
// Dates, document numbers and heading numbers are not figures.
import type { Message } from '../messages.js';
import { display, type Figures } from '../figures/figure.js';

const NUMBER = /[0-9０-９]+(?:[.．][0-9０-９]+)?[%％]?/g;

/**
 * A count written in Chinese numerals before a measure word (十二个, 二十家, 一百零五项): a figure
 * typed by hand as much as 12 is. A lone 一 or 两 (一个方面, 两项制度) and 三 to 九 (三个方面) are
 * words more often than counts and are left alone; ordinals (第十二个) and vague counts (数十个,
 * 十几个) are no figures.
 */
const CHINESE_COUNT = /(?<![第数几零〇一二两三四五六七八九十百千万亿])(?:[零〇一二两三四五六七八九十百千万亿]{2,}|十)(?=[个家项条次名人批所户篇件处类款座位])/g;

/** Spans that hold numbers legitimately: dates, document numbers, list numbering. */
const EXEMPT = [
  /[0-9]{4}年(?:[0-9]{1,2}月(?:[0-9]{1,2}日)?)?/g, // 2016年, 2017年1月20日
  /[0-9]{1,2}月[0-9]{1,2}日/g, // 3月20日
  /〔[0-9]{4}〕[0-9]+号/g, // 〔2017〕12号
  /^\s*(?:[0-9]+[.．、]|（[0-9]+）)/g, // 1. and （1） numbering
  /(?:附件|附表|表|图)[0-9０-９]+/g, // 附件1, 表2: names of parts, not figures
  /第[0-9０-９]+(?:季度|次|批|期|号|条|款|项|章|节|部分)/g, // 第4季度, 第3条: ordinals
  /\[\^[^\]\s]+\]/g, // [^1]: a footnote's label, not a figure
  /(?:https?:\/\/|www\.)[!-~]+|[\w.-]+@[\w.-]+|[\w-]+(?:\.[\w-]+)*\.(?:gov|com|org|net|edu)(?:\.cn)?(?:\/[!-~]*)?/g, // addresses: their digits are not figures
];

export function lintNumbers(source: string, file: string): Message[] {
  const messages: Message[] = [];
  let inFence = false;
  let inComment = false;
  source.split(/\r?\n/).forEach((text, i) => {
    if (/^\s*(```|~~~)/.test(text)) inFence = !inFence;
    if (inFence) return;
    // Blank out what is not prose, keeping columns: expressions, comments, exempt spans.
    let line = text.replace(/\{\{[\s\S]*?\}\}/g, (m) => ' '.repeat(m.length));
    if (inComment) {
      const end = line.indexOf('-->');
      if (end < 0) return;
      line = ' '.repeat(end + 3) + line.slice(end + 3);
      inComment = false;
    }
    line = line.replace(/<!--[\s\S]*?-->/g, (m) => ' '.repeat(m.length));
    const open = line.indexOf('<!--');
    if (open >= 0) {
      inComment = true;
      line = line.slice(0, open);
    }
    for (const re of EXEMPT) line = line.replace(re, (m) => ' '.repeat(m.length));
    for (const m of line.matchAll(CHINESE_COUNT)) {
      messages.push({
        severity: 'warning',
        file,
        line: i + 1,
        column: m.index + 1,
        reason: `正文中的数字「${m[0]}」没有绑定到数据`,
        hint: '在 bulletin.yaml 的 figures 中登记它（或由表格算出），正文写 {{名称}}（印作阿拉伯数字）或 {{cn 名称}}（印作汉字）；「第十二」这样的序数不受此限',
        rule: 'content/bare-number',
      });
    }
    for (const m of line.matchAll(NUMBER)) {
      messages.push({
        severity: 'warning',
        file,
        line: i + 1,
        column: m.index + 1,
        reason: `正文中的数字「${m[0]}」没有绑定到数据`,
        hint: '在 bulletin.yaml 的 figures 中登记它（或由表格算出），正文写 {{名称}}；日期和文号不受此限',
        rule: 'content/bare-number',
      });
    }
  });
  return messages;
}

/**
 * Bounds on the circular's structure, checked before the Markdown parser sees it. The parser's
 * time grows faster than the input on deep nesting and long runs of delimiters (measured with
 * remark-parse alone: 2,000 nested `>` 2.9 s; a list 500 levels deep 22 s; 4,000 `*a` 1.2 s)
 * and overflows the stack past that; a circular needs none of it, so such input is refused
 * with its place instead.
 */
export const MARKDOWN_LIMITS = { bytes: 1 << 20, lineLength: 10_000, depth: 16, delimiters: 500 };

/** Containers opened at the start of a line: block quotes, list items, and indentation. */
const CONTAINER = /^ {0,3}(?:>|[-*+](?=[ \t]|$)|\d{1,9}[.)](?=[ \t]|$))[ \t]?/;

export function markdownLimits(source: string, file: string): Message[] {
  const messages: Message[] = [];
  const at = (line: number, column: number, reason: string, rule: string) =>
    messages.push({ severity: 'error', file, line, column, reason, hint: '正文不需要这样的结构；请检查是否误粘贴了大段符号或缩进', rule });
  if (source.length > MARKDOWN_LIMITS.bytes) {
    at(1, 1, `正文有 ${source.length} 个字符，超过 ${MARKDOWN_LIMITS.bytes} 个的上限`, 'markdown/too-large');
    return messages;
  }
  const lines = source.split(/\r?\n/);
  // The first few places are enough to find what was pasted.
  for (let i = 0; i < lines.length && messages.length < 10; i++) {
    const text = lines[i]!;
    const line = i + 1;
    if (text.length > MARKDOWN_LIMITS.lineLength) {
      at(line, 1, `这一行有 ${text.length} 个字符，超过 ${MARKDOWN_LIMITS.lineLength} 个的上限`, 'markdown/line-too-long');
      continue;
    }
    let rest = text;
    let depth = 0;
    for (let m = CONTAINER.exec(rest); m && depth <= MARKDOWN_LIMITS.depth; m = CONTAINER.exec(rest)) {
      depth++;
      rest = rest.slice(m[0].length);
    }
    // What is left of the indentation nests too: two spaces a level, as lists are indented.
    const indent = /^[ \t]*/.exec(rest)![0].replace(/\t/g, '    ').length;
    depth += Math.floor(indent / 2);
    if (depth > MARKDOWN_LIMITS.depth) {
      at(line, 1, `这一行嵌套了 ${depth} 层（引用、列表或缩进），超过 ${MARKDOWN_LIMITS.depth} 层的上限`, 'markdown/too-deep');
      continue;
    }
    let marks = 0;
    for (let k = 0; k < text.length; k++) {
      const c = text.charCodeAt(k);
      if (c === 42 || c === 95 || c === 91 || c === 93 || c === 126 || c === 96) marks++; // * _ [ ] ~ `
    }
    if (marks > MARKDOWN_LIMITS.delimiters) at(line, 1, `这一行有 ${marks} 个 Markdown 标记符号（* _ [ ] ~ \`），超过 ${MARKDOWN_LIMITS.delimiters} 个的上限`, 'markdown/too-many-marks');
  }
  return messages;
}

/** A figure printed bare: `{{name}}` or `{{{name}}}`, with no helper (helpers say their digits). */
const BARE = /\{\{\{?~?\s*([A-Za-z_][\w-]*(?:\.[\w-]+)*)\s*~?\}?\}\}/g;

/** The digits a percentage prints at unless the circular or bulletin.yaml says otherwise. */
export const DEFAULT_PERCENT_DIGITS = 1;

/**
 * A share the tables computed prints at the digits that make it exact, up to three: 11/12 is
 * 91.667%, which no bulletin prints. Printed bare with more than the default one decimal, it is
 * a warning naming the helper that prints it at the digits meant.
 */
export function lintPrecision(sources: readonly { file: string; text: string }[], figures: Figures): Message[] {
  const messages: Message[] = [];
  for (const s of sources) {
    s.text.split(/\r?\n/).forEach((text, i) => {
      for (const m of text.matchAll(BARE)) {
        const f = figures.get(m[1]!);
        if (!f || f.source !== 'computed') continue;
        const v = f.value;
        if ((v.type !== 'share' && v.type !== 'growth') || v.digits <= DEFAULT_PERCENT_DIGITS) continue;
        const helper = v.type === 'share' ? 'percent' : 'growth';
        messages.push({
          severity: 'warning',
          file: s.file,
          line: i + 1,
          column: m.index + 1,
          reason: `「${f.name}」由表格算出，印出来是 ${display(v)}（${v.digits} 位小数），多于通报默认的 ${DEFAULT_PERCENT_DIGITS} 位`,
          hint: `写 {{${helper} ${f.name} ${DEFAULT_PERCENT_DIGITS}}} 按 ${DEFAULT_PERCENT_DIGITS} 位小数印出（要印几位就写几），印出的是 ${display(v, DEFAULT_PERCENT_DIGITS)}`,
          rule: 'content/percent-digits',
        });
      }
    });
  }
  return messages;
}
