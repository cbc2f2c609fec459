// Source of 04-the-ood-distillation-objective.ipynb (percent format). Build: npx tsx scripts/make-notebook.ts notebooks/04-the-ood-distillation-objective.nb.ts

// %% [markdown]
// # 4. The out-of-distribution distillation objective L_OOD
//
// Chapter 3 trained the encoder with L_δ on a range of positions and found that what happens *outside* that range is
// left to chance. SeqPE's second regulariser addresses exactly this. The paper calls it "a knowledge-distillation loss
// that anchors out-of-distribution position embeddings to in-distribution teacher representations"; Fig. 1 calls it
// **Out-of-Distribution Regularization L_OOD** and draws bar charts of similarity distributions P (from teachers
// e₍₂,₃₎, e₍₃,₃₎, e₍₁,₁₎, e₍₁,₃₎) and S (from students e₍₁₂,₂₃₎, e₍₁₃,₂₃₎, e₍₁₁,₂₁₎, e₍₁₁,₂₃₎), tied by a KL divergence.
//
// The idea: the main task trains the embeddings of the positions it sees (the **teachers**: 0..L−1, or the 14 × 14
// patch grid). Take a few of them, translate the whole pattern far away (the **students**), and ask that the students'
// similarities *among themselves* look like the teachers' similarities among themselves. Per sample and per encoder
// head h, with E the head's slice of the n embeddings,
//
// $$P = \mathrm{softmax}_\text{row}(E E^\top), \qquad
// \mathcal{L}_\text{OOD} = \beta\,[\mathrm{KL}_\text{mean}(P_T\,\|\,P_S) + \mathrm{KL}_\text{mean}(P_S\,\|\,P_T)],$$
//
// where KL_mean averages P·(log P − log Q) over **all** B·H·n·n entries (PyTorch's `kl_div` default, about 1/n of the
// per-row KL — kept for fidelity), the diagonal is included, and no gradient flows into the teacher. This chapter
// builds the pairs, computes the loss by hand on Fig. 1's example, and then trains two encoders from the same seed —
// one with L_δ alone, one with L_δ + L_OOD — to see what the extra loss changes beyond the trained range.
//
// **Run time:** not re-measured since this chapter gained its progress display: in its previous execution at the `small` profile (2026-12-02, this project's machine: 2 cores of an AMD EPYC, wasm engine) the six encoder trainings took 730 s; chapter 03's trainings ran 8× slower while the machine was shared with a reproduction, so allow up to about 2 hours then.

// %%
import * as tf from '@tensorflow/tfjs';
import {
  TransferSampler, ContrastiveSampler, contrastiveLoss, distillationLoss, SeqPE, SeqPEEncoder, similarityMap,
  distanceAwareness, toRows, SimilarityMap, Rng, normalArray, showTable, showMarkdown, heatmap, lineChart, multiPanel,
  Figure, PALETTE, compactRows, closeRenderer, startChapter, LiveProgress, type StepReport,
  EncodingOnly, encodingTask, train, type TrainConfig,
} from './src/index';

const { profile, showAndSave } = await startChapter({ committed: 'small' });

/**
 * The library's training settings for encoder-only runs (as in chapter 3): AdamW without decay (ε = 10⁻⁷, as
 * tf.train.adam), learning rate 10⁻³ with a 50-step linear warm-up from 0 and a cosine decay to 0, no clipping.
 */
const encoderOnlyTraining = (steps: number, seed: number, onStep?: (r: StepReport) => void): TrainConfig => ({
  steps, seed, lr: 1e-3, peLr: 1e-3, eps: 1e-7,
  schedule: { kind: 'cosine', warmupSteps: 50 },
  clip: { main: Infinity, pe: Infinity },
  progress: { mode: 'silent', onStep },
});
/** A progress line and loss chart that update in place (at most twice a second) while `steps` steps train. */
function liveLoss(label: string, steps: number): { live: LiveProgress; onStep: (r: StepReport) => void } {
  const live = new LiveProgress({ label, total: steps });
  return { live, onStep: (r) => live.update(r.step, r.loss) };
}

