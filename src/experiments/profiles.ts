/**
 * Experiment sizes. The paper's protocol (spec §2–§4) scaled to three budgets:
 * - quick: exercises every code path in minutes (CI, tests). Its numbers are MEANINGLESS and labelled so.
 * - small: the reproduction on a 2-core CPU (≤ 60 min wall for everything, both cores busy).
 * - paper: the paper's hyper-parameters (GPT-2 small at 512 tokens, ViT-S/16) for users with tfjs-node-gpu.
 * - gpu: the LM table at the scale where the paper's LM effect shows clearly (d 128 × 4 layers, trained at 128 tokens for
 *   4 000 steps, evaluated to 32× = 4 096), for one GPU through the WebGPU engine (SEQPE_BACKEND=webgpu, several runs
 *   packed into parallel processes: scripts/gpu/). Its QA and ViT parts are the small profile's, scaled to its length.
 *
 * Ratios follow the paper: LM evaluated at 1×…32× its training length; QA fine-tuned at 2× the LM length and evaluated up
 * to 16× that; ViT trained on a 7×7 patch grid (28 px, 4 px patches) and evaluated up to 21×21 (3× per side, as
 * 224 → 672 in the paper).
 */
export type ProfileName = 'quick' | 'small' | 'paper' | 'gpu';
export const PROFILE_NAMES: readonly ProfileName[] = ['quick', 'small', 'paper', 'gpu'];

export interface LmProfile {
  dModel: number;
  layers: number;
  heads: number;
  dropout: number;
  seqLen: number;
  batch: number;
  steps: number;
  lr: number;
  warmup: number;
  /** Evaluation lengths (multiples of seqLen). */
  evalLengths: number[];
  /** Test tokens scored per evaluation length. */
  evalTokens: number;
  /** SeqPE's position range (exclusive) and encoder width. */
  seqpeMaxPosition: number;
  seqpeWidth: number;
  /** Regulariser sample sizes (spec: 16 × 32 for both). */
  ctBatch: number;
  ctSize: number;
  trBatch: number;
  trSize: number;
  shiftPool: number;
}

export interface QaProfile {
  /** Fine-tuning length (2× the LM's). */
  length: number;
  steps: number;
  batch: number;
  lr: number;
  trainExamples: number;
  evalLengths: number[];
  evalExamples: number;
  shiftPool: number;
}

export interface VitProfile {
  dModel: number;
  layers: number;
  heads: number;
  dropout: number;
  trainImages: number;
  testImages: number;
  nativeSize: number;
  patch: number;
  batch: number;
  steps: number;
  lr: number;
  warmup: number;
  weightDecay: number;
  evalSizes: number[];
  seqpeMaxPosition: number;
  seqpeWidth: number;
  ctBatch: number;
  ctSize: number;
  trBatch: number;
  trSize: number;
  shiftPool: number;
}

export interface Profile {
  name: ProfileName;
  /** Seeds per table cell. */
  seeds: number[];
  /** Seeds per ablation cell (ablations may use fewer; the trade-off is stated in REPRODUCTION.md). */
  ablationSeeds: number[];
  lm: LmProfile;
  qa: QaProfile;
  vit: VitProfile;
  /** Shown next to every number of this profile. */
  caveat: string;
}

const mult = (base: number, ks: number[]): number[] => ks.map((k) => base * k);

/** The small profile's ViT, also used unchanged by the gpu profile (issue 13 scales the LM only). */
const SMALL_VIT: VitProfile = {
  // 8 000 steps (20× the first profile): at 4 000 the APE baseline ended at 93.6–94.8 % with its training loss still
  // falling (four lr/warm-up variants, scripts/vit-recipe.ts), short of the ≥ 95 % a competent MNIST ViT reaches.
  // 1 000 test images: with 500, accuracy moved by about ±1 % between evaluations.
  dModel: 64, layers: 2, heads: 4, dropout: 0, trainImages: 20000, testImages: 1000, nativeSize: 28, patch: 4,
  batch: 32, steps: 8000, lr: 2e-3, warmup: 800, weightDecay: 0.05, evalSizes: [28, 40, 48, 56, 72, 84],
  // Objective samples halved from the paper's 32×64 (contrastive) and 32×64 (distillation) to fit the CPU budget.
  seqpeMaxPosition: 10000, seqpeWidth: 64, ctBatch: 16, ctSize: 32, trBatch: 16, trSize: 32, shiftPool: 320,
};

