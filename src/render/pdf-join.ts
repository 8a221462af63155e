// Join the PDFs of a sliced print into one document. The first slice (the document's head
// and the table's first pages) is kept byte for byte; the later slices' objects are appended
// to it, renumbered, as one incremental update (ISO 32000-1 §7.5.6) that also rewrites the
// few objects of the first slice that change: the page tree, the tag tree's spine, the
// parent tree, the id tree and the outline.
//
// Each later slice was printed from the same head, so its tag tree repeats the first slice's
// spine (document → … → table) and the table's header row, with its own rows below the table
// and, in the last slice, what follows the table beside the spine. Those shared elements are
// mapped onto the first slice's own; whatever they hold on the new pages is added to them.
//
// pdf-lib did this in 22 s for a 20,000-row table (it parses and rewrites every object);
// Chromium's files are regular enough to be joined as text in a fraction of that.
import { arrayItems, dict, dictEntries, readObject, readPdf, refOf, rewrite, type PdfFile } from './pdf-syntax.js';

export class JoinError extends Error {
  constructor(reason: string) {
    super(`拼接分段打印的 PDF 失败：${reason}`);
    this.name = 'JoinError';
  }
}

interface Elem {
  n: number;
  entries: Map<string, string>;
  kids: string[];
}

/** A struct element (or any dictionary object) and its /K items. */
function elem(f: PdfFile, n: number): Elem {
  const entries = dictEntries(readObject(f, n).value);
  return { n, entries, kids: arrayItems(entries.get('K')) };
}

const isElement = (f: PdfFile, item: string) => {
  const n = refOf(item);
  return n !== undefined && /\/Type\s*\/StructElem\b/.test(readObject(f, n).value);
};

/** From the document element down to the table, by the first or the last element kid. */
function spine(f: PdfFile, root: Elem, pick: 'first' | 'last'): Elem[] | undefined {
  const out: Elem[] = [];
  let at = root.kids.find((k) => isElement(f, k));
  for (let depth = 0; at !== undefined && depth < 64; depth++) {
    const e = elem(f, refOf(at)!);
    out.push(e);
    if (e.entries.get('S') === '/Table') return out;
    const els = e.kids.filter((k) => isElement(f, k));
    at = pick === 'first' ? els[0] : els.at(-1);
  }
  return undefined;
}

/** Pair a slice's element subtree with the base's, position by position. */
function pairTrees(f: PdfFile, a: Elem, base: PdfFile, b: Elem, out: [Elem, Elem][]): boolean {
  if (a.entries.get('S') !== b.entries.get('S')) return false;
  out.push([a, b]);
  const ak = a.kids.filter((k) => isElement(f, k));
  const bk = b.kids.filter((k) => isElement(base, k));
  if (ak.length !== bk.length) return false;
  return ak.every((k, i) => pairTrees(f, elem(f, refOf(k)!), base, elem(base, refOf(bk[i]!)!), out));
}

/** Entries of a number tree (/Nums) or name tree (/Names), /Kids followed. */
function treeEntries(f: PdfFile, n: number | undefined, key: 'Nums' | 'Names', out: [string, string][] = []): [string, string][] {
  if (n === undefined) return out;
  const e = dictEntries(readObject(f, n).value);
  const items = arrayItems(e.get(key));
  for (let i = 0; i + 1 < items.length; i += 2) out.push([items[i]!, items[i + 1]!]);
  for (const kid of arrayItems(e.get('Kids'))) treeEntries(f, refOf(kid), key, out);
  return out;
}

/** Objects of a tree made of /Kids (page tree nodes, number and name tree nodes). */
function treeNodes(f: PdfFile, n: number | undefined, out: number[] = []): number[] {
  if (n === undefined) return out;
  out.push(n);
  const e = dictEntries(readObject(f, n).value);
  if (e.get('Type') === '/Page') return out;
  for (const kid of arrayItems(e.get('Kids'))) {
    const k = refOf(kid)!;
    if (dictEntries(readObject(f, k).value).get('Type') !== '/Page') treeNodes(f, k, out);
  }
  return out;
}

