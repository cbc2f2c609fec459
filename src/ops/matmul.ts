/**
 * Matrix products whose gradients use explicit transposes.
 * tfjs's built-in matMul gradient passes transposeA/transposeB flags, which hit a path 10–20× slower on wasm
 * (stack-notes §1); an explicit tf.transpose followed by a plain matMul is fast.
 */
import * as tf from '@tensorflow/tfjs';

function swapLast(rank: number): number[] {
  const p = Array.from({ length: rank }, (_, i) => i);
  p[rank - 1] = rank - 2;
  p[rank - 2] = rank - 1;
  return p;
}

/** a @ b for rank-2, -3 or -4 tensors with equal batch dims. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const matMul = tf.customGrad(((a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: tf.matMul(a as tf.Tensor3D, b as tf.Tensor3D),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sa, sb] = saved;
      return [
        tf.matMul(dy as tf.Tensor3D, tf.transpose(sb, swapLast(sb.rank)) as tf.Tensor3D),
        tf.matMul(tf.transpose(sa, swapLast(sa.rank)) as tf.Tensor3D, dy as tf.Tensor3D),
      ];
    },
  };
}) as any) as <T extends tf.Tensor>(a: T, b: tf.Tensor) => T;

/** x [..., in] @ w [in, out] (+ b [out]) for x of any rank ≥ 2: flattens leading dims into one 2-D product. */
export function linear(x: tf.Tensor, w: tf.Tensor2D, b?: tf.Tensor1D): tf.Tensor {
  const inDim = w.shape[0];
  const outDim = w.shape[1];
  if (x.shape[x.rank - 1] !== inDim) {
    throw new Error(`linear: input last dim ${x.shape[x.rank - 1]} does not match weight [${w.shape}]`);
  }
  const lead = x.shape.slice(0, -1);
  const x2 = x.rank === 2 ? (x as tf.Tensor2D) : x.reshape([-1, inDim]) as tf.Tensor2D;
  let y: tf.Tensor = matMul(x2, w);
  if (b) y = y.add(b);
  return x.rank === 2 ? y : y.reshape([...lead, outDim]);
}
