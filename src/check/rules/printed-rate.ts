import { ratioOf, type Column, type TableSpec } from '../../schema.js';
import type { Percent } from '../../values.js';
import { labelColumn, type Row } from '../../load/rows.js';
import { decidingDecimals, formatPercent, fraction, roundScaled, toDecimal } from '../../figures/fraction.js';
import type { Problem, RowRule } from '../rule.js';

export const printedRate: RowRule = {
  name: 'printed-rate',
  description: 'A printed percentage (`ratio: [passed, sampled]`) is its row\'s counts rounded half-up, a total row\'s too (the totals rule checks its counts against the members); a total row without counts, the sums of the member rows.',
  create({ spec, report, memberSum }) {
    const rated = spec.columns
      .filter((c) => c.type === 'percent' && c.ratio)
      .map((column) => ({ column, sums: [memberSum(ratioOf(column)!.num), memberSum(ratioOf(column)!.den)] as const }));
    if (!rated.length) return undefined;
    const kept: Row[] = [];
    const check = (column: Column, row: Row, total: boolean, sums?: [bigint, bigint]) => {
      const problem = rateProblem(spec, column, row, total, sums);
      if (problem) report(row.cells[column.key]!, problem);
    };
    return {
      row(e) {
        // Every row's rate against its own counts: a 合计 row's too, so that a right total
        // is not reported against a wrong member row (that row is, and the sums are, by
        // the totals rule). A 合计 row that prints a rate but no counts: the members' sums.
        let bySums = false;
        for (let i = 0; i < rated.length; i++) {
          const column = rated[i]!.column;
          if (!e.total || e.subtotal || hasCounts(column, e.row)) check(column, e.row, e.total && !e.subtotal);
          else bySums = true;
        }
        if (bySums) kept.push(e.keep());
      },
      end() {
        for (const t of kept) {
          for (const { column, sums } of rated) if (!hasCounts(column, t)) check(column, t, true, [sums[0](), sums[1]()]);
        }
      },
    };
  },
};

const hasCounts = (column: Column, row: Row) => [ratioOf(column)!.num, ratioOf(column)!.den].every((k) => typeof row.cells[k]?.value === 'bigint');

/** A printed percentage against the counts of its row, or against `sums` for a total row. */
function rateProblem(spec: TableSpec, column: Column, row: Row, total: boolean, sums?: [bigint, bigint]): Problem | undefined {
  const printed = row.cells[column.key]?.value as Percent | null | undefined;
  const ratio = ratioOf(column);
  if (!ratio || !printed || printed.kind !== 'percent') return undefined;
  const { num: numKey, den: denKey, failed } = ratio;
  const counted = sums ? sums[0] : row.cells[numKey]?.value;
  const d = sums ? sums[1] : row.cells[denKey]?.value;
  if (typeof counted !== 'bigint' || typeof d !== 'bigint') return undefined;
  const label = labelColumn(spec.columns);
  const who = label ? row.cells[label.key]?.text : undefined;
  const name = (k: string) => spec.columns.find((c) => c.key === k)!.name;
  const cell = row.cells[column.key]!;
  // No base, no rate: a figure printed there was typed, not computed, and nothing can check it.
  if (d === 0n) {
    return {
      reason: `${who ? `「${who}」的` : ''}「${column.name}」印为 ${cell.text}，但${sums ? '各行合计的' : '这一行的'}「${name(denKey)}」为 0：没有${name(denKey).replace(/数$/, '')}，算不出${column.name}`,
      hint: `核对「${name(denKey)}」；确实为 0 的，这一格留空（并给这一列写 required: false），或删去这一行`,
      rule: 'figures/rate',
    };
  }
  // A rate from failures is the complement: (抽查数 − 不合格数) / 抽查数.
  const n = failed ? d - counted : counted;
  const exact = fraction(n, d);
  const digits = printed.digits;
  if (roundScaled(exact, digits + 2) === roundScaled(printed.value, digits + 2)) return undefined;
  // Truncation is the usual slip: say so when it explains the printed figure.
  const isTruncation = (n * 10n ** BigInt(digits + 2)) / d === roundScaled(printed.value, digits + 2);
  return {
    reason: `${who ? `「${who}」的` : ''}「${column.name}」印为 ${cell.text}，按${failed ? `（「${name(denKey)}」−「${name(numKey)}」）/「${name(denKey)}」` : `「${name(numKey)}」/「${name(denKey)}」`}${sums ? '各行合计 ' : ''}${failed ? `(${d} − ${counted})/${d}` : `${n}/${d}`} = ${toDecimal(fraction(n * 100n, d), Math.max(digits + 3, decidingDecimals(fraction(n * 100n, d), digits, digits + 3)))}% 四舍五入应为 ${formatPercent(exact, digits)}`,
    hint: isTruncation ? `这是截断而非四舍五入的结果；应为 ${formatPercent(exact, digits)}` : '改正百分比或计数',
    rule: 'figures/rate',
    subject: { ...((who?.trim() || total) && { row: who?.trim() || '合计' }), column: { key: column.key, name: column.name }, printed: cell.text, computed: formatPercent(exact, digits) },
  };
}
