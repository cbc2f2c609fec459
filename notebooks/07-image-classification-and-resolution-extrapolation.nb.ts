// Source of 07-image-classification-and-resolution-extrapolation.ipynb (percent format). Build: npx tsx scripts/make-notebook.ts notebooks/07-image-classification-and-resolution-extrapolation.nb.ts

// %% [markdown]
// # 7. Image classification and resolution extrapolation
//
// SeqPE's third claim (RQ3) is that the same recipe works in more than one dimension without redesign: a 2-D patch
// position (r, c) is written as the digits of r followed by the digits of c, and the same kind of encoder, trained with
// the same two regularisers, gives its embedding. The test is **resolution extrapolation**: a Vision Transformer
// trained on images of one size is shown larger images. With a fixed patch size a larger image means a larger patch
// grid, so the model meets patch positions it never saw (on ImageNet, 224 px in 16 px patches is a 14×14 grid; 672 px
// is 42×42). The paper's ImageNet table compares learned APE (bicubically interpolated), 2-D RoPE (axial), RoPE-Mixed
// (learned mixed frequencies) and SeqPE; the released SeqPE ViT-S checkpoint's own log shows its accuracy *rising*
// from 81.2 % at 224 px to 81.8 % at 320 px (spec §2.3) — the claim is that SeqPE holds up or improves at larger
// resolutions where the others fall.
//
// **Ours**: MNIST digits at their native 28 px in 4 px patches, a **7×7 grid**, evaluated on the test digits resized
// to 28…84 px, i.e. **7×7 up to 21×21** patches — 3× per side, the same ratio as 224 → 672.
//
// **Run time:** about 1 min at the `small` profile with every run of the experiment cached in `results/` (measured 2026-12-02 on 2 cores): the cells only read results, load the committed weights and draw. A missing run is trained first: the 8 ViT runs (8 000 steps) took 17–18 min (APE, RoPE-2D, RoPE-Mixed) and 41 min (SeqPE) each on one core, ≈ 93 min on 2 cores.

// %%
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import {
  vitMethods, runExperiments, loadResults, type VitResult, loadMnist, resizeImages, specFor, toDigits,
  showFigure, showMarkdown, showTable, heatmap, multiPanel, type Figure, meanSpread, closeRenderer,
  startChapter,
} from './src/index';

const { profile, showSavedFigure } = await startChapter({ committed: 'small' });

// %% [markdown]
// ## Re-running
//
// Runs are cached under `results/runs/` by configuration. `FORCE_RERUN = true` deletes this experiment's cached runs
// and trains them again; from a shell: `npm run reproduce -- --profile small --only vit-resolution --fresh`.

// %%
const FORCE_RERUN = false;

// %% [markdown]
// ## A test digit at several resolutions
//
// At test time an image is resized from 28 px to s px (bilinear) and cut into 4 px patches, so the grid has s/4 × s/4
// patches. The digit is the same; each patch covers a smaller part of it, and there are more of them. (The paper
// resizes ImageNet images to 256/224·s and centre-crops s, also bicubic; the effect on the grid is the same.) The lines
// mark the patch grid the model sees.

// %%
const v = profile.vit;
const patch = v.patch;
const native = v.nativeSize;
const testSet = loadMnist('test', { limit: 1 });
const digit = testSet.images.subarray(0, native * native);
const showSizes = [native, 40, 56, 84].filter((s) => s % patch === 0);

/** A heatmap of one image with its patch grid drawn as thin lines. */
function imageWithGrid(img: Float32Array, size: number): Figure {
  const z: number[][] = [];
  for (let r = 0; r < size; r++) z.push(Array.from(img.subarray(r * size, (r + 1) * size)));
  const fig = heatmap({ z, colorscale: 'Greys', reverseScale: true, zmin: 0, zmax: 1 });
  const shapes: Record<string, unknown>[] = [];
  for (let k = 1; k < size / patch; k++) {
    const at = k * patch - 0.5;
    shapes.push({ type: 'line', x0: at, x1: at, y0: -0.5, y1: size - 0.5, line: { color: '#e4572e', width: 0.6 } });
    shapes.push({ type: 'line', y0: at, y1: at, x0: -0.5, x1: size - 0.5, line: { color: '#e4572e', width: 0.6 } });
  }
  fig.layout.shapes = shapes;
  fig.data[0].showscale = false;
  return fig;
}

