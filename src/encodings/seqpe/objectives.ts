/**
 * SeqPE's own training objectives and the random position shift, as one per-step plan (spec §1.4–§1.8). The SeqPE
 * encoding builds them (SeqPE.objectives) with its encoder's own maxPosition, dimensionality and heads; the training
 * loop only asks for a plan and for named losses:
 *
 *   plan(step)  — draws this step's window (shifted or not), the contrastive pivots/candidates/labels and the
 *                 distillation students, and lists every extra position in ONE array for the encoder, in the order
 *                 [pivots (P) | candidates (P·N, pivot-major) | students (S·n, set-major)];
 *   losses(out) — splits the pass's `vectors.extra` rows back into those groups and computes
 *                 contrastive  L_δ   = contrastiveLoss(pivots, candidates, labels)        (every step)
 *                 distillation L_OOD = distillationLoss(vectors.main[teacher idx], students) (non-shifted steps; every
 *                                                                                   step with `distillation.everyStep`)
 *   The loop adds w_ct·L_δ + w_ood·L_OOD to the task loss, with each weight's warm-up schedule.
 *
 * Naming: the official code calls the second objective "transfer" (transfer_size, transfer_batch_size, the transfer
 * sampler); here it is "distillation" everywhere, and the translation happens once, where the sampler is built below.
 *
 * Random shift simplification: the official code gives each of `pe_main_batch_size` groups of a batch its own shifted
 * window; here one window per step is shared by the whole batch (the shift sampler is built with mainBatch = 1, so each
 * shifted step takes the next single pool window). The distribution of windows seen over training is the same; only
 * the per-batch mixing differs.
 */
import * as tf from '@tensorflow/tfjs';
import { contrastiveLoss } from '../../losses/contrastive';
import { distillationLoss } from '../../losses/distillation';
import { lossWeight } from '../../losses/weight-schedule';
import { ContrastiveSampler, type ContrastiveSamplerConfig, type ContrastiveSamplerState } from '../../positions/contrastive-sampler';
import type { Position } from '../../positions/digits';
import { ShiftSampler, type ShiftSamplerState } from '../../positions/shift-sampler';
import { TransferSampler, type TransferSamplerState } from '../../positions/transfer-sampler';
import type { Rng } from '../../util/rng';
import type { EncodingObjectives, EncodingOutput, LayoutStart, ObjectivePlan, ObjectiveTerm, PositionLayout } from '../types';

type ContrastiveSamplerOptions = Omit<ContrastiveSamplerConfig, 'dims' | 'maxPosition' | 'seed'>;

export interface ContrastiveObjectiveConfig extends ContrastiveSamplerOptions {
  /** w_ct (0.1 in the paper's scripts). */
  weight: number;
  /** Linear warm-up of the weight (0 = constant). */
  warmupSteps?: number;
  /**
   * Draw pivots and candidates from [0, positionRange) only (1-D; default: the encoder's whole range, as in every paper
   * run). Not a second maxPosition: a study knob, at most the encoder's, for training L_δ on a sub-range and measuring
   * what happens beyond it (notebooks 03 and 04).
   */
  positionRange?: number;
}

export interface DistillationObjectiveConfig {
  /** w_ood (0.1 in the paper's scripts; official: the transfer weight). */
  weight: number;
  warmupSteps?: number;
  /** Student/teacher sets per step (16 LM, 32 ViT; official: transfer_batch_size). */
  batchSize?: number;
  /** Positions per set (32 LM, 64 ViT; official: transfer_size). */
  setSize?: number;
  /** KL weight β (1). */
  beta?: number;
  /** Similarity logit scale (1). */
  scale?: number;
  /** Apply on shifted steps too, with the shifted window as teacher (the QA script's behaviour). Default false. */
  everyStep?: boolean;
}

export interface ShiftConfig {
  /** Probability that a step is shifted (0.1). */
  rate?: number;
  /** Pool of windows (320 LM/ViT, 160 QA). */
  poolSize?: number;
  restartSpan?: number;
}

/** SeqPE's objectives, inside its encoding config. Positions are drawn from [0, encoder.maxPosition). */
export interface SeqPEObjectivesConfig {
  contrastive?: ContrastiveObjectiveConfig;
  distillation?: DistillationObjectiveConfig;
  shift?: ShiftConfig;
}

/** What the objectives take from the encoder (never configured twice). */
export interface EncoderFacts {
  dims: 1 | 2;
  maxPosition: number;
  /** Heads the position vectors are split into for L_OOD: the encoder's own. */
  heads: number;
}

