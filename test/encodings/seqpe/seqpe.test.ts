import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/backend';
import { SeqPE, SeqPEConfig, SeqPEMode } from '../../../src/encodings/seqpe/index';
import { loadWeightsOf, saveWeightsOf } from '../../../src/encodings/weights-io';
import { layoutPositions, ModelDims, PositionLayout } from '../../../src/encodings/types';
import { Rng } from '../../../src/util/rng';

let root: string;
beforeAll(async () => {
  await initBackend();
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'seqpe-wrapper-'));
});
afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

const MODEL: ModelDims = { dModel: 8, heads: 2, layers: 3 };
const DH = 4;

function make(mode: SeqPEMode, over: Partial<SeqPEConfig> = {}, dims: 1 | 2 = 1, seed = 1): SeqPE {
  return new SeqPE(MODEL, {
    mode,
    seed,
    ...over,
    encoder: {
      width: 16,
      heads: 2,
      initStd: 0.3,
      residDropout: 0,
      dims,
      maxPosition: dims === 1 ? 20000 : 10000,
      ...over.encoder,
    },
  });
}

const values = (t: tf.Tensor) => Array.from(t.dataSync());
const maxAbsDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(a.sub(b))).dataSync()[0]);

/** [n, cols] row-major JS matrix product x·W + b. */
function jsLinear(x: number[], n: number, inDim: number, W: number[], b: number[], outDim: number): number[] {
  const out = new Array<number>(n * outDim).fill(0);
  for (let r = 0; r < n; r++) {
    for (let o = 0; o < outDim; o++) {
      let z = b[o];
      for (let i = 0; i < inDim; i++) z += x[r * inDim + i] * W[i * outDim + o];
      out[r * outDim + o] = z;
    }
  }
  return out;
}

const L1: PositionLayout = { kind: '1d', start: 10, length: 5 };
const L2: PositionLayout = { kind: '2d', start: [3, 4], rows: 2, cols: 3, prefix: 1 };

describe('SeqPE: input_add', () => {
  it('adds the encoder rows of the layout positions, with cls_pos on prefix rows', () => {
    const pe = make('input_add');
    tf.tidy(() => {
      const out = pe.apply(L1, { training: false });
      expect(out.attnBias).toBeUndefined();
      expect(out.qk).toBeUndefined();
      expect(out.inputAdd!.shape).toEqual([5, 8]);
      const direct = pe.encoder.encode([10, 11, 12, 13, 14], { training: false });
      expect(maxAbsDiff(out.inputAdd!, direct)).toBe(0);
      expect(maxAbsDiff(out.vectors!.main, direct)).toBe(0);
    });
    pe.dispose();
    const pe2 = make('input_add', {}, 2);
    tf.tidy(() => {
      const out = pe2.apply(L2, { training: false });
      expect(out.inputAdd!.shape).toEqual([7, 8]);
      expect(values(out.inputAdd!.slice([0, 0], [1, 8]))).toEqual(values(pe2.params.get('cls_pos')!));
      // Row-major grid from (3, 4): (3,4) (3,5) (3,6) (4,4) (4,5) (4,6).
      const direct = pe2.encoder.encode([[3, 4], [3, 5], [3, 6], [4, 4], [4, 5], [4, 6]], { training: false });
      expect(maxAbsDiff(out.inputAdd!.slice([1, 0], [6, 8]), direct)).toBe(0);
    });
    pe2.dispose();
  });

  it('requires the encoder outDim to be the model width', () => {
    expect(() => make('input_add', { encoder: { outDim: 4 } })).toThrow(/input_add needs the encoder outDim \(4\) to equal the model width 8/);
  });
});

