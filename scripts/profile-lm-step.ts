/**
 * Micro-profile of one LM training step on the current backend (stack-notes §1 setup):
 * vocab 256, d 128, 2 layers, 4 heads, MLP 512, batch 16 × 128 tokens, AdamW, clipping, no dropout.
 *
 *   npx tsx scripts/profile-lm-step.ts [--steps 10] [--variants model-none,model-ape,tricks,naive] [--kernels]
 *
 * Prints mean/median/min ms per step and tokens/s per variant; for the model variants also the pieces of a step
 * (forward, forward+backward, clipping, AdamW). Timings on a shared machine move by up to 2×: compare variants run
 * in the same invocation, and prefer the min.
 *
 * Variants:
 *   model-none / model-ape  src/models CausalLM + src/train AdamW and group clipping ('none' / learned APE encoding)
 *   tricks                  the stack-notes recipe written plainly: customGrad matMul everywhere (incl. attention),
 *                           oneHot·matMul embedding, activation slices for q/k/v, tanh GELU, tf.losses CE, tf Adam
 *   naive                   the same model with stock tfjs ops (tf.matMul with its transpose-flag gradient, tf.split)
 * --kernels prints the per-kernel time of one step (tf.profile) for each variant.
 */
import * as tf from '@tensorflow/tfjs';
import { describeBackend, initBackend } from '../src/backend';
import { NoPE } from '../src/encodings/none';
import { LearnedAPE } from '../src/encodings/learned';
import type { PositionEncoding } from '../src/encodings/types';
import { CausalLM } from '../src/models/causal-lm';
import { embedding as embed, layerNorm, matMul } from '../src/kernels/index';
import { geluTanh } from '../src/kernels/tuned/gelu';
import { AdamW } from '../src/train/adamw';
import { clipGroups } from '../src/train/clip';
import { Rng } from '../src/util/rng';

const V = 256, D = 128, L = 2, H = 4, B = 16, T = 128;

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : dflt;
}

interface Runner {
  step(tokens: tf.Tensor2D, targets: tf.Tensor2D): number;
  /** ms of the pieces of one step (model variants only). */
  parts?(tokens: tf.Tensor2D, targets: tf.Tensor2D): Record<string, number>;
  dispose(): void;
}

function modelRunner(kind: 'none' | 'ape'): Runner {
  const dims = { dModel: D, heads: H, layers: L };
  const enc: PositionEncoding = kind === 'none' ? new NoPE(dims) : new LearnedAPE(dims, { kind: '1d', trainLength: T }, 1);
  const model = new CausalLM({ vocab: V, dModel: D, layers: L, heads: H, seed: 1 }, enc);
  const params = model.params.list();
  const opt = new AdamW(params, { weightDecay: 0.01 });
  const vars = params.map((p) => p.variable);
  const nameOf = new Map(params.map((p) => [p.variable.name, p.name] as const));
  return {
    step(tokens, targets) {
      return tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => model.loss(tokens, targets, { training: true }).loss, vars);
        const byName = new Map(Object.entries(grads).map(([k, g]) => [nameOf.get(k)!, g] as const));
        const clipped = clipGroups(byName, params, { main: 5, pe: 5 });
        opt.apply(clipped.grads, { main: 1e-3, pe: 1e-3 });
        return value.dataSync()[0];
      });
    },
    parts(tokens, targets) {
      const out: Record<string, number> = {};
      let t = performance.now();
      const lap = (k: string) => { const n = performance.now(); out[k] = n - t; t = n; };
      tf.tidy(() => { model.loss(tokens, targets, { training: true }).loss.dataSync(); });
      lap('forward');
      tf.tidy(() => {
        t = performance.now();
        const { value, grads } = tf.variableGrads(() => model.loss(tokens, targets, { training: true }).loss, vars);
        value.dataSync();
        lap('forward+backward');
        const byName = new Map(Object.entries(grads).map(([k, g]) => [nameOf.get(k)!, g] as const));
        const clipped = clipGroups(byName, params, { main: 5, pe: 5 });
        clipped.norms.main.dataSync();
        lap('clip (2 groups)');
        opt.apply(clipped.grads, { main: 1e-3, pe: 1e-3 });
        params[0].variable.dataSync();
        lap('AdamW');
      });
      return out;
    },
    dispose() {
      opt.dispose();
      model.dispose();
      enc.dispose();
    },
  };
}

