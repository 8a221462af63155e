// `dev`: a preview on 127.0.0.1, rebuilt on every save of data, content or templates. The
// last good page stays on screen; problems are shown over it with file and line.
import { createServer, type ServerResponse } from 'node:http';
import { existsSync, readdirSync, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { renderBulletin } from './render-bulletin.js';
import { formatMessage, type Message } from './messages.js';
import { periodPaths } from './bulletin.js';
import { PACKAGE_TEMPLATES } from './render/html.js';
import { escapeHtml } from './render/helpers.js';

export interface Preview {
  url: string;
  /** Rebuild now; resolves with the time it took, in ms. */
  rebuild(): Promise<number>;
  close(): Promise<void>;
}

export interface PreviewOptions {
  port?: number;
  /** Called after each rebuild, with its messages and duration. */
  onRebuild?: (messages: Message[], ms: number) => void;
}

export async function startPreview(root: string, period: string, options: PreviewOptions = {}): Promise<Preview> {
  let page: string | undefined;
  let messages: Message[] = [];
  const clients = new Set<ServerResponse>();

  const rebuild = async () => {
    const t0 = performance.now();
    try {
      const r = await renderBulletin(root, period);
      if (r.html !== undefined) page = r.html; // keep the last good page when this one failed
      messages = r.messages;
    } catch (e) {
      // A fault of tongbao's own, shown like any problem: a save must never end the server.
      messages = [{ severity: 'error', file: periodPaths(root, period).dataDir, reason: `内部错误：${(e as Error).message}`, hint: '请把这条信息报告给维护者；改动文件后会再次生成', rule: 'internal' }];
    }
    const ms = performance.now() - t0;
    options.onRebuild?.(messages, ms);
    for (const c of clients) c.write('data: reload\n\n');
    return ms;
  };
  await rebuild();

  let port = options.port ?? 4321;
  const server = createServer((req, res) => {
    // DNS rebinding: a page elsewhere whose name comes to point at 127.0.0.1 would reach this
    // server as same-origin. Only the names of this machine, with this port, are answered.
    if (!ownHost(req.headers.host, port)) {
      res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' }).end('只接受本机地址的请求（127.0.0.1、localhost）');
      return;
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/__events') {
      // An EventSource from another origin says so in Origin: refused.
      const origin = req.headers.origin;
      if (origin !== undefined && !ownHost(origin.replace(/^http:\/\//, ''), port)) {
        res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' }).end('只接受本机页面的请求');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      res.write(': connected\n\n');
      clients.add(res);
      req.on('close', () => clients.delete(res));
      return;
    }
    if (url.pathname !== '/' && url.pathname !== '/index.html') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('没有这个页面');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(devPage(page, messages));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 4321, '127.0.0.1', resolve);
  });
  const address = server.address();
  if (typeof address === 'object' && address) port = address.port;

  // Rebuild on saves, a few at once counted as one.
  const paths = periodPaths(root, period);
  const watched = [paths.dataDir, paths.contentDir, path.join(paths.root, 'templates'), PACKAGE_TEMPLATES];
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      running = running.then(rebuild, rebuild);
    }, 30);
  };
  const watchers = watched.map((d) => watchFolder(d, schedule));

  return {
    url: `http://127.0.0.1:${port}/`,
    rebuild,
    async close() {
      clearTimeout(timer);
      for (const w of watchers) w.close();
      for (const c of clients) c.end();
      await new Promise((r) => server.close(r));
    },
  };
}

/**
 * Watch a folder and everything in it, across the folder being replaced whole (restored from a
 * copy, checked out again): a watch ends with the folder it was on, so its parent is watched
 * for the name coming back, and the watch is made again on the new folder.
 */
function watchFolder(dir: string, onChange: () => void): { close(): void } {
  let inner: { close(): void } | undefined;
  const arm = () => {
    inner?.close();
    inner = existsSync(dir) ? watchTree(dir, onChange) : undefined;
  };
  arm();
  const parent = path.dirname(dir);
  const outer = existsSync(parent)
    ? watch(parent, (_, name) => {
        if (name !== path.basename(dir)) return;
        arm();
        onChange();
      })
    : undefined;
  return {
    close() {
      inner?.close();
      outer?.close();
    },
  };
}

/**
 * Watch every folder under `dir`, each on its own. Node's recursive watch on Linux follows
 * files, and loses one replaced by a rename (as `sed -i` and many editors save): the next saves
 * went unseen. A folder's watch sees any file in it however it was written; a folder added later
 * is watched from its first event on.
 */
function watchTree(dir: string, onChange: () => void): { close(): void } {
  const watchers = new Map<string, FSWatcher>();
  const add = (d: string) => {
    if (watchers.has(d)) return;
    try {
      watchers.set(d, watch(d, (event) => {
        if (event === 'rename') scan(d);
        onChange();
      }));
      for (const e of readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) add(path.join(d, e.name));
    } catch {
      // Gone between the listing and the watch: its parent's event will say so.
    }
  };
  const scan = (d: string) => {
    for (const [w, watcher] of watchers) {
      if (!existsSync(w)) {
        watcher.close();
        watchers.delete(w);
      }
    }
    if (existsSync(d)) for (const e of readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) add(path.join(d, e.name));
  };
  add(dir);
  return {
    close() {
      for (const w of watchers.values()) w.close();
      watchers.clear();
    },
  };
}

/** A Host (or an Origin without its scheme) naming this machine and the preview's port. */
function ownHost(host: string | undefined, port: number): boolean {
  return host !== undefined && [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`].includes(host.toLowerCase());
}

/**
 * The page as the preview serves it: the last good render, the problems over it, and a
 * small script (allowed by a nonce in this page only) that reloads on each rebuild.
 */
function devPage(page: string | undefined, messages: Message[]): string {
  const nonce = randomBytes(12).toString('base64');
  const problems = messages.filter((m) => m.severity === 'error');
  const panel = problems.length
    ? `<aside id="tongbao-dev" role="alert" style="position:fixed;inset:auto 0 0 0;max-height:40vh;overflow:auto;background:#fff3f3;color:#600;border-top:3px solid #c00;padding:0.75rem 1rem;font:14px/1.5 monospace;z-index:9">` +
      `<strong>${problems.length} 个错误，显示的是上次成功生成的页面：</strong><ul>${problems.map((m) => `<li>${escapeHtml(formatMessage(m))}</li>`).join('')}</ul></aside>`
    : '';
  const script = `<script nonce="${nonce}">new EventSource('/__events').onmessage=()=>location.reload()</script>`;
  const base = page ?? '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>tongbao 预览</title></head><body><p>还没有成功生成过这一期。</p></body></html>';
  return base
    .replace(/(<meta http-equiv="Content-Security-Policy" content=")([^"]*)"/, (_, a: string, csp: string) => `${a}${csp.replace("default-src 'none'", `default-src 'none'; script-src 'nonce-${nonce}'; connect-src 'self'`)}"`)
    // A function, not a string: `$`` or `$&` in a message must not be read as a pattern.
    .replace('</body>', () => `${panel}${script}</body>`);
}