await showFigure(
  multiPanel(
    showSizes.map((s) => imageWithGrid(s === native ? digit : resizeImages(digit, native, s, 'bilinear'), s)),
    { titles: showSizes.map((s) => `${s} px: ${s / patch}×${s / patch} patches`), title: `MNIST test image 0 (label ${testSet.labels[0]}) as the model sees it`, hgap: 0.04 },
  ),
  { width: 1200, height: 380 },
);

// %% [markdown]
// ## Which positions are new
//
// Trained at 7×7, every encoding has seen rows and columns 0…6 only — except SeqPE, whose random shift (10 % of
// steps use a 7×7 window placed elsewhere in its 100×100 position range) and L_OOD (which anchors positions outside the
// 7×7 grid to the in-grid ones) train its encoder on other positions too. How each method handles a larger grid
// (spec §1.9, §5):
//
// | method | where it acts | rule for a larger grid |
// | --- | --- | --- |
// | APE (bicubic) | added to the patch embeddings | **interpolate**: the 7×7 table is bicubically resampled to the new grid — the same positions, drawn finer |
// | RoPE-2D | rotates q and k | **extend**: half of each head's dimensions rotate with the row, half with the column; angles exist for every index |
// | RoPE-Mixed | rotates q and k | **extend**: learned frequencies mixing row and column; angles exist for every index |
// | SeqPE | per-layer gates on q and k (q ⊙ p_q, k ⊙ p_k) | **extend**: the new (r, c) digit strings are encoded |
//
// SeqPE's digits for some patches of the 21×21 grid (base 10, two digits per axis because the position range is
// 100 per axis):

// %%
const spec2d = specFor(v.seqpeMaxPosition, 2);
const bigGrid = Math.max(...v.evalSizes) / patch;
const sampleAll: Array<[number, number]> = [[0, 0], [2, 3], [6, 6], [6, 7], [3, 10], [10, 10], [bigGrid - 1, bigGrid - 1], [20, 20]];
const sample = sampleAll.filter((p, i) => sampleAll.findIndex((q) => q[0] === p[0] && q[1] === p[1]) === i);
showTable(
  sample.map(([r, c]) => ({
    patch: `(${r}, ${c})`,
    'SeqPE digits': toDigits([r, c], spec2d).join(' '),
    'in the 7×7 training grid': r < native / patch && c < native / patch ? 'yes' : 'no',
    [`in the ${bigGrid}×${bigGrid} test grid`]: r < bigGrid && c < bigGrid ? 'yes' : 'no',
  })),
  { caption: `2-D positions as digit sequences (${spec2d.digits} digits per axis)` },
);

// %% [markdown]
// ## Run the experiment
//
// Each method's ViT is trained on a class-balanced subset of the MNIST training digits at 28 px and tested on the
// first `testImages` test digits at every evaluation size.

// %%
showTable(
  [
    { setting: 'model (width / layers / heads)', value: `${v.dModel} / ${v.layers} / ${v.heads}`, paper: '384 / 12 / 6 (ViT-S/16)' },
    { setting: 'training images / steps × batch', value: `${v.trainImages} / ${v.steps} × ${v.batch}`, paper: 'ImageNet-1K / 400 epochs × 1024' },
    { setting: 'test images', value: String(v.testImages), paper: '50 000 (ImageNet val)' },
    { setting: 'train grid', value: `${native} px / ${patch} px patches = ${native / patch}×${native / patch}`, paper: '224 px / 16 px = 14×14' },
    { setting: 'test sizes', value: v.evalSizes.map((s) => `${s} (${s / patch}×${s / patch})`).join(', '), paper: '224 … 672 (14×14 … 42×42)' },
    { setting: 'augmentation', value: 'none', paper: 'RandAugment, Mixup, CutMix, random erasing' },
    { setting: 'seeds', value: profile.seeds.join(', '), paper: 'one' },
  ],
  { caption: `ViT set-up, profile ${profile.name}` },
);
const vitOut = await runExperiments(['vit-resolution'], { profile: profile.name, fresh: FORCE_RERUN });
for (const t of vitOut!.tables) showMarkdown(`**${t.caption}** — ${profile.caveat}. Mean ± std over seeds.\n\n${t.markdown}`);

