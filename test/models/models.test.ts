/**
 * Models (the kernels themselves are tested in test/kernels/): dropout, the two models against a straightforward
 * reference written with stock tfjs ops (values AND every gradient), the causal mask, the ViT's patch order and CLS
 * handling, the encoding hooks, and memory hygiene.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend';
import { NoPE } from '../../src/encodings/none';
import { createEncoding, type EncodingSpec } from '../../src/encodings';
import { LearnedAPE } from '../../src/encodings/learned';
import { encoderParamShapes } from '../../src/encodings/seqpe/index';
import type { ApplyOptions, EncodingOutput, PositionEncoding, PositionLayout } from '../../src/encodings/types';
import { selfAttention, causalMask } from '../../src/models/attention';
import { CausalLM } from '../../src/models/causal-lm';
import { dropout } from '../../src/models/dropout';
import { ParamStore } from '../../src/models/params';
import { ViT } from '../../src/models/vit';
import { Rng } from '../../src/util/rng';

beforeAll(async () => {
  await initBackend();
});

const maxAbs = (a: tf.Tensor, b: tf.Tensor): number => tf.tidy(() => tf.max(tf.abs(a.sub(b))).dataSync()[0]);
const maxOf = (a: tf.Tensor): number => tf.tidy(() => tf.max(tf.abs(a)).dataSync()[0]);
const randn = (shape: number[], seed: number, std = 1): tf.Tensor => {
  const r = new Rng(seed);
  return tf.tensor(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => r.normal() * std), shape);
};

// ------------------------------------------------------------------------------------------------ dropout

describe('model dropout', () => {
  it('identity in eval; same Rng state → same mask, different state → different mask; keep-scaled; rate within 3σ', () => {
    tf.tidy(() => {
      const x = tf.ones([400, 500]); // 200 000 draws: 3σ of the zero fraction is 0.003
      expect(dropout(x, 0.3, false, undefined)).toBe(x);
      const a = dropout(x, 0.3, true, new Rng(5)).dataSync();
      const b = dropout(x, 0.3, true, new Rng(5)).dataSync();
      expect(Array.from(a)).toEqual(Array.from(b));
      const c = dropout(x, 0.3, true, new Rng(6)).dataSync();
      expect(a.some((v, i) => v !== c[i])).toBe(true);
      const zeros = a.filter((v) => v === 0).length / a.length;
      expect(Math.abs(zeros - 0.3)).toBeLessThan(3 * Math.sqrt((0.3 * 0.7) / a.length));
      for (const v of a) expect(v === 0 || Math.abs(v - 1 / 0.7) < 1e-6).toBe(true);
      // zero fractions agree between two independent masks (same distribution), and the masks overlap as independent
      // Bernoulli(0.7) draws do: P(both kept) = 0.49
      const both = Array.from(a).reduce((n: number, v, i) => n + (v !== 0 && c[i] !== 0 ? 1 : 0), 0) / a.length;
      expect(Math.abs(both - 0.49)).toBeLessThan(3 * Math.sqrt((0.49 * 0.51) / a.length));
      expect(() => dropout(x, 0.3, true, undefined)).toThrow(/needs an Rng/);
      expect(() => dropout(x, 1, true, new Rng(1))).toThrow(/rate must be in \[0, 1\), got 1/);
    });
  });

  it('draws one integer seed from the run Rng per call (no per-element JS draws), so a stream stays cheap to checkpoint', () => {
    tf.tidy(() => {
      const rng = new Rng(11);
      const mirror = new Rng(11);
      dropout(tf.ones([64, 64]), 0.5, true, rng);
      const seed = mirror.nextU32();
      expect(rng.getState()).toEqual(mirror.getState());
      // and the mask is the kernel's for that seed
      expect(Array.from(dropout(tf.ones([8]), 0.5, true, new Rng(11)).dataSync()))
        .toEqual(Array.from(tf.ones([8]).mul(tf.randomUniform([8], 0, 1, 'float32', seed).greaterEqual(0.5).cast('float32').mul(2)).dataSync()));
    });
  });
});

// --------------------------------------------------------------------------------------------- attention by hand

describe('attention', () => {
  it('matches a plain-JS hand computation: (q·kᵀ + bias)/√d_h, causal mask, softmax, ·v, output projection', () => {
    const B = 1, S = 3, D = 4, H = 2, dh = 2;
    const store = new ParamStore(3);
    const p = {
      qkvW: store.normal('w', [D, 3 * D], 0.5),
      qkvB: store.normal('b', [3 * D], 0.1),
      projW: store.normal('pw', [D, D], 0.5),
      projB: store.normal('pb', [D], 0.1),
    };
    const xs = Array.from(randn([B, S, D], 4).dataSync());
    const bias = Array.from(randn([H, S, S], 5).dataSync());
    const W = Array.from(p.qkvW.dataSync()), Bq = Array.from(p.qkvB.dataSync());
    const PW = Array.from(p.projW.dataSync()), PB = Array.from(p.projB.dataSync());
    // hand computation
    const qkv = (s: number, c: number) => Bq[c] + [0, 1, 2, 3].reduce((acc, i) => acc + xs[s * D + i] * W[i * 3 * D + c], 0);
    const ctx: number[][] = Array.from({ length: S }, () => new Array(D).fill(0));
    const probs: number[][][] = [];
    for (let h = 0; h < H; h++) {
      probs.push([]);
      for (let i = 0; i < S; i++) {
        const logits: number[] = [];
        for (let j = 0; j < S; j++) {
          let dot = 0;
          for (let e = 0; e < dh; e++) dot += qkv(i, h * dh + e) * qkv(j, D + h * dh + e);
          logits.push(j > i ? -Infinity : (dot + bias[h * S * S + i * S + j]) / Math.sqrt(dh));
        }
        const m = Math.max(...logits);
        const ex = logits.map((l) => Math.exp(l - m));
        const sum = ex.reduce((a, b) => a + b, 0);
        const pr = ex.map((v) => v / sum);
        probs[h].push(pr);
        for (let e = 0; e < dh; e++) ctx[i][h * dh + e] = pr.reduce((acc, pj, j) => acc + pj * qkv(j, 2 * D + h * dh + e), 0);
      }
    }
    const out = ctx.map((row) => Array.from({ length: D }, (_, c) => PB[c] + row.reduce((acc, v, i) => acc + v * PW[i * D + c], 0)));
    tf.tidy(() => {
      const mask = causalMask(S);
      const scale = tf.scalar(1 / Math.sqrt(dh));
      let seen: number[][][] = [];
      const enc: EncodingOutput = { attnBias: () => tf.tensor3d(bias, [H, S, S]) };
      const y = selfAttention(tf.tensor3d(xs, [B, S, D]), p, {
        heads: H, layer: 0, encoding: enc, mask, scale, attnDropout: 0, training: false,
        onAttention: (_l, pr) => { seen = (pr.arraySync() as number[][][][])[0]; },
      });
      const yv = y.arraySync() as number[][][];
      for (let i = 0; i < S; i++) for (let c = 0; c < D; c++) expect(yv[0][i][c]).toBeCloseTo(out[i][c], 5);
      for (let h = 0; h < H; h++) for (let i = 0; i < S; i++) for (let j = 0; j < S; j++) expect(seen[h][i][j]).toBeCloseTo(probs[h][i][j], 6);
      // the bias really is added before the 1/√d_h scale: adding it after gives different attention weights
      const after = (() => {
        const h = 0, i = 2;
        const l = [0, 1, 2].map((j) => {
          let dot = 0;
          for (let e = 0; e < dh; e++) dot += qkv(i, h * dh + e) * qkv(j, D + h * dh + e);
          return dot / Math.sqrt(dh) + bias[h * S * S + i * S + j];
        });
        const m = Math.max(...l);
        const ex = l.map((v) => Math.exp(v - m));
        return ex[0] / ex.reduce((a, b) => a + b, 0);
      })();
      expect(Math.abs(after - seen[0][2][0])).toBeGreaterThan(1e-3);
    });
    store.dispose();
  });
});

// ------------------------------------------------------------------------------------ models vs a stock reference

/** A test encoding with every hook, all trainable, so the reference comparison covers the 'pe' gradients too. */
class HookEncoding implements PositionEncoding {
  readonly name = 'test-hooks';
  readonly dims = 'any' as const;
  readonly variables: tf.Variable[];
  readonly calls = { apply: 0, attnBias: [] as number[], qk: [] as number[] };
  readonly add: tf.Variable;
  readonly bias: tf.Variable[];
  readonly gates: Array<[tf.Variable, tf.Variable]>;
  constructor(
    readonly S: number,
    readonly D: number,
    readonly H: number,
    readonly L: number,
    seed: number,
    readonly use: { inputAdd?: boolean; attnBias?: boolean; qk?: boolean } = { inputAdd: true, attnBias: true, qk: true },
  ) {
    const v = (shape: number[], s: number, std: number, mean = 0) => tf.variable(randn(shape, s, std).add(mean));
    this.add = v([S, D], seed, 0.5);
    this.bias = Array.from({ length: L }, (_, l) => v([H, S, S], seed + 10 + l, 1));
    this.gates = Array.from({ length: L }, (_, l) => [v([1, H, S, D / H], seed + 20 + l, 0.3, 1), v([1, H, S, D / H], seed + 30 + l, 0.3, 1)]);
    this.variables = [this.add, ...this.bias, ...this.gates.flat()];
  }
  readonly capabilities = { carriesPosition: true, rawVectors: false, extraPositions: false, shiftedWindows: { '1d': true, '2d': true }, objectives: false };
  namedVariables(): Map<string, tf.Variable> {
    return new Map(this.variables.map((v, i) => [`hook.${i}`, v] as [string, tf.Variable]));
  }
  apply(_layout: PositionLayout, _opts: ApplyOptions): EncodingOutput {
    this.calls.apply++;
    const out: EncodingOutput = {};
    if (this.use.inputAdd) out.inputAdd = this.add.clone() as tf.Tensor2D;
    if (this.use.attnBias) out.attnBias = (l) => { this.calls.attnBias.push(l); return this.bias[l].clone() as tf.Tensor3D; };
    if (this.use.qk) out.qk = (l, q, k) => { this.calls.qk.push(l); return [q.mul(this.gates[l][0]), k.mul(this.gates[l][1])]; };
    return out;
  }
  dispose(): void {
    this.variables.forEach((x) => x.dispose());
  }
}

