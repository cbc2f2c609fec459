/**
 * Notebook display (issue 12): conclusions as HTML (escaped), figures with their size in the layout, heatmaps
 * block-averaged instead of dropped, saved figures re-sent with their interactive spec, and the live progress display
 * (update_display_data under one display id, at most 2 updates per second of a fake clock).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { markdownToHtml, inlineHtml } from '../../src/report/markdown';
import { blockAverage, downsampleHeatmaps, heatmap, lineChart, multiPanel } from '../../src/report/figure';
import { figureBundle, figureFromHtml, MAX_INLINE_PLOTLY_CHARS, PLOTLY_MIME, showImageFile, showMarkdown } from '../../src/report/notebook';
import { figureHtml } from '../../src/report/render';
import { LiveProgress, lossSvg } from '../../src/report/live-progress';

type Sent = { data: Record<string, unknown>; metadata: Record<string, unknown>; transient: Record<string, unknown> };
const key = require.resolve('tslab/dist/jupyter');
/** Stand-in for the kernel: the module tslab's kernel has loaded, with its display writer (as report.test.ts does). */
function fakeKernel(): { sent: Sent[]; updates: boolean[] } {
  const sent: Sent[] = [];
  const updates: boolean[] = [];
  require.cache[key] = {
    id: key, filename: key, loaded: true,
    exports: { lastWriteDisplayData: (d: Sent, u: boolean) => { sent.push(d); updates.push(u); } },
  } as any;
  return { sent, updates };
}
afterEach(() => {
  delete require.cache[key];
});

describe('markdown → HTML (conclusion cells)', () => {
  it('renders the subset the chapters use, by hand', () => {
    expect(markdownToHtml('* **APE**: ppl `3.1`\n* _two_ [x](https://a.b/c?d=1&e=2)')).toBe(
      '<ul>\n<li><strong>APE</strong>: ppl <code>3.1</code></li>\n<li><em>two</em> <a href="https://a.b/c?d=1&amp;e=2">x</a></li>\n</ul>',
    );
    expect(markdownToHtml('> **note** one\n> two\n\nA para\ncontinued.')).toBe(
      '<blockquote>\n<p><strong>note</strong> one two</p>\n</blockquote>\n<p>A para continued.</p>',
    );
    expect(markdownToHtml('| m | 1× |\n| --- | ---: |\n| SeqPE | 2.50 |')).toBe(
      '<table>\n<thead><tr><th>m</th><th style="text-align:right">1×</th></tr></thead>\n<tbody>\n' +
        '<tr><td>SeqPE</td><td style="text-align:right">2.50</td></tr>\n</tbody>\n</table>',
    );
    expect(markdownToHtml('## Head *x*')).toBe('<h2>Head <em>x</em></h2>');
  });

  it('escapes every value: markup in numbers or labels is shown, never run', () => {
    const evil = 'loss <script>alert("x")</script> & <b>';
    const h = markdownToHtml(`* ${evil}`);
    expect(h).not.toContain('<script>');
    expect(h).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;');
    expect(inlineHtml('`<i>` and [a](javascript:alert%281%29)')).toBe('<code>&lt;i&gt;</code> and a');
    // Products like 2*3*4 are not emphasis.
    expect(inlineHtml('2*3*4 and L_δ_x')).toBe('2*3*4 and L_δ_x');
  });

  it('showMarkdown sends text/html beside text/markdown', () => {
    const { sent } = fakeKernel();
    showMarkdown('**bold** <x>');
    expect(sent[0].data).toEqual({ 'text/html': '<p><strong>bold</strong> &lt;x&gt;</p>', 'text/markdown': '**bold** <x>', 'text/plain': '**bold** <x>' });
  });
});

