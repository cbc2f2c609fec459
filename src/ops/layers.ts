/** Small building blocks shared by the position encoder and the models. Shapes in comments. */
import * as tf from '@tensorflow/tfjs';
import { matMul } from './matmul';

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/**
 * GELU, tanh approximation (GPT-2's gelu_new): 0.5·x·(1 + tanh(u)) with u = √(2/π)·(x + 0.044715x³), computed as the
 * identical x·sigmoid(2u) because wasm's Tanh kernel is ~15× slower than Sigmoid (measured: 88 vs 6 ms on [6600, 512]).
 * x·x·x rather than pow: pow is slow on wasm.
 */
export function geluTanh(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const u2 = x.add(x.mul(x).mul(x).mul(0.044715)).mul(2 * SQRT_2_OVER_PI);
    return x.mul(tf.sigmoid(u2));
  });
}

/** GELU, exact erf form (the ViT's activation). */
export function geluErf(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => x.mul(tf.erf(x.mul(Math.SQRT1_2)).add(1)).mul(0.5));
}

/** LayerNorm over the last axis. x [..., d], gamma/beta [d]. */
export function layerNorm(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps = 1e-5): tf.Tensor {
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(x, -1, true);
    return x.sub(mean).mul(tf.rsqrt(variance.add(eps))).mul(gamma).add(beta);
  });
}

/**
 * Embedding lookup that trains on every backend: oneHot(ids) @ table.
 * (tf.gather's gradient needs UnsortedSegmentSum, which wasm lacks unless registered.)
 * ids [...] int32 → [..., d]
 */
export function embed(ids: tf.Tensor, table: tf.Tensor2D): tf.Tensor {
  return tf.tidy(() => {
    const [v, d] = table.shape;
    const flat = ids.reshape([-1]) as tf.Tensor1D;
    const oh = tf.oneHot(flat.toInt(), v).toFloat() as tf.Tensor2D; // [n, v]
    return matMul(oh, table).reshape([...ids.shape, d]);
  });
}

/** Softmax over the last axis with an additive mask already applied by the caller. */
export function softmaxLast(x: tf.Tensor): tf.Tensor {
  return tf.softmax(x, -1);
}