// %%
showSavedFigure('vit-resolution');

// %% [markdown]
// ## What the position encodings learned: 2-D similarity maps
//
// The paper's heatmaps (spec §3) show, for a query patch, the similarity of its position embedding to every other
// patch's. A distance-aware encoding draws a blob centred on the query that fades with distance; the interesting part
// is whether that survives on a grid larger than the training grid. The similarity is the dot product of the raw
// position vectors where they exist (SeqPE's encoder outputs, APE's table), and for the rotary methods the
// content-free attention logit they induce in layer 0 (all-ones queries and keys, averaged over heads). Each row is one
// method (first seed): the centre query on the 7×7 training grid, then the corner (0, 0), the centre and the far
// corner on the largest test grid. Colour scales are per panel.

// %%
const results = loadResults<VitResult>('vit-resolution', profile.name);
const methods = vitMethods(profile).map((m) => m.label);
const first = methods.map((m) => results.find((r) => r.config.method.label === m && r.config.seed === profile.seeds[0])!.result);
const trainGrid = native / patch;
const panels: Figure[] = [];
const titles: string[] = [];
first.forEach((r, i) => {
  const pick = (g: number, q: [number, number]) => r.maps.find((m) => m.grid === g && m.query[0] === q[0] && m.query[1] === q[1]);
  const mid = (g: number) => Math.floor(g / 2);
  const wanted: Array<[number, [number, number]]> = [
    [trainGrid, [mid(trainGrid), mid(trainGrid)]],
    [bigGrid, [0, 0]],
    [bigGrid, [mid(bigGrid), mid(bigGrid)]],
    [bigGrid, [bigGrid - 1, bigGrid - 1]],
  ];
  for (const [g, q] of wanted) {
    const m = pick(g, q);
    if (!m) throw new Error(`${methods[i]}: no similarity map for grid ${g}, query (${q.join(', ')})`);
    panels.push(heatmap({ z: m.values, colorscale: 'Hot' }));
    titles.push(`${methods[i]}: ${g}×${g}, query (${q.join(',')})`);
  }
});
await showFigure(multiPanel(panels, { columns: 4, titles, title: `Patch-position similarity to a query patch [${profile.name}]`, hgap: 0.1 }), { width: 1400, height: 330 * first.length });

// %% [markdown]
// The maps can be summarised by one number, **distance awareness**: for each query patch, the Spearman correlation
// between similarity and *minus* the distance to the other patches, averaged over queries (1 = similarity falls
// strictly with distance, 0 = unrelated, negative = the wrong way round). Computed on the 7×7 training grid and on the
// largest test grid, mean over seeds.

// %%
const awareRows = methods.map((m) => {
  const rs = results.filter((r) => r.config.method.label === m).map((r) => r.result);
  const f = (xs: number[]) => {
    const s = meanSpread(xs);
    return s.spread === undefined ? s.mean.toFixed(3) : `${s.mean.toFixed(3)} ± ${s.spread.toFixed(3)}`;
  };
  return { method: m, [`${trainGrid}×${trainGrid} (train)`]: f(rs.map((r) => r.awareness.train)), [`${bigGrid}×${bigGrid} (largest)`]: f(rs.map((r) => r.awareness.largest)) };
});
showTable(awareRows, { caption: `Distance awareness of the 2-D position similarity [${profile.name}]` });

// %% [markdown]
// ## The paper's claim and what came out here
//
// Claim: SeqPE's accuracy holds up (or improves) at larger resolutions, and is the best of the four at the largest.
// Accuracy is a proportion over `testImages` digits, so one digit is worth 100/testImages points; differences are called
// "beyond the seed spread" only when larger than the two methods' std over seeds added together.