// %% [markdown]
// ## Teachers and students
//
// `TransferSampler` draws them. In 2-D, with the training grid at the origin, an admissible offset (i, j) moves the
// whole grid somewhere it was not: i ≥ rows or j ≥ cols, inside the 100 × 100 space. Each sample takes `transferSize`
// grid cells without replacement (teachers) and adds the offset (students). Below: one draw for Fig. 1's 4 × 4 grid
// with 4 positions per sample, and the 1-D sampler at the language model's setting (L = 512, positions < 20 000),
// whose offsets start at ⌊L/4⌋.

// %%
const sampler2d = new TransferSampler({ dims: 2, maxPosition: 10000, trainRows: 4, trainCols: 4, transferSize: 4, batchSize: 3, seed: 4 });
const draw2d = sampler2d.nextBatch();
const fmtPos = (p: number[]) => `(${p.join(', ')})`;
showTable(
  draw2d.offsets.map((off, b) => ({
    sample: b,
    offset: fmtPos(off),
    teachers: draw2d.teacherPositions[b].map(fmtPos).join(' '),
    students: draw2d.studentPositions[b].map(fmtPos).join(' '),
  })),
  { caption: `2-D TransferSampler (4 × 4 training grid): ${sampler2d.offsets.length} admissible offsets` },
);
const sampler1d = new TransferSampler({ dims: 1, maxPosition: 20000, trainLength: 512, seed: 4 });
const offs1d = sampler1d.offsets.map((o) => o[0]);
console.log(`1-D, L = 512: offsets ${offs1d[0]}..${offs1d[offs1d.length - 1]} (${offs1d.length} of them); batch ${sampler1d.batchSize} × ${sampler1d.transferSize} positions`);

// %% [markdown]
// Fig. 1's own example is the offset (10, 20) applied to teachers (2, 3), (3, 3), (1, 1), (1, 3). It is one of the
// sampler's admissible offsets:

// %%
const figTeachers = [[2, 3], [3, 3], [1, 1], [1, 3]];
const figOffset = [10, 20];
const figStudents = figTeachers.map((t) => [t[0] + figOffset[0], t[1] + figOffset[1]]);
const admissible = sampler2d.offsets.some((o) => o[0] === figOffset[0] && o[1] === figOffset[1]);
console.log(`teachers ${figTeachers.map(fmtPos).join(' ')}`);
console.log(`students ${figStudents.map(fmtPos).join(' ')}  (offset ${fmtPos(figOffset)} admissible: ${admissible})`);
if (!admissible) throw new Error('Fig. 1 offset is not admissible');

// %% [markdown]
// ## P_T and P_S on Fig. 1's example
//
// To have something to look at, we take a 2-D encoder (width 32, 2 heads, positions on the 100 × 100 grid) and give it
// a short L_δ training on the 2-D grid (8 pivots × 32 candidates per step; the similarities of an untrained encoder
// are nearly uniform, which would make dull bars). Then we compute,
// per head, the row-softmax of the 4 × 4 similarity matrices of teachers and students — by hand, from the embedding
// values — and draw two rows of them as in Fig. 1.

// %%
// The encoder inside a SeqPE encoding that carries L_δ on the 2-D grid as its one objective, trained by the library's
// loop with the settings of chapter 3 (the main "grid" is the single patch (0, 0)).
const steps2d = profile.name === 'quick' ? 400 : 800;
const pe2d = new SeqPE({ dModel: 32, heads: 2, layers: 1 }, {
  mode: 'input_add', seed: 3, encoder: { width: 32, heads: 2, dims: 2, maxPosition: 10000, residDropout: 0 },
  objectives: { contrastive: { weight: 1, batchSize: 8, contrastiveSize: 32 } },
});
const enc2d = pe2d.encoder;
{
  const model2d = new EncodingOnly(pe2d);
  const { live, onStep } = liveLoss('2-D encoder, L_δ', steps2d);
  const r = await train(model2d, encodingTask({ kind: '2d', start: [0, 0], rows: 1, cols: 1 }), encoderOnlyTraining(steps2d, 5, onStep));
  live.finish();
  model2d.dispose();
  const ls = r.reports.map((x) => x.objectives.contrastive);
  const lastMean = ls.slice(-50).reduce((x, y) => x + y, 0) / 50;
  console.log(`2-D encoder: ${steps2d} steps of L_δ, loss ${ls[0].toFixed(2)} → ${lastMean.toFixed(2)} (mean of the last 50)`);
}

