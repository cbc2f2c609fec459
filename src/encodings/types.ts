/**
 * One interface for every position encoding (x-transformers style): a model asks an encoding for the positions of the
 * current forward pass and gets back what it consumes — an additive input embedding, an additive attention-logit bias,
 * and/or a q/k transform — without ever naming a specific encoding.
 */
import * as tf from '@tensorflow/tfjs';
import type { Position } from '../positions/digits';
import type { Rng, RngState } from '../util/rng';

/**
 * The positions of one forward pass. Shared by every example in the batch (the paper computes PEs per position,
 * not per token, and repeats them over the batch).
 * - 1-D: tokens at positions start, start+1, …, start+length−1.
 * - 2-D: a rows×cols patch grid whose top-left patch is at (start[0], start[1]); patches are flattened row-major.
 * `prefix` counts extra tokens placed before the positioned ones (the ViT's CLS token); they get no position from
 * 1-D/2-D rules, and each encoding documents what it does with them.
 */
export type PositionLayout =
  | { kind: '1d'; start: number; length: number; prefix?: number }
  | { kind: '2d'; start: [number, number]; rows: number; cols: number; prefix?: number };

/** Number of positioned tokens (excluding the prefix). */
export function layoutSize(l: PositionLayout): number {
  return l.kind === '1d' ? l.length : l.rows * l.cols;
}

/** Integer coordinates of every positioned token, in token order. 1-D: [t]; 2-D: [row, col]. */
export function layoutPositions(l: PositionLayout): number[][] {
  const out: number[][] = [];
  if (l.kind === '1d') {
    for (let t = 0; t < l.length; t++) out.push([l.start + t]);
  } else {
    for (let r = 0; r < l.rows; r++) for (let c = 0; c < l.cols; c++) out.push([l.start[0] + r, l.start[1] + c]);
  }
  return out;
}

/** The shape of the model the encoding plugs into. */
export interface ModelDims {
  /** Model width d. */
  dModel: number;
  /** Attention heads H. */
  heads: number;
  /** Transformer layers. */
  layers: number;
}

/** Where a layout starts: a 1-D position, or the [row, col] of a 2-D grid's top-left patch. */
export type LayoutStart = number | [number, number];

/**
 * Raw position vectors of one pass, for encodings that have them (capabilities.rawVectors): SeqPE's encoder outputs,
 * the rows of an added table (APE, sinusoidal).
 */
export interface PositionVectors {
  /** One vector per positioned token of the layout (prefix excluded), in token order: [T, D]. */
  main: tf.Tensor2D;
  /** The vectors of ApplyOptions.extraPositions, in the requested order: [extra, D] (capabilities.extraPositions). */
  extra?: tf.Tensor2D;
}

/**
 * What an encoding gives the model for one forward pass. All tensors live until `dispose()` (or until the enclosing
 * tf.tidy ends); the model never keeps them.
 */
export interface EncodingOutput {
  /** Added to the token/patch embeddings at the input: [prefix + T, dModel]. */
  inputAdd?: tf.Tensor2D;
  /**
   * Added to the raw attention logits q·kᵀ before the 1/√d_head scaling (where both the official ALiBi and
   * SeqPE-attn_scalar put it): [heads | 1, prefix + T, prefix + T] for the given layer.
   */
  attnBias?: (layer: number) => tf.Tensor3D;
  /** Transforms q and k ([batch, heads, prefix + T, d_head]) for the given layer (RoPE, SeqPE gates). */
  qk?: (layer: number, q: tf.Tensor4D, k: tf.Tensor4D) => [tf.Tensor4D, tf.Tensor4D];
  /** Raw position vectors (present exactly when capabilities.rawVectors). */
  vectors?: PositionVectors;
}

/**
 * What a caller may ask of an encoding's apply() besides the training flag. Models and tasks pass it through untouched.
 */
export interface EncodingRequest {
  /**
   * More positions to embed in the same pass (SeqPE's objectives: contrastive pivots and candidates, distillation
   * students), returned as vectors.extra in this order. Only for encodings with capabilities.extraPositions; others
   * reject it.
   */
  extraPositions?: readonly Position[];
  /**
   * Read positions through the encoding's eval cache, if it has one (default: !training). A cache gives no gradient;
   * pass false for a differentiable pass without dropout. Encodings without a cache ignore it (nothing to read).
   */
  cache?: boolean;
}

export interface ApplyOptions extends EncodingRequest {
  /** Training mode (dropout on, caches off). */
  training: boolean;
}