describe('figures: size in the layout, heatmaps downsampled', () => {
  it('block-averages by hand (ragged last block, nulls left out)', () => {
    const z = [
      [1, 2, 3],
      [3, 4, null],
      [5, 6, 7],
    ];
    expect(blockAverage(z, 2)).toEqual([[2.5, 3], [5.5, 7]]);
    expect(blockAverage([[null, null]], 2)).toEqual([[null]]);
    expect(() => blockAverage(z, 0)).toThrow(/block=0/);
  });

  it('downsamples every heatmap with one block, averages numeric labels, says so in the title', () => {
    const n = 10;
    const z = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => i * n + j));
    const axis = Array.from({ length: n }, (_, i) => 100 + i);
    const fig = multiPanel([heatmap({ z, x: axis, y: axis }), heatmap({ z, x: axis, y: axis })], { title: 'maps' });
    const { figure, block } = downsampleHeatmaps(fig, 4);
    expect(block).toBe(3);
    const t = figure.data[1];
    expect(t.z!.length).toBe(4);
    expect(t.z![0][0]).toBe((0 + 1 + 2 + 10 + 11 + 12 + 20 + 21 + 22) / 9);
    expect(t.z![3][3]).toBe(99); // the last block is the single corner cell
    expect(t.x).toEqual([101, 104, 107, 109]);
    expect(figure.layout.title!.text).toMatch(/^maps<br><sub>interactive copy: heatmaps block-averaged 3×3/);
    expect(fig.data[1].z!.length).toBe(n); // the input is not changed
    expect(downsampleHeatmaps(fig, 10).block).toBe(1);
  });

  it('a too-large heatmap figure keeps an interactive copy (downsampled) and the size it is shown at', () => {
    const n = 256;
    const z = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => Math.cos(i * 0.37 + j * 0.11) / 3));
    const fig = heatmap({ z });
    expect(JSON.stringify(fig).length).toBeGreaterThan(MAX_INLINE_PLOTLY_CHARS);
    const b = figureBundle(fig, Buffer.from([1]), undefined, { width: 500, height: 480 });
    const spec = b[PLOTLY_MIME] as { data: { z: number[][] }[]; layout: { width: number; height: number } };
    expect(spec).toBeDefined();
    expect(JSON.stringify(spec).length).toBeLessThanOrEqual(MAX_INLINE_PLOTLY_CHARS);
    expect(spec.data[0].z.length).toBeLessThanOrEqual(200);
    expect([spec.layout.width, spec.layout.height]).toEqual([500, 480]);
    expect(b['text/plain']).toMatch(/block-averaged \d+×\d+; the PNG is full size/);
  });

  it('a saved figure is re-sent with its spec read back from its .html page, sized like its PNG page', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'saved-fig-'));
    const fig = lineChart({ series: [{ name: 'a<b', x: [1, 2], y: [3, 4] }], title: 'saved </script>' });
    fs.writeFileSync(path.join(dir, 'f.html'), figureHtml(fig, { width: 640, height: 360, plotlyJs: { src: 'p.js' } }));
    const back = figureFromHtml(path.join(dir, 'f.html'))!;
    expect(back.data).toEqual(fig.data);
    expect([back.layout.width, back.layout.height]).toEqual([640, 360]);
    // A PNG header of 640×360 (only the IHDR size fields are read).
    const png = Buffer.alloc(33);
    png.writeUInt32BE(640, 16);
    png.writeUInt32BE(360, 20);
    fs.writeFileSync(path.join(dir, 'f.png'), png);
    const { sent } = fakeKernel();
    showImageFile(path.join(dir, 'f.png'));
    expect((sent[0].data[PLOTLY_MIME] as { data: unknown }).data).toEqual(fig.data);
    expect(sent[0].data['image/png']).toBe(png.toString('base64'));
    expect(sent[0].metadata).toEqual({ 'image/png': { width: 640, height: 360 } });
  });
});

describe('live progress', () => {
  it('one display id, first a display then updates, at most 2 per second, and always the final state', () => {
    const { sent, updates } = fakeKernel();
    let t = 0;
    const p = new LiveProgress({ label: 'seed 0', total: 100, now: () => t, id: 'x' });
    for (let step = 1; step <= 100; step++) {
      t += 30; // 100 steps over 3 s
      p.update(step, 3 - step / 50);
    }
    p.finish();
    // Sends at t = 30, 540, 1050, … (≥ 500 ms apart) within 3 s, then the forced final one.
    const gaps = sent.length;
    expect(gaps).toBe(6 + 1);
    expect(updates).toEqual([false, true, true, true, true, true, true]);
    expect(sent.every((s) => s.transient.display_id === 'x')).toBe(true);
    expect(sent[sent.length - 1].data['text/plain']).toBe('seed 0: step 100/100, loss 1.0000, 3 s');
    expect(sent[1].data['text/plain']).toBe('seed 0: step 18/100, loss 2.6400, 1 s, about 2 s left');
    expect(String(sent[6].data['text/html'])).toContain('<polyline');
  });

  it('prints the line outside a notebook, and refuses bad steps', () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    let t = 0;
    const p = new LiveProgress({ label: 'run <1>', total: 3, now: () => t, printEverySeconds: 10 });
    p.update(1, 2);
    t = 20_000;
    p.update(2, 1);
    p.finish();
    expect(log.mock.calls.map((c) => c[0])).toEqual(['run <1>: step 1/3, loss 2.0000, 0 s, about 0 s left', 'run <1>: step 2/3, loss 1.0000, 20 s, about 10 s left', 'run <1>: step 2/3, loss 1.0000, 20 s, about 10 s left']);
    log.mockRestore();
    expect(() => p.update(4, 1)).toThrow(/step=4; expected 1\.\.3/);
    expect(() => new LiveProgress({ label: 'a', total: 0 })).toThrow(/total=0/);
  });

  it('the loss chart maps the extreme losses to the plot box edges', () => {
    const svg = lossSvg([2, 1, 0], 3, 100, 50);
    // box: x from 44 to 92, y from 8 to 32; step i at 44 + 48 (i+1)/3, loss v at 8 + 24 (1 − v/2)
    expect(svg).toContain('points="60.0,8.0 76.0,20.0 92.0,32.0"');
    expect(lossSvg([], 5)).not.toContain('<polyline');
  });
});
