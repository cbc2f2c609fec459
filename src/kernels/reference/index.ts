/**
 * The reference kernel set: textbook formulas on stock tfjs ops, differentiated by tfjs's autodiff. It is the test oracle
 * for every faster set and the portable fallback for an engine nothing was tuned for. Slow on wasm (transpose-flag
 * matMul gradients, the tanh kernel, Sum over axis 0: see docs/engine-notes.md) — correct everywhere.
 */
import type { Kernels } from '../types';
import { softmaxCrossEntropy } from './cross-entropy';
import { dropout } from './dropout';
import { embedding, gatherRows } from './embedding';
import { gelu, layerNorm, softmax } from './layers';
import { batchMatMul, linear, matMul } from './matmul';

export const referenceKernels: Kernels = {
  name: 'reference',
  matMul,
  batchMatMul,
  linear,
  layerNorm,
  gelu,
  dropout,
  embedding,
  gatherRows,
  softmax,
  softmaxCrossEntropy,
};
