// Finding and starting Chromium. puppeteer-core never downloads a browser: we use the one
// installed on the machine and say how to get one when there is none.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'puppeteer-core';

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

export async function launchBrowser(): Promise<Browser> {
  const executablePath = findBrowser();
  // puppeteer-core is loaded only when something is printed: check and stats start faster.
  const { default: puppeteer } = await import('puppeteer-core');
  return puppeteer.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
}
