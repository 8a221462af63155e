// Geometry of a PDF as poppler reads it: pdftotext -bbox-layout, in millimetres.
import { execFileSync } from 'node:child_process';

export const MM = 72 / 25.4;

export interface Line {
  text: string;
  x0: number;
  x1: number;
  y0: number;
  y1: number;
  /** Box height in pt: tells the face and size apart (16 pt serif ≈ 23 pt). */
  h: number;
}

export interface PdfPage {
  width: number;
  height: number;
  lines: Line[];
}

const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');

export function readPages(file: string): PdfPage[] {
  const xml = execFileSync('pdftotext', ['-bbox-layout', file, '-'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const pages: PdfPage[] = [];
  for (const pm of xml.matchAll(/<page width="([\d.]+)" height="([\d.]+)">([\s\S]*?)<\/page>/g)) {
    const lines: Line[] = [];
    for (const lm of pm[3]!.matchAll(/<line xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([\s\S]*?)<\/line>/g)) {
      const words = [...lm[5]!.matchAll(/<word[^>]*>([^<]*)<\/word>/g)].map((w) => unescape(w[1]!));
      const [x0, y0, x1, y1] = [lm[1], lm[2], lm[3], lm[4]].map((v) => Number(v) / MM) as [number, number, number, number];
      lines.push({ text: words.join(' '), x0, x1, y0, y1, h: (y1 - y0) * MM });
    }
    lines.sort((a, b) => a.y0 - b.y0 || a.x0 - b.x0);
    pages.push({ width: Number(pm[1]) / MM, height: Number(pm[2]) / MM, lines });
  }
  return pages;
}

/** Lines of the type area grouped into rows (same baseline, within 0.7 mm). */
export function rows(page: PdfPage, bottom = 262): Line[][] {
  const out: Line[][] = [];
  for (const l of page.lines.filter((l) => l.y0 < bottom)) {
    const row = out.find((r) => Math.abs(r[0]!.y1 - l.y1) < 0.7);
    if (row) row.push(l);
    else out.push([l]);
  }
  return out;
}

export function pdfinfo(file: string): Record<string, string> {
  const out = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
  return Object.fromEntries(out.split('\n').filter(Boolean).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]));
}

export function pdffonts(file: string): { name: string; type: string; emb: boolean }[] {
  const out = execFileSync('pdffonts', [file], { encoding: 'utf8' }).split('\n').slice(2).filter(Boolean);
  return out.map((l) => {
    const m = /^(\S+)\s+(.+?)\s{2,}(\S+)\s+(yes|no)\s+(yes|no)\s+(yes|no)/.exec(l)!;
    return { name: m[1]!, type: m[2]!, emb: m[4] === 'yes' };
  });
}
