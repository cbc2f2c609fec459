// Source of 09-baselines-side-by-side.ipynb (percent format). Build: npx tsx scripts/make-notebook.ts notebooks/09-baselines-side-by-side.nb.ts

// %% [markdown]
// # 9. The baselines, side by side
//
// SeqPE is compared in the paper with the position encodings its code implements: learned absolute embeddings (APE,
// interpolated when the input is longer than in training), sinusoidal, RoPE, ALiBi and no position encoding at all
// (NoPE) for text; APE, RoPE-2D and RoPE-Mixed for images. This chapter puts all of them behind the project's one
// interface (`PositionEncoding.apply(layout)` → an additive input, an additive attention bias, and/or a q/k transform)
// and compares them *as objects*: what they contribute, how many parameters they have, how they behave past the
// training length, and what position similarity they induce before any training.
//
// The encodings are built with `createEncoding(spec, model, seed)`, the same factory the training code uses, for a
// model of width 64 with 4 heads (head dimension 16) and 2 layers.
//
// **Run time:** 6.5 min (387 s, measured 2026-12-02 by `npm run notebooks` at the `small` profile on this project's machine: 2 cores of an AMD EPYC, wasm engine, shared with a running reproduction); less on an idle machine.

// %%
import * as tf from '@tensorflow/tfjs';
import {
  createEncoding, EncodingSpec, ModelDims, PositionEncoding, PositionLayout, layoutPositions, alibiSlopes,
  linearTaps, cubicTaps, cubicKernel, LearnedAPE, similarityMap, distanceAwareness, gridRow, toRows, spearman,
  SimilarityMap, Rng, normalArray, showTable, showMarkdown, heatmap, multiPanel, Figure, compactRows,
  closeRenderer, startChapter,
} from './src/index';

const { showAndSave } = await startChapter({ committed: 'small' });

const model: ModelDims = { dModel: 64, heads: 4, layers: 2 };
const SEED = 9;
const TRAIN_LEN = 64; // 1-D training length for APE
const GRID = 14; // 2-D training grid (the ViT's 14 × 14 patches)
const specs1d: Record<string, EncodingSpec> = {
  'APE (learned)': { name: 'ape', trainLength: TRAIN_LEN },
  sinusoidal: { name: 'sinusoidal' },
  RoPE: { name: 'rope' },
  ALiBi: { name: 'alibi' },
  NoPE: { name: 'none' },
  'SeqPE (attn_bias)': { name: 'seqpe', mode: 'attn_bias', encoder: { width: 64, heads: 4, maxPosition: 20000 } },
};
const specs2d: Record<string, EncodingSpec> = {
  'APE (learned)': { name: 'ape', trainRows: GRID, trainCols: GRID },
  'sinusoidal (flattened)': { name: 'sinusoidal' },
  'RoPE-2D': { name: 'rope2d' },
  'RoPE-Mixed': { name: 'rope-mixed' },
  'SeqPE (qk_gate)': { name: 'seqpe', mode: 'qk_gate', encoder: { width: 64, heads: 4, dims: 2, maxPosition: 10000 } },
};
const enc1d = Object.fromEntries(Object.entries(specs1d).map(([k, s]) => [k, createEncoding(s, model, SEED)])) as Record<string, PositionEncoding>;
const enc2d = Object.fromEntries(Object.entries(specs2d).map(([k, s]) => [k, createEncoding(s, model, SEED)])) as Record<string, PositionEncoding>;

// %% [markdown]
// ## Properties, read off the objects
//
// For each encoding we ask the object itself: its dimensionality, its trainable parameter count (sum of its variables'
// sizes), and what `apply` returns for a training-size layout — that is where it enters the model. Then we try two
// layouts it was not trained on: **larger, from the origin** (1-D: length 128 from position 0; 2-D: a 20 × 20 grid at
// (0, 0)) and **far away** (1-D: 64 positions from 10 000; 2-D: a 14 × 14 grid at patch (40, 40)). "ok" means the
// encoding produced an output. Whether a far window is accepted at all is one of the encoding's stated
// `capabilities` (`shiftedWindows`), so we ask it rather than catch an error: a learned table has no rows out there,
// and flattened 2-D sinusoids only index grids that start at (0, 0).

