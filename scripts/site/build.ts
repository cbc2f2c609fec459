/**
 * The course site: self-contained HTML of the executed chapters, for a teacher to host (any static file server).
 *
 *   npm run site                          every notebooks/NN-*.ipynb → site/ (git-ignored)
 *   npm run site -- --out DIR             elsewhere
 *   npm run site -- 01 05                 only the chapters whose names start with 01 / 05
 *   npm run site -- --check               then load every page in headless Chromium and check it (scripts/site/check.ts);
 *                                         screenshots go to DIR/screenshots/
 *
 * Layout of the output (relative links only, no CDN, nothing fetched from outside the folder):
 *   index.html                the chapter list (title, first paragraph, profile it was executed at)
 *   NN-name.html              one page per chapter: prose, code, outputs; plumbing cells collapsed (notebook-page.ts)
 *   assets/site.css, site.js  style; the script that draws the interactive figures
 *   assets/plotly.min.js      node_modules/plotly.js-dist-min (the version the chapters' figures were made with)
 *   assets/mathjax/           node_modules/mathjax/es5: tex-chtml.js with its fonts, TeX extensions and menu parts
 * The chapters are read as committed (executed) and never run: building takes seconds. A chapter without outputs is
 * still published, marked "not executed yet" on the index and on its page.
 */
import * as fs from 'fs';
import * as path from 'path';
import { escapeHtml } from './markdown';
import type { SiteManifest, SitePage } from './manifest';
import { Ipynb, PageSummary, renderNotebook } from './notebook-page';

const ROOT = path.resolve(__dirname, '../..');

export interface BuildOptions {
  notebooksDir?: string;
  outDir?: string;
  /** Prefixes of notebook names to include (default: all). */
  select?: string[];
  /** Folder holding plotly.js-dist-min and mathjax (default: the project's node_modules). */
  nodeModules?: string;
}

/** MathJax parts a page can need: the component, its fonts, the TeX extensions autoload pulls, and the menu's pieces. */
const MATHJAX_PARTS = ['tex-chtml.js', 'input', 'output', 'ui', 'a11y', 'sre', 'adaptors'];

function copyAssets(outDir: string, nodeModules: string): void {
  const assets = path.join(outDir, 'assets');
  fs.mkdirSync(assets, { recursive: true });
  for (const f of ['site.css', 'site.js']) fs.copyFileSync(path.join(__dirname, 'assets', f), path.join(assets, f));
  const plotly = path.join(nodeModules, 'plotly.js-dist-min', 'plotly.min.js');
  const mathjax = path.join(nodeModules, 'mathjax', 'es5');
  for (const [what, p] of [['plotly.js-dist-min', plotly], ['mathjax', mathjax]] as const) {
    if (!fs.existsSync(p)) throw new Error(`site: ${p} not found (${what} is a dependency: run npm ci)`);
  }
  fs.copyFileSync(plotly, path.join(assets, 'plotly.min.js'));
  const mjOut = path.join(assets, 'mathjax');
  fs.rmSync(mjOut, { recursive: true, force: true });
  for (const part of MATHJAX_PARTS) {
    const from = path.join(mathjax, part);
    if (fs.existsSync(from)) fs.cpSync(from, path.join(mjOut, part), { recursive: true });
  }
}