interface RefOpts { L: number; H: number; D: number; causal: boolean; gelu: 'tanh' | 'erf' }

function refLN(x: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return x.sub(mean).div(tf.sqrt(variance.add(1e-5))).mul(g).add(b);
}

/** Pre-LN blocks + final LN written with stock tfjs ops (tf.matMul with transposeB, tf.where mask, tf.moments). */
function refBlocks(P: (n: string) => tf.Tensor, o: RefOpts, x0: tf.Tensor3D, enc: EncodingOutput): tf.Tensor3D {
  const [B, S, D] = x0.shape;
  const dh = D / o.H;
  let x: tf.Tensor = enc.inputAdd ? x0.add(enc.inputAdd) : x0;
  const allowed = tf.linalg.bandPart(tf.ones([S, S]), -1, 0).reshape([1, 1, S, S]).cast('bool');
  for (let l = 0; l < o.L; l++) {
    const pre = `blocks.${l}`;
    const h = refLN(x, P(`${pre}.ln1.gamma`), P(`${pre}.ln1.beta`)).reshape([B * S, D]);
    const qkv = tf.matMul(h as tf.Tensor2D, P(`${pre}.attn.qkv.w`) as tf.Tensor2D).add(P(`${pre}.attn.qkv.b`));
    const heads = (i: number) => qkv.slice([0, i * D], [B * S, D]).reshape([B, S, o.H, dh]).transpose([0, 2, 1, 3]) as tf.Tensor4D;
    let q = heads(0), k = heads(1);
    const v = heads(2);
    if (enc.qk) [q, k] = enc.qk(l, q, k);
    let s: tf.Tensor = tf.matMul(q, k, false, true);
    if (enc.attnBias) s = s.add(enc.attnBias(l).expandDims(0));
    s = s.div(Math.sqrt(dh));
    if (o.causal) s = tf.where(allowed.broadcastTo(s.shape), s, tf.fill(s.shape, -1e30));
    const ctx = tf.matMul(tf.softmax(s) as tf.Tensor4D, v).transpose([0, 2, 1, 3]).reshape([B * S, D]);
    x = x.add(tf.matMul(ctx as tf.Tensor2D, P(`${pre}.attn.proj.w`) as tf.Tensor2D).add(P(`${pre}.attn.proj.b`)).reshape([B, S, D]));
    const h2 = refLN(x, P(`${pre}.ln2.gamma`), P(`${pre}.ln2.beta`)).reshape([B * S, D]);
    const u = tf.matMul(h2 as tf.Tensor2D, P(`${pre}.mlp.fc.w`) as tf.Tensor2D).add(P(`${pre}.mlp.fc.b`));
    const act = o.gelu === 'tanh'
      ? u.mul(0.5).mul(tf.tanh(u.add(u.mul(u).mul(u).mul(0.044715)).mul(Math.sqrt(2 / Math.PI))).add(1))
      : u.mul(0.5).mul(tf.erf(u.div(Math.SQRT2)).add(1));
    x = x.add(tf.matMul(act as tf.Tensor2D, P(`${pre}.mlp.proj.w`) as tf.Tensor2D).add(P(`${pre}.mlp.proj.b`)).reshape([B, S, D]));
  }
  return refLN(x, P('ln_f.gamma'), P('ln_f.beta')) as tf.Tensor3D;
}

