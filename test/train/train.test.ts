/**
 * Training: AdamW, clipping and schedules against hand computations; real-data runs (SOTU bytes LM, MNIST ViT) that
 * must learn; the SeqPE regularisers wired through one encoding pass (checked against separate encoder passes);
 * determinism, the NaN guard, progress output and memory hygiene.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend';
import { sampleTrainingBatch, sotuTokenStream } from '../../src/data/lm-batches';
import { loadMnist } from '../../src/data/mnist';
import { patchify } from '../../src/data/resize';
import { LearnedAPE } from '../../src/encodings/learned';
import { NoPE } from '../../src/encodings/none';
import type { EncodingObjectives, EncodingOutput, PositionEncoding } from '../../src/encodings/types';
import { SeqPE, type SeqPEObjectivesConfig } from '../../src/encodings/seqpe/index';
import { contrastiveLoss } from '../../src/losses/contrastive';
import { distillationLoss } from '../../src/losses/distillation';
import { CausalLM } from '../../src/models/causal-lm';
import { ParamStore } from '../../src/models/params';
import { ViT } from '../../src/models/vit';
import { AdamW } from '../../src/train/adamw';
import { loadCheckpoint } from '../../src/train/checkpoint';
import { clipByGlobalNorm, clipGroups, globalNorm } from '../../src/train/clip';
import { Trainer, TrainingDivergedError, train } from '../../src/train/loop';
import { ProgressReporter, type StepReport } from '../../src/train/progress';
import { lrFactor } from '../../src/train/schedule';
import { imageTask, imageTaskFromImages, lmTask, qaTask, type Task } from '../../src/train/tasks';
import { Rng } from '../../src/util/rng';

beforeAll(async () => {
  await initBackend();
});

const tmp = (name: string) => path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'seqpe-train-')), name);

// ------------------------------------------------------------------------------------------------------- AdamW

describe('AdamW', () => {
  it('matches two steps computed by hand (torch.optim.AdamW formula), with decay only where flagged and per-group lr', () => {
    const store = new ParamStore(1);
    const w = store.constant('w', [3], 0, { decay: true });
    w.assign(tf.tensor1d([1, -2, 0.5]));
    const b = store.constant('b', [2], 0); // no decay
    b.assign(tf.tensor1d([0.3, -0.1]));
    const pe = tf.variable(tf.tensor1d([2, 4]));
    store.adopt('pe.0', pe, { group: 'pe', decay: true });
    const opt = new AdamW(store.list(), { weightDecay: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8 });
    const grads = [
      { w: [0.1, 0.2, -0.3], b: [1, -1], pe: [0.5, 0] },
      { w: [-0.2, 0.4, 0.1], b: [0.5, 0.5], pe: [-1, 2] },
    ];
    const lrs = { main: 0.01, pe: 0.05 };
    // hand computation in float64
    const state: Record<string, { p: number[]; m: number[]; v: number[]; decay: boolean; lr: number }> = {
      w: { p: [1, -2, 0.5], m: [0, 0, 0], v: [0, 0, 0], decay: true, lr: lrs.main },
      b: { p: [0.3, -0.1], m: [0, 0], v: [0, 0], decay: false, lr: lrs.main },
      pe: { p: [2, 4], m: [0, 0], v: [0, 0], decay: true, lr: lrs.pe },
    };
    grads.forEach((g, i) => {
      const t = i + 1;
      for (const k of ['w', 'b', 'pe'] as const) {
        const s = state[k];
        s.p = s.p.map((p, j) => {
          s.m[j] = 0.9 * s.m[j] + 0.1 * g[k][j];
          s.v[j] = 0.999 * s.v[j] + 0.001 * g[k][j] * g[k][j];
          const decayed = s.decay ? p * (1 - s.lr * 0.1) : p;
          const denom = Math.sqrt(s.v[j]) / Math.sqrt(1 - 0.999 ** t) + 1e-8;
          return decayed - (s.lr / (1 - 0.9 ** t)) * (s.m[j] / denom);
        });
      }
      tf.tidy(() => opt.apply(new Map([['w', tf.tensor1d(g.w)], ['b', tf.tensor1d(g.b)], ['pe.0', tf.tensor1d(g.pe)]]), lrs));
      expect(opt.step).toBe(t);
      Array.from(w.dataSync()).forEach((v, j) => expect(v).toBeCloseTo(state.w.p[j], 6));
      Array.from(b.dataSync()).forEach((v, j) => expect(v).toBeCloseTo(state.b.p[j], 6));
      Array.from(pe.dataSync()).forEach((v, j) => expect(v).toBeCloseTo(state.pe.p[j], 6));
      // an anchor independent of the formula: Adam's first step moves an undecayed coordinate by lr·sign(g)
      if (t === 1) Array.from(b.dataSync()).forEach((v, j) => expect(v).toBeCloseTo([0.3 - 0.01, -0.1 + 0.01][j], 6));
    });
    opt.dispose();
    store.dispose();
    pe.dispose();
  });

  it('skips params without a gradient (no moment update, no decay) and restores its state exactly', () => {
    const store = new ParamStore(2);
    const a = store.normal('a', [4], 1, { decay: true });
    const c = store.normal('c', [4], 1, { decay: true });
    const opt = new AdamW(store.list(), { weightDecay: 0.5 });
    const c0 = Array.from(c.dataSync());
    tf.tidy(() => opt.apply(new Map([['a', tf.ones([4])]]), { main: 0.1, pe: 0.1 }));
    expect(Array.from(c.dataSync())).toEqual(c0);
    const saved = opt.getState();
    const weights = store.getWeights();
    tf.tidy(() => opt.apply(new Map([['a', tf.tensor1d([1, 2, 3, 4])], ['c', tf.ones([4])]]), { main: 0.1, pe: 0.1 }));
    const after = [Array.from(a.dataSync()), Array.from(c.dataSync())];
    // a fresh optimiser restored from the saved state reproduces the second step bit for bit
    store.setWeights(weights);
    const opt2 = new AdamW(store.list(), { weightDecay: 0.5 });
    opt2.setState(saved);
    tf.tidy(() => opt2.apply(new Map([['a', tf.tensor1d([1, 2, 3, 4])], ['c', tf.ones([4])]]), { main: 0.1, pe: 0.1 }));
    expect([Array.from(a.dataSync()), Array.from(c.dataSync())]).toEqual(after);
    expect(() => tf.tidy(() => opt2.apply(new Map([['zzz', tf.ones([4])]]), { main: 0.1, pe: 0.1 }))).toThrow(/unknown param "zzz"/);
    expect(() => opt2.apply(new Map(), { main: NaN, pe: 0.1 })).toThrow(/group 'main'/);
    opt.dispose();
    opt2.dispose();
    store.dispose();
  });
});

// ------------------------------------------------------------------------------------------------ clip, schedule

describe('clipping by global norm', () => {
  it('scales by maxNorm/(norm + 1e-6) when the norm exceeds maxNorm, and leaves small gradients alone', () => {
    tf.tidy(() => {
      const g = [tf.tensor1d([3, 4]), tf.tensor1d([12])]; // norm 13
      expect(globalNorm(g).dataSync()[0]).toBeCloseTo(13, 5);
      const r = clipByGlobalNorm(g, 5);
      const f = 5 / (13 + 1e-6);
      expect(r.norm.dataSync()[0]).toBeCloseTo(13, 5);
      expect(Array.from(r.grads[0].dataSync())).toEqual([3 * f, 4 * f].map(Math.fround));
      expect(r.grads[1].dataSync()[0]).toBeCloseTo(12 * f, 6);
      const small = clipByGlobalNorm(g, 20);
      expect(Array.from(small.grads[0].dataSync())).toEqual([3, 4]);
      expect(() => clipByGlobalNorm(g, 0)).toThrow(/maxNorm must be > 0/);
    });
  });

  it("clips the 'main' and 'pe' groups separately, each by its own norm", () => {
    const store = new ParamStore(1);
    store.constant('m1', [2], 0);
    store.constant('m2', [1], 0);
    const ext = tf.variable(tf.zeros([2]));
    store.adopt('pe.0', ext, { group: 'pe' });
    tf.tidy(() => {
      const grads = new Map<string, tf.Tensor>([
        ['m1', tf.tensor1d([6, 8])], // main norm √(36+64+0) = 10
        ['m2', tf.tensor1d([0])],
        ['pe.0', tf.tensor1d([3, 4])], // pe norm 5
      ]);
      const r = clipGroups(grads, store.list(), { main: 5, pe: 1 });
      expect(r.norms.main.dataSync()[0]).toBeCloseTo(10, 5);
      expect(r.norms.pe.dataSync()[0]).toBeCloseTo(5, 5);
      const fm = 5 / (10 + 1e-6);
      const fp = 1 / (5 + 1e-6);
      const m1 = r.grads.get('m1')!.dataSync();
      expect(m1[0]).toBeCloseTo(6 * fm, 5);
      expect(m1[1]).toBeCloseTo(8 * fm, 5);
      const p = r.grads.get('pe.0')!.dataSync();
      expect(p[0]).toBeCloseTo(3 * fp, 6);
      expect(p[1]).toBeCloseTo(4 * fp, 6);
      // clipped jointly (one norm √125, limit 5) the pe gradient would have been [3, 4]·5/√125 instead
      expect(Math.abs(p[0] - 3 * (5 / Math.sqrt(125)))).toBeGreaterThan(0.5);
    });
    store.dispose();
    ext.dispose();
  });
});

describe('learning-rate schedules', () => {
  it('linear (HF), cosine (timm, warm-up from an initial ratio to a floor) and constant at chosen steps', () => {
    const lin = { kind: 'linear' as const, warmupSteps: 10, totalSteps: 110 };
    expect([0, 5, 10, 60, 110, 200].map((s) => lrFactor(s, lin))).toEqual([0, 0.5, 1, 0.5, 0, 0]);
    const cos = { kind: 'cosine' as const, warmupSteps: 10, totalSteps: 110, minRatio: 0.2, warmupInitRatio: 0.1 };
    const c = [0, 5, 10, 35, 60, 110, 150].map((s) => lrFactor(s, cos));
    const expected = [0.1, 0.55, 1, 0.2 + 0.4 * (1 + Math.cos(Math.PI / 4)), 0.6, 0.2, 0.2];
    c.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 12));
    const cst = { kind: 'constant' as const, warmupSteps: 4, totalSteps: 10 };
    expect([0, 2, 4, 9].map((s) => lrFactor(s, cst))).toEqual([0, 0.5, 1, 1]);
    expect(lrFactor(7, { kind: 'linear', totalSteps: 10 })).toBeCloseTo(0.3, 12);
    expect(() => lrFactor(1, { kind: 'linear', totalSteps: 10, warmupSteps: 11 })).toThrow(/warmupSteps/);
    expect(() => lrFactor(-1, lin)).toThrow(/step must be an integer ≥ 0/);
    expect(() => lrFactor(1, { kind: 'cosine', totalSteps: 10, minRatio: 2 })).toThrow(/minRatio/);
  });
});

// ------------------------------------------------------------------------------------------------- real data

describe('learning on real data', () => {
  it('a small LM on SOTU bytes gets clearly below the unigram entropy on held-out text (≈200 steps)', async () => {
    const trainStream = sotuTokenStream('train').tokens;
    const val = sotuTokenStream('validation').tokens;
    // baseline: cross-entropy of the validation bytes under the (add-one smoothed) training unigram distribution
    const counts = new Float64Array(256).fill(1);
    for (const t of trainStream) counts[t]++;
    const total = counts.reduce((a, b) => a + b, 0);
    let unigram = 0;
    for (const t of val) unigram -= Math.log(counts[t] / total);
    unigram /= val.length;
    const D = 64, L = 2, H = 4, T = 32;
    const enc = new LearnedAPE({ dModel: D, heads: H, layers: L }, { kind: '1d', trainLength: T }, 1);
    const model = new CausalLM({ vocab: 256, dModel: D, layers: L, heads: H, seed: 1 }, enc);
    const r = await train(model, lmTask({ tokens: trainStream, batch: 16, time: T }), {
      steps: 200, seed: 1, lr: 1e-3, schedule: { kind: 'constant', warmupSteps: 10 }, progress: { mode: 'silent' },
    });
    expect(r.reports[0].lossTask).toBeGreaterThan(5); // ≈ ln 256 at the start
    // held-out loss on 8 validation batches (eval mode)
    const rng = new Rng(99);
    let valLoss = 0;
    for (let i = 0; i < 8; i++) {
      const b = sampleTrainingBatch(val, 16, T, rng);
      valLoss += tf.tidy(() => model.loss(tf.tensor2d(b.inputs, [16, T], 'int32'), b.targets, { training: false }).loss.dataSync()[0]);
    }
    valLoss /= 8;
    expect(valLoss).toBeLessThan(unigram - 0.2);
    model.dispose();
    enc.dispose();
  }, 120_000);

  it('a small ViT on MNIST (7×7 patches of 4 px) beats chance clearly on held-out images (≈200 steps)', async () => {
    const tr = loadMnist('train', { limit: 5000 });
    const te = loadMnist('test', { limit: 500 });
    const D = 32, L = 2, H = 2;
    const enc = new LearnedAPE({ dModel: D, heads: H, layers: L }, { kind: '2d', trainRows: 7, trainCols: 7, prefix: 1 }, 2);
    const model = new ViT({ imageSize: 28, patchSize: 4, classes: 10, dModel: D, layers: L, heads: H, seed: 2 }, enc);
    const r = await train(model, imageTaskFromImages(tr.images, tr.labels, 28, 4, 32), {
      steps: 200, seed: 2, lr: 3e-3, schedule: { kind: 'constant', warmupSteps: 10 }, progress: { mode: 'silent' },
    });
    expect(r.reports[r.reports.length - 1].unit).toBe('images');
    const p = patchify(te.images, 28, 4);
    const acc = tf.tidy(() => {
      const pred = model.forward(tf.tensor3d(p.data, [te.count, 49, 16]), { training: false }).argMax(-1).dataSync();
      let c = 0;
      for (let i = 0; i < te.count; i++) if (pred[i] === te.labels[i]) c++;
      return c / te.count;
    });
    expect(acc).toBeGreaterThan(0.3); // chance is 0.1
    model.dispose();
    enc.dispose();
  }, 120_000);
});

// ------------------------------------------------------------------------------------------ SeqPE regularisers

const SD = 16, SH = 2, SL = 1, ST = 12, MAXPOS = 400;

const objConfig = (rate: number): SeqPEObjectivesConfig => ({
  contrastive: { weight: 0.1, batchSize: 3, contrastiveSize: 5, distRange: 20 },
  distillation: { weight: 0.1, batchSize: 2, setSize: 4 },
  shift: { rate, poolSize: 20 },
});

/** A tiny SeqPE LM; with `shiftRate`, its encoding carries both objectives and the random shift at that rate. */
function seqpeLM(seed: number, opts: { dropout?: number; residDropout?: number; shiftRate?: number } = {}): { model: CausalLM; enc: SeqPE } {
  const enc = new SeqPE({ dModel: SD, heads: SH, layers: SL }, {
    mode: 'attn_bias',
    seed,
    encoder: { width: 16, heads: 2, layers: 1, maxPosition: MAXPOS, residDropout: opts.residDropout ?? 0 },
    objectives: opts.shiftRate === undefined ? undefined : objConfig(opts.shiftRate),
  });
  const model = new CausalLM({ vocab: 32, dModel: SD, layers: SL, heads: SH, seed, dropout: opts.dropout ?? 0 }, enc);
  return { model, enc };
}

