/** What a training run is told: its length, seed, optimiser, schedule, clipping, checkpoints and progress. */
import type { ProgressOptions, StepReport } from './progress';
import { checkSchedule, type ScheduleKind } from './schedule';
import { checkKeys, keysOf } from '../util/keys';

export interface TrainConfig {
  /** Total updates of the run; a resumed run continues up to this number. */
  steps: number;
  /** Seeds the data order, dropout and the SeqPE samplers. */
  seed: number;
  /** Base learning rate of the main model. */
  lr: number;
  /** Base learning rate of the position encoding ('pe' group). Default: lr. */
  peLr?: number;
  /** AdamW decoupled weight decay (params flagged decay only). Default 0. */
  weightDecay?: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** Default: constant lr, no warm-up. totalSteps defaults to `steps`. */
  schedule?: { kind: ScheduleKind; warmupSteps?: number; minRatio?: number; warmupInitRatio?: number; totalSteps?: number };
  /** Max global gradient norm per group; default 5 and 5 (spec §1.8). Infinity disables. */
  clip?: { main?: number; pe?: number };
  /** Write a checkpoint every `every` updates (and after the last). */
  checkpoint?: { path: string; every: number };
  /** Resume from this checkpoint; 'auto' = from checkpoint.path when that file exists. */
  resumeFrom?: string;
  progress?: ProgressOptions;
  /** Extra JSON stored in checkpoints (e.g. the experiment config). */
  meta?: Record<string, unknown>;
}

export interface TrainResult {
  /** Updates done before this call (0 for a fresh run). */
  startStep: number;
  /** Updates done in total. */
  steps: number;
  /** Reports of the updates run by this call. */
  reports: StepReport[];
  finalLoss: number;
  lastCheckpoint?: { path: string; step: number };
  seconds: number;
}

/** Every key a TrainConfig may have (typed against the interface, so the list cannot drift from it). */
const TRAIN_KEYS = keysOf<TrainConfig>({
  steps: 1, seed: 1, lr: 1, peLr: 1, weightDecay: 1, beta1: 1, beta2: 1, eps: 1, schedule: 1, clip: 1, checkpoint: 1, resumeFrom: 1, progress: 1, meta: 1,
});
const SCHEDULE_KEYS = keysOf<NonNullable<TrainConfig['schedule']>>({ kind: 1, warmupSteps: 1, minRatio: 1, warmupInitRatio: 1, totalSteps: 1 });
const CLIP_KEYS = keysOf<NonNullable<TrainConfig['clip']>>({ main: 1, pe: 1 });
const CHECKPOINT_KEYS = keysOf<NonNullable<TrainConfig['checkpoint']>>({ path: 1, every: 1 });
const PROGRESS_KEYS = keysOf<ProgressOptions>({ every: 1, mode: 1, stream: 1, jsonl: 1, onStep: 1 });

export function checkConfig(c: TrainConfig): void {
  // A misspelt key (`warmupStep`, `clip.mian`) would otherwise leave its setting at the default without a word.
  checkKeys('train', c, TRAIN_KEYS);
  if (c.schedule) checkKeys('train', c.schedule, SCHEDULE_KEYS, 'schedule');
  if (c.clip) checkKeys('train', c.clip, CLIP_KEYS, 'clip');
  if (c.checkpoint) checkKeys('train', c.checkpoint, CHECKPOINT_KEYS, 'checkpoint');
  if (c.progress) checkKeys('train', c.progress, PROGRESS_KEYS, 'progress');
  for (const k of ['steps', 'seed', 'lr', 'peLr', 'weightDecay', 'beta1', 'beta2', 'eps'] as const) {
    const v = c[k];
    if (v !== undefined && typeof v !== 'number') throw new Error(`train: ${k} is ${JSON.stringify(v)} (a ${typeof v}); expected a number`);
  }
  if (!Number.isInteger(c.steps) || c.steps < 1) throw new Error(`train: steps must be an integer ≥ 1, got ${c.steps}`);
  if (!Number.isInteger(c.seed)) throw new Error(`train: seed must be an integer, got ${c.seed}`);
  for (const [k, v] of [['lr', c.lr], ['peLr', c.peLr ?? c.lr]] as const) {
    if (!(v >= 0) || !Number.isFinite(v)) throw new Error(`train: ${k} must be a finite number ≥ 0, got ${v}`);
  }
  if (c.schedule) checkSchedule({ ...c.schedule, totalSteps: c.schedule.totalSteps ?? c.steps });
  for (const [k, v] of Object.entries(c.clip ?? {})) {
    if (!(typeof v === 'number' && v > 0)) throw new Error(`train: clip.${k} must be > 0 (Infinity = off), got ${v}`);
  }
  if (c.checkpoint) {
    if (!c.checkpoint.path) throw new Error('train: checkpoint.path is empty');
    if (!Number.isInteger(c.checkpoint.every) || c.checkpoint.every < 1) {
      throw new Error(`train: checkpoint.every must be an integer ≥ 1, got ${c.checkpoint.every}`);
    }
  }
}