// %%
/** Row-softmax of E_h E_hᵀ for every head h: [head][row][col], from plain numbers. */
function headDistributions(E: number[][], heads: number): number[][][] {
  const d = E[0].length / heads;
  return Array.from({ length: heads }, (_, h) =>
    E.map((ei) => {
      const logits = E.map((ej) => ei.slice(h * d, (h + 1) * d).reduce((s, x, k) => s + x * ej[h * d + k], 0));
      const m = Math.max(...logits);
      const ex = logits.map((l) => Math.exp(l - m));
      const z = ex.reduce((a, b) => a + b, 0);
      return ex.map((x) => x / z);
    }),
  );
}
const ET = tf.tidy(() => enc2d.table(figTeachers).arraySync() as number[][]); // [4, 32]
const ES = tf.tidy(() => enc2d.table(figStudents).arraySync() as number[][]); // [4, 32]
const PT = headDistributions(ET, 2);
const PS = headDistributions(ES, 2);

// Symmetric KL, element mean over heads × n × n, β = 1.
let klTS = 0;
let klST = 0;
const nFig = figTeachers.length;
const perHead: { head: number; 'KLmean(P_T‖P_S)': number; 'KLmean(P_S‖P_T)': number }[] = [];
for (let h = 0; h < 2; h++) {
  let a = 0;
  let b = 0;
  for (let i = 0; i < nFig; i++) {
    for (let j = 0; j < nFig; j++) {
      a += PT[h][i][j] * (Math.log(PT[h][i][j]) - Math.log(PS[h][i][j]));
      b += PS[h][i][j] * (Math.log(PS[h][i][j]) - Math.log(PT[h][i][j]));
    }
  }
  perHead.push({ head: h, 'KLmean(P_T‖P_S)': a / (nFig * nFig), 'KLmean(P_S‖P_T)': b / (nFig * nFig) });
  klTS += a / (2 * nFig * nFig);
  klST += b / (2 * nFig * nFig);
}
const handLoss = klTS + klST;
const libLoss = tf.tidy(() => distillationLoss(tf.tensor2d(ET), tf.tensor3d([ES]), 2).dataSync()[0]);
showTable(perHead, { digits: 6, caption: 'Per-head KL (mean over the 4 × 4 entries)' });
console.log(`L_OOD by hand: ${handLoss.toExponential(6)}   distillationLoss: ${libLoss.toExponential(6)}   relative difference ${(Math.abs(handLoss - libLoss) / handLoss).toExponential(1)}`);
if (Math.abs(handLoss - libLoss) > 1e-4 * Math.abs(handLoss) + 1e-8) throw new Error('distillationLoss disagrees with the hand computation');

// %%
const labels = figTeachers.map(fmtPos);
const barPanels: Figure[] = [];
const barTitles: string[] = [];
for (const row of [0, 2]) {
  for (let h = 0; h < 2; h++) {
    const fig = lineChart({
      series: [
        { name: 'P (teachers)', x: [0, 1, 2, 3], y: PT[h][row], color: PALETTE[0] },
        { name: 'S (students, +(10, 20))', x: [0, 1, 2, 3], y: PS[h][row], color: PALETTE[1] },
      ],
      yTitle: 'probability',
    });
    fig.data.forEach((t) => (t.type = 'bar'));
    fig.layout.xaxis = { tickvals: [0, 1, 2, 3], ticktext: labels.map((l, k) => `${l}→${fmtPos(figStudents[k])}`), tickfont: { size: 10 } };
    barPanels.push(fig);
    barTitles.push(`head ${h}, row of ${labels[row]} / ${fmtPos(figStudents[row])}`);
  }
}
// The distributions are close to uniform (1/4), so the y axes are zoomed around 0.25; a dotted line marks uniform.
const allP = [...PT.flat(2), ...PS.flat(2)];
const yRange = [Math.min(...allP) - 0.005, Math.max(...allP) + 0.005];
barPanels.forEach((p) => {
  p.layout.yaxis = { ...p.layout.yaxis, range: yRange, title: { text: 'probability (zoomed)' } };
  p.layout.shapes = [{ type: 'line', xref: 'paper', x0: 0, x1: 1, yref: 'y', y0: 0.25, y1: 0.25, line: { color: '#555', width: 1, dash: 'dot' } }];
});
const barFigure = multiPanel(barPanels, { columns: 2, titles: barTitles, vgap: 0.2 });
barFigure.layout.barmode = 'group';
await showAndSave(barFigure, '04-fig1-distributions', { width: 1000, height: 620 });

