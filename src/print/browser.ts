// Finding and starting Chromium. puppeteer-core never downloads a browser: we use the one
// installed on the machine and say how to get one when there is none.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'puppeteer-core';

const requireCjs = createRequire(import.meta.url);

const CANDIDATES: Record<string, string[]> = {
  linux: ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/snap/bin/chromium', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable', '/opt/google/chrome/chrome', '/usr/bin/microsoft-edge', '/usr/bin/microsoft-edge-stable'],
  darwin: [
    '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
    '/Applications/Chromium.app/Contents/MacOS/Chromium',
    '/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge',
  ],
  win32: [
    path.join(process.env['PROGRAMFILES'] ?? 'C:\\Program Files', 'Google\\Chrome\\Application\\chrome.exe'),
    path.join(process.env['PROGRAMFILES(X86)'] ?? 'C:\\Program Files (x86)', 'Google\\Chrome\\Application\\chrome.exe'),
    path.join(process.env['LOCALAPPDATA'] ?? '', 'Google\\Chrome\\Application\\chrome.exe'),
    path.join(process.env['PROGRAMFILES(X86)'] ?? 'C:\\Program Files (x86)', 'Microsoft\\Edge\\Application\\msedge.exe'),
    path.join(process.env['PROGRAMFILES'] ?? 'C:\\Program Files', 'Microsoft\\Edge\\Application\\msedge.exe'),
  ],
};

export class BrowserNotFound extends Error {
  constructor() {
    super(
      '找不到 Chromium、Chrome 或 Edge 浏览器，无法生成 PDF。' +
        '请安装一个（Debian/Ubuntu：sudo apt-get install chromium），' +
        '或用环境变量 PUPPETEER_EXECUTABLE_PATH 指明浏览器程序的路径；只生成网页可用 --format html',
    );
    this.name = 'BrowserNotFound';
  }
}

export function findBrowser(env: NodeJS.ProcessEnv = process.env): string {
  const given = env['PUPPETEER_EXECUTABLE_PATH'];
  if (given) {
    if (existsSync(given)) return given;
    throw new BrowserNotFound();
  }
  const found = (CANDIDATES[process.platform] ?? []).find((p) => existsSync(p));
  if (!found) throw new BrowserNotFound();
  return found;
}

/** Headless, quiet, and with no background traffic of its own. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-default-apps',
  '--disable-extensions',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
  '--no-default-browser-check',
  '--font-render-hinting=none',
];

/**
 * What puppeteer.launch would add for `headless: true, args: CHROMIUM_ARGS` (puppeteer-core
 * 24's ChromeLauncher.defaultArgs, checked against it by test/pdf.test.ts): the same switches,
 * so pages render and print as they did under puppeteer.launch.
 */
export const PUPPETEER_ARGS = [
  '--allow-pre-commit-input',
  '--disable-background-networking',
  '--disable-background-timer-throttling',
  '--disable-backgrounding-occluded-windows',
  '--disable-breakpad',
  '--disable-client-side-phishing-detection',
  '--disable-component-extensions-with-background-pages',
  '--disable-crash-reporter',
  '--disable-default-apps',
  '--disable-dev-shm-usage',
  '--disable-hang-monitor',
  '--disable-infobars',
  '--disable-ipc-flooding-protection',
  '--disable-popup-blocking',
  '--disable-prompt-on-repost',
  '--disable-renderer-backgrounding',
  '--disable-search-engine-choice-screen',
  '--disable-sync',
  '--enable-automation',
  '--export-tagged-pdf',
  '--force-color-profile=srgb',
  '--generate-pdf-document-outline',
  '--metrics-recording-only',
  '--no-first-run',
  '--password-store=basic',
  '--use-mock-keychain',
  '--disable-features=Translate,AcceptCHFrame,MediaRouter,OptimizationHints,WebUIReloadButton,ProcessPerSiteUpToMainFrameThreshold,IsolateSandboxedIframes',
  '--enable-features=PdfOopif',
  '--headless=new',
  '--hide-scrollbars',
  '--mute-audio',
  '--disable-extensions',
  'about:blank',
];

/**
 * Browser UI that headless Chromium still preloads for every window: omnibox popups, in
 * renderers of their own that took a tenth of a long table's print time.
 */
const DISABLED_FEATURES = ['WebUIOmniboxPopup', 'WebUIOmniboxAimPopup', 'PreloadTopChromeWebUI'];