function refCE(logits: tf.Tensor2D, targets: number[]): tf.Scalar {
  const V = logits.shape[1];
  return tf.logSoftmax(logits).mul(tf.oneHot(tf.tensor1d(targets, 'int32'), V)).sum().neg().div(targets.length) as tf.Scalar;
}

/** Compares loss and every parameter gradient of the model with the reference. */
function compareGrads(
  vars: tf.Variable[],
  mine: () => tf.Scalar,
  ref: () => tf.Scalar,
  names: Map<string, string>,
): void {
  const a = tf.variableGrads(mine, vars);
  const b = tf.variableGrads(ref, vars);
  expect(a.value.dataSync()[0]).toBeCloseTo(b.value.dataSync()[0], 5);
  expect(Object.keys(a.grads).sort()).toEqual(Object.keys(b.grads).sort());
  for (const v of vars) {
    const ga = a.grads[v.name];
    const gb = b.grads[v.name];
    const scale = Math.max(1e-3, maxOf(gb));
    expect(maxAbs(ga, gb) / scale, `gradient of ${names.get(v.name)}`).toBeLessThan(2e-4);
  }
  tf.dispose([a.value, b.value, ...Object.values(a.grads), ...Object.values(b.grads)]);
}

describe('CausalLM', () => {
  const V = 13, D = 8, H = 2, L = 2, B = 2, T = 5;

  it('gives logits [B, T, V] and counts its params (no APE table without an encoding)', () => {
    const enc = new NoPE({ dModel: D, heads: H, layers: L });
    const m = new CausalLM({ vocab: V, dModel: D, layers: L, heads: H, seed: 1 }, enc);
    const logits = m.forward(tf.zeros([B, T], 'int32') as tf.Tensor2D, { training: false });
    expect(logits.shape).toEqual([B, T, V]);
    logits.dispose();
    // tied head: tok_emb + per block (2 LN × 2D + qkv D·3D + 3D + proj D² + D + fc1 D·4D + 4D + fc2 4D·D + D) + ln_f 2D
    const perBlock = 4 * D + 3 * D * D + 3 * D + D * D + D + 4 * D * D + 4 * D + 4 * D * D + D;
    expect(m.params.count()).toBe(V * D + L * perBlock + 2 * D);
    expect(m.params.count('pe')).toBe(0);
    m.dispose();
  });

  it('equals a stock-tfjs reference in loss and in every gradient, with all three encoding hooks active', () => {
    const enc = new HookEncoding(T, D, H, L, 40);
    const m = new CausalLM({ vocab: V, dModel: D, layers: L, heads: H, seed: 3, initStd: 0.3 }, enc);
    const P = (n: string) => m.params.get(n);
    const toks = [[1, 2, 3, 4, 5], [6, 7, 8, 9, 12]];
    const targets = [2, 3, 4, 5, 6, 7, 8, 9, 10, 0];
    const tokens = tf.tensor2d(toks, [B, T], 'int32');
    const names = new Map(m.params.list().map((p) => [p.variable.name, p.name] as const));
    compareGrads(
      m.params.variables(),
      () => m.loss(tokens, Int32Array.from(targets), { training: false }).loss,
      () => {
        const x0 = tf.gather(P('tok_emb'), tokens.reshape([-1]) as tf.Tensor1D).reshape([B, T, D]) as tf.Tensor3D;
        const h = refBlocks(P, { L, H, D, causal: true, gelu: 'tanh' }, x0, enc.apply({ kind: '1d', start: 0, length: T }, { training: false }));
        return refCE(tf.matMul(h.reshape([B * T, D]) as tf.Tensor2D, P('tok_emb') as tf.Tensor2D, false, true), targets);
      },
      names,
    );
    // the hooks were called once per layer, in order, and the encoding's variables are in the 'pe' group
    enc.calls.attnBias.length = 0;
    enc.calls.qk.length = 0;
    tf.dispose(m.forward(tokens, { training: false }));
    expect(enc.calls.attnBias).toEqual([0, 1]);
    expect(enc.calls.qk).toEqual([0, 1]);
    expect(m.params.list('pe').map((p) => p.variable)).toEqual(enc.variables);
    tokens.dispose();
    m.dispose();
    enc.dispose();
  });

  it('inputAdd changes the output (and a zero inputAdd does not)', () => {
    const enc = new HookEncoding(T, D, H, L, 50, { inputAdd: true });
    const none = new NoPE({ dModel: D, heads: H, layers: L });
    const a = new CausalLM({ vocab: V, dModel: D, layers: L, heads: H, seed: 5 }, enc);
    const b = new CausalLM({ vocab: V, dModel: D, layers: L, heads: H, seed: 5 }, none);
    const tokens = tf.tensor2d([[1, 2, 3, 4, 5], [5, 4, 3, 2, 1]], [B, T], 'int32');
    const la = a.forward(tokens, { training: false });
    const lb = b.forward(tokens, { training: false });
    expect(maxAbs(la, lb)).toBeGreaterThan(1e-3);
    enc.add.assign(tf.zerosLike(enc.add));
    const la0 = a.forward(tokens, { training: false });
    expect(maxAbs(la0, lb)).toBeLessThan(1e-6);
    tf.dispose([la, lb, la0, tokens]);
    a.dispose();
    b.dispose();
    enc.dispose();
  });

  it('is causal: changing token t+1 leaves every logit at positions ≤ t unchanged, and changes position t+1', () => {
    const Tl = 9;
    const enc = new LearnedAPE({ dModel: D, heads: H, layers: L }, { kind: '1d', trainLength: Tl }, 2);
    const m = new CausalLM({ vocab: V, dModel: D, layers: L, heads: H, seed: 7, initStd: 0.2 }, enc);
    const base = [3, 1, 4, 1, 5, 9, 2, 6, 5];
    const l0 = m.forward(tf.tensor2d([base], [1, Tl], 'int32'), { training: false });
    for (const t of [0, 3, 7]) {
      const changed = base.slice();
      changed[t + 1] = (changed[t + 1] + 5) % V;
      const l1 = m.forward(tf.tensor2d([changed], [1, Tl], 'int32'), { training: false });
      const before = maxAbs(l0.slice([0, 0, 0], [1, t + 1, V]), l1.slice([0, 0, 0], [1, t + 1, V]));
      const at = maxAbs(l0.slice([0, t + 1, 0], [1, 1, V]), l1.slice([0, t + 1, 0], [1, 1, V]));
      expect(before).toBeLessThan(1e-6);
      expect(at).toBeGreaterThan(1e-4);
      l1.dispose();
    }
    l0.dispose();
    m.dispose();
    enc.dispose();
  });

  it('rejects bad inputs with clear errors', () => {
    const enc = new NoPE({ dModel: D, heads: H, layers: L });
    const m = new CausalLM({ vocab: V, dModel: D, layers: L, heads: H, seed: 1 }, enc);
    tf.tidy(() => {
      expect(() => m.forward(tf.tensor2d([[0, 13]], [1, 2], 'int32'), { training: false })).toThrow(/token id 13 at index 1 is outside \[0, 13\)/);
      expect(() => m.forward(tf.zeros([1, 2]) as tf.Tensor2D, { training: false })).toThrow(/must be int32/);
      expect(() => m.forward(tf.zeros([1, 4], 'int32') as tf.Tensor2D, { training: false, layout: { kind: '1d', start: 0, length: 3 } }))
        .toThrow(/does not describe 4 tokens/);
      expect(() => m.forward(tf.zeros([1, 4], 'int32') as tf.Tensor2D, { training: true, layout: undefined, rng: undefined })).not.toThrow();
    });
    expect(() => new CausalLM({ vocab: V, dModel: 10, layers: 1, heads: 3, seed: 1 }, enc)).toThrow(/not divisible by heads 3/);
    const drop = new CausalLM({ vocab: V, dModel: D, layers: 1, heads: H, seed: 1, dropout: 0.1 }, new NoPE({ dModel: D, heads: H, layers: 1 }));
    tf.tidy(() => {
      expect(() => drop.forward(tf.zeros([1, 4], 'int32') as tf.Tensor2D, { training: true })).toThrow(/needs an Rng/);
    });
    drop.dispose();
    m.dispose();
  });

  it('accepts host token ids: same logits as a tensor input, checked before any tensor exists, no value read back', () => {
    const enc = new NoPE({ dModel: D, heads: H, layers: L });
    const m = new CausalLM({ vocab: V, dModel: D, layers: L, heads: H, seed: 2, initStd: 0.2 }, enc);
    const ids = Int32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 12]);
    const targets = Int32Array.from([2, 3, 4, 5, 6, 7, 8, 9, 10, 0]);
    const host = { ids, shape: [B, T] as const };
    tf.tidy(() => {
      expect(maxAbs(m.forward(host, { training: false }), m.forward(tf.tensor2d(ids, [B, T], 'int32'), { training: false }))).toBe(0);
      // count read-backs (dataSync) during a loss: none with host ids and host targets, one per tensor input otherwise
      const proto = tf.Tensor.prototype as unknown as { dataSync: () => unknown };
      const orig = proto.dataSync;
      let reads = 0;
      proto.dataSync = function (this: tf.Tensor) { reads++; return orig.call(this); };
      try {
        m.loss(host, targets, { training: false });
        expect(reads).toBe(0);
        m.loss(tf.tensor2d(ids, [B, T], 'int32'), targets, { training: false });
        expect(reads).toBe(1);
      } finally {
        proto.dataSync = orig;
      }
      const n0 = tf.memory().numTensors;
      expect(() => m.forward({ ids: Int32Array.from([0, 13]), shape: [1, 2] }, { training: false })).toThrow(/token id 13 at index 1 is outside \[0, 13\)/);
      expect(tf.memory().numTensors).toBe(n0); // rejected before any tensor was made
      expect(() => m.forward({ ids, shape: [3, 3] }, { training: false })).toThrow(/10 host token ids do not fill shape \[3,3\]/);
    });
    m.dispose();
  });

  it('dropout in training: equal Rng states give equal losses, different states differ, eval ignores the Rng', () => {
    const enc = new NoPE({ dModel: D, heads: H, layers: L });
    const m = new CausalLM({ vocab: V, dModel: D, layers: L, heads: H, seed: 2, dropout: 0.2, attnDropout: 0.1 }, enc);
    const host = { ids: Int32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 12]), shape: [B, T] as const };
    const targets = new Int32Array(B * T).fill(4);
    const loss = (rng: Rng | undefined, training = true) => tf.tidy(() => m.loss(host, targets, { training, rng }).loss.dataSync()[0]);
    expect(loss(new Rng(5))).toBe(loss(new Rng(5)));
    expect(loss(new Rng(5))).not.toBe(loss(new Rng(6)));
    expect(loss(new Rng(5))).not.toBe(loss(undefined, false));
    expect(loss(undefined, false)).toBe(loss(new Rng(9), false));
    // one seed per dropout site: embedding, then per layer attention probabilities and the two residual branches
    const rng = new Rng(3);
    loss(rng);
    const mirror = new Rng(3);
    for (let i = 0; i < 1 + 3 * L; i++) mirror.nextU32();
    expect(rng.getState()).toEqual(mirror.getState());
    m.dispose();
  });

  it('keeps tf.memory().numTensors flat across forwards, losses and gradient steps', () => {
    const enc = new LearnedAPE({ dModel: D, heads: H, layers: L }, { kind: '1d', trainLength: T }, 2);
    const m = new CausalLM({ vocab: V, dModel: D, layers: L, heads: H, seed: 7, dropout: 0.1 }, enc);
    const tokens = tf.tensor2d([[1, 2, 3, 4, 5], [6, 7, 8, 9, 12]], [B, T], 'int32');
    const targets = new Int32Array(B * T).fill(3);
    const rng = new Rng(1);
    const once = () => tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => m.loss(tokens, targets, { training: true, rng }).loss, m.params.variables());
      value.dataSync();
      tf.dispose(grads);
      m.forward(tokens, { training: false }).dataSync();
    });
    once();
    const n0 = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) once();
    expect(tf.memory().numTensors).toBe(n0);
    tokens.dispose();
    m.dispose();
    enc.dispose();
    // dispose() frees the model's variables and cached mask/scale tensors
  });
});

