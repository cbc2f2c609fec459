import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend';
import { Rng } from '../../src/util/rng';
import { ModelDims, PositionEncoding, PositionLayout } from '../../src/encodings/types';
import { RoPE } from '../../src/encodings/rope';
import { RoPE2D } from '../../src/encodings/rope2d';
import { RoPEMixed } from '../../src/encodings/rope-mixed';
import { ALiBi, alibiSlopes } from '../../src/encodings/alibi';
import { Sinusoidal } from '../../src/encodings/sinusoidal';
import { NoPE } from '../../src/encodings/none';
import { LearnedAPE } from '../../src/encodings/learned';
import { resizeBicubic2d } from '../../src/encodings/interpolate';

beforeAll(async () => {
  await initBackend();
});

const EVAL = { training: false };
const DIMS: ModelDims = { dModel: 16, heads: 2, layers: 2 }; // d_h = 8

const randVec = (rng: Rng, n: number) => Array.from({ length: n }, () => rng.normal());
const dot = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i], 0);

/** [1, H, T, d_h] tensor whose token t of head h is vecs[h][t]. */
function qkTensor(vecs: number[][][]): tf.Tensor4D {
  return tf.tensor4d(vecs.flat(2), [1, vecs.length, vecs[0].length, vecs[0][0].length]);
}

/** Back to nested arrays [H][T][d_h] (batch 0). */
function unpack(x: tf.Tensor): number[][][] {
  const [, H, T, d] = x.shape;
  const v = Array.from(x.dataSync());
  return Array.from({ length: H }, (_, h) => Array.from({ length: T }, (_, t) => v.slice((h * T + t) * d, (h * T + t + 1) * d)));
}

/** Independent reference: rotate interleaved pairs of x by the given pair angles, in float64. */
function rotateRef(x: number[], angles: number[]): number[] {
  const y = x.slice();
  angles.forEach((a, k) => {
    const [u, v] = [x[2 * k], x[2 * k + 1]];
    y[2 * k] = u * Math.cos(a) - v * Math.sin(a);
    y[2 * k + 1] = v * Math.cos(a) + u * Math.sin(a);
  });
  return y;
}

/** Applies an encoding's qk transform for one layer to per-head, per-token vectors; returns rotated q and k. */
function runQk(enc: PositionEncoding, layout: PositionLayout, q: number[][][], k: number[][][], layer = 0) {
  return tf.tidy(() => {
    const out = enc.apply(layout, EVAL);
    const [rq, rk] = out.qk!(layer, qkTensor(q), qkTensor(k));
    return { q: unpack(rq), k: unpack(rk) };
  });
}

/** Same vector at every token: q[h][t] = v[h]. */
const repeatTokens = (v: number[][], T: number) => v.map((vh) => Array.from({ length: T }, () => vh));

