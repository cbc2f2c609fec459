/**
 * Fully-connected layer y = x W (+ b) with a hand-written gradient tuned for wasm:
 *   dx = dy Wᵀ,   dW = xᵀ dy (or (dyᵀ x)ᵀ, whichever transposes less),   db = 1ᵀ dy
 * The bias gradient as a [1, N] @ [N, M] product is ~40× faster on wasm than tfjs's default (a Sum over axis 0, which
 * the wasm backend implements as a transpose followed by an inner-axis reduction); all products use explicit
 * transposes (no transposeA/B flags). Without a bias it is the explicit-transpose product of ./matmul.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { checkLinear } from '../checks';
import { matMul } from './matmul';

/** Σ over rows of a 2-D tensor as a product with a row of ones: [N, M] → [M]. */
export function sumRows(x: tf.Tensor2D): tf.Tensor1D {
  const [n, m] = x.shape;
  return tf.matMul(tf.ones([1, n]), x).reshape([m]) as tf.Tensor1D;
}

const denseOp = tf.customGrad(((x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, save: tf.GradSaveFunc) => {
  save([x, w]);
  return {
    value: tf.matMul(x, w).add(b),
    gradFunc: (dy: tf.Tensor, [sx, sw]: tf.Tensor[]) => {
      const d = dy as tf.Tensor2D;
      const x2 = sx as tf.Tensor2D;
      // dW = xᵀ dy, or (dyᵀ x)ᵀ when x is the wider operand: a transpose costs about as much as a product on wasm,
      // so transpose the smaller of x [N, in] and dy [N, out] (the result [in, out] is small either way).
      const dw = x2.shape[1] <= d.shape[1] ? tf.matMul(x2.transpose(), d) : tf.matMul(d.transpose(), x2).transpose();
      return [tf.matMul(d, sw.transpose() as tf.Tensor2D), dw, sumRows(d)];
    },
  };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
}) as any) as (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D) => tf.Tensor2D;

/** x [..., in] @ w [in, out] (+ b [out]) → [..., out]; leading dims are flattened into one product. */
export function linear(x: tf.Tensor, w: tf.Tensor2D, b?: tf.Tensor1D): tf.Tensor {
  checkLinear(x, w, b);
  const [inDim, outDim] = w.shape;
  const x2 = (x.rank === 2 ? x : x.reshape([-1, inDim])) as tf.Tensor2D;
  const y = b ? denseOp(x2, w, b) : matMul(x2, w);
  return x.rank === 2 ? y : y.reshape([...x.shape.slice(0, -1), outDim]);
}
