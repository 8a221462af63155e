// Reproduction as printed: a bulletin archived or corrected keeps its known errors. Each
// `accept:` entry names a problem (its rule and place) and why it stays; the problem becomes
// a warning that says so, and the build goes on. An entry that matches nothing is an error:
// an acceptance must never outlive the fault it was written for.
import path from 'node:path';
import type { LoadedBulletin } from '../load/bulletin.js';
import { placeOf } from '../load/yaml.js';
import type { Message } from '../messages.js';

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

  constructor(private readonly loaded: LoadedBulletin) {
    this.entries = loaded.bulletin.accept;
    this.used = this.entries.map(() => false);
  }

  /** The messages, each one an entry names turned into a warning that says it was accepted. */
  apply(messages: readonly Message[]): Message[] {
    if (!this.entries.length) return [...messages];
    const file = this.loaded.source.file;
    return messages.map((m) => {
      const i = this.entries.findIndex((a) => matches(a, m, file));
      if (i < 0) return m;
      this.used[i] = true;
      const a = this.entries[i]!;
      const line = placeOf(this.loaded.source, ['accept', i]).line;
      return { ...m, severity: 'warning' as const, reason: `已接受：${m.reason}`, hint: `${a.reason}（${path.basename(file)} 第 ${line} 行 accept）`, accepted: a.reason };
    });
  }

  /** An error for each entry that matched no problem. */
  unmatched(): Message[] {
    return this.entries.flatMap((a, i) =>
      this.used[i]
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
}
