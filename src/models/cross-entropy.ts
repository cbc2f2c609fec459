/**
 * Softmax cross-entropy over integer targets, with optional per-row weights (the answer-only QA loss), as one op with a
 * hand-written gradient: value = Σᵢ wᵢ·(logsumexp(zᵢ) − zᵢ[tᵢ]) / Σᵢ wᵢ, gradient = (softmax(zᵢ) − onehot(tᵢ))·wᵢ/Σw.
 * No [N, V] one-hot product or log-softmax tensor is kept for the backward pass; softmax is recomputed there (it is
 * a fast vectorised kernel on wasm, unlike exp).
 */
import * as tf from '@tensorflow/tfjs';

export type IntArrayLike = Int32Array | readonly number[];

function toIntArray(v: IntArrayLike | tf.Tensor, what: string): Int32Array {
  if (v instanceof tf.Tensor) {
    if (v.dtype !== 'int32') throw new Error(`${what}: expected an int32 tensor, got ${v.dtype}`);
    return v.dataSync() as Int32Array;
  }
  return v instanceof Int32Array ? v : Int32Array.from(v);
}

/**
 * @param logits  [N, V]
 * @param targets [N] integers in [0, V)
 * @param weights [N] non-negative, not all zero (default: all 1 → plain mean)
 * @returns scalar mean (weighted) negative log-likelihood
 */
export function softmaxCrossEntropy(
  logits: tf.Tensor2D,
  targets: IntArrayLike | tf.Tensor,
  weights?: Float32Array | readonly number[] | tf.Tensor,
): tf.Scalar {
  if (logits.rank !== 2) throw new Error(`softmaxCrossEntropy: logits must be [N, V], got shape [${logits.shape}]`);
  const [n, v] = logits.shape;
  const t = toIntArray(targets, 'softmaxCrossEntropy targets');
  if (t.length !== n) throw new Error(`softmaxCrossEntropy: ${t.length} targets for ${n} rows of logits`);
  for (let i = 0; i < n; i++) {
    if (!(t[i] >= 0 && t[i] < v)) throw new Error(`softmaxCrossEntropy: target[${i}] = ${t[i]} is outside [0, ${v})`);
  }
  let w: Float32Array | undefined;
  if (weights !== undefined) {
    w = weights instanceof tf.Tensor ? new Float32Array(weights.dataSync()) : Float32Array.from(weights);
    if (w.length !== n) throw new Error(`softmaxCrossEntropy: ${w.length} weights for ${n} rows`);
    let sum = 0;
    for (let i = 0; i < n; i++) {
      if (!(w[i] >= 0) || !Number.isFinite(w[i])) throw new Error(`softmaxCrossEntropy: weight[${i}] = ${w[i]} is not a finite number ≥ 0`);
      sum += w[i];
    }
    if (!(sum > 0)) throw new Error('softmaxCrossEntropy: all weights are zero (no target token to learn from)');
    for (let i = 0; i < n; i++) w[i] /= sum;
  }
  const flatIdx = new Int32Array(n);
  for (let i = 0; i < n; i++) flatIdx[i] = i * v + t[i];
  const wn = w;
  // Everything the gradient needs is created inside the forward function and saved: tensors captured from an outer
  // tidy would be disposed before the backward pass runs.
  const ce = tf.customGrad(((z: tf.Tensor2D, save: tf.GradSaveFunc) => {
    const tIds = tf.tensor1d(t, 'int32');
    const wt = wn ? (tf.tensor2d(wn, [n, 1]) as tf.Tensor2D) : tf.scalar(1 / n); // [N, 1] summing to 1, or 1/N
    save([z, tIds, wt]);
    const lse = tf.logSumExp(z, -1); // [N]
    const picked = tf.gather(z.reshape([-1]), tf.tensor1d(flatIdx, 'int32')); // [N] target logits
    const nll = lse.sub(picked); // [N]
    const value = wn ? nll.reshape([n, 1]).mul(wt).sum() : nll.mean();
    return {
      value,
      gradFunc: (dy: tf.Tensor, [sz, sIds, sw]: tf.Tensor[]) => {
        const g = tf.softmax(sz).sub(tf.oneHot(sIds as tf.Tensor1D, v).toFloat()); // [N, V]
        return [g.mul(sw.mul(dy))];
      },
    };
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
  }) as any) as (z: tf.Tensor2D) => tf.Scalar;
  return ce(logits);
}