/** A plain GPT with learned APE written directly on tfjs, using either stock ops or the stack-notes tricks. */
function plainRunner(tricks: boolean): Runner {
  const rng = new Rng(1);
  const w = (shape: number[], std = 0.02) => tf.variable(tf.tensor(Array.from({ length: shape.reduce((a, b) => a * b) }, () => rng.normal() * std), shape));
  const c = (shape: number[], v: number) => tf.variable(tf.fill(shape, v));
  const emb = w([V, D]), pos = w([T, D]);
  const layers = Array.from({ length: L }, () => ({
    g1: c([D], 1), b1: c([D], 0), qkv: w([D, 3 * D]), qkvB: c([3 * D], 0), o: w([D, D]), oB: c([D], 0),
    g2: c([D], 1), b2: c([D], 0), f1: w([D, 4 * D]), f1B: c([4 * D], 0), f2: w([4 * D, D]), f2B: c([D], 0),
  }));
  const gf = c([D], 1), bf = c([D], 0);
  const vars = [emb, pos, gf, bf, ...layers.flatMap((l) => Object.values(l))];
  const mm = (a: tf.Tensor, b: tf.Tensor) => (tricks ? matMul(a, b) : tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D));
  const opt = tf.train.adam(1e-3);
  const mask = tf.keep(tf.linalg.bandPart(tf.ones([T, T]), -1, 0).sub(1).mul(1e9).reshape([1, 1, T, T]));
  const dh = D / H;
  const loss = (tokens: tf.Tensor2D, targets: tf.Tensor2D): tf.Scalar => {
    let x = (tricks ? embed(tokens, emb as tf.Tensor2D) : tf.matMul(tf.oneHot(tokens.reshape([-1]), V).toFloat(), emb).reshape([B, T, D])).add(pos);
    for (const l of layers) {
      const h = layerNorm(x, l.g1 as tf.Tensor1D, l.b1 as tf.Tensor1D).reshape([B * T, D]);
      const qkv = mm(h, l.qkv).add(l.qkvB);
      const [q0, k0, v0] = tricks ? [0, 1, 2].map((i) => qkv.slice([0, i * D], [B * T, D])) : tf.split(qkv, 3, 1);
      const heads = (t: tf.Tensor) => t.reshape([B, T, H, dh]).transpose([0, 2, 1, 3]);
      const q = heads(q0), k = heads(k0), v = heads(v0);
      const att = tf.softmax((tricks ? mm(q, k.transpose([0, 1, 3, 2])) : tf.matMul(q as tf.Tensor4D, k as tf.Tensor4D, false, true)).mul(1 / Math.sqrt(dh)).add(mask));
      const y = mm(att, v).transpose([0, 2, 1, 3]).reshape([B * T, D]);
      x = x.add(mm(y, l.o).add(l.oB).reshape([B, T, D]));
      const h2 = layerNorm(x, l.g2 as tf.Tensor1D, l.b2 as tf.Tensor1D).reshape([B * T, D]);
      const f = tricks ? geluTanh(mm(h2, l.f1).add(l.f1B)) : (() => { const u = mm(h2, l.f1).add(l.f1B); return u.mul(tf.tanh(u.add(u.pow(3).mul(0.044715)).mul(Math.sqrt(2 / Math.PI))).add(1)).mul(0.5); })();
      x = x.add(mm(f, l.f2).add(l.f2B).reshape([B, T, D]));
    }
    const hf = layerNorm(x, gf as tf.Tensor1D, bf as tf.Tensor1D).reshape([B * T, D]);
    const logits = mm(hf, (emb as tf.Tensor2D).transpose());
    return tf.losses.softmaxCrossEntropy(tf.oneHot(targets.reshape([-1]), V), logits) as tf.Scalar;
  };
  return {
    step(tokens, targets) {
      return tf.tidy(() => (opt.minimize(() => loss(tokens, targets), true, vars as tf.Variable[]) as tf.Scalar).dataSync()[0]);
    },
    dispose() {
      vars.forEach((v) => v.dispose());
      mask.dispose();
      opt.dispose();
    },
  };
}

