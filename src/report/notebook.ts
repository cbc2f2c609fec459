/**
 * Showing figures and tables in tslab notebooks.
 *
 * A figure is sent as ONE multi-mime display bundle: `image/png` (shown by classic Notebook, nbconvert's HTML export and
 * GitHub), `application/vnd.plotly.v1+json` (drawn interactively by JupyterLab's plotly renderer) and `text/plain`.
 * tslab's public `display` API sends one mime type per call, so the bundle goes through tslab's internal
 * `lastWriteDisplayData` (tslab 1.0.22, dist/jupyter.js), the hook its own display functions use.
 *
 * Outside a tslab kernel (tsx scripts, tests) the same calls print the text/plain (or markdown) form to stdout, so code
 * shared between notebooks and scripts needs no branches.
 */
import * as fs from 'fs';
import * as path from 'path';
import { downsampleHeatmaps, type Figure } from './figure';
import { escapeHtml, markdownToHtml } from './markdown';
import { figureToPng, pngAvailability, renderFigure, ImageOptions, DEFAULT_WIDTH, DEFAULT_HEIGHT } from './render';
import { PROJECT_ROOT } from '../util/paths';
import { FormatOptions, TableInput, tableToHtml, tableToMarkdown, toTable } from './tables';

/** mime type → content (strings, base64 for binary, or JSON for `application/…+json`). */
export type MimeBundle = Record<string, unknown>;

export const PLOTLY_MIME = 'application/vnd.plotly.v1+json';

type WriteDisplayData = (d: { data: MimeBundle; metadata: Record<string, unknown>; transient: Record<string, unknown> }, update: boolean) => void;

let jupyterModulePath: string | null | undefined;

/**
 * tslab's current display writer, or undefined when not running inside a tslab kernel. We only look at a tslab module
 * that is already loaded (the kernel loaded it): requiring it here would pull zeromq and TypeScript into plain scripts.
 * Inside the kernel this resolves to the very module instance the kernel uses (same file under node_modules/tslab).
 */
function tslabWriter(): WriteDisplayData | undefined {
  if (jupyterModulePath === undefined) {
    try {
      jupyterModulePath = require.resolve('tslab/dist/jupyter');
    } catch {
      jupyterModulePath = null;
    }
  }
  if (!jupyterModulePath) return undefined;
  const mod = require.cache[jupyterModulePath];
  const write = (mod?.exports as { lastWriteDisplayData?: WriteDisplayData | null } | undefined)?.lastWriteDisplayData;
  return write ?? undefined;
}

/** Whether output goes to a tslab notebook cell (else to stdout). */
export function inNotebook(): boolean {
  return tslabWriter() !== undefined;
}

/** Send a display bundle to the current cell; outside a notebook print its text/markdown/plain form. */
export function showBundle(bundle: MimeBundle, metadata: Record<string, unknown> = {}): void {
  const write = tslabWriter();
  if (write) {
    write({ data: bundle, metadata, transient: {} }, false);
    return;
  }
  const text = bundle['text/markdown'] ?? bundle['text/plain'];
  console.log(typeof text === 'string' ? text : JSON.stringify(text));
}

/**
 * Send a bundle under a display id: the first call shows it, later calls with `update` replace it in place (Jupyter's
 * update_display_data, which tslab 1.0.22 sends when its writer's second argument is true; nbclient applies it to the
 * saved notebook too). Returns false outside a notebook (nothing sent).
 */
export function sendDisplay(bundle: MimeBundle, displayId: string, update: boolean, metadata: Record<string, unknown> = {}): boolean {
  const write = tslabWriter();
  if (!write) return false;
  write({ data: bundle, metadata, transient: { display_id: displayId } }, update);
  return true;
}

/** One-line description of a figure for text/plain: its title and traces. */
export function describeFigure(fig: Figure): string {
  const t = fig.layout?.title?.text;
  const traces = fig.data.map((d) => `${d.type ?? 'scatter'}${d.name ? ` '${d.name}'` : ''}`).join(', ');
  return `plotly figure${t ? ` "${t}"` : ''}: ${fig.data.length} trace${fig.data.length === 1 ? '' : 's'} (${traces})`;
}

