/**
 * Figures to files: PNG through headless Chromium (playwright-core drives the system browser, plotly.js runs in the page),
 * and standalone interactive HTML.
 *
 * One browser per process, launched on first use (about 4 s) and reused (about 50 ms per PNG afterwards). Close it with
 * `closeRenderer()` (or wrap work in `withRenderer`). As a safety net for scripts that forget, the browser also closes
 * itself after `idle` seconds without work (default 30 s): an open browser keeps Node's event loop alive, and a CI job
 * must not hang on it.
 *
 * HTML and plotly.js: plotly.min.js is 4.8 MB. By default ('sibling') the HTML references `plotly.min.js` in its own
 * folder and the renderer copies it there once per folder, so a folder of twenty figures carries one copy, not twenty.
 * Use `plotlyJs: 'inline'` for a single self-contained file you can mail around, or `{ src }` to point at a shared copy.
 */
import * as fs from 'fs';
import * as path from 'path';
import { projectPath } from '../util/paths';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM_ARGS, ChromiumMissingError, findChromium } from './chromium';
import { assertFigure, Figure } from './figure';

export const DEFAULT_WIDTH = 700;
export const DEFAULT_HEIGHT = 450;

/** How an HTML file gets plotly.js (see the file comment). */
export type PlotlyJsMode = 'sibling' | 'inline' | { src: string };

export interface ImageOptions {
  /** Pixels; default: the figure's layout.width/height, else 700 × 450. */
  width?: number;
  height?: number;
  /** Device-pixel ratio of the PNG (2 for crisp slides). Default 1. */
  scale?: number;
}

export interface RenderOptions extends ImageOptions {
  pngPath?: string;
  htmlPath?: string;
  plotlyJs?: PlotlyJsMode;
  /** <title> of the HTML page; default: the figure's title, else the file name. */
  title?: string;
}

export interface RenderResult {
  htmlPath?: string;
  pngPath?: string;
  /** The PNG bytes when a PNG was made. */
  png?: Buffer;
  /** Why the PNG was not made (Chromium missing), with the install command. */
  pngSkipped?: string;
}

/** Path of the plotly.min.js that ships in node_modules (3.1.1). */
export function plotlyJsPath(): string {
  return require.resolve('plotly.js-dist-min');
}

// ---------------------------------------------------------------------------------------------------------------------
// HTML

function pageSize(fig: Figure, o: ImageOptions): { width: number; height: number; scale: number } {
  const width = o.width ?? fig.layout?.width ?? DEFAULT_WIDTH;
  const height = o.height ?? fig.layout?.height ?? DEFAULT_HEIGHT;
  const scale = o.scale ?? 1;
  for (const [k, v] of Object.entries({ width, height, scale })) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new Error(`figure ${k}=${String(v)}; expected a positive number`);
  }
  return { width, height, scale };
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** JSON that is safe inside <script>: no '</script>' or '<!--' can appear (every '<' is escaped inside strings). */
export function scriptJson(v: unknown): string {
  return JSON.stringify(v).replace(/</g, '\\u003c');
}

/**
 * The standalone HTML page of a figure. With 'sibling' the page loads `plotly.min.js` from its own folder (renderFigure
 * copies it there); with 'inline' plotly.js is embedded (about 4.8 MB).
 */
