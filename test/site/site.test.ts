/**
 * The course site (scripts/site/): the Markdown renderer against hand-worked HTML and against an independent renderer
 * (nbconvert's mistune, the one Jupyter's own HTML export uses) over every markdown cell of the committed chapters; the
 * page builder's choices (plumbing cells, output priority, escaping); and a built site in headless Chromium (the same
 * check `npm run site -- --check` runs over every page): no console error or failed request, no file:// or absolute
 * link, MathJax typeset the formulas, plotly drew the figures and answers a hover.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { renderInline, renderMarkdown, siteHref, slug } from '../../scripts/site/markdown';
import { Ipynb, IpynbCell, jsonForScript, PLOTLY_MIME, plumbingReason, renderNotebook } from '../../scripts/site/notebook-page';
import { buildSite } from '../../scripts/site/build';
import { checkSite } from '../../scripts/site/check';
import { hasChromium } from './browser';

const ROOT = path.resolve(__dirname, '../..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'seqpe-site-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const chapters = fs.readdirSync(path.join(ROOT, 'notebooks')).filter((n) => /^\d\d-.*\.ipynb$/.test(n)).sort();
const readNb = (n: string): Ipynb => JSON.parse(fs.readFileSync(path.join(ROOT, 'notebooks', n), 'utf8'));
const src = (c: IpynbCell) => (Array.isArray(c.source) ? c.source.join('') : c.source);

describe('markdown renderer, by hand', () => {
  it('headings get ids; emphasis, code and escapes follow CommonMark', () => {
    expect(renderMarkdown('## Two dimensions: (2, 3) → `0 2 0 3`'))
      .toBe('<h2 id="two-dimensions-2-3-0-2-0-3">Two dimensions: (2, 3) → <code>0 2 0 3</code></h2>');
    expect(renderInline('**bold**, *em*, _em_, snake_case_name, `a*b*c`, \\*not em\\*'))
      .toBe('<strong>bold</strong>, <em>em</em>, <em>em</em>, snake_case_name, <code>a*b*c</code>, *not em*');
    expect(renderInline('a <b>raw</b> & "q"')).toBe('a &lt;b&gt;raw&lt;/b&gt; &amp; &quot;q&quot;');
    expect(renderInline('line one  \nline two')).toBe('line one<br>\nline two');
    expect(slug('L_δ alone vs L_δ + L_OOD')).toBe('l_δ-alone-vs-l_δ-l_ood');
  });

  it('math is cut out before emphasis and escapes, and put back verbatim', () => {
    // the TeX of chapter 4's loss: \| and _ must survive, and no <em> may appear inside
    const tex = 'P = \\mathrm{softmax}_\\text{row}(E E^\\top), \\mathrm{KL}(P_T\\,\\|\\,P_S)';
    expect(renderMarkdown(`$$${tex}$$`)).toBe(`<div class="math display">$$${tex}$$</div>`);
    expect(renderInline('with $a_1 * b_2$ here')).toBe('with <span class="math inline">\\(a_1 * b_2\\)</span> here');
    expect(renderInline('costs \\$5 and $10')).toBe('costs $5 and $10');   // an escaped dollar and a lone one: no math
    expect(renderInline('`$x$` in code')).toBe('<code>$x$</code> in code');
    // display math over several lines inside a paragraph's source, then text after it
    expect(renderMarkdown('$$a_1\n+ b_2 .$$\n\nSo')).toBe('<div class="math display">$$a_1\n+ b_2 .$$</div>\n<p>So</p>');
  });

  it('lists (nested, tight, ordered with a start), quotes, tables with alignment, fences', () => {
    expect(renderMarkdown('- one\n- two\n  - nested\n- three'))
      .toBe('<ul><li>one</li>\n<li>two\n<ul><li>nested</li></ul></li>\n<li>three</li></ul>');
    expect(renderMarkdown('3. c\n4. d')).toBe('<ol start="3"><li>c</li>\n<li>d</li></ol>');
    // a wrapped line starting "512) …" does not start a list (only "1." / "1)" may interrupt a paragraph)
    expect(renderMarkdown('at 1024 tokens (2× the LM\'s\n512) and more')).toBe('<p>at 1024 tokens (2× the LM\'s\n512) and more</p>');
    expect(renderMarkdown('> quoted\n> more')).toBe('<blockquote><p>quoted\nmore</p></blockquote>');
    expect(renderMarkdown('| a | b |\n|:-|--:|\n| `x|y` | 2 |')).toBe('<table><thead><tr><th style="text-align:left">a</th>' +
      '<th style="text-align:right">b</th></tr></thead><tbody><tr><td style="text-align:left"><code>x|y</code></td>' +
      '<td style="text-align:right">2</td></tr></tbody></table>');
    expect(renderMarkdown('```ts\nconst x = 1 < 2;\n```')).toBe('<pre><code class="language-ts">const x = 1 &lt; 2;</code></pre>');
  });

  it('links: chapters become pages, the web stays, anything else is not a link', () => {
    expect(siteHref('02-the-sequential-position-encoder.ipynb#cache')).toBe('02-the-sequential-position-encoder.html#cache');
    expect(siteHref('https://arxiv.org/abs/2506.13277')).toBe('https://arxiv.org/abs/2506.13277');
    expect(siteHref('#top')).toBe('#top');
    for (const u of ['../src/positions/digits.ts', 'file:///work/x.html', '/etc/passwd', 'README.md']) expect(siteHref(u)).toBeNull();
    expect(renderInline('[the code](../src/x.ts)')).toBe('<span class="link-off-site" title="../src/x.ts">the code</span>');
    expect(renderInline('[`ch. 2`](02-a.ipynb)')).toBe('<a href="02-a.html"><code>ch. 2</code></a>');
  });
});

describe('markdown renderer against nbconvert (mistune), every markdown cell of the chapters', () => {
  const cells = chapters.flatMap((n) => readNb(n).cells.filter((c) => c.cell_type === 'markdown').map(src));
  const py = spawnSync('/usr/bin/python3', ['-c', [
    'import json, sys',
    'from nbconvert.filters.markdown_mistune import markdown2html_mistune as md',
    'print(json.dumps([md(s) for s in json.load(sys.stdin)]))'].join('\n')], { input: JSON.stringify(cells), encoding: 'utf8' });
  const hasNbconvert = py.status === 0;
  if (!hasNbconvert) console.warn(`nbconvert comparison skipped: ${py.stderr?.trim().split('\n').pop()}`);

  // Same structure and text: tags without attributes (our heading ids, nbconvert's anchor links dropped), entities
  // decoded, whitespace collapsed, and our math spans written back as the $…$ / $$…$$ nbconvert leaves in the text.
  const norm = (h: string) => h
    .replace(/<span class="math inline">\\\(([\s\S]*?)\\\)<\/span>/g, '$$$1$$')
    .replace(/<(?:span|div) class="math display">(\$\$[\s\S]*?\$\$)<\/(?:span|div)>/g, '$1')
    .replace(/<a class="anchor-link"[^>]*>[^<]*<\/a>/g, '')
    .replace(/<(\w+)[^>]*>/g, '<$1>')
    .replace(/&#(\d+);/g, (_m, n: string) => String.fromCodePoint(Number(n))).replace(/&quot;/g, '"')
    .replace(/\s+/g, ' ').replace(/> </g, '><')
    .replace(/ ?(<\/?(?:p|li|ul|ol|table|thead|tbody|tr|th|td|blockquote|h\d|pre)>) ?/g, '$1').trim();

  it.skipIf(!hasNbconvert)('renders every cell to the same structure and text', () => {
    const ref: string[] = JSON.parse(py.stdout);
    expect(ref.length).toBe(cells.length);
    expect(cells.length).toBeGreaterThan(50);
    const differ = cells.map((c, i) => ({ i, ours: norm(renderMarkdown(c)), ref: norm(ref[i]) })).filter((d) => d.ours !== d.ref);
    expect(differ.map((d) => `cell ${d.i}:\n  ours: ${d.ours.slice(0, 300)}\n  ref:  ${d.ref.slice(0, 300)}`)).toEqual([]);
  });
});

describe('chapter pages', () => {
  const cell = (source: string, extra: Partial<IpynbCell> = {}): IpynbCell => ({ cell_type: 'code', source, metadata: {}, outputs: [], ...extra });

  it('plumbing: tags and markers first, then the first import cell and pure clean-up', () => {
    expect(plumbingReason(cell("import { a } from './src/index';\nconst { profile } = await startChapter();"), true)).toBe('imports and set-up');
    expect(plumbingReason(cell("import { a } from './src/index';"), false)).toBeNull();   // only the first code cell
    expect(plumbingReason(cell('runs.forEach((r) => r.pe.dispose());\nawait closeRenderer();\nconsole.log(`tensors alive at the end: ${tf.memory().numTensors}`);'), false)).toBe('clean-up');
    expect(plumbingReason(cell('showMarkdown(x);\nawait closeRenderer();'), false)).toBeNull();   // a conclusion, then clean-up
    expect(plumbingReason(cell('// plumbing: helpers\nconst f = 1;'), false)).toBe('marked // plumbing');
    expect(plumbingReason(cell('const f = 1;', { metadata: { tags: ['plumbing'] } }), false)).toBe('tagged plumbing');
    expect(plumbingReason(cell("// not plumbing\nimport * as fs from 'fs';"), true)).toBeNull();
    expect(plumbingReason(cell("import * as fs from 'fs';", { metadata: { tags: ['not-plumbing'] } }), true)).toBeNull();
  });

  it('picks plotly over PNG (PNG kept for no-script), HTML over markdown over text; merges streams; escapes', () => {
    const fig = { data: [{ type: 'scatter', x: [1, 2], y: [3, 4], name: '</script><b>' }], layout: { width: 500, height: 300 } };
    const nb: Ipynb = {
      metadata: { seqpe: { profile: 'small' } },
      cells: [
        { cell_type: 'markdown', source: '# 7. A title\n\nThe *first* paragraph.\n\n## Part one' },
        cell("import { x } from './src/index';", { outputs: [{ output_type: 'stream', name: 'stdout', text: 'a<1\n' }, { output_type: 'stream', name: 'stdout', text: 'b\n' }] }),
        cell('show()', { outputs: [
          { output_type: 'display_data', data: { [PLOTLY_MIME]: fig, 'image/png': 'iVBORw0K', 'text/plain': 'plotly figure' } },
          { output_type: 'display_data', data: { 'text/html': '<table><tr><td>1</td></tr></table>', 'text/markdown': '| x |', 'text/plain': 'x' } },
          { output_type: 'display_data', data: { 'text/markdown': '* done: **3** of 3', 'text/plain': 'x' } },
          { output_type: 'display_data', data: { 'image/png': 'iVBORw0K', 'text/plain': 'png only' } },
          { output_type: 'error', ename: 'Error', evalue: 'bad', traceback: ['\u001b[31mError: bad\u001b[0m'] },
        ] }),
        cell('notRun()'),
      ],
    };
    const r = renderNotebook(nb, 'p');
    expect(r.summary).toMatchObject({ title: '7. A title', blurb: 'The first paragraph.', profile: 'small', codeCells: 3,
      executedCells: 2, plumbingCells: 1, plotlyFigures: 1, pngImages: 1 });
    expect(r.toc).toEqual([['part-one', 'Part one']]);
    expect(r.body).toContain('<pre class="output stream stdout">a&lt;1\nb\n</pre>');   // merged, escaped
    expect(r.body).toMatch(/<section class="cell code plumbing" data-cell="1"><details><summary>imports and set-up \(1 line of code\)<\/summary>/);
    const spec = /<script type="application\/json" class="plotly-spec">(.*?)<\/script>/.exec(r.body)![1];
    expect(spec).not.toContain('</script>');
    expect(JSON.parse(spec)).toEqual({ data: fig.data, layout: fig.layout });   // the JSON round-trips exactly
    expect(r.body).toContain('<noscript><img alt="plotly figure" src="data:image/png;base64,iVBORw0K"></noscript>');
    expect(r.body).toContain('<div class="output output-html tex2jax_ignore"><table><tr><td>1</td></tr></table></div>');
    expect(r.body).toContain('<div class="output output-markdown"><ul><li>done: <strong>3</strong> of 3</li></ul></div>');
    expect(r.body).toContain('<figure class="output"><img alt="png only" src="data:image/png;base64,iVBORw0K"></figure>');
    expect(r.body).toContain('<pre class="output error">Error: bad</pre>');
    expect(jsonForScript({ s: '<!-- </script>' })).toBe('{"s":"\\u003c!-- \\u003c/script>"}');
  });

  it('refuses something that is not a notebook, naming it', () => {
    expect(() => renderNotebook({} as Ipynb, '03-x')).toThrow('03-x: not a notebook (no "cells" array)');
    expect(() => buildSite({ outDir: path.join(tmp, 'none'), select: ['77'] })).toThrow(/no notebook in .* starts with '77'/);
  });
});

describe('the built site', () => {
  // the committed chapter with both formulas and interactive figures, and the index
  const pick = chapters.map((n) => ({ n, r: renderNotebook(readNb(n), n) }))
    .filter((x) => x.r.summary.mathBlocks > 0 && x.r.summary.plotlyFigures > 0)[0];

  it('holds every chapter, the index and the bundled assets; no link leaves the folder', () => {
    const m = buildSite({ outDir: path.join(tmp, 'all') });
    expect(m.pages.map((p) => p.source)).toEqual(chapters);
    for (const f of ['index.html', 'assets/plotly.min.js', 'assets/mathjax/tex-chtml.js', 'assets/site.js', 'assets/site.css',
      'assets/mathjax/output/chtml/fonts/woff-v2/MathJax_Main-Regular.woff']) {
      expect(fs.existsSync(path.join(m.outDir, f)), f).toBe(true);
    }
    expect(fs.readFileSync(path.join(m.outDir, 'assets/plotly.min.js')).equals(
      fs.readFileSync(path.join(ROOT, 'node_modules/plotly.js-dist-min/plotly.min.js')))).toBe(true);
    const index = fs.readFileSync(path.join(m.outDir, 'index.html'), 'utf8');
    for (const p of m.pages) expect(index).toContain(`href="${p.file}"`);
    for (const f of ['index.html', ...m.pages.map((p) => p.file)]) {
      const html = fs.readFileSync(path.join(m.outDir, f), 'utf8');
      const refs = [...html.matchAll(/\s(?:href|src)="([^"]*)"/g)].map((x) => x[1]);
      const bad = refs.filter((u) => !(/^(https?:|data:|#)/.test(u) || /^[\w.-]+(\/[\w.-]+)*(#[\w-]*)?$/.test(u)) || u.startsWith('/'));
      expect(bad, f).toEqual([]);
      expect(html, f).not.toMatch(/file:\/\//);
      // every local reference exists in the folder
      for (const u of refs.filter((x) => !/^(https?:|data:|#)/.test(x))) {
        expect(fs.existsSync(path.join(m.outDir, u.split('#')[0])), `${f} → ${u}`).toBe(true);
      }
    }
  });

  it.skipIf(!hasChromium || !pick)('loads cleanly in Chromium: formulas typeset, figures drawn, hover label shown', async () => {
    const m = buildSite({ outDir: path.join(tmp, 'one'), select: [pick.n.slice(0, 2)] });
    const report = await checkSite(m, { screenshots: path.join(tmp, 'one', 'screenshots') });
    expect(report.failures).toEqual([]);
    const page = report.pages.find((p) => p.file === m.pages[0].file)!;
    expect(page.formulas).toBe(pick.r.summary.mathBlocks);
    expect(page.figures).toBe(pick.r.summary.plotlyFigures);
    expect(page.hover).toBeTruthy();
    expect(report.pages.map((p) => fs.statSync(p.screenshot!).size > 10_000)).toEqual([true, true]);
  });
});
