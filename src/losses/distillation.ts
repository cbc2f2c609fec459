/**
 * Out-of-distribution distillation L_OOD (SeqPE §1.7): students (positions beyond the training range) should reproduce
 * the similarity structure of teachers (the same pattern inside it).
 *
 * Per sample b and encoder head h, with E the head's slice of the embeddings of the n positions:
 *   P = softmax_row(E Eᵀ · scale)                         [n, n], diagonal included
 *   L = β · [ KLmean(P_T ‖ P_S) + KLmean(P_S ‖ P_T) ]
 *   KLmean(P ‖ Q) = mean over all B·H·n·n entries of P · (log P − log Q)
 * The teacher is detached: no gradient reaches it (the official code detaches the teacher's log-probabilities).
 * "mean over all entries" (PyTorch's kl_div default reduction) is about 1/n of the per-row KL; kept for fidelity.
 * Everything is computed from log-softmax for stability.
 */
import * as tf from '@tensorflow/tfjs';
import { matMul } from '../kernels/index';

export interface DistillationOptions {
  /** Weight β of the symmetric KL. Default 1. */
  beta?: number;
  /** Logit scale s of the similarity softmax. Default 1. */
  scale?: number;
}

/** Identity forward, zero gradient backward (tfjs has no stopGradient op). */
export const stopGradient = tf.customGrad(((x: tf.Tensor) => ({
  value: x.clone(),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
})) as any) as <T extends tf.Tensor>(x: T) => T;

/** [B, n, D] → per-head row-wise log-softmax of the similarity matrix, [B, H, n, n]. */
function headLogProbs(e: tf.Tensor3D, heads: number, scale: number): tf.Tensor4D {
  const [b, n, d] = e.shape;
  const dh = d / heads;
  const eh = e.reshape([b, n, heads, dh]).transpose([0, 2, 1, 3]); // [B, H, n, dh]
  const sim = matMul(eh, eh.transpose([0, 1, 3, 2])); // [B, H, n, n]
  return tf.logSoftmax(scale === 1 ? sim : sim.mul(scale)) as tf.Tensor4D;
}

/**
 * @param teacher [B, n, D] or [n, D] (broadcast over B); detached
 * @param student [B, n, D]
 * @param heads   H, must divide D
 * @returns scalar
 */
export function distillationLoss(
  teacher: tf.Tensor2D | tf.Tensor3D,
  student: tf.Tensor3D,
  heads: number,
  opts: DistillationOptions = {},
): tf.Scalar {
  const beta = opts.beta ?? 1;
  const scale = opts.scale ?? 1;
  if (!Number.isFinite(beta)) throw new Error(`distillationLoss: beta must be finite, got ${beta}`);
  if (!Number.isFinite(scale)) throw new Error(`distillationLoss: scale must be finite, got ${scale}`);
  if (student.rank !== 3) throw new Error(`distillationLoss: student must be [B, n, D], got shape [${student.shape}]`);
  const [, n, d] = student.shape;
  if (!Number.isInteger(heads) || heads < 1 || d % heads !== 0) {
    throw new Error(`distillationLoss: heads must be a positive integer dividing D = ${d}, got ${heads}`);
  }
  if (teacher.rank !== 2 && teacher.rank !== 3) {
    throw new Error(`distillationLoss: teacher must be [B, n, D] or [n, D], got shape [${teacher.shape}]`);
  }
  const tShape = teacher.shape.slice(-2);
  if (tShape[0] !== n || tShape[1] !== d || (teacher.rank === 3 && teacher.shape[0] !== student.shape[0])) {
    throw new Error(`distillationLoss: teacher [${teacher.shape}] does not match student [${student.shape}]`);
  }
  return tf.tidy(() => {
    const t3 = (teacher.rank === 2 ? teacher.expandDims(0) : teacher) as tf.Tensor3D; // [B|1, n, D]
    const logPT = headLogProbs(stopGradient(t3), heads, scale); // [B|1, H, n, n], no gradient
    const logPS = headLogProbs(student, heads, scale); // [B, H, n, n]
    const pT = tf.exp(logPT);
    const pS = tf.exp(logPS);
    const diff = logPT.sub(logPS); // broadcasts a [1, …] teacher over B
    const klTS = pT.mul(diff).mean(); // KLmean(P_T ‖ P_S)
    const klST = pS.mul(diff.neg()).mean(); // KLmean(P_S ‖ P_T)
    return klTS.add(klST).mul(beta) as tf.Scalar;
  });
}