// %%
function entersAs(enc: PositionEncoding, layout: PositionLayout): string {
  const out = tf.tidy(() => {
    const o = enc.apply(layout, { training: false });
    return [o.inputAdd ? 'input (added to embeddings)' : '', o.attnBias ? 'attention logits (additive bias)' : '', o.qk ? 'q and k (transform)' : ''].filter(Boolean).join(' + ');
  });
  return out || 'nothing';
}
/** Runs the encoding on a layout it says it supports (an error here would be a bug, so nothing is caught). */
function runLayout(enc: PositionEncoding, layout: PositionLayout): string {
  tf.tidy(() => {
    const o = enc.apply(layout, { training: false });
    if (o.attnBias) o.attnBias(0);
    if (o.qk) {
      const n = (layout.kind === '1d' ? layout.length : layout.rows * layout.cols) + (layout.prefix ?? 0);
      const x = tf.ones([1, model.heads, n, model.dModel / model.heads]) as tf.Tensor4D;
      o.qk(0, x, x);
    }
  });
  return 'ok';
}
/** A far-away layout: run where the encoding's capabilities say shifted windows work, else say that it refuses them. */
function farLayout(enc: PositionEncoding, layout: PositionLayout): string {
  return enc.capabilities.shiftedWindows[layout.kind] ? runLayout(enc, layout) : `refused (capabilities.shiftedWindows['${layout.kind}'] is false)`;
}
const rule: Record<string, string> = {
  'APE (learned)': 'interpolate the trained table (1-D linear, 2-D bicubic); no rows beyond it',
  sinusoidal: 'extend: evaluate the formula at larger t',
  'sinusoidal (flattened)': 'extend the flattened index (grid must start at (0, 0))',
  RoPE: 'extend: larger rotation angles',
  'RoPE-2D': 'extend: larger angles per axis',
  'RoPE-Mixed': 'extend: larger angles (learned frequencies)',
  ALiBi: 'extend: the linear bias continues',
  NoPE: 'nothing to extend',
  'SeqPE (attn_bias)': 'extend: write the new positions as digits',
  'SeqPE (qk_gate)': 'extend: write the new positions as digits',
};
const paramCount = (e: PositionEncoding) => e.variables.reduce((s, v) => s + v.size, 0);
const propertyRows = [
  ...Object.entries(enc1d).map(([name, e]) => ({
    encoding: name,
    layout: '1-D',
    'dims (object)': String(e.dims),
    parameters: paramCount(e),
    'enters as': entersAs(e, { kind: '1d', start: 0, length: TRAIN_LEN }),
    'larger, from the origin': runLayout(e, { kind: '1d', start: 0, length: 2 * TRAIN_LEN }),
    'far away': farLayout(e, { kind: '1d', start: 10000, length: TRAIN_LEN }),
    'extrapolation rule': rule[name],
  })),
  ...Object.entries(enc2d).map(([name, e]) => ({
    encoding: name,
    layout: '2-D',
    'dims (object)': String(e.dims),
    parameters: paramCount(e),
    'enters as': entersAs(e, { kind: '2d', start: [0, 0], rows: GRID, cols: GRID }),
    'larger, from the origin': runLayout(e, { kind: '2d', start: [0, 0], rows: 20, cols: 20 }),
    'far away': farLayout(e, { kind: '2d', start: [40, 40], rows: GRID, cols: GRID }),
    'extrapolation rule': rule[name],
  })),
];
showTable(propertyRows, { caption: `Position encodings for a model of width ${model.dModel}, ${model.heads} heads, ${model.layers} layers (APE trained at length ${TRAIN_LEN} / grid ${GRID} × ${GRID})` });

// %% [markdown]
// Two things stand out. APE cannot place a window that starts beyond its table — it has no rows there, and
// interpolation only stretches the table from position 0 — and neither can the flattened 2-D sinusoidal variant (a
// flattened patch index means nothing for a shifted grid). And SeqPE's parameter count is dominated by its encoder
// (the same for both modes) plus its projection(s): one shared `pe_qk` for `attn_bias`, one per layer for `qk_gate`.
//
// ## APE beyond the training length: the interpolation rule
//
// The official evaluation resamples the trained table to the new length with PyTorch's `F.interpolate` (linear for
// text, bicubic for the ViT's grid, `align_corners=False`). Output row i reads the source coordinate
// x = (i + ½)·(in/out) − ½; linear mixes rows ⌊x⌋ and ⌊x⌋+1 with weights 1−λ, λ (x clamped at 0); bicubic mixes four
// rows with Keys' cubic kernel (a = −0.75), indices clamped to the table. The first rows of a 64 → 128 resize:

