// Check and render in memory: what `check`, `dev` and `build` share before anything is
// printed. Kept apart from build.ts so that `check` loads none of the printing, PDF and
// archive modules build.ts holds.
import { checkBulletin, type CheckResult } from './check/index.js';
import type { LoadedBulletin } from './load/bulletin.js';
import { BulletinError, hasErrors, sortMessages } from './messages.js';
import { lintPrecision } from './render/lint.js';
import { lintCircular, readCircular, renderPage, type CircularSource } from './render/html.js';

export interface Rendered extends CheckResult {
  html?: string;
  sources?: CircularSource[];
}

export interface RenderBulletinOptions {
  /**
   * Render the page for its messages alone (`check`): the charts are not drawn (the SVG is
   * output only, their data and labels are checked before drawing, and drawing loads ECharts)
   * and titles and headers are not cut into words (ICU's word segmenter, for the eye). A
   * function decides once the bulletin is read (a build: is the portal page made?).
   */
  messagesOnly?: boolean | ((loaded: LoadedBulletin) => boolean);
}

/** Check and render in memory: everything `build` does except printing and writing. */
export async function renderBulletin(root: string, period: string, options: RenderBulletinOptions = {}): Promise<Rendered> {
  const result = await checkBulletin(root, period);
  if (!result.loaded || !result.figures) return result;
  const { sources, messages: read } = readCircular(result.loaded);
  // Problems kept on purpose (`accept:`) are warnings already: the check applied them, as
  // for `stats` and for another period's use of this one; rendering has none to keep.
  const messages = [...result.messages, ...read, ...lintCircular(sources), ...lintPrecision(sources, result.figures)];
  let html: string | undefined;
  // An accept: entry in error (refused, unmatched, stale) leaves the circular to render: its own
  // problems are told alongside.
  if (!hasErrors(messages.filter((m) => !m.rule.startsWith('bulletin/accept-')))) {
    try {
      const page = renderPage(result.loaded, result.figures, sources, { messagesOnly: typeof options.messagesOnly === 'function' ? options.messagesOnly(result.loaded) : (options.messagesOnly ?? false) });
      messages.push(...page.messages);
      html = page.html;
    } catch (e) {
      // A template of the workspace that may not be read (templates/ linked from elsewhere, a
      // bidirectional control in it): its messages, never a stack.
      if (!(e instanceof BulletinError)) throw e;
      messages.push(...e.messages);
    }
  }
  const sorted = sortMessages(messages);
  return { ...result, sources, messages: sorted, ok: !hasErrors(sorted), ...(html !== undefined && { html }) };
}
