/**
 * One executed chapter (.ipynb) → the body of its course-site page.
 *
 * Outputs, best first (what a reader with a browser should see):
 *   application/vnd.plotly.v1+json → an interactive figure (drawn by assets/site.js with the bundled plotly.js), with the
 *                                    PNG of the same bundle in <noscript>
 *   text/html                      → as is (the chapters' tables; our own executed output, not third-party content)
 *   text/markdown                  → rendered (the computed conclusions)
 *   image/png, image/jpeg          → <img> with a data: URL (the page stays one file plus the shared assets)
 *   image/svg+xml, text/plain      → inline / preformatted
 * Streams are shown as preformatted text (consecutive writes merged), errors with their traceback (ANSI codes removed).
 *
 * Plumbing cells (imports, set-up, clean-up) are shown collapsed in a <details> (their outputs stay visible). A code cell is
 * plumbing when (1) its metadata tags contain "plumbing", or (2) its first line is a `// plumbing` comment, or, by
 * convention when unmarked, (3) it is the chapter's first code cell and starts with an import, or (4) every statement in
 * it is clean-up: `x.dispose()`, `await closeRenderer()`, a `console.log` of tensors alive. `// not plumbing` as first
 * line (or the tag "not-plumbing") overrides (3) and (4).
 */
import { escapeHtml, renderMarkdown } from './markdown';

export const PLOTLY_MIME = 'application/vnd.plotly.v1+json';

export interface IpynbOutput {
  output_type: 'stream' | 'display_data' | 'execute_result' | 'error' | string;
  name?: string;
  text?: string | string[];
  data?: Record<string, unknown>;
  ename?: string;
  evalue?: string;
  traceback?: string[];
}
export interface IpynbCell {
  cell_type: 'markdown' | 'code' | 'raw' | string;
  source: string | string[];
  metadata?: { tags?: string[]; [k: string]: unknown };
  outputs?: IpynbOutput[];
}
export interface Ipynb {
  cells: IpynbCell[];
  metadata?: { seqpe?: { profile?: string }; [k: string]: unknown };
}

/** What a page holds, for the index and for the checks (test/site). */
export interface PageSummary {
  title: string;
  /** First paragraph of the first markdown cell after its heading, as plain text. */
  blurb: string;
  profile: string | null;
  codeCells: number;
  executedCells: number;
  plumbingCells: number;
  plotlyFigures: number;
  pngImages: number;
  mathBlocks: number;
}

const text = (s: string | string[] | undefined): string => (Array.isArray(s) ? s.join('') : s ?? '');
const stripAnsi = (s: string): string => s.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');