describe('RoPE (1-D)', () => {
  const rope = new RoPE(DIMS);
  const dh = 8;
  const freqs = [0, 1, 2, 3].map((k) => Math.pow(10000, (-2 * k) / dh));

  it('matches an independent per-pair rotation, including far positions', () => {
    const rng = new Rng(11);
    const T = 5;
    const q = [0, 1].map(() => Array.from({ length: T }, () => randVec(rng, dh)));
    const start = 5000;
    const { q: rq } = runQk(rope, { kind: '1d', start, length: T }, q, q);
    for (let h = 0; h < 2; h++) {
      for (let t = 0; t < T; t++) {
        const want = rotateRef(q[h][t], freqs.map((f) => (start + t) * f));
        rq[h][t].forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThan(1e-5));
      }
    }
  });

  it('(R_m q)·(R_n k) depends only on m − n (and differs between offsets), over random draws', () => {
    const rng = new Rng(12);
    const T = 10;
    for (let draw = 0; draw < 30; draw++) {
      const q = repeatTokens([randVec(rng, dh), randVec(rng, dh)], T);
      const k = repeatTokens([randVec(rng, dh), randVec(rng, dh)], T);
      const start = draw * 37; // the absolute position must not matter either
      const { q: rq, k: rk } = runQk(rope, { kind: '1d', start, length: T }, q, k);
      for (let h = 0; h < 2; h++) {
        const byOffset = new Map<number, number[]>();
        for (let m = 0; m < T; m++) {
          for (let n = 0; n < T; n++) {
            const s = dot(rq[h][m], rk[h][n]);
            const list = byOffset.get(m - n) ?? [];
            list.push(s);
            byOffset.set(m - n, list);
          }
        }
        const firsts: number[] = [];
        for (const list of byOffset.values()) {
          list.forEach((s) => expect(Math.abs(s - list[0])).toBeLessThan(1e-4));
          firsts.push(list[0]);
        }
        // the score is a genuine function of the offset: not constant over offsets −9..9
        expect(Math.max(...firsts) - Math.min(...firsts)).toBeGreaterThan(1e-2);
        // offset 0 has no rotation at all: plain q·k
        expect(Math.abs(byOffset.get(0)![0] - dot(q[h][0], k[h][0]))).toBeLessThan(1e-4);
      }
    }
  });

  it('preserves norms, is the identity at position 0 and leaves prefix tokens untouched', () => {
    const rng = new Rng(13);
    const T = 6;
    const q = [0, 1].map(() => Array.from({ length: T + 1 }, () => randVec(rng, dh)));
    const { q: r0 } = runQk(rope, { kind: '1d', start: 0, length: T + 1 }, q, q);
    const norm = (v: number[]) => Math.sqrt(dot(v, v));
    for (let h = 0; h < 2; h++) {
      r0[h][0].forEach((v, i) => expect(v).toBeCloseTo(q[h][0][i], 6));
      for (let t = 1; t <= T; t++) {
        expect(Math.abs(norm(r0[h][t]) - norm(q[h][t]))).toBeLessThan(1e-5);
        expect(Math.abs(r0[h][t][0] - q[h][t][0])).toBeGreaterThan(0); // really rotated
      }
    }
    const { q: rp } = runQk(rope, { kind: '1d', start: 3, length: T, prefix: 1 }, q, q);
    for (let h = 0; h < 2; h++) {
      expect(rp[h][0]).toEqual(q[h][0].map(Math.fround));
      const want = rotateRef(q[h][1], freqs.map((f) => 3 * f)); // first positioned token sits at t = 3
      rp[h][1].forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThan(1e-5));
    }
  });

  it('passes gradients through to q and k (rotation is orthogonal: d Σ(R q ⊙ g)/dq = Rᵀ g)', () => {
    const rng = new Rng(14);
    const g = randVec(rng, dh);
    const T = 3;
    const grad = tf.tidy(() => {
      const out = rope.apply({ kind: '1d', start: 2, length: T }, { training: true });
      const gT = tf.tensor1d(g);
      const f = (q: tf.Tensor) => out.qk!(0, q as tf.Tensor4D, q as tf.Tensor4D)[0].mul(gT).sum();
      return unpack(tf.grad(f)(tf.zeros([1, 2, T, dh])));
    });
    // Rᵀ g = rotation by −θ
    for (let t = 0; t < T; t++) {
      const want = rotateRef(g, freqs.map((f) => -(2 + t) * f));
      grad[1][t].forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThan(1e-5));
    }
  });

  it('rejects a 2-D layout, an odd head dim, wrong q/k shapes and bad layers', () => {
    expect(() => rope.apply({ kind: '2d', start: [0, 0], rows: 2, cols: 2 }, EVAL)).toThrow(/rope: needs a 1-D layout.*2×2/);
    expect(() => new RoPE({ dModel: 6, heads: 2, layers: 1 })).toThrow(/head dim 3 .*multiple of 2/);
    expect(() => new RoPE({ dModel: 10, heads: 3, layers: 1 })).toThrow(/dModel 10 is not divisible by heads 3/);
    expect(() => new RoPE(DIMS, { base: 1 })).toThrow(/base must be .* > 1, got 1/);
    expect(() => rope.apply({ kind: '1d', start: -1, length: 3 }, EVAL)).toThrow(/start must be a non-negative integer, got -1/);
    tf.tidy(() => {
      const out = rope.apply({ kind: '1d', start: 0, length: 4 }, EVAL);
      const good = tf.zeros([1, 2, 4, 8]) as tf.Tensor4D;
      expect(() => out.qk!(0, tf.zeros([1, 2, 5, 8]) as tf.Tensor4D, good)).toThrow(/q has shape \[1,2,5,8\], expected \[batch, 2, 4, 8\]/);
      expect(() => out.qk!(2, good, good)).toThrow(/layer 2 is out of range.*\[0, 2\)/);
    });
  });
});

