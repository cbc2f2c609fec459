/**
 * TEMPORARY measurement switch (issue 9): SEQPE_FUSED=1 (or setFusedForMeasurement(true)) routes today's call sites
 * (models/layer-norm, models/gelu, models/cross-entropy, models/attention's softmax, ops/layers' layerNorm and
 * geluTanh, train/adamw) to the fused wasm kernels, so the bench can time them inside the real step. The kernel layer
 * will do this wiring properly; delete this file then.
 */
import * as tf from '@tensorflow/tfjs';

let flag = typeof process !== 'undefined' && process.env?.SEQPE_FUSED === '1';

export function fusedOn(): boolean {
  return flag && tf.getBackend() === 'wasm';
}

/** For A/B measurements in one process (scripts/profile-fused.ts). */
export function setFusedForMeasurement(on: boolean): void {
  flag = on;
}
