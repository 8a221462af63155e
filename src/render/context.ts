// What templates and the circular can name: the bulletin's own fields, its periods, and every
// figure by its dotted name. A figure prints as its display form through Handlebars'
// `toHTML` hook, escaped for the target (Markdown or HTML) by the one who renders. The
// bulletin's words (title, office…) print the same way: as text, never as Markdown or markup,
// even through `{{{ }}}`, which prints `toString()`.
import type { LoadedBulletin } from '../load/bulletin.js';
import { numberedAttachments } from '../schema.js';
import type { Figures } from '../figures/figure.js';
import { display, faultyHint, faultyUse, type Figure } from '../figures/figure.js';
import { formatDate, parseDate, type CalendarDate } from '../values.js';
import { nextPeriod, periodInfo, previousPeriod, type PeriodInfo } from '../periods.js';

/** A helper or a figure used wrongly; carries the place of the expression when it is known. */
export class HelperError extends Error {
  line?: number;
  column?: number;
  constructor(
    message: string,
    readonly details: { rule?: string; hint?: string; figure?: string } = {},
  ) {
    super(message);
  }
}

/** An empty list printed as it is would leave its sentence without the names it speaks of. */
export function emptyListError(name: string): HelperError {
  return new HelperError(`「${name}」是空名单：这里什么也印不出来，句子会缺少名字`, {
    rule: 'template/empty-list',
    hint: `写 {{list ${name} empty="无"}} 给出为空时印的字，或用 {{#if ${name}}}……{{else}}……{{/if}} 为空时换一句话`,
    figure: name,
  });
}

/** A figure as templates see it: prints as its display form, carries the figure itself. */
export class FigureRef {
  constructor(
    readonly figure: Figure,
    private readonly escape: (s: string) => string,
  ) {}
  /** A figure drawn from a period that does not check is an error wherever it is used. */
  usable(): Figure {
    if (this.figure.faulty) throw new HelperError(faultyUse(this.figure), { rule: 'figures/faulty-period', hint: faultyHint(this.figure), figure: this.figure.name });
    return this.figure;
  }
  toHTML(): string {
    this.usable();
    if (this.figure.value.type === 'list' && this.figure.value.value.length === 0) throw emptyListError(this.figure.name);
    return this.escape(display(this.figure.value));
  }
  /** What {{#if}} and {{#unless}} test: a list is true when it has names, a count or share when not zero. */
  truth(): boolean {
    const v = this.usable().value;
    if (v.type === 'list') return v.value.length > 0;
    if (v.type === 'integer') return v.value !== 0n;
    if (v.type === 'share' || v.type === 'points' || v.type === 'growth') return v.value.num !== 0n;
    return true;
  }
  /** What `{{{name}}}` prints: escaped all the same (the empty list prints nothing there). */
  toString(): string {
    return this.escape(display(this.usable().value));
  }
}

/** A string of bulletin.yaml as templates see it: text, escaped for the target however printed. */
export class TextRef {
  constructor(
    readonly text: string,
    private readonly escape: (s: string) => string,
  ) {}
  toHTML(): string {
    return this.escape(this.text);
  }
  toString(): string {
    return this.escape(this.text);
  }
}

/** On a table's object in the context (`districts`, holding `districts.count`…): its id. */
export const TABLE_ID = Symbol('table id');
/** On the context: each declared table's id and where it prints. */
export const TABLES = Symbol('tables');
export type TablePrint = 'attachment' | 'inline' | 'data';

/** A date from bulletin.yaml: prints as 2017年1月20日. */
export class DateRef {
  constructor(
    readonly date: CalendarDate,
    private readonly escape: (s: string) => string,
  ) {}
  toHTML(): string {
    return this.escape(formatDate(this.date));
  }
  toString(): string {
    return this.escape(formatDate(this.date));
  }
}

export interface AttachmentInfo {
  number: number;
  id: string;
  title: TextRef;
}

export interface RenderContext {
  title: TextRef;
  office: TextRef;
  /** The 发文机关署名 (§7.3.5): `signatory`, or the office when none is given. */
  signatory: TextRef;
  source: TextRef;
  published: DateRef;
  signed: DateRef;
  sampling?: { from: DateRef; to: DateRef };
  period: PeriodInfo;
  previous_period: PeriodInfo;
  next_period: PeriodInfo;
  attachments: AttachmentInfo[];
  [figure: string]: unknown;
}

/**
 * `escape` prints figures and dates (it may mark them as figures, for the Word document);
 * `escapeText` prints the bulletin's words, which are no figures.
 */
export function renderContext(loaded: LoadedBulletin, figures: Figures, escape: (s: string) => string, escapeText: (s: string) => string = escape): RenderContext {
  const b = loaded.bulletin;
  const date = (s: string) => new DateRef(parseDate(s)!, escape);
  const text = (s: string) => new TextRef(s, escapeText);
  const context: RenderContext = {
    title: text(b.title),
    office: text(b.office),
    // GB/T 9704 §7.3.5 puts the 署名 above the date; the office is the one who issues it.
    signatory: text(b.signatory ?? b.office),
    source: text(b.source),
    published: date(b.published),
    signed: date(b.signed),
    ...(b.sampling && { sampling: { from: date(b.sampling.from), to: date(b.sampling.to) } }),
    period: periodInfo(b.period),
    previous_period: periodInfo(b.previous ?? previousPeriod(b.period)),
    next_period: periodInfo(nextPeriod(b.period)),
    attachments: numberedAttachments(b.attachments).map((a, i) => ({ number: i + 1, id: a.id, title: text(a.title) })),
  };
  // Dotted names become nested objects (institutions.assessment.share); parents go first, so
  // a figure with children (pass_rate and pass_rate.change) holds them as properties.
  // (Each name's depth counted once, not in every comparison: a period has thousands of figures.)
  const depth = new Map([...figures.values()].map((f) => [f, f.name.split('.').length]));
  const sorted = [...figures.values()].sort((a, b) => depth.get(a)! - depth.get(b)!);
  for (const f of sorted) {
    const parts = f.name.split('.');
    let holder: Record<string, unknown> = context;
    for (const part of parts.slice(0, -1)) {
      const next = holder[part];
      if (next === undefined) holder[part] = {};
      holder = holder[part] as Record<string, unknown>;
    }
    holder[parts.at(-1)!] = new FigureRef(f, escape);
  }
  // {{table districts}} names a table by the object its figures hang on.
  const tables = new Map<string, TablePrint>([...b.tables.map((t) => [t.id, 'data'] as const), ...b.attachments.map((a) => [a.id, a.print] as const)]);
  for (const id of tables.keys()) {
    const holder = (context[id] ??= {}) as object;
    if (typeof holder === 'object' && !(holder instanceof FigureRef)) Object.defineProperty(holder, TABLE_ID, { value: id });
  }
  Object.defineProperty(context, TABLES, { value: tables });
  return context;
}