describe('ViT', () => {
  const D = 8, H = 2, L = 2, C = 3, p = 2;

  it('gives logits [B, classes] for the training grid and for a larger grid', () => {
    const m = new ViT({ imageSize: 6, patchSize: p, classes: C, dModel: D, layers: L, heads: H, seed: 1 }, new NoPE({ dModel: D, heads: H, layers: L }));
    tf.tidy(() => {
      expect(m.forward(tf.zeros([4, 9, p * p]) as tf.Tensor3D, { training: false }).shape).toEqual([4, C]);
      expect(m.forward(tf.zeros([2, 25, p * p]) as tf.Tensor3D, { training: false }).shape).toEqual([2, C]);
      const rect: PositionLayout = { kind: '2d', start: [0, 0], rows: 2, cols: 5, prefix: 1 };
      expect(m.forward(tf.zeros([1, 10, p * p]) as tf.Tensor3D, { training: false, layout: rect }).shape).toEqual([1, C]);
      expect(() => m.forward(tf.zeros([1, 10, p * p]) as tf.Tensor3D, { training: false })).toThrow(/do not form a square grid/);
      expect(() => m.forward(tf.zeros([1, 9, 5]) as tf.Tensor3D, { training: false })).toThrow(/\[batch, patches, 4\]/);
    });
    expect(() => new ViT({ imageSize: 7, patchSize: 2, classes: C, dModel: D, layers: 1, heads: H, seed: 1 }, new NoPE({ dModel: D, heads: H, layers: 1 })))
      .toThrow(/imageSize 7 is not a multiple of patchSize 2/);
    m.dispose();
  });

  it('equals a stock-tfjs reference (CLS first, exact GELU, full attention) in loss and every gradient', () => {
    const N = 4, B = 3;
    const enc = new HookEncoding(N + 1, D, H, L, 60);
    const m = new ViT({ imageSize: 4, patchSize: p, classes: C, dModel: D, layers: L, heads: H, seed: 4, initStd: 0.3 }, enc);
    const P = (n: string) => m.params.get(n);
    const x = randn([B, N, p * p], 61) as tf.Tensor3D;
    const labels = [0, 2, 1];
    const names = new Map(m.params.list().map((q) => [q.variable.name, q.name] as const));
    compareGrads(
      m.params.variables(),
      () => m.loss(x, Int32Array.from(labels), { training: false }).loss,
      () => {
        const emb = tf.matMul(x.reshape([B * N, p * p]) as tf.Tensor2D, P('patch.w') as tf.Tensor2D).add(P('patch.b')).reshape([B, N, D]);
        const x0 = tf.concat([tf.tile(P('cls').reshape([1, 1, D]), [B, 1, 1]), emb], 1) as tf.Tensor3D;
        const layout: PositionLayout = { kind: '2d', start: [0, 0], rows: 2, cols: 2, prefix: 1 };
        const h = refBlocks(P, { L, H, D, causal: false, gelu: 'erf' }, x0, enc.apply(layout, { training: false }));
        const cls = h.slice([0, 0, 0], [B, 1, D]).reshape([B, D]) as tf.Tensor2D;
        return refCE(tf.matMul(cls, P('head.w') as tf.Tensor2D).add(P('head.b')) as tf.Tensor2D, labels);
      },
      names,
    );
    x.dispose();
    m.dispose();
    enc.dispose();
  });

  it('reads the class from the CLS token: with no blocks only inputAdd row 0 and CLS matter, not the patches', () => {
    const N = 4;
    const enc = new HookEncoding(N + 1, D, H, 1, 70, { inputAdd: true });
    const m = new ViT({ imageSize: 4, patchSize: p, classes: C, dModel: D, layers: 0, heads: H, seed: 2 }, enc);
    tf.tidy(() => {
      const a = m.forward(randn([2, N, p * p], 71) as tf.Tensor3D, { training: false });
      const b = m.forward(randn([2, N, p * p], 72) as tf.Tensor3D, { training: false });
      expect(maxAbs(a, b)).toBe(0); // patches cannot reach the CLS without attention
      // a random (not constant: LayerNorm removes constant shifts) change of the rows of the patches: no effect
      const bump = (row: number) => tf.oneHot(tf.tensor1d([row], 'int32'), N + 1).reshape([N + 1, 1]).mul(randn([1, D], 73 + row));
      enc.add.assign(enc.add.add(bump(3)));
      expect(maxAbs(m.forward(randn([2, N, p * p], 71) as tf.Tensor3D, { training: false }), a)).toBe(0);
      enc.add.assign(enc.add.add(bump(0))); // row 0 (CLS): changes the class scores
      expect(maxAbs(m.forward(randn([2, N, p * p], 71) as tf.Tensor3D, { training: false }), a)).toBeGreaterThan(1e-3);
    });
    m.dispose();
    enc.dispose();
  });

  it('pairs patch i with layout row i+1: permuting patches and position rows together leaves the logits unchanged', () => {
    const N = 9;
    const enc = new HookEncoding(N + 1, D, H, L, 80, { inputAdd: true });
    const m = new ViT({ imageSize: 6, patchSize: p, classes: C, dModel: D, layers: L, heads: H, seed: 3, initStd: 0.2 }, enc);
    const perm = [4, 0, 8, 2, 7, 1, 6, 3, 5];
    tf.tidy(() => {
      const x = randn([2, N, p * p], 81) as tf.Tensor3D;
      const base = m.forward(x, { training: false });
      const xp = tf.gather(x, perm, 1) as tf.Tensor3D;
      // patches permuted alone: a position-aware model sees a different image
      expect(maxAbs(m.forward(xp, { training: false }), base)).toBeGreaterThan(1e-4);
      // patches and their position rows (rows 1..N, CLS row 0 fixed) permuted together: same function value
      enc.add.assign(tf.gather(enc.add, [0, ...perm.map((i) => i + 1)]));
      expect(maxAbs(m.forward(xp, { training: false }), base)).toBeLessThan(1e-5);
    });
    m.dispose();
    enc.dispose();
  });
});

