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
import { PdfDocument, appendUpdate, arrayItems, parseDict, refNumber, rewriteRefs as rewrite, writeDict as dict } from './update.js';

/** The object number of a reference, or undefined when the value is not one. */
const refOf = (raw: string | undefined) => {
  const m = raw && /^(\d+) \d+ R$/.exec(raw.trim());
  return m ? Number(m[1]) : undefined;
};

/** Object numbers in use, in order. */
const numbers = (f: PdfDocument) => [...f.offsets].filter(([n, at]) => n > 0 && at > 0).map(([n]) => n).sort((a, b) => a - b);

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
function elem(f: PdfDocument, n: number): Elem {
  const entries = parseDict(f.object(n));
  return { n, entries, kids: arrayItems(entries.get('K')) };
}

const isElement = (f: PdfDocument, item: string) => {
  const n = refOf(item);
  return n !== undefined && /\/Type\s*\/StructElem\b/.test(f.object(n));
};

/** From the document element down to the table, by the first or the last element kid. */
function spine(f: PdfDocument, root: Elem, pick: 'first' | 'last'): Elem[] | undefined {
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
function pairTrees(f: PdfDocument, a: Elem, base: PdfDocument, b: Elem, out: [Elem, Elem][]): boolean {
  if (a.entries.get('S') !== b.entries.get('S')) return false;
  out.push([a, b]);
  const ak = a.kids.filter((k) => isElement(f, k));
  const bk = b.kids.filter((k) => isElement(base, k));
  if (ak.length !== bk.length) return false;
  return ak.every((k, i) => pairTrees(f, elem(f, refOf(k)!), base, elem(base, refOf(bk[i]!)!), out));
}

/** Entries of a number tree (/Nums) or name tree (/Names), /Kids followed. */
function treeEntries(f: PdfDocument, n: number | undefined, key: 'Nums' | 'Names', out: [string, string][] = []): [string, string][] {
  if (n === undefined) return out;
  const e = parseDict(f.object(n));
  const items = arrayItems(e.get(key));
  for (let i = 0; i + 1 < items.length; i += 2) out.push([items[i]!, items[i + 1]!]);
  for (const kid of arrayItems(e.get('Kids'))) treeEntries(f, refOf(kid), key, out);
  return out;
}

/** Objects of a tree made of /Kids (page tree nodes, number and name tree nodes). */
function treeNodes(f: PdfDocument, n: number | undefined, out: number[] = []): number[] {
  if (n === undefined) return out;
  out.push(n);
  const e = parseDict(f.object(n));
  if (e.get('Type') === '/Page') return out;
  for (const kid of arrayItems(e.get('Kids'))) {
    const k = refOf(kid)!;
    if (parseDict(f.object(k)).get('Type') !== '/Page') treeNodes(f, k, out);
  }
  return out;
}

/** The level of an outline entry: that of the heading it points to (/SE), H1 if none. */
const headingLevel = (read: (n: number) => string, item: Map<string, string>) => {
  const se = refOf(item.get('SE'));
  const m = se !== undefined ? /\/S\s*\/H(\d)\b/.exec(read(se)) : null;
  return m ? Number(m[1]) : 1;
};

/**
 * The slices' PDFs as one, joined a slice at a time so that the join goes on while later
 * slices print: the first slice, then each later one in order, then `finish` for the update
 * that makes them one document. A JoinError (the caller then prints in one piece) if they do
 * not fit.
 */
export class Joiner {
  private joined: ReturnType<typeof start> | undefined;

  constructor(private readonly first: Uint8Array) {}

  add(part: Uint8Array): void {
    const joined = (this.joined ??= guard(() => start(this.first)));
    guard(() => joined.add(part));
  }

  /** The joined document; the first slice as it is when nothing was added. */
  finish(): Buffer {
    const joined = this.joined;
    return joined ? guard(() => joined.finish()) : Buffer.from(this.first);
  }
}

/** Chromium's PDF read as we expect it, or a JoinError. */
function guard<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof JoinError) throw e;
    throw new JoinError(`Chromium 的 PDF 不是预期的格式（${(e as Error).message}）`);
  }
}

