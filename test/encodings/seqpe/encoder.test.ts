import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/backend';
import { encoderParamShapes, SeqPEEncoder, SeqPEEncoderConfig } from '../../../src/encodings/seqpe/index';
import { buildPrefixTrie } from '../../../src/encodings/seqpe/index';
import { gatherRows } from '../../../src/kernels/index';
import { SeededDropout } from '../../../src/encodings/seqpe/blocks';
import { encodeBatch, Position } from '../../../src/positions/digits';
import { Rng } from '../../../src/util/rng';

beforeAll(async () => {
  await initBackend();
});

/** A small encoder with large weights (so the function is far from linear) and no dropout unless asked. */
function tiny(over: Partial<SeqPEEncoderConfig> = {}): SeqPEEncoder {
  return new SeqPEEncoder({ seed: 7, width: 16, heads: 2, outDim: 6, initStd: 0.4, residDropout: 0, ...over });
}

function values(t: tf.Tensor): number[] {
  return Array.from(t.dataSync());
}

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(a.sub(b))).dataSync()[0]);
}

function row(t: tf.Tensor, r: number): number[] {
  const c = t.shape[t.rank - 1];
  return values(t).slice(r * c, (r + 1) * c);
}

/** LayerNorm of a JS vector (eps 1e-5, population variance), as an independent reference. */
function jsLayerNorm(x: number[], g: number[], b: number[]): number[] {
  const m = x.reduce((a, v) => a + v, 0) / x.length;
  const v = x.reduce((a, u) => a + (u - m) * (u - m), 0) / x.length;
  return x.map((u, i) => ((u - m) / Math.sqrt(v + 1e-5)) * g[i] + b[i]);
}

/**
 * The whole encoder written out with plain JS loops, from the spec (§1.2), as an independent reference: embeddings,
 * pre-LN blocks with per-head softmax attention (causal / bidirectional, optional pad-key masking with self always
 * visible), tanh-GELU MLP, final LayerNorm of the CLS state, out_proj, 1/temperature.
 */
function jsForward(enc: SeqPEEncoder, pos: Position): number[] {
  const c = enc.config;
  const d = c.width;
  const H = c.heads;
  const dh = d / H;
  const F = c.mlpRatio * d;
  const L = enc.seqLen;
  const S = L + 1;
  const P = (n: string) => values(enc.param(n));
  const { ids, mask } = encodeBatch([pos], enc.spec);
  const mm = (x: number[], W: number[], b: number[], cols: number, off = 0, width = cols) =>
    Array.from({ length: width }, (_, o) => x.reduce((a, v, i) => a + v * W[i * cols + off + o], 0) + b[off + o]);
  const gelu = (u: number) => 0.5 * u * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (u + 0.044715 * u * u * u)));
  const T = P('digit_embedding');
  const O = P('digit_position_embedding');
  const Dm = enc.spec.dims > 1 ? P('dim_embedding') : undefined;
  let x: number[][] = [];
  for (let t = 0; t < L; t++) {
    const dim = Math.floor(t / enc.spec.digits);
    x.push(Array.from({ length: d }, (_, j) => T[ids[t] * d + j] + O[t * d + j] + (Dm ? Dm[dim * d + j] : 0)));
  }
  x.push(P('cls'));
  for (let l = 0; l < c.layers; l++) {
    const b = `blocks.${l}`;
    const h = x.map((r) => jsLayerNorm(r, P(`${b}.ln1.gamma`), P(`${b}.ln1.beta`)));
    const W = P(`${b}.attn.qkv.w`);
    const B = P(`${b}.attn.qkv.b`);
    const q = h.map((r) => mm(r, W, B, 3 * d, 0, d));
    const k = h.map((r) => mm(r, W, B, 3 * d, d, d));
    const v = h.map((r) => mm(r, W, B, 3 * d, 2 * d, d));
    const att: number[][] = [];
    for (let i = 0; i < S; i++) {
      const out = new Array<number>(d).fill(0);
      for (let hd = 0; hd < H; hd++) {
        const keys: number[] = [];
        for (let j = 0; j < S; j++) {
          if (c.attention === 'causal' && j > i) continue;
          if (c.maskPadding && j < L && j !== i && mask[j] === 0) continue;
          keys.push(j);
        }
        const sc = keys.map((j) => {
          let z = 0;
          for (let e = 0; e < dh; e++) z += q[i][hd * dh + e] * k[j][hd * dh + e];
          return z / Math.sqrt(dh);
        });
        const mx = Math.max(...sc);
        const ex = sc.map((z) => Math.exp(z - mx));
        const tot = ex.reduce((a2, z) => a2 + z, 0);
        keys.forEach((j, n) => {
          for (let e = 0; e < dh; e++) out[hd * dh + e] += (ex[n] / tot) * v[j][hd * dh + e];
        });
      }
      att.push(out);
    }
    x = x.map((r, i) => {
      const a1 = mm(att[i], P(`${b}.attn.proj.w`), P(`${b}.attn.proj.b`), d);
      const r1 = r.map((u, j) => u + a1[j]);
      const h2 = jsLayerNorm(r1, P(`${b}.ln2.gamma`), P(`${b}.ln2.beta`));
      const f = mm(h2, P(`${b}.mlp.fc.w`), P(`${b}.mlp.fc.b`), F).map(gelu);
      const m = mm(f, P(`${b}.mlp.proj.w`), P(`${b}.mlp.proj.b`), d);
      return r1.map((u, j) => u + m[j]);
    });
  }
  const z = jsLayerNorm(x[L], P('ln_f.gamma'), P('ln_f.beta'));
  return mm(z, P('out_proj.w'), P('out_proj.b'), c.outDim).map((u) => u / c.temperature);
}

