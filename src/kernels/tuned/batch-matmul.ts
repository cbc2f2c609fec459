/**
 * Batched matrix product for the attention core ([batch, heads, S, ·] @ [batch, heads, ·, S]) with a gradient that uses
 * the same forward product and explicit rank-3/4 transposes (never transposeA/B flags), choosing per operand the variant
 * that moves fewer elements through transposes. The forward product is a parameter: tf.matMul here, a faster engine
 * kernel where one is registered (src/kernels/wasm-js/batch-matmul-views.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { checkBatchOperands } from '../checks';
import { transposeLast as T } from '../transpose';

/** A forward-only product with tf.matMul's shapes (rank-3/4 operands with equal batch dims, already checked). */
export type RawProduct = <R extends tf.Tensor>(a: R, b: tf.Tensor) => R;

export const tfMatMulRaw: RawProduct = <R extends tf.Tensor>(a: R, b: tf.Tensor): R =>
  tf.matMul(a as unknown as tf.Tensor3D, b as tf.Tensor3D) as unknown as R;

const last2 = (x: tf.Tensor): number => x.shape[x.rank - 1] * x.shape[x.rank - 2];

/**
 * da = dy bᵀ, or (b dyᵀ)ᵀ; db = aᵀ dy, or (dyᵀ a)ᵀ — whichever moves fewer elements through transposes (a transpose
 * costs about as much as a product on wasm). E.g. for out = P v in attention, db = Pᵀ dO transposes the [S, S]
 * probabilities while (dOᵀ P)ᵀ only transposes two [S, d_h] tensors.
 */
export function makeBatchMatMul(raw: RawProduct): <R extends tf.Tensor>(a: R, b: tf.Tensor) => R {
  const gradA = (a: tf.Tensor, b: tf.Tensor, dy: tf.Tensor): tf.Tensor =>
    last2(b) <= last2(dy) + last2(a) ? raw(dy, T(b)) : T(raw(b, T(dy)));
  const gradB = (a: tf.Tensor, b: tf.Tensor, dy: tf.Tensor): tf.Tensor =>
    last2(a) <= last2(dy) + last2(b) ? raw(T(a), dy) : T(raw(T(dy), a));
  const op = tf.customGrad(((a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
    save([a, b]);
    return {
      value: raw(a, b),
      gradFunc: (dy: tf.Tensor, [sa, sb]: tf.Tensor[]) => [gradA(sa, sb, dy), gradB(sa, sb, dy)],
    };
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
  }) as any) as <R extends tf.Tensor>(a: R, b: tf.Tensor) => R;
  return <R extends tf.Tensor>(a: R, b: tf.Tensor): R => {
    checkBatchOperands(a, b);
    return op(a, b);
  };
}

export const batchMatMul = makeBatchMatMul(tfMatMulRaw);
