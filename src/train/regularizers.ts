/**
 * SeqPE's two regularisers and the random position shift, as one per-step plan (spec §1.4–§1.8):
 *
 *   plan(step)  — draws this step's window (shifted or not), the contrastive pivots/candidates/labels and the transfer
 *                 students, and lists every extra position in ONE array for the encoder, in the order
 *                 [pivots (P) | candidates (P·N, pivot-major) | students (S·n, set-major)];
 *   losses(enc) — splits the encoding's `extras.extra` rows back into those groups and computes
 *                 L_δ = contrastiveLoss(pivots, candidates, labels)            (every step)
 *                 L_OOD = distillationLoss(extras.pe[teacher idx], students)   (non-shifted steps; every step with
 *                                                                              `transfer.everyStep`, as the QA script)
 *   The loop adds w_ct·L_δ + w_tr·L_OOD to the task loss, with the weights' warm-up schedule.
 *
 * Random shift simplification: the official code gives each of `pe_main_batch_size` groups of a batch its own shifted
 * window; here one window per step is shared by the whole batch (the shift sampler is built with mainBatch = 1, so each
 * shifted step takes the next single pool window). The distribution of windows seen over training is the same; only
 * the per-batch mixing differs.
 */
import * as tf from '@tensorflow/tfjs';
import type { EncodingOutput, PositionLayout } from '../encodings/types';
import { contrastiveLoss } from '../losses/contrastive';
import { distillationLoss } from '../losses/distillation';
import { lossWeight } from '../losses/weight-schedule';
import { ContrastiveSampler, type ContrastiveSamplerConfig, type ContrastiveSamplerState } from '../positions/contrastive-sampler';
import { ShiftSampler, type ShiftSamplerState } from '../positions/shift-sampler';
import { TransferSampler, type TransferSamplerState } from '../positions/transfer-sampler';
import type { WindowStart } from './tasks';

type SamplerExtras = Omit<ContrastiveSamplerConfig, 'dims' | 'maxPosition' | 'seed'>;

export interface ContrastiveRegConfig extends SamplerExtras {
  /** w_ct (0.1 in the paper's scripts). */
  weight: number;
  /** Linear warm-up of the weight (0 = constant). */
  warmupSteps?: number;
}

export interface TransferRegConfig {
  /** w_tr (0.1 in the paper's scripts). */
  weight: number;
  warmupSteps?: number;
  /** Student/teacher sets per step (16 LM, 32 ViT). */
  batchSize?: number;
  /** Positions per set (32 LM, 64 ViT). */
  transferSize?: number;
  /** KL weight β (1). */
  beta?: number;
  /** Similarity logit scale (1). */
  scale?: number;
  /** Heads the PE is split into for the loss; default: the SeqPE encoder's head count. */
  heads?: number;
  /** Apply on shifted steps too, with the shifted window as teacher (the QA script's behaviour). Default false. */
  everyStep?: boolean;
}

export interface ShiftRegConfig {
  /** Probability that a step is shifted (0.1). */
  rate?: number;
  /** Pool of windows (320 LM/ViT, 160 QA). */
  poolSize?: number;
  restartSpan?: number;
}

export interface RegularizerConfig {
  /** 1-D: positions 0..maxPosition−1 (20 000 LM); 2-D: total grid cells (10 000 ViT → 100 per axis). */
  maxPosition: number;
  contrastive?: ContrastiveRegConfig;
  transfer?: TransferRegConfig;
  shift?: ShiftRegConfig;
}

export interface StepPlan {
  step: number;
  shifted: boolean;
  /** The main window's start for this step. */
  start: WindowStart;
  /** Every extra position for the encoder (empty when no regulariser runs). */
  extraPositions: number[][];
  contrastive?: { pivots: number; candidates: number; labels: number[] };
  transfer?: { sets: number; size: number; teacherIndices: number[] };
  /** Loss weights at this step (0 for a regulariser that does not run). */
  weights: { ct: number; tr: number };
}

