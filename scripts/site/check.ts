/**
 * Check a built course site the way a reader meets it: served over HTTP from its folder (as a teacher would host it) and
 * opened in headless Chromium (the system browser, through playwright-core). For every page:
 *   - it loads with no console error, no uncaught exception, no failed request and no request leaving the server;
 *   - no link or resource is a file:// URL or points outside the site (every href/src is relative, http(s) or data:);
 *   - on chapter pages: MathJax typeset every formula the page has (mjx-container count = the manifest's), every
 *     interactive figure was drawn by plotly.js (`.js-plotly-plot` count = the manifest's), and the first one shows
 *     plotly's hover label when the mouse is over it;
 *   - a full-page screenshot (JPEG) is written for review.
 *   npx tsx scripts/site/check.ts [SITE_DIR]      (default site/; or npm run site -- --check, which builds first)
 */
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import type { AddressInfo } from 'net';
import { chromium, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, requireChromium } from '../../src/report/chromium';
import type { SiteManifest } from './manifest';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json',
  '.woff': 'font/woff', '.woff2': 'font/woff2', '.png': 'image/png', '.svg': 'image/svg+xml',
};

/** A static file server for `dir` on 127.0.0.1 and a free port (only GET, only files inside dir). */
export async function serve(dir: string): Promise<{ url: string; close: () => Promise<void> }> {
  const root = path.resolve(dir);
  const server = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const rel = decodeURIComponent(u.pathname).replace(/^\/+/, '') || 'index.html';
    const file = path.resolve(root, rel);
    if (!file.startsWith(root + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404).end(`not found: ${u.pathname}`);
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) };
}

export interface PageCheck {
  file: string;
  problems: string[];
  formulas: number;
  figures: number;
  hover: string | null;
  screenshot?: string;
}
export interface CheckReport {
  pages: PageCheck[];
  failures: string[];
  lines: string[];
}

async function hoverFirstFigure(page: Page): Promise<string | null> {
  const area = page.locator('figure.plotly-figure .js-plotly-plot .nsewdrag').first();
  await area.scrollIntoViewIfNeeded();
  const box = await area.boundingBox();
  if (!box) return null;
  // a few points across the middle: one in a gap between markers gives no label
  for (const fx of [0.5, 0.3, 0.7, 0.1, 0.9, 0.4, 0.6]) {
    await page.mouse.move(box.x + box.width * fx, box.y + box.height * 0.5, { steps: 3 });
    const label = page.locator('figure.plotly-figure .hoverlayer .hovertext').first();
    try {
      await label.waitFor({ state: 'attached', timeout: 1000 });
      return (await label.textContent()) ?? '';
    } catch {
      // next point
    }
  }
  return null;
}

