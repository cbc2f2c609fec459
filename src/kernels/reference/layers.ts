/** Reference position-wise layers, written as the textbook formulas and differentiated by tfjs's autodiff. */
import * as tf from '@tensorflow/tfjs';
import { checkLayerNorm } from '../checks';
import type { GeluKind } from '../types';

/** LayerNorm over the last axis via tf.moments. x [..., d], gamma/beta [d]. */
export function layerNorm(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps = 1e-5): tf.Tensor {
  checkLayerNorm(x, gamma, beta, eps);
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(x, -1, true);
    return x.sub(mean).mul(tf.rsqrt(variance.add(eps))).mul(gamma).add(beta);
  });
}

/** tanh: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) literally; erf: 0.5·x·(1 + erf(x/√2)). */
export function gelu(x: tf.Tensor, kind: GeluKind): tf.Tensor {
  if (kind !== 'tanh' && kind !== 'erf') throw new Error(`gelu: kind must be 'tanh' or 'erf', got ${JSON.stringify(kind)}`);
  return tf.tidy(() =>
    kind === 'tanh'
      ? x.mul(tf.tanh(x.add(x.mul(x).mul(x).mul(0.044715)).mul(Math.sqrt(2 / Math.PI))).add(1)).mul(0.5)
      : x.mul(tf.erf(x.mul(Math.SQRT1_2)).add(1)).mul(0.5),
  );
}

/** Softmax over the last axis of logits (+ an additive mask, broadcast). */
export function softmax(logits: tf.Tensor, mask?: tf.Tensor | null): tf.Tensor {
  return tf.tidy(() => tf.softmax(mask ? logits.add(mask) : logits, -1));
}
