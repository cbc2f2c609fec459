/**
 * LayerNorm over the last axis (eps 1e-5) with a hand-written gradient. Same values as src/ops/layers.ts layerNorm
 * (tested), far fewer ops in the backward pass than autodiff through tf.moments, and the parameter gradients are row
 * sums done as products with a row of ones (fast on wasm, see dense.ts).
 *   x̂ = (x − μ)·r, r = 1/√(σ² + ε);  y = x̂·γ + β
 *   dx = r·(g − mean(g) − x̂·mean(g·x̂)),  g = dy·γ;   dγ = Σ_rows dy·x̂;   dβ = Σ_rows dy
 */
import * as tf from '@tensorflow/tfjs';
import { sumRows } from './dense';

const lnOp = tf.customGrad(((x: tf.Tensor2D, gamma: tf.Tensor1D, beta: tf.Tensor1D, save: tf.GradSaveFunc) => {
  const mu = x.mean(-1, true); // [N, 1]
  const xc = x.sub(mu);
  const r = tf.rsqrt(xc.mul(xc).mean(-1, true).add(1e-5)); // [N, 1]
  const xhat = xc.mul(r);
  save([xhat, r, gamma]);
  return {
    value: xhat.mul(gamma).add(beta),
    gradFunc: (dy: tf.Tensor, [sx, sr, sg]: tf.Tensor[]) => {
      const d = dy as tf.Tensor2D;
      const g = d.mul(sg);
      const dx = g.sub(g.mean(-1, true)).sub(sx.mul(g.mul(sx).mean(-1, true))).mul(sr);
      return [dx, sumRows(d.mul(sx) as tf.Tensor2D), sumRows(d)];
    },
  };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
}) as any) as (x: tf.Tensor2D, g: tf.Tensor1D, b: tf.Tensor1D) => tf.Tensor2D;

/** LayerNorm of x [..., d] with gain/bias [d]. */
export function layerNormFast(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D): tf.Tensor {
  const d = x.shape[x.rank - 1];
  if (gamma.shape[0] !== d || beta.shape[0] !== d) throw new Error(`layerNorm: gain/bias [${gamma.shape}]/[${beta.shape}] do not match width ${d}`);
  const y = lnOp((x.rank === 2 ? x : x.reshape([-1, d])) as tf.Tensor2D, gamma, beta);
  return x.rank === 2 ? y : y.reshape(x.shape);
}
