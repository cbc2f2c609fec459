import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend';
import { contrastiveLoss, distillationLoss, lossWeight, stopGradient, warmupFactor } from '../../src/losses';
import { Rng } from '../../src/util/rng';

beforeAll(async () => {
  await initBackend();
});

// ---------- float64 JS references (an independent route: no tfjs) ----------

type M = number[][]; // [rows][cols]

function logSoftmaxRow(r: number[]): number[] {
  const m = Math.max(...r);
  const lse = m + Math.log(r.reduce((a, v) => a + Math.exp(v - m), 0));
  return r.map((v) => v - lse);
}

/** pivot [B][D], cand [B][N][D] */
function refContrastive(pivot: M, cand: number[][][], labels: number[]): number {
  let s = 0;
  pivot.forEach((p, b) => {
    const logits = cand[b].map((c) => c.reduce((a, v, k) => a + v * p[k], 0));
    s -= logSoftmaxRow(logits)[labels[b]];
  });
  return s / pivot.length;
}

/** teacher/student [B][n][D]; per head row log-softmax of E Eᵀ·scale; symmetric element-mean KL. */
function refDistill(teacher: number[][][], student: number[][][], heads: number, beta = 1, scale = 1): number {
  const B = student.length;
  const n = student[0].length;
  const D = student[0][0].length;
  const dh = D / heads;
  let sum = 0;
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < heads; h++) {
      const lp = (E: M): M =>
        E.map((ei) => logSoftmaxRow(E.map((ej) => scale * ei.slice(h * dh, (h + 1) * dh).reduce((a, v, k) => a + v * ej[h * dh + k], 0))));
      const lt = lp(teacher[b]);
      const ls = lp(student[b]);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          sum += Math.exp(lt[i][j]) * (lt[i][j] - ls[i][j]) + Math.exp(ls[i][j]) * (ls[i][j] - lt[i][j]);
        }
      }
    }
  }
  return (beta * sum) / (B * heads * n * n);
}

function randArray(rng: Rng, shape: number[], std = 1): number[] {
  const n = shape.reduce((a, b) => a * b, 1);
  return Array.from({ length: n }, () => rng.normal() * std);
}

function nest(flat: number[], shape: number[]): any {
  if (shape.length === 1) return flat.slice(0, shape[0]);
  const inner = shape.slice(1).reduce((a, b) => a * b, 1);
  return Array.from({ length: shape[0] }, (_, i) => nest(flat.slice(i * inner, (i + 1) * inner), shape.slice(1)));
}

/** Central finite differences of a float64 function (eps 1e-6: accurate to ~1e-9 in float64). */
function numGrad(f: (x: number[]) => number, x: number[], eps = 1e-6): number[] {
  return x.map((_, i) => {
    const xp = x.slice();
    const xm = x.slice();
    xp[i] += eps;
    xm[i] -= eps;
    return (f(xp) - f(xm)) / (2 * eps);
  });
}

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, rtol = 1e-3, atol = 1e-4): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < got.length; i++) {
    if (Math.abs(got[i] - want[i]) > atol + rtol * Math.abs(want[i])) {
      throw new Error(`element ${i}: got ${got[i]}, want ${want[i]}`);
    }
  }
}

// ---------- contrastive ----------