describe('RoPE-2D (axial)', () => {
  const rope = new RoPE2D(DIMS); // base 100, d_h 8 → f = [1, 100^{-1/2}] = [1, 0.1]
  const dh = 8;

  it('rotates the first d_h/4 pairs by w·f and the last d_h/4 by h·f (hand frequencies 1 and 0.1), CLS untouched', () => {
    const rng = new Rng(21);
    const layout: PositionLayout = { kind: '2d', start: [2, 5], rows: 2, cols: 3, prefix: 1 };
    const q = [0, 1].map(() => Array.from({ length: 7 }, () => randVec(rng, dh)));
    const { q: rq } = runQk(rope, layout, q, q);
    for (let h = 0; h < 2; h++) {
      expect(rq[h][0]).toEqual(q[h][0].map(Math.fround));
      for (let t = 0; t < 6; t++) {
        const row = 2 + Math.floor(t / 3);
        const col = 5 + (t % 3);
        const want = rotateRef(q[h][t + 1], [col * 1, col * 0.1, row * 1, row * 0.1]);
        rq[h][t + 1].forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThan(1e-5));
      }
    }
  });

  it('q·k depends only on the 2-D offset (Δrow, Δcol), and distinguishes (0,1) from (1,0)', () => {
    const rng = new Rng(22);
    const [R, C] = [3, 4];
    for (let draw = 0; draw < 15; draw++) {
      const q = repeatTokens([randVec(rng, dh), randVec(rng, dh)], R * C);
      const k = repeatTokens([randVec(rng, dh), randVec(rng, dh)], R * C);
      const layout: PositionLayout = { kind: '2d', start: [draw % 3, 2 * draw], rows: R, cols: C };
      const { q: rq, k: rk } = runQk(rope, layout, q, k);
      for (let h = 0; h < 2; h++) {
        const byOffset = new Map<string, number>();
        for (let a = 0; a < R * C; a++) {
          for (let b = 0; b < R * C; b++) {
            const key = `${Math.floor(a / C) - Math.floor(b / C)},${(a % C) - (b % C)}`;
            const s = dot(rq[h][a], rk[h][b]);
            if (byOffset.has(key)) expect(Math.abs(s - byOffset.get(key)!)).toBeLessThan(1e-4);
            else byOffset.set(key, s);
          }
        }
        expect(Math.abs(byOffset.get('0,1')! - byOffset.get('1,0')!)).toBeGreaterThan(1e-4);
      }
    }
  });

  it('rejects a 1-D layout and a head dim that is not a multiple of 4', () => {
    expect(() => rope.apply({ kind: '1d', start: 0, length: 4 }, EVAL)).toThrow(/rope2d: needs a 2-D layout/);
    expect(() => new RoPE2D({ dModel: 12, heads: 2, layers: 1 })).toThrow(/head dim 6 .*multiple of 4/);
  });
});

