// The chart declarations of bulletin.yaml checked against the tables they name: every table
// and column a chart reads must exist and hold the kind of value the chart draws.
import type { Bulletin, Chart, Column, TableSpec } from '../schema.js';
import { labelColumn } from './rows.js';

export interface ChartProblem {
  /** Path in bulletin.yaml of the offending value. */
  path: (string | number)[];
  reason: string;
  hint?: string;
}

const NUMERIC: readonly Column['type'][] = ['percent', 'count', 'integer'];

/** The table a chart reads, among the declared tables and attachments. */
export function chartTable(bulletin: Bulletin, chart: Chart): TableSpec | undefined {
  return [...bulletin.tables, ...bulletin.attachments].find((t) => t.id === chart.table);
}

/** The column a chart draws its categories from: the named one, else the table's label column. */
export function chartLabelColumn(spec: TableSpec, chart: Chart): Column | undefined {
  const named = chart.kind === 'series' ? chart.x : chart.kind === 'bars' ? chart.label : undefined;
  return named ? spec.columns.find((c) => c.key === named) : labelColumn(spec.columns);
}

export function chartProblems(bulletin: Bulletin): ChartProblem[] {
  const problems: ChartProblem[] = [];
  const ids = new Set<string>();
  const tableIds = [...bulletin.tables, ...bulletin.attachments].map((t) => t.id);
  bulletin.charts.forEach((chart, i) => {
    const at = (sub: (string | number)[], reason: string, hint?: string) =>
      problems.push({ path: ['charts', i, ...sub], reason: `图表「${chart.id}」${reason}`, ...(hint && { hint }) });
    if (ids.has(chart.id)) at(['id'], '的 id 重复', '每个图表的 id 应各不相同');
    ids.add(chart.id);

    if (chart.kind === 'series' && chart.table === undefined) {
      // Drawn from the year's periods (check/ says whether the figure exists).
      if (!chart.figure) at([], '没有数据来源', '写 table 和 value（从表格取值），或写 figure（取年内各期自己的数字）');
      if (chart.x || chart.value) at([chart.x ? 'x' : 'value'], '没有写 table，x 和 value 无从读取', '写上 table，或删去 x 和 value');
      return;
    }
    const spec = chartTable(bulletin, chart);
    if (!spec) {
      at(['table'], `的数据来源「${chart.table}」不是已声明的表格`, tableIds.length ? `可用的表格：${tableIds.join('、')}` : '先在 tables 或 attachments 中声明表格');
      return;
    }
    const keys = spec.columns.map((c) => c.key);
    const column = (sub: (string | number)[], key: string) => {
      const c = spec.columns.find((x) => x.key === key);
      if (!c) at(sub, `指向表格「${spec.id}」中不存在的列「${key}」`, `可用的列：${keys.join('、')}`);
      return c;
    };

    if (chart.kind === 'series' || chart.kind === 'bars') {
      const labelKey = chart.kind === 'series' ? chart.x : chart.label;
      if (labelKey) column([chart.kind === 'series' ? 'x' : 'label'], labelKey);
      else if (!labelColumn(spec.columns)) at(['table'], `的表格「${spec.id}」没有文字列或地区列可作分项名称`, `用 ${chart.kind === 'series' ? 'x' : 'label'} 指明名称所在的列`);
      if (!chart.value) {
        at([], `没有写 value：表格「${spec.id}」中数值所在的列`, `可用的数值列：${spec.columns.filter((c) => NUMERIC.includes(c.type)).map((c) => c.key).join('、') || '无'}`);
        return;
      }
      const value = column(['value'], chart.value);
      if (value && !NUMERIC.includes(value.type)) {
        const numeric = spec.columns.filter((c) => NUMERIC.includes(c.type)).map((c) => c.key);
        at(['value'], `的数值列「${chart.value}」是 ${value.type} 列，不是数值`, numeric.length ? `可用的数值列：${numeric.join('、')}` : '数值列的 type 应为 percent、count 或 integer');
      }
    } else {
      const checks = spec.columns.filter((c) => c.type === 'check');
      if (chart.columns) {
        chart.columns.forEach((k, j) => {
          const c = column(['columns', j], k);
          if (c && c.type !== 'check') at(['columns', j], `的列「${k}」不是勾选列（type: check）`, checks.length ? `可用的勾选列：${checks.map((x) => x.key).join('、')}` : undefined);
        });
      } else if (checks.length === 0) {
        at(['table'], `的表格「${spec.id}」没有勾选列（type: check）`, 'coverage 图只能画勾选矩阵');
      }
    }
  });
  return problems;
}
