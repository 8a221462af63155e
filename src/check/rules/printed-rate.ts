import type { Column, TableSpec } from '../../schema.js';
import type { Percent } from '../../values.js';
import { labelColumn, type Row } from '../../load/rows.js';
import { formatPercent, fraction, roundScaled, toDecimal } from '../../figures/fraction.js';
import type { Problem, RowRule } from '../rule.js';

export const printedRate: RowRule = {
  name: 'printed-rate',
  description: 'A printed percentage (`ratio: [passed, sampled]`) is its row\'s counts rounded half-up; a total row\'s, the sums of the member rows.',
  create({ spec, report, memberSum }) {
    const rated = spec.columns
      .filter((c) => c.type === 'percent' && c.ratio)
      .map((column) => ({ column, sums: [memberSum(column.ratio![0]), memberSum(column.ratio![1])] as const }));
    if (!rated.length) return undefined;
    const kept: Row[] = [];
    const check = (column: Column, row: Row, sums?: [bigint, bigint]) => {
      const problem = rateProblem(spec, column, row, sums);
      if (problem) report(row.cells[column.key]!, problem);
    };
    return {
      row(e) {
        // A subtotal's rate is checked against its own counts, as a member's is.
        if (e.total && !e.subtotal) kept.push(e.keep());
        else for (let i = 0; i < rated.length; i++) check(rated[i]!.column, e.row);
      },
      end() {
        for (const t of kept) for (const { column, sums } of rated) check(column, t, [sums[0](), sums[1]()]);
      },
    };
  },
};

/** A printed percentage against the counts of its row, or against `sums` for a total row. */
function rateProblem(spec: TableSpec, column: Column, row: Row, sums?: [bigint, bigint]): Problem | undefined {
  const printed = row.cells[column.key]?.value as Percent | null | undefined;
  if (!column.ratio || !printed || printed.kind !== 'percent') return undefined;
  const [numKey, denKey] = column.ratio;
  const n = sums ? sums[0] : row.cells[numKey]?.value;
  const d = sums ? sums[1] : row.cells[denKey]?.value;
  if (typeof n !== 'bigint' || typeof d !== 'bigint' || d === 0n) return undefined;
  const exact = fraction(n, d);
  const digits = printed.digits;
  if (roundScaled(exact, digits + 2) === roundScaled(printed.value, digits + 2)) return undefined;
  // Truncation is the usual slip: say so when it explains the printed figure.
  const isTruncation = (n * 10n ** BigInt(digits + 2)) / d === roundScaled(printed.value, digits + 2);
  const label = labelColumn(spec.columns);
  const who = label ? row.cells[label.key]?.text : undefined;
  const name = (k: string) => spec.columns.find((c) => c.key === k)!.name;
  const cell = row.cells[column.key]!;
  return {
    reason: `${who ? `「${who}」的` : ''}「${column.name}」印为 ${cell.text}，按「${name(numKey)}」/「${name(denKey)}」${sums ? `各行合计 ${n}/${d}` : `${n}/${d}`} = ${toDecimal(fraction(n * 100n, d), digits + 3)}% 四舍五入应为 ${formatPercent(exact, digits)}`,
    hint: isTruncation ? `这是截断而非四舍五入的结果；应为 ${formatPercent(exact, digits)}` : '改正百分比或计数',
    rule: 'figures/rate',
  };
}