describe('models with every real encoding', () => {
  const D = 16, H = 2, L = 2;
  const dims = { dModel: D, heads: H, layers: L };
  const lmSpecs: EncodingSpec[] = [
    { name: 'none' }, { name: 'sinusoidal' }, { name: 'rope' }, { name: 'alibi' }, { name: 'ape', trainLength: 6 },
    { name: 'seqpe', mode: 'attn_bias', encoder: { width: 16, heads: 2, layers: 1, maxPosition: 100 } },
    { name: 'seqpe', mode: 'input_add', encoder: { width: 16, heads: 2, layers: 1, maxPosition: 100 } },
  ];
  const vitSpecs: EncodingSpec[] = [
    { name: 'none' }, { name: 'ape', trainRows: 3, trainCols: 3, prefix: 1 }, { name: 'rope2d' }, { name: 'rope-mixed' },
    { name: 'seqpe', mode: 'qk_gate', encoder: { dims: 2, width: 16, heads: 2, layers: 1, maxPosition: 400 } },
  ];

  it.each(lmSpecs.map((s) => [`${s.name}${'mode' in s ? ` ${s.mode}` : ''}`, s] as const))('CausalLM + %s: finite loss, a gradient for every param', (_n, spec) => {
    const enc = createEncoding(spec, dims, 3);
    const m = new CausalLM({ vocab: 11, dModel: D, layers: L, heads: H, seed: 3 }, enc);
    const tokens = tf.tensor2d([[1, 2, 3, 4, 5, 6], [6, 5, 4, 3, 2, 1]], [2, 6], 'int32');
    // training mode: SeqPE serves eval mode from its no-gradient cache (models have dropout 0, so no Rng is needed)
    const { value, grads } = tf.variableGrads(() => m.loss(tokens, new Int32Array(12).fill(2), { training: true }).loss, m.params.variables());
    expect(Number.isFinite(value.dataSync()[0])).toBe(true);
    for (const p of m.params.list('main')) expect(grads[p.variable.name], p.name).toBeDefined();
    expect(m.params.list('pe').length).toBe(enc.variables.length);
    // SeqPE input_add creates a cls_pos row for prefix tokens, which a prefix-less LM never uses (no gradient, so the
    // optimiser skips it); every other encoding variable must receive a gradient
    const noGrad = m.params.list('pe').filter((p) => !grads[p.variable.name]).length;
    expect(noGrad).toBe(spec.name === 'seqpe' && spec.mode === 'input_add' ? 1 : 0);
    tf.dispose([value, tokens, ...Object.values(grads)]);
    m.dispose();
    enc.dispose();
  });

  it.each(vitSpecs.map((s) => [`${s.name}${'mode' in s ? ` ${s.mode}` : ''}`, s] as const))('ViT + %s: finite loss, a gradient for every param, larger grids', (_n, spec) => {
    const enc = createEncoding(spec, dims, 4);
    const m = new ViT({ imageSize: 6, patchSize: 2, classes: 3, dModel: D, layers: L, heads: H, seed: 4 }, enc);
    const x = randn([2, 9, 4], 5) as tf.Tensor3D;
    const { value, grads } = tf.variableGrads(() => m.loss(x, Int32Array.from([0, 2]), { training: true }).loss, m.params.variables());
    expect(Number.isFinite(value.dataSync()[0])).toBe(true);
    for (const p of m.params.list()) expect(grads[p.variable.name], p.name).toBeDefined();
    tf.tidy(() => {
      expect(m.forward(randn([1, 16, 4], 6) as tf.Tensor3D, { training: false }).shape).toEqual([1, 3]); // 4×4 grid (extrapolation)
    });
    tf.dispose([value, x, ...Object.values(grads)]);
    m.dispose();
    enc.dispose();
  });
});