// %%
const taps = linearTaps(TRAIN_LEN, 2 * TRAIN_LEN);
showTable(
  taps.slice(0, 6).map((t, i) => ({ 'output row': i, 'source x': Math.max(0, (i + 0.5) * (TRAIN_LEN / (2 * TRAIN_LEN)) - 0.5), rows: t.index.join(', '), weights: t.weight.map((w) => w.toFixed(2)).join(', ') })),
  { caption: 'Linear taps, 64 → 128 rows' },
);
const ctaps = cubicTaps(GRID, 20);
showTable(
  ctaps.slice(0, 4).map((t, i) => ({ 'output index': i, 'source x': (i + 0.5) * (GRID / 20) - 0.5, indices: t.index.join(', '), weights: t.weight.map((w) => w.toFixed(4)).join(', '), 'sum of weights': t.weight.reduce((a, b) => a + b, 0) })),
  { digits: 4, caption: `Bicubic taps along one axis, ${GRID} → 20 (kernel W(0) = ${cubicKernel(0)}, W(1) = ${cubicKernel(1)}, W(0.5) = ${cubicKernel(0.5)})` },
);

// %% [markdown]
// We check that what `LearnedAPE.apply` returns is exactly these rules applied to its table: row by row for the 1-D
// resize, and one cell of the 2-D resize by the double sum Σᵢ Σⱼ w_row[i]·w_col[j]·T[rᵢ, cⱼ].

// %%
const ape1d = enc1d['APE (learned)'] as LearnedAPE;
const ape2d = enc2d['APE (learned)'] as LearnedAPE;
const table1d = ape1d.table.arraySync() as number[][]; // [64, 64]
const resized1d = tf.tidy(() => ape1d.apply({ kind: '1d', start: 0, length: 2 * TRAIN_LEN }, { training: false }).inputAdd!.arraySync() as number[][]);
let maxLinErr = 0;
taps.forEach((t, i) => {
  for (let c = 0; c < model.dModel; c++) {
    const want = t.index.reduce((s, r, k) => s + t.weight[k] * table1d[r][c], 0);
    maxLinErr = Math.max(maxLinErr, Math.abs(want - resized1d[i][c]));
  }
});
const table2d = ape2d.table.arraySync() as number[][]; // [196, 64], row-major grid
const resized2d = tf.tidy(() => ape2d.apply({ kind: '2d', start: [0, 0], rows: 20, cols: 20 }, { training: false }).inputAdd!.arraySync() as number[][]);
const [checkR, checkC] = [7, 13];
let maxCubicErr = 0;
for (let c = 0; c < model.dModel; c++) {
  let want = 0;
  ctaps[checkR].index.forEach((ri, a) => ctaps[checkC].index.forEach((ci, b) => (want += ctaps[checkR].weight[a] * ctaps[checkC].weight[b] * table2d[ri * GRID + ci][c])));
  maxCubicErr = Math.max(maxCubicErr, Math.abs(want - resized2d[checkR * 20 + checkC][c]));
}
console.log(`1-D linear, 128 rows: max |rule − apply| = ${maxLinErr.toExponential(2)}`);
console.log(`2-D bicubic, cell (${checkR}, ${checkC}) of 20 × 20: max |rule − apply| = ${maxCubicErr.toExponential(2)}`);
if (!(maxLinErr < 1e-5 && maxCubicErr < 1e-5)) throw new Error('APE resampling does not follow the documented rule');

// %% [markdown]
// ## RoPE: the score depends on the offset only
//
// RoPE rotates each pair of query/key coordinates by an angle proportional to the position, θₖ(t) = t·base^(−2k/d_h).
// A rotation by m and one by n leave a dot product that depends only on m − n. We check it on the object: the same
// random query vector at every position and the same random key vector at every position, rotated by `qk`, give a
// score matrix that should be constant along every diagonal (a Toeplitz matrix) — and identical for a window starting
// at 10 000. RoPE-2D and RoPE-Mixed make the same promise for 2-D offsets (Δrow, Δcol).

