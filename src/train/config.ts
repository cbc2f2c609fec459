/** What a training run is told: its length, seed, optimiser, schedule, clipping, checkpoints and progress. */
import type { ProgressOptions, StepReport } from './progress';
import { checkSchedule, type ScheduleKind } from './schedule';

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

export function checkConfig(c: TrainConfig): void {
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
