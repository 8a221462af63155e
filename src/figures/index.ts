// The figures stage: reported figures from bulletin.yaml, figures computed from the tables,
// the previous period's figures and the changes against them, and their consistency checks.
import type { LoadedBulletin } from '../load/bulletin.js';
import type { Message } from '../messages.js';
import { placeOf } from '../load/yaml.js';
import { fraction, mul, sub } from './fraction.js';
import { computeFigures } from './compute.js';
import { checkReported, checkTables } from './consistency.js';
import { display, parseReported, type Figure } from './figure.js';

export type Figures = ReadonlyMap<string, Figure>;

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

/** Every figure of the period, by name; `previous.<name>` and `<name>.change` when there is a previous period. */
export function figuresOf(loaded: LoadedBulletin, previous?: LoadedBulletin): { figures: Map<string, Figure>; messages: Message[] } {
  const own = [...reportedFigures(loaded), ...computeFigures(loaded.tables.values(), loaded.bulletin.attachments)];
  const figures = new Map(own.map((f) => [f.name, f]));
  if (previous) {
    const before = new Map(
      [...reportedFigures(previous), ...computeFigures(previous.tables.values(), previous.bulletin.attachments)].map((f) => [f.name, f]),
    );
    for (const [name, f] of before) figures.set(`previous.${name}`, { ...f, name: `previous.${name}`, label: `上期：${f.label}` });
    for (const f of own) {
      const p = before.get(f.name);
      if (f.value.type !== 'share' || p?.value.type !== 'share') continue;
      const points = mul(sub(f.value.value, p.value.value), fraction(100n));
      const digits = Math.max(f.value.digits, p.value.digits);
      figures.set(`${f.name}.change`, {
        name: `${f.name}.change`,
        label: `${f.label}比上期的变化（百分点）`,
        source: 'computed',
        value: { type: 'points', value: points, digits },
        derivation: { formula: `${display(f.value)} − ${display(p.value)}（${previous.paths.period} → ${loaded.paths.period}）` },
      });
    }
  }
  const messages = [...unfilledFigures(loaded), ...checkReported(loaded.bulletin.figures, figures, loaded.source), ...checkTables(loaded.tables.values())];
  return { figures, messages };
}
