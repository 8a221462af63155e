// An image (the seal, PNG or SVG as a data URL) drawn by Chromium into a PNG with its
// transparency, at print resolution: what a signature's appearance shows. A tab of its own,
// scripts off, every request refused (a data URL needs none).
import type { Browser } from 'puppeteer-core';
import { openTab } from './pdf.js';

/** Pixels per millimetre of the raster: 400 dpi, sharper than any office printer needs. */
const PX_PER_MM = 400 / 25.4;

export async function rasterize(browser: Browser, dataUrl: string, widthMm: number, heightMm: number): Promise<Buffer> {
  const tab = await openTab(browser);
  try {
    const { page } = tab;
    page.on('request', (r) => void (r.url().startsWith('data:') ? r.continue() : r.abort()).catch(() => undefined));
    const width = Math.round(widthMm * PX_PER_MM);
    const height = Math.round(heightMm * PX_PER_MM);
    await page.setViewport({ width, height, deviceScaleFactor: 1 });
    await page.setContent(`<!DOCTYPE html><html><body style="margin:0;background:transparent"><img alt="" src="${dataUrl.replace(/"/g, '%22')}" style="display:block;width:${width}px;height:${height}px;object-fit:contain"></body></html>`, { waitUntil: 'load' });
    return Buffer.from(await page.screenshot({ type: 'png', omitBackground: true, clip: { x: 0, y: 0, width, height } }));
  } finally {
    await tab.close();
  }
}