// %%
let maxGap = 0;
let maxFromUniform = 0;
for (let h = 0; h < 2; h++) {
  for (let i = 0; i < nFig; i++) {
    for (let j = 0; j < nFig; j++) {
      maxGap = Math.max(maxGap, Math.abs(PT[h][i][j] - PS[h][i][j]));
      maxFromUniform = Math.max(maxFromUniform, Math.abs(PT[h][i][j] - 1 / nFig), Math.abs(PS[h][i][j] - 1 / nFig));
    }
  }
}
console.log(`largest |P_T − P_S| entry: ${maxGap.toFixed(4)}; largest distance of any entry from uniform (1/4): ${maxFromUniform.toFixed(4)}`);

// %% [markdown]
// The printout says how far apart the teachers' and students' distributions are for this encoder, which was never
// asked to treat (12, 23) like (2, 3); the KL above sums that up. It also says that all of them are close to uniform:
// with the paper's logit scale of 1, four nearby positions have similar dot products, so each row spreads its
// probability almost evenly — one reason the values of L_OOD are small numbers. Two more things to notice: each head has its own
// distribution (the loss is per head), and the diagonal — a position's similarity with itself — is part of each row.
//
// ## The experiment: L_δ alone vs L_δ + L_OOD
//
// Same recipe as chapter 3: encoder width 32, 2 heads, 2 blocks, dropout off; the library's loop (AdamW without decay),
// learning rate 10⁻³ with a short warm-up and a cosine decay; L_δ with the paper's 1-D batch (16 pivots × 32 candidates) **restricted to positions
// 0..1 999**. The teachers are positions 0..255, standing in for a main task trained at length L = 256 (chapter 3
// found this window distance-aware after L_δ training, so there is structure to pass on); the distillation sampler (the official code's "transfer" sampler) draws
// 16 samples of 32 of them per step and translates each by an offset in [64, 19 744) — almost all far beyond the
// 2 000 positions L_δ sees. Run B adds L_OOD with the same weight as L_δ (the paper weights both
// regularisers 0.1 against the task loss, i.e. equally). Both runs start from the **same seed**, so they have the same
// initial weights and the same L_δ batches; run A repeats chapter 3's run of the same seed exactly (same recipe).
//
// What we measure after training, on fixed evaluation offsets never chosen by hand for either run:
// * the L_OOD value itself (the library's `distillationLoss`) between the teachers and students at offsets
//   250, 1 000, 1 500 (windows inside L_δ's range) and 3 000 … 17 500 (seven offsets beyond it), on a fixed set of 32
//   teacher positions;
// * the distance awareness (chapter 2) of the 256-position window at each of those offsets and of the teacher window.

// %%
const TEACH_L = 256;
const TRAIN_RANGE = 2000;
const STEPS = profile.name === 'quick' ? 500 : profile.name === 'small' ? 1500 : 3000;
const SEEDS = profile.name === 'quick' ? [0] : [0, 1, 2];
const W_OOD = 1;
const HEADS = 2;
const evalOffsets = [250, 1000, 1500, 3000, 5000, 7500, 10000, 12500, 15000, 17500];
const isFar = (o: number) => o >= TRAIN_RANGE;
const evalTeacherIdx = new Rng(99).sampleWithoutReplacement(TEACH_L, 32).sort((a, b) => a - b);

function windowAwareness(pe: SeqPE, start: number, length: number): { map: SimilarityMap; awareness: number } {
  const map = similarityMap(pe, { kind: '1d', start, length }, { source: 'raw' });
  return { map, awareness: distanceAwareness(map, Array.from({ length }, (_, i) => [start + i])) };
}
/** L_OOD between the fixed teacher set and its translate by `offset` (eval mode, cached embeddings). */
function heldOutOOD(pe: SeqPE, offset: number): number {
  return tf.tidy(() => {
    const t = pe.encoder.table(evalTeacherIdx); // [32, 32]
    const s = pe.encoder.table(evalTeacherIdx.map((i) => i + offset)).expandDims(0) as tf.Tensor3D; // [1, 32, 32]
    return distillationLoss(t, s, HEADS).dataSync()[0];
  });
}