export interface RegularizerState {
  contrastive?: ContrastiveSamplerState;
  transfer?: TransferSamplerState;
  shift?: ShiftSamplerState;
}

export interface RegularizerLosses {
  ct?: tf.Scalar;
  tr?: tf.Scalar;
}

/** Encoder head count of a SeqPE-like encoding (`encoding.encoder.config.heads`), if it exposes one. */
export function encodingHeads(encoding: unknown): number | undefined {
  const h = (encoding as { encoder?: { config?: { heads?: unknown } } } | undefined)?.encoder?.config?.heads;
  return typeof h === 'number' ? h : undefined;
}

export class SeqPERegularizers {
  readonly dims: 1 | 2;
  /** Positions of the main layout at the origin (teacher indices point into these rows of extras.pe). */
  readonly layoutSize: number;
  private readonly origin: WindowStart;
  private readonly ct?: ContrastiveSampler;
  private readonly tr?: TransferSampler;
  private readonly shift?: ShiftSampler;

  /**
   * @param mainLayout the task's layout at the origin (gives the dimensionality and the training window/grid)
   * @param seeds      seeds of the three samplers
   * @param heads      heads for L_OOD (required when the transfer weight is > 0)
   */
  constructor(
    readonly config: RegularizerConfig,
    mainLayout: PositionLayout,
    seeds: { contrastive: number; transfer: number; shift: number },
    readonly heads?: number,
  ) {
    this.dims = mainLayout.kind === '1d' ? 1 : 2;
    const shape =
      mainLayout.kind === '1d'
        ? { trainLength: mainLayout.length }
        : { trainRows: mainLayout.rows, trainCols: mainLayout.cols };
    this.layoutSize = mainLayout.kind === '1d' ? mainLayout.length : mainLayout.rows * mainLayout.cols;
    this.origin = mainLayout.kind === '1d' ? mainLayout.start : mainLayout.start;
    const { maxPosition } = config;
    const c = config.contrastive;
    if (c && c.weight > 0) {
      const { weight: _w, warmupSteps: _ws, ...samplerCfg } = c;
      this.ct = new ContrastiveSampler({ ...samplerCfg, dims: this.dims, maxPosition, seed: seeds.contrastive });
    }
    const t = config.transfer;
    if (t && t.weight > 0) {
      if (heads === undefined) throw new Error('SeqPE regularisers: the transfer loss needs the number of heads (transfer.heads, or a SeqPE encoding)');
      this.tr = new TransferSampler({ dims: this.dims, maxPosition, seed: seeds.transfer, batchSize: t.batchSize, transferSize: t.transferSize, ...shape });
    }
    if (config.shift && (config.shift.rate ?? 0.1) > 0) {
      this.shift = new ShiftSampler({ dims: this.dims, maxPosition, seed: seeds.shift, mainBatch: 1, ...config.shift, ...shape });
    }
    for (const [k, w] of [['contrastive', c?.weight], ['transfer', t?.weight]] as const) {
      if (w !== undefined && !(w >= 0 && Number.isFinite(w))) throw new Error(`SeqPE regularisers: ${k}.weight must be a finite number ≥ 0, got ${w}`);
    }
  }

  /** Whether any regulariser loss is computed (and so extras are needed from the encoding). */
  get needsExtras(): boolean {
    return !!(this.ct || this.tr);
  }

