/**
 * The public API in one file: everything a notebook, script or user needs, by layer (bottom to top), plus the chapter
 * preamble. tslab imports it as `import { … } from './src/index'` (notebooks/src is a symlink to ../src).
 */
import * as path from 'path';
import { describeBackend, initBackend, type BackendInfo } from './backend';
import { getProfile, type Profile, type ProfileName } from './experiments/profiles';
import { PROJECT_ROOT } from './util/paths';
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
export * from './experiments/run-weights';
export * from './experiments/runners/lm';
// A QA run's result is QaRunResult here (eval/qa's QaResult is one evaluation).
export { runQa, type QaLengthResult, type QaResult as QaRunResult } from './experiments/runners/qa';
export * from './experiments/runners/vit';

/** What every chapter starts with (see startChapter). */
export interface Chapter {
  backend: BackendInfo;
  /** The size profile in use: SEQPE_PROFILE when set, else the profile the chapter was committed at. */
  profile: Profile;
  /** The profile the chapter's committed outputs were computed at (its `startChapter({ committed })`). */
  committed: ProfileName;
  /**
   * Whether this kernel writes to the scratch folder (.scratch/ at the project root, git-ignored) instead of results/
   * and figures/: true when the profile differs from the committed one, unless SEQPE_RESULTS_DIR / SEQPE_FIGURES_DIR
   * were set by the caller.
   */
  scratch: boolean;
  /** Show a figure inline and save it as figures/notebooks/<name>.png + .html (under SEQPE_FIGURES_DIR when set). */
  showAndSave(fig: Figure, name: string, size: { width: number; height: number }): Promise<void>;
  /** Show a figure the experiment reports wrote to figures/<profile>/: its PNG and its interactive spec. */
  showSavedFigure(name: string): void;
}

export interface ChapterOptions {
  /**
   * The profile the chapter's committed outputs were computed at. Run All in Jupyter then reproduces them (reusing
   * the cached runs in results/); SEQPE_PROFILE overrides it, and a different profile writes to the scratch folder.
   */
  committed?: ProfileName;
}

/** The git-ignored folder where runs at a profile other than a chapter's committed one write (results, figures). */
export const SCRATCH_DIR = path.join(PROJECT_ROOT, '.scratch');

/** The chapter preamble: starts the engine, picks the profile, prints both, and returns the figure helpers. */
export async function startChapter(o: ChapterOptions = {}): Promise<Chapter> {
  const backend = await initBackend();
  const committed = getProfile(o.committed ?? 'quick').name;
  const env = process.env.SEQPE_PROFILE;
  const profile = getProfile(env && env.trim() !== '' ? env : committed);
  let scratch = false;
  if (profile.name !== committed) {
    // Never over the committed outputs: runs at another profile write their results and figures to .scratch/.
    if (!process.env.SEQPE_RESULTS_DIR) process.env.SEQPE_RESULTS_DIR = path.join(SCRATCH_DIR, 'results');
    if (!process.env.SEQPE_FIGURES_DIR) process.env.SEQPE_FIGURES_DIR = path.join(SCRATCH_DIR, 'figures');
    scratch = true;
  }
  console.log(describeBackend(backend));
  const from = profile.name === committed ? 'the profile this chapter was committed at' : `SEQPE_PROFILE=${env}`;
  console.log(`profile: ${profile.name} (${from}) — ${profile.caveat}`);
  if (scratch) {
    const rel = (p: string) => path.relative(PROJECT_ROOT, p) || '.';
    console.log(`this chapter was committed at '${committed}': writing results to ${rel(process.env.SEQPE_RESULTS_DIR!)} and figures to ${rel(process.env.SEQPE_FIGURES_DIR!)}`);
  }
  const figuresRoot = process.env.SEQPE_FIGURES_DIR ? path.resolve(process.env.SEQPE_FIGURES_DIR) : path.join(PROJECT_ROOT, 'figures');
  return {
    backend,
    profile,
    committed,
    scratch,
    showAndSave: (fig, name, size) => showAndSaveFigure(fig, path.join(figuresRoot, 'notebooks', name), size),
    showSavedFigure: (name) => showImageFile(path.join(figuresDir(profile), `${name}.png`)),
  };
}