const tinyTokens = (() => {
  const r = new Rng(123);
  return Int32Array.from({ length: 2000 }, (_, i) => (i % 7 === 0 ? 0 : r.int(0, 32)));
})();

describe('an encoding\'s own objectives in the loop (SeqPE)', () => {
  it('trains with L = L_task + 0.1·L_δ + 0.1·L_OOD; L_OOD only on non-shifted steps; shifted steps move the window', async () => {
    const { model, enc } = seqpeLM(6, { shiftRate: 0.4 });
    const layouts: number[] = [];
    const base = lmTask({ tokens: tinyTokens, batch: 4, time: ST });
    const task: Task<CausalLM, ReturnType<typeof base.nextBatch>> = {
      ...base,
      loss: (m, b, ctx) => {
        if (ctx.layout.kind === '1d') layouts.push(ctx.layout.start);
        return base.loss(m, b, ctx);
      },
    };
    const r = await train(model, task, { steps: 16, seed: 3, lr: 3e-3, progress: { mode: 'silent' } });
    const shifted = r.reports.filter((x) => x.shifted);
    expect(shifted.length).toBeGreaterThan(0);
    expect(shifted.length).toBeLessThan(16);
    r.reports.forEach((x, i) => {
      expect(Number.isFinite(x.objectives.contrastive)).toBe(true);
      expect(x.objectives.distillation === undefined).toBe(x.shifted);
      expect(layouts[i] !== 0).toBe(x.shifted);
      const total = x.lossTask + 0.1 * x.objectives.contrastive + 0.1 * (x.objectives.distillation ?? 0);
      expect(x.loss).toBeCloseTo(total, 5);
      expect(x.gradNorm.pe).toBeGreaterThan(0);
    });
    model.dispose();
    enc.dispose();
  });

  it('works in 2-D: a ViT with SeqPE qk_gate trains with contrastive, distillation and shifted grids', async () => {
    const enc = new SeqPE({ dModel: SD, heads: SH, layers: SL }, {
      mode: 'qk_gate', seed: 3, encoder: { dims: 2, width: 16, heads: 2, layers: 1, maxPosition: 400, residDropout: 0 },
      objectives: {
        contrastive: { weight: 0.1, batchSize: 2, contrastiveSize: 6, trainSide: 4 },
        distillation: { weight: 0.1, batchSize: 2, setSize: 5 },
        shift: { rate: 0.5, poolSize: 30 },
      },
    });
    const model = new ViT({ imageSize: 16, patchSize: 4, classes: 3, dModel: SD, layers: SL, heads: SH, seed: 3 }, enc);
    const r = new Rng(4);
    const n = 20;
    const task = imageTask({
      patches: Float32Array.from({ length: n * 16 * 16 }, () => r.next()), labels: Int32Array.from({ length: n }, (_, i) => i % 3),
      rows: 4, cols: 4, patchDim: 16, batch: 4,
    });
    const starts: string[] = [];
    const wrapped: Task<ViT, ReturnType<typeof task.nextBatch>> = {
      ...task,
      loss: (m, b, ctx) => {
        if (ctx.layout.kind === '2d') starts.push(ctx.layout.start.join(','));
        return task.loss(m, b, ctx);
      },
    };
    const res = await train(model, wrapped, {
      steps: 10, seed: 5, lr: 1e-3, progress: { mode: 'silent' },
    });
    expect(res.reports.some((x) => x.shifted)).toBe(true);
    res.reports.forEach((x, i) => {
      expect(Number.isFinite(x.loss)).toBe(true);
      expect(x.objectives.distillation === undefined).toBe(x.shifted);
      expect(starts[i] !== '0,0').toBe(x.shifted);
    });
    model.dispose();
    enc.dispose();
  });
});

