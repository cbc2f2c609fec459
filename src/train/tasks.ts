/**
 * Task adapters: what the (task-agnostic) training loop asks of a task — a batch drawn from the loop's data Rng, the
 * main-task layout for a window start, and the task loss of a model on a batch. Three tasks:
 *
 * - lmTask:    next-token cross-entropy on random windows of a token stream (src/data sampleTrainingBatch).
 * - qaTask:    answer-only fine-tuning: the loss counts only targets inside [answerStart, answerEnd) of each example
 *              (spec §4.2 train_on_prompt = false). All examples of a task must have the same length (the needle-QA
 *              generator makes them so); mixed lengths would need left padding plus a key mask, which the models do not
 *              implement.
 * - imageTask: classification cross-entropy on patchified images (ViT).
 * Batches are drawn with replacement (uniform windows / examples), so a task has no state beyond the loop's Rng.
 */
import * as tf from '@tensorflow/tfjs';
import { sampleTrainingBatch, type LmBatch } from '../data/lm-batches';
import { patchify } from '../data/resize';
import type { EncodingOutput, EncodingRequest, LayoutStart, PositionLayout } from '../encodings/types';
import type { CausalLM } from '../models/causal-lm';
import type { ViT } from '../models/vit';
import type { Rng } from '../util/rng';
import type { ItemUnit } from './progress';

export interface TaskStepContext {
  /** 1-based number of the update being computed. */
  step: number;
  training: boolean;
  /** The main-task layout of this step (shifted or at the origin). */
  layout: PositionLayout;
  /** Dropout Rng. */
  rng: Rng;
  /** The encoding's request for this pass (its objectives' extra positions), passed to the model untouched. */
  encoding?: EncodingRequest;
}

export interface TaskOutput {
  loss: tf.Scalar;
  /** The encoding's output of this forward pass (its position vectors feed the encoding's objectives). */
  encoding: EncodingOutput;
}

export interface Task<M = unknown, B = unknown> {
  readonly name: string;
  readonly unit: ItemUnit;
  /** Tokens or images per batch (for throughput). */
  readonly itemsPerBatch: number;
  /** The main-task layout, at the origin or at a shifted start. */
  layout(start?: LayoutStart): PositionLayout;
  /** Draws the batch of update `step` (1-based) from the loop's data Rng. */
  nextBatch(rng: Rng, step: number): B;
  /** The task loss (a scalar) of `model` on `batch`. Called inside the loop's gradient scope. */
  loss(model: M, batch: B, ctx: TaskStepContext): TaskOutput;
  /** Optional extra state for checkpoints (JSON). */
  getState?(): unknown;
  setState?(state: unknown): void;
}

function positiveInt(v: number, what: string): number {
  if (!Number.isInteger(v) || v < 1) throw new Error(`${what} must be a positive integer, got ${v}`);
  return v;
}

function start1d(task: string, start: LayoutStart | undefined): number {
  if (start === undefined) return 0;
  if (typeof start !== 'number' || !Number.isInteger(start) || start < 0) {
    throw new Error(`${task}: a 1-D window start must be an integer ≥ 0, got ${JSON.stringify(start)}`);
  }
  return start;
}

// ---------------------------------------------------------------------------------------------------------------- LM

export interface LmTaskConfig {
  /** The training token stream. */
  tokens: Int32Array;
  batch: number;
  /** Window length T. */
  time: number;
}