describe('contrastiveLoss', () => {
  it('hand-worked: 1 pivot, 2 candidates, 2-D vectors', () => {
    // pivot (1, 2); candidates (1, 0) and (0, 1) → logits 1·1+2·0 = 1 and 1·0+2·1 = 2.
    // label 1: −log(e²/(e¹+e²)) = log(1 + e^{−1}) = 0.313262
    // label 0: −log(e¹/(e¹+e²)) = log(1 + e^{1})  = 1.313262
    const p = tf.tensor2d([[1, 2]]);
    const c = tf.tensor3d([[[1, 0], [0, 1]]]);
    expect(contrastiveLoss(p, c, [1]).dataSync()[0]).toBeCloseTo(Math.log(1 + Math.exp(-1)), 5);
    expect(contrastiveLoss(p, c, [1]).dataSync()[0]).toBeCloseTo(0.313262, 5);
    expect(contrastiveLoss(p, c, [0]).dataSync()[0]).toBeCloseTo(1.313262, 5);
    tf.dispose([p, c]);
  });
  it('hand-worked: the mean over two pivots; no normalisation (scaling the pivot scales the logits)', () => {
    // pivot 0 = (1, 2), candidates (1, 0), (0, 1), (0, 0) → logits 1, 2, 0; label 1:
    //   −log(e²/(e¹+e²+e⁰)) = log(1 + e^{−1} + e^{−2}) = 0.407606
    // pivot 1 = (2, 0), candidates (1, 1), (3, 0), (0, 5) → logits 2, 6, 0; label 1:
    //   −log(e⁶/(e²+e⁶+e⁰)) = log(1 + e^{−4} + e^{−6}) = 0.020581
    // mean over the 2 pivots = (0.407606 + 0.020581)/2 = 0.214094
    const p = tf.tensor2d([[1, 2], [2, 0]]);
    const c = tf.tensor3d([[[1, 0], [0, 1], [0, 0]], [[1, 1], [3, 0], [0, 5]]]);
    const expected = (Math.log(1 + Math.exp(-1) + Math.exp(-2)) + Math.log(1 + Math.exp(-4) + Math.exp(-6))) / 2;
    expect(expected).toBeCloseTo(0.214094, 5);
    for (const lab of [[1, 1], new Int32Array([1, 1]), tf.tensor1d([1, 1], 'int32')] as const) {
      const l = contrastiveLoss(p, c, lab as any);
      expect(l.dataSync()[0]).toBeCloseTo(expected, 5);
      l.dispose();
      if (lab instanceof tf.Tensor) lab.dispose();
    }
    // doubling the pivots doubles the logits (no normalisation, no temperature): 2, 4, 0 and 4, 12, 0, label 1 →
    //   (log(1 + e^{−2} + e^{−4}) + log(1 + e^{−8} + e^{−12}))/2
    const p2 = p.mul(2) as tf.Tensor2D;
    const want2 = (Math.log(1 + Math.exp(-2) + Math.exp(-4)) + Math.log(1 + Math.exp(-8) + Math.exp(-12))) / 2;
    expect(contrastiveLoss(p2, c, [1, 1]).dataSync()[0]).toBeCloseTo(want2, 5);
    tf.dispose([p, c, p2]);
  });
  it('matches the float64 reference on random tensors, and its gradients match finite differences', () => {
    const rng = new Rng(1);
    const B = 3, N = 5, D = 4;
    const pv = randArray(rng, [B, D], 0.7);
    const cv = randArray(rng, [B, N, D], 0.7);
    const labels = [2, 0, 4];
    const p = tf.tensor2d(pv, [B, D]);
    const c = tf.tensor3d(cv, [B, N, D]);
    const loss = contrastiveLoss(p, c, labels);
    const ref = (pp: number[], cc: number[]) => refContrastive(nest(pp, [B, D]), nest(cc, [B, N, D]), labels);
    expect(loss.dataSync()[0]).toBeCloseTo(ref(pv, cv), 5);
    const [gp, gc] = tf.grads((a: tf.Tensor, b: tf.Tensor) => contrastiveLoss(a as tf.Tensor2D, b as tf.Tensor3D, labels))([p, c]);
    expectClose(gp.dataSync(), numGrad((x) => ref(x, cv), pv));
    expectClose(gc.dataSync(), numGrad((x) => ref(pv, x), cv));
    // and a float32 central difference of the tfjs loss itself (eps 1e-2) for a few coordinates
    for (const i of [0, 5, 11]) {
      const bump = (e: number) => {
        const x = pv.slice();
        x[i] += e;
        return tf.tidy(() => contrastiveLoss(tf.tensor2d(x, [B, D]), c, labels).dataSync()[0]);
      };
      const fd = (bump(1e-2) - bump(-1e-2)) / 2e-2;
      expect(Math.abs(fd - gp.dataSync()[i])).toBeLessThan(1e-2 * Math.max(1, Math.abs(fd)));
    }
    tf.dispose([p, c, loss, gp, gc]);
  });
  it('rejects bad shapes and labels', () => {
    const p = tf.zeros([2, 3]) as tf.Tensor2D;
    const c = tf.zeros([2, 4, 3]) as tf.Tensor3D;
    expect(() => contrastiveLoss(p, c, [0, 4])).toThrow(/label\[1\] = 4.*\[0, 4\)/);
    expect(() => contrastiveLoss(p, c, [0, -1])).toThrow(/-1/);
    expect(() => contrastiveLoss(p, c, [0])).toThrow(/1 labels for 2 pivots/);
    const fl = tf.tensor1d([0, 1]);
    expect(() => contrastiveLoss(p, c, fl as tf.Tensor1D)).toThrow(/int32.*float32/);
    const c2 = tf.zeros([2, 4, 5]) as tf.Tensor3D;
    expect(() => contrastiveLoss(p, c2, [0, 1])).toThrow(/disagree/);
    tf.dispose([p, c, fl, c2]);
  });
});

