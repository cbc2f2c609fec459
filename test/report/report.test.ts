import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend';
import { Rng } from '../../src/util/rng';
import {
  Figure, heatmap, lineChart, log125Axis, log2Axis, multiPanel,
} from '../../src/report/figure';
import { CHROMIUM_INSTALL_HINT, findChromium } from '../../src/report/chromium';
import {
  closeRenderer, figureHtml, figureToPng, plotlyJsPath, renderFigure, writeFigureHtml,
} from '../../src/report/render';
import {
  aggregateSeeds, formatMeanSpread, meanSpread, tableToCsv, tableToHtml, tableToMarkdown, toFrame, toTable, writeTable,
} from '../../src/report/tables';
import { figureBundle, PLOTLY_MIME, showFigure, showTable } from '../../src/report/notebook';
import * as gen from '../../scripts/make-notebook';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'seqpe-report-'));
const hasChromium = 'path' in findChromium();

beforeAll(async () => {
  await initBackend();
});
afterAll(async () => {
  await closeRenderer();
  fs.rmSync(tmp, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------------------------------
// A minimal PNG decoder (8-bit RGB/RGBA, non-interlaced): an independent check of what Chromium drew.

function decodePng(buf: Buffer): { width: number; height: number; pixel: (x: number, y: number) => number[] } {
  expect(buf.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
  let off = 8;
  let width = 0, height = 0, colorType = 0;
  const idat: Buffer[] = [];
  while (off < buf.length) {
    const len = buf.readUInt32BE(off);
    const type = buf.toString('ascii', off + 4, off + 8);
    const data = buf.subarray(off + 8, off + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      expect(data[8]).toBe(8); // bit depth
      colorType = data[9];
      expect(data[12]).toBe(0); // not interlaced
    } else if (type === 'IDAT') idat.push(data);
    off += 12 + len;
  }
  const bpp = colorType === 6 ? 4 : colorType === 2 ? 3 : 0;
  expect(bpp).toBeGreaterThan(0);
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = width * bpp;
  const out = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let i = 0; i < stride; i++) {
      const a = i >= bpp ? out[y * stride + i - bpp] : 0;
      const b = y > 0 ? out[(y - 1) * stride + i] : 0;
      const c = i >= bpp && y > 0 ? out[(y - 1) * stride + i - bpp] : 0;
      let v = line[i];
      if (filter === 1) v += a;
      else if (filter === 2) v += b;
      else if (filter === 3) v += (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
        v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      } else expect(filter).toBe(0);
      out[y * stride + i] = v & 0xff;
    }
  }
  return { width, height, pixel: (x, y) => [...out.subarray(y * stride + x * bpp, y * stride + x * bpp + 3)] };
}

// ---------------------------------------------------------------------------------------------------------------------

describe('figure specs', () => {
  const lens = [512, 128, 256];

  it('lineChart: one trace per series, error bars from the spread, log2 ticks on the data x values', () => {
    const fig = lineChart({
      series: [
        { name: 'rope', x: lens, y: [3, 1, 2], spread: [0.3, 0.1, null] },
        { name: 'seqpe', x: lens, y: [1, null, 1.5] },
      ],
      log2X: true, xTitle: 'length', yTitle: 'ppl', vlines: [{ x: 256, label: 'train' }],
    });
    expect(fig.data.map((t) => t.name)).toEqual(['rope', 'seqpe']);
    expect(fig.data[0].y).toEqual([3, 1, 2]);
    expect(fig.data[0].error_y).toMatchObject({ type: 'data', array: [0.3, 0.1, 0], visible: true });
    expect(fig.data[1].error_y).toBeUndefined();
    expect(fig.data[1].y).toEqual([1, null, 1.5]); // null = gap
    expect(fig.layout.xaxis).toMatchObject({ type: 'log', tickvals: [128, 256, 512], ticktext: ['128', '256', '512'], title: { text: 'length' } });
    // the vertical line is drawn at x=256 in data units; its label (an annotation) takes log10(x) on a log axis
    expect((fig.layout.shapes as any[])[0]).toMatchObject({ x0: 256, x1: 256, xref: 'x', yref: 'paper' });
    expect((fig.layout.annotations as any[])[0].x).toBeCloseTo(Math.log10(256), 12);
    // distinct default colours, used for both line and error bars
    expect((fig.data[0].line as any).color).not.toBe((fig.data[1].line as any).color);
    expect((fig.data[0].error_y as any).color).toBe((fig.data[0].line as any).color);
  });

  it('lineChart rejects inconsistent input with messages that name the series and the value', () => {
    expect(() => lineChart({ series: [] })).toThrow(/series is empty/);
    expect(() => lineChart({ series: [{ name: 'a', x: [1, 2], y: [1] }] })).toThrow(/'a' has 2 x values but 1 y values/);
    expect(() => lineChart({ series: [{ name: 'a', x: [1], y: [1], spread: [1, 2] }] })).toThrow(/2 spread values/);
    expect(() => lineChart({ series: [{ name: 'a', x: [1], y: [1], spread: [-1] }] })).toThrow(/spread\[0\]=-1 is negative/);
    expect(() => lineChart({ series: [{ name: 'a', x: [0, 2], y: [1, 1] }], log2X: true })).toThrow(/x=0; log2X needs x > 0/);
    expect(() => lineChart({ series: [{ name: 'a', x: [1], y: [NaN] }] })).toThrow(/y\[0\] is NaN/);
    expect(() => lineChart({ series: [{ name: 'a', x: [1], y: [0] }], logY: true })).toThrow(/y=0; logY/);
  });

  it('log axes: 1-2-5 ticks spanning the data, labelled in full', () => {
    // data 0.016 … 10.465 → candidate ticks within [0.016/2.5, 10.465·2.5] = [0.0064, 26.2]
    expect(log125Axis([0.016, 1, 10.465]).tickvals).toEqual([0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20]);
    expect(log125Axis([20, 80]).ticktext).toEqual(['10', '20', '50', '100', '200']);
    expect(() => log2Axis([4, -2])).toThrow(/-2 is not positive/);
  });

  it('heatmap: matrix orientation and square cells by default, and strict shape checks', () => {
    const fig = heatmap({ z: [[1, 0.5], [0.5, 1]], x: ['p0', 'p1'], zmin: -1, zmax: 1, colorbarTitle: 'cos' });
    expect(fig.data[0]).toMatchObject({ type: 'heatmap', z: [[1, 0.5], [0.5, 1]], x: ['p0', 'p1'], zmin: -1, zmax: 1, colorscale: 'Viridis' });
    expect(fig.layout.yaxis).toMatchObject({ autorange: 'reversed', scaleanchor: 'x' });
    expect(heatmap({ z: [[1]], rowsTopDown: false, square: false }).layout.yaxis?.autorange).toBeUndefined();
    expect(() => heatmap({ z: [[1, 2], [3]] })).toThrow(/z\[1\] has 1 columns but z\[0\] has 2/);
    expect(() => heatmap({ z: [[1, 2]], y: ['a', 'b'] })).toThrow(/y has 2 labels but z has 1 rows/);
    expect(() => heatmap({ z: [[1]], zmin: 1, zmax: 1 })).toThrow(/zmin=1 must be below zmax=1/);
    expect(() => heatmap({ z: [[Infinity]] })).toThrow(/Infinity/);
    expect(() => heatmap({ z: [] })).toThrow(/no rows/);
  });

  it('multiPanel: grid domains, axes re-pointed per panel, legend entries shared, colour bars beside their panel', () => {
    const a = lineChart({ series: [{ name: 'rope', x: [1, 2], y: [1, 2] }], title: 'A', vlines: [{ x: 1.5 }] });
    const b = lineChart({ series: [{ name: 'rope', x: [1, 2], y: [2, 1] }, { name: 'seqpe', x: [1, 2], y: [0, 1] }] });
    const h = heatmap({ z: [[0, 1], [1, 0]] });
    const fig = multiPanel([a, b, h], { columns: 2, titles: ['first', 'second', 'third'], hgap: 0.1, vgap: 0.2 });
    // w = (1 - 0.1)/2 = 0.45, h = (1 - 0.2)/2 = 0.4
    const L = fig.layout as any;
    expect(L.xaxis.domain[0]).toBeCloseTo(0, 12); expect(L.xaxis.domain[1]).toBeCloseTo(0.45, 12);
    expect(L.xaxis2.domain[0]).toBeCloseTo(0.55, 12); expect(L.xaxis2.domain[1]).toBeCloseTo(1, 12);
    expect(L.yaxis.domain[0]).toBeCloseTo(0.6, 12); expect(L.yaxis.domain[1]).toBeCloseTo(1, 12);
    expect(L.yaxis3.domain[0]).toBeCloseTo(0, 12); expect(L.yaxis3.domain[1]).toBeCloseTo(0.4, 12);
    expect([L.xaxis.anchor, L.yaxis.anchor, L.xaxis3.anchor, L.yaxis3.anchor]).toEqual(['y', 'x', 'y3', 'x3']);
    expect(L.yaxis3.scaleanchor).toBe('x3'); // square heatmap cells stay tied to their own x axis
    expect(fig.data.map((t) => [t.xaxis, t.yaxis])).toEqual([['x', 'y'], ['x2', 'y2'], ['x2', 'y2'], ['x3', 'y3']]);
    expect(fig.data.slice(0, 3).map((t) => [t.legendgroup, t.showlegend])).toEqual([['rope', true], ['rope', false], ['seqpe', true]]);
    const cb = fig.data[3].colorbar as any;
    expect(cb.x).toBeCloseTo(0.46, 12); expect(cb.len).toBeCloseTo(0.4, 12);
    expect(L.shapes[0]).toMatchObject({ xref: 'x', yref: 'y domain', x0: 1.5 });
    expect(L.annotations.map((x: any) => x.text)).toEqual(['<b>first</b>', '<b>second</b>', '<b>third</b>']);
    // inputs are not modified
    expect(a.data[0].xaxis).toBeUndefined();
    expect(() => multiPanel([])).toThrow(/no panels/);
    expect(() => multiPanel([a], { columns: 0 })).toThrow(/columns=0/);
    expect(() => multiPanel([fig])).toThrow(/single-axis/);
  });
});

// ---------------------------------------------------------------------------------------------------------------------

describe('tables', () => {
  const rows = [
    { method: 'rope', length: 128, ppl: 12.5 },
    { method: 'seq|pe, "v2"', length: 1024, ppl: 7.123456 },
    { method: 'none', length: 2048, ppl: null },
  ];

  it('CSV of a danfojs DataFrame: full precision, RFC 4180 quoting, empty missing cells', () => {
    const df = toFrame(rows);
    expect(df.columns).toEqual(['method', 'length', 'ppl']);
    expect(tableToCsv(df)).toBe(
      'method,length,ppl\n' +
      'rope,128,12.5\n' +
      '"seq|pe, ""v2""",1024,7.123456\n' +
      'none,2048,\n',
    );
  });

  it('Markdown: numeric columns right-aligned, integers kept, decimals rounded, pipes escaped', () => {
    expect(tableToMarkdown(rows, { digits: 2 })).toBe(
      '| method | length | ppl |\n' +
      '| --- | ---: | ---: |\n' +
      '| rope | 128 | 12.50 |\n' +
      '| seq\\|pe, "v2" | 1024 | 7.12 |\n' +
      '| none | 2048 |  |\n',
    );
    expect(tableToMarkdown(rows, { digits: { ppl: 1 } })).toContain('| rope | 128 | 12.5 |');
    expect(() => tableToMarkdown(rows, { digits: { perplexity: 1 } })).toThrow(/column 'perplexity'/);
    expect(() => tableToMarkdown(rows, { digits: 2.5 })).toThrow(/digits=2.5/);
  });

  it('HTML: escaped text, right-aligned numbers, caption', () => {
    const html = tableToHtml([{ name: '<b>x</b>', v: -0.0001 }], { digits: 2, caption: 'T & U' });
    expect(html).toContain('<caption>T &amp; U</caption>');
    expect(html).toContain('<td>&lt;b&gt;x&lt;/b&gt;</td><td style="text-align:right">0.00</td>'); // no "-0.00"
  });

  it('writeTable writes the three formats with the same content as the string writers', () => {
    const base = path.join(tmp, 'tables', 'ppl');
    const paths = writeTable(rows, base, { digits: 3 });
    expect(fs.readFileSync(paths.csv!, 'utf8')).toBe(tableToCsv(rows));
    expect(fs.readFileSync(paths.md!, 'utf8')).toBe(tableToMarkdown(rows, { digits: 3 }));
    expect(fs.readFileSync(paths.html!, 'utf8')).toBe(tableToHtml(rows, { digits: 3 }));
    expect(() => writeTable(rows, base + '.csv')).toThrow(/has an extension/);
  });

  it('rejects cells that are not scalars', () => {
    expect(() => toTable([{ a: [1, 2] as any }])).toThrow(/row 0 column 'a' is a object/);
  });

  it('danfojs round trip leaves no tensors behind', () => {
    toTable(toFrame(rows)); // warm-up
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) tableToMarkdown(toFrame(rows));
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('mean ± spread over seeds', () => {
  it('formats the documented cases', () => {
    expect(formatMeanSpread([1, 3])).toBe('2.00 ± 1.00'); // population std = half range for two runs
    expect(formatMeanSpread([5])).toBe('5.00'); // one run: no spread
    expect(formatMeanSpread([1, 3], { spread: 'sampleStd' })).toBe('2.00 ± 1.41'); // √2
    expect(formatMeanSpread([1, 2, 6], { spread: 'halfRange', digits: 1 })).toBe('3.0 ± 2.5');
    // 2,4,4,4,5,5,7,9: mean 5, Σ(x-5)² = 32 → std 2, sample std √(32/7) = 2.138, sem 2.138/√8 = 0.756
    expect(formatMeanSpread([2, 4, 4, 4, 5, 5, 7, 9])).toBe('5.00 ± 2.00');
    expect(formatMeanSpread([2, 4, 4, 4, 5, 5, 7, 9], { spread: 'sem', digits: 3 })).toBe('5.000 ± 0.756');
    expect(formatMeanSpread([-0.001, 0.001], { digits: 2 })).toBe('0.00 ± 0.00');
    expect(() => meanSpread([])).toThrow(/no values/);
    expect(() => meanSpread([1, NaN])).toThrow(/values\[1\] is NaN/);
    expect(() => meanSpread([1], 'iqr' as any)).toThrow(/'iqr' is unknown/);
  });

  it('invariants over 2000 random draws: std ≤ half range (equal for n=2), sampleStd = std·√(n/(n−1)), sem = sampleStd/√n', () => {
    const rng = new Rng(7);
    for (let k = 0; k < 2000; k++) {
      const n = rng.int(2, 8);
      const xs = Array.from({ length: n }, () => rng.normal() * 10);
      const std = meanSpread(xs, 'std').spread!;
      const half = meanSpread(xs, 'halfRange').spread!;
      const sample = meanSpread(xs, 'sampleStd').spread!;
      expect(std).toBeLessThanOrEqual(half + 1e-9);
      if (n === 2) expect(std).toBeCloseTo(half, 9);
      expect(sample).toBeCloseTo(std * Math.sqrt(n / (n - 1)), 9);
      expect(meanSpread(xs, 'sem').spread!).toBeCloseTo(sample / Math.sqrt(n), 9);
      expect(meanSpread(xs).mean).toBeCloseTo(xs.reduce((a, b) => a + b, 0) / n, 9);
    }
  });

  it('aggregateSeeds: one row per group, text and numbers, missing values left out', () => {
    const runs = [
      { method: 'rope', seed: 1, ppl: 10, acc: 0.5 },
      { method: 'seqpe', seed: 1, ppl: 8, acc: null },
      { method: 'rope', seed: 2, ppl: 12, acc: 0.7 },
      { method: 'seqpe', seed: 2, ppl: 9, acc: null },
    ];
    expect(aggregateSeeds(runs, { by: ['method'], values: ['ppl', 'acc'] })).toEqual([
      { method: 'rope', n: 2, ppl: '11.00 ± 1.00', ppl_mean: 11, ppl_spread: 1, acc: '0.60 ± 0.10', acc_mean: 0.6, acc_spread: expect.closeTo(0.1, 12) },
      { method: 'seqpe', n: 2, ppl: '8.50 ± 0.50', ppl_mean: 8.5, ppl_spread: 0.5, acc: '', acc_mean: null, acc_spread: null },
    ]);
    expect(() => aggregateSeeds(runs, { by: ['model'], values: ['ppl'] })).toThrow(/no column 'model'/);
    expect(() => aggregateSeeds([{ m: 'a', v: 'x' }], { by: ['m'], values: ['v'] })).toThrow(/column 'v' is "x"; expected a number/);
  });
});

// ---------------------------------------------------------------------------------------------------------------------

describe('HTML output', () => {
  const fig: Figure = lineChart({ series: [{ name: 'a</script><script>alert(1)</script>', x: [1, 2, 3], y: [4.25, 5.5, 6.75] }], title: 'T' });

  it('embeds the figure data and loads plotly from the sibling file, copied once per folder', () => {
    const dir = path.join(tmp, 'html');
    const p1 = writeFigureHtml(fig, path.join(dir, 'one.html'));
    writeFigureHtml(fig, path.join(dir, 'two.html'));
    const html = fs.readFileSync(p1, 'utf8');
    expect(html).toContain('<script src="plotly.min.js"></script>');
    expect(html).toContain('[4.25,5.5,6.75]');
    expect(html).toContain('<title>T</title>');
    // a trace name cannot close the script element
    expect(html.match(/<\/script>/g)!.length).toBe(2);
    expect(fs.statSync(path.join(dir, 'plotly.min.js')).size).toBe(fs.statSync(plotlyJsPath()).size);
    expect(fs.readdirSync(dir).sort()).toEqual(['one.html', 'plotly.min.js', 'two.html']);
  });

  it("inline mode carries plotly.js itself; { src } points at a shared copy", () => {
    const inline = figureHtml(fig, { plotlyJs: 'inline' });
    expect(inline.length).toBeGreaterThan(fs.statSync(plotlyJsPath()).size * 0.99);
    expect(inline).not.toContain('src="plotly.min.js"');
    expect(figureHtml(fig, { plotlyJs: { src: '../plotly.min.js' } })).toContain('<script src="../plotly.min.js"></script>');
  });

  it('writes the HTML and skips the PNG with the install command when Chromium is missing', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const saved = process.env.CHROMIUM_PATH;
    process.env.CHROMIUM_PATH = path.join(tmp, 'no-such-chromium');
    try {
      const r = await renderFigure(fig, { pngPath: path.join(tmp, 'nc', 'f.png'), htmlPath: path.join(tmp, 'nc', 'f.html') });
      expect(fs.existsSync(path.join(tmp, 'nc', 'f.html'))).toBe(true);
      expect(fs.existsSync(path.join(tmp, 'nc', 'f.png'))).toBe(false);
      expect(r.png).toBeUndefined();
      expect(r.pngSkipped).toMatch(/no-such-chromium" is not an executable file/);
      await expect(figureToPng(fig)).rejects.toThrow(/CHROMIUM_PATH=.*no-such-chromium/);
    } finally {
      if (saved === undefined) delete process.env.CHROMIUM_PATH; else process.env.CHROMIUM_PATH = saved;
      warn.mockRestore();
    }
    delete process.env.CHROMIUM_PATH;
    const missing = findChromium({ PATH: '' });
    if (!hasChromium) expect('missing' in missing && missing.missing).toContain(CHROMIUM_INSTALL_HINT);
  });
});

describe.skipIf(!hasChromium)('PNG through headless Chromium', () => {
  it('draws what the spec says: a black square over half the width and height of a white page', async () => {
    const W = 200, H = 160;
    const fig: Figure = {
      data: [],
      layout: {
        width: W, height: H, margin: { l: 0, r: 0, t: 0, b: 0 }, paper_bgcolor: '#ffffff', plot_bgcolor: '#ffffff',
        xaxis: { visible: false }, yaxis: { visible: false },
        shapes: [{ type: 'rect', xref: 'paper', yref: 'paper', x0: 0.25, x1: 0.75, y0: 0.25, y1: 0.75, fillcolor: '#000000', line: { width: 0 } }],
      },
    };
    const pngPath = path.join(tmp, 'png', 'square.png');
    const r = await renderFigure(fig, { pngPath, htmlPath: path.join(tmp, 'png', 'square.html') });
    const buf = fs.readFileSync(pngPath);
    expect(r.png!.equals(buf)).toBe(true);
    const img = decodePng(buf);
    expect([img.width, img.height]).toEqual([W, H]);
    expect(img.pixel(W / 2, H / 2)).toEqual([0, 0, 0]);
    expect(img.pixel(5, 5)).toEqual([255, 255, 255]);
    expect(img.pixel(W - 5, H - 5)).toEqual([255, 255, 255]);
    let dark = 0;
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if (img.pixel(x, y).every((v) => v < 64)) dark++;
    expect(dark / (W * H)).toBeGreaterThan(0.23); // the square covers 0.5 × 0.5 = 25 % of the page
    expect(dark / (W * H)).toBeLessThan(0.27);
  }, 60_000);

  it('a real chart: plausible size and many colours; scale doubles the pixels; the browser relaunches after close', async () => {
    const fig = lineChart({
      series: [{ name: 'a', x: [128, 256, 512], y: [3, 2, 1], spread: [0.2, 0.2, 0.2] }, { name: 'b', x: [128, 256, 512], y: [1, 2, 3] }],
      log2X: true, title: 'chart',
    });
    const png = await figureToPng(fig, { width: 400, height: 300 });
    expect(png.length).toBeGreaterThan(5_000);
    expect(png.length).toBeLessThan(500_000);
    const img = decodePng(png);
    const colours = new Set<string>();
    for (let y = 0; y < img.height; y += 3) for (let x = 0; x < img.width; x += 3) colours.add(img.pixel(x, y).join(','));
    expect(colours.size).toBeGreaterThan(20); // text anti-aliasing, two line colours, grid
    await closeRenderer();
    const big = decodePng(await figureToPng(fig, { width: 400, height: 300, scale: 2 }));
    expect([big.width, big.height]).toEqual([800, 600]);
  }, 60_000);

  it('the standalone HTML draws the figure in a browser', async () => {
    const fig = lineChart({ series: [{ name: 'a', x: [1, 2], y: [1, 2] }, { name: 'b', x: [1, 2], y: [2, 1] }] });
    const htmlPath = path.join(tmp, 'live', 'f.html');
    await renderFigure(fig, { htmlPath });
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { chromium } = require('playwright-core');
    const browser = await chromium.launch({ executablePath: (findChromium() as { path: string }).path, args: ['--headless', '--no-sandbox'] });
    try {
      const page = await browser.newPage();
      await page.goto(`file://${htmlPath}`);
      await page.waitForSelector('.scatterlayer .trace');
      expect(await page.evaluate(() => document.querySelectorAll('.scatterlayer .trace').length)).toBe(2);
      expect(await page.evaluate(() => (document.getElementById('figure') as any).data.map((t: any) => t.name))).toEqual(['a', 'b']);
    } finally {
      await browser.close();
    }
  }, 60_000);
});

// ---------------------------------------------------------------------------------------------------------------------

describe('notebook display', () => {
  const fig = lineChart({ series: [{ name: 'a', x: [1, 2], y: [1, 2] }], title: 'T' });

  it('a figure bundle carries plotly JSON, PNG as base64 and a text description', () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
    const b = figureBundle(fig, png);
    expect(Object.keys(b).sort()).toEqual([PLOTLY_MIME, 'image/png', 'text/plain'].sort());
    expect(Buffer.from(b['image/png'] as string, 'base64').equals(png)).toBe(true);
    expect(b[PLOTLY_MIME]).toEqual({ data: fig.data, layout: fig.layout });
    expect(b['text/plain']).toBe('plotly figure "T": 1 trace (scatter \'a\')');
    expect(figureBundle(fig)['image/png']).toBeUndefined();
  });

  it("goes through tslab's display hook when the kernel is loaded, else prints text", async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    showTable([{ a: 1.5 }], { digits: 1 });
    expect(log).toHaveBeenCalledWith('| a |\n| ---: |\n| 1.5 |\n');
    log.mockRestore();

    // Stand-in for the kernel: the module tslab's kernel has loaded, with its display writer.
    const key = require.resolve('tslab/dist/jupyter');
    const sent: { data: Record<string, unknown>; metadata: Record<string, unknown> }[] = [];
    require.cache[key] = { id: key, filename: key, loaded: true, exports: { lastWriteDisplayData: (d: any) => sent.push(d) } } as any;
    try {
      showTable([{ a: 1.5 }], { digits: 1, caption: 'cap' });
      await showFigure(fig, { width: 300, height: 200 });
    } finally {
      delete require.cache[key];
    }
    expect(Object.keys(sent[0].data).sort()).toEqual(['text/html', 'text/markdown', 'text/plain']);
    expect(sent[0].data['text/markdown']).toBe('**cap**\n\n| a |\n| ---: |\n| 1.5 |\n');
    const bundle = sent[1].data;
    // The displayed size is written into the interactive copy's layout.
    expect(bundle[PLOTLY_MIME]).toEqual({ data: fig.data, layout: { ...fig.layout, width: 300, height: 200 } });
    if (hasChromium) {
      const img = decodePng(Buffer.from(bundle['image/png'] as string, 'base64'));
      expect([img.width, img.height]).toEqual([300, 200]);
      expect(sent[1].metadata).toEqual({ 'image/png': { width: 300, height: 200 } });
    } else {
      expect(bundle['text/plain']).toContain(CHROMIUM_INSTALL_HINT);
    }
  }, 60_000);
});

// ---------------------------------------------------------------------------------------------------------------------

describe('notebook generator (scripts/make-notebook.ts)', () => {
  const src = [
    '// header comment, ignored',
    '',
    '// %% [markdown]',
    '// # Title',
    '//',
    '// text with `code`',
    '',
    '// %%',
    'const a = 1;',
    '',
    'console.log(`${a}`); // a comment inside code stays',
    '',
    '',
    '// %%',
    'a;',
    '',
  ].join('\n');

  it('parses percent-format cells and writes them back identically', () => {
    const cells = gen.parsePercent(src);
    expect(cells).toEqual([
      { type: 'markdown', source: '# Title\n\ntext with `code`' },
      { type: 'code', source: 'const a = 1;\n\nconsole.log(`${a}`); // a comment inside code stays' },
      { type: 'code', source: 'a;' },
    ]);
    expect(gen.parsePercent(gen.toPercent(cells, 'a header'))).toEqual(cells);
  });

  it('builds an nbformat 4.5 notebook for the tslab kernel that reads back to the same cells', () => {
    const cells = gen.parsePercent(src);
    const json = gen.notebookJson(cells);
    const nb = JSON.parse(json);
    expect(nb.metadata.kernelspec).toEqual({ display_name: 'TypeScript', language: 'typescript', name: 'tslab' });
    expect([nb.nbformat, nb.nbformat_minor]).toEqual([4, 5]);
    expect(nb.cells[1]).toMatchObject({ cell_type: 'code', execution_count: null, outputs: [], id: 'cell-01' });
    expect(nb.cells[0].source).toEqual(['# Title\n', '\n', 'text with `code`']);
    expect(gen.readIpynbCells(json)).toEqual(cells);
    expect(json.endsWith('}\n')).toBe(true);
  });

  it('reports malformed sources with the line number', () => {
    expect(() => gen.parsePercent('// %% [markdown]\nplain text', 'x.nb.ts')).toThrow(/x\.nb\.ts:2: markdown lines must start with '\/\/ '/);
    expect(() => gen.parsePercent('// %% [raw]\n', 'x.nb.ts')).toThrow(/x\.nb\.ts:1: unknown cell marker/);
    expect(() => gen.parsePercent('const a = 1;\n// %%\nb', 'x.nb.ts')).toThrow(/x\.nb\.ts:1: code before the first/);
    expect(() => gen.parsePercent('// %%\n\n// %%\nb', 'x.nb.ts')).toThrow(/x\.nb\.ts:1: empty code cell/);
    expect(() => gen.parsePercent('// only a header', 'x.nb.ts')).toThrow(/no cells/);
  });

  it('the committed notebooks match their sources', () => {
    const dir = path.join(__dirname, '..', '..', 'notebooks');
    for (const f of fs.readdirSync(dir).filter((f) => f.endsWith('.nb.ts'))) {
      expect(gen.checkFile(path.join(dir, f))).toBeUndefined();
    }
  });
});
