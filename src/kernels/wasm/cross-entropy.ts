/**
 * Softmax cross-entropy over integer targets with optional per-row weights, as ONE forward and ONE backward kernel.
 * Same function as src/models/cross-entropy.ts softmaxCrossEntropy (its test oracle):
 *   value = Σᵢ wᵢ·(logsumexp(zᵢ) − zᵢ[tᵢ]),  w = weights / Σ weights (default 1/N)
 *   dz    = (softmax(zᵢ) − onehot(tᵢ))·wᵢ·dy
 * The forward kernel's exp runs as the backend's SIMD Exp in place; it also returns logsumexp per row [N] and the
 * softmax [N, V], which is saved so the backward pass is one product per logit.
 * Targets given as an int32 tensor stay on the device (range-checked inside the kernel, no host read); targets given as
 * an array are checked on the host first.
 */
import * as tf from '@tensorflow/tfjs';
import { f32, i32, registerWasmKernel, requireFloat32, requireWasm, wasmUnaryInPlace, type KernelArgs, type WasmBackendLike } from './heap';

export type IntArrayLike = Int32Array | readonly number[];

const FWD = 'SeqpeSoftmaxCrossEntropyFwd';
const BWD = 'SeqpeSoftmaxCrossEntropyBwd';

function checkTargets(t: Int32Array, v: number): void {
  for (let i = 0; i < t.length; i++) {
    if (!(t[i] >= 0 && t[i] < v)) throw new Error(`softmaxCrossEntropy (wasm kernel): target[${i}] = ${t[i]} is outside [0, ${v})`);
  }
}

function forwardKernel({ inputs, backend }: KernelArgs): tf.TensorInfo[] {
  const be = backend as WasmBackendLike;
  const { logits, targets, weights } = inputs as Record<string, tf.TensorInfo | undefined>;
  const [n, v] = logits!.shape;
  // Validate before allocating: a throw after makeOutput would leak the outputs.
  checkTargets(i32(be, targets!), v);
  const loss = be.makeOutput([], 'float32');
  const lse = be.makeOutput([n], 'float32');
  // Softmax probabilities, kept for the backward pass (one [N, V] buffer instead of a second exp pass).
  const probs = be.makeOutput([n, v], 'float32');
  const zv = f32(be, logits!), tv = i32(be, targets!), wv = weights ? f32(be, weights) : null;
  const lv = f32(be, lse), outv = f32(be, loss), pv = f32(be, probs);
  const mxs = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * v;
    let mx = -Infinity;
    for (let j = 0; j < v; j++) if (zv[o + j] > mx) mx = zv[o + j];
    for (let j = 0; j < v; j++) pv[o + j] = zv[o + j] - mx;
    mxs[i] = mx;
  }
  wasmUnaryInPlace(be, 'Exp', probs); // SIMD exp over all rows at once; allocates nothing
  let total = 0;
  for (let i = 0; i < n; i++) {
    const o = i * v;
    let s = 0;
    for (let j = 0; j < v; j++) s += pv[o + j];
    const inv = 1 / s;
    for (let j = 0; j < v; j++) pv[o + j] *= inv;
    const l = mxs[i] + Math.log(s);
    lv[i] = l;
    total += (wv ? wv[i] : 1 / n) * (l - zv[o + tv[i]]);
  }
  outv[0] = total;
  return [loss, lse, probs];
}

function backwardKernel({ inputs, backend }: KernelArgs): tf.TensorInfo {
  const be = backend as WasmBackendLike;
  const { probs, targets, weights, dy } = inputs as Record<string, tf.TensorInfo | undefined>;
  const [n, v] = probs!.shape;
  const dz = be.makeOutput([n, v], 'float32');
  const pv = f32(be, probs!), tv = i32(be, targets!), wv = weights ? f32(be, weights) : null;
  const g = f32(be, dy!)[0], dv = f32(be, dz);
  for (let i = 0; i < n; i++) {
    const o = i * v;
    const c = (wv ? wv[i] : 1 / n) * g;
    for (let j = 0; j < v; j++) dv[o + j] = pv[o + j] * c;
    dv[o + tv[i]] -= c;
  }
  return dz;
}