// A toy encoding with one objective, to check the loop's generic wiring against hand values: a learned vector u, and
// the named loss 'probe' = Σu² with weight 0.5 (NaN at a chosen step).
class ProbeEncoding implements PositionEncoding {
  readonly name = 'probe';
  readonly dims = 'any' as const;
  readonly u = tf.variable(tf.tensor1d([0.5, -1, 2]));
  readonly variables = [this.u];
  readonly seen: number[] = [];
  readonly capabilities = { carriesPosition: false, rawVectors: false, extraPositions: false, shiftedWindows: { '1d': true, '2d': true }, objectives: true };
  constructor(private readonly nanAt = -1) {}
  namedVariables(): Map<string, tf.Variable> {
    return new Map([['u', this.u]]);
  }
  apply(): EncodingOutput {
    return {};
  }
  objectives(): EncodingObjectives {
    return {
      terms: [{ name: 'probe', label: 'L_probe' }],
      plan: (step) => ({ step, shifted: false, start: 0, extraPositions: [], weights: { probe: 0.5 } }),
      losses: (_out, plan) => {
        this.seen.push(plan.step);
        const l = this.u.square().sum() as tf.Scalar;
        return { probe: plan.step === this.nanAt ? (l.mul(NaN) as tf.Scalar) : l };
      },
      getState: () => ({}),
      setState: () => undefined,
    };
  }
  dispose(): void {
    this.u.dispose();
  }
}

