// Figures against the previous period: each of its figures as `previous.<name>`, for each
// share both periods have, `<name>.change` in percentage points, and for each count or share
// both have, `<name>.growth`: (this − previous) / previous, printed 增长…% or 减少…%.
import { div, fraction, mul, sub, type Fraction } from './fraction.js';
import { display, naturalDigits, type Figure } from './figure.js';

/** A count or a share as an exact fraction, the two kinds a growth rate is taken of. */
export function countOrShare(v: Figure['value']): Fraction | undefined {
  return v.type === 'integer' ? fraction(v.value) : v.type === 'share' ? v.value : undefined;
}

/** (x − base) / base; undefined when the base is zero or negative (a growth over it means nothing). */
export function growth(x: Fraction, base: Fraction): Fraction | undefined {
  return base.num <= 0n ? undefined : div(sub(x, base), base);
}

export function againstPrevious(own: readonly Figure[], before: ReadonlyMap<string, Figure>, periods: { previous: string; current: string }): Figure[] {
  const out: Figure[] = [];
  for (const [name, f] of before) out.push({ ...f, name: `previous.${name}`, label: `上期：${f.label}` });
  for (const f of own) {
    const p = before.get(f.name);
    if (!p) continue;
    if (f.value.type === 'share' && p.value.type === 'share') {
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
    const [now, then] = [countOrShare(f.value), countOrShare(p.value)];
    const g = now && then && f.value.type === p.value.type ? growth(now, then) : undefined;
    if (g) {
      out.push({
        name: `${f.name}.growth`,
        label: `${f.label}比上期增长（以上期为基数）`,
        source: 'computed',
        // Printed at one decimal unless exact with none (增长25%).
        value: { type: 'growth', value: g, digits: Math.min(naturalDigits(g), 1) },
        derivation: { formula: `(${display(f.value)} − ${display(p.value)}) / ${display(p.value)}（${periods.previous} → ${periods.current}）` },
      });
    }
  }
  return out;
}