/** Why a code cell counts as plumbing, or null when it does not (rules in the file comment). */
export function plumbingReason(cell: IpynbCell, isFirstCodeCell: boolean): string | null {
  const src = text(cell.source);
  const tags = cell.metadata?.tags ?? [];
  const firstLine = src.split('\n', 1)[0].trim();
  if (tags.includes('not-plumbing') || /^\/\/\s*not plumbing\b/i.test(firstLine)) return null;
  if (tags.includes('plumbing')) return 'tagged plumbing';
  if (/^\/\/\s*plumbing\b/i.test(firstLine)) return 'marked // plumbing';
  if (isFirstCodeCell && /^import\b/.test(src.trimStart())) return 'imports and set-up';
  const statements = src.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('//'));
  const cleanUp = [
    /^await closeRenderer\(\);?$/,
    /^[\w.[\]'"]+\.dispose\(\);?$/,
    /^[\w.()[\]'"]+\.forEach\(\(\w+\) => \w+(\.\w+)*\.dispose\(\)\);?$/,
    /^console\.log\(`[^`]*tensors alive[^`]*`\);?$/,
  ];
  if (statements.length > 0 && statements.every((l) => cleanUp.some((re) => re.test(l)))) return 'clean-up';
  return null;
}

/** JSON inside <script type="application/json">: `<` escaped so no `</script>` or `<!--` can end the element early. */
export function jsonForScript(v: unknown): string {
  return JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

interface RenderState {
  figures: number;
  pngs: number;
  pageId: string;
}

function renderRich(data: Record<string, unknown>, st: RenderState): string {
  const png = typeof data['image/png'] === 'string' ? (data['image/png'] as string).replace(/\s+/g, '') : undefined;
  const alt = escapeHtml(text(data['text/plain'] as string | string[] | undefined).slice(0, 300));
  const fig = data[PLOTLY_MIME] as { data?: unknown[]; layout?: Record<string, unknown> } | undefined;
  if (fig && Array.isArray(fig.data)) {
    const id = `${st.pageId}-fig-${++st.figures}`;
    const fallback = png ? `<noscript><img alt="${alt}" src="data:image/png;base64,${png}"></noscript>` : '';
    return `<figure class="output plotly-figure" id="${id}" aria-label="${alt}">` +
      `<script type="application/json" class="plotly-spec">${jsonForScript({ data: fig.data, layout: fig.layout ?? {} })}</script>` +
      `${fallback}</figure>`;
  }
  if (typeof data['text/html'] === 'string' || Array.isArray(data['text/html'])) {
    return `<div class="output output-html tex2jax_ignore">${text(data['text/html'] as string)}</div>`;
  }
  if (data['text/markdown'] !== undefined) {
    return `<div class="output output-markdown">${renderMarkdown(text(data['text/markdown'] as string))}</div>`;
  }
  if (png) {
    st.pngs++;
    return `<figure class="output"><img alt="${alt}" src="data:image/png;base64,${png}"></figure>`;
  }
  if (typeof data['image/jpeg'] === 'string') {
    st.pngs++;
    return `<figure class="output"><img alt="${alt}" src="data:image/jpeg;base64,${(data['image/jpeg'] as string).replace(/\s+/g, '')}"></figure>`;
  }
  if (data['image/svg+xml'] !== undefined) {
    return `<figure class="output">${text(data['image/svg+xml'] as string)}</figure>`;
  }
  if (data['text/plain'] !== undefined) {
    return `<pre class="output output-text">${escapeHtml(stripAnsi(text(data['text/plain'] as string)))}</pre>`;
  }
  return `<p class="output output-unknown">(an output of type ${escapeHtml(Object.keys(data).join(', '))} that this page cannot show)</p>`;
}

function renderOutputs(outputs: IpynbOutput[], st: RenderState): string {
  const html: string[] = [];
  let stream: { name: string; text: string } | null = null;
  const flush = () => {
    if (stream) html.push(`<pre class="output stream ${escapeHtml(stream.name)}">${escapeHtml(stripAnsi(stream.text))}</pre>`);
    stream = null;
  };
  for (const o of outputs) {
    if (o.output_type === 'stream') {
      const name = o.name ?? 'stdout';
      if (stream && stream.name === name) stream.text += text(o.text);
      else { flush(); stream = { name, text: text(o.text) }; }
      continue;
    }
    flush();
    if (o.output_type === 'error') {
      const tb = stripAnsi((o.traceback ?? []).join('\n')) || `${o.ename}: ${o.evalue}`;
      html.push(`<pre class="output error">${escapeHtml(tb)}</pre>`);
    } else if (o.data) {
      html.push(renderRich(o.data, st));
    }
  }
  flush();
  return html.join('\n');
}

/** Plain text of a bit of HTML (for titles and blurbs). */
export function plainText(html: string): string {
  return html.replace(/<[^>]*>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&').replace(/\s+/g, ' ').trim();
}

export interface RenderedChapter {
  body: string;
  summary: PageSummary;
  /** [id, text] of the h2 headings, for the page's table of contents. */
  toc: [string, string][];
}

export function renderNotebook(nb: Ipynb, pageId: string): RenderedChapter {
  if (!nb || !Array.isArray(nb.cells)) throw new Error(`${pageId}: not a notebook (no "cells" array)`);
  const st: RenderState = { figures: 0, pngs: 0, pageId };
  const parts: string[] = [];
  const toc: [string, string][] = [];
  let title = '';
  let blurb = '';
  let codeCells = 0, executed = 0, plumbing = 0, math = 0;
  let firstCode = true;
  nb.cells.forEach((cell, k) => {
    const src = text(cell.source);
    if (cell.cell_type === 'markdown') {
      const html = renderMarkdown(src);
      math += (html.match(/class="math /g) ?? []).length;
      for (const m of html.matchAll(/<h([12]) id="([^"]*)">([\s\S]*?)<\/h\1>/g)) {
        if (m[1] === '1' && !title) title = plainText(m[3]);
        else if (m[1] === '2') toc.push([m[2], plainText(m[3])]);
      }
      if (!blurb) {
        const p = /<p>([\s\S]*?)<\/p>/.exec(html);
        if (p) blurb = plainText(p[1]);
      }
      parts.push(`<section class="cell markdown">${html}</section>`);
      return;
    }
    if (cell.cell_type !== 'code') {
      parts.push(`<pre class="cell raw">${escapeHtml(src)}</pre>`);
      return;
    }
    codeCells++;
    const outputs = cell.outputs ?? [];
    if (outputs.length > 0) executed++;
    const why = plumbingReason(cell, firstCode);
    firstCode = false;
    const code = `<pre class="code"><code class="language-typescript">${escapeHtml(src)}</code></pre>`;
    const outHtml = renderOutputs(outputs, st);
    const outBlock = outHtml ? `<div class="outputs">${outHtml}</div>` : '';
    if (why) {
      plumbing++;
      const lines = src.split('\n').length;
      parts.push(`<section class="cell code plumbing" data-cell="${k}"><details><summary>${escapeHtml(why)} ` +
        `(${lines} line${lines === 1 ? '' : 's'} of code)</summary>${code}</details>${outBlock}</section>`);
    } else {
      parts.push(`<section class="cell code" data-cell="${k}">${code}${outBlock}</section>`);
    }
  });
  if (!title) title = pageId;
  return {
    body: parts.join('\n'),
    toc,
    summary: {
      title, blurb, profile: nb.metadata?.seqpe?.profile ?? null, codeCells, executedCells: executed,
      plumbingCells: plumbing, plotlyFigures: st.figures, pngImages: st.pngs, mathBlocks: math,
    },
  };
}

