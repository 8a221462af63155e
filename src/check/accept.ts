// Reproduction as printed: a bulletin archived or corrected keeps its known errors. Each
// `accept:` entry names one problem exactly (its rule; a table's file, row and column, or a
// figure's name) and the number it keeps: the value printed and the value the data give. The
// problem becomes a warning that says so, and the check goes on. Nothing is matched by a
// column alone or by the words of a message: a new wrong row, or the same row wrong another
// way, is reported again, the entry named as stale. An entry that matches nothing is an error:
// an acceptance must never outlive the fault it was written for.
import path from 'node:path';
import type { LoadedBulletin } from '../load/bulletin.js';
import { placeOf } from '../load/yaml.js';
import type { Message, Subject } from '../messages.js';

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
  /** The number as printed, and as the data give it at the printed digits. */
  value?: string | number | undefined;
  computed?: string | number | undefined;
  reason: string;
}

/** Where an entry points: a figure by name, or a table file's row (key or line) and column. */
type Target = { figure: string } | { file: string; row: string; column: string };

/** `at` read: a name without a colon is a figure; a table's place is file:row:column. */
function target(at: string): Target | { file: string; row?: string } {
  const parts = at.split(':');
  if (parts.length === 1) return { figure: at.trim() };
  if (parts.length === 2) return { file: parts[0]!.trim(), row: parts[1]!.trim() || undefined };
  const column = parts.pop()!.trim();
  const row = parts.pop()!.trim();
  return { file: parts.join(':').trim(), row, column };
}

/** A row's key as written, compared without spaces or width differences (青石县, 合 计). */
const norm = (s: string) => s.normalize('NFKC').replace(/\s+/g, '');

/** The message's file is the entry's: by its name (a workbook's sheet may be named or not). */
function sameFile(messageFile: string, file: string): boolean {
  const [m, f] = [path.basename(messageFile), path.basename(file)];
  return m === f || m.startsWith(`${f}!`);
}

/** Does the entry's rule and place name this message (its values aside)? */
function names(a: Accept, t: Target, m: Message): boolean {
  const s = m.subject;
  if (!s || (m.rule !== a.rule && !m.rule.endsWith(`/${a.rule}`))) return false;
  if ('figure' in t) return s.figure === t.figure;
  if (!sameFile(m.file, t.file) || !s.column || (s.column.name !== t.column && s.column.key !== t.column)) return false;
  return /^\d+$/.test(t.row) ? m.line === Number(t.row) : s.row !== undefined && norm(s.row) === norm(t.row);
}

const same = (written: string | number | undefined, shown: string) => written !== undefined && norm(String(written)) === norm(shown);

/** The entry that would accept the message as it is now, written out for bulletin.yaml. */
function entryFor(m: Message, s: Subject): string {
  const row = s.row ?? String(m.line ?? '');
  const at = s.figure ?? `${path.basename(m.file)}:${row}:${s.column?.name ?? ''}`;
  return `- { rule: ${m.rule}, at: "${at}", value: "${s.printed}", computed: "${s.computed}", reason: 原文如此，照录 }`;
}

export class Acceptance {
  private readonly used: boolean[];
  private readonly entries: readonly Accept[];
  /** Each entry's place read, or why it names no single problem. */
  private readonly targets: (Target | undefined)[];
  /** Entries naming a rule that cannot be accepted: never applied, each an error of its own. */
  private readonly refused: boolean[];
  /** Problems an imprecise entry seems to be written for: each one's exact entry, for its hint. */
  private readonly near: string[][];

  constructor(private readonly loaded: LoadedBulletin) {
    this.entries = loaded.bulletin.accept;
    this.used = this.entries.map(() => false);
    this.refused = this.entries.map((a) => !acceptableRule(a.rule));
    this.targets = this.entries.map((a) => {
      const t = target(a.at);
      return 'figure' in t || ('column' in t && t.column && t.row) ? (t as Target) : undefined;
    });
    this.near = this.entries.map(() => []);
  }

  private line(i: number): number | undefined {
    return placeOf(this.loaded.source, ['accept', i]).line;
  }

