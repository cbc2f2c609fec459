/**
 * One pre-LN Transformer block (GPT-2 / timm ViT):  x + drop(Attn(LN₁ x)),  then  x + drop(MLP(LN₂ x)),
 * MLP = W₂ · GELU(W₁ x + b₁) + b₂ with hidden width mlpRatio · d.
 */
import * as tf from '@tensorflow/tfjs';
import { gelu, type GeluKind, layerNorm, linear as dense } from '../kernels/index';
import { AttentionInit, AttentionOptions, AttentionParams, createAttentionParams, selfAttention } from './attention';
import { dropout } from './dropout';
import type { ParamStore } from './params';

export interface BlockParams {
  ln1g: tf.Variable;
  ln1b: tf.Variable;
  attn: AttentionParams;
  ln2g: tf.Variable;
  ln2b: tf.Variable;
  /** [d, r·d] */
  fcW: tf.Variable;
  fcB: tf.Variable;
  /** [r·d, d] */
  projW: tf.Variable;
  projB: tf.Variable;
}

export interface BlockInit extends AttentionInit {
  mlpRatio: number;
}

/**
 * Creates block `i`'s params under the names the SeqPE encoder documents too (its parameter table):
 *   blocks.i.ln1.gamma / .beta, blocks.i.attn.qkv.w / .b, blocks.i.attn.proj.w / .b, blocks.i.ln2.gamma / .beta,
 *   blocks.i.mlp.fc.w / .b [d, r·d] / [r·d], blocks.i.mlp.proj.w / .b [r·d, d] / [d].
 * Creation order (which fixes the seeded initial values) is the order above. Weight decay follows the store's rank rule.
 */
export function createBlockParams(store: ParamStore, i: number, dModel: number, init: BlockInit): BlockParams {
  const pre = `blocks.${i}`;
  const hidden = Math.round(init.mlpRatio * dModel);
  const ln1g = store.constant(`${pre}.ln1.gamma`, [dModel], 1);
  const ln1b = store.constant(`${pre}.ln1.beta`, [dModel], 0);
  const attn = createAttentionParams(store, `${pre}.attn`, dModel, init);
  const ln2g = store.constant(`${pre}.ln2.gamma`, [dModel], 1);
  const ln2b = store.constant(`${pre}.ln2.beta`, [dModel], 0);
  const fcW = store.normal(`${pre}.mlp.fc.w`, [dModel, hidden], init.std, { truncate: init.truncate });
  const fcB = store.constant(`${pre}.mlp.fc.b`, [hidden], 0);
  const projW = store.normal(`${pre}.mlp.proj.w`, [hidden, dModel], init.projStd, { truncate: init.truncate });
  const projB = store.constant(`${pre}.mlp.proj.b`, [dModel], 0);
  return { ln1g, ln1b, attn, ln2g, ln2b, fcW, fcB, projW, projB };
}

export interface BlockOptions extends AttentionOptions {
  /** Residual dropout (after attention and after the MLP). */
  dropout: number;
  gelu: GeluKind;
}

/** x [B, S, d] → [B, S, d]. */
export function transformerBlock(x: tf.Tensor3D, p: BlockParams, o: BlockOptions): tf.Tensor3D {
  const [b, s, d] = x.shape;
  const a = selfAttention(layerNorm(x, p.ln1g as tf.Tensor1D, p.ln1b as tf.Tensor1D) as tf.Tensor3D, p.attn, o);
  const x1 = x.add(dropout(a, o.dropout, o.training, o.rng)) as tf.Tensor3D;
  const h2 = layerNorm(x1, p.ln2g as tf.Tensor1D, p.ln2b as tf.Tensor1D).reshape([b * s, d]);
  const hid = gelu(dense(h2, p.fcW as tf.Tensor2D, p.fcB as tf.Tensor1D), o.gelu); // [B·S, r·d]
  const m = dense(hid, p.projW as tf.Tensor2D, p.projB as tf.Tensor1D).reshape([b, s, d]);
  return x1.add(dropout(m, o.dropout, o.training, o.rng)) as tf.Tensor3D;
}
