import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { add, formatPercent, fraction, parseDecimal, roundScaled, toDecimal } from '../src/figures/fraction.js';
import { agrees, parseReported } from '../src/figures/figure.js';

describe('exact fractions, rounded half-up only for display', () => {
  it('rounds the seed-like cases the way a statistician does', () => {
    expect(formatPercent(fraction(71, 130), 2)).toBe('54.62%'); // 54.615… never truncated to 54.61
    expect(formatPercent(fraction(30, 32), 0)).toBe('94%'); // 93.75 → 94
    expect(formatPercent(fraction(27, 32), 0)).toBe('84%'); // 84.375 → 84
    expect(formatPercent(fraction(25, 32), 1)).toBe('78.1%'); // 78.125 → 78.1
    expect(formatPercent(fraction(1, 8), 0)).toBe('13%'); // 12.5 → 13, half up (not to even)
    expect(formatPercent(fraction(1, 40), 0)).toBe('3%'); // 2.5 → 3
    expect(toDecimal(fraction(-5, 2), 0)).toBe('-3'); // half away from zero
    expect(formatPercent(fraction(0), 1)).toBe('0.0%');
  });

  it('has no float drift: 0.1 + 0.2 is exactly 0.3', () => {
    const a = parseDecimal('0.1')!.value;
    const b = parseDecimal('0.2')!.value;
    expect(add(a, b)).toEqual(parseDecimal('0.3')!.value);
  });

  it('rounding agrees with a reference on scaled integers (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 12n }), fc.bigInt({ min: 1n, max: 10n ** 9n }), fc.integer({ min: 0, max: 4 }), (n, d, digits) => {
        const scale = 10n ** BigInt(digits);
        // Reference: floor(n*scale/d + 1/2) computed with remainders.
        const q = (n * scale) / d;
        const r = (n * scale) % d;
        const expected = 2n * r >= d ? q + 1n : q;
        expect(roundScaled(fraction(n, d), digits)).toBe(expected);
      }),
    );
  });

  it('the display of a rounded share never differs from the exact value by more than half a unit (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100000 }), fc.integer({ min: 1, max: 100000 }), fc.integer({ min: 0, max: 3 }), (n, d, digits) => {
        const shown = parseReported(formatPercent(fraction(n, d), digits));
        expect(shown.type).toBe('share');
        // Whatever was displayed reads back as agreeing with the exact share.
        expect(agrees(shown, { type: 'share', value: fraction(n, d), digits: 6 })).toBe(true);
      }),
    );
  });

  it('a sum of parts equals the whole, however it is split (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 40 }), (parts) => {
        const total = parts.reduce((a, b) => a + b, 0);
        const shares = parts.map((p) => fraction(p, Math.max(total, 1)));
        const sum = shares.reduce(add, fraction(0));
        expect(sum).toEqual(total === 0 ? fraction(0) : fraction(1));
      }),
    );
  });
});