describe('parameter names and weight decay', () => {
  it('block params use the SeqPE encoder\'s documented blocks.i.* names and shapes; decay by rank, embeddings and CLS exempt', () => {
    const D = 8, H = 2, L = 2;
    const lm = new CausalLM({ vocab: 11, dModel: D, layers: L, heads: H, seed: 1 }, new NoPE({ dModel: D, heads: H, layers: L }));
    const vit = new ViT({ imageSize: 4, patchSize: 2, classes: 3, dModel: D, layers: L, heads: H, seed: 1 }, new NoPE({ dModel: D, heads: H, layers: L }));
    // the encoder's table, for the same width and MLP ratio: every blocks.* and ln_f.* entry, same name, same shape
    const table = encoderParamShapes({ seed: 1, width: D, heads: H, layers: L, maxPosition: 100 })
      .filter((e) => e.name.startsWith('blocks.') || e.name.startsWith('ln_f.'))
      .map((e) => `${e.name} [${e.shape}]`);
    for (const m of [lm, vit]) {
      const mine = m.params.list().filter((p) => p.name.startsWith('blocks.') || p.name.startsWith('ln_f.')).map((p) => `${p.name} [${p.variable.shape}]`);
      expect(mine).toEqual(table);
    }
    const decayed = (m: CausalLM | ViT) => m.params.list().filter((p) => p.decay).map((p) => p.name);
    const perBlock = (i: number) => [`blocks.${i}.attn.qkv.w`, `blocks.${i}.attn.proj.w`, `blocks.${i}.mlp.fc.w`, `blocks.${i}.mlp.proj.w`];
    expect(decayed(lm)).toEqual([...perBlock(0), ...perBlock(1)]); // tok_emb (an embedding) is exempt
    expect(decayed(vit)).toEqual(['patch.w', ...perBlock(0), ...perBlock(1), 'head.w']); // cls is exempt
    expect(lm.params.list().find((p) => p.name === 'tok_emb')!.decay).toBe(false);
    expect(vit.params.list().find((p) => p.name === 'cls')!.decay).toBe(false);
    lm.dispose();
    vit.dispose();
  });

  it('ParamStore decays by rank unless told otherwise', () => {
    const s = new ParamStore(1);
    s.normal('m', [2, 3], 1);
    s.constant('v', [3], 0);
    s.normal('e', [4, 3], 1, { decay: false });
    s.constant('forced', [3], 0, { decay: true });
    const ext = tf.variable(tf.zeros([2, 2]));
    s.adopt('adopted', ext);
    expect(s.list().map((p) => [p.name, p.decay])).toEqual([['m', true], ['v', false], ['e', false], ['forced', true], ['adopted', true]]);
    s.dispose();
    ext.dispose();
  });
});