/** PUPPETEER_ARGS and ours, DISABLED_FEATURES added to the one --disable-features Chromium reads. */
function launchArgs(): string[] {
  const flag = '--disable-features=';
  return [...PUPPETEER_ARGS.map((a) => (a.startsWith(flag) ? `${a},${DISABLED_FEATURES.join(',')}` : a)), ...CHROMIUM_ARGS];
}

interface Started {
  child: ChildProcess;
  profile: string;
  exited: Promise<void>;
  /** Kill the whole process group and remove the profile; safe to call more than once. */
  kill: () => void;
}

const started = new WeakMap<Browser, Started>();

const PROFILE_PREFIX = 'tongbao-chromium-';
/** In each profile: the pid of the program that started Chromium, and Chromium's (its group). */
const OWNER_FILE = 'tongbao-owner';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A zombie (killed, not yet reaped by its parent) answers the signal but is gone.
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true; // no /proc: take the answer to the signal
  }
}

/**
 * Chromium left by a program that was killed outright (kill -9 gives no chance to clean up):
 * its process group ended and its profile removed, when the profile's owner is gone. A pid is
 * only signalled while its command line still names that profile (Linux), so a pid the system
 * has since given to another program is never touched.
 */
function reapOrphans(): void {
  let names: string[];
  try {
    names = readdirSync(os.tmpdir()).filter((n) => n.startsWith(PROFILE_PREFIX));
  } catch {
    return;
  }
  for (const name of names) {
    const dir = path.join(os.tmpdir(), name);
    let owner: number;
    let chromium: number;
    try {
      [owner, chromium] = readFileSync(path.join(dir, OWNER_FILE), 'utf8').trim().split(' ').map(Number) as [number, number];
    } catch {
      continue; // no owner recorded (still starting, or another program's): left alone
    }
    if (!owner || alive(owner)) continue;
    if (chromium && alive(chromium)) {
      let ours = false;
      try {
        ours = readFileSync(`/proc/${chromium}/cmdline`, 'utf8').includes(`--user-data-dir=${dir}`);
      } catch {
        // no /proc (not Linux): the pid cannot be told to be ours
      }
      if (!ours) continue;
      try {
        process.kill(-chromium, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
    removeProfile(dir);
  }
}

/**
 * A temporary profile removed, or left for the system's tmp cleaning: this runs in exit and
 * abort handlers, where a throw (a Chromium child just killed still writing its files) would
 * end the program with an internal error in place of its own answer.
 */
function removeProfile(dir: string): void {
  try {
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  } catch {
    // left behind in tmp; nothing of the user's is in it
  }
}

/**
 * Chromium is spawned here, before puppeteer-core is loaded (0.2 s), and puppeteer connects
 * to it when both are ready: Chromium's start is the longest step before printing. The
 * process is ours as with puppeteer.launch: its own process group and a temporary profile,
 * both gone on closeBrowser, on exit, and on SIGINT (which then ends the program, with 130).
 */
export async function launchBrowser(signal?: AbortSignal): Promise<Browser> {
  const executablePath = findBrowser();
  reapOrphans();
  const suite = process.env[TEST_BROWSER];
  if (suite && !process.env['PUPPETEER_EXECUTABLE_PATH']) return connectShared(suite, signal);
  const profile = mkdtempSync(path.join(os.tmpdir(), PROFILE_PREFIX));
  const args = [...launchArgs(), '--remote-debugging-port=0', `--user-data-dir=${profile}`];
  // Chromium's own temporary files (its singleton socket folder) go inside the profile, so
  // that they go with it: killed rather than closed, Chromium never removes them itself.
  const tmp = path.join(profile, 'tmp');
  mkdirSync(tmp);
  const child = spawn(executablePath, args, { detached: process.platform !== 'win32', stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, TMPDIR: tmp } });
  // Who owns this Chromium: a later launch ends it if this process was killed outright.
  if (child.pid) writeFileSync(path.join(profile, OWNER_FILE), `${process.pid} ${child.pid}\n`);
  let gone = false;
  const tidy = () => {
    process.off('exit', kill);
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', kill);
    process.off('SIGHUP', kill);
    removeProfile(profile);
  };
  const kill = () => {
    if (gone) return;
    gone = true;
    try {
      if (child.pid && process.platform !== 'win32') process.kill(-child.pid, 'SIGKILL');
      else child.kill('SIGKILL');
    } catch {
      // already gone
    }
    tidy();
  };
  const interrupted = () => {
    kill();
    process.exit(130);
  };
  process.on('exit', kill);
  process.on('SIGINT', interrupted);
  process.on('SIGTERM', kill);
  process.on('SIGHUP', kill);
  // Chromium closed some other way (browser.close()) still leaves no profile behind.
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      if (!gone) {
        gone = true;
        tidy();
      }
      resolve();
    }),
  );
  let log = '';
  const died = new Promise<never>((_, reject) => {
    child.once('error', reject);
    void exited.then(() => reject(new Error(`Chromium 退出了：${log.trim().split('\n').at(-1) ?? ''}`)));
    // Given up by the caller (a time limit, an interrupt): ended now, not when it is up.
    const abandon = () => {
      kill();
      reject(new Error('Chromium 的启动被放弃'));
    };
    if (signal?.aborted) abandon();
    else signal?.addEventListener('abort', abandon, { once: true });
    void exited.then(() => signal?.removeEventListener('abort', abandon));
  });
  died.catch(() => undefined);
  const endpoint = new Promise<string>((resolve) => {
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (d: string) => {
      log = (log + d).slice(-4000);
      const m = /^DevTools listening on (ws:\/\/.*)$/m.exec(log);
      if (m) resolve(m[1]!);
    });
  });
  try {
    // puppeteer-core is loaded only when something is printed: check and stats start faster.
    // Its CommonJS build: two thirds of the CPU time of its ES modules (0.23 s against 0.35 s),
    // on the thread that also loads and renders the bulletin meanwhile.
    const puppeteer = requireCjs('puppeteer-core') as typeof import('puppeteer-core');
    const browser = await connectUnless(puppeteer, await Promise.race([endpoint, died]), died);
    child.stderr!.resume();
    started.set(browser, { child, profile, exited, kill });
    return browser;
  } catch (e) {
    kill();
    throw e;
  }
}

