// The register: across the periods of a workspace, every listed site once, keyed by its
// 网站标识码 (a new-media account by platform + name), with each time it was listed and what
// its office reported of it afterwards. A workspace of forty periods of 44,000 rows is 1.8
// million listings: they are kept in columns of integers (texts interned once), not objects.
import { Int32List } from '../lists.js';
import type { RectificationStatus } from '../schema.js';

/**
 * A copy of a text that holds no more than itself: a cell's text may be a slice of the
 * 64 KB chunk it was read from, which would keep every chunk of forty files alive.
 */
const own = (s: string): string => (s.length < 13 ? s : Buffer.from(s, 'utf8').toString('utf8'));

/** Texts kept once each, named by number. */
class Texts {
  private readonly ids = new Map<string, number>();
  readonly list: string[] = [];
  id(s: string): number {
    let i = this.ids.get(s);
    if (i === undefined) {
      i = this.list.length;
      s = own(s);
      this.ids.set(s, i);
      this.list.push(s);
    }
    return i;
  }
}

export interface Site {
  /** 网站标识码, or `平台/账号名称` for a new-media account. */
  key: string;
  kind: 'site' | 'account';
}

/** One time a site was listed: in which period and table, where, and as what. */
export interface Listing {
  site: Site;
  period: string;
  /** The table's id and its file as messages name it. */
  table: string;
  file: string;
  line: number;
  /** The column of the key cell (the site code, or the account name). */
  column: number;
  name: string;
  region?: string;
  problem: string;
  /** The column of the problem cell whose text claims a repeat (整改不彻底, 再次, 连续). */
  claimColumn?: number;
}

/** What a rectification table says of one site. */
export interface Rectification {
  key: string;
  period: string;
  table: string;
  file: string;
  line: number;
  column: number;
  status: RectificationStatus;
  date?: string;
}

/** The status a site has in the register: the latest report, or 待整改 when listed since. */
export type SiteStatus = RectificationStatus | '待整改';

export class Register {
  /** Periods read, oldest first. */
  readonly periods: string[] = [];
  /** Periods that could not be read, and why. */
  readonly unread: { period: string; reason: string }[] = [];
  readonly rectifications: Rectification[] = [];
  /**
   * Rows of rectification tables that name a site but no status yet (as `new` scaffolds them),
   * as `unfilledKey`: such a site is in the table, its empty cell reported where it is. A set,
   * so that a stream read again adds nothing twice.
   */
  readonly unfilled = new Set<string>();
  /** Each site's key, whether it is an account, and its name as first listed. */
  private readonly keys: string[] = [];
  private readonly accounts = new Set<number>();
  private readonly names: string[] = [];
  private readonly byKey = new Map<string, number>();
  /** Texts repeated across listings (periods, regions, problems), by number. */
  private readonly texts = new Texts();
  // One listing per index across these columns; texts by number in `texts`, -1 for none.
  private readonly l = { site: new Int32List(), period: new Int32List(), table: new Int32List(), line: new Int32List(), column: new Int32List(), region: new Int32List(), problem: new Int32List(), next: new Int32List() };
  /** The few listings that name their site otherwise than its first listing, or claim a repeat. */
  private readonly renamed = new Map<number, string>();
  private readonly claims = new Map<number, number>();
  /** Each site's first and last listing, for its history without a scan. */
  private readonly first = new Int32List();
  private readonly last = new Int32List();
  /** Per table listed (period, id, file), by number. */
  private readonly tables: { period: string; id: string; file: string }[] = [];

  get listings(): number {
    return this.l.site.length;
  }

  /** A table about to give its listings; its number for `add`. */
  table(period: string, id: string, file: string): number {
    this.tables.push({ period, id, file });
    return this.tables.length - 1;
  }

  /** A mark to `rollback` to: a stream read again from the start takes back what it gave. */
  mark(): { listings: number; sites: number; rectifications: number } {
    return { listings: this.listings, sites: this.keys.length, rectifications: this.rectifications.length };
  }

  get size(): number {
    return this.keys.length;
  }

  rollback(m: ReturnType<Register['mark']>): void {
    // Listings are only ever appended: the columns are cut, and the sites' chains mended.
    const l = this.l;
    for (const col of Object.values(l)) col.length = Math.min(col.length, m.listings);
    for (let s = m.sites; s < this.keys.length; s++) {
      this.byKey.delete(this.keys[s]!);
      this.accounts.delete(s);
    }
    this.keys.length = this.names.length = m.sites;
    for (const i of [...this.renamed.keys(), ...this.claims.keys()]) {
      if (i < m.listings) continue;
      this.renamed.delete(i);
      this.claims.delete(i);
    }
    this.first.length = this.last.length = m.sites;
    for (let s = 0; s < m.sites; s++) {
      if (this.last.get(s) < m.listings) continue;
      let i = this.first.get(s);
      let prev = -1;
      while (i >= 0 && i < m.listings) [prev, i] = [i, l.next.get(i)];
      if (prev < 0) this.first.set(s, -1);
      else l.next.set(prev, -1);
      this.last.set(s, prev);
    }
    this.rectifications.length = m.rectifications;
  }

