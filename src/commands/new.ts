// `tongbao new <期次> [--from <期次>]`: a new period from an earlier one, figures left to fill.
import { newPeriod } from '../new.js';
import { formatMessage } from '../messages.js';
import { EXIT, UsageError, type Invocation } from './shell.js';

export async function run({ root, args, flags, io }: Invocation): Promise<number> {
  if (args.length !== 1) throw new UsageError('new 需要一个期次，如 tongbao new 2017Q1 --from 2016Q4');
  const period = args[0]!;
  const r = await newPeriod(root, period, flags.from);
  for (const m of r.messages) io.err(formatMessage(m) + '\n');
  if (r.ok && !flags.quiet) {
    io.out(`已新建 ${period}：\n${r.created.map((f) => `  ${f}`).join('\n')}\n填好表格（工作簿中还有文号和「数字」）、bulletin.yaml 中 value: null 的数字，核对文号后，运行 tongbao check ${period}：它列出还没填的每一处\n`);
  }
  return r.ok ? EXIT.ok : EXIT.failed;
}
