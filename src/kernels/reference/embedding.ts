/** Reference lookups: one-hot products and tf.gather, which train on every engine through stock autodiff. */
import * as tf from '@tensorflow/tfjs';
import { checkGatherRows } from '../checks';

/** oneHot(ids) @ table: ids [...] int32 → [..., d]. Needs no gather gradient kernel (UnsortedSegmentSum). */
export function embedding(ids: tf.Tensor, table: tf.Tensor2D): tf.Tensor {
  if (ids.dtype !== 'int32') throw new Error(`embedding: ids must be int32, got ${ids.dtype}`);
  return tf.tidy(() => {
    const [v, d] = table.shape;
    const oh = tf.oneHot(ids.reshape([-1]) as tf.Tensor1D, v).toFloat() as tf.Tensor2D; // [n, v]
    return tf.matMul(oh, table).reshape([...ids.shape, d]);
  });
}

/** tf.gather of rows: stays on the device, gradient by tfjs (UnsortedSegmentSum). */
export function gatherRows(x: tf.Tensor2D, idx: Int32Array): tf.Tensor2D {
  checkGatherRows(x, idx);
  return tf.tidy(() => tf.gather(x, tf.tensor1d(idx, 'int32')) as tf.Tensor2D);
}