describe('RoPE-Mixed', () => {
  const dh = 8;

  it('initialises per the RoPE-Mixed recipe: |(f_x,k, f_y,k)| = θ^{−4k/d_h}, second half turned by π/2, one angle per head', () => {
    const enc = new RoPEMixed(DIMS, {}, 5); // θ = 10: magnitudes 1 and 10^{-1/2}
    const mags = [1, Math.pow(10, -0.5)];
    for (const v of enc.variables) {
      expect(v.shape).toEqual([2, 2, 4]);
      const f = Array.from(v.dataSync()); // [2 (x,y), H, d_h/2]
      const angles: number[] = [];
      for (let h = 0; h < 2; h++) {
        const fx = f.slice(h * 4, h * 4 + 4);
        const fy = f.slice(8 + h * 4, 8 + h * 4 + 4);
        for (let k = 0; k < 2; k++) {
          expect(Math.hypot(fx[k], fy[k])).toBeCloseTo(mags[k], 6);
          // cos(a + π/2) = −sin a, sin(a + π/2) = cos a
          expect(fx[2 + k]).toBeCloseTo(-fy[k], 6);
          expect(fy[2 + k]).toBeCloseTo(fx[k], 6);
        }
        const a0 = Math.atan2(fy[0], fx[0]);
        expect(Math.atan2(fy[1], fx[1])).toBeCloseTo(a0, 5);
        angles.push(a0);
      }
      expect(Math.abs(angles[0] - angles[1])).toBeGreaterThan(1e-6); // heads get their own angles
    }
    enc.dispose();
  });

  it('same seed → same frequencies; another seed → different', () => {
    const a = new RoPEMixed(DIMS, {}, 9);
    const b = new RoPEMixed(DIMS, {}, new Rng(9));
    const c = new RoPEMixed(DIMS, {}, 10);
    expect(Array.from(a.variables[1].dataSync())).toEqual(Array.from(b.variables[1].dataSync()));
    expect(Array.from(a.variables[1].dataSync())).not.toEqual(Array.from(c.variables[1].dataSync()));
    [a, b, c].forEach((e) => e.dispose());
  });

  it('with every angle a = 0 it is exactly axial RoPE-2D with base θ', () => {
    const enc = new RoPEMixed(DIMS, { theta: 100 }, 1);
    const mags = [1, 0.1];
    const zeroAngle = [mags[0], mags[1], 0, 0, mags[0], mags[1], 0, 0, /* f_y */ 0, 0, mags[0], mags[1], 0, 0, mags[0], mags[1]];
    enc.variables[1].assign(tf.tensor3d(zeroAngle, [2, 2, 4]));
    const axial = new RoPE2D(DIMS, { base: 100 });
    const rng = new Rng(31);
    const layout: PositionLayout = { kind: '2d', start: [1, 2], rows: 3, cols: 2, prefix: 1 };
    const q = [0, 1].map(() => Array.from({ length: 7 }, () => randVec(rng, dh)));
    const a = runQk(enc, layout, q, q, 1).q;
    const b = runQk(axial, layout, q, q).q;
    a.flat(2).forEach((v, i) => expect(Math.abs(v - b.flat(2)[i])).toBeLessThan(1e-5));
    enc.dispose();
  });

  it('has the 2-D relative property per head with its random (mixed) frequencies', () => {
    const enc = new RoPEMixed(DIMS, {}, 2);
    const rng = new Rng(32);
    const [R, C] = [3, 3];
    for (let draw = 0; draw < 10; draw++) {
      const q = repeatTokens([randVec(rng, dh), randVec(rng, dh)], R * C);
      const k = repeatTokens([randVec(rng, dh), randVec(rng, dh)], R * C);
      const { q: rq, k: rk } = runQk(enc, { kind: '2d', start: [draw, 1], rows: R, cols: C }, q, k, draw % 2);
      for (let h = 0; h < 2; h++) {
        const byOffset = new Map<string, number>();
        for (let a = 0; a < R * C; a++) {
          for (let b = 0; b < R * C; b++) {
            const key = `${Math.floor(a / C) - Math.floor(b / C)},${(a % C) - (b % C)}`;
            const s = dot(rq[h][a], rk[h][b]);
            if (byOffset.has(key)) expect(Math.abs(s - byOffset.get(key)!)).toBeLessThan(1e-4);
            else byOffset.set(key, s);
          }
        }
        expect(Math.abs(byOffset.get('0,1')! - byOffset.get('1,0')!)).toBeGreaterThan(1e-4);
      }
    }
    enc.dispose();
  });

  it('trains: the gradient w.r.t. the frequencies is nonzero and matches central finite differences', () => {
    const enc = new RoPEMixed(DIMS, {}, 3);
    const rng = new Rng(33);
    const layout: PositionLayout = { kind: '2d', start: [0, 0], rows: 2, cols: 3, prefix: 1 };
    const T = 7;
    const qv = tf.tensor4d(randVec(rng, 2 * T * dh), [1, 2, T, dh]);
    const kv = tf.tensor4d(randVec(rng, 2 * T * dh), [1, 2, T, dh]);
    const w = tf.tensor4d(randVec(rng, 2 * T * T), [1, 2, T, T]);
    const layer = 1;
    const loss = () =>
      tf.tidy(() => {
        const out = enc.apply(layout, { training: true });
        const [q, k] = out.qk!(layer, qv, kv);
        return tf.matMul(q, k, false, true).mul(w).sum() as tf.Scalar; // Σ w ⊙ (q kᵀ)
      });
    const { grads } = tf.variableGrads(loss, [enc.variables[layer]]);
    const g = Array.from(grads[enc.variables[layer].name].dataSync());
    tf.dispose(grads);
    expect(Math.max(...g.map(Math.abs))).toBeGreaterThan(1e-2);
    const v = enc.variables[layer];
    const base = Array.from(v.dataSync());
    const eps = 1e-2;
    for (const idx of [0, 1, 3, 5, 8, 10, 15]) {
      const at = (delta: number) => {
        const p = base.slice();
        p[idx] += delta;
        v.assign(tf.tensor3d(p, [2, 2, 4]));
        const l = loss();
        const val = l.dataSync()[0];
        l.dispose();
        return val;
      };
      const fd = (at(eps) - at(-eps)) / (2 * eps);
      expect(Math.abs(fd - g[idx])).toBeLessThan(2e-2 * Math.max(1, Math.abs(g[idx])));
    }
    [qv, kv, w].forEach((t) => t.dispose());
    enc.dispose();
  });

  it('rejects 1-D layouts and head dims not divisible by 4', () => {
    const enc = new RoPEMixed(DIMS, {}, 0);
    expect(() => enc.apply({ kind: '1d', start: 0, length: 3 }, EVAL)).toThrow(/rope-mixed: needs a 2-D layout/);
    expect(() => new RoPEMixed({ dModel: 4, heads: 2, layers: 1 }, {}, 0)).toThrow(/head dim 2 .*multiple of 4/);
    enc.dispose();
  });
});

