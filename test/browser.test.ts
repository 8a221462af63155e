// launchBrowser starts Chromium itself (before puppeteer-core is loaded) with the switches
// puppeteer.launch would use: printing must not depend on which of the two started it.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import puppeteer from 'puppeteer-core';
import { CHROMIUM_ARGS, PUPPETEER_ARGS, browserProcess, closeBrowser, launchBrowser } from '../src/print/browser.js';

describe('launchBrowser', () => {
  it('passes exactly the switches puppeteer.launch would', () => {
    expect(PUPPETEER_ARGS.concat(CHROMIUM_ARGS)).toEqual(puppeteer.defaultArgs({ headless: true, args: [...CHROMIUM_ARGS] }));
  });

  it('leaves no process and no profile behind when closed', async () => {
    const before = new Set(readdirSync(tmpdir()));
    const browser = await launchBrowser();
    const pid = browserProcess(browser)!.pid!;
    const profile = readdirSync(tmpdir()).find((f) => f.startsWith('tongbao-chromium-') && !before.has(f));
    expect(profile).toBeDefined();
    await closeBrowser(browser);
    expect(existsSync(`${tmpdir()}/${profile}`)).toBe(false);
    // The whole process group is gone (zombies waiting for a reaper aside).
    const alive = readdirSync('/proc')
      .filter((p) => /^\d+$/.test(p))
      .filter((p) => {
        try {
          const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
          const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
          return Number(pgrp) === pid && state !== 'Z';
        } catch {
          return false; // exited meanwhile
        }
      });
    expect(alive).toEqual([]);
  });
});
