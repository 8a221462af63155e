// Figures that must agree: a reported figure and the one computed from a table, a total row
// and the sum of its parts, a printed rate and the counts it is a rate of.
import type { Message } from '../messages.js';
import type { Column, ReportedFigure, TableSpec } from '../schema.js';
import { cellPlace, type Row, type Table } from '../load/table.js';
import type { YamlSource } from '../load/yaml.js';
import { placeOf } from '../load/yaml.js';
import type { Percent } from '../values.js';
import { formatPercent, fraction, roundScaled, toDecimal } from './fraction.js';
import { agrees, display, type Figure } from './figure.js';
import { isTotalRow, labelColumn } from './compute.js';

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

/** Total rows (合计) against the sum of their parts, and printed rates against their counts. */
export function checkTables(tables: Iterable<Table>): Message[] {
  const messages: Message[] = [];
  for (const table of tables) {
    if (table.summary) {
      messages.push(...table.summary.consistency); // checked row by row as it streamed
      continue;
    }
    const members = table.rows.filter((r) => !isTotalRow(r));
    const totals = table.rows.filter(isTotalRow);
    const at = (row: Row, key: string, reason: string, hint: string, rule: string) => {
      const cell = row.cells[key]!;
      messages.push({ severity: 'error', ...cellPlace(table.file, cell), reason, hint, rule });
    };

    for (const column of table.spec.columns) {
      if (column.type === 'count') {
        const sum = members.reduce((a, r) => a + (typeof r.cells[column.key]?.value === 'bigint' ? (r.cells[column.key]!.value as bigint) : 0n), 0n);
        for (const t of totals) {
          const v = t.cells[column.key]?.value;
          if (typeof v === 'bigint' && v !== sum) {
            at(t, column.key, `合计行的「${column.name}」为 ${v}，各行之和为 ${sum}`, `核对合计或各行的数字（第 ${members[0]?.line ?? ''}–${members.at(-1)?.line ?? ''} 行）`, 'figures/total');
          }
        }
      }
      if (column.type === 'percent' && column.ratio) {
        const sumOf = (k: string) => members.reduce((a, r) => a + (typeof r.cells[k]?.value === 'bigint' ? (r.cells[k]!.value as bigint) : 0n), 0n);
        const [numKey, denKey] = column.ratio;
        for (const row of table.rows) {
          const total = isTotalRow(row);
          const problem = printedRateProblem(table.file, table.spec, column, row, total, total ? [sumOf(numKey), sumOf(denKey)] : undefined);
          if (problem) messages.push(problem);
        }
      }
    }
  }
  return messages;
}

/**
 * A printed percentage against the counts it is a rate of (`ratio: [passed, sampled]`), for
 * tables in memory and streamed ones alike. A total row passes the sums of the member rows.
 */
export function printedRateProblem(
  file: string,
  spec: TableSpec,
  column: Column,
  row: Row,
  total: boolean,
  sums?: [bigint, bigint],
): Message | undefined {
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
    severity: 'error',
    ...cellPlace(file, cell),
    reason: `${who ? `「${who}」的` : ''}「${column.name}」印为 ${cell.text}，按「${name(numKey)}」/「${name(denKey)}」${total ? `各行合计 ${n}/${d}` : `${n}/${d}`} = ${toDecimal(fraction(n * 100n, d), digits + 3)}% 四舍五入应为 ${formatPercent(exact, digits)}`,
    hint: isTruncation ? `这是截断而非四舍五入的结果；应为 ${formatPercent(exact, digits)}` : '改正百分比或计数',
    rule: 'figures/rate',
  };
}