function start(first: Uint8Array) {
  const base = new PdfDocument(Buffer.from(first.buffer, first.byteOffset, first.byteLength));
  const baseRoot = refNumber(base.trailer.root);
  /** New or rewritten objects of the update, by number. */
  const out = new Map<number, string | Buffer>();
  let next = base.trailer.size;
  const catalog = parseDict(base.object(baseRoot));
  const pagesRoot = refOf(catalog.get('Pages'))!;
  const pages = parseDict(base.object(pagesRoot));
  const pageKids = arrayItems(pages.get('Kids'));
  let pageCount = Number(pages.get('Count'));

  const structRoot = refOf(catalog.get('StructTreeRoot'));
  const sr = structRoot !== undefined ? parseDict(base.object(structRoot)) : undefined;
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
    return o === undefined ? base.object(n) : o.toString('latin1');
  });
  // Fresh structure ids for later slices, above any id a renderer gives.
  let freshId = 90_000_000;

  const add = (bytes: Uint8Array) => {
    const f = new PdfDocument(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    const fRoot = refNumber(f.trailer.root);
    const cat = parseDict(f.object(fRoot));
    const map = new Map<number, string>();
    const skip = new Set<number>([fRoot]);
    if (f.trailer.info) skip.add(refNumber(f.trailer.info));
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
      const fe = parseDict(f.object(fsr));
      skip.add(fsr);
      for (const n of treeNodes(f, refOf(fe.get('ParentTree')))) skip.add(n);
      for (const n of treeNodes(f, refOf(fe.get('IDTree')))) skip.add(n);
    }
    const fOutlines = refOf(cat.get('Outlines'));
    if (fOutlines !== undefined) skip.add(fOutlines);
    const fPages = refOf(cat.get('Pages'))!;

    // Every other object gets the next free number.
    const objects = numbers(f);
    for (const n of objects) if (!skip.has(n)) map.set(n, `${next++} 0 R`);
    const ref = (n: number) => map.get(n) ?? 'null';
    const id = (s: string) => {
      let v = ids.get(s);
      if (!v) ids.set(s, (v = `(node${String(freshId++)})`));
      return v;
    };
    for (const n of objects) {
      if (skip.has(n)) continue;
      const o = f.parts(n);
      let value = rewrite(o.value, ref, id).replace(/\/(StructParents?) (\d+)/g, (_, k: string, v: string) => {
        maxKey = Math.max(maxKey, Number(v));
        return `/${k} ${Number(v) + offset}`;
      });
      if (n === fPages) value = value.replace(/>>\s*$/, `\n/Parent ${pagesRoot} 0 R>>`);
      const num = refOf(map.get(n))!;
      out.set(num, o.rest.length ? Buffer.concat([Buffer.from(value, 'latin1'), o.rest]) : value);
    }
    pageKids.push(map.get(fPages)!);
    pageCount += Number(parseDict(f.object(fPages)).get('Count'));

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
      const fe = parseDict(f.object(fsr));
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
      for (let item = refOf(parseDict(f.object(fOutlines)).get('First')); item !== undefined; ) {
        const own = parseDict(f.object(item));
        const num = refOf(map.get(item))!;
        const entries = parseDict(out.get(num) as string);
        entries.delete('Next');
        entries.delete('Prev');
        outline.graft(num, entries, headingLevel((n) => f.object(n), own));
        item = refOf(own.get('Next'));
      }
    }
  };

  const finish = (): Buffer => {
    // The base's objects that change.
    pages.set('Kids', `[${pageKids.join(' ')}]`);
    pages.set('Count', String(pageCount));
    out.set(pagesRoot, dict(pages));
    for (const e of grown.values()) {
      e.entries.set('K', `[${e.kids.join(' ')}]`);
      out.set(e.n, dict(e.entries));
    }
    if (sr) {
      const pt = next++;
      out.set(pt, `<</Nums [${parentTree.sort((a, b) => a[0] - b[0]).map(([k, v]) => `${k} ${v}`).join(' ')}]>>`);
      sr.set('ParentTree', `${pt} 0 R`);
      sr.set('ParentTreeNextKey', String(nextKey));
      if (idTree.length) {
        const it = next++;
        out.set(it, `<</Names [${idTree.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([k, v]) => `${k} ${v}`).join(' ')}]>>`);
        sr.set('IDTree', `${it} 0 R`);
      }
      out.set(structRoot!, dict(sr));
    }
    for (const [n, e] of outline.finish()) out.set(n, dict(e));
    if (outline.created) out.set(baseRoot, dict(catalog));
    // No /ID: Chromium's clock is still in the file (finish.ts fixes it afterwards).
    return appendUpdate(base, [...out].map(([num, body]) => ({ num, body })), { id: false });
  };
  return { add, finish };
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
    if (!e) items.set(n, (e = parseDict(read(n))));
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