describe('ALiBi', () => {
  it('slopes for 8 heads are 1/2, 1/4, …, 1/256', () => {
    expect(alibiSlopes(8)).toEqual([1 / 2, 1 / 4, 1 / 8, 1 / 16, 1 / 32, 1 / 64, 1 / 128, 1 / 256].map((v) => expect.closeTo(v, 12)));
  });

  it('slopes for 12 heads: the 8 of n = 8, then 2^-0.5, 2^-1.5, 2^-2.5, 2^-3.5 (every other slope of n = 16)', () => {
    const want = [1 / 2, 1 / 4, 1 / 8, 1 / 16, 1 / 32, 1 / 64, 1 / 128, 1 / 256, 2 ** -0.5, 2 ** -1.5, 2 ** -2.5, 2 ** -3.5];
    expect(alibiSlopes(12)).toEqual(want.map((v) => expect.closeTo(v, 12)));
    // 6 heads: the 4 of n = 4 (2^-2, 2^-4, 2^-6, 2^-8), then 2^-1, 2^-3 from n = 8
    expect(alibiSlopes(6)).toEqual([2 ** -2, 2 ** -4, 2 ** -6, 2 ** -8, 2 ** -1, 2 ** -3].map((v) => expect.closeTo(v, 12)));
    expect(alibiSlopes(1)).toEqual([expect.closeTo(2 ** -8, 12)]);
    expect(() => alibiSlopes(0)).toThrow(/positive integer, got 0/);
  });

  it('bias on a tiny layout: m_h·j for key j (counted from the window start), prefix keys 0, every row alike', () => {
    const alibi = new ALiBi({ dModel: 8, heads: 2, layers: 3 }); // slopes 2^-4, 2^-8
    const got = tf.tidy(() => {
      const out = alibi.apply({ kind: '1d', start: 100, length: 3, prefix: 1 }, EVAL);
      const b = out.attnBias!(2);
      expect(b.shape).toEqual([2, 4, 4]);
      expect(out.attnBias!(0)).toBe(b); // shared by all layers
      return Array.from(b.dataSync());
    });
    const m = [1 / 16, 1 / 256];
    const want: number[] = [];
    for (let h = 0; h < 2; h++) for (let i = 0; i < 4; i++) want.push(0, 0, m[h], 2 * m[h]);
    expect(got).toEqual(want.map((v) => expect.closeTo(v, 7)));
  });

  it('under a causal mask it gives the textbook penalty −m(i − j), after the 1/√d_h scaling m/√d_h', () => {
    const alibi = new ALiBi({ dModel: 128, heads: 2, layers: 1 }); // d_h = 64 → effective slope m/8
    const T = 5;
    const probs = tf.tidy(() => {
      const b = alibi.apply({ kind: '1d', start: 0, length: T }, EVAL).attnBias!(0);
      const mask = tf.linalg.bandPart(tf.ones([T, T]), -1, 0).sub(1).mul(1e9); // 0 on/below diagonal, −1e9 above
      return Array.from(tf.softmax(b.div(8).add(mask), -1).dataSync());
    });
    const m = alibiSlopes(2);
    for (let h = 0; h < 2; h++) {
      for (let i = 0; i < T; i++) {
        const logits = Array.from({ length: i + 1 }, (_, j) => (-m[h] * (i - j)) / 8);
        const z = logits.reduce((s, l) => s + Math.exp(l), 0);
        for (let j = 0; j <= i; j++) expect(probs[(h * T + i) * T + j]).toBeCloseTo(Math.exp(logits[j]) / z, 5);
      }
    }
  });

  it('rejects 2-D layouts and bad layers', () => {
    const alibi = new ALiBi(DIMS);
    expect(() => alibi.apply({ kind: '2d', start: [0, 0], rows: 2, cols: 2 }, EVAL)).toThrow(/alibi: needs a 1-D layout/);
    tf.tidy(() => {
      const out = alibi.apply({ kind: '1d', start: 0, length: 2 }, EVAL);
      expect(() => out.attnBias!(-1)).toThrow(/layer -1 is out of range/);
    });
  });
});