  /**
   * The messages, each one an entry names with its values turned into a warning that says it
   * was accepted; one an entry names with other values stays an error that names the entry.
   */
  apply(messages: readonly Message[]): Message[] {
    if (!this.entries.length) return [...messages];
    const file = path.basename(this.loaded.source.file);
    return messages.map((m) => {
      const s = m.subject;
      if (!s) return m;
      const named = this.entries.flatMap((a, i) => (!this.refused[i] && this.targets[i] && names(a, this.targets[i]!, m) ? [i] : []));
      this.noteNear(m, s);
      for (const i of named) {
        this.used[i] = true;
        // Without its values it accepts nothing; its own error says what to write.
        if (!this.precise(i)) this.near[i]!.push(entryFor(m, s));
      }
      const precise = named.filter((k) => this.precise(k));
      const i = precise.find((k) => same(this.entries[k]!.value, s.printed) && same(this.entries[k]!.computed, s.computed));
      if (i !== undefined) {
        const a = this.entries[i]!;
        return { ...m, severity: 'warning' as const, reason: `已接受：${m.reason}`, hint: `${a.reason}（${file} 第 ${this.line(i)} 行 accept）`, accepted: a.reason };
      }
      if (!precise.length) return m;
      // Written for this place but for other numbers: the problem is told again, as it is now.
      const k = precise[0]!;
      const a = this.entries[k]!;
      const was = `value: "${a.value}"、computed: "${a.computed}"`;
      return {
        ...m,
        severity: 'error' as const,
        reason: `${m.reason}；${file} 第 ${this.line(k)} 行的 accept 已过时：它接受的是 ${was}，现在印为 ${s.printed}、按数据应为 ${s.computed}`,
        hint: `核对这个数字：原文确实如此印的，把这一项改为 ${entryFor(m, s)}；否则改正数据，并删去这一项`,
      };
    });
  }

  /** An entry with a value and a computed value: one without is never applied. */
  private precise(i: number): boolean {
    return this.entries[i]!.value !== undefined && this.entries[i]!.computed !== undefined;
  }

  /** An imprecise entry (file:row without its column) near this problem: what to write instead. */
  private noteNear(m: Message, s: Subject): void {
    this.entries.forEach((a, i) => {
      if (this.refused[i] || this.targets[i]) return;
      if (m.rule !== a.rule && !m.rule.endsWith(`/${a.rule}`)) return;
      const t = target(a.at) as { file: string; row?: string };
      if (!sameFile(m.file, t.file)) return;
      if (t.row && !(/^\d+$/.test(t.row) ? m.line === Number(t.row) : s.row !== undefined && norm(s.row) === norm(t.row))) return;
      this.near[i]!.push(entryFor(m, s));
    });
  }

  /** An error for each entry that cannot be accepted, names no single problem, or matched none. */
  unmatched(): Message[] {
    return this.entries.flatMap((a, i): Message[] => {
      if (this.refused[i]) return [this.refusal(a, i)];
      const at = { severity: 'error' as const, file: this.loaded.source.file, ...placeOf(this.loaded.source, ['accept', i]) };
      if (!this.targets[i]) {
        const near = this.near[i]!;
        return [
          {
            ...at,
            ...placeOf(this.loaded.source, ['accept', i, 'at']),
            reason: `accept 的第 ${i + 1} 项（${a.rule}，${a.at}）没有写明是哪一格：at 要写作 文件:行名或行号:列名，只接受这一格印出的一个数`,
            hint: near.length
              ? `写作 ${near.slice(0, 3).join('；')}${near.length > 3 ? ` 等 ${near.length} 项` : ''}（value 为印出的数，computed 为按数据应为的数）`
              : 'at 写作 文件:行名或行号:列名（如 districts.csv:青石县:合格率），或正文数字的名称；并写 value（印出的数）和 computed（按数据应为的数）',
            rule: 'bulletin/accept-imprecise',
          },
        ];
      }
      if (this.used[i] && !this.precise(i)) {
        return [
          {
            ...at,
            reason: `accept 的第 ${i + 1} 项（${a.rule}，${a.at}）没有写 ${a.value === undefined ? 'value（印出的数）' : 'computed（按数据应为的数）'}：不写明接受的是哪个数，数字再变也会被接受`,
            hint: this.near[i]!.length ? `写作 ${this.near[i]!.slice(0, 3).join('；')}` : '两者都照 tongbao check 的消息填写，如 value: "86.66%"、computed: "86.67%"',
            rule: 'bulletin/accept-imprecise',
          },
        ];
      }
      if (this.used[i]) return [];
      return [
        {
          ...at,
          reason: `accept 的第 ${i + 1} 项（${a.rule}，${a.at}）没有对应的问题`,
          hint: 'tongbao check --json 列出每个问题的 rule 和位置；改正 rule 或 at（文件:行名或行号:列名，如 districts.csv:青石县:合格率，或数字的名称），问题已改正时删去这一项',
          rule: 'bulletin/accept-unmatched',
        },
      ];
    });
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
