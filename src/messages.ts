// Every problem a user can cause is a Message with a place, never a stack trace.
// Shaped after vfile-message: a reason, a place, a severity, and a hint saying what to do.

export type Severity = 'error' | 'warning';

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
}

/** Thrown for problems that stop a stage outright (a file that cannot be read at all). */
export class BulletinError extends Error {
  constructor(readonly messages: Message[]) {
    super(messages.map(formatMessage).join('\n'));
    this.name = 'BulletinError';
  }
}

const SEVERITY_LABEL: Record<Severity, string> = { error: '错误', warning: '警告' };

/** `path:line:column: 错误: reason（hint）` — the form editors and CI log viewers link. */
export function formatMessage(m: Message): string {
  let place = m.file;
  if (m.line !== undefined) place += `:${m.line}`;
  if (m.line !== undefined && m.column !== undefined) place += `:${m.column}`;
  const hint = m.hint ? `（${m.hint}）` : '';
  return `${place}: ${SEVERITY_LABEL[m.severity]}: ${m.reason}${hint}`;
}

export function hasErrors(messages: readonly Message[]): boolean {
  return messages.some((m) => m.severity === 'error');
}

/** Order by file, then position, so output is stable and reads top to bottom. */
export function sortMessages(messages: Message[]): Message[] {
  return [...messages].sort(
    (a, b) =>
      a.file.localeCompare(b.file) ||
      (a.line ?? 0) - (b.line ?? 0) ||
      (a.column ?? 0) - (b.column ?? 0),
  );
}