describe('sinusoidal', () => {
  const enc = new Sinusoidal({ dModel: 6, heads: 2, layers: 1 });
  const table = (layout: PositionLayout) => tf.tidy(() => {
    const t = enc.apply(layout, EVAL).inputAdd!;
    return Array.from({ length: t.shape[0] }, (_, i) => Array.from(t.dataSync().slice(i * 6, i * 6 + 6)));
  });
  // d = 6, base 10000: frequencies 1, 10000^{-1/3} ≈ 0.0464159, 10000^{-2/3} ≈ 0.00215443
  const T1 = [0.8414709848, 0.5403023059, 0.0463992235, 0.998922976, 0.002154433, 0.9999976792];
  const T2_0 = [0.9092974268, -0.4161468365]; // sin 2, cos 2

  it('t = 0 is [0, 1, 0, 1, 0, 1]; t = 1 and t = 2 match values worked out by hand', () => {
    const rows = table({ kind: '1d', start: 0, length: 3 });
    rows[0].forEach((v, j) => expect(v).toBe(j % 2 === 0 ? 0 : 1));
    rows[1].forEach((v, j) => expect(v).toBeCloseTo(T1[j], 6));
    expect(rows[2][0]).toBeCloseTo(T2_0[0], 6);
    expect(rows[2][1]).toBeCloseTo(T2_0[1], 6);
  });

  it('1-D: start offsets shift t; prefix tokens get a zero row', () => {
    const rows = table({ kind: '1d', start: 1, length: 2, prefix: 1 });
    expect(rows.length).toBe(3);
    expect(rows[0]).toEqual([0, 0, 0, 0, 0, 0]);
    rows[1].forEach((v, j) => expect(v).toBeCloseTo(T1[j], 6));
    expect(rows[2][0]).toBeCloseTo(T2_0[0], 6);
  });

  it('2-D: flattened indices, CLS at t = 0 and patches at 1..N; non-zero starts rejected', () => {
    const rows = table({ kind: '2d', start: [0, 0], rows: 1, cols: 2, prefix: 1 });
    expect(rows.length).toBe(3);
    rows[0].forEach((v, j) => expect(v).toBe(j % 2 === 0 ? 0 : 1));
    rows[1].forEach((v, j) => expect(v).toBeCloseTo(T1[j], 6));
    expect(rows[2][1]).toBeCloseTo(T2_0[1], 6);
    expect(() => enc.apply({ kind: '2d', start: [1, 0], rows: 2, cols: 2 }, EVAL)).toThrow(/must start at \[0, 0\].*\[1,0\]/);
  });
});

