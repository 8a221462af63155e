// A trend chart's figure against the periods' own: a series chart that names `figure:` draws
// each period's own value of it, and when it also names a hand-typed history table, every row
// of that table is checked against the period it names, whose data the workspace holds.
import { heldTable, type LoadedBulletin } from '../load/bulletin.js';
import { placeOf } from '../load/yaml.js';
import { namingColumns, rowKind, type Cell } from '../load/rows.js';
import type { Message } from '../messages.js';
import { PERIOD_PATTERN } from '../schema.js';
import { agrees, display, displayBeside, faultyHint, faultyUse, type Figure, type FigureValue } from '../figures/figure.js';

type FiguresOf = (period: string) => Promise<ReadonlyMap<string, Figure> | undefined>;

export async function historyTableProblems(loaded: LoadedBulletin, current: ReadonlyMap<string, Figure>, figuresOf: FiguresOf): Promise<Message[]> {
  const b = loaded.bulletin;
  const messages: Message[] = [];
  for (const [i, chart] of b.charts.entries()) {
    if (chart.kind !== 'series' || !chart.figure) continue;
    const own = current.get(chart.figure);
    if (chart.table === undefined && !current.has(`year.${chart.figure}.series`)) {
      messages.push({
        severity: 'error',
        file: loaded.source.file,
        ...placeOf(loaded.source, ['charts', i, 'figure']),
        reason: own
          ? `图表「${chart.id}」的 figure「${chart.figure}」不是数量或比例，画不成折线`
          : `图表「${chart.id}」的 figure「${chart.figure}」不是本期的数字${current.has('year.periods') ? '' : `（${b.period} 不分季度、半年或月，没有年内各期）`}`,
        hint: b.tables.concat(b.attachments).some((t) => t.id === chart.figure!.split('.')[0])
          ? `表格「${chart.figure.split('.')[0]}」没有数据或有错误时算不出这个数字：先改正表格；名称写错时运行 tongbao stats 查看`
          : '运行 tongbao stats 查看数字的名称，如 districts.passed.rate',
        rule: 'bulletin/bad-reference',
      });
      continue;
    }
    const series = current.get(`year.${chart.figure}.series`);
    if (chart.table === undefined && series?.faulty) {
      messages.push({ severity: 'error', file: loaded.source.file, ...placeOf(loaded.source, ['charts', i, 'figure']), reason: `图表「${chart.id}」：${faultyUse(series)}`, hint: faultyHint(series), rule: 'figures/faulty-period' });
      continue;
    }
    if (chart.table === undefined || !chart.x || !chart.value) continue;
    const table = heldTable(loaded, chart.table);
    if (!table) continue;
    const naming = namingColumns(table.spec.columns);
    for (const row of table.rows) {
      if (rowKind(row, naming) !== 'member') continue;
      const x = row.cells[chart.x];
      const v = row.cells[chart.value];
      const period = x && periodOf(x.text, b.period);
      const typed = v && typedValue(v);
      if (!period || !typed) continue;
      const figures = period === b.period ? current : await figuresOf(period);
      const exact = figures?.get(chart.figure);
      if (!exact || agrees(typed, exact.value)) continue;
      messages.push({
        severity: 'error',
        file: table.file,
        line: v.line,
        column: v.column,
        reason: `${period} 的「${table.spec.columns.find((c) => c.key === chart.value)?.name}」写的是 ${v.text}，但 ${period} 自己的数据算出 ${chart.figure} = ${displayBeside(exact.value, typed)}`,
        hint: `改正表格；或删去 table，让图表「${chart.id}」直接取各期自己的数字`,
        rule: 'figures/history',
        subject: { row: x.text, column: { key: chart.value, name: table.spec.columns.find((c) => c.key === chart.value)?.name ?? chart.value }, printed: v.text, computed: typed.type === 'share' && exact.value.type === 'share' ? display(exact.value, typed.digits) : display(exact.value) },
      });
    }
  }
  return messages;
}

/** The period a history row names: 2016Q1, or 第一季度 / 一季度 / 上半年 in the bulletin's year. */
export function periodOf(text: string, bulletinPeriod: string): string | undefined {
  const t = text.replace(/\s+/g, '');
  if (PERIOD_PATTERN.test(t)) return t;
  const year = bulletinPeriod.slice(0, 4);
  const q = /^(?:(\d{4})年)?第?([一二三四1-4])季度$/.exec(t);
  if (q) return `${q[1] ?? year}Q${'一二三四'.includes(q[2]!) ? '一二三四'.indexOf(q[2]!) + 1 : q[2]}`;
  const h = /^(?:(\d{4})年)?([上下])半年$/.exec(t);
  if (h) return `${h[1] ?? year}H${h[2] === '上' ? 1 : 2}`;
  const m = /^(?:(\d{4})年)?(\d{1,2})月$/.exec(t);
  if (m && Number(m[2]) >= 1 && Number(m[2]) <= 12) return `${m[1] ?? year}-${m[2]!.padStart(2, '0')}`;
  return undefined;
}

function typedValue(cell: Cell): FigureValue | undefined {
  const v = cell.value;
  if (typeof v === 'bigint') return { type: 'integer', value: v };
  if (v && typeof v === 'object' && v.kind === 'percent') return { type: 'share', value: v.value, digits: v.digits };
  return undefined;
}