export const SEQPE_TERMS: readonly ObjectiveTerm[] = [
  { name: 'contrastive', label: 'L_δ (contrastive)' },
  { name: 'distillation', label: 'L_OOD (distillation)' },
];

export interface SeqPEStepPlan extends ObjectivePlan {
  contrastive?: { pivots: number; candidates: number; labels: number[] };
  distillation?: { sets: number; size: number; teacherIndices: number[] };
}

export interface SeqPEObjectivesState {
  contrastive?: ContrastiveSamplerState;
  distillation?: TransferSamplerState;
  shift?: ShiftSamplerState;
}

/** Whether a config asks for anything at all (a positive weight or a shift rate). */
export function hasObjectives(c: SeqPEObjectivesConfig | undefined): boolean {
  if (!c) return false;
  return (c.contrastive?.weight ?? 0) > 0 || (c.distillation?.weight ?? 0) > 0 || (!!c.shift && (c.shift.rate ?? 0.1) > 0);
}

export class SeqPEObjectives implements EncodingObjectives<SeqPEStepPlan> {
  readonly terms = SEQPE_TERMS;
  readonly dims: 1 | 2;
  /** Positions of the main layout at the origin (teacher indices point into these rows of vectors.main). */
  readonly layoutSize: number;
  private readonly origin: LayoutStart;
  private readonly ct?: ContrastiveSampler;
  private readonly ood?: TransferSampler;
  private readonly shift?: ShiftSampler;

  /**
   * @param mainLayout the task's layout at the origin (gives the training window/grid)
   * @param seeds      seeds of the three samplers
   */
  constructor(
    readonly config: SeqPEObjectivesConfig,
    readonly encoder: EncoderFacts,
    mainLayout: PositionLayout,
    seeds: { contrastive: number; distillation: number; shift: number },
  ) {
    for (const [k, w] of [['contrastive', config.contrastive?.weight], ['distillation', config.distillation?.weight]] as const) {
      if (w !== undefined && !(w >= 0 && Number.isFinite(w))) throw new Error(`SeqPE objectives: ${k}.weight must be a finite number ≥ 0, got ${w}`);
    }
    const dims = mainLayout.kind === '1d' ? 1 : 2;
    if (dims !== encoder.dims) {
      throw new Error(`SeqPE objectives: the task's layout is ${dims}-D but the encoder is ${encoder.dims}-D`);
    }
    this.dims = dims;
    const shape =
      mainLayout.kind === '1d' ? { trainLength: mainLayout.length } : { trainRows: mainLayout.rows, trainCols: mainLayout.cols };
    this.layoutSize = mainLayout.kind === '1d' ? mainLayout.length : mainLayout.rows * mainLayout.cols;
    this.origin = mainLayout.start;
    const { maxPosition } = encoder;
    const c = config.contrastive;
    if (c && c.weight > 0) {
      const { weight: _w, warmupSteps: _ws, positionRange, ...samplerCfg } = c;
      if (positionRange !== undefined && !(Number.isInteger(positionRange) && positionRange >= 1 && positionRange <= maxPosition && dims === 1)) {
        throw new Error(`SeqPE objectives: contrastive.positionRange must be an integer in [1, ${maxPosition}] (the encoder's maxPosition) for a 1-D encoder, got ${positionRange}`);
      }
      this.ct = new ContrastiveSampler({ ...samplerCfg, dims, maxPosition: positionRange ?? maxPosition, seed: seeds.contrastive });
    }
    const t = config.distillation;
    if (t && t.weight > 0) {
      // The one place the official "transfer" names appear: the sampler of student/teacher sets.
      this.ood = new TransferSampler({ dims, maxPosition, seed: seeds.distillation, batchSize: t.batchSize, transferSize: t.setSize, ...shape });
    }
    if (config.shift && (config.shift.rate ?? 0.1) > 0) {
      this.shift = new ShiftSampler({ dims, maxPosition, seed: seeds.shift, mainBatch: 1, ...config.shift, ...shape });
    }
  }

