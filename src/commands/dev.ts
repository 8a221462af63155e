// `tongbao dev [期次] [--port N]`: the preview server, rebuilt on every save.
import { startPreview, type Preview } from '../preview.js';
import { formatMessage, type Message } from '../messages.js';
import { EXIT, UsageError, onePeriod, type Invocation } from './shell.js';

export async function run({ root, args, flags, io, signal }: Invocation): Promise<number> {
  const period = onePeriod(root, args);
  const port = Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port 应为 0–65535 的整数`);
  const log = (messages: Message[], ms: number) => {
    for (const m of messages) if (m.severity === 'error') io.err(formatMessage(m) + '\n');
    if (!flags.quiet) io.out(`${new Date().toLocaleTimeString('zh-CN', { hour12: false })} 已重新生成（${Math.round(ms)} 毫秒）${messages.some((m) => m.severity === 'error') ? '，有错误，页面保持上次的结果' : ''}\n`);
  };
  let preview: Preview;
  try {
    preview = await startPreview(root, period, { port, onRebuild: log });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      io.err(`tongbao: 端口 ${port} 已被占用（用 --port 换一个，或 --port 0 自动选择）\n`);
      return EXIT.failed;
    }
    throw e;
  }
  io.out(`预览地址：${preview.url}（保存 data、content 或 templates 中的文件即自动刷新；按 Ctrl-C 退出）\n`);
  if (!signal.aborted) await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
  await preview.close();
  return EXIT.ok;
}
