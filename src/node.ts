/**
 * The Node-only pieces of the library that src/browser.ts leaves out, for a consumer who wants the core plus files but
 * not the experiments and reports (package export `seqpe-ts/node`): the engine choice (src/backend.ts), weights folders
 * and atomic writes, training checkpoints and the training loop, the project paths. src/index.ts exports all of it too.
 */
export * from './browser';
export * from './backend';
export * from './util/paths';
export * from './util/atomic-write';
export {
  saveWeights,
  loadWeights,
  loadWeightsInto,
  readManifest,
  saveWeightsOf,
  loadWeightsOf,
} from './encodings/weights-io';
export * from './train/index';