registerWasmKernel(FWD, forwardKernel);
registerWasmKernel(BWD, backwardKernel);

/**
 * @param logits  [N, V] float32
 * @param targets [N] integers in [0, V) (array, or int32 tensor kept on the device)
 * @param weights [N] non-negative, not all zero (default: all 1 → plain mean)
 * @returns scalar mean (weighted) negative log-likelihood
 */
export function softmaxCrossEntropy(
  logits: tf.Tensor2D,
  targets: IntArrayLike | tf.Tensor,
  weights?: Float32Array | readonly number[] | tf.Tensor,
): tf.Scalar {
  const what = 'softmaxCrossEntropy (wasm kernel)';
  requireWasm(what);
  if (logits.rank !== 2) throw new Error(`${what}: logits must be [N, V], got shape [${logits.shape}]`);
  requireFloat32(what, 'logits', logits);
  const [n, v] = logits.shape;
  if (n === 0 || v === 0) throw new Error(`${what}: logits [${logits.shape}] are empty`);
  let tHost: Int32Array | undefined;
  if (targets instanceof tf.Tensor) {
    if (targets.dtype !== 'int32') throw new Error(`${what}: targets must be an int32 tensor, got ${targets.dtype}`);
    if (targets.size !== n) throw new Error(`${what}: ${targets.size} targets (shape [${targets.shape}]) for ${n} rows of logits`);
  } else {
    tHost = targets instanceof Int32Array ? targets : Int32Array.from(targets);
    if (tHost.length !== n) throw new Error(`${what}: ${tHost.length} targets for ${n} rows of logits`);
    checkTargets(tHost, v);
  }
  let w: Float32Array | undefined;
  if (weights !== undefined) {
    w = weights instanceof tf.Tensor ? new Float32Array(weights.dataSync()) : Float32Array.from(weights);
    if (w.length !== n) throw new Error(`${what}: ${w.length} weights for ${n} rows`);
    let sum = 0;
    for (let i = 0; i < n; i++) {
      if (!(w[i] >= 0) || !Number.isFinite(w[i])) throw new Error(`${what}: weight[${i}] = ${w[i]} is not a finite number ≥ 0`);
      sum += w[i];
    }
    if (!(sum > 0)) throw new Error(`${what}: all weights are zero (no target token to learn from)`);
    for (let i = 0; i < n; i++) w[i] /= sum;
  }
  const wn = w;
  const tIn = targets instanceof tf.Tensor ? targets : undefined;
  // The gradient's inputs are created (or cloned) inside the forward function and saved: tensors captured from an
  // outer tidy could be disposed before the backward pass runs.
  const ce = tf.customGrad(((z: tf.Tensor2D, save: tf.GradSaveFunc) => {
    const t = tIn ? tIn.reshape([n]) : tf.tensor1d(tHost!, 'int32');
    const wt = wn ? tf.tensor1d(wn, 'float32') : null;
    const ins: tf.NamedTensorMap = wt ? { logits: z, targets: t, weights: wt } : { logits: z, targets: t };
    const [loss, , probs] = tf.engine().runKernel(FWD, ins, {}) as tf.Tensor[];
    save(wt ? [probs, t, wt] : [probs, t]);
    return {
      value: loss,
      gradFunc: (dy: tf.Tensor, s: tf.Tensor[]) => {
        const bIns: tf.NamedTensorMap = { probs: s[0], targets: s[1], dy };
        if (s[2]) bIns.weights = s[2];
        return [tf.engine().runKernel(BWD, bIns, {}) as tf.Tensor];
      },
    };
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
  }) as any) as (z: tf.Tensor2D) => tf.Scalar;
  return ce(logits);
}
