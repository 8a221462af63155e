// `tongbao check <期次>`: every problem of the data and the circular, and a summary line.
import { renderBulletin } from '../build.js';
import { formatMessage } from '../messages.js';
import { EXIT, checkJson, onePeriod, summary, type Invocation } from './shell.js';

export async function run({ root, args, flags, io }: Invocation): Promise<number> {
  // Rendering in memory too: the circular's bindings and lint are part of the check.
  const result = await renderBulletin(root, onePeriod(root, args));
  if (flags.json) {
    io.out(JSON.stringify(checkJson(result), null, 2) + '\n');
  } else {
    for (const m of result.messages) io.err(formatMessage(m) + '\n');
    if (!flags.quiet) io.out(summary(result) + '\n');
  }
  return result.ok ? EXIT.ok : EXIT.failed;
}