describe('learned APE', () => {
  const D: ModelDims = { dModel: 4, heads: 2, layers: 1 };
  const rowsOf = (t: tf.Tensor) => {
    const d = t.shape[1]!;
    const v = Array.from(t.dataSync());
    return Array.from({ length: t.shape[0] }, (_, i) => v.slice(i * d, i * d + d));
  };

  it('at the train length returns the table itself; windows inside the table are slices', () => {
    const ape = new LearnedAPE(D, { kind: '1d', trainLength: 6 }, 1);
    const tbl = rowsOf(ape.table);
    expect(tf.tidy(() => rowsOf(ape.apply({ kind: '1d', start: 0, length: 6 }, EVAL).inputAdd!))).toEqual(tbl);
    expect(tf.tidy(() => rowsOf(ape.apply({ kind: '1d', start: 2, length: 3 }, EVAL).inputAdd!))).toEqual(tbl.slice(2, 5));
    ape.dispose();
  });

  it('same seed → same init; N(0, 0.02) for 1-D, truncated at ±2σ for 2-D', () => {
    const a = new LearnedAPE({ dModel: 64, heads: 1, layers: 1 }, { kind: '1d', trainLength: 100 }, 7);
    const b = new LearnedAPE({ dModel: 64, heads: 1, layers: 1 }, { kind: '1d', trainLength: 100 }, new Rng(7));
    const c = new LearnedAPE({ dModel: 64, heads: 1, layers: 1 }, { kind: '1d', trainLength: 100 }, 8);
    const va = Array.from(a.table.dataSync());
    expect(Array.from(b.table.dataSync())).toEqual(va);
    expect(Array.from(c.table.dataSync())).not.toEqual(va);
    const mean = va.reduce((s, v) => s + v, 0) / va.length;
    const sd = Math.sqrt(va.reduce((s, v) => s + (v - mean) ** 2, 0) / va.length);
    expect(Math.abs(mean)).toBeLessThan(0.002); // 6400 draws: se 0.02/80 = 0.00025
    expect(Math.abs(sd - 0.02)).toBeLessThan(0.001);
    expect(Math.max(...va.map(Math.abs))).toBeGreaterThan(0.04); // untruncated tails exist
    const v2 = new LearnedAPE({ dModel: 64, heads: 1, layers: 1 }, { kind: '2d', trainRows: 10, trainCols: 10, prefix: 1 }, 7);
    expect(v2.table.shape).toEqual([101, 64]);
    expect(Math.max(...Array.from(v2.table.dataSync()).map(Math.abs))).toBeLessThanOrEqual(0.04 + 1e-7);
    [a, b, c, v2].forEach((e) => e.dispose());
  });

  it('1-D longer than the table: linear interpolation of the trained rows (2 → 4 by hand)', () => {
    const ape = new LearnedAPE(D, { kind: '1d', trainLength: 2 }, 2);
    const [x0, x1] = rowsOf(ape.table);
    const got = tf.tidy(() => rowsOf(ape.apply({ kind: '1d', start: 0, length: 4 }, EVAL).inputAdd!));
    const want = [x0, x0.map((v, j) => 0.75 * v + 0.25 * x1[j]), x0.map((v, j) => 0.25 * v + 0.75 * x1[j]), x1];
    got.flat().forEach((v, i) => expect(Math.abs(v - want.flat()[i])).toBeLessThan(1e-7));
    expect(() => ape.apply({ kind: '1d', start: 1, length: 2 }, EVAL)).toThrow(/window \[1, 3\) reaches past the 2 learned positions/);
    ape.dispose();
  });

  it('2-D: CLS row kept, grid bicubically resampled to a new size, sub-grids sliced, out-of-grid starts rejected', () => {
    const ape = new LearnedAPE(D, { kind: '2d', trainRows: 3, trainCols: 3, prefix: 1 }, 3);
    const tbl = rowsOf(ape.table);
    const same = tf.tidy(() => rowsOf(ape.apply({ kind: '2d', start: [0, 0], rows: 3, cols: 3, prefix: 1 }, EVAL).inputAdd!));
    expect(same).toEqual(tbl);
    const big = tf.tidy(() => rowsOf(ape.apply({ kind: '2d', start: [0, 0], rows: 5, cols: 4, prefix: 1 }, EVAL).inputAdd!));
    expect(big.length).toBe(21);
    expect(big[0]).toEqual(tbl[0]);
    const ref = tf.tidy(() => rowsOf(resizeBicubic2d(tf.tensor3d(tbl.slice(1).flat(), [3, 3, 4]), 5, 4).reshape([20, 4])));
    big.slice(1).flat().forEach((v, i) => expect(Math.abs(v - ref.flat()[i])).toBeLessThan(1e-6));
    const sub = tf.tidy(() => rowsOf(ape.apply({ kind: '2d', start: [1, 1], rows: 2, cols: 2, prefix: 1 }, EVAL).inputAdd!));
    // grid rows 1..2, cols 1..2 → flat indices 4, 5, 7, 8 → table rows 5, 6, 8, 9
    expect(sub).toEqual([tbl[0], tbl[5], tbl[6], tbl[8], tbl[9]]);
    expect(() => ape.apply({ kind: '2d', start: [1, 0], rows: 3, cols: 3, prefix: 1 }, EVAL)).toThrow(/does not fit in the learned 3×3 grid/);
    expect(() => ape.apply({ kind: '2d', start: [0, 0], rows: 3, cols: 3 }, EVAL)).toThrow(/prefix 0 but the table was built with prefix 1/);
    expect(() => ape.apply({ kind: '1d', start: 0, length: 3 }, EVAL)).toThrow(/ape: needs a 2-D layout/);
    ape.dispose();
  });

  it('trains: the gradient reaches exactly the table rows used (interpolated rows spread it by their weights)', () => {
    const ape = new LearnedAPE(D, { kind: '1d', trainLength: 3, prefix: 1 }, 4);
    const g = tf.tidy(() => {
      const { grads } = tf.variableGrads(() => ape.apply({ kind: '1d', start: 0, length: 5, prefix: 1 }, { training: true }).inputAdd!.sum() as tf.Scalar, [ape.table]);
      return rowsOf(grads[ape.table.name]).map((r) => r[0]);
    });
    // prefix row 1; 3 → 5 linear weights per source row: 1.6, 1.8, 1.6 (see interpolate tests)
    [1, 1.6, 1.8, 1.6].forEach((v, i) => expect(g[i]).toBeCloseTo(v, 5));
    ape.dispose();
  });

  it('rejects bad configs clearly', () => {
    expect(() => new LearnedAPE(D, { kind: '1d', trainLength: 0 }, 1)).toThrow(/trainLength must be a positive integer, got 0/);
    expect(() => new LearnedAPE(D, { kind: '2d', trainRows: 2, trainCols: 1.5 }, 1)).toThrow(/trainCols .* got 1.5/);
    expect(() => new LearnedAPE(D, { kind: '1d', trainLength: 4, std: -1 }, 1)).toThrow(/std must be .* got -1/);
  });
});