/**
 * Largest plotly JSON (characters) stored in a notebook output. Big heatmaps (a 256×256 similarity map is ~0.5 MB of
 * JSON) would make the committed notebooks tens of MB: above this size the interactive copy's heatmaps are
 * block-averaged (to ≤ 200 cells per side, then smaller until it fits; its title says so) while the PNG stays full size.
 */
export const MAX_INLINE_PLOTLY_CHARS = 150_000;

/** Per-side limits tried, in order, when a figure's plotly JSON is too large to store inline. */
const DOWNSAMPLE_SIDES = [200, 128, 100, 64, 50, 32];

/**
 * The display bundle of a figure: plotly JSON + text/plain, plus image/png when PNG bytes are given. `size` is written
 * into the plotly layout (unless it has its own), so the interactive chart has the PNG's size. A spec over
 * MAX_INLINE_PLOTLY_CHARS has its heatmaps downsampled; only if that cannot bring it under the limit is it left out.
 */
export function figureBundle(fig: Figure, png?: Buffer, note?: string, size?: { width: number; height: number }): MimeBundle {
  const layout = { ...(fig.layout ?? {}) };
  if (size) {
    layout.width = layout.width ?? size.width;
    layout.height = layout.height ?? size.height;
  }
  let spec: Figure = { data: fig.data, layout };
  let block = 1;
  for (const side of DOWNSAMPLE_SIDES) {
    if (JSON.stringify(spec).length <= MAX_INLINE_PLOTLY_CHARS) break;
    const d = downsampleHeatmaps({ data: fig.data, layout }, side);
    if (d.block === 1) break; // nothing to downsample: the size comes from elsewhere
    spec = d.figure;
    block = d.block;
  }
  const inline = JSON.stringify(spec).length <= MAX_INLINE_PLOTLY_CHARS;
  const notes = [
    note,
    inline && block > 1 ? `(interactive copy block-averaged ${block}×${block}; the PNG is full size)` : undefined,
    inline ? undefined : '(interactive version not stored inline: too large even downsampled; see the figure’s .html file)',
  ];
  const bundle: MimeBundle = { 'text/plain': [describeFigure(fig), ...notes.filter(Boolean)].join('\n') };
  if (inline) bundle[PLOTLY_MIME] = spec;
  if (png) bundle['image/png'] = png.toString('base64');
  return bundle;
}

/**
 * Show a figure inline: PNG (rendered by the shared headless Chromium) + interactive plotly JSON + text. Without
 * Chromium the PNG is left out and the text says what to install; the cell does not fail.
 */
export async function showFigure(fig: Figure, o: ImageOptions = {}): Promise<void> {
  const width = o.width ?? fig.layout?.width ?? DEFAULT_WIDTH;
  const height = o.height ?? fig.layout?.height ?? DEFAULT_HEIGHT;
  const avail = pngAvailability();
  if (!avail.ok) {
    showBundle(figureBundle(fig, undefined, `(PNG skipped: ${avail.reason})`, { width, height }));
    return;
  }
  const png = await figureToPng(fig, { ...o, width, height });
  // width/height metadata: a scale-2 PNG still displays at its logical size.
  showBundle(figureBundle(fig, png, undefined, { width, height }), { 'image/png': { width, height } });
}

/**
 * Show a figure inline AND save it as `<basePath>.png` + `.html` (relative paths are taken from the project root),
 * rendering the PNG once for both.
 */
export async function showAndSaveFigure(fig: Figure, basePath: string, o: ImageOptions = {}): Promise<void> {
  const width = o.width ?? fig.layout?.width ?? DEFAULT_WIDTH;
  const height = o.height ?? fig.layout?.height ?? DEFAULT_HEIGHT;
  const base = path.resolve(PROJECT_ROOT, basePath);
  const r = await renderFigure(fig, { ...o, width, height, pngPath: `${base}.png`, htmlPath: `${base}.html` });
  if (r.png) showBundle(figureBundle(fig, r.png, undefined, { width, height }), { 'image/png': { width, height } });
  else showBundle(figureBundle(fig, undefined, `(${r.pngSkipped ?? 'PNG skipped'})`, { width, height }));
  const rel = path.relative(PROJECT_ROOT, base);
  console.log(`saved ${r.png ? `${rel}.png and ` : ''}${rel}.html`);
}

