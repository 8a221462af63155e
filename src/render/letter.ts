// 信函格式 (GB/T 9704-2012 §10.1): the issuing mark 30 mm from the page's top edge, a red
// double rule (heavy over light) 4 mm under it and another (light over heavy) 20 mm from the
// page's bottom edge, both 170 mm long and centred, and no page number on the first page.
// Chromium clips a page's content to its type area, so the first page's margin is set to
// 30 mm for the mark, and the rules, wider than the type area, are drawn as images in the
// first page's corner margin boxes, whose content is not clipped.

const PAGE_WIDTH = 210;
const RULE = { length: 170, heavy: 0.6, gap: 0.4, light: 0.3 };
const DOUBLE = RULE.heavy + RULE.gap + RULE.light;
/** Left page margin (print.css): where the corner box, and so the image, starts. */
const LEFT = 0;

/** An SVG image, in millimetres, holding one double rule at `top`. */
function ruleImage(height: number, top: number, heavyFirst: boolean): string {
  const x = (PAGE_WIDTH - RULE.length) / 2 - LEFT;
  const [a, b] = heavyFirst ? [RULE.heavy, RULE.light] : [RULE.light, RULE.heavy];
  const rect = (y: number, h: number) => `<rect x='${x}' y='${+y.toFixed(3)}' width='${RULE.length}' height='${h}' fill='%23e60012'/>`;
  const svg = `<svg xmlns='http://www.w3.org/2000/svg' width='${PAGE_WIDTH}mm' height='${+height.toFixed(3)}mm' viewBox='0 0 ${PAGE_WIDTH} ${+height.toFixed(3)}'>${rect(top, a)}${rect(top + a + RULE.gap, b)}</svg>`;
  return `url("data:image/svg+xml,${svg.replace(/</g, '%3C').replace(/>/g, '%3E')}")`;
}

/** The first page's rules for a mark `markMm` high: CSS appended to the print styles. */
export function letterCss(markMm: number): string {
  const upper = 30 + markMm + 4;
  // The lower rule's lower edge 20 mm from the page's bottom; the bottom margin box starts
  // at the type area's bottom, 262 mm from the top.
  const lower = 297 - 20 - DOUBLE - 262;
  const box = 'vertical-align: top; text-align: left; padding: 0; margin: 0;';
  return `@page :first {
  margin-top: 30mm;
  @bottom-right { content: none; }
  @top-left-corner { content: ${ruleImage(upper + DOUBLE, upper, true)}; ${box} }
  @bottom-left-corner { content: ${ruleImage(lower + DOUBLE, lower, false)}; ${box} }
}
`;
}