  /** Draws step `step`'s (1-based) window and objective samples. */
  plan(step: number): SeqPEStepPlan {
    const s = this.shift?.next();
    const shifted = !!s?.shifted;
    const start: LayoutStart = shifted ? s!.windows[0].start : this.origin;
    const extra: Position[] = [];
    const plan: SeqPEStepPlan = { step, shifted, start, extraPositions: extra, weights: {} };
    if (this.ct) {
      const b = this.ct.nextBatch();
      extra.push(...b.pivots);
      for (const cands of b.candidates) extra.push(...cands);
      plan.contrastive = { pivots: b.pivots.length, candidates: b.candidates[0].length, labels: b.labels };
      plan.weights.contrastive = lossWeight({ weight: this.config.contrastive!.weight, warmupSteps: this.config.contrastive!.warmupSteps }, step - 1);
    }
    if (this.ood && (!shifted || this.config.distillation!.everyStep)) {
      const b = this.ood.nextBatch();
      for (const set of b.studentPositions) extra.push(...set);
      plan.distillation = { sets: b.studentPositions.length, size: b.studentPositions[0].length, teacherIndices: b.teacherIndices.flat() };
      plan.weights.distillation = lossWeight({ weight: this.config.distillation!.weight, warmupSteps: this.config.distillation!.warmupSteps }, step - 1);
    }
    return plan;
  }

  /** L_δ and L_OOD of a step from the pass's position vectors (call inside the gradient scope). */
  losses(out: EncodingOutput, plan: SeqPEStepPlan): Record<string, tf.Scalar> {
    if (!plan.contrastive && !plan.distillation) return {};
    const main = out.vectors?.main;
    const extra = out.vectors?.extra;
    if (!main || !extra) {
      throw new Error(
        'SeqPE objectives need vectors.main and vectors.extra from the pass (was plan.extraPositions passed to apply?); ' +
          `got ${out.vectors ? `vectors {${Object.keys(out.vectors).join(', ')}}` : 'no vectors'}`,
      );
    }
    const n = plan.extraPositions.length;
    if (extra.rank !== 2 || extra.shape[0] !== n) {
      throw new Error(`SeqPE objectives: vectors.extra has shape [${extra.shape}], expected [${n}, outDim] for the ${n} extra positions`);
    }
    const d = extra.shape[1];
    const losses: Record<string, tf.Scalar> = {};
    let off = 0;
    if (plan.contrastive) {
      const { pivots: p, candidates: c, labels } = plan.contrastive;
      const piv = extra.slice([0, 0], [p, d]) as tf.Tensor2D; // [P, D]
      const cand = extra.slice([p, 0], [p * c, d]).reshape([p, c, d]) as tf.Tensor3D; // [P, N, D]
      losses.contrastive = contrastiveLoss(piv, cand, labels);
      off = p + p * c;
    }
    if (plan.distillation) {
      const { sets, size, teacherIndices } = plan.distillation;
      if (main.rank !== 2 || main.shape[0] !== this.layoutSize || main.shape[1] !== d) {
        throw new Error(`SeqPE objectives: vectors.main has shape [${main.shape}], expected [${this.layoutSize}, ${d}] (the main layout's positions)`);
      }
      const student = extra.slice([off, 0], [sets * size, d]).reshape([sets, size, d]) as tf.Tensor3D; // [S, n, D]
      const teacher = tf.gather(main, tf.tensor1d(teacherIndices, 'int32')).reshape([sets, size, d]) as tf.Tensor3D; // [S, n, D]
      const t = this.config.distillation!;
      losses.distillation = distillationLoss(teacher, student, this.encoder.heads, { beta: t.beta, scale: t.scale });
    }
    return losses;
  }

  getState(): SeqPEObjectivesState {
    return { contrastive: this.ct?.getState(), distillation: this.ood?.getState(), shift: this.shift?.getState() };
  }

  setState(state: unknown): void {
    const s = (state ?? {}) as SeqPEObjectivesState;
    const check = (name: string, has: boolean, st: unknown) => {
      if (has !== (st !== undefined)) {
        throw new Error(`SeqPE objectives: the checkpoint ${st ? 'has' : 'lacks'} ${name} sampler state but this run ${has ? 'uses' : 'does not use'} one`);
      }
    };
    check('contrastive', !!this.ct, s.contrastive);
    check('distillation', !!this.ood, s.distillation);
    check('shift', !!this.shift, s.shift);
    if (this.ct && s.contrastive) this.ct.setState(s.contrastive);
    if (this.ood && s.distillation) this.ood.setState(s.distillation);
    if (this.shift && s.shift) this.shift.setState(s.shift);
  }
}

/** Draws the three sampler seeds from the run's objective stream (always three draws, whatever is configured). */
export function drawObjectiveSeeds(rng: Rng): { contrastive: number; distillation: number; shift: number } {
  return { contrastive: rng.nextU32() | 0, distillation: rng.nextU32() | 0, shift: rng.nextU32() | 0 };
}