export const PROFILES: Record<ProfileName, Profile> = {
  quick: {
    name: 'quick',
    seeds: [1],
    ablationSeeds: [1],
    lm: {
      dModel: 32, layers: 1, heads: 2, dropout: 0, seqLen: 32, batch: 4, steps: 12, lr: 3e-3, warmup: 2,
      evalLengths: mult(32, [1, 2, 4]), evalTokens: 1024,
      seqpeMaxPosition: 1000, seqpeWidth: 32, ctBatch: 4, ctSize: 8, trBatch: 4, trSize: 8, shiftPool: 16,
    },
    qa: { length: 128, steps: 6, batch: 2, lr: 1e-3, trainExamples: 16, evalLengths: [128, 256], evalExamples: 4, shiftPool: 8 },
    vit: {
      dModel: 32, layers: 1, heads: 2, dropout: 0, trainImages: 256, testImages: 64, nativeSize: 28, patch: 4, batch: 16,
      steps: 12, lr: 2e-3, warmup: 2, weightDecay: 0.05, evalSizes: [28, 40],
      seqpeMaxPosition: 10000, seqpeWidth: 32, ctBatch: 4, ctSize: 8, trBatch: 4, trSize: 8, shiftPool: 16,
    },
    caveat: 'quick profile: a few steps on tiny models to exercise the code paths; the numbers are meaningless',
  },
  small: {
    name: 'small',
    seeds: [1, 2],
    // Two seeds everywhere (issue 10): single SeqPE runs at this scale can land in two different regimes.
    ablationSeeds: [1, 2],
    // Ten times the first small profile's training (600 → 6 000 LM steps, 150 → 1 500 QA steps, 400 → 8 000 ViT steps):
    // at 1× no encoding separated from another (REPRODUCTION.md, "how the verdicts change with training length").
    lm: {
      dModel: 64, layers: 2, heads: 4, dropout: 0, seqLen: 64, batch: 16, steps: 6000, lr: 2e-3, warmup: 600,
      evalLengths: mult(64, [1, 2, 4, 8, 16, 32]), evalTokens: 8192,
      seqpeMaxPosition: 4096, seqpeWidth: 64, ctBatch: 16, ctSize: 32, trBatch: 16, trSize: 32, shiftPool: 320,
    },
    qa: {
      length: 128, steps: 1500, batch: 16, lr: 1e-3, trainExamples: 2000, evalLengths: [128, 256, 512, 1024, 2048],
      evalExamples: 32, shiftPool: 160,
    },
    vit: SMALL_VIT,
    caveat: 'small profile: models of ~0.1 M parameters trained for minutes on CPU; compare shapes, not digits, with the paper',
  },
  paper: {
    name: 'paper',
    seeds: [10086],
    ablationSeeds: [10086],
    lm: {
      dModel: 768, layers: 12, heads: 12, dropout: 0.1, seqLen: 512, batch: 32, steps: 100000, lr: 5e-5, warmup: 4000,
      evalLengths: mult(512, [1, 2, 4, 8, 16, 32]), evalTokens: 1 << 20,
      seqpeMaxPosition: 20000, seqpeWidth: 768, ctBatch: 16, ctSize: 32, trBatch: 16, trSize: 32, shiftPool: 320,
    },
    qa: {
      length: 1024, steps: 10000, batch: 16, lr: 5e-5, trainExamples: 20000, evalLengths: [1024, 2048, 4096, 8192, 16384],
      evalExamples: 500, shiftPool: 160,
    },
    vit: {
      dModel: 384, layers: 12, heads: 6, dropout: 0, trainImages: 60000, testImages: 10000, nativeSize: 28, patch: 4,
      batch: 256, steps: 100000, lr: 1.2e-3, warmup: 5000, weightDecay: 0.05, evalSizes: [28, 40, 48, 56, 72, 84],
      seqpeMaxPosition: 10000, seqpeWidth: 384, ctBatch: 32, ctSize: 64, trBatch: 32, trSize: 64, shiftPool: 320,
    },
    caveat: 'paper profile: the paper’s model sizes and step counts (needs tfjs-node-gpu and days of compute); data are still the offline stand-ins',
  },
  gpu: {
    name: 'gpu',
    // The small LM table's seeds and methods (configs.ts lmMethods), at 4× the width·depth and 2× the length.
    seeds: [1, 2],
    ablationSeeds: [1, 2],
    lm: {
      // lr 1e-3 (small: 2e-3 at d 64): the wider, deeper model with the same warm-up share (10 %).
      dModel: 128, layers: 4, heads: 4, dropout: 0, seqLen: 128, batch: 32, steps: 4000, lr: 1e-3, warmup: 400,
      evalLengths: mult(128, [1, 2, 4, 8, 16, 32]), evalTokens: 16384,
      // 4 096 ≥ 32 × 128: every evaluated position (0 … 4 094) is inside SeqPE's digit range.
      seqpeMaxPosition: 4096, seqpeWidth: 128, ctBatch: 16, ctSize: 32, trBatch: 16, trSize: 32, shiftPool: 320,
    },
    qa: {
      length: 256, steps: 1500, batch: 16, lr: 1e-3, trainExamples: 2000, evalLengths: [256, 512, 1024, 2048, 4096],
      evalExamples: 32, shiftPool: 160,
    },
    vit: { ...SMALL_VIT, evalSizes: [...SMALL_VIT.evalSizes] },
    caveat: 'gpu profile: LMs of ~0.8 M parameters trained for 4 000 steps on one GPU through WebGPU; compare shapes, not digits, with the paper',
  },
};

export function getProfile(name: string): Profile {
  if (!(PROFILE_NAMES as readonly string[]).includes(name)) {
    throw new Error(`unknown profile ${JSON.stringify(name)}; expected one of ${PROFILE_NAMES.join(', ')}`);
  }
  return PROFILES[name as ProfileName];
}