export function lmTask(cfg: LmTaskConfig): Task<CausalLM, LmBatch> {
  const batch = positiveInt(cfg.batch, 'lmTask batch');
  const time = positiveInt(cfg.time, 'lmTask time');
  if (cfg.tokens.length < time + 1) throw new Error(`lmTask: the stream has ${cfg.tokens.length} tokens; a window needs ${time + 1}`);
  return {
    name: 'lm',
    unit: 'tokens',
    itemsPerBatch: batch * time,
    layout: (start) => ({ kind: '1d', start: start1d('lmTask', start), length: time }),
    nextBatch: (rng) => sampleTrainingBatch(cfg.tokens, batch, time, rng),
    loss(model, b, ctx) {
      const inputs = { ids: b.inputs, shape: [b.batch, b.time] as const }; // host ids: checked without a read-back
      const r = model.loss(inputs, b.targets, { training: ctx.training, layout: ctx.layout, rng: ctx.rng, encoding: ctx.encoding });
      return { loss: r.loss, encoding: r.encoding };
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------- QA

export interface QaExampleLike {
  /** The whole example: context + question + answer (+ end marker). */
  tokens: Int32Array;
  /** [answerStart, answerEnd): the tokens the loss is computed on. */
  answerStart: number;
  answerEnd: number;
}

export interface QaBatch {
  /** [batch, L−1] inputs, targets and loss weights (1 on answer targets). */
  inputs: Int32Array;
  targets: Int32Array;
  weights: Float32Array;
  batch: number;
  time: number;
  /** Indices of the examples drawn. */
  picks: Int32Array;
}

export interface QaTaskConfig {
  examples: readonly QaExampleLike[];
  batch: number;
}

export function qaTask(cfg: QaTaskConfig): Task<CausalLM, QaBatch> {
  const batch = positiveInt(cfg.batch, 'qaTask batch');
  const ex = cfg.examples;
  if (ex.length === 0) throw new Error('qaTask: no examples');
  const L = ex[0].tokens.length;
  ex.forEach((e, i) => {
    if (e.tokens.length !== L) throw new Error(`qaTask: example ${i} has ${e.tokens.length} tokens, example 0 has ${L}; all must have the same length`);
    if (!(Number.isInteger(e.answerStart) && Number.isInteger(e.answerEnd) && e.answerStart >= 1 && e.answerStart < e.answerEnd && e.answerEnd <= L)) {
      throw new Error(`qaTask: example ${i} has answer span [${e.answerStart}, ${e.answerEnd}), expected 1 ≤ start < end ≤ ${L}`);
    }
  });
  const time = L - 1;
  if (time < 1) throw new Error(`qaTask: examples of ${L} token(s) have nothing to predict`);
  return {
    name: 'qa',
    unit: 'tokens',
    itemsPerBatch: batch * time,
    layout: (start) => ({ kind: '1d', start: start1d('qaTask', start), length: time }),
    nextBatch(rng) {
      const inputs = new Int32Array(batch * time);
      const targets = new Int32Array(batch * time);
      const weights = new Float32Array(batch * time);
      const picks = new Int32Array(batch);
      for (let b = 0; b < batch; b++) {
        const k = rng.int(0, ex.length);
        picks[b] = k;
        const e = ex[k];
        inputs.set(e.tokens.subarray(0, time), b * time);
        targets.set(e.tokens.subarray(1, L), b * time);
        // target at input position t is token t+1: weight 1 when t+1 is inside the answer span
        for (let t = e.answerStart - 1; t < e.answerEnd - 1; t++) weights[b * time + t] = 1;
      }
      return { inputs, targets, weights, batch, time, picks };
    },
    loss(model, b, ctx) {
      const inputs = { ids: b.inputs, shape: [b.batch, b.time] as const }; // host ids: checked without a read-back
      const r = model.loss(inputs, b.targets, { training: ctx.training, layout: ctx.layout, rng: ctx.rng, encoding: ctx.encoding }, b.weights);
      return { loss: r.loss, encoding: r.encoding };
    },
  };
}

// ------------------------------------------------------------------------------------------------------------ images

export interface ImageBatch {
  /** [batch, rows·cols, patchDim] */
  patches: Float32Array;
  labels: Int32Array;
  batch: number;
  picks: Int32Array;
}

export interface ImageTaskConfig {
  /** [count, rows·cols, patchDim], patches in row-major grid order (src/data/resize.ts patchify). */
  patches: Float32Array;
  labels: Int32Array;
  rows: number;
  cols: number;
  patchDim: number;
  batch: number;
}

export function imageTask(cfg: ImageTaskConfig): Task<ViT, ImageBatch> {
  const batch = positiveInt(cfg.batch, 'imageTask batch');
  const rows = positiveInt(cfg.rows, 'imageTask rows');
  const cols = positiveInt(cfg.cols, 'imageTask cols');
  const pd = positiveInt(cfg.patchDim, 'imageTask patchDim');
  const per = rows * cols * pd;
  const count = cfg.labels.length;
  if (count === 0) throw new Error('imageTask: no images');
  if (cfg.patches.length !== count * per) {
    throw new Error(`imageTask: ${cfg.patches.length} patch values for ${count} labels; expected ${count} × ${rows}·${cols}·${pd} = ${count * per}`);
  }
  return {
    name: 'image',
    unit: 'images',
    itemsPerBatch: batch,
    layout(start) {
      let s: [number, number] = [0, 0];
      if (start !== undefined) {
        if (!Array.isArray(start) || start.length !== 2 || !start.every((v) => Number.isInteger(v) && v >= 0)) {
          throw new Error(`imageTask: a 2-D window start must be [row, col] integers ≥ 0, got ${JSON.stringify(start)}`);
        }
        s = [start[0], start[1]];
      }
      return { kind: '2d', start: s, rows, cols, prefix: 1 };
    },
    nextBatch(rng) {
      const patches = new Float32Array(batch * per);
      const labels = new Int32Array(batch);
      const picks = new Int32Array(batch);
      for (let b = 0; b < batch; b++) {
        const k = rng.int(0, count);
        picks[b] = k;
        patches.set(cfg.patches.subarray(k * per, (k + 1) * per), b * per);
        labels[b] = cfg.labels[k];
      }
      return { patches, labels, batch, picks };
    },
    loss(model, b, ctx) {
      const x = tf.tensor3d(b.patches, [b.batch, rows * cols, pd]);
      const r = model.loss(x, b.labels, { training: ctx.training, layout: ctx.layout, rng: ctx.rng, encoding: ctx.encoding });
      return { loss: r.loss, encoding: r.encoding };
    },
  };
}

/** An imageTask from square grey images [count, size, size] cut into patch×patch patches. */
export function imageTaskFromImages(
  images: Float32Array,
  labels: Int32Array,
  size: number,
  patch: number,
  batch: number,
): Task<ViT, ImageBatch> {
  const p = patchify(images, size, patch);
  if (p.count !== labels.length) throw new Error(`imageTaskFromImages: ${p.count} images but ${labels.length} labels`);
  return imageTask({ patches: p.data, labels, rows: p.rows, cols: p.cols, patchDim: patch * patch, batch });
}