describe('SeqPE: attn_bias (attn_scalar)', () => {
  it('is p_q·p_kᵀ per head from ONE shared projection, the same tensor for every layer', () => {
    const pe = make('attn_bias');
    tf.tidy(() => {
      const out = pe.apply(L1, { training: false });
      expect(out.inputAdd).toBeUndefined();
      const bias = out.attnBias!(0);
      expect(bias.shape).toEqual([2, 5, 5]);
      expect(out.attnBias!(2)).toBe(bias);
      expect(() => out.attnBias!(3)).toThrow(/layer 3 is out of range \[0, 3\)/);
      // Independent JS computation from vectors.main and the projection weights.
      const P = jsLinear(values(out.vectors!.main), 5, 8, values(pe.params.get('pe_qk.w')!), values(pe.params.get('pe_qk.b')!), 16);
      const b = values(bias);
      for (let h = 0; h < 2; h++) {
        for (let i = 0; i < 5; i++) {
          for (let j = 0; j < 5; j++) {
            let z = 0;
            for (let e = 0; e < DH; e++) z += P[i * 16 + h * DH + e] * P[j * 16 + 8 + h * DH + e];
            expect(Math.abs(b[(h * 5 + i) * 5 + j] - z)).toBeLessThan(1e-5);
          }
        }
      }
    });
    pe.dispose();
  });

  it('gives prefix tokens zero bias in their rows and columns', () => {
    const pe = make('attn_bias', {}, 2);
    tf.tidy(() => {
      const bias = pe.apply(L2, { training: false }).attnBias!(1); // [2, 7, 7]
      expect(bias.shape).toEqual([2, 7, 7]);
      const inner = pe.apply({ ...L2, prefix: 0 }, { training: false }).attnBias!(0);
      expect(maxAbsDiff(bias.slice([0, 1, 1], [2, 6, 6]), inner)).toBe(0);
      expect(values(bias.slice([0, 0, 0], [2, 1, 7])).every((v) => v === 0)).toBe(true);
      expect(values(bias.slice([0, 0, 0], [2, 7, 1])).every((v) => v === 0)).toBe(true);
    });
    pe.dispose();
  });

  it('back-propagates into the projection and the encoder (finite-difference check on pe_qk.w)', () => {
    const pe = make('attn_bias');
    const loss = () =>
      tf.tidy(() => {
        const b = pe.apply(L1, { training: true }).attnBias!(0);
        return b.mul(b).sum().add(b.sum()) as tf.Scalar;
      });
    const { value, grads } = tf.variableGrads(loss, pe.variables);
    for (const v of pe.variables) {
      expect(grads[v.name]).toBeDefined();
      expect(tf.tidy(() => tf.max(tf.abs(grads[v.name])).dataSync()[0])).toBeGreaterThan(0);
    }
    const w = pe.params.get('pe_qk.w')!;
    const base = w.dataSync().slice();
    for (const flat of [3, 8 * 16 - 5, 4 * 16 + 9]) {
      const at = (delta: number) => {
        const x = base.slice();
        x[flat] += delta;
        w.assign(tf.tensor(x, w.shape));
        return loss().dataSync()[0];
      };
      const fd = (at(1e-2) - at(-1e-2)) / 2e-2;
      w.assign(tf.tensor(base, w.shape));
      const g = grads[w.name].dataSync()[flat];
      expect(Math.abs(g - fd)).toBeLessThan(1e-3 + 1e-2 * Math.abs(fd));
    }
    tf.dispose([value, ...Object.values(grads)]);
    pe.dispose();
  });
});