async function main(): Promise<void> {
  const info = await initBackend();
  console.log(describeBackend(info));
  const steps = Number(arg('steps', '10'));
  const variants = arg('variants', 'model-none,model-ape,tricks,naive').split(',');
  const showKernels = process.argv.includes('--kernels');
  const rng = new Rng(7);
  const tok = new Int32Array(B * (T + 1)).map(() => rng.int(0, V));
  const tokens = tf.tensor2d(Array.from({ length: B }, (_, b) => Array.from(tok.subarray(b * (T + 1), b * (T + 1) + T))), [B, T], 'int32');
  const targets = tf.tensor2d(Array.from({ length: B }, (_, b) => Array.from(tok.subarray(b * (T + 1) + 1, (b + 1) * (T + 1)))), [B, T], 'int32');
  console.log(`LM step: vocab ${V}, d ${D}, ${L} layers, ${H} heads, batch ${B} × ${T}; ${steps} timed steps after 2 warm-up`);
  for (const v of variants) {
    const r = v === 'model-none' ? modelRunner('none') : v === 'model-ape' ? modelRunner('ape') : v === 'tricks' ? plainRunner(true) : v === 'naive' ? plainRunner(false) : null;
    if (!r) throw new Error(`unknown variant ${v}`);
    for (let i = 0; i < 2; i++) r.step(tokens, targets);
    const before = tf.memory().numTensors;
    const ms: number[] = [];
    let loss = 0;
    for (let i = 0; i < steps; i++) {
      const t0 = performance.now();
      loss = r.step(tokens, targets);
      ms.push(performance.now() - t0);
    }
    ms.sort((a, b) => a - b);
    const mean = ms.reduce((a, b) => a + b, 0) / ms.length;
    console.log(`${v.padEnd(11)} mean ${mean.toFixed(0)} ms/step, median ${ms[ms.length >> 1].toFixed(0)}, min ${ms[0].toFixed(0)}  ` +
      `(${((B * T) / (mean / 1000)).toFixed(0)} tokens/s; loss ${loss.toFixed(3)}; tensors ${before}→${tf.memory().numTensors})`);
    if (r.parts) {
      const acc: Record<string, number[]> = {};
      for (let i = 0; i < 3; i++) for (const [k, v] of Object.entries(r.parts(tokens, targets))) (acc[k] ??= []).push(v);
      console.log('  pieces (min of 3): ' + Object.entries(acc).map(([k, v]) => `${k} ${Math.min(...v).toFixed(0)} ms`).join(', '));
    }
    if (showKernels) {
      const prof = await tf.profile(() => { r.step(tokens, targets); });
      const agg = new Map<string, { ms: number; n: number }>();
      for (const k of prof.kernels) {
        const e = agg.get(k.name) ?? { ms: 0, n: 0 };
        e.ms += k.kernelTimeMs as number;
        e.n++;
        agg.set(k.name, e);
      }
      const total = [...agg.values()].reduce((s, e) => s + e.ms, 0);
      console.log(`  kernels: ${total.toFixed(0)} ms in ${prof.kernels.length} kernel calls`);
      for (const [name, e] of [...agg].sort((a, b) => b[1].ms - a[1].ms).slice(0, 14)) {
        console.log(`    ${name.padEnd(22)} ${e.ms.toFixed(1).padStart(7)} ms  ×${e.n}`);
      }
    }
    r.dispose();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
