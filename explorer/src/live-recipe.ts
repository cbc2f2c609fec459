/**
 * The live-training recipe, DOM-free so Node can run it too (test/explorer/live-recipe.test.ts): a fresh SeqPE encoder
 * trained on its own objectives through the library's one loop (EncodingOnly + encodingTask + Trainer), with notebook 03's
 * settings scaled to a page: width 32, 2 blocks, 2 heads, no dropout, 3 digits (positions < 1000), AdamW without decay
 * at lr 10⁻³ with a linear warm-up (50 steps, or a tenth of a shorter run) then a cosine decay, no clipping; L_δ with the
 * paper's 16 pivots × 32 candidates drawn from [0, range) (range ≥ 160, the sampler's shortest distributional window); optionally L_OOD with the training window [0, range) as teacher.
 */
import { EncodingOnly, encodingTask, SeqPE, Trainer, checkInt, type StepReport, type TrainConfig } from './lib';

export const LIVE_MAX_POSITION = 1000;
/** Positions the live map shows: 0 … MAP_EXTENT − 1. */
export const LIVE_MAP_EXTENT = 384;
/** The sampler's distributional window is at least 5 × 32 candidates long, so the range must hold it. */
export const LIVE_MIN_RANGE = 160;

const NO_STREAM = {
  write(): boolean {
    throw new Error('live training: the progress reporter wrote to its stream, but it runs silent');
  },
} as unknown as NodeJS.WritableStream;

export interface LiveOptions {
  seed: number;
  steps: number;
  /** Pivots and candidates come from [0, range); the map's part beyond it is what L_δ never saw. */
  range: number;
  /** Add L_OOD (teacher: the window [0, range)). */
  ood: boolean;
  onStep?: (r: StepReport) => void;
}

export interface LiveRun {
  encoding: SeqPE;
  trainer: Trainer<EncodingOnly, null>;
  dispose(): void;
}

export function checkLiveOptions(o: LiveOptions): void {
  checkInt('seed', o.seed, 0);
  checkInt('steps', o.steps, 1, 100000);
  checkInt('training range', o.range, LIVE_MIN_RANGE, LIVE_MAP_EXTENT - 2);
}

export function liveRun(o: LiveOptions): LiveRun {
  checkLiveOptions(o);
  const encoding = new SeqPE({ dModel: 32, heads: 2, layers: 1 }, {
    mode: 'input_add',
    seed: o.seed,
    encoder: { width: 32, heads: 2, layers: 2, maxPosition: LIVE_MAX_POSITION, residDropout: 0 },
    objectives: {
      // distRange: the paper's 256, or the whole range when it is shorter.
      contrastive: { weight: 1, positionRange: o.range, distRange: Math.min(256, o.range) },
      ...(o.ood ? { distillation: { weight: 1, batchSize: 8, setSize: 16 } } : {}),
    },
  });
  const model = new EncodingOnly(encoding);
  const config: TrainConfig = {
    steps: o.steps,
    seed: 1000 + o.seed,
    lr: 1e-3,
    peLr: 1e-3,
    eps: 1e-7,
    schedule: { kind: 'cosine', warmupSteps: Math.min(50, Math.floor(o.steps / 10)) },
    clip: { main: Infinity, pe: Infinity },
    // A page has no process.stderr (the reporter's default stream); silent mode never writes to this one.
    progress: { mode: 'silent', onStep: o.onStep, stream: NO_STREAM },
  };
  // L_δ alone needs no main window (one position, as notebook 03); L_OOD's teacher is the training window.
  const trainer = new Trainer(model, encodingTask({ kind: '1d', start: 0, length: o.ood ? o.range : 1 }), config);
  return {
    encoding,
    trainer,
    dispose() {
      trainer.dispose();
      model.dispose();
      encoding.dispose();
    },
  };
}

/** Mean of xs[from, to). */
export function meanOf(xs: number[], from: number, to: number): number {
  const s = xs.slice(from, to);
  if (s.length === 0) throw new Error(`meanOf: empty range [${from}, ${to}) of ${xs.length} values`);
  return s.reduce((a, b) => a + b, 0) / s.length;
}