describe('SeqPE: qk_gate (attn_mul)', () => {
  it('multiplies q and k element-wise by per-layer gates, with cls_pos feeding the prefix gate', () => {
    const pe = make('qk_gate', {}, 2);
    const rng = new Rng(4);
    const rand = (shape: [number, number, number, number]) => tf.tensor(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()), shape) as tf.Tensor4D;
    tf.tidy(() => {
      const out = pe.apply(L2, { training: false });
      expect(out.inputAdd).toBeUndefined();
      expect(out.attnBias).toBeUndefined();
      const q = rand([2, 2, 7, DH]);
      const k = rand([2, 2, 7, DH]);
      // Gate input rows: [cls_pos; E] [7, outDim = 8].
      const rows = [...values(pe.params.get('cls_pos')!), ...values(out.vectors!.main)];
      const outs: tf.Tensor[] = [];
      for (const layer of [0, 2]) {
        const G = jsLinear(rows, 7, 8, values(pe.params.get(`pe_qk.${layer}.w`)!), values(pe.params.get(`pe_qk.${layer}.b`)!), 16);
        const [q2, k2] = out.qk!(layer, q, k);
        expect(q2.shape).toEqual([2, 2, 7, DH]);
        const qv = values(q);
        const kv = values(k);
        const q2v = values(q2);
        const k2v = values(k2);
        for (let b = 0; b < 2; b++) {
          for (let h = 0; h < 2; h++) {
            for (let t = 0; t < 7; t++) {
              for (let e = 0; e < DH; e++) {
                const i = ((b * 2 + h) * 7 + t) * DH + e;
                expect(Math.abs(q2v[i] - qv[i] * G[t * 16 + h * DH + e])).toBeLessThan(1e-5);
                expect(Math.abs(k2v[i] - kv[i] * G[t * 16 + 8 + h * DH + e])).toBeLessThan(1e-5);
              }
            }
          }
        }
        outs.push(q2);
      }
      expect(maxAbsDiff(outs[0], outs[1])).toBeGreaterThan(1e-3); // each layer has its own projection
      expect(() => out.qk!(0, rand([2, 2, 6, DH]), k)).toThrow(/q has shape \[2,2,6,4\], expected \[batch, 2, 7, 4\]/);
      expect(() => out.qk!(5, q, k)).toThrow(/layer 5 is out of range/);
    });
    pe.dispose();
  });

  it('needs cls_pos for a prefix', () => {
    const pe = make('qk_gate', { clsPos: false }, 2);
    expect(pe.params.has('cls_pos')).toBe(false);
    expect(() => tf.tidy(() => void pe.apply(L2, { training: false }))).toThrow(/1 prefix token\(s\) but this SeqPE was built with clsPos: false/);
    pe.dispose();
  });
});