/**
 * The plotly figure inside a page written by render.ts's figureHtml (`const figure = {…};`), with the page's div size
 * as layout width/height when the layout has none; undefined when the page is missing or holds no figure.
 */
export function figureFromHtml(htmlFile: string): Figure | undefined {
  if (!fs.existsSync(htmlFile)) return undefined;
  const html = fs.readFileSync(htmlFile, 'utf8');
  const m = /^const figure = (.*);$/m.exec(html);
  if (!m) return undefined;
  const fig = JSON.parse(m[1]) as Figure; // scriptJson's \u003c escapes are plain JSON
  const div = /<div id="figure" style="width:(\d+)px;height:(\d+)px">/.exec(html);
  fig.layout = { ...(fig.layout ?? {}) };
  if (div) {
    fig.layout.width = fig.layout.width ?? Number(div[1]);
    fig.layout.height = fig.layout.height ?? Number(div[2]);
  }
  return fig;
}

/**
 * Show a figure written earlier (e.g. by the experiment reports): its PNG at its own size, and, read back from the
 * .html page next to it, the interactive plotly spec (downsampled like every inline figure). A missing PNG prints where
 * the interactive .html is instead (PNG export needs Chromium) and still sends the spec.
 */
export function showImageFile(file: string): void {
  const abs = path.resolve(PROJECT_ROOT, file);
  const rel = path.relative(PROJECT_ROOT, abs);
  const htmlFile = abs.replace(/\.png$/, '.html');
  const fig = htmlFile !== abs ? figureFromHtml(htmlFile) : undefined;
  if (!fs.existsSync(abs)) {
    console.log(`${rel} was not written (no Chromium for PNG export?); open ${rel.replace(/\.png$/, '.html')} instead`);
    if (fig) showBundle(figureBundle(fig));
    return;
  }
  const png = fs.readFileSync(abs);
  // PNG header: width and height are big-endian uint32 at bytes 16 and 20.
  const size = { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
  if (fig) {
    const bundle = figureBundle(fig, png, undefined, size);
    bundle['text/plain'] = `${rel} (${size.width}×${size.height}): ${bundle['text/plain']}`;
    showBundle(bundle, { 'image/png': size });
    return;
  }
  showBundle({ 'image/png': png.toString('base64'), 'text/plain': `${rel} (${size.width}×${size.height})` }, { 'image/png': size });
}

/** Show a table (DataFrame, {columns, rows} or row objects) as HTML, with Markdown and plain-text fallbacks. */
export function showTable(input: TableInput, o: FormatOptions & { caption?: string; maxRows?: number } = {}): void {
  let t = toTable(input);
  const total = t.rows.length;
  if (o.maxRows !== undefined) {
    if (!Number.isInteger(o.maxRows) || o.maxRows < 1) throw new Error(`showTable: maxRows=${o.maxRows}; expected a positive integer`);
    if (total > o.maxRows) t = { columns: t.columns, rows: t.rows.slice(0, o.maxRows) };
  }
  const more = total > t.rows.length ? `\n(${total - t.rows.length} more rows not shown)` : '';
  const md = (o.caption ? `**${o.caption}**\n\n` : '') + tableToMarkdown(t, o) + more;
  showBundle({
    'text/html': tableToHtml(t, o) + (more ? `<p>${more.trim()}</p>` : ''),
    'text/markdown': md,
    'text/plain': md,
  });
}

/**
 * Show Markdown (e.g. a sentence built from computed numbers), also as HTML (markdown.ts: the subset the chapters use,
 * every value escaped): an untrusted classic Notebook renders text/html outputs but shows text/markdown as raw text.
 */
export function showMarkdown(md: string): void {
  showBundle({ 'text/html': markdownToHtml(md), 'text/markdown': md, 'text/plain': md });
}
