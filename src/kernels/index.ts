/**
 * One kernel layer, chosen per engine. Models, position encodings (the SeqPE encoder included), losses and evaluators
 * call the primitives exported here; src/backend.ts installs the engine's set once, when it picks the engine, so no call
 * site asks which engine it runs on.
 *
 *   engine       set                                  why
 *   wasm         tuned + wasm-js (views product,      hand gradients avoid wasm's slow paths; JS kernels fill its gaps
 *                host row gather, segment sum)
 *   cpu          tuned + host row gather              tensors live in host memory there too
 *   tensorflow   tuned                                plain tfjs ops, correct and no slower on libtensorflow
 *   (other)      reference                            portable autodiff (installKernels(referenceKernels))
 *
 * Before a set is installed, calling a kernel throws (it never silently falls back): await initBackend() first, or
 * install a set explicitly (tests do, to compare sets on one engine).
 */
import type * as tf from '@tensorflow/tfjs';
import type { GeluKind, IntArrayLike, Kernels } from './types';

export type { GeluKind, IntArrayLike, Kernels } from './types';
export { referenceKernels } from './reference/index';
export { tunedKernels } from './tuned/index';
export { checkTokenIds } from './checks';

let installed: Kernels | undefined;

/** Makes `set` the kernels every call site uses; returns the previous set (undefined if none). */
export function installKernels(set: Kernels): Kernels | undefined {
  const prev = installed;
  installed = set;
  return prev;
}

/** The installed set; throws if none is installed yet. */
export function kernels(): Kernels {
  if (!installed) {
    throw new Error('no kernel set is installed: await initBackend() (src/backend.ts) before running tensor code, or call installKernels(referenceKernels)');
  }
  return installed;
}

/**
 * Whether the engine can read tensor values synchronously (dataSync). False on webgpu in Node (no OffscreenCanvas):
 * code that keeps values on the host (the SeqPE eval cache) keeps them on the device instead. Set by src/backend.ts.
 */
let syncReadsOk = true;
export function setSyncReads(ok: boolean): void {
  syncReadsOk = ok;
}
export function syncReads(): boolean {
  return syncReadsOk;
}

/** The installed set's name, or undefined (for logs and tests; never branch on it). */
export function installedKernelsName(): string | undefined {
  return installed?.name;
}

// The call-site API: each forwards to the installed set at call time, so a swapped member takes effect everywhere.
export function matMul<T extends tf.Tensor>(a: T, b: tf.Tensor): T {
  return kernels().matMul(a, b);
}
export function batchMatMul<T extends tf.Tensor>(a: T, b: tf.Tensor): T {
  return kernels().batchMatMul(a, b);
}
export function linear(x: tf.Tensor, w: tf.Tensor2D, b?: tf.Tensor1D): tf.Tensor {
  return kernels().linear(x, w, b);
}
export function layerNorm(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps?: number): tf.Tensor {
  return kernels().layerNorm(x, gamma, beta, eps);
}
export function gelu(x: tf.Tensor, kind: GeluKind): tf.Tensor {
  return kernels().gelu(x, kind);
}
export function dropout<T extends tf.Tensor>(x: T, rate: number, seed: number): T {
  return kernels().dropout(x, rate, seed);
}
export function embedding(ids: tf.Tensor, table: tf.Tensor2D): tf.Tensor {
  return kernels().embedding(ids, table);
}
export function gatherRows(x: tf.Tensor2D, idx: Int32Array): tf.Tensor2D {
  return kernels().gatherRows(x, idx);
}
export function softmax(logits: tf.Tensor, mask?: tf.Tensor | null): tf.Tensor {
  return kernels().softmax(logits, mask);
}
export function softmaxCrossEntropy(
  logits: tf.Tensor2D,
  targets: IntArrayLike | tf.Tensor,
  weights?: Float32Array | readonly number[] | tf.Tensor,
): tf.Scalar {
  return kernels().softmaxCrossEntropy(logits, targets, weights);
}