describe('SeqPE: shared behaviour', () => {
  it('lists encoder variables then its own', () => {
    const counts: Record<SeqPEMode, number> = { input_add: 1, attn_bias: 2, qk_gate: 2 * 3 + 1 };
    for (const mode of Object.keys(counts) as SeqPEMode[]) {
      const pe = make(mode);
      expect(pe.variables.length).toBe(pe.encoder.variables.length + counts[mode]);
      expect(pe.variables.slice(0, pe.encoder.variables.length)).toEqual(pe.encoder.variables);
      pe.dispose();
    }
  });

  it('encodes extra positions in the same encoder pass, de-duplicated against the main ones', () => {
    const pe = make('attn_bias');
    const f0 = pe.encoder.stats.forwards;
    const p0 = pe.encoder.stats.positionsEncoded;
    const extra = [3, 12, 10, 500, 3];
    tf.tidy(() => {
      const out = pe.apply(L1, { training: true, extraPositions: extra });
      expect(pe.encoder.stats.forwards - f0).toBe(1);
      expect(pe.encoder.stats.positionsEncoded - p0).toBe(5 + 2); // 10..14 plus 3 and 500
      expect(out.vectors!.extra!.shape).toEqual([5, 8]);
      const direct = pe.encoder.encode(extra, { training: false }); // no dropout configured: training == eval
      expect(maxAbsDiff(out.vectors!.extra!, direct)).toBeLessThan(1e-6);
      expect(maxAbsDiff(out.vectors!.main, pe.encoder.encode(layoutPositions(L1), { training: false }))).toBeLessThan(1e-6);
      // Eval mode serves both from the cache.
      const ev = pe.apply(L1, { training: false, extraPositions: extra });
      expect(maxAbsDiff(ev.vectors!.extra!, direct)).toBeLessThan(1e-6);
    });
    pe.dispose();
  });

  it('eval reads the encoder cache (no re-encoding); training does not use it', () => {
    const pe = make('input_add');
    tf.tidy(() => void pe.apply(L1, { training: false }));
    const n = pe.encoder.stats.positionsEncoded;
    tf.tidy(() => void pe.apply({ kind: '1d', start: 11, length: 3 }, { training: false }));
    expect(pe.encoder.stats.positionsEncoded).toBe(n);
    tf.tidy(() => void pe.apply(L1, { training: true }));
    expect(pe.encoder.stats.positionsEncoded).toBe(n + 5);
    expect(() => pe.apply(L1, { training: true, cache: true })).toThrow(/cache cannot be used in training/);
    pe.dispose();
  });

  it('rejects a layout of the wrong dimensionality', () => {
    const pe = make('attn_bias');
    expect(() => pe.apply(L2, { training: false })).toThrow(/1-D and needs a '1d' layout, got '2d'/);
    expect(() => make('attn_bias', { encoder: { dims: 3 } })).toThrow(/dims must be 1 or 2, got 3/);
    expect(() => new SeqPE({ dModel: 10, heads: 4, layers: 1 }, { mode: 'attn_bias', seed: 0 })).toThrow(/width 10 is not divisible by 4 heads/);
    expect(() => make('rope' as SeqPEMode)).toThrow(/mode must be one of input_add, attn_bias, qk_gate/);
    pe.dispose();
  });

  it('save → load into a differently seeded SeqPE reproduces every mode exactly; mismatches fail clearly', () => {
    const q = tf.tensor4d(Array.from({ length: 2 * 2 * 7 * DH }, (_, i) => Math.cos(i)), [2, 2, 7, DH]);
    for (const mode of ['input_add', 'attn_bias', 'qk_gate'] as const) {
      const dir = path.join(root, mode);
      const a = make(mode, {}, 2, 1);
      const b = make(mode, {}, 2, 2);
      const outputs = (pe: SeqPE) =>
        tf.tidy(() => {
          const o = pe.apply(L2, { training: false });
          if (mode === 'input_add') return values(o.inputAdd!);
          if (mode === 'attn_bias') return values(o.attnBias!(0));
          return [...values(o.qk!(0, q, q)[0]), ...values(o.qk!(2, q, q)[1])];
        });
      const ya = outputs(a);
      expect(outputs(b)).not.toEqual(ya);
      saveWeightsOf(a, dir);
      loadWeightsOf(b, dir);
      expect(outputs(b)).toEqual(ya);
      a.dispose();
      b.dispose();
    }
    const gate = make('qk_gate', {}, 2);
    expect(() => loadWeightsOf(gate, path.join(root, 'attn_bias'))).toThrow(/missing "pe_qk.0.w".*unexpected "pe_qk.w"/);
    const wide = new SeqPE({ dModel: 16, heads: 2, layers: 3 }, { mode: 'attn_bias', seed: 1, encoder: { width: 16, heads: 2, dims: 2 } });
    expect(() => loadWeightsOf(wide, path.join(root, 'attn_bias'))).toThrow(/shape mismatch for "encoder.out_proj.w": got \[16,8\], expected \[16,16\]/);
    gate.dispose();
    wide.dispose();
    q.dispose();
  });

  it('leaks no tensors across repeated apply calls (training and eval, every mode)', () => {
    const models = (['input_add', 'attn_bias', 'qk_gate'] as const).map((m) => make(m, { encoder: { residDropout: 0.1 } }, 2));
    const q = tf.zeros([1, 2, 7, DH]) as tf.Tensor4D;
    const once = () => {
      for (const pe of models) {
        for (const training of [true, false]) {
          tf.tidy(() => {
            const o = pe.apply(L2, { training, extraPositions: [[1, 1], [50, 50]] });
            o.attnBias?.(0);
            o.qk?.(1, q, q);
          });
        }
        const { value, grads } = tf.variableGrads(
          () => tf.tidy(() => pe.apply(L2, { training: true }).vectors!.main.square().sum() as tf.Scalar),
          pe.encoder.variables,
        );
        tf.dispose([value, ...Object.values(grads)]);
      }
    };
    once();
    const n0 = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) once();
    expect(tf.memory().numTensors).toBe(n0);
    models.forEach((m) => m.dispose());
    q.dispose();
    // Construction keeps exactly one tensor per variable, and dispose() frees them all.
    const n1 = tf.memory().numTensors;
    const pe = make('qk_gate', {}, 2);
    expect(tf.memory().numTensors).toBe(n1 + pe.variables.length);
    pe.dispose();
    expect(tf.memory().numTensors).toBe(n1);
  });
});
