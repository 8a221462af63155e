// `tongbao init <期次> --office <名称> --region <代码> [--media] [--kind …]`: a first period from nothing.
import { initPeriod, KINDS, type Kind } from '../init.js';
import { formatMessage } from '../messages.js';
import { EXIT, UsageError, type Invocation } from './shell.js';

export async function run({ root, args, flags, io }: Invocation): Promise<number> {
  if (args.length !== 1) throw new UsageError('init 需要一个期次，如 tongbao init 2024Q1 --office 安吉县人民政府办公室 --region 330523');
  if (!flags.office) throw new UsageError('init 需要 --office 发文机关名称，如 --office 安吉县人民政府办公室');
  const kind = flags.kind;
  if (kind !== undefined && !(KINDS as readonly string[]).includes(kind)) throw new UsageError(`--kind 应为 ${KINDS.join('、')} 之一，写的是「${kind}」`);
  const period = args[0]!;
  const r = await initPeriod(root, { period, office: flags.office, media: flags.media, ...(flags.region !== undefined && { region: flags.region }), ...(kind !== undefined && { kind: kind as Kind }) });
  for (const m of r.messages) io.err(formatMessage(m) + '\n');
  if (r.ok && !flags.quiet) {
    io.out(`已新建 ${period}：\n${r.created.map((f) => `  ${f}`).join('\n')}\n在 Excel 或 WPS 中打开工作簿，填写「基本信息」「数字」和各表格后保存，运行 tongbao check ${period} 核对（它会列出还没填的单元格）\n`);
  }
  return r.ok ? EXIT.ok : EXIT.failed;
}
