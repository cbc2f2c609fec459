/**
 * A small Markdown → HTML renderer for the chapters' prose (the course site, scripts/site/). No Markdown package is a
 * dependency, and the chapters use a known subset, so this covers exactly that subset, with the rules of CommonMark/GFM
 * where they matter:
 *
 *   blocks:  ATX headings (with ids), paragraphs, fenced code, block quotes, bullet and ordered lists (nested by
 *            indentation, tight), GFM pipe tables (with alignment), thematic breaks, display math ($$ … $$ over lines)
 *   inline:  `code`, **strong**, *em* / _em_, [links](url), backslash escapes, $math$ / $$math$$ / \( \), hard breaks
 *
 * Math is cut out before any other inline rule runs and put back verbatim (HTML-escaped), so `_` and `*` inside TeX are
 * never read as emphasis; MathJax typesets it in the browser. Raw HTML in the source is escaped, not passed through.
 * Links: `NN-name.ipynb` becomes `NN-name.html` (the site's page for that chapter); http(s), mailto and #anchors are
 * kept; any other target (a repository file, a file:// URL) cannot be followed on a hosted site, so it is rendered as
 * the link text with the target in a title, never as a link.
 */

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Heading id: lower case; letters, digits, '_' and '-' kept, other characters dropped, runs of spaces → one '-'. */
export function slug(text: string): string {
  return text.toLowerCase().replace(/<[^>]*>/g, '').replace(/&[a-z]+;/g, '').replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .trim().replace(/\s+/g, '-');
}

/** Where a Markdown link may point on the site: the rewritten href, or null when it must not be a link. */
export function siteHref(url: string): string | null {
  const u = url.trim();
  if (/^(https?:|mailto:)/i.test(u) || u.startsWith('#')) return u;
  const nb = /^(?:\.\/)?(\d\d-[\w.-]+)\.ipynb(#.*)?$/.exec(u);
  if (nb) return `${nb[1]}.html${nb[2] ?? ''}`;
  return null;
}

// --- inline ----------------------------------------------------------------------------------------------------------

const PH = '\u0000';   // placeholder delimiter: cannot occur in notebook text

export function renderInline(src: string): string {
  const saved: string[] = [];
  const keep = (html: string) => `${PH}${saved.push(html) - 1}${PH}`;
  let s = src.replace(/\u0000/g, '');   // the placeholder character itself cannot survive
  // order matters: an escaped dollar is not math; code spans hide their content from math; math hides TeX's own
  // backslashes (\|, \{, \_) from the Markdown escapes that follow
  s = s.replace(/\\\$/g, () => keep('$'));
  // code spans: `…` (n backticks close with n backticks)
  s = s.replace(/(`+)([\s\S]*?[^`])\1(?!`)/g, (_m, _t, code: string) => {
    const c = code.length > 2 && code.startsWith(' ') && code.endsWith(' ') ? code.slice(1, -1) : code;
    return keep(`<code>${escapeHtml(c)}</code>`);
  });
  // math: $$…$$, \(…\), $…$ (inline dollars need a non-space right after the opening and before the closing one)
  s = s.replace(/\$\$([\s\S]+?)\$\$/g, (_m, tex: string) => keep(`<span class="math display">$$${escapeHtml(tex)}$$</span>`));
  s = s.replace(/\\\(([\s\S]+?)\\\)/g, (_m, tex: string) => keep(`<span class="math inline">\\(${escapeHtml(tex)}\\)</span>`));
  s = s.replace(/\$(?=\S)([^$\n]*?\S)\$(?!\d)/g, (_m, tex: string) => keep(`<span class="math inline">\\(${escapeHtml(tex)}\\)</span>`));
  // backslash escapes of the remaining punctuation become literal characters, safe from every later rule
  s = s.replace(/\\([\\`*_{}\[\]()#+\-.!|<>~])/g, (_m, c: string) => keep(escapeHtml(c)));
  // links: [text](url "title")
  s = s.replace(/\[([^\]]+)\]\(\s*([^)\s]+)(?:\s+"([^"]*)")?\s*\)/g, (_m, text: string, url: string, title?: string) => {
    const href = siteHref(url);
    const inner = renderEmphasis(escapeHtml(text));
    if (href === null) return keep(`<span class="link-off-site" title="${escapeHtml(url)}">${inner}</span>`);
    const t = title ? ` title="${escapeHtml(title)}"` : '';
    return keep(`<a href="${escapeHtml(href)}"${t}>${inner}</a>`);
  });
  s = renderEmphasis(escapeHtml(s));
  // hard line break: two trailing spaces (or a backslash) before a newline
  s = s.replace(/(?: {2,}|\\)\n/g, '<br>\n');
  // saved pieces may hold placeholders themselves (code inside a link's text): substitute until none is left
  const re = new RegExp(`${PH}(\\d+)${PH}`, 'g');
  while (s.includes(PH)) s = s.replace(re, (_m, i: string) => saved[Number(i)]);
  return s;
}