// ---------- distillation ----------

describe('distillationLoss', () => {
  it('hand-worked: 1 sample, 2 positions, 2-D embeddings, 1 head', () => {
    // Teacher E_T = [[1,0],[0,1]] → E_T E_Tᵀ = I → rows softmax(1,0) = (a, 1−a) and (1−a, a), a = e/(1+e) = 0.731059.
    // Student E_S = [[1,0],[1,0]] → E_S E_Sᵀ = all ones → P_S = 0.5 everywhere.
    // Row KL(P_T‖P_S) = a·ln(2a) + (1−a)·ln(2(1−a)) = 0.731059·0.379885 + 0.268941·(−0.620115) = 0.277719 − 0.166774 = 0.110944
    // Row KL(P_S‖P_T) = 0.5·ln(0.5/a) + 0.5·ln(0.5/(1−a)) = 0.5·(−0.379885) + 0.5·0.620115 = 0.120115
    // Both rows alike; element mean over 1·1·2·2 = 4 entries = (2 rows · row KL)/4 = row KL / 2:
    // L = 0.110944/2 + 0.120115/2 = 0.115529
    const a = Math.E / (1 + Math.E);
    const klTS = a * Math.log(2 * a) + (1 - a) * Math.log(2 * (1 - a));
    const klST = 0.5 * Math.log(0.5 / a) + 0.5 * Math.log(0.5 / (1 - a));
    expect(klTS).toBeCloseTo(0.110944, 5);
    expect(klST).toBeCloseTo(0.120115, 5);
    const t = tf.tensor3d([[[1, 0], [0, 1]]]);
    const s = tf.tensor3d([[[1, 0], [1, 0]]]);
    const l = distillationLoss(t, s, 1);
    expect(l.dataSync()[0]).toBeCloseTo((klTS + klST) / 2, 5);
    expect(l.dataSync()[0]).toBeCloseTo(0.115529, 5);
    // β scales linearly; identical teacher and student give 0
    expect(distillationLoss(t, s, 1, { beta: 2.5 }).dataSync()[0]).toBeCloseTo((2.5 * (klTS + klST)) / 2, 5);
    expect(distillationLoss(t, t, 1).dataSync()[0]).toBeCloseTo(0, 6);
    tf.dispose([t, s, l]);
  });
  it('hand-worked: 2 heads split D — head 0 sees coordinate 0, head 1 coordinate 1', () => {
    // D = 2, H = 2 → d_head = 1. Teacher [[1,0],[0,1]], student [[1,0],[1,0]].
    // head 0: teacher values (1, 0) → sims [[1,0],[0,0]] → rows (a, 1−a), (½, ½); student (1, 1) → all ones → ½.
    //   KL sums: row 0 gives klTS + klST as above, row 1 gives 0.
    // head 1: teacher (0, 1) → sims [[0,0],[0,1]] → rows (½, ½), (1−a, a); student (0, 0) → ½: again klTS + klST once.
    // element mean over 1·2·2·2 = 8 entries: L = 2·(klTS + klST)/8 = (klTS + klST)/4
    const a = Math.E / (1 + Math.E);
    const klTS = a * Math.log(2 * a) + (1 - a) * Math.log(2 * (1 - a));
    const klST = 0.5 * Math.log(0.5 / a) + 0.5 * Math.log(0.5 / (1 - a));
    const t = tf.tensor3d([[[1, 0], [0, 1]]]);
    const s = tf.tensor3d([[[1, 0], [1, 0]]]);
    expect(distillationLoss(t, s, 2).dataSync()[0]).toBeCloseTo((klTS + klST) / 4, 5);
    tf.dispose([t, s]);
  });
  it('matches the float64 reference (B = 2, n = 5, D = 6, H = 3, β = 1.5, scale = 0.7); [n, D] teacher broadcasts', () => {
    const rng = new Rng(2);
    const B = 2, n = 5, D = 6, H = 3;
    const tv = randArray(rng, [B, n, D]);
    const sv = randArray(rng, [B, n, D]);
    const t = tf.tensor3d(tv, [B, n, D]);
    const s = tf.tensor3d(sv, [B, n, D]);
    const l = distillationLoss(t, s, H, { beta: 1.5, scale: 0.7 });
    expect(l.dataSync()[0]).toBeCloseTo(refDistill(nest(tv, [B, n, D]), nest(sv, [B, n, D]), H, 1.5, 0.7), 5);
    // a single [n, D] teacher = the same teacher repeated over B
    const t0 = tf.tensor2d(tv.slice(0, n * D), [n, D]);
    const lb = distillationLoss(t0, s, H, { beta: 1.5, scale: 0.7 });
    const rep = [nest(tv.slice(0, n * D), [n, D]), nest(tv.slice(0, n * D), [n, D])];
    expect(lb.dataSync()[0]).toBeCloseTo(refDistill(rep, nest(sv, [B, n, D]), H, 1.5, 0.7), 5);
    tf.dispose([t, s, l, t0, lb]);
  });
  it('student gradients match finite differences of the float64 reference; the teacher gets exactly zero', () => {
    const rng = new Rng(3);
    const B = 2, n = 4, D = 4, H = 2;
    const tv = randArray(rng, [B, n, D]);
    const sv = randArray(rng, [B, n, D]);
    const t = tf.tensor3d(tv, [B, n, D]);
    const s = tf.tensor3d(sv, [B, n, D]);
    const [gt, gs] = tf.grads((a: tf.Tensor, b: tf.Tensor) => distillationLoss(a as tf.Tensor3D, b as tf.Tensor3D, H))([t, s]);
    expect(Array.from(gt.dataSync()).every((v) => v === 0)).toBe(true);
    // teacher held fixed: the reference differentiates only the student
    const ref = (x: number[]) => refDistill(nest(tv, [B, n, D]), nest(x, [B, n, D]), H);
    expectClose(gs.dataSync(), numGrad(ref, sv), 2e-3, 2e-5);
    // sanity: the student gradient is not trivially zero
    expect(Math.max(...Array.from(gs.dataSync()).map(Math.abs))).toBeGreaterThan(1e-3);
    tf.dispose([t, s, gt, gs]);
  });
  it('teacher and student from the same variable: only the student path carries gradient', () => {
    // E = the positions' embeddings; teacher = rows 0..1, student = rows 2..3 of the same tensor.
    const rng = new Rng(4);
    const ev = randArray(rng, [4, 4]);
    const e = tf.tensor2d(ev, [4, 4]);
    const g = tf.grad((x: tf.Tensor) => {
      const teacher = x.slice([0, 0], [2, 4]).expandDims(0) as tf.Tensor3D;
      const student = x.slice([2, 0], [2, 4]).expandDims(0) as tf.Tensor3D;
      return distillationLoss(teacher, student, 2);
    })(e);
    const gv = g.dataSync();
    for (let i = 0; i < 8; i++) expect(gv[i]).toBe(0); // teacher rows
    const ref = (x: number[]) => refDistill([nest(ev.slice(0, 8), [2, 4])], [nest(x, [2, 4])], 2);
    expectClose(Array.from(gv).slice(8), numGrad(ref, ev.slice(8)), 2e-3, 2e-5);
    tf.dispose([e, g]);
  });
  it('stopGradient: identity forward, zero backward', () => {
    const x = tf.tensor1d([1, -2, 3]);
    const y = stopGradient(x);
    expect(Array.from(y.dataSync())).toEqual([1, -2, 3]);
    const g = tf.grad((v: tf.Tensor) => stopGradient(v).mul(v).sum())(x); // d/dv [sg(v)·v] = sg(v) = v
    expect(Array.from(g.dataSync())).toEqual([1, -2, 3]);
    tf.dispose([x, y, g]);
  });
  it('rejects bad shapes and heads', () => {
    const s = tf.zeros([2, 3, 4]) as tf.Tensor3D;
    const t = tf.zeros([2, 3, 4]) as tf.Tensor3D;
    expect(() => distillationLoss(t, s, 3)).toThrow(/heads.*D = 4.*3/);
    expect(() => distillationLoss(t, s, 0)).toThrow(/heads/);
    const t2 = tf.zeros([3, 3, 4]) as tf.Tensor3D;
    expect(() => distillationLoss(t2, s, 2)).toThrow(/teacher \[3,3,4\] does not match student \[2,3,4\]/);
    const t3 = tf.zeros([2, 4]) as tf.Tensor2D;
    expect(() => distillationLoss(t3, s, 2)).toThrow(/does not match/);
    expect(() => distillationLoss(t, s, 2, { beta: NaN })).toThrow(/beta.*NaN/);
    tf.dispose([s, t, t2, t3]);
  });
});