// %%
const dh = model.dModel / model.heads;
const rng = new Rng(SEED);
const qVec = normalArray(rng, model.heads * dh, 1); // one random query per head, the same at every position
const kVec = normalArray(rng, model.heads * dh, 1); // one random key per head
function rotatedScores(enc: PositionEncoding, layout: PositionLayout): number[][][] {
  return tf.tidy(() => {
    const n = layoutPositions(layout).length;
    const q = tf.tile(tf.tensor4d(qVec, [1, model.heads, 1, dh]), [1, 1, n, 1]) as tf.Tensor4D; // [1, H, n, d_h]
    const k = tf.tile(tf.tensor4d(kVec, [1, model.heads, 1, dh]), [1, 1, n, 1]) as tf.Tensor4D;
    const [qr, kr] = enc.apply(layout, { training: false }).qk!(0, q, k);
    return tf.matMul(qr, kr.transpose([0, 1, 3, 2])).squeeze([0]).arraySync() as number[][][]; // [H, n, n]
  });
}
/** Largest spread (max − min) of the scores over pairs with the same offset (per head), and the overall range. */
function offsetSpread(scores: number[][][], pos: number[][]): { spread: number; range: number } {
  const groups = new Map<string, number[]>();
  let lo = Infinity;
  let hi = -Infinity;
  scores.forEach((m, h) => m.forEach((row, i) => row.forEach((v, j) => {
    const key = `${h}:${pos[i].map((x, d) => x - pos[j][d]).join(',')}`;
    const g = groups.get(key) ?? [];
    g.push(v);
    groups.set(key, g);
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  })));
  let spread = 0;
  for (const g of groups.values()) spread = Math.max(spread, Math.max(...g) - Math.min(...g));
  return { spread, range: hi - lo };
}
const offsetCases: [string, PositionEncoding, PositionLayout][] = [
  ['RoPE', enc1d.RoPE, { kind: '1d', start: 0, length: 48 }],
  ['RoPE', enc1d.RoPE, { kind: '1d', start: 10000, length: 48 }],
  ['RoPE-2D', enc2d['RoPE-2D'], { kind: '2d', start: [0, 0], rows: 8, cols: 8 }],
  ['RoPE-Mixed', enc2d['RoPE-Mixed'], { kind: '2d', start: [0, 0], rows: 8, cols: 8 }],
  ['RoPE-Mixed', enc2d['RoPE-Mixed'], { kind: '2d', start: [40, 40], rows: 8, cols: 8 }],
];
const offsetScores = offsetCases.map(([, enc, layout]) => rotatedScores(enc, layout));
const offsetRows = offsetCases.map(([name, , layout], c) => {
  const { spread, range } = offsetSpread(offsetScores[c], layoutPositions(layout));
  return {
    encoding: name,
    layout: layout.kind === '1d' ? `1-D, ${layout.start}..${layout.start + layout.length - 1}` : `2-D, 8 × 8 at (${layout.start.join(', ')})`,
    'score range over all pairs': range,
    'max spread among pairs with the same offset': spread,
  };
});
showTable(offsetRows, { digits: 6, caption: 'q·k after rotation, the same content at every position (float32)' });
let shiftDiff = 0; // RoPE window at 0 vs window at 10 000, same q and k
offsetScores[0].forEach((m, h) => m.forEach((row, i) => row.forEach((v, j) => (shiftDiff = Math.max(shiftDiff, Math.abs(v - offsetScores[1][h][i][j]))))));
console.log(`RoPE: max |scores(0..47) − scores(10000..10047)| = ${shiftDiff.toExponential(2)} (the scores span ${offsetRows[0]['score range over all pairs'].toFixed(2)})`);

// %% [markdown]
// The spreads are float32 round-off (the angles at position 10 000 are large, hence a slightly larger error there):
// the scores are a function of the offset alone, and a window far away sees exactly the scores of a window at 0.
//
// ## ALiBi: one slope per head
//
// ALiBi adds m_h·j to the logit of key j in head h (under the causal mask this equals −m_h·(i − j) up to a per-row
// constant). For n heads, a power of two, the slopes are the geometric sequence (2^(−8/n))^(h+1); otherwise the n'
// = 2^⌊log₂ n⌋ slopes are followed by every other slope of 2n', truncated. As in the official code, the bias is added
// before the 1/√d_h scaling, so the effective slope is m_h/√d_h.