export function figureHtml(fig: Figure, o: { plotlyJs?: PlotlyJsMode; title?: string } & ImageOptions = {}): string {
  assertFigure(fig);
  const { width, height } = pageSize(fig, o);
  const mode = o.plotlyJs ?? 'sibling';
  const pageTitle = o.title ?? fig.layout?.title?.text ?? 'figure';
  const script = mode === 'inline'
    ? `<script>${fs.readFileSync(plotlyJsPath(), 'utf8').replace(/<\/script/gi, '<\\/script')}</script>`
    : `<script src="${escapeHtml(mode === 'sibling' ? 'plotly.min.js' : mode.src)}"></script>`;
  // The layout keeps its own width/height if set; otherwise the div's size applies and the plot stays responsive.
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<title>${escapeHtml(pageTitle)}</title>`,
    script,
    '</head>',
    '<body style="margin:0">',
    `<div id="figure" style="width:${width}px;height:${height}px"></div>`,
    '<script>',
    `const figure = ${scriptJson({ data: fig.data, layout: fig.layout ?? {} })};`,
    "Plotly.newPlot('figure', figure.data, figure.layout, { responsive: true, displaylogo: false });",
    '</script>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** Copy plotly.min.js into `dir` unless an identical-size copy is already there. Returns its path. */
export function ensurePlotlyJs(dir: string): string {
  const src = plotlyJsPath();
  const dst = path.join(dir, 'plotly.min.js');
  const want = fs.statSync(src).size;
  if (!fs.existsSync(dst) || fs.statSync(dst).size !== want) {
    fs.mkdirSync(dir, { recursive: true });
    fs.copyFileSync(src, dst);
  }
  return dst;
}

/** Write the figure's HTML page (and, in 'sibling' mode, plotly.min.js next to it). */
export function writeFigureHtml(fig: Figure, htmlPath: string, o: { plotlyJs?: PlotlyJsMode; title?: string } & ImageOptions = {}): string {
  let mode = o.plotlyJs ?? 'sibling';
  fs.mkdirSync(path.dirname(htmlPath), { recursive: true });
  // Inside the project's figures/ tree every page shares one copy, figures/plotly.min.js (4.8 MB, committed once).
  const shared = projectPath('figures');
  const rel = path.relative(shared, path.resolve(htmlPath));
  if (mode === 'sibling' && !rel.startsWith('..') && !path.isAbsolute(rel)) {
    ensurePlotlyJs(shared);
    mode = { src: path.relative(path.dirname(path.resolve(htmlPath)), path.join(shared, 'plotly.min.js')).split(path.sep).join('/') };
  }
  if (mode === 'sibling') ensurePlotlyJs(path.dirname(htmlPath));
  fs.writeFileSync(htmlPath, figureHtml(fig, { ...o, plotlyJs: mode, title: o.title ?? fig.layout?.title?.text ?? path.basename(htmlPath, '.html') }));
  return htmlPath;
}

// ---------------------------------------------------------------------------------------------------------------------
// The shared browser

interface Session {
  browser: Browser;
  page: Page;
}

let session: Promise<Session> | undefined;
/** Serialises work on the single page (plotly.toImage calls do not need to overlap, and it keeps timings honest). */
let queue: Promise<unknown> = Promise.resolve();
let idleTimer: NodeJS.Timeout | undefined;
let idleSeconds: number | null = 30;

/**
 * Seconds without rendering after which the shared browser closes itself (null: never; then closeRenderer() is the only
 * way out and a forgetful script hangs). The next render relaunches it.
 */
export function setRendererIdleTimeout(seconds: number | null): void {
  if (seconds !== null && !(Number.isFinite(seconds) && seconds > 0)) {
    throw new Error(`setRendererIdleTimeout(${seconds}): expected a positive number of seconds or null`);
  }
  idleSeconds = seconds;
  armIdleTimer();
}

function armIdleTimer(): void {
  if (idleTimer) clearTimeout(idleTimer);
  idleTimer = undefined;
  if (session && idleSeconds !== null) {
    idleTimer = setTimeout(() => void closeRenderer(), idleSeconds * 1000);
  }
}

async function launch(): Promise<Session> {
  const found = findChromium();
  if (!('path' in found)) throw new ChromiumMissingError(found.missing);
  // Loaded lazily: importing the report module must not cost playwright's start-up when no PNG is made.
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { chromium } = require('playwright-core') as typeof import('playwright-core');
  let browser: Browser;
  try {
    browser = await chromium.launch({ executablePath: found.path, args: [...CHROMIUM_ARGS] });
  } catch (e) {
    throw new Error(`could not launch Chromium at ${found.path}: ${(e as Error).message}`);
  }
  try {
    const page = await browser.newPage();
    await page.setContent('<!DOCTYPE html><html><body></body></html>');
    await page.addScriptTag({ path: plotlyJsPath() });
    return { browser, page };
  } catch (e) {
    await browser.close();
    throw e;
  }
}

async function getSession(): Promise<Session> {
  if (!session) {
    const s = launch();
    session = s;
    s.catch(() => {
      if (session === s) session = undefined; // a failed launch is retried on the next call
    });
  }
  return session;
}

/** Close the shared browser (no-op if none is open). Always call it at the end of a script that rendered PNGs. */
export async function closeRenderer(): Promise<void> {
  if (idleTimer) clearTimeout(idleTimer);
  idleTimer = undefined;
  const s = session;
  session = undefined;
  if (!s) return;
  try {
    await (await s).browser.close();
  } catch {
    // a failed launch has nothing to close
  }
}

/** Run `fn`, then close the browser whatever happens. */
export async function withRenderer<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } finally {
    await closeRenderer();
  }
}

/** Whether PNG output is possible here (Chromium found); the reason otherwise. */
export function pngAvailability(): { ok: boolean; reason?: string } {
  // A plain shape, not a discriminated union: tslab compiles notebook imports without strictNullChecks, where
  // `if (!x.ok) x.reason` does not narrow.
  const found = findChromium();
  return 'path' in found ? { ok: true } : { ok: false, reason: found.missing };
}

/** Render the figure to PNG bytes. Throws ChromiumMissingError (with the install command) when there is no browser. */
export async function figureToPng(fig: Figure, o: ImageOptions = {}): Promise<Buffer> {
  assertFigure(fig);
  const size = pageSize(fig, o);
  const job = queue.then(async () => {
    const { page } = await getSession();
    if (idleTimer) clearTimeout(idleTimer);
    try {
      const url = await page.evaluate(
        async ({ fig, size }) => {
          // Plotly is the page global added by launch(); this function runs inside Chromium.
          const P = (globalThis as unknown as { Plotly: { toImage: (f: unknown, o: unknown) => Promise<string> } }).Plotly;
          return P.toImage({ data: fig.data, layout: fig.layout ?? {} }, { format: 'png', ...size });
        },
        { fig: { data: fig.data, layout: fig.layout }, size },
      );
      const comma = url.indexOf(',');
      if (!url.startsWith('data:image/png;base64,') || comma < 0) throw new Error(`plotly returned no PNG data URL (got ${url.slice(0, 40)}…)`);
      return Buffer.from(url.slice(comma + 1), 'base64');
    } finally {
      armIdleTimer();
    }
  });
  queue = job.catch(() => undefined);
  return job;
}

let warnedNoPng = false;

/**
 * Write a figure as PNG and/or HTML. The HTML is written even when Chromium is missing; the PNG is then skipped with a
 * warning (once per process) and `pngSkipped` says why and what to install.
 */
export async function renderFigure(fig: Figure, o: RenderOptions): Promise<RenderResult> {
  assertFigure(fig);
  if (!o.pngPath && !o.htmlPath) throw new Error('renderFigure: give pngPath and/or htmlPath');
  const out: RenderResult = {};
  if (o.htmlPath) out.htmlPath = writeFigureHtml(fig, o.htmlPath, o);
  if (o.pngPath) {
    const avail = pngAvailability();
    if (!avail.ok) {
      out.pngSkipped = `PNG ${o.pngPath} skipped: ${avail.reason}`;
      if (!warnedNoPng) {
        console.warn(`[report] ${out.pngSkipped}`);
        warnedNoPng = true;
      }
      return out;
    }
    const png = await figureToPng(fig, o);
    fs.mkdirSync(path.dirname(o.pngPath), { recursive: true });
    fs.writeFileSync(o.pngPath, png);
    out.png = png;
    out.pngPath = o.pngPath;
  }
  return out;
}