describe('no tensor leaks', () => {
  it('numTensors is flat across repeated loss and gradient calls', () => {
    const rng = new Rng(5);
    const p = tf.tensor2d(randArray(rng, [4, 8]), [4, 8]);
    const c = tf.tensor3d(randArray(rng, [4, 6, 8]), [4, 6, 8]);
    const t = tf.tensor2d(randArray(rng, [5, 8]), [5, 8]);
    const s = tf.tensor3d(randArray(rng, [4, 5, 8]), [4, 5, 8]);
    const labels = tf.tensor1d([0, 1, 2, 3], 'int32');
    const round = () => {
      contrastiveLoss(p, c, labels).dispose();
      distillationLoss(t, s, 2).dispose();
      tf.grads((a: tf.Tensor, b: tf.Tensor) => contrastiveLoss(a as tf.Tensor2D, b as tf.Tensor3D, [0, 1, 2, 3]))([p, c]).forEach((g) => g.dispose());
      tf.grads((a: tf.Tensor, b: tf.Tensor) => distillationLoss(a as tf.Tensor2D, b as tf.Tensor3D, 4))([t, s]).forEach((g) => g.dispose());
    };
    round();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) round();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([p, c, t, s, labels]);
  });
});

// ---------- weight schedule ----------

describe('loss-weight schedule', () => {
  it('constant without warm-up, linear min(step/warmup, 1) with it', () => {
    expect(warmupFactor(0)).toBe(1);
    expect(warmupFactor(12345, 0)).toBe(1);
    expect(warmupFactor(0, 10)).toBe(0);
    expect(warmupFactor(5, 10)).toBe(0.5);
    expect(warmupFactor(10, 10)).toBe(1);
    expect(warmupFactor(30, 10)).toBe(1);
    expect(lossWeight({ weight: 0.1 }, 7)).toBeCloseTo(0.1, 12);
    expect(lossWeight({ weight: 0.1, warmupSteps: 4 }, 1)).toBeCloseTo(0.025, 12);
    expect(lossWeight({ weight: 0.1, warmupSteps: 4 }, 100)).toBeCloseTo(0.1, 12);
  });
  it('rejects bad steps, warm-ups and weights', () => {
    expect(() => warmupFactor(-1, 10)).toThrow(/step.*-1/);
    expect(() => warmupFactor(NaN, 10)).toThrow(/step.*NaN/);
    expect(() => warmupFactor(3, -2)).toThrow(/warmupSteps.*-2/);
    expect(() => warmupFactor(3, 1.5)).toThrow(/warmupSteps.*1\.5/);
    expect(() => lossWeight({ weight: -0.1 }, 3)).toThrow(/weight.*-0\.1/);
  });
});
