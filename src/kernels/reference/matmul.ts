/** Reference products: stock tf.matMul, differentiated by tfjs's own autodiff (its gradient uses transpose flags). */
import * as tf from '@tensorflow/tfjs';
import { checkBatchOperands, checkLinear } from '../checks';

export function matMul<T extends tf.Tensor>(a: T, b: tf.Tensor): T {
  return tf.matMul(a as unknown as tf.Tensor3D, b as tf.Tensor3D) as unknown as T;
}

export function batchMatMul<T extends tf.Tensor>(a: T, b: tf.Tensor): T {
  checkBatchOperands(a, b);
  return matMul(a, b);
}

/** x [..., in] @ w [in, out] (+ b [out]); leading dims are flattened into one 2-D product. */
export function linear(x: tf.Tensor, w: tf.Tensor2D, b?: tf.Tensor1D): tf.Tensor {
  checkLinear(x, w, b);
  return tf.tidy(() => {
    const [inDim, outDim] = w.shape;
    let y: tf.Tensor = tf.matMul(x.reshape([-1, inDim]) as tf.Tensor2D, w); // [N, out]
    if (b) y = y.add(b);
    return y.reshape([...x.shape.slice(0, -1), outDim]);
  });
}
