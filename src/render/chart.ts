// A chart drawn on the server as SVG by Apache ECharts (server-side rendering, no DOM, no
// script), then made fit to inline in the page: accessible name and description, ids of its
// own, no hover styles or ECharts metadata. Values and labels come from chart-data.ts.
import { createRequire } from 'node:module';
import type { EChartsOption } from 'echarts';
import type { ChartData } from './chart-data.js';
import { escapeHtml } from './helpers.js';

type Option = EChartsOption;
type ECharts = typeof import('echarts');

let loaded: ECharts | undefined;
/**
 * ECharts, loaded on first use: its single-file CommonJS build loads in about 0.25 s, its
 * ES modules in over 1 s, and a bulletin without charts (or `check`) should pay for neither.
 */
function echarts(): ECharts {
  loaded ??= createRequire(import.meta.url)('echarts') as ECharts;
  return loaded;
}

/** The base size; the page scales the SVG to its column, so text is sized for a phone. */
const WIDTH = 400;
const FONT_SIZE = 14;
/** Resolved by the page's CSS: the screen's 黑体 stack, or the PDF's embedded face. */
const FONT = 'var(--chart-font)';
// Dark marks and ink on white, pale grid lines: they stay apart in grayscale printing.
const INK = '#1a1a1a';
const MARK = '#1d4f91';
const AXIS = '#555555';
const GRID = '#d9d9d9';
const GAP = '#767676';

/** Width of a label as ECharts measures it without a canvas: CJK one em, ASCII about half. */
function textWidth(s: string): number {
  return [...s].reduce((w, c) => w + (c.charCodeAt(0) < 0x2000 ? 0.62 : 1) * FONT_SIZE, 0);
}

/** A count axis on whole, round steps (1, 2, 5 × 10ⁿ), so tick labels are integers. */
function countAxis(max: number, ticks: number): { max: number; interval: number } {
  const target = Math.max(max, 1) / ticks;
  const pow = 10 ** Math.floor(Math.log10(target));
  const step = Math.max(1, [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= target)!);
  return { max: Math.ceil(Math.max(max, 1) / step) * step, interval: step };
}

/** The value axis with about `ticks` steps: a short horizontal axis gets fewer, so labels never touch. */
function valueAxis(data: ChartData, ticks: 5 | 2) {
  const max = Math.max(0, ...data.points.map((p) => p.value?.plot ?? 0));
  const scale = data.unit === 'percent' ? { max: 100, interval: ticks === 5 ? 20 : 50 } : countAxis(max, ticks);
  return {
    type: 'value' as const,
    min: 0,
    ...scale,
    axisLabel: { color: AXIS, fontSize: FONT_SIZE, formatter: (v: number) => (data.unit === 'percent' ? `${Math.round(v)}%` : String(Math.round(v))) },
    splitLine: { lineStyle: { color: GRID } },
  };
}

/** The label printed at a value: the exact figure as the project rounds it. */
const pointText = (p: ChartData['points'][number]) => (p.value ? (p.value.detail ? `${p.value.detail}（${p.value.text}）` : p.value.text) : '');

function seriesOption(data: ChartData): { option: Option; height: number } {
  const height = 300;
  const labels = data.points.map((p) => (p.value ? p.label : `${p.label}\n无数据`));
  const values = data.points.map((p) => p.value?.plot ?? null);
  const texts = data.points.map(pointText);
  const option: Option = {
    grid: { left: 52, right: 20, top: 32, bottom: 56 },
    xAxis: { type: 'category', data: labels, boundaryGap: true, axisLabel: { color: INK, fontSize: FONT_SIZE, interval: 0 }, axisLine: { lineStyle: { color: AXIS } }, axisTick: { alignWithLabel: true } },
    yAxis: valueAxis(data, 5),
    series: [
      // Dashed across periods without data: the direction is shown, no value is invented.
      { type: 'line', data: values, connectNulls: true, showSymbol: false, silent: true, lineStyle: { color: GAP, width: 1.5, type: 'dashed' }, z: 1 },
      {
        type: 'line',
        data: values,
        connectNulls: false,
        symbol: 'circle',
        symbolSize: 9,
        itemStyle: { color: MARK },
        lineStyle: { color: MARK, width: 2.5 },
        label: { show: true, position: 'top', color: INK, fontSize: FONT_SIZE, textBorderWidth: 0, formatter: (p: { dataIndex: number }) => texts[p.dataIndex] ?? '' },
        z: 2,
      },
    ],
  };
  return { option, height };
}

