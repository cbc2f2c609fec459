/**
 * The public API in one file: everything a notebook, script or user needs, by layer (bottom to top), plus the chapter
 * preamble. tslab imports it as `import { … } from './src/index'` (notebooks/src is a symlink to ../src).
 */
import * as path from 'path';
import { describeBackend, initBackend, type BackendInfo } from './backend';
import { getProfile, type Profile } from './experiments/profiles';
import { figuresDir } from './experiments/reports';
import { type Figure } from './report/figure';
import { showAndSaveFigure, showImageFile } from './report/notebook';

export * from './util/rng';
export * from './util/paths';
export * from './backend';
export * from './kernels/index';
export * from './positions/index';
export * from './data/index';
export * from './losses/index';
export * from './encodings/index';
// Weights folders are Node-only, so encodings/index (which the browser entry shares) leaves them out.
export { saveWeights, loadWeights, loadWeightsInto, readManifest, saveWeightsOf, loadWeightsOf } from './encodings/weights-io';
export * from './util/safetensors';
// interpolate.ts's cubicKernel is the same kernel as data/resize.ts's (exported through data/index).
export { linearTaps, cubicTaps, tapsMatrix, resizeLinear1d, resizeBicubic2d, type Taps } from './encodings/interpolate';
export * from './report/index';
export * from './models/index';
// Both layers name a `dropout`: the public one is the models' training dropout (rate, training flag, run Rng).
export { dropout } from './models/index';
export * from './train/index';
export * from './eval/similarity';
export * from './eval/perplexity';
export * from './eval/accuracy';
export * from './eval/qa';
export * from './experiments/profiles';
export * from './experiments/configs';
export * from './experiments/catalog';
export * from './experiments/cache';
export * from './experiments/run';
export * from './experiments/reports';
export * from './experiments/runners/lm';
// A QA run's result is QaRunResult here (eval/qa's QaResult is one evaluation).
export { runQa, type QaLengthResult, type QaResult as QaRunResult } from './experiments/runners/qa';
export * from './experiments/runners/vit';

/** What every chapter starts with (see startChapter). */
export interface Chapter {
  backend: BackendInfo;
  /** The size profile chosen by SEQPE_PROFILE when the kernel started (default 'quick'). */
  profile: Profile;
  /** Show a figure inline and save it as figures/notebooks/<name>.png + .html. */
  showAndSave(fig: Figure, name: string, size: { width: number; height: number }): Promise<void>;
  /** Show a PNG that the experiment reports wrote to figures/<profile>/ (the interactive .html sits next to it). */
  showSavedFigure(name: string): void;
}

/** The chapter preamble: starts the engine, picks the profile, prints both, and returns the figure helpers. */
export async function startChapter(): Promise<Chapter> {
  const backend = await initBackend();
  const profile = getProfile(process.env.SEQPE_PROFILE ?? 'quick');
  console.log(describeBackend(backend));
  console.log(`profile: ${profile.name} — ${profile.caveat}`);
  return {
    backend,
    profile,
    showAndSave: (fig, name, size) => showAndSaveFigure(fig, `figures/notebooks/${name}`, size),
    showSavedFigure: (name) => showImageFile(path.join(figuresDir(profile), `${name}.png`)),
  };
}