describe('ParamStore', () => {
  it('creates seeded params with stable names, groups and decay flags, and round-trips weights', () => {
    const a = new ParamStore(5);
    const b = new ParamStore(5);
    for (const s of [a, b]) {
      s.normal('w', [3, 4], 0.02, { decay: true });
      s.constant('g', [4], 1);
    }
    expect(Array.from(a.get('w').dataSync())).toEqual(Array.from(b.get('w').dataSync()));
    expect(a.list().map((p) => [p.name, p.group, p.decay])).toEqual([['w', 'main', true], ['g', 'main', false]]);
    const ext = tf.variable(tf.ones([2]));
    a.adopt('pe.0', ext, { group: 'pe' });
    expect(a.variables('pe')).toEqual([ext]);
    expect(a.count()).toBe(12 + 4 + 2);
    const w = a.getWeights();
    w.get('w')!.data[0] = 42;
    b.adopt('pe.0', tf.variable(tf.zeros([2])), { group: 'pe' });
    b.setWeights(w);
    expect(b.get('w').dataSync()[0]).toBeCloseTo(42, 5);
    expect(Array.from(b.get('pe.0').dataSync())).toEqual([1, 1]);
    expect(() => a.normal('w', [1], 1)).toThrow(/already defined/);
    expect(() => a.get('nope')).toThrow(/no param named "nope"/);
    w.delete('g');
    expect(() => b.setWeights(w)).toThrow(/missing: g/);
    const bad = a.getWeights();
    bad.set('w', { shape: [4, 3], data: new Float32Array(12) });
    expect(() => b.setWeights(bad)).toThrow(/"w" has shape \[4,3\] in the weights but \[3,4\]/);
    b.get('pe.0').dispose();
    a.dispose();
    b.dispose();
    expect(ext.isDisposed).toBe(false); // adopted variables belong to their owner
    ext.dispose();
  });
});