// %%
const slopeRows = [8, 12].map((n) => ({ heads: n, ...Object.fromEntries(alibiSlopes(n).map((m, h) => [`h${h}`, m])) }));
showTable(slopeRows, { digits: 5, caption: 'ALiBi slopes m_h (12 heads: the 8 of n = 8, then slopes 0, 2, 4, 6 of n = 16)' });
const s8 = alibiSlopes(8);
const s16 = alibiSlopes(16);
const s12 = alibiSlopes(12);
const ruleHolds = s12.slice(0, 8).every((m, i) => m === s8[i]) && s12.slice(8).every((m, i) => m === s16[2 * i]);
console.log(`12-head slopes = 8-head slopes + every other 16-head slope: ${ruleHolds}; first 8-head slope ${s8[0]} = 2^(−1)`);

// %% [markdown]
// ## Position similarity before training, 1-D
//
// What each encoding contributes for a 1-D window of 64 positions, as `similarityMap(…, { source: 'applied' })` sees it
// at layer 0: for input-level encodings (APE, sinusoidal) the dot products of the added vectors; for biases (ALiBi,
// SeqPE `attn_bias`) the bias averaged over heads; for q/k transforms (RoPE) the score between content-free all-ones
// queries and keys after the transform. Learned encodings are at their (random) initialisation. NoPE contributes
// nothing — its `capabilities.carriesPosition` says so, and it gets no map:

// %%
const layout1d: PositionLayout = { kind: '1d', start: 0, length: TRAIN_LEN };
const coords1d = layoutPositions(layout1d);
const maps1d: { name: string; map: SimilarityMap }[] = [];
for (const [name, enc] of Object.entries(enc1d)) {
  // Ask the encoding whether it carries position information at all (NoPE does not: it has no map).
  if (!enc.capabilities.carriesPosition) {
    console.log(`${name}: carries no position information, so it has no similarity map`);
    continue;
  }
  maps1d.push({ name, map: similarityMap(enc, layout1d, { source: 'applied', layer: 0, dims: model }) });
}
// The library's distance awareness; `causal` keeps only what a causal model sees (row i against keys j < i).
const awareness1d = maps1d.map(({ name, map }) => ({
  name,
  full: distanceAwareness(map, coords1d),
  causal: distanceAwareness(map, coords1d, { causal: true }),
}));
showTable(
  maps1d.map(({ name, map }, i) => ({
    encoding: name,
    'what is shown': map.description,
    'distance awareness (full rows)': awareness1d[i].full,
    'causal: keys j < i only': awareness1d[i].causal,
  })),
  { digits: 3, caption: 'The 1-D maps and their distance awareness (mean Spearman of similarity vs −distance per row)' },
);

// %%
await showAndSave(
  multiPanel(
    maps1d.map(({ map }) => heatmap({ z: compactRows(toRows(map)), colorscale: 'Viridis' })),
    { columns: 3, titles: maps1d.map(({ name }) => name), vgap: 0.14, title: `Position similarity at layer 0, positions 0..${TRAIN_LEN - 1}, untrained` },
  ),
  '09-similarity-1d',
  { width: 1100, height: 760 },
);

// %% [markdown]
// Reading the panels: sinusoidal and RoPE are distance-shaped by construction (a bright diagonal that fades with
// |i − j|, with ripples from the periodic components). ALiBi's raw bias is a ramp over the key index; a text model is
// causal, and restricted to keys j < i the ramp is exactly a penalty −m·(i − j) on distance — the last column of the
// table scores that view. An untrained APE is noise apart from the diagonal (each random vector is most similar to
// itself). Untrained SeqPE shows the digit-driven stripes of chapter 2, passed through a randomly initialised
// projection — hence its tiny values.
//
// ## Position similarity before training, 2-D
//
// For the image encodings we take the 14 × 14 training grid and one query patch, (7, 4), and show its similarity to
// every patch as an image — the form of the paper's ViT heatmaps. A second row uses a 20 × 20 grid (extrapolation:
// APE is resampled bicubically, the others extend) with the query at (12, 15).