export async function checkSite(
  manifest: SiteManifest, opts: { screenshots?: string; only?: string[]; log?: (line: string) => void } = {},
): Promise<CheckReport> {
  const srv = await serve(manifest.outDir);
  const browser = await chromium.launch({ executablePath: requireChromium(), args: [...CHROMIUM_ARGS] });
  const report: CheckReport = { pages: [], failures: [], lines: [] };
  try {
    const targets: { file: string; formulas: number; figures: number }[] = [
      { file: 'index.html', formulas: 0, figures: 0 },
      ...manifest.pages.map((p) => ({ file: p.file, formulas: p.mathBlocks, figures: p.plotlyFigures })),
    ].filter((t) => !opts.only || opts.only.includes(t.file));
    if (opts.screenshots) fs.mkdirSync(opts.screenshots, { recursive: true });
    for (const t of targets) {
      const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
      page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
      page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`));
      page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
      page.on('request', (r) => {
        const u = r.url();
        if (!u.startsWith(srv.url) && !u.startsWith('data:') && !u.startsWith('blob:') && u !== 'about:blank') {
          problems.push(`request outside the site: ${u}`);
        }
      });
      await page.goto(`${srv.url}/${t.file}`, { waitUntil: 'load', timeout: 120_000 });
      const badLinks = await page.evaluate(() => [...document.querySelectorAll('[href],[src]')]
        .map((e) => e.getAttribute('href') ?? e.getAttribute('src') ?? '')
        .filter((u) => /^file:/i.test(u) || /^\/(?!\/)/.test(u) || /^[a-z]:\\/i.test(u)));
      for (const b of badLinks) problems.push(`link not relative to the site: ${b}`);
      let formulas = 0;
      if (t.formulas > 0) {
        await page.waitForFunction(() => (window as unknown as { MathJax?: { startup?: { promise?: Promise<unknown> } } })
          .MathJax?.startup?.promise !== undefined, undefined, { timeout: 60_000 });
        await page.evaluate(() => (window as unknown as { MathJax: { startup: { promise: Promise<unknown> } } }).MathJax.startup.promise);
        formulas = await page.evaluate(() => document.querySelectorAll('mjx-container').length);
        const errors = await page.evaluate(() => [...document.querySelectorAll('mjx-merror')].map((e) => e.textContent));
        for (const e of errors) problems.push(`MathJax error: ${e}`);
        if (formulas !== t.formulas) problems.push(`MathJax typeset ${formulas} formulas, the page has ${t.formulas}`);
      }
      let figures = 0;
      let hover: string | null = null;
      if (t.figures > 0) {
        await page.evaluate(() => (window as unknown as { seqpeDrawAllFigures?: () => void }).seqpeDrawAllFigures?.());
        try {
          await page.waitForFunction((n) => document.querySelectorAll('figure.plotly-figure.drawn .js-plotly-plot').length >= n,
            t.figures, { timeout: 120_000 });
        } catch {
          // counted below
        }
        figures = await page.evaluate(() => document.querySelectorAll('figure.plotly-figure.drawn .js-plotly-plot').length);
        if (figures !== t.figures) problems.push(`plotly drew ${figures} figures, the page has ${t.figures}`);
        hover = await hoverFirstFigure(page);
        if (!hover) problems.push('no plotly hover label over the first figure');
      }
      let screenshot: string | undefined;
      if (opts.screenshots) {
        // the whole page, as JPEG: chapters are 5 000–15 000 px tall, and a PNG of that takes long to encode
        screenshot = path.join(opts.screenshots, t.file.replace(/\.html$/, '.jpg'));
        await page.screenshot({ path: screenshot, fullPage: true, type: 'jpeg', quality: 70, timeout: 180_000 });
      }
      await context.close();
      report.pages.push({ file: t.file, problems, formulas, figures, hover, screenshot });
      const line = `  ${problems.length === 0 ? 'ok  ' : 'FAIL'} ${t.file}: ${formulas} formulas typeset, ` +
        `${figures} figures drawn${hover !== null ? `, hover label "${hover.slice(0, 40)}"` : ''}`;
      report.lines.push(line);
      opts.log?.(line);
      for (const p of problems) report.failures.push(`${t.file}: ${p}`);
    }
  } finally {
    await browser.close();
    await srv.close();
  }
  return report;
}

if (require.main === module) {
  const dir = path.resolve(process.argv[2] ?? path.join(__dirname, '../../site'));
  const mf = path.join(dir, 'manifest.json');
  if (!fs.existsSync(mf)) {
    console.error(`site check: ${mf} not found: build the site first (npm run site)`);
    process.exit(1);
  }
  const manifest: SiteManifest = { ...JSON.parse(fs.readFileSync(mf, 'utf8')), outDir: dir };
  checkSite(manifest, { screenshots: path.join(dir, 'screenshots'), log: (l) => console.log(l) }).then((r) => {
    for (const f of r.failures) console.error(`site check FAILED: ${f}`);
    process.exit(r.failures.length > 0 ? 1 : 0);
  }, (e) => {
    console.error((e as Error).message);
    process.exit(1);
  });
}