describe('SeqPEEncoder: configuration and parameters', () => {
  it('has the documented parameter table, and the paper-size counts match the hand counts of spec §1.2', () => {
    const enc = tiny({ dims: 2, maxPosition: 10000 });
    const table = encoderParamShapes(enc.config);
    expect([...enc.params.keys()]).toEqual(table.map((e) => e.name));
    for (const e of table) expect(enc.param(e.name).shape).toEqual(e.shape);
    expect(enc.param('digit_embedding').shape).toEqual([10, 16]);
    expect(enc.param('digit_position_embedding').shape).toEqual([4, 16]); // 2 axes × 2 digits, not reset per axis
    expect(enc.param('dim_embedding').shape).toEqual([2, 16]);
    expect(enc.param('blocks.1.attn.qkv.w').shape).toEqual([16, 48]);
    expect(enc.param('blocks.0.mlp.fc.w').shape).toEqual([16, 64]);
    expect(enc.param('out_proj.w').shape).toEqual([16, 6]);
    expect(tiny().params.has('dim_embedding')).toBe(false); // 1-D: no dimension embedding
    const count = (c: SeqPEEncoderConfig) => encoderParamShapes(c).reduce((a, e) => a + e.shape.reduce((x, y) => x * y, 1), 0);
    // Hand count: 2 GPT-2 blocks of 12d²+13d, embeddings (10 + L [+ dims] + 1)·d, ln_f 2d, out_proj d·out + out.
    const hand = (d: number, L: number, dims: number) =>
      2 * (12 * d * d + 13 * d) + (10 + L + (dims > 1 ? dims : 0) + 1) * d + 2 * d + d * d + d;
    expect(count({ seed: 0 })).toBe(hand(768, 5, 1));
    expect(count({ seed: 0 })).toBe(14_780_160);
    expect(count({ seed: 0, dims: 2, width: 384 })).toBe(hand(384, 4, 2));
    expect(count({ seed: 0, dims: 2, width: 384 })).toBe(3_704_064);
    expect(enc.paramCount).toBe(count(enc.config));
    enc.dispose();
  });

  it('defaults follow spec §1.2 (heads = d/64, 5 digits for 20 000, 2 per axis for a 100×100 grid)', () => {
    const lm = encoderParamShapes({ seed: 0 });
    expect(lm.find((e) => e.name === 'digit_position_embedding')!.shape).toEqual([5, 768]);
    const enc = new SeqPEEncoder({ seed: 0, width: 128 });
    expect(enc.config.heads).toBe(2);
    expect(enc.config.layers).toBe(2);
    expect(enc.config.attention).toBe('causal');
    expect(enc.config.maskPadding).toBe(false);
    expect(enc.config.residDropout).toBe(0.1);
    expect(enc.config.attnDropout).toBe(0);
    expect(enc.config.temperature).toBe(1);
    expect(enc.spec).toEqual({ dims: 1, digits: 5, base: 10 });
    enc.dispose();
    const img = new SeqPEEncoder({ seed: 0, width: 32, dims: 2 });
    expect(img.spec).toEqual({ dims: 2, digits: 2, base: 10 });
    expect(img.config.heads).toBe(1); // max(1, 32/64)
    img.dispose();
  });

  it('initialises biases 0, LayerNorms 1/0 and normal weights with std ≈ 0.02', () => {
    const enc = new SeqPEEncoder({ seed: 3, width: 64 });
    expect(values(enc.param('blocks.0.ln1.gamma')).every((v) => v === 1)).toBe(true);
    expect(values(enc.param('blocks.1.ln2.beta')).every((v) => v === 0)).toBe(true);
    expect(values(enc.param('blocks.0.attn.qkv.b')).every((v) => v === 0)).toBe(true);
    const w = values(enc.param('blocks.0.mlp.fc.w')); // 16 384 draws
    const mean = w.reduce((a, v) => a + v, 0) / w.length;
    const std = Math.sqrt(w.reduce((a, v) => a + (v - mean) ** 2, 0) / w.length);
    expect(Math.abs(mean)).toBeLessThan(0.001);
    expect(Math.abs(std - 0.02)).toBeLessThan(0.001);
    const cls = values(enc.param('cls'));
    expect(cls.some((v) => v !== 0)).toBe(true);
    enc.dispose();
  });

  it('same seed → same parameters; another seed → different', () => {
    const a = tiny();
    const b = tiny();
    const c = tiny({ seed: 8 });
    for (const [name, v] of a.params) expect(values(v)).toEqual(values(b.param(name)));
    expect(values(a.param('digit_embedding'))).not.toEqual(values(c.param('digit_embedding')));
    [a, b, c].forEach((e) => e.dispose());
  });

  it('rejects bad configurations and positions with clear errors', () => {
    expect(() => new SeqPEEncoder({ seed: 0, width: 30, heads: 4 })).toThrow(/width 30 is not divisible by heads 4/);
    expect(() => new SeqPEEncoder({ seed: 0, width: 16, attention: 'bidirectional', path: 'prefix' })).toThrow(
      /prefix.*causal/,
    );
    expect(() => new SeqPEEncoder({ seed: 0, width: 16, residDropout: 1 })).toThrow(/residDropout must be in \[0, 1\), got 1/);
    expect(() => new SeqPEEncoder({ seed: 1.5, width: 16 })).toThrow(/seed must be an integer/);
    const enc = tiny();
    expect(() => enc.encode([100000], { training: false })).toThrow(/100000 needs more than 5 base-10 digits/);
    expect(() => enc.encode([-1], { training: false })).toThrow(/negative/);
    expect(() => enc.encode([[1, 2]], { training: false })).toThrow(/2 dimension\(s\); expected 1/);
    expect(() => enc.param('blocks.0.attn.w')).toThrow(/no parameter named "blocks.0.attn.w"/);
    const bi = tiny({ attention: 'bidirectional' });
    expect(() => bi.encode([1], { training: false, path: 'prefix' })).toThrow(/prefix.*causal/);
    enc.dispose();
    bi.dispose();
    expect(() => enc.encode([1], { training: false })).toThrow(/after dispose/);
  });
});

