/**
 * Matrix products whose gradients use explicit transposes. tfjs's built-in matMul gradient passes transposeA/transposeB
 * flags, which hit a path 10–20× slower on wasm (docs/engine-notes.md); an explicit tf.transpose followed by a plain
 * matMul is fast there and costs nothing elsewhere.
 */
import * as tf from '@tensorflow/tfjs';
import { transposeLast } from '../transpose';

/** a @ b for rank-2, -3 or -4 tensors with equal batch dims. */
export const matMul = tf.customGrad(((a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: tf.matMul(a as tf.Tensor3D, b as tf.Tensor3D),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sa, sb] = saved;
      return [
        tf.matMul(dy as tf.Tensor3D, transposeLast(sb) as tf.Tensor3D),
        tf.matMul(transposeLast(sa) as tf.Tensor3D, dy as tf.Tensor3D),
      ];
    },
  };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
}) as any) as <T extends tf.Tensor>(a: T, b: tf.Tensor) => T;
