// The long attachment of a print HTML as plain rows, for bench/typst: its head, its columns'
// widths (the colgroup's percents) and alignments (the cells' align-* classes), its rows' text.
const ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", nbsp: '\u00a0' };
const text = (html) => html.replace(/<[^>]*>/g, '').replace(/&(amp|lt|gt|quot|#39|nbsp);/g, (_, e) => ENTITIES[e]);
const cells = (tr) => [...tr.matchAll(/<(td|th)\b([^>]*)>([\s\S]*?)<\/\1>/g)].map((m) => ({ attrs: m[2], text: text(m[3]) }));

/** The first table of `html` with at least `minRows` body rows. */
export function longTableRows(html, minRows) {
  for (const t of html.matchAll(/<table\b[\s\S]*?<\/table>/g)) {
    const table = t[0];
    const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(table)?.[1] ?? '';
    const trs = [...body.matchAll(/<tr\b[^>]*>([\s\S]*?)<\/tr>/g)].map((m) => cells(m[1]));
    if (trs.length < minRows) continue;
    const head = cells(/<thead>([\s\S]*?)<\/thead>/.exec(table)?.[1] ?? '');
    const widths = [...table.matchAll(/<col style="width:([\d.]+)%">/g)].map((m) => Number(m[1]));
    if (widths.length !== head.length) throw new Error('the long table has columns without a width');
    const align = trs[0].map((c) => /align-(left|center|right)/.exec(c.attrs)?.[1] ?? 'left');
    return { head: head.map((c) => c.text), widths, align, rows: trs.map((r) => r.map((c) => c.text)) };
  }
  return null;
}