/** The level of an outline entry: that of the heading it points to (/SE), H1 if none. */
const headingLevel = (read: (n: number) => string, item: Map<string, string>) => {
  const se = refOf(item.get('SE'));
  const m = se !== undefined ? /\/S\s*\/H(\d)\b/.exec(read(se)) : null;
  return m ? Number(m[1]) : 1;
};

export function joinPdfs(parts: readonly Uint8Array[]): Buffer {
  if (parts.length === 1) return Buffer.from(parts[0]!);
  const base = readPdf(Buffer.from(parts[0]!.buffer, parts[0]!.byteOffset, parts[0]!.byteLength));
  /** New or rewritten objects of the update, by number. */
  const out = new Map<number, string | Buffer>();
  let next = base.size;
  const catalog = dictEntries(readObject(base, base.root).value);
  const pagesRoot = refOf(catalog.get('Pages'))!;
  const pages = dictEntries(readObject(base, pagesRoot).value);
  const pageKids = arrayItems(pages.get('Kids'));
  let pageCount = Number(pages.get('Count'));

  const structRoot = refOf(catalog.get('StructTreeRoot'));
  const sr = structRoot !== undefined ? dictEntries(readObject(base, structRoot).value) : undefined;
  const baseSpine = sr ? spine(base, elem(base, structRoot!), 'last') : undefined;
  if (sr && !baseSpine) throw new JoinError('第一段的标签树中找不到表格');
  const baseTable = baseSpine?.at(-1);
  const baseHead = baseTable?.kids.find((k) => isElement(base, k));
  const parentTree = sr ? treeEntries(base, refOf(sr.get('ParentTree')), 'Nums').map(([k, v]) => [Number(k), v] as [number, string]) : [];
  const idTree = sr ? treeEntries(base, refOf(sr.get('IDTree')), 'Names') : [];
  let nextKey = Math.max(Number(sr?.get('ParentTreeNextKey') ?? 0), ...parentTree.map(([k]) => k + 1));
  /** Base elements that gain kids, by number. */
  const grown = new Map<number, Elem>();
  const outline = outlineGrafter(catalog, () => next++, (n) => {
    // Objects of the update are read from it, the others from the base.
    const o = out.get(n);
    return o === undefined ? readObject(base, n).value : o.toString('latin1').replace(/^\d+ 0 obj\n/, '');
  });
  // Fresh structure ids for later slices, above any id a renderer gives.
  let freshId = 90_000_000;

  for (const bytes of parts.slice(1)) {
    const f = readPdf(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    const cat = dictEntries(readObject(f, f.root).value);
    const map = new Map<number, string>();
    const skip = new Set<number>([f.root]);
    if (f.info !== undefined) skip.add(f.info);
    const offset = nextKey;
    let maxKey = -1;

    // Shared elements: the spine and the header row stand for the base's own.
    const fsr = refOf(cat.get('StructTreeRoot'));
    const ids = new Map<string, string>();
    const shared: [Elem, Elem][] = [];
    if (fsr !== undefined && sr) {
      const s = spine(f, elem(f, fsr), 'first');
      if (!s || s.length !== baseSpine!.length || s.some((e, i) => e.entries.get('S') !== baseSpine![i]!.entries.get('S'))) {
        throw new JoinError('后续分段的标签树与第一段不一致');
      }
      s.forEach((e, i) => shared.push([e, baseSpine![i]!]));
      const head = s.at(-1)!.kids.find((k) => isElement(f, k));
      if (head && baseHead && !pairTrees(f, elem(f, refOf(head)!), base, elem(base, refOf(baseHead)!), shared)) {
        throw new JoinError('后续分段的表头与第一段不一致');
      }
      for (const [a, b] of shared) {
        map.set(a.n, `${b.n} 0 R`);
        skip.add(a.n);
        const ai = a.entries.get('ID');
        const bi = b.entries.get('ID');
        if (ai && bi) ids.set(ai, bi);
      }
      const fe = dictEntries(readObject(f, fsr).value);
      skip.add(fsr);
      for (const n of treeNodes(f, refOf(fe.get('ParentTree')))) skip.add(n);
      for (const n of treeNodes(f, refOf(fe.get('IDTree')))) skip.add(n);
    }
    const fOutlines = refOf(cat.get('Outlines'));
    if (fOutlines !== undefined) skip.add(fOutlines);
    const fPages = refOf(cat.get('Pages'))!;

    // Every other object gets the next free number.
    for (let n = 1; n < f.offsets.length; n++) {
      if (f.offsets[n] && !skip.has(n)) map.set(n, `${next++} 0 R`);
    }
    const ref = (n: number) => map.get(n) ?? 'null';
    const id = (s: string) => {
      let v = ids.get(s);
      if (!v) ids.set(s, (v = `(node${String(freshId++)})`));
      return v;
    };
    for (let n = 1; n < f.offsets.length; n++) {
      if (!f.offsets[n] || skip.has(n)) continue;
      const o = readObject(f, n);
      let value = rewrite(o.value, ref, id).replace(/\/(StructParents?) (\d+)/g, (_, k: string, v: string) => {
        maxKey = Math.max(maxKey, Number(v));
        return `/${k} ${Number(v) + offset}`;
      });
      if (n === fPages) value = value.replace(/>>\s*$/, `\n/Parent ${pagesRoot} 0 R>>`);
      const num = refOf(map.get(n))!;
      out.set(num, o.stream ? Buffer.concat([Buffer.from(`${num} 0 obj\n${value}\n`, 'latin1'), f.bytes.subarray(o.stream[0], o.stream[1]), Buffer.from('\nendobj\n')]) : `${num} 0 obj\n${value}\nendobj\n`);
    }
    pageKids.push(map.get(fPages)!);
    pageCount += Number(dictEntries(readObject(f, fPages).value).get('Count'));

    // What the shared elements hold on these pages goes to their base counterparts.
    const sharedNums = new Set(shared.map(([a]) => a.n));
    for (const [a, b] of shared) {
      const into = grown.get(b.n) ?? b;
      grown.set(b.n, into);
      const page = a.entries.get('Pg');
      for (const k of a.kids) {
        const n = refOf(k);
        if (n !== undefined && sharedNums.has(n)) continue;
        if (/^\d+$/.test(k)) {
          // A bare id refers to the element's own page, which is not the base's.
          if (page) into.kids.push(`<</Type /MCR\n/Pg ${rewrite(page, ref)}\n/MCID ${k}>>`);
        } else into.kids.push(rewrite(k, ref, id));
      }
    }
    if (fsr !== undefined && sr) {
      const fe = dictEntries(readObject(f, fsr).value);
      for (const [k, v] of treeEntries(f, refOf(fe.get('ParentTree')), 'Nums')) {
        parentTree.push([Number(k) + offset, rewrite(v, ref, id)]);
        maxKey = Math.max(maxKey, Number(k));
      }
      const sharedIds = new Set(shared.map(([a]) => a.entries.get('ID')));
      for (const [k, v] of treeEntries(f, refOf(fe.get('IDTree')), 'Names')) {
        // The base lists its own ids; an id no copied object carries is not listed.
        if (sharedIds.has(k) || !ids.has(k)) continue;
        idTree.push([ids.get(k)!, rewrite(v, ref)]);
      }
      nextKey = offset + maxKey + 1;
    }

    // Outline entries of headings on these pages (what follows the table).
    if (fOutlines !== undefined) {
      for (let item = refOf(dictEntries(readObject(f, fOutlines).value).get('First')); item !== undefined; ) {
        const own = dictEntries(readObject(f, item).value);
        const num = refOf(map.get(item))!;
        const text = out.get(num) as string;
        const entries = dictEntries(text.slice(text.indexOf('<<')));
        entries.delete('Next');
        entries.delete('Prev');
        outline.graft(num, entries, headingLevel((n) => readObject(f, n).value, own));
        item = refOf(own.get('Next'));
      }
    }
  }

  // The base's objects that change.
  pages.set('Kids', `[${pageKids.join(' ')}]`);
  pages.set('Count', String(pageCount));
  out.set(pagesRoot, `${pagesRoot} 0 obj\n${dict(pages)}\nendobj\n`);
  for (const e of grown.values()) {
    e.entries.set('K', `[${e.kids.join(' ')}]`);
    out.set(e.n, `${e.n} 0 obj\n${dict(e.entries)}\nendobj\n`);
  }
  if (sr) {
    const pt = next++;
    out.set(pt, `${pt} 0 obj\n<</Nums [${parentTree.sort((a, b) => a[0] - b[0]).map(([k, v]) => `${k} ${v}`).join(' ')}]>>\nendobj\n`);
    sr.set('ParentTree', `${pt} 0 R`);
    sr.set('ParentTreeNextKey', String(nextKey));
    if (idTree.length) {
      const it = next++;
      out.set(it, `${it} 0 obj\n<</Names [${idTree.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([k, v]) => `${k} ${v}`).join(' ')}]>>\nendobj\n`);
      sr.set('IDTree', `${it} 0 R`);
    }
    out.set(structRoot!, `${structRoot} 0 obj\n${dict(sr)}\nendobj\n`);
  }
  for (const [n, e] of outline.finish()) out.set(n, `${n} 0 obj\n${dict(e)}\nendobj\n`);
  if (outline.created) out.set(base.root, `${base.root} 0 obj\n${dict(catalog)}\nendobj\n`);
  return update(base, out, next);
}

/**
 * Hang outline entries as Chromium nests them: under the last entry of a lower heading
 * level. Entries touched are collected with their counts redone (every entry open).
 */
function outlineGrafter(catalog: Map<string, string>, newObject: () => number, read: (n: number) => string) {
  const items = new Map<number, Map<string, string>>();
  const levels = new Map<number, number>();
  let root = refOf(catalog.get('Outlines'));
  let created = false;
  const get = (n: number) => {
    let e = items.get(n);
    if (!e) items.set(n, (e = dictEntries(read(n))));
    return e;
  };
  const level = (n: number) => levels.get(n) ?? headingLevel(read, get(n));
  const count = (n: number): number => {
    let visible = 0;
    for (let k = refOf(get(n).get('First')); k !== undefined; k = refOf(get(k).get('Next'))) visible += 1 + count(k);
    if (visible > 0) get(n).set('Count', String(visible));
    return visible;
  };
  return {
    get created() {
      return created;
    },
    graft(num: number, entries: Map<string, string>, lv: number) {
      if (root === undefined) {
        root = newObject();
        items.set(root, new Map([['Type', '/Outlines']]));
        catalog.set('Outlines', `${root} 0 R`);
        created = true;
      }
      items.set(num, entries);
      levels.set(num, lv);
      let parent = root;
      for (let last = refOf(get(parent).get('Last')); last !== undefined && level(last) < lv; last = refOf(get(parent).get('Last'))) parent = last;
      entries.set('Parent', `${parent} 0 R`);
      const last = refOf(get(parent).get('Last'));
      if (last !== undefined) {
        get(last).set('Next', `${num} 0 R`);
        entries.set('Prev', `${last} 0 R`);
      } else get(parent).set('First', `${num} 0 R`);
      get(parent).set('Last', `${num} 0 R`);
    },
    finish() {
      if (root !== undefined && items.size) count(root);
      return items;
    },
  };
}

/** Append `out` to the base file as an incremental update with its own xref section. */
function update(base: PdfFile, out: Map<number, string | Buffer>, size: number): Buffer {
  const chunks: Buffer[] = [base.bytes, Buffer.from('\n')];
  let at = base.bytes.length + 1;
  const offsets = new Map<number, number>();
  for (const n of [...out.keys()].sort((a, b) => a - b)) {
    const v = out.get(n)!;
    const b = typeof v === 'string' ? Buffer.from(v, 'latin1') : v;
    offsets.set(n, at);
    chunks.push(b);
    at += b.length;
  }
  let xref = 'xref\n';
  const nums = [...offsets.keys()];
  for (let i = 0; i < nums.length; ) {
    let j = i;
    while (j + 1 < nums.length && nums[j + 1] === nums[j]! + 1) j++;
    xref += `${nums[i]} ${j - i + 1}\n`;
    for (let k = i; k <= j; k++) xref += `${String(offsets.get(nums[k]!)).padStart(10, '0')} 00000 n \n`;
    i = j + 1;
  }
  const info = base.info !== undefined ? `\n/Info ${base.info} 0 R` : '';
  xref += `trailer\n<</Size ${size}\n/Root ${base.root} 0 R${info}\n/Prev ${base.startxref}>>\nstartxref\n${at}\n%%EOF\n`;
  chunks.push(Buffer.from(xref, 'latin1'));
  return Buffer.concat(chunks);
}
