// Filled rectangles as a PDF draws them, read from its content streams (qpdf --qdf writes them
// uncompressed): the rules of the 版头 and 版记 are boxes or stroked lines, whose width the
// operators give exactly, where a raster would round it.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface Rule {
  /** Page coordinates in mm, from the top left. */
  x0: number;
  x1: number;
  y0: number;
  y1: number;
  /** Fill or stroke colour, 0–1. */
  rgb: [number, number, number];
}

const MM = 25.4 / 72;
type Matrix = [number, number, number, number, number, number];
const mul = (m: Matrix, n: Matrix): Matrix => [
  m[0] * n[0] + m[1] * n[2],
  m[0] * n[1] + m[1] * n[3],
  m[2] * n[0] + m[3] * n[2],
  m[2] * n[1] + m[3] * n[3],
  m[4] * n[0] + m[5] * n[2] + n[4],
  m[4] * n[1] + m[5] * n[3] + n[5],
];
const apply = (m: Matrix, x: number, y: number): [number, number] => [m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]];

/** Every page's axis-aligned filled rectangles and straight horizontal or vertical strokes, as boxes. */
export function pdfRules(pdf: string): Rule[][] {
  const q = path.join(mkdtempSync(path.join(tmpdir(), 'tongbao-qdf-')), 'q.pdf');
  execFileSync('qpdf', ['--qdf', '--object-streams=disable', pdf, q]);
  const text = readFileSync(q, 'latin1');
  const objects = new Map<number, { dict: string; stream?: string }>();
  for (const m of text.matchAll(/^(\d+) 0 obj\n([\s\S]*?)\nendobj$/gm)) {
    const body = m[2]!;
    const s = /^([\s\S]*?)\nstream\n([\s\S]*?)\nendstream$/.exec(body);
    objects.set(Number(m[1]), s ? { dict: s[1]!, stream: s[2]! } : { dict: body });
  }
  // qpdf writes pages in object order, each after a comment naming its page number.
  const pageNums = [...text.matchAll(/^%% Page (\d+)\n%% Original object ID: .*\n(\d+) 0 obj/gm)]
    .sort((a, b) => Number(a[1]) - Number(b[1]))
    .map((m) => Number(m[2]));
  const deref = (s: string): string => {
    const r = /^\s*(\d+) 0 R\s*$/.exec(s);
    return r ? objects.get(Number(r[1]))!.dict : s;
  };
  /** The /XObject names of a resources dictionary and their object numbers. */
  const xobjects = (dict: string): Map<string, number> => {
    const res = /\/Resources\s+(\d+ 0 R|<<[\s\S]*)/.exec(dict);
    const out = new Map<string, number>();
    if (!res) return out;
    const rd = deref(res[1]!.startsWith('<<') ? res[1]! : res[1]!);
    const xo = /\/XObject\s+(\d+ 0 R|<<[^>]*>>)/.exec(rd);
    if (!xo) return out;
    for (const e of deref(xo[1]!).matchAll(/\/([\w.+-]+)\s+(\d+) 0 R/g)) out.set(e[1]!, Number(e[2]));
    return out;
  };
  return pageNums.map((n) => {
    const page = objects.get(n)!.dict;
    const height = Number(/\/MediaBox\s*\[\s*[\d.]+\s+[\d.]+\s+[\d.]+\s+([\d.]+)/.exec(page)![1]);
    const rules: Rule[] = [];
    const run = (content: string, names: Map<string, number>, start: Matrix, depth: number) => {
      let ctm = start;
      let fill: [number, number, number] = [0, 0, 0];
      let stroke: [number, number, number] = [0, 0, 0];
      let lineWidth = 1;
      const saved: { ctm: Matrix; fill: typeof fill; stroke: typeof stroke; lineWidth: number }[] = [];
      let rects: [number, number, number, number][] = [];
      let segments: [number, number, number, number][] = [];
      let at: [number, number] = [0, 0];
      let curved = false;
      const ops: (string | number)[] = [];
      const box = (pts: [number, number][], rgb: [number, number, number]) => {
        const xs = pts.map((p) => p[0]);
        const ys = pts.map((p) => height - p[1]);
        rules.push({ x0: Math.min(...xs) * MM, x1: Math.max(...xs) * MM, y0: Math.min(...ys) * MM, y1: Math.max(...ys) * MM, rgb });
      };
      const tokens = content.replace(/\((?:\\.|[^\\)])*\)|<[0-9A-Fa-f\s]*>|\[|\]/g, ' ').split(/\s+/).filter(Boolean);
      for (const t of tokens) {
        if (/^[-+]?(\d+\.?\d*|\.\d+)$/.test(t)) {
          ops.push(Number(t));
          continue;
        }
        if (t.startsWith('/')) {
          ops.push(t);
          continue;
        }
        const nums = ops.filter((o): o is number => typeof o === 'number');
        const last = (k: number) => nums.slice(-k);
        switch (t) {
          case 'q': saved.push({ ctm, fill, stroke, lineWidth }); break;
          case 'Q': ({ ctm, fill, stroke, lineWidth } = saved.pop() ?? { ctm, fill, stroke, lineWidth }); break;
          case 'cm': ctm = mul(last(6) as Matrix, ctm); break;
          case 'w': lineWidth = last(1)[0]!; break;
          case 'rg': fill = last(3) as [number, number, number]; break;
          case 'RG': stroke = last(3) as [number, number, number]; break;
          case 'g': fill = [last(1)[0]!, last(1)[0]!, last(1)[0]!]; break;
          case 'G': stroke = [last(1)[0]!, last(1)[0]!, last(1)[0]!]; break;
          case 're': rects.push(last(4) as [number, number, number, number]); break;
          case 'm': at = last(2) as [number, number]; break;
          case 'l': { const [x, y] = last(2) as [number, number]; segments.push([at[0], at[1], x, y]); at = [x, y]; break; }
          case 'c': case 'v': case 'y': curved = true; break;
          case 'f': case 'f*': case 'F': case 'B': case 'B*':
            if (!curved) for (const [x, y, w, h] of rects) box([apply(ctm, x, y), apply(ctm, x + w, y + h)], fill);
            rects = []; segments = []; curved = false; break;
          case 'S': case 's':
            // A straight stroke: its box is the segment widened by the line width across it.
            for (const [x0, y0, x1, y1] of curved ? [] : segments) {
              const half = lineWidth / 2;
              if (y0 === y1) box([apply(ctm, x0, y0 - half), apply(ctm, x1, y1 + half)], stroke);
              else if (x0 === x1) box([apply(ctm, x0 - half, y0), apply(ctm, x1 + half, y1)], stroke);
            }
            rects = []; segments = []; curved = false; break;
          case 'n': rects = []; segments = []; curved = false; break;
          case 'Do': {
            const name = String(ops.at(-1)).slice(1);
            const num = names.get(name);
            const xo = num === undefined ? undefined : objects.get(num);
            if (xo?.stream !== undefined && /\/Subtype\s*\/Form/.test(xo.dict) && depth < 8) {
              const m = /\/Matrix\s*\[([^\]]*)\]/.exec(xo.dict);
              const matrix = (m ? m[1]!.trim().split(/\s+/).map(Number) : [1, 0, 0, 1, 0, 0]) as Matrix;
              run(xo.stream, xobjects(xo.dict), mul(matrix, ctm), depth + 1);
            }
            break;
          }
        }
        ops.length = 0;
      }
    };
    const contents = /\/Contents\s+(\[[^\]]*\]|\d+ 0 R)/.exec(page)![1]!;
    const stream = [...contents.matchAll(/(\d+) 0 R/g)].map((m) => objects.get(Number(m[1]))!.stream ?? '').join('\n');
    run(stream, xobjects(page), [1, 0, 0, 1, 0, 0], 0);
    return rules;
  });
}