function barsOption(data: ChartData): { option: Option; height: number } {
  const row = data.points.length > 10 ? 24 : 32;
  const top = 12;
  const bottom = 32;
  const height = top + bottom + row * data.points.length;
  const texts = data.points.map(pointText);
  const left = Math.ceil(Math.max(...data.points.map((p) => textWidth(p.label)))) + 12;
  const right = Math.ceil(Math.max(...texts.map(textWidth))) + 14;
  const option: Option = {
    grid: { left, right, top, bottom },
    // Read top to bottom, in the order chart-data chose.
    yAxis: { type: 'category', inverse: true, data: data.points.map((p) => p.label), axisLabel: { color: INK, fontSize: FONT_SIZE, interval: 0 }, axisLine: { lineStyle: { color: AXIS } }, axisTick: { show: false } },
    xAxis: valueAxis(data, WIDTH - left - right >= 240 ? 5 : 2),
    series: [
      {
        type: 'bar',
        data: data.points.map((p) => p.value?.plot ?? null),
        barWidth: Math.round(row * 0.6),
        itemStyle: { color: MARK },
        label: { show: true, position: 'right', color: INK, fontSize: FONT_SIZE, textBorderWidth: 0, formatter: (p: { dataIndex: number }) => texts[p.dataIndex] ?? '' },
      },
    ],
  };
  return { option, height };
}

/** ECharts' SVG made fit to inline: its own ids, its name and description, nothing interactive. */
function inline(svg: string, data: ChartData, prefix: string, height: number): string {
  const body = svg
    .replace(/^<svg[^>]*>/, '')
    .replace(/ ecmeta_[a-z_]+="[^"]*"/g, '')
    .replace(/ class="zr\d+-cls-\d+"/g, '')
    .replace(/ pointer-events="[^"]*"/g, '')
    .replace(/<style\s*>[\s\S]*?<\/style>\s*/g, '')
    .replace(/<defs\s*>/g, '<defs>')
    // zrender numbers its ids per process (zr0-c0): two charts, or two builds, must not depend on that.
    .replace(/\bzr\d+-([a-z]+\d+)\b/g, `${prefix}-$1`)
    .replace(/^<rect width="\d+" height="\d+" x="0" y="0" fill="none"><\/rect>\n?/, '');
  const title = `${prefix}-title`;
  const desc = `${prefix}-desc`;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" role="img" aria-labelledby="${title}" aria-describedby="${desc}">\n` +
    `<title id="${title}">${escapeHtml(data.title)}</title>\n<desc id="${desc}">${escapeHtml(data.description)}</desc>\n` +
    body
  );
}

/** The chart as an SVG element to inline; `prefix` makes its ids unique in the page. */
export function renderChartSvg(data: ChartData, prefix: string): string {
  // The same data draw the same SVG: the preview redraws only the charts whose data changed.
  const key = `${prefix}\u0000${JSON.stringify(data, (_, v) => (typeof v === 'bigint' ? `${v}n` : v))}`;
  const known = drawn.get(key);
  if (known !== undefined) return known;
  const svg = draw(data, prefix);
  if (drawn.size > 32) drawn.clear();
  drawn.set(key, svg);
  return svg;
}

const drawn = new Map<string, string>();

function draw(data: ChartData, prefix: string): string {
  const { option, height } = data.kind === 'series' ? seriesOption(data) : barsOption(data);
  const chart = echarts().init(null, null, { renderer: 'svg', ssr: true, width: WIDTH, height });
  try {
    chart.setOption({ animation: false, textStyle: { fontFamily: FONT, fontSize: FONT_SIZE, color: INK }, ...option });
    return inline(chart.renderToSVGString(), data, prefix, height);
  } finally {
    chart.dispose();
  }
}