/** **strong**, __strong__, *em*, _em_ (underscores only at word boundaries, as in CommonMark). On escaped text. */
function renderEmphasis(s: string): string {
  return s
    .replace(/\*\*(?=\S)([\s\S]*?\S)\*\*/g, '<strong>$1</strong>')
    .replace(/(^|[^\p{L}\p{N}_])__(?=\S)([\s\S]*?\S)__(?![\p{L}\p{N}_])/gu, '$1<strong>$2</strong>')
    .replace(/(^|[^*])\*(?=[^\s*])([^*]*?[^\s*])\*(?!\*)/g, '$1<em>$2</em>')
    .replace(/(^|[^\p{L}\p{N}_])_(?=\S)([^_]*?\S)_(?![\p{L}\p{N}_])/gu, '$1<em>$2</em>');
}

// --- blocks ----------------------------------------------------------------------------------------------------------

const BULLET = /^( *)([-*+]) +(.*)$/;
const ORDERED = /^( *)(\d{1,9})[.)] +(.*)$/;
const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([\w+-]*)/;
const HEADING = /^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const HR = /^ {0,3}([-*_])(?:\s*\1){2,}\s*$/;
const TABLE_SEP = /^\s*\|?\s*:?-{1,}:?\s*(\|\s*:?-{1,}:?\s*)*\|?\s*$/;

function indentOf(line: string): number {
  return /^ */.exec(line)![0].length;
}

function splitRow(line: string): string[] {
  let t = line.trim();
  if (t.startsWith('|')) t = t.slice(1);
  if (t.endsWith('|') && !t.endsWith('\\|')) t = t.slice(0, -1);
  // split on pipes that are not escaped and not inside `code`
  const cells: string[] = [];
  let cur = '';
  let inCode = false;
  for (let i = 0; i < t.length; i++) {
    const ch = t[i];
    if (ch === '`') inCode = !inCode;
    if (ch === '\\' && t[i + 1] === '|') { cur += '|'; i++; continue; }
    if (ch === '|' && !inCode) { cells.push(cur.trim()); cur = ''; continue; }
    cur += ch;
  }
  cells.push(cur.trim());
  return cells;
}

/** Render a Markdown document (or a list item's / quote's content) to HTML. */
export function renderMarkdown(src: string): string {
  return renderBlocks(src.replace(/\r\n?/g, '\n').replace(/\t/g, '    ').split('\n'));
}