// %%
const sizes = [...v.evalSizes].sort((a, b) => a - b);
const acc = (m: string, s: number) =>
  meanSpread(results.filter((r) => r.config.method.label === m).map((r) => r.result.accuracy.find((a) => a.size === s)!.accuracy));
const sMax = sizes[sizes.length - 1];
/** "+1.2", "-0.4", and "0.0" for anything that rounds to zero (no "-0.0"). */
const signed = (x: number, d = 1): string => (Math.abs(x) < 0.5 * 10 ** -d ? (0).toFixed(d) : `${x > 0 ? '+' : ''}${x.toFixed(d)}`);
const lines: string[] = [];
if (profile.name === 'quick') {
  lines.push(`> **Profile \`quick\`: ${profile.caveat}.** ${v.testImages} test digits and ${v.steps} training steps: near-chance accuracies, nothing to compare.`, '');
}
lines.push(`One test digit is worth ${(100 / v.testImages).toFixed(2)} points (${v.testImages} digits); chance is 10 %.`, '');
const ranked = [...methods].sort((a, b) => acc(b, sMax).mean - acc(a, sMax).mean);
for (const m of ranked) {
  const a0 = acc(m, native);
  const a1 = acc(m, sMax);
  lines.push(`- **${m}**: ${a0.mean.toFixed(1)} % at ${native} px → ${a1.mean.toFixed(1)} %${a1.spread === undefined ? '' : ` ± ${a1.spread.toFixed(1)}`} at ${sMax} px (${sMax / patch}×${sMax / patch}); change ${signed(a1.mean - a0.mean)} points`);
}
if (methods.includes('SeqPE')) {
  const seq = acc('SeqPE', sMax);
  for (const m of methods.filter((x) => x !== 'SeqPE')) {
    const o = acc(m, sMax);
    const d = seq.mean - o.mean;
    const noise = (seq.spread ?? NaN) + (o.spread ?? NaN);
    const verdict = Number.isNaN(noise) ? 'one seed: no spread to compare with' : Math.abs(d) > noise ? 'beyond the seed spread' : 'within the seed spread';
    lines.push(`- SeqPE vs ${m} at ${sMax} px: ${signed(d)} points (${verdict})`);
  }
  const best = ranked.filter((m) => acc(m, sMax).mean === acc(ranked[0], sMax).mean);
  const seqAw = results.filter((r) => r.config.method.label === 'SeqPE').map((r) => r.result.awareness);
  lines.push(
    '',
    `Distance awareness of SeqPE: ${meanSpread(seqAw.map((a) => a.train)).mean.toFixed(3)} on the training grid, ${meanSpread(seqAw.map((a) => a.largest)).mean.toFixed(3)} on the ${bigGrid}×${bigGrid} grid.`,
    '',
    `**Paper's claim (SeqPE best at the largest resolution): ${best.includes('SeqPE') ? (best.length > 1 ? `holds, tied with ${best.filter((m) => m !== 'SeqPE').join(', ')}` : 'holds') : 'does not hold'} at profile \`${profile.name}\`.**`,
  );
}
showMarkdown(lines.join('\n'));

// %%
await closeRenderer();
console.log(`done; tensors alive: ${tf.memory().numTensors}`);

// %% [markdown]
// ## Try it
//
// **Patches at another resolution.** An image of S × S pixels cut into p × p patches has (S/p)² patches; SeqPE writes
// patch (r, c) with 2 digits per axis. Pick S = 56 (twice MNIST's 28), predict the patch count and the digits of the
// last patch, then run. (Instant.)

// %%
{
  const S = 56;
  const p = 4;
  const side = S / p;
  const spec = specFor(10000, 2);
  console.log(`${S} px with ${p} px patches: ${side * side} patches; the last, (${side - 1}, ${side - 1}), is written ${toDigits([side - 1, side - 1], spec).join(' ')}`);
}
