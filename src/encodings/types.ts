/**
 * One interface for every position encoding (x-transformers style): a model asks an encoding for the positions of the
 * current forward pass and gets back what it consumes — an additive input embedding, an additive attention-logit bias,
 * and/or a q/k transform — without ever naming a specific encoding.
 */
import * as tf from '@tensorflow/tfjs';
import type { Position } from '../positions/digits';

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
  /** Encoding-specific extras, e.g. SeqPE's raw position embeddings for the regularisers. */
  extras?: Record<string, tf.Tensor>;
}

export interface ApplyOptions {
  /** Training mode (dropout on, caches off). */
  training: boolean;
  /**
   * More positions to embed in the same pass (SeqPE's regularisers: contrastive pivots and candidates, transfer
   * students), returned as extras.extra in this order. Encodings without position vectors ignore it.
   */
  extraPositions?: readonly Position[];
}

export interface PositionEncoding {
  /** Short name used in configs and tables: 'ape', 'sinusoidal', 'rope', 'rope2d', 'rope-mixed', 'alibi', 'none', 'seqpe'. */
  readonly name: string;
  /** Spatial dimensionality it supports (1 or 2), or 'any'. */
  readonly dims: 1 | 2 | 'any';
  /** Trainable variables (empty for fixed encodings). */
  readonly variables: tf.Variable[];
  /** What the model needs for this forward pass. Call inside tf.tidy. */
  apply(layout: PositionLayout, opts: ApplyOptions): EncodingOutput;
  /** Frees variables and caches. */
  dispose(): void;
}