/**
 * The page number's trailing 一字线 on page `p` (1-based): its stroke's top and bottom in mm from
 * the sheet's top, read from a 600 dpi raster of the strip under the type area (the dash alone:
 * the last 2 mm of the number's dark pixels), or undefined when the page has no number.
 */
export function pageNumberDash(pdf: string, p: number): { top: number; bottom: number } | undefined {
  const dpi = 600;
  const mm = dpi / 25.4;
  const from = 263; // below the type area's edge (262 mm) and any rule on it
  const strip = execFileSync('pdftoppm', ['-r', `${dpi}`, '-gray', '-f', `${p}`, '-l', `${p}`, '-y', `${Math.round(from * mm)}`, '-H', `${Math.round(15 * mm)}`, '-x', '0', '-W', `${Math.round(210 * mm)}`, pdf], { maxBuffer: 1 << 26 });
  const head = /^P5\s+(\d+)\s+(\d+)\s+255\s/.exec(strip.toString('latin1', 0, 40))!;
  const [w, h] = [Number(head[1]), Number(head[2])];
  const px = strip.subarray(head[0].length);
  const dark = (x: number, y: number) => px[y * w + x]! < 128;
  let right = -1;
  for (let y = 0; y < h; y++) for (let x = w - 1; x > right; x--) if (dark(x, y)) right = x;
  if (right < 0) return undefined;
  let top = -1;
  let bottom = -1;
  for (let y = 0; y < h; y++) for (let x = right - Math.round(2 * mm); x <= right; x++) if (dark(x, y)) {
    if (top < 0) top = y;
    bottom = y + 1;
  }
  return { top: from + top / mm, bottom: from + bottom / mm };
}