describe('every baseline behind the one interface', () => {
  const oneD: PositionLayout = { kind: '1d', start: 3, length: 5 };
  const twoD: PositionLayout = { kind: '2d', start: [0, 0], rows: 3, cols: 3, prefix: 1 };

  function consume(enc: PositionEncoding, layout: PositionLayout): void {
    tf.tidy(() => {
      const out = enc.apply(layout, { training: false });
      const n = (layout.prefix ?? 0) + (layout.kind === '1d' ? layout.length : layout.rows * layout.cols);
      if (out.inputAdd) expect(out.inputAdd.shape).toEqual([n, DIMS.dModel]);
      for (let l = 0; l < DIMS.layers; l++) {
        if (out.attnBias) expect(out.attnBias(l).shape).toEqual([DIMS.heads, n, n]);
        if (out.qk) {
          const x = tf.ones([2, DIMS.heads, n, 8]) as tf.Tensor4D;
          const [q, k] = out.qk(l, x, x);
          expect(q.shape).toEqual(x.shape);
          expect(k.shape).toEqual(x.shape);
        }
      }
    });
  }

  it('names, dims and no tensor leaks over repeated apply calls', () => {
    const encs: [PositionEncoding, PositionLayout, string, 1 | 2 | 'any'][] = [
      [new RoPE(DIMS), oneD, 'rope', 1],
      [new RoPE2D(DIMS), twoD, 'rope2d', 2],
      [new RoPEMixed(DIMS, {}, 1), twoD, 'rope-mixed', 2],
      [new ALiBi(DIMS), oneD, 'alibi', 1],
      [new Sinusoidal(DIMS), twoD, 'sinusoidal', 'any'],
      [new Sinusoidal(DIMS), oneD, 'sinusoidal', 'any'],
      [new NoPE(DIMS), oneD, 'none', 'any'],
      [new LearnedAPE(DIMS, { kind: '1d', trainLength: 4 }, 1), oneD, 'ape', 1], // 3..7 > 4 → error path below
      [new LearnedAPE(DIMS, { kind: '2d', trainRows: 2, trainCols: 2, prefix: 1 }, 1), twoD, 'ape', 2], // resampled
    ];
    for (const [enc, layout, name, dims] of encs) {
      expect(enc.name).toBe(name);
      expect(enc.dims).toBe(dims);
      const lay: PositionLayout = enc instanceof LearnedAPE && layout.kind === '1d' ? { kind: '1d', start: 0, length: 7 } : layout;
      consume(enc, lay); // warm-up (first calls may allocate backend state)
      const before = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) consume(enc, lay);
      expect(tf.memory().numTensors).toBe(before);
    }
    expect(new NoPE(DIMS).apply(oneD, EVAL)).toEqual({});
    const before = tf.memory().numTensors;
    for (const [enc] of encs) enc.dispose();
    // learned tables (2) and RoPE-Mixed's per-layer frequencies (2) are freed
    expect(tf.memory().numTensors).toBe(before - 4);
  });
});
