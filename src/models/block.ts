/**
 * One pre-LN Transformer block (GPT-2 / timm ViT):  x + drop(Attn(LN₁ x)),  then  x + drop(MLP(LN₂ x)),
 * MLP = W₂ · GELU(W₁ x + b₁) + b₂ with hidden width mlpRatio · d.
 */
import * as tf from '@tensorflow/tfjs';
import { gelu, type GeluKind, layerNorm, linear as dense } from '../kernels';
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
  fc1W: tf.Variable;
  fc1B: tf.Variable;
  /** [r·d, d] */
  fc2W: tf.Variable;
  fc2B: tf.Variable;
}

export interface BlockInit extends AttentionInit {
  mlpRatio: number;
}

/** Creates block `i`'s params under the names `h.{i}.*`. */
export function createBlockParams(store: ParamStore, i: number, dModel: number, init: BlockInit): BlockParams {
  const pre = `h.${i}`;
  const hidden = Math.round(init.mlpRatio * dModel);
  const ln1g = store.constant(`${pre}.ln1.g`, [dModel], 1);
  const ln1b = store.constant(`${pre}.ln1.b`, [dModel], 0);
  const attn = createAttentionParams(store, `${pre}.attn`, dModel, init);
  const ln2g = store.constant(`${pre}.ln2.g`, [dModel], 1);
  const ln2b = store.constant(`${pre}.ln2.b`, [dModel], 0);
  const fc1W = store.normal(`${pre}.mlp.fc1.w`, [dModel, hidden], init.std, { decay: true, truncate: init.truncate });
  const fc1B = store.constant(`${pre}.mlp.fc1.b`, [hidden], 0);
  const fc2W = store.normal(`${pre}.mlp.fc2.w`, [hidden, dModel], init.projStd, { decay: true, truncate: init.truncate });
  const fc2B = store.constant(`${pre}.mlp.fc2.b`, [dModel], 0);
  return { ln1g, ln1b, attn, ln2g, ln2b, fc1W, fc1B, fc2W, fc2B };
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
  const hid = gelu(dense(h2, p.fc1W as tf.Tensor2D, p.fc1B as tf.Tensor1D), o.gelu);
  const m = dense(hid, p.fc2W as tf.Tensor2D, p.fc2B as tf.Tensor1D).reshape([b, s, d]);
  return x1.add(dropout(m, o.dropout, o.training, o.rng)) as tf.Tensor3D;
}
