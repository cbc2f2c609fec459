/**
 * Every library import of the explorer, in one file: the page uses the library's own digits, encodings, losses, loop and
 * similarity measures, never copies. When the package's browser entry (src/browser.ts) lands, these lines become one
 * `export … from '../../src/browser'`.
 *
 * What the page pulls in still reaches a few Node built-ins (the training loop's checkpoint and progress files, the
 * weight files' paths): explorer/build.ts points `fs`, `path`, `crypto`, `os` and the checkpoint module at stubs that
 * throw if ever called, since the page never saves, resumes or touches a file.
 */
export * as tf from '@tensorflow/tfjs';
export { toDigits, fromDigits, encodeBatch, digitPositionIds, dimensionIds, capacity, digitCount, type DigitSpec, type Position } from '../../src/positions/digits';
export { checkInt } from '../../src/util/checks';
export { decodeSafetensors, encodeSafetensors, type NamedArray } from '../../src/util/safetensors';
export { installKernels, tunedKernels, installedKernelsName, type Kernels } from '../../src/kernels/index';
export { hostGatherRows } from '../../src/kernels/tuned/gather-rows';
export { wasmJsKernels } from '../../src/kernels/wasm-js/index';
export { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
export { createEncoding, type EncodingSpec } from '../../src/encodings/index';
export { SeqPE } from '../../src/encodings/seqpe/seqpe';
export { layoutPositions, type ModelDims, type PositionEncoding, type PositionLayout } from '../../src/encodings/types';
export { ParamStore } from '../../src/models/params';
export { adoptEncoding } from '../../src/models/shared';
export { EncodingOnly, encodingTask } from '../../src/train/encoding-task';
export { Trainer, type TrainConfig } from '../../src/train/loop';
export type { StepReport } from '../../src/train/progress';
export { similarityMap, distanceAwareness, gridRow, type SimilarityMap } from '../../src/eval/similarity';