interface RunResult {
  label: string;
  seed: number;
  pe: SeqPE;
  lossDelta: number[];
  lossOOD: number[];
  ood: number[];
  awareness: number[];
  teacherAwareness: number;
  seconds: number;
}

async function trainRun(seed: number, withOOD: boolean): Promise<RunResult> {
  // The encoding carries its objectives: L_δ on positions 0..TRAIN_RANGE − 1 (weight 1), and in run B L_OOD (weight
  // W_OOD) with the teacher window 0..TEACH_L − 1 = the task's main window, students anywhere below 20 000.
  const pe = new SeqPE({ dModel: 32, heads: HEADS, layers: 1 }, {
    mode: 'input_add', seed, encoder: { width: 32, heads: HEADS, maxPosition: 20000, residDropout: 0 },
    objectives: {
      contrastive: { weight: 1, positionRange: TRAIN_RANGE },
      distillation: withOOD ? { weight: W_OOD } : undefined,
    },
  });
  const model = new EncodingOnly(pe);
  // Run A's main window is position 0 alone, as in chapter 3 (so run A is chapter 3's run of the same seed); run B's
  // is the teacher window. The loop seeds the L_δ sampler identically in both runs: the same L_δ batches.
  const layout = { kind: '1d' as const, start: 0, length: withOOD ? TEACH_L : 1 };
  const { live, onStep } = liveLoss(`seed ${seed}, ${withOOD ? 'L_δ + L_OOD' : 'L_δ only'} (total loss)`, STEPS);
  const r = await train(model, encodingTask(layout), encoderOnlyTraining(STEPS, 1000 + seed, onStep));
  live.finish();
  model.dispose();
  return {
    label: withOOD ? 'L_δ + L_OOD' : 'L_δ only',
    seed,
    pe,
    lossDelta: r.reports.map((x) => x.objectives.contrastive),
    lossOOD: r.reports.map((x) => x.objectives.distillation ?? 0),
    ood: evalOffsets.map((o) => heldOutOOD(pe, o)),
    awareness: evalOffsets.map((o) => windowAwareness(pe, o, TEACH_L).awareness),
    teacherAwareness: windowAwareness(pe, 0, TEACH_L).awareness,
    seconds: r.seconds,
  };
}

const results: RunResult[] = [];
for (const seed of SEEDS) {
  for (const withOOD of [false, true]) {
    const r = await trainRun(seed, withOOD);
    results.push(r);
    console.log(`seed ${seed}, ${r.label}: ${STEPS} steps in ${r.seconds.toFixed(1)} s; final L_δ ${(r.lossDelta.slice(-50).reduce((a, b) => a + b, 0) / 50).toFixed(3)}`);
  }
}

// %% [markdown]
// ### Training curves
//
// L_δ for both runs of the first seed, and the training value of L_OOD in run B (element-mean KL: small numbers by
// construction, see the formula). The training L_OOD is not a progress measure on its own: as L_δ makes the embeddings
// longer, dot products grow, the softmax rows sharpen and the same mismatch costs more. The fair comparison is the
// held-out value of both runs at the end, below.

// %%
const ma = (xs: number[], k: number) => xs.map((_, i) => {
  const lo = Math.max(0, i - k + 1);
  return xs.slice(lo, i + 1).reduce((a, b) => a + b, 0) / (i + 1 - lo);
});
const stepsAxis = Array.from({ length: STEPS }, (_, i) => i + 1);
const firstSeed = results.filter((r) => r.seed === SEEDS[0]);
const curveFigure = multiPanel(
  [
    lineChart({ series: firstSeed.map((r, i) => ({ name: r.label, x: stepsAxis, y: ma(r.lossDelta, 25), color: PALETTE[i] })), markers: false, xTitle: 'step', yTitle: 'L_δ (25-step mean)' }),
    lineChart({ series: [{ name: 'L_δ + L_OOD', x: stepsAxis, y: ma(firstSeed[1].lossOOD, 25).map((v) => Math.max(v, 1e-9)), color: PALETTE[1] }], markers: false, logY: true, xTitle: 'step', yTitle: 'L_OOD (25-step mean)' }),
  ],
  { titles: [`L_δ, seed ${SEEDS[0]}`, 'L_OOD during run B'] },
);
await showAndSave(curveFigure, '04-training-curves', { width: 1000, height: 400 });