describe('the loop sums an encoding\'s named losses by name', () => {
  it('L = L_task + 0.5·Σu², reported under the term name; the gradient of u is exactly u (one stacked read)', async () => {
    const enc = new ProbeEncoding();
    const model = new CausalLM({ vocab: 32, dModel: SD, layers: SL, heads: SH, seed: 2 }, enc);
    const t = new Trainer(model, lmTask({ tokens: tinyTokens, batch: 2, time: ST }), { steps: 2, seed: 1, lr: 0, progress: { mode: 'silent' } });
    const r = t.stepOnce();
    expect(r.objectives.probe).toBeCloseTo(0.25 + 1 + 4, 5);
    expect(r.loss).toBeCloseTo(r.lossTask + 0.5 * 5.25, 5);
    // d(0.5·Σu²)/du = u, and u is the whole 'pe' group: its norm is ‖u‖ = √5.25
    expect(r.gradNorm.pe).toBeCloseTo(Math.sqrt(5.25), 5);
    expect(enc.seen).toEqual([1]);
    t.dispose();
    model.dispose();
    enc.dispose();
  });

  it('a NaN objective term stops the run naming the term by its label, before any update', async () => {
    const enc = new ProbeEncoding(2);
    const model = new CausalLM({ vocab: 32, dModel: SD, layers: SL, heads: SH, seed: 2 }, enc);
    const t = new Trainer(model, lmTask({ tokens: tinyTokens, batch: 2, time: ST }), { steps: 3, seed: 1, lr: 1e-2, progress: { mode: 'silent' } });
    t.stepOnce();
    const u1 = Array.from(enc.u.dataSync());
    expect(() => t.stepOnce()).toThrow(/diverged at step 2: L_probe is NaN/);
    expect(Array.from(enc.u.dataSync())).toEqual(u1);
    t.dispose();
    model.dispose();
    enc.dispose();
  });
});