// %%
const gridPanels: Figure[] = [];
const gridTitles: string[] = [];
const gridStats: Record<string, string | number>[] = [];
for (const [rows, query] of [[GRID, [7, 4]], [20, [12, 15]]] as [number, [number, number]][]) {
  const layout2d: PositionLayout = { kind: '2d', start: [0, 0], rows, cols: rows };
  const coords2d = layoutPositions(layout2d);
  for (const [name, enc] of Object.entries(enc2d)) {
    const map = similarityMap(enc, layout2d, { source: 'applied', layer: 0, dims: model });
    gridPanels.push(heatmap({ z: compactRows(gridRow(map, layout2d, query)), colorscale: 'Viridis' }));
    gridTitles.push(`${name}, ${rows}×${rows}`);
    gridStats.push({ encoding: name, grid: `${rows} × ${rows}`, query: `(${query.join(', ')})`, 'distance awareness (all rows)': distanceAwareness(map, coords2d) });
  }
}
await showAndSave(
  multiPanel(gridPanels, { columns: Object.keys(enc2d).length, titles: gridTitles, vgap: 0.16, hgap: 0.085, title: 'Similarity of every patch to the query patch, layer 0, untrained' }),
  '09-similarity-2d',
  { width: 1550, height: 660 },
);
showTable(gridStats, { digits: 3, caption: '2-D maps: distance awareness over all query patches (Euclidean patch distance)' });

// %% [markdown]
// Reading the 2-D panels: RoPE-2D and RoPE-Mixed peak at the query patch and fall off around it (RoPE-2D along the two
// axes separately, with ripples; RoPE-Mixed, whose frequencies mix both axes, more roundly), and keep doing so on the
// larger grid. The flattened sinusoidal encoding ties the query to its neighbours *in the flattened order* — mostly its
// own row — which is why 1-D encodings are a poor fit for images. Untrained APE is noise (on the 20 × 20 grid,
// bicubically resampled noise). Untrained SeqPE again shows stripes where digits change; chapters 3 and 4 are about
// training that into a geometry.

// %% [markdown]
// ## What this shows

// %%
const shaped = awareness1d.filter((a) => a.causal > 0.5).map((a) => a.name);
const unshaped = awareness1d.filter((a) => a.causal <= 0.5).map((a) => a.name);
const refusedFar = propertyRows.filter((r) => r['far away'] !== 'ok').map((r) => `${r.encoding} (${r.layout})`);
const refusedLarger = propertyRows.filter((r) => r['larger, from the origin'] !== 'ok').map((r) => `${r.encoding} (${r.layout})`);
showMarkdown(
  [
    `* Parameters (width ${model.dModel}): ${propertyRows.map((r) => `${r.encoding} ${r.layout} ${r.parameters.toLocaleString('en-US')}`).join('; ')}.`,
    `* A layout far from the origin was refused by: ${refusedFar.join(', ') || 'none'}; a larger layout from the origin by: ${refusedLarger.join(', ') || 'none'}. ` +
      `Every other encoding produced an output for both.`,
    `* APE's interpolation follows PyTorch's rule exactly (max deviation ${Math.max(maxLinErr, maxCubicErr).toExponential(1)}).`,
    `* RoPE scores depend on the offset only: largest spread among same-offset pairs ${Math.max(...offsetRows.map((r) => r['max spread among pairs with the same offset'] as number)).toExponential(1)} ` +
      `(float32 round-off), and a window at 10 000 reproduces the scores of a window at 0 to ${shiftDiff.toExponential(1)}.`,
    `* ALiBi slopes for 12 heads follow the 8 + every-other-of-16 rule: ${ruleHolds}.`,
    `* Untrained 1-D distance awareness (full rows / causal view): ${awareness1d.map((a) => `${a.name} ${a.full.toFixed(2)} / ${a.causal.toFixed(2)}`).join(', ')}. ` +
      `Distance-shaped before any training (causal view > 0.5): ${shaped.join(', ') || 'none'}; not: ${unshaped.join(', ') || 'none'} — these have to learn it, which for SeqPE is what chapter 3's L_δ is for.`,
  ].join('\n'),
);
Object.values(enc1d).forEach((e) => e.dispose());
Object.values(enc2d).forEach((e) => e.dispose());
await closeRenderer();
console.log(`tensors alive at the end: ${tf.memory().numTensors}`);

// %% [markdown]
// ## Try it
//
// **ALiBi's slopes.** With n heads (a power of two) ALiBi's slopes are 2^(−8i/n) for i = 1…n. Predict the slopes for
// 4 heads, then run; try 6 heads (not a power of two: the extra heads interleave slopes of the next power of two).
// (Instant.)

// %%
{
  const heads = 4;
  const predicted = [1 / 4, 1 / 16, 1 / 64, 1 / 256]; // edit after changing heads
  const slopes = alibiSlopes(heads);
  console.log(`${heads} heads: ${slopes.map((s) => s.toPrecision(4)).join(', ')} — ${JSON.stringify(slopes) === JSON.stringify(predicted) ? 'as predicted' : 'not what you predicted'}`);
}
