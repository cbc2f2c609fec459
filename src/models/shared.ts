/** Small checks and wiring shared by the two models. */
import * as tf from '@tensorflow/tfjs';
import type { EncodingOutput, PositionEncoding, PositionLayout } from '../encodings/types';
import type { ParamStore } from './params';
import type { ForwardOptions } from './types';

/** A value as a message shows it: strings quoted, so '4' (a string) cannot pass for the number 4. */
function show(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

export function checkDims(model: string, c: { dModel: number; layers: number; heads: number; mlpRatio: number; dropout: number; attnDropout: number; initStd: number; seed: number }): void {
  for (const k of ['dModel', 'heads'] as const) {
    if (!Number.isInteger(c[k]) || c[k] < 1) throw new Error(`${model}: ${k} must be a positive integer, got ${show(c[k])}`);
  }
  // 0 layers is allowed on purpose: a model with no blocks is the probe that shows what reaches the output without attention.
  if (!Number.isInteger(c.layers) || c.layers < 0) throw new Error(`${model}: layers must be an integer ≥ 0, got ${show(c.layers)}`);
  if (c.dModel % c.heads !== 0) throw new Error(`${model}: dModel ${c.dModel} is not divisible by heads ${c.heads}`);
  if (typeof c.mlpRatio !== 'number' || !(c.mlpRatio > 0) || !Number.isInteger(Math.round(c.mlpRatio * c.dModel))) throw new Error(`${model}: mlpRatio must be a number > 0, got ${show(c.mlpRatio)}`);
  for (const k of ['dropout', 'attnDropout'] as const) {
    if (typeof c[k] !== 'number' || !(c[k] >= 0 && c[k] < 1)) throw new Error(`${model}: ${k} must be a number in [0, 1), got ${show(c[k])}`);
  }
  if (typeof c.initStd !== 'number' || !(c.initStd > 0) || !Number.isFinite(c.initStd)) throw new Error(`${model}: initStd must be a finite number > 0, got ${show(c.initStd)}`);
  if (!Number.isInteger(c.seed)) throw new Error(`${model}: seed must be an integer, got ${show(c.seed)}`);
}

/**
 * Registers the encoding's variables in the 'pe' group under their own parameter names, prefixed 'pe.'
 * (e.g. 'pe.encoder.blocks.0.attn.qkv.w'), so checkpoints name what they hold. No weight decay: the paper trains SeqPE
 * without decay, and the baselines' tables are embeddings.
 */
export function adoptEncoding(store: ParamStore, encoding: PositionEncoding): void {
  for (const [name, v] of encoding.namedVariables()) store.adopt(`pe.${name}`, v, { group: 'pe', decay: false });
}

/** Checks the encoding's input addition is [rows, d]. */
export function checkInputAdd(t: tf.Tensor, rows: number, d: number): tf.Tensor2D {
  if (t.rank !== 2 || t.shape[0] !== rows || t.shape[1] !== d) {
    throw new Error(`encoding inputAdd has shape [${t.shape}], expected [${rows}, ${d}]`);
  }
  return t as tf.Tensor2D;
}

/** encoding.apply with the forward's training flag and, untouched, the caller's encoding request. */
export function applyEncoding(encoding: PositionEncoding, layout: PositionLayout, opts: ForwardOptions): EncodingOutput {
  return encoding.apply(layout, { ...opts.encoding, training: opts.training });
}
