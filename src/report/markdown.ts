/**
 * The small Markdown subset the chapters' computed conclusions use, as HTML: an untrusted classic Notebook shows
 * text/html but not text/markdown outputs, so showMarkdown sends both.
 *
 * Block level: paragraphs, `#`… headings, `* ` / `- ` bullet lists (indented continuation lines join the item), `> `
 * quotes and pipe tables (header row, `|---|:--:|---:|` separator, body rows). Inline: `code`, **bold**, *italic* /
 * _italic_ and [text](url). Every other character is escaped, so a value that contains `<`, `&` or quotes is shown as
 * written, never interpreted; link targets other than http(s), relative paths and anchors are dropped to plain text.
 */

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const SAFE_URL = /^(https?:\/\/|\.{0,2}\/|#|[\w.-]+(\/|$|#))/i;

/** Inline Markdown of one line or cell as HTML (escaped). */
export function inlineHtml(text: string): string {
  // Code spans first: their content is literal. Split keeps them at odd indexes.
  const parts = text.split(/(`[^`]+`)/);
  return parts
    .map((p, i) => {
      if (i % 2 === 1) return `<code>${escapeHtml(p.slice(1, -1))}</code>`;
      let h = escapeHtml(p);
      h = h.replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (_m, label: string, url: string) => {
        // url is already escaped; test the raw form's scheme
        const raw = url.replace(/&amp;/g, '&');
        return SAFE_URL.test(raw) && !/^javascript:/i.test(raw) ? `<a href="${url}">${label}</a>` : label;
      });
      h = h.replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>');
      h = h.replace(/(^|[^\w*])\*([^*\s][^*]*?)\*(?!\w)/g, '$1<em>$2</em>');
      h = h.replace(/(^|[^\w])_([^_\s][^_]*?)_(?!\w)/g, '$1<em>$2</em>');
      return h;
    })
    .join('');
}

function tableRow(line: string): string[] {
  let s = line.trim();
  if (s.startsWith('|')) s = s.slice(1);
  if (s.endsWith('|') && !s.endsWith('\\|')) s = s.slice(0, -1);
  return s.split(/(?<!\\)\|/).map((c) => c.trim().replace(/\\\|/g, '|'));
}

const SEPARATOR = /^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$/;

function tableHtml(lines: string[]): string {
  const head = tableRow(lines[0]);
  const align = tableRow(lines[1]).map((c) => (c.startsWith(':') && c.endsWith(':') ? 'center' : c.endsWith(':') ? 'right' : c.startsWith(':') ? 'left' : ''));
  const cell = (tag: string, c: string, j: number) => `<${tag}${align[j] ? ` style="text-align:${align[j]}"` : ''}>${inlineHtml(c)}</${tag}>`;
  const body = lines.slice(2).map((l) => `<tr>${tableRow(l).map((c, j) => cell('td', c, j)).join('')}</tr>`);
  return `<table>\n<thead><tr>${head.map((c, j) => cell('th', c, j)).join('')}</tr></thead>\n<tbody>\n${body.join('\n')}\n</tbody>\n</table>`;
}

/** Markdown (the subset above) as an HTML fragment. */
export function markdownToHtml(md: string): string {
  const lines = md.replace(/\r\n/g, '\n').split('\n');
  const out: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (line.trim() === '') { i++; continue; }
    const h = /^(#{1,6})\s+(.*)$/.exec(line);
    if (h) {
      out.push(`<h${h[1].length}>${inlineHtml(h[2].trim())}</h${h[1].length}>`);
      i++;
      continue;
    }
    if (line.trimStart().startsWith('|') && i + 1 < lines.length && SEPARATOR.test(lines[i + 1])) {
      const block: string[] = [];
      while (i < lines.length && lines[i].trimStart().startsWith('|')) block.push(lines[i++]);
      out.push(tableHtml(block));
      continue;
    }
    if (/^\s*>/.test(line)) {
      const block: string[] = [];
      while (i < lines.length && /^\s*>/.test(lines[i])) block.push(lines[i++].replace(/^\s*>\s?/, ''));
      out.push(`<blockquote>\n${markdownToHtml(block.join('\n'))}\n</blockquote>`);
      continue;
    }
    if (/^[*-]\s+/.test(line)) {
      const items: string[] = [];
      while (i < lines.length && (/^[*-]\s+/.test(lines[i]) || (/^\s{2,}\S/.test(lines[i]) && items.length))) {
        if (/^[*-]\s+/.test(lines[i])) items.push(lines[i].replace(/^[*-]\s+/, ''));
        else items[items.length - 1] += ' ' + lines[i].trim();
        i++;
      }
      out.push(`<ul>\n${items.map((t) => `<li>${inlineHtml(t)}</li>`).join('\n')}\n</ul>`);
      continue;
    }
    const para: string[] = [];
    while (i < lines.length && lines[i].trim() !== '' && !/^(#{1,6}\s|[*-]\s+|\s*>|\s*\|)/.test(lines[i])) para.push(lines[i++].trim());
    if (para.length === 0) para.push(lines[i++].trim()); // a line no other rule took (e.g. a lone '|')
    out.push(`<p>${inlineHtml(para.join(' '))}</p>`);
  }
  return out.join('\n');
}