function renderBlocks(lines: string[]): string {
  const out: string[] = [];
  let i = 0;
  const blank = (l: string | undefined) => l === undefined || l.trim() === '';
  // what may interrupt a paragraph (CommonMark: an ordered list only when it starts at 1, so a wrapped line that begins
  // "512) and …" stays text)
  const startsBlock = (l: string) => HEADING.test(l) || FENCE.test(l) || /^ {0,3}>/.test(l) || HR.test(l) ||
    BULLET.test(l) || ORDERED.exec(l)?.[2] === '1' || /^\s*\$\$/.test(l);
  while (i < lines.length) {
    const line = lines[i];
    if (blank(line)) { i++; continue; }
    let m: RegExpExecArray | null;
    if ((m = FENCE.exec(line))) {
      const fence = m[1];
      const lang = m[2];
      const body: string[] = [];
      i++;
      while (i < lines.length && !lines[i].trimStart().startsWith(fence)) body.push(lines[i++]);
      i++;   // closing fence (or end of input)
      const cls = lang ? ` class="language-${escapeHtml(lang)}"` : '';
      out.push(`<pre><code${cls}>${escapeHtml(body.join('\n'))}</code></pre>`);
      continue;
    }
    if ((m = HEADING.exec(line))) {
      const level = m[1].length;
      const html = renderInline(m[2]);
      out.push(`<h${level} id="${escapeHtml(slug(html))}">${html}</h${level}>`);
      i++;
      continue;
    }
    if (HR.test(line)) { out.push('<hr>'); i++; continue; }
    if (/^\s*\$\$/.test(line)) {
      // display math: from a line starting with $$ to the line that closes it
      const body: string[] = [line];
      const closed = (s: string) => (s.match(/\$\$/g) ?? []).length >= 2;
      let joined = line;
      i++;
      while (!closed(joined) && i < lines.length) { body.push(lines[i]); joined = body.join('\n'); i++; }
      const text = body.join('\n').trim();
      const mm = /^\$\$([\s\S]*?)\$\$([\s\S]*)$/.exec(text);
      if (mm) {
        out.push(`<div class="math display">$$${escapeHtml(mm[1])}$$</div>`);
        if (mm[2].trim()) out.push(`<p>${renderInline(mm[2].trim())}</p>`);
      } else {
        out.push(`<p>${renderInline(text)}</p>`);   // an unclosed $$: show it as text rather than swallow the rest
      }
      continue;
    }
    if (/^ {0,3}>/.test(line)) {
      const body: string[] = [];
      while (i < lines.length && !blank(lines[i]) && (/^ {0,3}>/.test(lines[i]) || !startsBlock(lines[i]))) {
        body.push(lines[i].replace(/^ {0,3}> ?/, ''));
        i++;
      }
      out.push(`<blockquote>${renderBlocks(body)}</blockquote>`);
      continue;
    }
    if (BULLET.test(line) || ORDERED.test(line)) {
      const r = renderList(lines, i);
      out.push(r.html);
      i = r.next;
      continue;
    }
    if (line.includes('|') && i + 1 < lines.length && TABLE_SEP.test(lines[i + 1]) && lines[i + 1].includes('-')) {
      const head = splitRow(line);
      const align = splitRow(lines[i + 1]).map((c) => c.startsWith(':') && c.endsWith(':') ? 'center'
        : c.endsWith(':') ? 'right' : c.startsWith(':') ? 'left' : '');
      const style = (k: number) => align[k] ? ` style="text-align:${align[k]}"` : '';
      const rows: string[][] = [];
      i += 2;
      while (i < lines.length && !blank(lines[i]) && lines[i].includes('|')) rows.push(splitRow(lines[i++]));
      const th = head.map((c, k) => `<th${style(k)}>${renderInline(c)}</th>`).join('');
      const trs = rows.map((r) => `<tr>${head.map((_h, k) => `<td${style(k)}>${renderInline(r[k] ?? '')}</td>`).join('')}</tr>`);
      out.push(`<table><thead><tr>${th}</tr></thead><tbody>${trs.join('')}</tbody></table>`);
      continue;
    }
    // paragraph: up to a blank line or the start of another block
    const para: string[] = [line.trim()];
    i++;
    while (i < lines.length && !blank(lines[i]) && !startsBlock(lines[i])) para.push(lines[i++].trim());
    out.push(`<p>${renderInline(para.join('\n'))}</p>`);
  }
  return out.join('\n');
}

/** A list starting at lines[start]: items of the same marker kind at the list's indentation; deeper lines nest. */
function renderList(lines: string[], start: number): { html: string; next: number } {
  const first = BULLET.exec(lines[start]) ?? ORDERED.exec(lines[start])!;
  const ordered = !BULLET.test(lines[start]);
  const baseIndent = first[1].length;
  const items: string[][] = [];
  let i = start;
  let sawBlank = false;
  let loose = false;
  while (i < lines.length) {
    const line = lines[i];
    if (line.trim() === '') { sawBlank = true; i++; continue; }
    const m = (ordered ? ORDERED : BULLET).exec(line);
    const ind = indentOf(line);
    if (m && m[1].length === baseIndent) {
      if (sawBlank && items.length > 0) loose = true;
      items.push([m[3]]);
      sawBlank = false;
      i++;
      continue;
    }
    if (ind > baseIndent && items.length > 0) {
      // a continuation or a nested block: keep it, dedented to the item's content column
      const cut = Math.min(ind, baseIndent + 2 + (ordered ? 1 : 0));
      if (sawBlank) items[items.length - 1].push('');
      items[items.length - 1].push(line.slice(cut));
      sawBlank = false;
      i++;
      continue;
    }
    if (!sawBlank && items.length > 0 && !BULLET.test(line) && !ORDERED.test(line) && !HEADING.test(line)
      && !FENCE.test(line) && !/^ {0,3}>/.test(line)) {
      items[items.length - 1].push(line.trim());   // a lazy continuation line of the last item's paragraph
      i++;
      continue;
    }
    break;
  }
  const lis = items.map((body) => {
    let html = renderBlocks(body);
    if (!loose) html = html.replace(/^<p>([\s\S]*?)<\/p>/, '$1');   // tight list: no <p> around the first paragraph
    return `<li>${html}</li>`;
  });
  const startAttr = ordered && Number(first[2]) !== 1 ? ` start="${Number(first[2])}"` : '';
  return { html: ordered ? `<ol${startAttr}>${lis.join('\n')}</ol>` : `<ul>${lis.join('\n')}</ul>`, next: i };
}