  private site(key: string, kind: Site['kind'], name: string): number {
    let s = this.byKey.get(key);
    if (s === undefined) {
      s = this.keys.length;
      key = own(key);
      this.keys.push(key);
      this.names.push(own(name));
      if (kind === 'account') this.accounts.add(s);
      this.byKey.set(key, s);
      this.first.push(-1);
      this.last.push(-1);
    }
    return s;
  }

  add(table: number, x: { key: string; kind: Site['kind']; line: number; column: number; name: string; region?: string; problem: string; claimColumn?: number }): void {
    const s = this.site(x.key, x.kind, x.name);
    const l = this.l;
    const i = l.site.length;
    l.site.push(s);
    l.period.push(this.texts.id(this.tables[table]!.period));
    l.table.push(table);
    l.line.push(x.line);
    l.column.push(x.column);
    l.region.push(x.region === undefined ? -1 : this.texts.id(x.region));
    l.problem.push(this.texts.id(x.problem));
    l.next.push(-1);
    if (x.name !== this.names[s]) this.renamed.set(i, own(x.name));
    if (x.claimColumn !== undefined) this.claims.set(i, x.claimColumn);
    if (this.first.get(s) < 0) this.first.set(s, i);
    else l.next.set(this.last.get(s), i);
    this.last.set(s, i);
  }

  listing(i: number): Listing {
    const l = this.l;
    const t = this.tables[l.table.get(i)]!;
    const region = l.region.get(i);
    const claim = this.claims.get(i) ?? -1;
    const s = l.site.get(i);
    return {
      site: this.siteAt(s),
      period: t.period,
      table: t.id,
      file: t.file,
      line: l.line.get(i),
      column: l.column.get(i),
      name: this.renamed.get(i) ?? this.names[s]!,
      ...(region >= 0 && { region: this.texts.list[region]! }),
      problem: this.texts.list[l.problem.get(i)]!,
      ...(claim >= 0 && { claimColumn: claim }),
    };
  }

  /** The listings of one site, oldest first. */
  history(key: string): Listing[] {
    const s = this.byKey.get(key);
    const out: Listing[] = [];
    for (let i = s === undefined ? -1 : this.first.get(s); i >= 0; i = this.l.next.get(i)) out.push(this.listing(i));
    return out;
  }

  private siteAt(s: number): Site {
    return { key: this.keys[s]!, kind: this.accounts.has(s) ? 'account' : 'site' };
  }

  has(key: string): boolean {
    return this.byKey.has(key);
  }

  /** Indices of the listings of one period, in the order read. */
  listingsOf(period: string): number[] {
    const out: number[] = [];
    const p = this.texts.list.indexOf(period);
    if (p < 0) return out;
    const col = this.l.period;
    for (let i = 0; i < col.length; i++) if (col.get(i) === p) out.push(i);
    return out;
  }

  /** The keys listed in a period, each with its first listing there. */
  listedIn(period: string): Map<string, Listing> {
    const out = new Map<string, Listing>();
    for (const i of this.listingsOf(period)) {
      const key = this.keys[this.l.site.get(i)]!;
      if (!out.has(key)) out.set(key, this.listing(i));
    }
    return out;
  }

  /** Each site's periods, latest listing and status, one at a time (a million sites are never all held). */
  *summaries(): Generator<SiteSummary> {
    const reports = this.latestReports();
    for (let s = 0; s < this.keys.length; s++) yield this.summary(s, reports);
  }

  /** One site's summary, by key. */
  summaryOf(key: string): SiteSummary | undefined {
    const s = this.byKey.get(key);
    return s === undefined ? undefined : this.summary(s, this.latestReports());
  }

  /** Each site's latest rectification report (reports come oldest first). */
  private latestReports(): Map<string, Rectification> {
    const out = new Map<string, Rectification>();
    for (const r of this.rectifications) out.set(r.key, r);
    return out;
  }

  private summary(s: number, reports: ReadonlyMap<string, Rectification>): SiteSummary {
    const l = this.l;
    const site = this.siteAt(s);
    const periods: string[] = [];
    let latest = -1;
    for (let i = this.first.get(s); i >= 0; i = l.next.get(i)) {
      const p = this.texts.list[l.period.get(i)]!;
      if (periods.at(-1) !== p) periods.push(p);
      latest = i;
    }
    const last = this.listing(latest);
    const report = reports.get(site.key);
    // A report covers the listing of the period before its own; a later listing is still open.
    const status: SiteStatus = report && report.period > last.period ? report.status : '待整改';
    return { key: site.key, kind: site.kind, name: last.name, ...(last.region !== undefined && { region: last.region }), periods, status, ...(report && { report }) };
  }
}

export interface SiteSummary {
  key: string;
  kind: Site['kind'];
  /** As the latest listing names it. */
  name: string;
  region?: string;
  /** The periods it was listed in, oldest first. */
  periods: string[];
  status: SiteStatus;
  /** The latest rectification report of it, if any. */
  report?: Rectification;
}

/** A rectification row's place in `Register.unfilled`. */
export const unfilledKey = (period: string, table: string, key: string) => `${period}\t${table}\t${key}`;