/**
 * The test suite's Chromium (test/global-setup.ts starts a few with launchBrowser, switches
 * and all, and lends each to one build at a time): a build connects to its DevTools address
 * instead of starting Chromium, prints in a browser context of its own as always, and leaves
 * it running. Starting Chromium was a sixth of the CPU a build of the sample takes (0.5 of
 * 3.1 s), and the suite builds some 200 PDFs. A build given its own browser
 * (PUPPETEER_EXECUTABLE_PATH) starts it as usual.
 *
 * One build at a time: a second DevTools client attaches to the first one's tab and Chromium
 * then drops that tab's print-media emulation (measured: the page laid out 800 px wide, and
 * printed shrunk to 0.77).
 */
export const TEST_BROWSER = 'TONGBAO_TEST_BROWSER';
const shared = new WeakSet<Browser>();

async function connectShared(browserWSEndpoint: string, signal?: AbortSignal): Promise<Browser> {
  const puppeteer = requireCjs('puppeteer-core') as typeof import('puppeteer-core');
  const abandoned = new Promise<never>((_, reject) => {
    const abandon = () => reject(new Error('Chromium 的启动被放弃'));
    if (signal?.aborted) abandon();
    else signal?.addEventListener('abort', abandon, { once: true });
  });
  abandoned.catch(() => undefined);
  const browser = await connectUnless(puppeteer, browserWSEndpoint, abandoned);
  shared.add(browser);
  return browser;
}

/**
 * puppeteer connected to `browserWSEndpoint`, unless `stop` rejects first. Abandoned while
 * connecting, the connection that comes (or fails) later is let go, not left to end the
 * program as an unhandled rejection.
 */
function connectUnless(puppeteer: typeof import('puppeteer-core'), browserWSEndpoint: string, stop: Promise<never>): Promise<Browser> {
  const connecting = puppeteer.connect({ browserWSEndpoint });
  connecting.catch(() => undefined);
  return Promise.race([connecting, stop]).catch((e: unknown) => {
    void connecting.then((b) => b.disconnect()).catch(() => undefined);
    throw e;
  });
}

/** A browser this program connected to and does not own: it has no blank tab of ours and is never closed here. */
export const isShared = (browser: Browser): boolean => shared.has(browser);

/** The Chromium process behind a browser from launchBrowser. */
export function browserProcess(browser: Browser): ChildProcess | undefined {
  return started.get(browser)?.child ?? browser.process() ?? undefined;
}

/**
 * Stop a browser from launchBrowser without waiting for Chromium's orderly shutdown (about
 * 0.2 s): whatever it printed is already in hand and its profile is a temporary one. The whole
 * process group (renderers, zygotes, utilities) gets SIGKILL at once, then the profile goes.
 * Any other browser is closed as usual.
 */
export async function closeBrowser(browser: Browser): Promise<void> {
  if (shared.has(browser)) return browser.disconnect();
  const own = started.get(browser);
  if (!own) return browser.close();
  started.delete(browser);
  await browser.disconnect().catch(() => undefined);
  own.kill();
  await own.exited;
}
