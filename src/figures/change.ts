// Figures against the previous period: each of its figures as `previous.<name>`, and for each
// share both periods have, `<name>.change` in percentage points.
import { fraction, mul, sub } from './fraction.js';
import { display, type Figure } from './figure.js';

export function againstPrevious(own: readonly Figure[], before: ReadonlyMap<string, Figure>, periods: { previous: string; current: string }): Figure[] {
  const out: Figure[] = [];
  for (const [name, f] of before) out.push({ ...f, name: `previous.${name}`, label: `上期：${f.label}` });
  for (const f of own) {
    const p = before.get(f.name);
    if (f.value.type !== 'share' || p?.value.type !== 'share') continue;
    const points = mul(sub(f.value.value, p.value.value), fraction(100n));
    const digits = Math.max(f.value.digits, p.value.digits);
    out.push({
      name: `${f.name}.change`,
      label: `${f.label}比上期的变化（百分点）`,
      source: 'computed',
      value: { type: 'points', value: points, digits },
      derivation: { formula: `${display(f.value)} − ${display(p.value)}（${periods.previous} → ${periods.current}）` },
    });
  }
  return out;
}