describe('SeqPEEncoder: what it computes', () => {
  it('outputs [count, outDim] for 1-D and 2-D positions', () => {
    const e1 = tiny();
    const o1 = e1.encode([0, 1, 19999], { training: false });
    expect(o1.shape).toEqual([3, 6]);
    const e2 = tiny({ dims: 2, maxPosition: 10000 });
    const o2 = e2.encode([[0, 0], [2, 3], [99, 99], [13, 7]], { training: false });
    expect(o2.shape).toEqual([4, 6]);
    expect(values(o2).every(Number.isFinite)).toBe(true);
    tf.dispose([o1, o2]);
    e1.dispose();
    e2.dispose();
  });

  it('feeds (2, 3) as digits [0,2,0,3] + slots O0..O3 + dims D0 D0 D1 D1, then the CLS, checked by hand', () => {
    const enc = tiny({ dims: 2, maxPosition: 10000 });
    const [x0] = enc.hiddenStates([[2, 3]]); // [1, 5, 16]
    expect(x0.shape).toEqual([1, 5, 16]);
    const T = values(enc.param('digit_embedding'));
    const O = values(enc.param('digit_position_embedding'));
    const D = values(enc.param('dim_embedding'));
    const cls = values(enc.param('cls'));
    const d = 16;
    const digits = [0, 2, 0, 3];
    const dimOf = [0, 0, 1, 1];
    const got = values(x0);
    for (let t = 0; t < 4; t++) {
      for (let j = 0; j < d; j++) {
        const want = T[digits[t] * d + j] + O[t * d + j] + D[dimOf[t] * d + j];
        expect(got[t * d + j]).toBeCloseTo(want, 6);
      }
    }
    expect(got.slice(4 * d, 5 * d)).toEqual(cls); // CLS last, no position or dimension embedding
    x0.dispose();
    enc.dispose();
  });

  it('matches a plain-JS forward written from the spec (causal, bidirectional, pad-masked, 1-D and 2-D)', () => {
    const cases: Array<[Partial<SeqPEEncoderConfig>, Position[]]> = [
      [{}, [0, 7, 305, 19999]],
      [{ attention: 'bidirectional', temperature: 0.5 }, [42, 10001]],
      [{ maskPadding: true, layers: 1 }, [5, 120, 99999]],
      [{ dims: 2, maxPosition: 10000, maskPadding: true, heads: 4 }, [[2, 3], [0, 0], [57, 9]]],
      [{ dims: 2, maxPosition: 10000, layers: 3 }, [[2, 3], [99, 1]]],
    ];
    for (const [cfg, positions] of cases) {
      const enc = tiny(cfg);
      for (const path of enc.config.attention === 'causal' ? (['full', 'prefix'] as const) : (['full'] as const)) {
        const out = enc.encode(positions, { training: false, path });
        positions.forEach((p, r) => {
          const want = jsForward(enc, p);
          row(out, r).forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThan(1e-4));
        });
        out.dispose();
      }
      enc.dispose();
    }
  });

  it('reads the output from the CLS (last) state: out_proj(ln_f(h_CLS)) / temperature', () => {
    const enc = tiny({ temperature: 2 });
    const states = enc.hiddenStates([4321]);
    const last = states[states.length - 1]; // [1, 6, 16]
    const hCls = values(last).slice(5 * 16, 6 * 16);
    const ln = jsLayerNorm(hCls, values(enc.param('ln_f.gamma')), values(enc.param('ln_f.beta')));
    const W = values(enc.param('out_proj.w'));
    const b = values(enc.param('out_proj.b'));
    const want = Array.from({ length: 6 }, (_, o) => (ln.reduce((a, v, i) => a + v * W[i * 6 + o], 0) + b[o]) / 2);
    const out = enc.encode([4321], { training: false });
    values(out).forEach((v, i) => expect(v).toBeCloseTo(want[i], 4));
    tf.dispose([...states, out]);
    enc.dispose();
  });

  it('causal: a later digit cannot change an earlier digit state; bidirectional: it can', () => {
    for (const path of ['full', 'prefix'] as const) {
      const enc = tiny();
      const a = enc.hiddenStates([12345], { path });
      const b = enc.hiddenStates([12399], { path }); // differs from slot 3 on
      for (let s = 1; s < a.length; s++) {
        const va = values(a[s]);
        const vb = values(b[s]);
        expect(va.slice(0, 3 * 16)).toEqual(vb.slice(0, 3 * 16)); // slots 0..2 bit-identical
        expect(maxAbsDiff(a[s].slice([0, 3, 0], [1, 1, 16]), b[s].slice([0, 3, 0], [1, 1, 16]))).toBeGreaterThan(1e-3);
      }
      tf.dispose([...a, ...b]);
      enc.dispose();
    }
    const bi = tiny({ attention: 'bidirectional' });
    const a = bi.hiddenStates([12345]);
    const b = bi.hiddenStates([12399]);
    expect(maxAbsDiff(a[1].slice([0, 0, 0], [1, 1, 16]), b[1].slice([0, 0, 0], [1, 1, 16]))).toBeGreaterThan(1e-3);
    tf.dispose([...a, ...b]);
    bi.dispose();
  });

  it('pad masking hides left pads from every other token; without it pads are ordinary "0" digits', () => {
    // 5 → [0,0,0,0,5]: every 0 is a pad. With masking, the output cannot depend on the '0' embedding or the pad slots.
    // The perturbation is a random vector: a constant shift of a token's input would be removed by every LayerNorm.
    const perturb = (enc: SeqPEEncoder, name: string, rowIdx: number) => {
      const p = enc.param(name);
      const [V, d] = p.shape as [number, number];
      const w = p.dataSync().slice();
      const rng = new Rng(rowIdx + 100);
      for (let j = 0; j < d; j++) w[rowIdx * d + j] += rng.normal();
      expect(rowIdx).toBeLessThan(V);
      p.assign(tf.tensor2d(w, [V, d]));
    };
    for (const path of ['full', 'prefix'] as const) {
      for (const [name, rowIdx, hidden] of [
        ['digit_embedding', 0, true],
        ['digit_position_embedding', 2, true],
        ['digit_position_embedding', 4, false], // the units digit is real
      ] as const) {
        for (const maskPadding of [true, false]) {
          const enc = tiny({ maskPadding });
          const before = enc.encode([5], { training: false, path });
          perturb(enc, name, rowIdx);
          const after = enc.encode([5], { training: false, path });
          const diff = maxAbsDiff(before, after);
          if (maskPadding && hidden) expect(diff).toBeLessThan(1e-6);
          else expect(diff).toBeGreaterThan(1e-3);
          tf.dispose([before, after]);
          enc.dispose();
        }
      }
    }
    // 2-D: (2, 3) → [0,2,0,3], pads at slots 0 and 2; the '0' row is invisible with masking.
    const enc = tiny({ dims: 2, maxPosition: 10000, maskPadding: true });
    const before = enc.encode([[2, 3]], { training: false });
    perturb(enc, 'digit_embedding', 0);
    const after = enc.encode([[2, 3]], { training: false });
    expect(maxAbsDiff(before, after)).toBeLessThan(1e-6);
    tf.dispose([before, after]);
    enc.dispose();
  });

  it('de-duplicates: encode([5,5,7]) runs the encoder on 2 positions and returns equal rows 0 and 1', () => {
    const enc = tiny();
    const before = enc.stats.positionsEncoded;
    const out = enc.encode([5, 5, 7], { training: false });
    expect(enc.stats.positionsEncoded - before).toBe(2);
    expect(out.shape).toEqual([3, 6]);
    expect(row(out, 0)).toEqual(row(out, 1));
    expect(row(out, 0)).not.toEqual(row(out, 2));
    const single = enc.encode([7], { training: false });
    expect(row(out, 2)).toEqual(values(single));
    // 2-D keys: (1, 23) and (12, 3) are different positions.
    const e2 = tiny({ dims: 2, maxPosition: 10000 });
    const b2 = e2.stats.positionsEncoded;
    tf.dispose(e2.encode([[1, 23], [12, 3], [1, 23]], { training: false }));
    expect(e2.stats.positionsEncoded - b2).toBe(2);
    tf.dispose([out, single]);
    enc.dispose();
    e2.dispose();
  });

  it('prefix path == full path (outputs, every hidden state, gradients) on random 1-D and 2-D positions', () => {
    const rng = new Rng(11);
    const cases: Array<[Partial<SeqPEEncoderConfig>, Position[]]> = [
      [{}, Array.from({ length: 300 }, () => rng.int(0, 20000))],
      [{ maskPadding: true }, Array.from({ length: 200 }, () => rng.int(0, 20000))],
      [{ dims: 2, maxPosition: 10000 }, Array.from({ length: 200 }, () => [rng.int(0, 100), rng.int(0, 100)])],
      [{ dims: 2, maxPosition: 10000, maskPadding: true, layers: 3 }, Array.from({ length: 100 }, () => [rng.int(0, 100), rng.int(0, 20)])],
    ];
    for (const [cfg, positions] of cases) {
      const enc = tiny({ width: 32, heads: 4, ...cfg });
      const a = enc.encode(positions, { training: false, path: 'full' });
      const b = enc.encode(positions, { training: false, path: 'prefix' });
      expect(maxAbsDiff(a, b)).toBeLessThan(1e-4);
      const ha = enc.hiddenStates(positions.slice(0, 40), { path: 'full' });
      const hb = enc.hiddenStates(positions.slice(0, 40), { path: 'prefix' });
      ha.forEach((h, i) => expect(maxAbsDiff(h, hb[i])).toBeLessThan(1e-4));
      const R = tf.randomNormal([positions.length, 6], 0, 1, 'float32', 5);
      const grads = (path: 'full' | 'prefix') =>
        tf.variableGrads(() => enc.encode(positions, { training: true, path }).mul(R).sum() as tf.Scalar, enc.variables).grads;
      const ga = grads('full');
      const gb = grads('prefix');
      for (const v of enc.variables) {
        const scale = Math.max(1, tf.tidy(() => tf.max(tf.abs(ga[v.name])).dataSync()[0]));
        expect(maxAbsDiff(ga[v.name], gb[v.name]) / scale).toBeLessThan(1e-4);
      }
      tf.dispose([a, b, ...ha, ...hb, R, ...Object.values(ga), ...Object.values(gb)]);
      enc.dispose();
    }
  });

  it('auto picks the prefix path for causal attention and the full path for bidirectional', () => {
    expect(tiny().resolvePath()).toBe('prefix');
    expect(tiny({ path: 'full' }).resolvePath()).toBe('full');
    expect(tiny({ attention: 'bidirectional' }).resolvePath()).toBe('full');
  });

  it('the prefix trie has the hand-counted number of nodes (0..1099 at 5 digits: 1+2+11+110+1100)', () => {
    const spec = { dims: 1, digits: 5, base: 10 };
    const trie = buildPrefixTrie(encodeBatch(Array.from({ length: 1100 }, (_, i) => i), spec), false);
    expect(trie.digitNodes).toBe(1 + 2 + 11 + 110 + 1100);
    expect(trie.nodes).toBe(1224 + 1100);
    // Position 1034 (row 1034 of the batch) has as CLS ancestors the nodes of '0', '01', '010', '0103', '01034', then itself.
    const cls = trie.digitNodes + 1034;
    const anc = Array.from(trie.ancestors.subarray(cls * 6, cls * 6 + 6));
    expect(anc[5]).toBe(cls);
    expect(anc.slice(0, 5).map((n) => trie.slot[n])).toEqual([0, 1, 2, 3, 4]);
    expect(anc.slice(0, 5).map((n) => trie.digit[n])).toEqual([0, 1, 0, 3, 4]);
    // ... and share the first three with position 1099 ('010' is common), but not the fourth.
    const other = Array.from(trie.ancestors.subarray((trie.digitNodes + 1099) * 6, (trie.digitNodes + 1099) * 6 + 5));
    expect(other.slice(0, 3)).toEqual(anc.slice(0, 3));
    expect(other[3]).not.toBe(anc[3]);
    expect(Array.from(trie.keyMask.subarray(cls * 6, cls * 6 + 6))).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('gradients of a scalar loss match central finite differences (both paths)', () => {
    const probes: Array<[string, number]> = [
      ['digit_embedding', 3 * 16 + 2],
      ['digit_position_embedding', 4 * 16 + 7],
      ['cls', 5],
      ['blocks.0.attn.qkv.w', 1 * 48 + 5], // a query column
      ['blocks.0.attn.qkv.w', 9 * 48 + 20], // a key column
      ['blocks.1.attn.qkv.w', 3 * 48 + 40], // a value column
      ['blocks.1.attn.proj.w', 2 * 16 + 3],
      ['blocks.0.ln1.gamma', 4],
      ['blocks.1.mlp.fc.w', 5 * 64 + 33],
      ['blocks.0.mlp.proj.b', 6],
      ['ln_f.gamma', 1],
      ['out_proj.w', 7 * 6 + 2],
    ];
    const positions = [0, 7, 19, 123, 4567, 19999];
    for (const path of ['full', 'prefix'] as const) {
      const enc = tiny();
      const R = tf.tensor2d(Array.from({ length: 36 }, (_, i) => Math.sin(i * 1.7)), [6, 6]);
      const loss = () => tf.tidy(() => enc.encode(positions, { training: true, path }).mul(R).sum() as tf.Scalar);
      const { value, grads } = tf.variableGrads(loss, enc.variables);
      value.dispose();
      for (const [name, flat] of probes) {
        const v = enc.param(name);
        const g = grads[v.name].dataSync()[flat];
        const base = v.dataSync().slice();
        const at = (delta: number) => {
          const w = base.slice();
          w[flat] += delta;
          v.assign(tf.tensor(w, v.shape));
          return loss().dataSync()[0];
        };
        const eps = 1e-2;
        const fd = (at(eps) - at(-eps)) / (2 * eps);
        v.assign(tf.tensor(base, v.shape));
        expect(Math.abs(g - fd)).toBeLessThan(2e-3 + 2e-2 * Math.abs(fd));
      }
      tf.dispose([R, ...Object.values(grads)]);
      enc.dispose();
    }
  });
});

describe('SeqPEEncoder: modes, cache and memory', () => {
  it('eval is deterministic; dropout acts only in training, from the seeded stream', () => {
    const enc = tiny({ residDropout: 0.3 });
    const e1 = enc.encode([1, 2, 3], { training: false });
    const e2 = enc.encode([1, 2, 3], { training: false });
    expect(values(e1)).toEqual(values(e2));
    const t1 = enc.encode([1, 2, 3], { training: true });
    const t2 = enc.encode([1, 2, 3], { training: true });
    expect(maxAbsDiff(t1, e1)).toBeGreaterThan(1e-3);
    expect(maxAbsDiff(t1, t2)).toBeGreaterThan(1e-3); // a fresh mask each call
    const twin = tiny({ residDropout: 0.3 });
    const u1 = twin.encode([1, 2, 3], { training: true });
    expect(values(u1)).toEqual(values(t1)); // same seed → same dropout masks
    const noDrop = tiny({ residDropout: 0 });
    const n1 = noDrop.encode([1, 2, 3], { training: true });
    expect(values(n1)).toEqual(values(noDrop.encode([1, 2, 3], { training: false })));
    // The dropout stream's state can be saved and restored.
    const st = enc.getRngState();
    const r1 = enc.encode([9], { training: true });
    enc.setRngState(st);
    const r2 = enc.encode([9], { training: true });
    expect(values(r1)).toEqual(values(r2));
    tf.dispose([e1, e2, t1, t2, u1, n1, r1, r2]);
    [enc, twin, noDrop].forEach((e) => e.dispose());
  });

  it('dropout keeps each unit with probability 1 − p and scales kept units by 1/(1 − p); equal stream states, equal masks', () => {
    // The encoder's dropout (blocks.ts SeededDropout) applied to ones shows its mask.
    const ones = tf.ones([200, 50]);
    const mask = new SeededDropout(new Rng(4)).apply(ones, 0.25, true);
    const m = values(mask);
    const kept = m.filter((v) => v !== 0);
    expect(kept.every((v) => Math.abs(v - 1 / 0.75) < 1e-6)).toBe(true);
    expect(Math.abs(kept.length / m.length - 0.75)).toBeLessThan(0.02); // 10 000 draws: σ ≈ 0.0043
    const again = new SeededDropout(new Rng(4)).apply(ones, 0.25, true);
    expect(values(again)).toEqual(m);
    expect(new SeededDropout(new Rng(4)).apply(ones, 0.25, false)).toBe(ones); // eval: identity, no draw
    tf.dispose([ones, mask, again]);
  });

  it('table() caches eval rows: a second call encodes nothing new; weight changes clear the cache', () => {
    const enc = tiny();
    const pos = Array.from({ length: 50 }, (_, i) => i * 37);
    const direct = enc.encode(pos, { training: false });
    const t1 = enc.table(pos);
    expect(maxAbsDiff(direct, t1)).toBe(0);
    const n1 = enc.stats.positionsEncoded;
    const hits = enc.stats.cacheHits;
    const t2 = enc.table(pos);
    expect(enc.stats.positionsEncoded).toBe(n1); // nothing re-encoded
    expect(enc.stats.cacheHits - hits).toBe(pos.length);
    expect(values(t2)).toEqual(values(t1));
    const t3 = enc.table([...pos.slice(0, 10), 5, 5]); // 1 new position
    expect(enc.stats.positionsEncoded).toBe(n1 + 1);
    expect(t3.shape).toEqual([12, 6]);
    // An optimiser step (tf.Variable.assign under the hood) clears the cache automatically.
    const opt = tf.train.sgd(0.5);
    opt.minimize(() => enc.encode([3, 4], { training: true }).sum() as tf.Scalar, false, enc.variables);
    const t4 = enc.table(pos);
    expect(enc.stats.positionsEncoded).toBe(n1 + 1 + 2 + pos.length);
    expect(maxAbsDiff(t4, t1)).toBeGreaterThan(1e-4);
    const fresh = enc.encode(pos, { training: false });
    expect(maxAbsDiff(t4, fresh)).toBe(0);
    // invalidateCache() forces re-encoding.
    enc.invalidateCache();
    expect(enc.cacheSize).toBe(0);
    tf.dispose(enc.table(pos.slice(0, 3)));
    expect(enc.cacheSize).toBe(3);
    // Small eval chunks give the same rows.
    const chunked = tiny({ evalChunk: 7 });
    const tc = chunked.table(pos);
    expect(chunked.stats.forwards).toBe(Math.ceil(pos.length / 7));
    expect(maxAbsDiff(tc, chunked.encode(pos, { training: false }))).toBe(0);
    tf.dispose([t1, t2, t3, t4, direct, fresh, tc]);
    opt.dispose();
    enc.dispose();
    chunked.dispose();
  });

  it('encode without gradient runs in evalChunk-sized forwards (bounded memory) and gives the one-pass rows', () => {
    const pos = Array.from({ length: 50 }, (_, i) => (i * 37) % 997);
    const whole = tiny({ evalChunk: 4096 });
    const chunked = tiny({ evalChunk: 7 });
    const a = whole.encode(pos, { training: false });
    const before = chunked.stats.forwards;
    const b = chunked.encode(pos, { training: false });
    expect(chunked.stats.forwards - before).toBe(Math.ceil(new Set(pos).size / 7)); // 50 distinct → 8 forwards
    expect(b.shape).toEqual([50, a.shape[1]]);
    expect(maxAbsDiff(a, b)).toBeLessThan(1e-6);
    // Training keeps one pass (the tape holds every chunk's intermediates anyway).
    const f0 = chunked.stats.forwards;
    tf.dispose(chunked.encode(pos, { training: true }));
    expect(chunked.stats.forwards - f0).toBe(1);
    const tensors = tf.memory().numTensors;
    tf.dispose(chunked.encode(pos, { training: false }));
    expect(tf.memory().numTensors).toBe(tensors); // nothing left behind by the chunks
    tf.dispose([a, b]);
    whole.dispose();
    chunked.dispose();
  });

  it('gatherRows equals tf.gather, and its gradient scatter-adds repeated rows', () => {
    const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2]);
    const idx = Int32Array.from([2, 0, 2, 1]);
    const y = gatherRows(x, idx);
    expect(values(y)).toEqual([5, 6, 1, 2, 5, 6, 3, 4]);
    const w = tf.tensor2d([1, 10, 100, 1000, 2, 20, 3, 30], [4, 2]);
    const g = tf.grad((a: tf.Tensor) => gatherRows(a as tf.Tensor2D, idx).mul(w).sum())(x);
    expect(values(g)).toEqual([100, 1000, 3, 30, 1 + 2, 10 + 20]);
    expect(() => gatherRows(x, Int32Array.from([3]))).toThrow(/index 3 at 0 is outside \[0, 3\)/);
    tf.dispose([x, y, w, g]);
  });

  it('leaks no tensors across repeated encode / table / hiddenStates / gradient calls', () => {
    const enc = tiny({ residDropout: 0.1, attnDropout: 0.1, maskPadding: true });
    const pos = [0, 1, 2, 99, 99, 1234];
    const once = () => {
      for (const path of ['full', 'prefix'] as const) {
        tf.dispose(enc.encode(pos, { training: true, path }));
        tf.dispose(enc.encode(pos, { training: false, path }));
        tf.dispose(enc.hiddenStates(pos, { path }));
        const { value, grads } = tf.variableGrads(() => enc.encode(pos, { training: true, path }).square().sum() as tf.Scalar, enc.variables);
        tf.dispose([value, ...Object.values(grads)]);
      }
      tf.dispose(enc.table(pos));
      tf.dispose(tf.tidy(() => enc.encode([], { training: false })));
    };
    once();
    const n0 = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) once();
    expect(tf.memory().numTensors).toBe(n0);
    enc.dispose();
    expect(tf.memory().numTensors).toBe(n0 - enc.variables.length);
    // Construction keeps exactly one tensor per parameter, and dispose() frees them all.
    const n1 = tf.memory().numTensors;
    const again = tiny();
    expect(tf.memory().numTensors).toBe(n1 + again.variables.length);
    again.dispose();
    expect(tf.memory().numTensors).toBe(n1);
  });
});
