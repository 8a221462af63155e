// `tongbao check <期次>`: every problem of the data and the circular, and a summary line.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
// Not build.js: a check loads none of the printing and archiving modules.
import { renderBulletin } from '../render-bulletin.js';
import { displayPath } from '../bulletin.js';
import { formatMessage } from '../messages.js';
import { EXIT, checkJson, onePeriod, summary, type Invocation } from './shell.js';

export async function run({ root, args, flags, io }: Invocation): Promise<number> {
  // Rendering in memory too: the circular's bindings and lint are part of the check.
  // For its messages only: the charts are not drawn nor the titles cut into words (output, not a check).
  const result = await renderBulletin(root, onePeriod(root, args), { messagesOnly: true });
  if (flags.report && result.loaded) {
    const { CHECK_REPORT_FILE, checkReportHtml } = await import('../render/report.js');
    // Written whatever the result: it is the list of what is wrong.
    const file = path.join(result.loaded.paths.outDir, CHECK_REPORT_FILE);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, checkReportHtml(result.loaded, result.messages, result.checks, result.claims));
    if (!flags.quiet && !flags.json) io.out(`已写入核对报告 ${displayPath(file)}\n`);
  }
  if (flags.json) {
    io.out(JSON.stringify(checkJson(result), null, 2) + '\n');
  } else {
    for (const m of result.messages) if (!flags.quiet || m.severity !== 'info') io.err(formatMessage(m) + '\n');
    if (!flags.quiet) io.out(summary(result) + '\n');
  }
  return result.ok ? EXIT.ok : EXIT.failed;
}
