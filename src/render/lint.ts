// A number typed into the prose is a figure typed twice: it should be bound to the data.
// Dates, document numbers and heading numbers are not figures.
import type { Message } from '../messages.js';

const NUMBER = /[0-9０-９]+(?:[.．][0-9０-９]+)?[%％]?/g;

/** Spans that hold numbers legitimately: dates, document numbers, list numbering. */
const EXEMPT = [
  /[0-9]{4}年(?:[0-9]{1,2}月(?:[0-9]{1,2}日)?)?/g, // 2016年, 2017年1月20日
  /[0-9]{1,2}月[0-9]{1,2}日/g, // 3月20日
  /〔[0-9]{4}〕[0-9]+号/g, // 〔2017〕12号
  /^\s*(?:[0-9]+[.．、]|（[0-9]+）)/g, // 1. and （1） numbering
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
