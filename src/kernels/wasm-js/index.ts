/**
 * JS kernels for the wasm backend: what tfjs-backend-wasm 4.22 lacks (UnsortedSegmentSum, the gradient of tf.gather)
 * or runs slowly (batched products, element-wise gathers), written in JS over the wasm heap. Fused kernels compiled to
 * wasm live elsewhere (src/kernels/wasm/); this folder holds only kernels registered from JS.
 */
import { hostGatherRows } from '../tuned/gather-rows';
import { makeBatchMatMul } from '../tuned/batch-matmul';
import type { Kernels } from '../types';
import { registerBatchMatMulViews, viewsMatMulRaw } from './batch-matmul-views';
import { registerUnsortedSegmentSum } from './segment-sum';

/**
 * Registers the JS kernels on the wasm backend and returns `base` with the wasm members swapped in: the batched
 * product through heap views (when the backend internals it needs are there) and the host-memory row gather.
 */
export function wasmJsKernels(base: Kernels): Kernels {
  registerUnsortedSegmentSum();
  const views = registerBatchMatMulViews();
  return {
    ...base,
    name: `${base.name}+wasm-js`,
    batchMatMul: views ? makeBatchMatMul(viewsMatMulRaw) : base.batchMatMul,
    gatherRows: hostGatherRows,
  };
}