/** The <head> and page frame shared by the index and the chapters. */
function frame(title: string, body: string, opts: { math: boolean; figures: boolean }): string {
  // MathJax: $$…$$ and \(…\) only; the Markdown renderer turns the chapters' inline $…$ into \(…\), so a stray dollar
  // in a table or an output is never taken for math. Code, pre and outputs marked tex2jax_ignore are skipped.
  const mathjax = opts.math ? `
<script>
window.MathJax = {
  tex: { inlineMath: [['\\\\(', '\\\\)']], displayMath: [['$$', '$$'], ['\\\\[', '\\\\]']] },
  options: { ignoreHtmlClass: 'tex2jax_ignore', processHtmlClass: 'tex2jax_process' },
  chtml: { fontURL: 'assets/mathjax/output/chtml/fonts/woff-v2' },
  loader: { paths: { mathjax: 'assets/mathjax' } },
};
</script>
<script defer src="assets/mathjax/tex-chtml.js"></script>` : '';
  const plotly = opts.figures ? `
<script defer src="assets/plotly.min.js"></script>
<script defer src="assets/site.js"></script>` : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="assets/site.css">${mathjax}${plotly}
</head>
<body>
${body}
</body>
</html>
`;
}

function header(page?: { prev?: SitePage; next?: SitePage }): string {
  const parts = ['<a href="index.html">SeqPE in TypeScript — the chapters</a>'];
  if (page?.prev) parts.push(`<a href="${page.prev.file}" rel="prev">← ${escapeHtml(page.prev.title)}</a>`);
  if (page?.next) parts.push(`<a href="${page.next.file}" rel="next">${escapeHtml(page.next.title)} →</a>`);
  return `<header class="site">${parts.join('<span class="sep">·</span>')}</header>`;
}

const FOOTER = '<footer class="site">Built from the executed notebooks by <code>npm run site</code> (scripts/site/). ' +
  'Figures are interactive (plotly.js); formulas are typeset by MathJax; both are bundled with the pages.</footer>';

function executedNote(p: PageSummary): string {
  if (p.executedCells === 0) return '<span class="badge todo">not executed yet</span>';
  return p.profile ? `<span class="badge">executed at the ${escapeHtml(p.profile)} profile</span>` : '';
}

export function buildSite(opts: BuildOptions = {}): SiteManifest {
  const notebooksDir = opts.notebooksDir ?? path.join(ROOT, 'notebooks');
  const outDir = path.resolve(opts.outDir ?? path.join(ROOT, 'site'));
  const nodeModules = opts.nodeModules ?? path.join(ROOT, 'node_modules');
  let names = fs.readdirSync(notebooksDir).filter((n) => /^\d\d-.*\.ipynb$/.test(n) && !n.endsWith('.out.ipynb')).sort();
  if (opts.select && opts.select.length > 0) {
    const sel = opts.select;
    for (const s of sel) {
      if (!names.some((n) => n.startsWith(s))) {
        throw new Error(`site: no notebook in ${notebooksDir} starts with '${s}' (have: ${names.join(', ')})`);
      }
    }
    names = names.filter((n) => sel.some((s) => n.startsWith(s)));
  }
  if (names.length === 0) throw new Error(`site: no NN-*.ipynb notebooks in ${notebooksDir}`);

  fs.mkdirSync(outDir, { recursive: true });
  copyAssets(outDir, nodeModules);
  const rendered = names.map((n) => {
    const file = path.join(notebooksDir, n);
    let nb: Ipynb;
    try {
      nb = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (e) {
      throw new Error(`site: ${file} is not valid JSON: ${(e as Error).message}`);
    }
    const id = n.replace(/\.ipynb$/, '');
    const r = renderNotebook(nb, id);
    const page: SitePage = { ...r.summary, file: `${id}.html`, source: n };
    return { page, r };
  });
  const pages = rendered.map((x) => x.page);
  rendered.forEach(({ page, r }, k) => {
    const toc = r.toc.length > 1
      ? `<nav class="toc"><strong>In this chapter</strong><ol>${r.toc.map(([id, t]) =>
        `<li><a href="#${escapeHtml(id)}">${escapeHtml(t)}</a></li>`).join('')}</ol></nav>` : '';
    const note = page.executedCells === 0
      ? '<p class="notice">This chapter has not been executed yet: its code is shown without outputs.</p>' : '';
    const pager = `<nav class="pager"><span>${k > 0 ? `<a href="${pages[k - 1].file}">← ${escapeHtml(pages[k - 1].title)}</a>` : ''}</span>` +
      `<span>${k + 1 < pages.length ? `<a href="${pages[k + 1].file}">${escapeHtml(pages[k + 1].title)} →</a>` : ''}</span></nav>`;
    // the title's heading is the chapter's own first cell; the badge and contents go right after it
    const body = r.body.replace(/(<\/h1>)/, `$1\n<p>${executedNote(page)}</p>${note}${toc}`);
    const html = frame(page.title, `${header({ prev: pages[k - 1], next: pages[k + 1] })}\n<main>\n${body}\n${pager}\n</main>\n${FOOTER}`,
      { math: true, figures: page.plotlyFigures > 0 });
    fs.writeFileSync(path.join(outDir, page.file), html);
  });

  const list = pages.map((p) => `<li><span class="num">${escapeHtml(p.source.slice(0, 2))}</span>` +
    `<a href="${p.file}">${escapeHtml(p.title.replace(/^\d+\.\s*/, ''))}</a> ${executedNote(p)}` +
    `<p class="blurb">${escapeHtml(p.blurb.length > 320 ? `${p.blurb.slice(0, 317)}…` : p.blurb)}</p></li>`).join('\n');
  const index = `${header()}\n<main>\n<h1>SeqPE in TypeScript — the chapters</h1>\n` +
    '<p>An implementation of SeqPE (<em>Transformer with Sequential Position Encoding</em>, Li et al. 2025, ' +
    '<a href="https://arxiv.org/abs/2506.13277">arXiv 2506.13277</a>) on TensorFlow.js, taught chapter by chapter. ' +
    'Each chapter asks a question, runs the smallest experiment that answers it, and draws a conclusion from the numbers. ' +
    'The pages are the executed notebooks; the code in them runs with the project (<code>npm run setup</code>, then ' +
    'Jupyter with the TypeScript kernel).</p>\n' +
    `<ol class="chapters">\n${list}\n</ol>\n</main>\n${FOOTER}`;
  fs.writeFileSync(path.join(outDir, 'index.html'), frame('SeqPE in TypeScript — the chapters', index, { math: false, figures: false }));
  fs.writeFileSync(path.join(outDir, 'manifest.json'), `${JSON.stringify({ pages }, null, 2)}\n`);
  return { pages, outDir };
}

async function main(argv: string[]): Promise<void> {
  let outDir: string | undefined;
  let check = false;
  const select: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--out') {
      outDir = argv[++i];
      if (!outDir) throw new Error('site: --out needs a folder');
    } else if (a.startsWith('--out=')) outDir = a.slice(6);
    else if (a === '--check') check = true;
    else if (a === '-h' || a === '--help') {
      console.log(fs.readFileSync(__filename, 'utf8').split('\n').slice(3, 9).map((l) => l.replace(/^ \* ?/, '')).join('\n'));
      return;
    } else if (a.startsWith('-')) throw new Error(`site: unknown option '${a}' (see --help)`);
    else select.push(a);
  }
  const t0 = Date.now();
  const m = buildSite({ outDir, select });
  const figs = m.pages.reduce((s, p) => s + p.plotlyFigures, 0);
  console.log(`site: ${m.pages.length} chapters, ${figs} interactive figures → ${m.outDir} (${Date.now() - t0} ms)`);
  for (const p of m.pages) {
    console.log(`  ${p.file}: ${p.executedCells}/${p.codeCells} code cells executed, ${p.plumbingCells} plumbing, ` +
      `${p.plotlyFigures} interactive figures, ${p.pngImages} images, ${p.mathBlocks} formulas`);
  }
  if (check) {
    const { checkSite } = await import('./check');
    console.log(`site: checking every page in headless Chromium (screenshots → ${path.join(m.outDir, 'screenshots')})`);
    const report = await checkSite(m, { screenshots: path.join(m.outDir, 'screenshots'), log: (l) => console.log(l) });
    if (report.failures.length > 0) {
      for (const f of report.failures) console.error(`site check FAILED: ${f}`);
      process.exit(1);
    }
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((e) => {
    console.error((e as Error).message);
    process.exit(1);
  });
}
