/**
 * The tuned kernel set: hand-written gradients that avoid the slow paths measured on wasm (transpose-flag products,
 * Sum over axis 0, tanh, autodiff through tf.moments) and are plain tfjs ops, so they are correct and no slower on any
 * other engine. Values equal the reference set's to float rounding (test/kernels/tuned.test.ts). Engine-specific members
 * (faster products, host-memory gathers) are layered on top by src/backend.ts.
 */
import { dropout } from '../reference/dropout';
import { gatherRows } from '../reference/embedding';
import { softmax } from '../reference/layers';
import type { Kernels } from '../types';
import { batchMatMul } from './batch-matmul';
import { softmaxCrossEntropy } from './cross-entropy';
import { linear } from './dense';
import { embedding } from './embedding';
import { gelu } from './gelu';
import { layerNorm } from './layer-norm';
import { matMul } from './matmul';

export const tunedKernels: Kernels = {
  name: 'tuned',
  matMul,
  batchMatMul,
  linear,
  layerNorm,
  gelu,
  // Shared with the reference: one seeded mask (no gradient of its own), one fused add-then-softmax, one device gather.
  dropout,
  embedding,
  gatherRows,
  softmax,
  softmaxCrossEntropy,
};