  /** Draws step `step`'s (1-based) window and regulariser samples. */
  plan(step: number): StepPlan {
    const s = this.shift?.next();
    const shifted = !!s?.shifted;
    const start: WindowStart = shifted ? s!.windows[0].start : this.origin;
    const extra: number[][] = [];
    const plan: StepPlan = { step, shifted, start, extraPositions: extra, weights: { ct: 0, tr: 0 } };
    if (this.ct) {
      const b = this.ct.nextBatch();
      extra.push(...b.pivots);
      for (const cands of b.candidates) extra.push(...cands);
      plan.contrastive = { pivots: b.pivots.length, candidates: b.candidates[0].length, labels: b.labels };
      plan.weights.ct = lossWeight({ weight: this.config.contrastive!.weight, warmupSteps: this.config.contrastive!.warmupSteps }, step - 1);
    }
    if (this.tr && (!shifted || this.config.transfer!.everyStep)) {
      const b = this.tr.nextBatch();
      for (const set of b.studentPositions) extra.push(...set);
      plan.transfer = { sets: b.studentPositions.length, size: b.studentPositions[0].length, teacherIndices: b.teacherIndices.flat() };
      plan.weights.tr = lossWeight({ weight: this.config.transfer!.weight, warmupSteps: this.config.transfer!.warmupSteps }, step - 1);
    }
    return plan;
  }

  /** L_δ and L_OOD of a step from the encoding's extras (call inside the gradient scope). */
  losses(enc: EncodingOutput, plan: StepPlan): RegularizerLosses {
    if (!plan.contrastive && !plan.transfer) return {};
    const pe = enc.extras?.pe;
    const extra = enc.extras?.extra;
    if (!pe || !extra) {
      throw new Error(
        'SeqPE regularisers need extras.pe and extras.extra from the position encoding (a SeqPE encoding); ' +
          `this encoding returned ${enc.extras ? `extras {${Object.keys(enc.extras).join(', ')}}` : 'no extras'}`,
      );
    }
    const n = plan.extraPositions.length;
    if (extra.rank !== 2 || extra.shape[0] !== n) {
      throw new Error(`SeqPE regularisers: extras.extra has shape [${extra.shape}], expected [${n}, outDim] for the ${n} extra positions`);
    }
    const d = extra.shape[1] as number;
    const out: RegularizerLosses = {};
    let off = 0;
    if (plan.contrastive) {
      const { pivots: p, candidates: c, labels } = plan.contrastive;
      const piv = extra.slice([0, 0], [p, d]) as tf.Tensor2D; // [P, D]
      const cand = extra.slice([p, 0], [p * c, d]).reshape([p, c, d]) as tf.Tensor3D; // [P, N, D]
      out.ct = contrastiveLoss(piv, cand, labels);
      off = p + p * c;
    }
    if (plan.transfer) {
      const { sets, size, teacherIndices } = plan.transfer;
      if (pe.rank !== 2 || pe.shape[0] !== this.layoutSize || pe.shape[1] !== d) {
        throw new Error(`SeqPE regularisers: extras.pe has shape [${pe.shape}], expected [${this.layoutSize}, ${d}] (the main layout's positions)`);
      }
      const student = extra.slice([off, 0], [sets * size, d]).reshape([sets, size, d]) as tf.Tensor3D; // [S, n, D]
      const teacher = tf.gather(pe, tf.tensor1d(teacherIndices, 'int32')).reshape([sets, size, d]) as tf.Tensor3D; // [S, n, D]
      const t = this.config.transfer!;
      out.tr = distillationLoss(teacher, student, this.heads!, { beta: t.beta, scale: t.scale });
    }
    return out;
  }

  getState(): RegularizerState {
    return { contrastive: this.ct?.getState(), transfer: this.tr?.getState(), shift: this.shift?.getState() };
  }

  setState(s: RegularizerState): void {
    for (const [name, sampler, st] of [
      ['contrastive', this.ct, s.contrastive],
      ['transfer', this.tr, s.transfer],
      ['shift', this.shift, s.shift],
    ] as const) {
      if (!!sampler !== !!st) throw new Error(`SeqPE regularisers: the checkpoint ${st ? 'has' : 'lacks'} ${name} sampler state but this run ${sampler ? 'uses' : 'does not use'} one`);
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      if (sampler && st) (sampler as any).setState(st);
    }
  }
}
