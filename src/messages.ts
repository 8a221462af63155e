// Every problem a user can cause is a Message with a place, never a stack trace.
// Shaped after vfile-message: a reason, a place, a severity, and a hint saying what to do.

/** An error stops the build; a warning is shown and lets it go on; an info line only tells. */
export type Severity = 'error' | 'warning' | 'info';

export interface Message {
  severity: Severity;
  /** Path as the user would type it, relative to the working directory where possible. */
  file: string;
  /** 1-based; absent when the problem has no single place (a missing file). */
  line?: number;
  column?: number;
  /** What is wrong, in Chinese. */
  reason: string;
  /** What to do about it, in Chinese. */
  hint?: string;
  /** Stable machine-readable id, e.g. `csv/ragged-row`. */
  rule: string;
  /** Kept on purpose by an `accept:` entry of bulletin.yaml: its reason. */
  accepted?: string;
  /** What a printed figure that disagrees with the data is: what `accept:` names, never the text. */
  subject?: Subject;
}

/**
 * A printed number against the data: a table's cell (its row's key, its column) or a figure of
 * bulletin.yaml by name, as printed and as the data give it at the printed digits.
 */
export interface Subject {
  /** The row's key: its label cell as written (青石县, 合计); absent for a table without one. */
  row?: string;
  column?: { key: string; name: string };
  figure?: string;
  printed: string;
  computed: string;
}

/** Thrown for problems that stop a stage outright (a file that cannot be read at all). */
export class BulletinError extends Error {
  constructor(readonly messages: Message[]) {
    super(messages.map(formatMessage).join('\n'));
    this.name = 'BulletinError';
  }
}

const SEVERITY_LABEL: Record<Severity, string> = { error: '错误', warning: '警告', info: '提示' };

/** `path:line:column: 错误: reason（hint）` — the form editors and CI log viewers link. */
export function formatMessage(m: Message): string {
  let place = m.file;
  if (m.line !== undefined && /\.xlsx![^!]+$/i.test(m.file)) {
    // A row of a workbook's sheet (x.xlsx!问题网站, line 3, column 4): its cell, as Excel names it.
    let letters = '';
    for (let n = m.column ?? 1; n > 0; n = Math.floor((n - 1) / 26)) letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
    place += `!${letters}${m.line}`;
  } else {
    if (m.line !== undefined) place += `:${m.line}`;
    if (m.line !== undefined && m.column !== undefined) place += `:${m.column}`;
  }
  const hint = m.hint ? `（${m.hint}）` : '';
  return `${place}: ${SEVERITY_LABEL[m.severity]}: ${m.reason}${hint}`;
}

export function hasErrors(messages: readonly Message[]): boolean {
  return messages.some((m) => m.severity === 'error');
}

/**
 * Order by where the data flow starts, then file, then position, so that output is stable and
 * a cause comes before what follows from it: bulletin.yaml's declarations (a missing file)
 * first, then the tables, then the reported figures checked against them, then the circular
 * whose bindings read them all. A workbook's cells go by
 * sheet, row and column (B9 before B10), as the office reads the sheet.
 */
export function sortMessages(messages: Message[]): Message[] {
  const keyed = messages.map((m) => ({ m, k: sortKey(m) }));
  // Equal names need no collator: ICU's, made at the first compare, is a fortieth of a check.
  const byName = (x: string, y: string) => (x === y ? 0 : x.localeCompare(y));
  keyed.sort((a, b) => a.k.stage - b.k.stage || byName(a.k.file, b.k.file) || byName(a.k.sheet, b.k.sheet) || a.k.line - b.k.line || a.k.column - b.k.column);
  return keyed.map((x) => x.m);
}

function sortKey(m: Message): { stage: number; file: string; sheet: string; line: number; column: number } {
  const cell = /^(.*?\.xlsx)!([^!]+)(?:!([A-Z]+)(\d+)(?::[A-Z]+\d+)?)?$/i.exec(m.file);
  const file = cell ? cell[1]! : m.file;
  // A reported figure's check reads the tables: after them, though written in bulletin.yaml.
  const yaml = /(^|[\\/])bulletin\.ya?ml$/.test(file);
  const stage = yaml ? (m.rule.startsWith('figures/') ? 2 : 0) : /(^|[\\/])content[\\/]/.test(file) ? 3 : 1;
  if (cell) {
    let column = 0;
    for (const ch of (cell[3] ?? '').toUpperCase()) column = column * 26 + ch.charCodeAt(0) - 64;
    return { stage, file, sheet: cell[2]!, line: cell[4] ? Number(cell[4]) : (m.line ?? 0), column: cell[3] ? column : (m.column ?? 0) };
  }
  return { stage, file, sheet: '', line: m.line ?? 0, column: m.column ?? 0 };
}

/** At most this many messages of one rule in one file are listed; the rest are counted. */
export const LISTED_PER_RULE = 100;

/**
 * Messages collected with a limit per file and rule: a table with a hundred thousand bad rows
 * lists the first hundred of each kind, then says where the rest begin and how many there are.
 */
export class MessageList {
  private readonly listed: Message[] = [];
  private readonly kinds = new Map<string, { count: number; firstUnlisted?: Message }>();

  push(m: Message): void {
    // A spreadsheet's messages name the cell in the file (`x.xlsx!附件1!B7`): one workbook, one count.
    const bang = m.file.indexOf('!');
    const key = `${bang < 0 ? m.file : m.file.slice(0, bang)}\u0000${m.rule}`;
    let kind = this.kinds.get(key);
    if (!kind) this.kinds.set(key, (kind = { count: 0 }));
    if (++kind.count <= LISTED_PER_RULE) this.listed.push(m);
    else kind.firstUnlisted ??= m;
  }

  /** The messages listed, and one for each kind past the limit. */
  messages(): Message[] {
    const out = this.listed.slice();
    for (const { count, firstUnlisted: m } of this.kinds.values()) {
      if (!m) continue;
      out.push({
        severity: m.severity,
        file: m.file,
        ...(m.line !== undefined && { line: m.line }),
        ...(m.column !== undefined && { column: m.column }),
        reason: `从这里起还有 ${count - LISTED_PER_RULE} 处同类问题（${m.rule}）未逐条列出`,
        hint: `每类问题只列出前 ${LISTED_PER_RULE} 处；改正后再运行 tongbao check 查看其余的`,
        rule: m.rule,
      });
    }
    return out;
  }
}
