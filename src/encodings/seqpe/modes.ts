/**
 * The three ways SeqPE's position vectors E [T, outDim] enter the main model (spec §1.3), and their own parameters.
 *
 * - 'input_add': E (outDim = dModel) is added to the token/patch embeddings. Prefix (CLS) rows get the learnable
 *   `cls_pos` [dModel] (every prefix row the same vector).
 * - 'attn_bias' (the LM's attn_scalar): ONE shared projection pe_qk = Linear(outDim → 2·dModel) gives p_q | p_k, split into
 *   heads [heads, T, d_head]; every layer adds the same bias p_q·p_kᵀ [heads, T, T] to the raw logits q·kᵀ (before the
 *   model's 1/√d_head). Prefix tokens get bias 0 in their rows and columns (the LM has no prefix).
 * - 'qk_gate' (the ViT's attn_mul): a projection per layer pe_qk.l = Linear(outDim → 2·dModel); q ← q ⊙ p_q and
 *   k ← k ⊙ p_k per head, broadcast over the batch. Prefix (CLS) tokens use the learnable `cls_pos` [outDim], prepended to
 *   E before the projection (so the CLS gets its own gate).
 *
 * Own parameters:
 *   attn_bias: pe_qk.w [outDim, 2·dModel], pe_qk.b [2·dModel]
 *   qk_gate:   pe_qk.<l>.w [outDim, 2·dModel], pe_qk.<l>.b [2·dModel] for l = 0..layers−1; cls_pos [outDim]
 *   input_add: cls_pos [dModel]
 * Weights N(0, initStd) (truncated if the encoder's truncatedInit), biases 0. Columns of a pe_qk: p_q then p_k, each
 * head-contiguous (head h = columns h·d_head..(h+1)·d_head−1), matching the model's q/k head split.
 */
import * as tf from '@tensorflow/tfjs';
import { linear, matMul } from '../../kernels/index';
import { normalArray, Rng } from '../../util/rng';
import type { EncodingOutput, ModelDims } from '../types';

export type SeqPEMode = 'input_add' | 'attn_bias' | 'qk_gate';
export const SEQPE_MODES: readonly SeqPEMode[] = ['input_add', 'attn_bias', 'qk_gate'];

/** The mode's own parameters, by name, in creation order (their draws come from `rng` in this order). */
export function createModeParams(
  mode: SeqPEMode,
  model: ModelDims,
  outDim: number,
  init: { rng: Rng; std: number; truncated: boolean; clsPos: boolean },
): Map<string, tf.Variable> {
  const params = new Map<string, tf.Variable>();
  const own = (start: tf.Tensor): tf.Variable => {
    const v = tf.variable(start);
    start.dispose(); // the variable holds its own reference to the data
    return v;
  };
  const normal = (shape: number[]) =>
    own(tf.tensor(normalArray(init.rng, shape.reduce((a, b) => a * b, 1), init.std, init.truncated), shape));
  const zeros = (shape: number[]) => own(tf.zeros(shape));
  const D2 = 2 * model.dModel;
  if (mode === 'attn_bias') {
    params.set('pe_qk.w', normal([outDim, D2]));
    params.set('pe_qk.b', zeros([D2]));
  } else if (mode === 'qk_gate') {
    for (let l = 0; l < model.layers; l++) {
      params.set(`pe_qk.${l}.w`, normal([outDim, D2]));
      params.set(`pe_qk.${l}.b`, zeros([D2]));
    }
  }
  if (mode !== 'attn_bias' && init.clsPos) params.set('cls_pos', normal([mode === 'input_add' ? model.dModel : outDim]));
  return params;
}

/**
 * What the model consumes for position vectors `pe` [T, outDim] of a layout with `prefix` leading tokens.
 * Called inside the caller's tf.tidy; every tensor is built now so it belongs to that scope.
 */
export function applyMode(
  mode: SeqPEMode,
  params: ReadonlyMap<string, tf.Variable>,
  model: ModelDims,
  pe: tf.Tensor2D,
  prefix: number,
): Omit<EncodingOutput, 'vectors'> {
  const { heads, layers, dModel } = model;
  const dh = dModel / heads;
  const T = pe.shape[0];
  const checkLayer = (layer: number) => {
    if (!Number.isInteger(layer) || layer < 0 || layer >= layers) {
      throw new Error(`seqpe: layer ${layer} is out of range [0, ${layers})`);
    }
  };
  const withCls = (rows: tf.Tensor2D): tf.Tensor2D =>
    prefix === 0 ? rows : (tf.concat([tf.zeros([prefix, rows.shape[1]]).add(params.get('cls_pos')!), rows], 0) as tf.Tensor2D);

  if (mode === 'input_add') return { inputAdd: withCls(pe) };
  if (mode === 'attn_bias') {
    const pqk = linear(pe, params.get('pe_qk.w') as tf.Tensor2D, params.get('pe_qk.b') as tf.Tensor1D); // [T, 2·dModel]
    const pq = pqk.slice([0, 0], [T, dModel]).reshape([T, heads, dh]).transpose([1, 0, 2]); // [heads, T, d_head]
    const pkT = pqk.slice([0, dModel], [T, dModel]).reshape([T, heads, dh]).transpose([1, 2, 0]); // [heads, d_head, T]
    let bias = matMul(pq, pkT) as tf.Tensor3D; // [heads, T, T]
    if (prefix > 0) bias = tf.pad(bias, [[0, 0], [prefix, 0], [prefix, 0]]); // prefix rows/cols: 0
    return {
      attnBias: (layer) => {
        checkLayer(layer);
        return bias;
      },
    };
  }
  // qk_gate: per-layer gates [1, heads, prefix + T, d_head].
  const rows = withCls(pe); // [prefix + T, outDim]
  const n = prefix + T;
  const gates: Array<[tf.Tensor4D, tf.Tensor4D]> = [];
  for (let l = 0; l < layers; l++) {
    const g = linear(rows, params.get(`pe_qk.${l}.w`) as tf.Tensor2D, params.get(`pe_qk.${l}.b`) as tf.Tensor1D);
    const split = (start: number) =>
      g.slice([0, start], [n, dModel]).reshape([n, heads, dh]).transpose([1, 0, 2]).expandDims(0) as tf.Tensor4D;
    gates.push([split(0), split(dModel)]);
  }
  return {
    qk: (layer, q, k) => {
      checkLayer(layer);
      for (const [what, t] of [['q', q], ['k', k]] as const) {
        if (t.rank !== 4 || t.shape[1] !== heads || t.shape[2] !== n || t.shape[3] !== dh) {
          throw new Error(`seqpe: ${what} has shape [${t.shape}], expected [batch, ${heads}, ${n}, ${dh}]`);
        }
      }
      const [gq, gk] = gates[layer];
      return [q.mul(gq), k.mul(gk)];
    },
  };
}