/** What an encoding can do, so callers ask instead of catching errors or matching names. */
export interface EncodingCapabilities {
  /** It gives the model any position information at all (false only for NoPE). */
  carriesPosition: boolean;
  /** apply() returns `vectors.main`: raw position vectors whose dot products are the paper's similarity maps. */
  rawVectors: boolean;
  /** apply() embeds `extraPositions` in the same pass and returns them as `vectors.extra`. */
  extraPositions: boolean;
  /**
   * Layouts with any start (random shift, far windows) are accepted, per dimensionality. False where only some are
   * (a learned table: windows inside it; flattened 2-D sinusoids: grids at the origin).
   */
  shiftedWindows: { '1d': boolean; '2d': boolean };
  /** It brings training objectives of its own (`objectives()`), e.g. SeqPE's contrastive and distillation losses. */
  objectives: boolean;
}

/** One named loss an encoding adds to the task loss. */
export interface ObjectiveTerm {
  /** Key in plans, losses, reports and logs ('contrastive', 'distillation'). */
  name: string;
  /** Display label ('L_δ (contrastive)'). */
  label: string;
}

/** One training step's draw of an encoding's objectives. */
export interface ObjectivePlan {
  /** 1-based update number. */
  step: number;
  /** Whether the main task's window is moved this step (random shift). */
  shifted: boolean;
  /** The main window's start for this step (the origin unless shifted). */
  start: LayoutStart;
  /** Every extra position for the encoding to embed in the step's one pass (empty when no loss runs). */
  extraPositions: Position[];
  /** Weight of each term at this step (absent or 0: the term is not computed this step). */
  weights: Record<string, number>;
}

/**
 * An encoding's own training objectives (like tfjs-layers' addLoss): the loop asks for a plan per step, passes
 * plan.extraPositions through the model into apply(), then asks for the named losses of the pass and adds
 * Σ weights[name]·loss[name] to the task loss, in `terms` order.
 */
export interface EncodingObjectives<P extends ObjectivePlan = ObjectivePlan> {
  /** Every term this objective set may compute, in summation order. */
  readonly terms: readonly ObjectiveTerm[];
  /** Draws step `step`'s (1-based) plan. */
  plan(step: number): P;
  /** The losses of the plan's terms (those with a weight this step) from the pass's output. Call in the gradient scope. */
  losses(out: EncodingOutput, plan: P): Record<string, tf.Scalar>;
  /** Sampler states (JSON) for checkpoints. */
  getState(): unknown;
  setState(state: unknown): void;
}

/** What the loop gives an encoding to build its objectives. */
export interface ObjectiveContext {
  /** The task's main layout at the origin (gives the dimensionality and the training window/grid). */
  layout: PositionLayout;
  /** The run's stream for the objectives' seeds (drawn once, at construction). */
  rng: Rng;
}

export interface PositionEncoding {
  /** Short name used in configs and tables: 'ape', 'sinusoidal', 'rope', 'rope2d', 'rope-mixed', 'alibi', 'none', 'seqpe'. */
  readonly name: string;
  /** Spatial dimensionality it supports (1 or 2), or 'any'. */
  readonly dims: 1 | 2 | 'any';
  readonly capabilities: EncodingCapabilities;
  /** Trainable variables (empty for fixed encodings), in the order of namedVariables(). */
  readonly variables: tf.Variable[];
  /** Trainable variables by their own stable parameter names (checkpoints use them, prefixed 'pe.'). */
  namedVariables(): Map<string, tf.Variable>;
  /** What the model needs for this forward pass. Call inside tf.tidy. */
  apply(layout: PositionLayout, opts: ApplyOptions): EncodingOutput;
  /** The encoding's own training objectives for a run, if it has any configured (capabilities.objectives). */
  objectives?(ctx: ObjectiveContext): EncodingObjectives | undefined;
  /** State of any internal random stream (e.g. SeqPE's encoder dropout), for checkpoints; absent when it has none. */
  getState?(): RngState;
  setState?(state: RngState): void;
  /** Frees variables and caches. */
  dispose(): void;
}

/** Rejects extraPositions for an encoding that cannot embed them (a clear error instead of silently ignoring them). */
export function checkNoExtraPositions(name: string, opts: EncodingRequest): void {
  if (opts.extraPositions && opts.extraPositions.length > 0) {
    throw new Error(`${name}: got ${opts.extraPositions.length} extraPositions, but this encoding has no position vectors to embed them into`);
  }
}
