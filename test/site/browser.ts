/**
 * Shared by the site and Notebook tests: a headless Chromium page that records every console error, page error and
 * failed request, so a test can assert "nothing went wrong" rather than only "something was drawn".
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, findChromium } from '../../src/report/chromium';

export const chromiumLookup = findChromium();
export const hasChromium = 'path' in chromiumLookup;

export interface WatchedPage {
  page: Page;
  /** console.error messages, uncaught page errors and failed/4xx-5xx requests, in order. */
  problems: string[];
}

export async function launch(): Promise<Browser> {
  if (!('path' in chromiumLookup)) throw new Error(chromiumLookup.missing);
  return chromium.launch({ executablePath: chromiumLookup.path, args: [...CHROMIUM_ARGS] });
}

/** A new page (own context, so pages do not share caches) whose problems are collected. */
export async function watchedPage(browser: Browser, viewport = { width: 1280, height: 900 }): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console.error: ${m.text()} (${m.location().url})`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} (${r.failure()?.errorText ?? '?'})`));
  page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
  return { page, problems };
}

/** Move the mouse over the middle of the first plotly plot area inside `root` and return plotly's hover text, if any. */
export async function hoverFirstPlot(page: Page, rootSelector: string): Promise<string | null> {
  // plotly draws hover labels in `.hoverlayer`; the drag layer (`.nsewdrag`) is the plot area that receives the mouse
  const area = page.locator(`${rootSelector} .js-plotly-plot .nsewdrag`).first();
  await area.scrollIntoViewIfNeeded();
  const box = await area.boundingBox();
  if (!box) return null;
  // sweep a few points across the middle: a point in a gap between markers gives no label (hovermode 'closest')
  for (const fx of [0.5, 0.3, 0.7, 0.1, 0.9]) {
    await page.mouse.move(box.x + box.width * fx, box.y + box.height * 0.5, { steps: 4 });
    try {
      await page.locator(`${rootSelector} .hoverlayer .hovertext`).first().waitFor({ state: 'attached', timeout: 1500 });
      return await page.locator(`${rootSelector} .hoverlayer .hovertext`).first().textContent();
    } catch {
      // try the next point
    }
  }
  return null;
}