// ---------------------------------------------------------------------------- determinism, guards, progress, memory

describe('loop behaviour', () => {
  it('same seed → identical loss sequence (dropout and samplers included); another seed → a different one', async () => {
    const run = async (seed: number) => {
      const { model, enc } = seqpeLM(7, { dropout: 0.1, residDropout: 0.1, shiftRate: 0.3 });
      const r = await train(model, lmTask({ tokens: tinyTokens, batch: 3, time: ST }), {
        steps: 6, seed, lr: 3e-3, progress: { mode: 'silent' },
      });
      model.dispose();
      enc.dispose();
      return r.reports.map((x) => x.loss);
    };
    const a = await run(11);
    const b = await run(11);
    const c = await run(12);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('stops on a NaN loss naming the step and the term, applies no update, and leaves the last good checkpoint', async () => {
    const { model, enc } = seqpeLM(8);
    const base = lmTask({ tokens: tinyTokens, batch: 2, time: ST });
    const task: Task<CausalLM, ReturnType<typeof base.nextBatch>> = {
      ...base,
      loss: (m, b, ctx) => {
        const out = base.loss(m, b, ctx);
        return ctx.step === 5 ? { ...out, loss: out.loss.mul(NaN) as tf.Scalar } : out;
      },
    };
    const file = tmp('nan.ckpt');
    const t = new Trainer(model, task, { steps: 8, seed: 1, lr: 1e-3, checkpoint: { path: file, every: 2 }, progress: { mode: 'silent' } });
    let before: Map<string, { data: Float32Array }> | undefined;
    const origStep = t.stepAsync.bind(t);
    t.stepAsync = () => {
      if (t.step === 4) before = model.params.getWeights();
      return origStep();
    };
    let err: unknown;
    try {
      await t.run();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TrainingDivergedError);
    expect((err as Error).message).toMatch(/diverged at step 5: L_task is NaN/);
    expect((err as Error).message).toMatch(/last good checkpoint: .*nan\.ckpt \(step 4\)/);
    expect((err as TrainingDivergedError).step).toBe(5);
    expect(t.step).toBe(4);
    // no update was applied by the failing step
    const now = model.params.getWeights();
    for (const [k, v] of before!) expect(Array.from(now.get(k)!.data)).toEqual(Array.from(v.data));
    // the file on disk is the step-4 checkpoint with exactly those weights
    const ck = loadCheckpoint(file);
    expect(ck.meta.step).toBe(4);
    for (const [k, v] of before!) expect(Array.from(ck.tensors.get(`param/${k}`)!.data)).toEqual(Array.from(v.data));
    expect(fs.readdirSync(path.dirname(file)).filter((f) => f.includes('.tmp-'))).toEqual([]);
    t.dispose();
    model.dispose();
    enc.dispose();
  });

  it('stops on a non-finite gradient norm with a finite loss, naming the gradient group', async () => {
    const enc = new NoPE({ dModel: SD, heads: SH, layers: SL });
    const model = new CausalLM({ vocab: 32, dModel: SD, layers: SL, heads: SH, seed: 2 }, enc);
    const base = lmTask({ tokens: tinyTokens, batch: 2, time: ST });
    const w = model.params.get('ln_f.beta');
    const task: Task<CausalLM, ReturnType<typeof base.nextBatch>> = {
      ...base,
      // √(w−w) is 0 in value but has an infinite derivative at 0: the loss stays finite, the gradient does not
      loss: (m, b, ctx) => {
        const out = base.loss(m, b, ctx);
        return ctx.step === 2 ? { ...out, loss: out.loss.add(tf.sqrt(w.sub(w)).sum()) as tf.Scalar } : out;
      },
    };
    await expect(train(model, task, { steps: 3, seed: 1, lr: 1e-3, progress: { mode: 'silent' } }))
      .rejects.toThrow(/diverged at step 2: gradient norm \(main\) is NaN/);
    model.dispose();
  });

  it('keeps tf.memory().numTensors flat across steps (SeqPE with its objectives and shift)', async () => {
    const { model, enc } = seqpeLM(9, { dropout: 0.1, residDropout: 0.1, shiftRate: 0.3 });
    const t = new Trainer(model, lmTask({ tokens: tinyTokens, batch: 2, time: ST }), {
      steps: 12, seed: 1, lr: 1e-3, progress: { mode: 'silent' },
    });
    t.stepOnce();
    t.stepOnce();
    const n0 = tf.memory().numTensors;
    for (let i = 0; i < 6; i++) t.stepOnce();
    expect(tf.memory().numTensors).toBe(n0);
    t.dispose();
    model.dispose();
    enc.dispose();
  });

  it('reports progress: a line every N steps (and the last) off-TTY, \\r updates on a TTY, JSONL records, a callback', async () => {
    const lines: string[] = [];
    const stream = { write: (s: string) => { lines.push(s); return true; }, isTTY: false } as unknown as NodeJS.WritableStream;
    const jsonl = tmp('log.jsonl');
    const seen: StepReport[] = [];
    const enc = new NoPE({ dModel: SD, heads: SH, layers: SL });
    const model = new CausalLM({ vocab: 32, dModel: SD, layers: SL, heads: SH, seed: 3 }, enc);
    await train(model, lmTask({ tokens: tinyTokens, batch: 2, time: ST }), {
      steps: 7, seed: 1, lr: 1e-3, progress: { every: 3, stream, jsonl, onStep: (r) => seen.push(r) },
    });
    expect(lines.length).toBe(3); // steps 3, 6, 7
    expect(lines[0]).toMatch(/^step 3\/7 {2}loss \d+\.\d{4} {2}task .* tokens\/s .*ETA/);
    expect(lines.every((l) => l.endsWith('\n') && !l.includes('\r'))).toBe(true);
    const recs = fs.readFileSync(jsonl, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(recs.map((x) => x.step)).toEqual([3, 6, 7]);
    expect(Object.keys(recs[0])).toEqual(expect.arrayContaining(['step', 'loss', 'lossTask', 'lr', 'tokensPerSec', 'ms']));
    expect(seen.map((r) => r.step)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(seen.map((r) => r.logged)).toEqual([false, false, true, false, false, true, true]);
    // TTY: one live line rewritten with \r, closed by a newline at the end
    const tty: string[] = [];
    const rep = new ProgressReporter({ stream: { write: (s: string) => { tty.push(s); return true; }, isTTY: true } as unknown as NodeJS.WritableStream });
    rep.report({ ...seen[0], logged: false });
    rep.report({ ...seen[1], logged: false });
    rep.finish();
    expect(tty.slice(0, 2).every((s) => s.startsWith('\rstep '))).toBe(true);
    expect(tty[2]).toBe('\n');
    model.dispose();
  });

  it('qaTask puts weight only on answer targets; imageTask/lmTask validate their inputs', () => {
    const ex = [
      { tokens: Int32Array.from([1, 2, 3, 4, 5, 6]), answerStart: 4, answerEnd: 6 },
      { tokens: Int32Array.from([7, 8, 9, 10, 11, 12]), answerStart: 5, answerEnd: 6 },
    ];
    const task = qaTask({ examples: ex, batch: 3 });
    const b = task.nextBatch(new Rng(1), 1);
    for (let i = 0; i < 3; i++) {
      const e = ex[b.picks[i]];
      const w = Array.from(b.weights.subarray(i * 5, i * 5 + 5));
      // target t is token t+1; the answer tokens are [answerStart, answerEnd)
      expect(w).toEqual([0, 1, 2, 3, 4].map((t) => (t + 1 >= e.answerStart && t + 1 < e.answerEnd ? 1 : 0)));
      expect(Array.from(b.targets.subarray(i * 5, i * 5 + 5))).toEqual(Array.from(e.tokens.subarray(1)));
    }
    expect(() => qaTask({ examples: [ex[0], { ...ex[1], tokens: Int32Array.from([1, 2]) }], batch: 1 })).toThrow(/same length/);
    expect(() => lmTask({ tokens: Int32Array.from([1, 2]), batch: 1, time: 4 })).toThrow(/needs 5/);
    expect(() => lmTask({ tokens: tinyTokens, batch: 1, time: 4 }).layout([1, 2])).toThrow(/1-D window start/);
  });
});

describe('a whole run leaves nothing behind', () => {
  it('model + SeqPE + trainer (with its objectives) + dispose returns tf.memory() to where it started', async () => {
    const tokens = sotuTokenStream('train').tokens.subarray(0, 20000);
    const before = tf.memory().numTensors;
    const dims = { dModel: 16, heads: 2, layers: 1 };
    const enc = new SeqPE(dims, {
      mode: 'attn_bias', seed: 1, encoder: { dims: 1, maxPosition: 1000, width: 16, layers: 1 },
      objectives: { contrastive: { weight: 0.1, batchSize: 2, contrastiveSize: 4 }, distillation: { weight: 0.1, batchSize: 2, setSize: 4 } },
    });
    const model = new CausalLM({ vocab: 256, dModel: 16, layers: 1, heads: 2, seed: 1 }, enc);
    const t = new Trainer(model, lmTask({ tokens, batch: 2, time: 16 }), {
      steps: 3, seed: 1, lr: 1e-3, progress: { mode: 'silent' },
    });
    await t.run();
    t.dispose();
    enc.dispose();
    model.dispose();
    // AdamW's moment variables were once created from tf.zerosLike without freeing the zeros: 2 tensors per parameter.
    expect(tf.memory().numTensors).toBe(before);
  });
});