// %% [markdown]
// ### Beyond the trained range
//
// Left: the held-out L_OOD at each evaluation offset (log scale) — how different the far positions' similarity
// structure is from the teachers'. Right: distance awareness of the 256-position window at each offset. Dotted line:
// the edge of L_δ's range (a window at 1 500 still lies inside it).

// %%
const offsetFigure = multiPanel(
  [
    lineChart({
      series: results.map((r, i) => ({ name: `${r.label}, seed ${r.seed}`, x: evalOffsets, y: r.ood.map((v) => Math.max(v, 1e-12)), color: PALETTE[r.label === 'L_δ only' ? 0 : 1], dash: i < 2 ? ('solid' as const) : ('dot' as const) })),
      logY: true,
      xTitle: 'offset of the student window',
      yTitle: 'held-out L_OOD',
      vlines: [{ x: TRAIN_RANGE, label: 'end of L_δ range' }],
    }),
    lineChart({
      series: results.map((r, i) => ({ name: `${r.label}, seed ${r.seed}`, x: evalOffsets, y: r.awareness, color: PALETTE[r.label === 'L_δ only' ? 0 : 1], dash: i < 2 ? ('solid' as const) : ('dot' as const) })),
      xTitle: 'offset of the 256-position window',
      yTitle: 'distance awareness',
      vlines: [{ x: TRAIN_RANGE }],
    }),
  ],
  { titles: ['teacher vs student similarity (lower = closer)', 'distance awareness of the window'] },
);
await showAndSave(offsetFigure, '04-beyond-the-range', { width: 1100, height: 430 });

// %% [markdown]
// And the similarity maps themselves for the first seed: the teacher window 0..255 and a far window 10 000..10 255,
// with and without L_OOD.

// %%
const mapPanels: Figure[] = [];
const mapTitles: string[] = [];
for (const r of firstSeed) {
  for (const start of [0, 10000]) {
    const { map, awareness } = windowAwareness(r.pe, start, TEACH_L);
    const ticks = Array.from({ length: TEACH_L }, (_, i) => start + i);
    mapPanels.push(heatmap({ z: compactRows(toRows(map)), x: ticks, y: ticks, colorscale: 'Viridis' }));
    mapTitles.push(`${r.label}: ${start}..${start + TEACH_L - 1} (awareness ${awareness.toFixed(2)})`);
  }
}
await showAndSave(multiPanel(mapPanels, { columns: 2, titles: mapTitles, vgap: 0.14 }), '04-similarity-maps', { width: 1000, height: 900 });

// %% [markdown]
// ### The numbers

// %%
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const farIdx = evalOffsets.map((o, k) => (isFar(o) ? k : -1)).filter((k) => k >= 0);
const nearIdx = evalOffsets.map((o, k) => (isFar(o) ? -1 : k)).filter((k) => k >= 0);
const resultRows = results.map((r) => ({
  seed: r.seed,
  run: r.label,
  'final L_δ': mean(r.lossDelta.slice(-50)),
  'L_OOD near': mean(nearIdx.map((k) => r.ood[k])),
  'L_OOD far': mean(farIdx.map((k) => r.ood[k])),
  'awareness 0..255 (teachers)': r.teacherAwareness,
  'awareness near': mean(nearIdx.map((k) => r.awareness[k])),
  'awareness far': mean(farIdx.map((k) => r.awareness[k])),
  seconds: r.seconds,
}));
showTable(resultRows, { digits: { 'final L_δ': 3, 'L_OOD near': 6, 'L_OOD far': 6, 'awareness 0..255 (teachers)': 3, 'awareness near': 3, 'awareness far': 3, seconds: 1 }, caption: `After ${STEPS} steps; L_OOD evaluated on a fixed set of 32 teacher positions` });

// %% [markdown]
// ## What the experiment shows

