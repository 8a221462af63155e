// Reported figures: those bulletin.yaml enters as printed, checked against the figures the
// tables give (`check:`), and those a new period has still to fill in.
import type { LoadedBulletin } from '../load/bulletin.js';
import { placeOf, type YamlSource } from '../load/yaml.js';
import type { Message } from '../messages.js';
import type { ReportedFigure } from '../schema.js';
import { agrees, display, parseReported, type Figure } from '../figures/figure.js';

/** Reported figures entered as `value: null` (a new period's), still to be filled. */
export function unfilledFigures(loaded: LoadedBulletin): Message[] {
  return Object.entries(loaded.bulletin.figures)
    .filter(([, spec]) => typeof spec === 'object' && spec.value === null)
    .map(([name, spec]) => ({
      severity: 'error' as const,
      file: loaded.source.file,
      ...placeOf(loaded.source, ['figures', name, 'value']),
      reason: `数字「${name}」${typeof spec === 'object' && spec.label ? `（${spec.label}）` : ''}尚未填写`,
      hint: '按正文印出的写法填写 value，如 7535 或 "91%"',
      rule: 'figures/unfilled',
    }));
}

export function reportedFigures(loaded: LoadedBulletin): Figure[] {
  return Object.entries(loaded.bulletin.figures).flatMap(([name, spec]) => {
    const value = typeof spec === 'object' ? spec.value : spec;
    if (value === null) return [];
    return {
      name,
      label: (typeof spec === 'object' && spec.label) || name,
      source: 'reported' as const,
      value: parseReported(value),
      derivation: { formula: '正文报告', file: loaded.source.file },
    };
  });
}

/** Each reported figure with `check:` against the computed figure it names. */
export function checkReported(
  reported: Record<string, ReportedFigure>,
  figures: ReadonlyMap<string, Figure>,
  source: YamlSource,
): Message[] {
  const messages: Message[] = [];
  for (const [name, spec] of Object.entries(reported)) {
    if (typeof spec !== 'object' || !spec.check) continue;
    const printed = figures.get(name);
    if (!printed) continue; // not filled in yet: reported as such
    const target = figures.get(spec.check);
    if (!target) {
      const near = [...figures.keys()].filter((k) => k.startsWith(spec.check!.split('.')[0]! + '.')).slice(0, 12);
      messages.push({
        severity: 'error',
        file: source.file,
        ...placeOf(source, ['figures', name, 'check']),
        reason: `「${spec.check}」不是能从表格算出的数字`,
        hint: near.length ? `可用的有：${near.join('、')}` : '用 tongbao stats 查看可用的数字',
        rule: 'figures/unknown-check',
      });
      continue;
    }
    if (agrees(printed.value, target.value)) continue;
    const d = target.derivation;
    const exact = display(target.value);
    const rounded = printed.value.type === 'share' && target.value.type === 'share' ? display(target.value, printed.value.digits) : exact;
    let steps = d && d.formula !== exact ? `${d.formula} = ${exact}` : exact;
    if (rounded !== exact) steps += ` → ${rounded}`;
    messages.push({
      severity: spec.severity ?? 'error',
      file: source.file,
      ...placeOf(source, ['figures', name, 'value']),
      reason: `「${name}」与表格不符：${d?.place ?? spec.check}${steps}，正文为 ${display(printed.value)}`,
      hint: spec.severity === 'warning' ? '已标为警告；如属原文错误请在说明中注明' : '改正正文中的数字或表格中的数据',
      rule: 'figures/disagree',
    });
  }
  return messages;
}
