/**
 * The kernel interface: every tensor primitive that the models, the position encodings (SeqPE's encoder included), the
 * losses and the evaluators share. One set is installed per engine by src/backend.ts (see ./index.ts); a member can be
 * swapped for a faster one (a fused wasm kernel, a WebGPU shader) without touching a call site, as long as it keeps the
 * contract written here. Shapes in comments; every member is differentiable unless it says otherwise.
 */
import type * as tf from '@tensorflow/tfjs';

export type GeluKind = 'tanh' | 'erf';

/** Integer targets given as host values (the fast path) or as an int32 tensor (read back once). */
export type IntArrayLike = Int32Array | readonly number[];

export interface Kernels {
  /** Which set this is, for logs and tests ('reference', 'tuned', 'tuned+wasm-js', …). */
  readonly name: string;
  /** a @ b for rank-2, -3 or -4 operands with equal batch dims (no broadcasting, no transpose flags). */
  matMul<T extends tf.Tensor>(a: T, b: tf.Tensor): T;
  /** a @ b for rank-3/4 operands with equal batch dims: the attention products [B, H, S, ·] @ [B, H, ·, S]. */
  batchMatMul<T extends tf.Tensor>(a: T, b: tf.Tensor): T;
  /** x [..., in] @ w [in, out] (+ b [out]) → [..., out]. */
  linear(x: tf.Tensor, w: tf.Tensor2D, b?: tf.Tensor1D): tf.Tensor;
  /** LayerNorm over the last axis: x [..., d], gain/bias [d], eps default 1e-5. */
  layerNorm(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps?: number): tf.Tensor;
  /** GELU: 'tanh' = GPT-2's gelu_new approximation, 'erf' = the exact form. */
  gelu(x: tf.Tensor, kind: GeluKind): tf.Tensor;
  /**
   * Inverted dropout with an explicit integer seed: each value kept with probability 1 − rate and scaled by 1/(1 − rate).
   * Same seed, same shape, same engine → same mask. rate in (0, 1).
   */
  dropout<T extends tf.Tensor>(x: T, rate: number, seed: number): T;
  /** Embedding lookup: ids [...] int32 in [0, V), table [V, D] → [..., D] (ids are not checked here: see checks.ts). */
  embedding(ids: tf.Tensor, table: tf.Tensor2D): tf.Tensor;
  /** Rows of a matrix by host indices: x [R, C], idx → [idx.length, C]; the gradient scatter-adds into x's rows. */
  gatherRows(x: tf.Tensor2D, idx: Int32Array): tf.Tensor2D;
  /** Softmax over the last axis of logits + mask (an additive mask broadcast against the logits; null/undefined: none). */
  softmax(logits: tf.Tensor, mask?: tf.Tensor | null): tf.Tensor;
  /**
   * Mean (or weighted-mean) negative log-likelihood of integer targets under softmax(logits):
   * logits [N, V], targets [N] in [0, V), weights [N] ≥ 0 not all zero (default all 1) → scalar.
   */
  softmaxCrossEntropy(
    logits: tf.Tensor2D,
    targets: IntArrayLike | tf.Tensor,
    weights?: Float32Array | readonly number[] | tf.Tensor,
  ): tf.Scalar;
}