// %%
const pairs = SEEDS.map((seed) => {
  const a = resultRows.find((r) => r.seed === seed && r.run === 'L_δ only')!;
  const b = resultRows.find((r) => r.seed === seed && r.run === 'L_δ + L_OOD')!;
  return { seed, a, b };
});
const f2 = (x: number) => x.toFixed(2);
const e2 = (x: number) => x.toExponential(2);
const oodLower = pairs.filter((p) => p.b['L_OOD far'] < p.a['L_OOD far']).length;
const daHigher = pairs.filter((p) => p.b['awareness far'] > p.a['awareness far']).length;
showMarkdown(
  [
    `* Held-out L_OOD far beyond L_δ's range: ${pairs.map((p) => `${e2(p.a['L_OOD far'])} → ${e2(p.b['L_OOD far'])}`).join('; ')} ` +
      `(L_δ only → L_δ + L_OOD, seed${SEEDS.length > 1 ? 's' : ''} ${SEEDS.join(', ')}). ` +
      `Adding the loss lowered it in ${oodLower} of ${pairs.length} seed${pairs.length > 1 ? 's' : ''}: far windows now reproduce the teachers' similarity distributions ${oodLower === pairs.length ? 'more closely' : 'more closely only sometimes'}.`,
    `* Distance awareness of the far windows: ${pairs.map((p) => `${f2(p.a['awareness far'])} → ${f2(p.b['awareness far'])}`).join('; ')}; higher with L_OOD in ${daHigher} of ${pairs.length}. ` +
      `Near windows (offsets 250, 1 000, 1 500, inside L_δ's range): ${pairs.map((p) => `${f2(p.a['awareness near'])} → ${f2(p.b['awareness near'])}`).join('; ')}; ` +
      `held-out L_OOD there ${pairs.map((p) => `${e2(p.a['L_OOD near'])} → ${e2(p.b['L_OOD near'])}`).join('; ')}.`,
    `* The teachers themselves (0..255): awareness ${pairs.map((p) => `${f2(p.a['awareness 0..255 (teachers)'])} → ${f2(p.b['awareness 0..255 (teachers)'])}`).join('; ')}. ` +
      `L_OOD asks the students to copy the teachers' structure, whatever it is; nothing in it rewards distance awareness by itself.`,
    `* L_δ itself: final ${pairs.map((p) => `${f2(p.a['final L_δ'])} → ${f2(p.b['final L_δ'])}`).join('; ')}; the extra loss ${pairs.every((p) => p.b['final L_δ'] <= p.a['final L_δ'] + 0.1) ? 'did not noticeably hurt it' : 'came at some cost to it'}.`,
    SEEDS.length === 1
      ? `* One seed only at the \`${profile.name}\` profile: treat these as one observation, not an effect size (the \`small\` profile runs three).`
      : `* ${SEEDS.length} seeds.`,
  ].join('\n'),
);

// %% [markdown]
// How to read this against the paper: L_OOD transfers *relative* structure from the teachers to far-away positions; it
// has no term that creates a notion of distance on its own. In the paper's setting the two regularisers are meant to
// be complementary — L_δ covers every position with a distance-shaped geometry, the main task shapes the teachers, and
// L_OOD asks positions beyond the main task's length to behave like the trained ones. This chapter isolates L_OOD by
// leaving the far positions outside L_δ's range, which is harsher than the paper's setting.

// %%
results.forEach((r) => r.pe.dispose());
enc2d.dispose();
await closeRenderer();
console.log(`tensors alive at the end: ${tf.memory().numTensors}`);

// %% [markdown]
// ## Try it
//
// **What L_OOD ignores.** L_OOD compares row-softmaxes of dot products, so students that have the teachers' dot
// products score 0. Predict L_OOD when the students are the teachers negated (`scale = −1`), then doubled
// (`scale = 2`: same angles, sharper softmax), then run. (Instant.)

// %%
{
  const scale = -1; // try 2, then 0.5
  const predictedZero = true; // edit: do you expect exactly 0?
  const loss = tf.tidy(() => {
    const t = tf.tensor2d(normalArray(new Rng(7), 8 * 16, 0.5), [8, 16]);
    const s = t.mul(scale).expandDims(0) as tf.Tensor3D;
    return distillationLoss(t, s, HEADS).dataSync()[0];
  });
  console.log(`scale ${scale}: L_OOD = ${loss.toExponential(3)}; you predicted ${predictedZero ? '0' : 'more than 0'}: ${(Math.abs(loss) < 1e-7) === predictedZero ? 'right' : 'think again (which dot products changed?)'}`);
}
