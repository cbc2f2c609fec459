/**
 * One AdamW update of many parameters in ONE kernel call (today src/train/adamw.ts runs ~10 ops per parameter).
 * Bit-for-bit the arithmetic of src/train/adamw.ts on wasm: every product/sum is rounded to float32 in the same order
 * (Math.fround), with the same float32 constants (β₁, 1 − β₁, β₂, 1 − β₂, ε, −lr/(1 − β₁ᵗ), 1 − lr·λ, 1/√(1 − β₂ᵗ)):
 *
 *   m ← β₁m + (1−β₁)g        v ← β₂v + ((g·g)·(1−β₂))
 *   d = √v · (1/√(1−β₂ᵗ)) + ε
 *   θ ← (decay ? θ·(1 − lr·λ) : θ) + (m / d) · (−lr/(1−β₁ᵗ))
 *
 * (float32 sqrt and division are correctly rounded, and so is rounding the exact double result: double rounding is
 * harmless for one operation on float32 inputs, hence the same bits.)
 *
 * Identity semantics: the kernel writes NEW tensors for θ, m and v, and each tf.Variable is then `assign`ed its new
 * value, exactly as the op-by-op version does. So every parameter's dataId changes each step, and caches keyed by the
 * identity of the parameters' data (SeqPE's evaluation cache, seqpe-encoder.ts) are invalidated as before. Writing in
 * place would be cheaper by three allocations per parameter but would silently keep such caches stale.
 */
import * as tf from '@tensorflow/tfjs';
import { f32, registerWasmKernel, requireWasm, type KernelArgs, type WasmBackendLike } from './heap';

const KERNEL = 'SeqpeAdamWMulti';
const fr = Math.fround;

export interface AdamWSlot {
  param: tf.Variable;
  grad: tf.Tensor;
  /** First-moment variable, same shape as param. */
  m: tf.Variable;
  /** Second-moment variable, same shape as param. */
  v: tf.Variable;
  /** Learning rate of this parameter's group for this step. */
  lr: number;
  /** Decoupled weight decay applies to this parameter. */
  decay: boolean;
}

export interface AdamWHyper {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** t of this update (1 for the first). */
  step: number;
}

function kernel({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo[] {
  const be = backend as WasmBackendLike;
  const n = attrs!.count as number;
  const stepSize = attrs!.stepSize as number[];
  const decayMul = attrs!.decayMul as number[]; // 0 = no decay
  const [b1, c1, b2, c2, eps, isb] = attrs!.consts as number[];
  const ins: tf.TensorInfo[][] = [];
  for (let i = 0; i < n; i++) ins.push([inputs[`p${i}`], inputs[`g${i}`], inputs[`m${i}`], inputs[`v${i}`]] as tf.TensorInfo[]);
  // All outputs first (heap growth detaches views), then views.
  const outs = ins.map(([p]) => [be.makeOutput([...p.shape], 'float32'), be.makeOutput([...p.shape], 'float32'), be.makeOutput([...p.shape], 'float32')]);
  for (let i = 0; i < n; i++) {
    const [p, g, m, v] = ins[i].map((t) => f32(be, t));
    const [po, mo, vo] = outs[i].map((t) => f32(be, t));
    const st = stepSize[i];
    const dm = decayMul[i];
    for (let j = 0; j < p.length; j++) {
      const gj = g[j];
      const mj = fr(fr(m[j] * b1) + fr(gj * c1));
      const vj = fr(fr(v[j] * b2) + fr(fr(gj * gj) * c2));
      const den = fr(fr(fr(Math.sqrt(vj)) * isb) + eps);
      const base = dm !== 0 ? fr(p[j] * dm) : p[j];
      po[j] = fr(base + fr(fr(mj / den) * st));
      mo[j] = mj;
      vo[j] = vj;
    }
  }
  return outs.flat();
}

registerWasmKernel(KERNEL, kernel);

/** Applies one AdamW update to every slot (one kernel call), then assigns θ, m, v their new tensors. */
export function adamwStep(slots: readonly AdamWSlot[], h: AdamWHyper): void {
  const what = 'adamwStep (wasm kernel)';
  requireWasm(what);
  if (!(h.beta1 >= 0 && h.beta1 < 1)) throw new Error(`${what}: beta1 must be in [0, 1), got ${h.beta1}`);
  if (!(h.beta2 >= 0 && h.beta2 < 1)) throw new Error(`${what}: beta2 must be in [0, 1), got ${h.beta2}`);
  if (!(h.eps > 0)) throw new Error(`${what}: eps must be > 0, got ${h.eps}`);
  if (!(h.weightDecay >= 0) || !Number.isFinite(h.weightDecay)) throw new Error(`${what}: weightDecay must be a finite number ≥ 0, got ${h.weightDecay}`);
  if (!Number.isInteger(h.step) || h.step < 1) throw new Error(`${what}: step must be an integer ≥ 1, got ${h.step}`);
  const seen = new Set<tf.Variable>();
  slots.forEach((s, i) => {
    const name = `slot ${i} ("${s.param.name}")`;
    if (seen.has(s.param)) throw new Error(`${what}: ${name} lists a parameter twice`);
    seen.add(s.param);
    const shape = s.param.shape.join();
    for (const [k, t] of [['param', s.param], ['grad', s.grad], ['m', s.m], ['v', s.v]] as const) {
      if (t.dtype !== 'float32') throw new Error(`${what}: ${name}: ${k} must be float32, got ${t.dtype}`);
      if (t.shape.join() !== shape) throw new Error(`${what}: ${name}: ${k} has shape [${t.shape}], param [${s.param.shape}]`);
    }
    if (!(s.lr >= 0) || !Number.isFinite(s.lr)) throw new Error(`${what}: ${name}: lr must be a finite number ≥ 0, got ${s.lr}`);
  });
  if (slots.length === 0) return;
  const bc1 = 1 - Math.pow(h.beta1, h.step);
  const bc2 = 1 - Math.pow(h.beta2, h.step);
  const inputs: tf.NamedTensorMap = {};
  slots.forEach((s, i) => {
    inputs[`p${i}`] = s.param;
    inputs[`g${i}`] = s.grad;
    inputs[`m${i}`] = s.m;
    inputs[`v${i}`] = s.v;
  });
  // The float32 constants the op-by-op version uploads as tf.scalar.
  const attrs = {
    count: slots.length,
    stepSize: slots.map((s) => fr(-s.lr / bc1)),
    decayMul: slots.map((s) => (s.decay && h.weightDecay > 0 ? fr(1 - s.lr * h.weightDecay) : 0)),
    consts: [fr(h.beta1), fr(1 - h.beta1), fr(h.beta2), fr(1 - h.beta2), fr(h.eps), fr(1 / Math.sqrt(bc2))],
  };
  tf.tidy(() => {
    const outs = tf.engine().runKernel(KERNEL, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
    slots.forEach((s, i) => {
      s.param.assign(outs[3 * i]);
      s.m.assign(outs[3 * i + 1]);
      s.v.assign(outs[3 * i + 2]);
    });
  });
}
