/**
 * Labels and captions reach Markdown and HTML as inert text: a label holding `|`, backticks, `<script>` or a line break
 * cannot split a table cell, open code, or run in a browser (src/report/tables.ts, src/report/render.ts).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { mdEscape, tableToHtml, tableToMarkdown, writeTable } from '../../src/report/tables';
import { figureHtml } from '../../src/report/render';
import { lineChart } from '../../src/report/figure';

const EVIL = '<script>alert(1)</script> | `x` & <img src=x onerror=alert(2)>\nline 2';

/** The cells of a Markdown table row, split at pipes that are not backslash-escaped. */
function cells(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 1; i < line.length - 1; i++) {
    if (line[i] === '\\') {
      cur += line[i] + line[i + 1];
      i++;
    } else if (line[i] === '|') {
      out.push(cur.trim());
      cur = '';
    } else cur += line[i];
  }
  out.push(cur.trim());
  return out;
}

/** What a Markdown renderer shows for an escaped cell: backslash escapes dropped, entities decoded, <br> as a newline. */
function shown(cell: string): string {
  return cell
    .replace(/<br>/g, '\n')
    .replace(/\\(.)/g, '$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

describe('Markdown tables', () => {
  it('escape every label so that it stays one inert cell and reads back as written', () => {
    const md = tableToMarkdown([{ method: EVIL, 'ppl | 64': 1.5 }, { method: 'plain', 'ppl | 64': 2 }]);
    const lines = md.trim().split('\n');
    expect(lines).toHaveLength(4); // the newline did not break the row
    for (const l of lines) expect(cells(l)).toHaveLength(2); // the pipe did not split a cell
    expect(md).not.toMatch(/<script|<img/i);
    expect(md.replace(/<br>/g, '')).not.toMatch(/<[a-z]/i); // no tag at all but the deliberate <br>
    expect(md).not.toMatch(/(^|[^\\])`/); // every backtick escaped
    expect(shown(cells(lines[2])[0])).toBe(EVIL);
    expect(shown(cells(lines[0])[1])).toBe('ppl | 64');
  });

  it('mdEscape by hand', () => {
    expect(mdEscape('a|b')).toBe('a\\|b');
    expect(mdEscape('`c`')).toBe('\\`c\\`');
    expect(mdEscape('<b>&')).toBe('&lt;b&gt;&amp;');
    expect(mdEscape('x\\y')).toBe('x\\\\y');
    expect(mdEscape('1\r\n2\n3\r4')).toBe('1<br>2<br>3<br>4');
  });

  it('a report table written to disk (what SUMMARY.md concatenates) holds no live HTML', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'seqpe-escape-'));
    const files = writeTable([{ method: EVIL, ppl: 3.25 }], path.join(dir, 'lm'), { caption: EVIL });
    for (const f of [files.md!, files.html!]) {
      const text = fs.readFileSync(f, 'utf8');
      expect(text).not.toMatch(/<script|<img/i);
    }
    expect(fs.readFileSync(files.csv!, 'utf8')).toContain('"<script>alert(1)</script> | `x` & <img src=x onerror=alert(2)>\nline 2"'); // CSV keeps the raw text, quoted
    fs.rmSync(dir, { recursive: true });
  });
});

describe('HTML', () => {
  it('tables escape cells, headers and the caption', () => {
    const html = tableToHtml([{ [EVIL]: EVIL }], { caption: EVIL });
    expect(html).not.toMatch(/<script|<img/i);
    expect(html).toContain('<caption>&lt;script&gt;alert(1)&lt;/script&gt; | `x` &amp; &lt;img src=x onerror=alert(2)&gt;\nline 2</caption>');
    expect(html.match(/<td>/g)).toHaveLength(1);
  });

  it('a figure page with a <script> label runs only its own two scripts', () => {
    const fig = lineChart({ title: EVIL, xTitle: '</script><script>alert(3)</script>', series: [{ name: `</script>${EVIL}`, x: [1, 2], y: [3, 4] }] });
    const html = figureHtml(fig, { title: EVIL });
    expect(html.match(/<script/gi)).toHaveLength(2); // plotly.min.js and the plot call
    expect(html.match(/<\/script/gi)).toHaveLength(2);
    expect(html).toContain('<title>&lt;script&gt;alert(1)&lt;/script&gt;');
    // the labels are still there, as data: the JSON parses back to the same strings
    const json = html.slice(html.indexOf('const figure = ') + 15, html.indexOf(';\nPlotly.newPlot'));
    const data = JSON.parse(json) as { data: Array<{ name: string }>; layout: { xaxis: { title: { text: string } } } };
    expect(data.data[0].name).toBe(`</script>${EVIL}`);
  });
});
