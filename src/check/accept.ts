// Reproduction as printed: a bulletin archived or corrected keeps its known errors. Each
// `accept:` entry names a problem (its rule and place) and why it stays; the problem becomes
// a warning that says so, and the build goes on. An entry that matches nothing is an error:
// an acceptance must never outlive the fault it was written for.
import path from 'node:path';
import type { LoadedBulletin } from '../load/bulletin.js';
import { placeOf } from '../load/yaml.js';
import type { Message } from '../messages.js';

/**
 * The only rules an entry may name: a number printed in the original that disagrees with the
 * arithmetic of the data (a reported figure, a printed rate, a total, a history row). Keeping
 * such a number is what reproduction as printed means, and nothing downstream depends on it.
 * Every other problem is one the outputs cannot carry safely: a cell not read or not safe to
 * print (a control character), a circular that does not render, a file not understood.
 */
export const ACCEPTABLE_RULES = ['figures/disagree', 'figures/rate', 'figures/total', 'figures/history'] as const;

/** Why a problem of another kind cannot be kept, by the first part of its rule. */
const NOT_ACCEPTABLE: Record<string, string> = {
  cell: '单元格的值读不出或不能安全地印出（如看不见的控制字符、不是数的数字），保留会把错误或危险的内容印进通报',
  rows: '表格的行本身有误（地区、标识码、重复或超出的数），不是原文印错的一个数字',
  template: '正文的表达式生成不出文字，保留后 build 仍会失败',
  content: '正文本身有误，保留后印出的通报不完整',
  markdown: '正文的结构超出了能排印的范围',
  figures: '这是数字的写法或核对算式本身的问题（未填写、算式有误、名称不对），不是原文印错的数字',
  yaml: 'bulletin.yaml 本身写法有误，程序无法按它生成通报',
  bulletin: 'bulletin.yaml 本身写法有误，程序无法按它生成通报',
  csv: '表格文件本身读不出，程序无法按它生成通报',
  xlsx: '表格文件本身读不出，程序无法按它生成通报',
  table: '表格文件本身读不出，程序无法按它生成通报',
};

/** The acceptable rule an entry names (`rate` or `figures/rate`), if it names one. */
function acceptableRule(rule: string): string | undefined {
  return ACCEPTABLE_RULES.find((r) => r === rule || r.endsWith(`/${rule}`));
}

export interface Accept {
  rule: string;
  at: string;
  reason: string;
}

/** Does `accept` name this message: its rule (`figures/rate` or `rate`) and its place? */
function matches(a: Accept, m: Message, bulletinFile: string): boolean {
  if (m.rule !== a.rule && !m.rule.endsWith(`/${a.rule}`)) return false;
  const colon = a.at.lastIndexOf(':');
  if (colon < 0) {
    // A figure's name: the messages about it in bulletin.yaml begin with it.
    return m.file === bulletinFile && m.reason.startsWith(`「${a.at}」`);
  }
  const [file, where] = [a.at.slice(0, colon), a.at.slice(colon + 1)];
  if (path.basename(m.file) !== path.basename(file) || !where) return false;
  // A line number, or a row by its name (青石县; 合计 for the total row).
  if (/^\d+$/.test(where)) return m.line === Number(where);
  return m.reason.includes(`「${where}」`) || m.reason.startsWith(`${where}行`);
}

export class Acceptance {
  private readonly used: boolean[];
  private readonly entries: readonly Accept[];

  /** Entries naming a rule that cannot be accepted: never applied, each an error of its own. */
  private readonly refused: boolean[];

  constructor(private readonly loaded: LoadedBulletin) {
    this.entries = loaded.bulletin.accept;
    this.used = this.entries.map(() => false);
    this.refused = this.entries.map((a) => !acceptableRule(a.rule));
  }

  /** The messages, each one an entry names turned into a warning that says it was accepted. */
  apply(messages: readonly Message[]): Message[] {
    if (!this.entries.length) return [...messages];
    const file = this.loaded.source.file;
    return messages.map((m) => {
      const i = this.entries.findIndex((a, k) => !this.refused[k] && matches(a, m, file));
      if (i < 0) return m;
      this.used[i] = true;
      const a = this.entries[i]!;
      const line = placeOf(this.loaded.source, ['accept', i]).line;
      return { ...m, severity: 'warning' as const, reason: `已接受：${m.reason}`, hint: `${a.reason}（${path.basename(file)} 第 ${line} 行 accept）`, accepted: a.reason };
    });
  }

  /** An error for each entry that names a rule that cannot be accepted, or matched no problem. */
  unmatched(): Message[] {
    return this.entries.flatMap((a, i) =>
      this.refused[i]
        ? [this.refusal(a, i)]
        : this.used[i]
        ? []
        : [
            {
              severity: 'error' as const,
              file: this.loaded.source.file,
              ...placeOf(this.loaded.source, ['accept', i]),
              reason: `accept 的第 ${i + 1} 项（${a.rule}，${a.at}）没有对应的问题`,
              hint: 'tongbao check --json 列出每个问题的 rule 和位置；改正 rule 或 at（如 districts.csv:青石县、districts.csv:8 或数字的名称），问题已改正时删去这一项',
              rule: 'bulletin/accept-unmatched',
            },
          ],
    );
  }

  private refusal(a: Accept, i: number): Message {
    const kind = a.rule.includes('/') ? a.rule.slice(0, a.rule.indexOf('/')) : '';
    return {
      severity: 'error',
      file: this.loaded.source.file,
      ...placeOf(this.loaded.source, ['accept', i, 'rule']),
      reason: `accept 的第 ${i + 1} 项（${a.rule}）不能接受：${NOT_ACCEPTABLE[kind] ?? '这不是原文印错的数字'}`,
      hint: `accept 只用于照录原文印错的数字，可写的 rule 有：${ACCEPTABLE_RULES.join('、')}；其他问题请改正数据或正文，并删去这一项`,
      rule: 'bulletin/accept-refused',
    };
  }
}
