/**
 * Decoder-only causal language model, GPT-2 style (pre-LN), with the position encoding injected:
 *
 *   x = E[tokens] (+ encoding.inputAdd)  →  dropout  →  L × block (causal attention)  →  LN_f  →  logits = x Eᵀ
 *
 * The output head is tied to the token embedding E (GPT-2), computed with an explicit transpose. Initialisation follows
 * GPT-2: N(0, 0.02) for the embedding and linear weights, N(0, 0.02/√(2L)) for the two residual projections, zero
 * biases, LayerNorm 1/0. Nothing here names a specific encoding; its variables join the 'pe' parameter group.
 */
import * as tf from '@tensorflow/tfjs';
import { checkTokenIds, embedding as embedLookup, layerNorm, matMul, softmaxCrossEntropy } from '../kernels/index';
import type { PositionEncoding, PositionLayout } from '../encodings/types';
import { causalMask } from './attention';
import { BlockParams, createBlockParams, transformerBlock } from './block';
import { dropout } from './dropout';
import { ParamStore } from './params';
import { adoptEncoding, applyEncoding, checkDims, checkInputAdd } from './shared';
import type { ForwardOptions, ModelRun, TrainableModel } from './types';
import { checkKeys, keysOf } from '../util/keys';

export interface CausalLMConfig {
  vocab: number;
  dModel: number;
  layers: number;
  heads: number;
  /** MLP hidden width = mlpRatio · dModel. Default 4. */
  mlpRatio?: number;
  /** Embedding and residual dropout. Default 0. */
  dropout?: number;
  /** Dropout on attention probabilities. Default 0. */
  attnDropout?: number;
  /** Std of the normal init. Default 0.02. */
  initStd?: number;
  /** Seeds the parameter init. */
  seed: number;
}

export type ResolvedCausalLMConfig = Required<CausalLMConfig>;
/** Every key a CausalLMConfig may have: a misspelt one is an error, not a default. */
const CAUSAL_LM_KEYS = keysOf<CausalLMConfig>({ vocab: 1, dModel: 1, layers: 1, heads: 1, mlpRatio: 1, dropout: 1, attnDropout: 1, initStd: 1, seed: 1 });

/**
 * Token ids on the host with their [batch, time] shape: the hot-path input. The ids are checked against the vocabulary
 * here, before any tensor exists; a tensor input is checked too, but that costs a read-back of its values.
 */
export interface HostTokens {
  ids: Int32Array;
  shape: readonly [number, number];
}

export type TokenInput = tf.Tensor2D | HostTokens;

export interface LMLossResult {
  loss: tf.Scalar;
  logits: tf.Tensor3D;
  encoding: ModelRun['encoding'];
}

export class CausalLM implements TrainableModel {
  readonly config: ResolvedCausalLMConfig;
  readonly params: ParamStore;
  readonly encoding: PositionEncoding;
  private readonly tokEmb: tf.Variable;
  private readonly blocks: BlockParams[];
  private readonly lnfG: tf.Variable;
  private readonly lnfB: tf.Variable;
  /** 1/√d_h, kept across steps. */
  private readonly scale: tf.Scalar;
  /** Causal masks by length, kept across steps until dispose(). */
  private readonly masks = new Map<number, tf.Tensor4D>();

  constructor(config: CausalLMConfig, encoding: PositionEncoding) {
    checkKeys('CausalLM', config, CAUSAL_LM_KEYS);
    const c: ResolvedCausalLMConfig = { mlpRatio: 4, dropout: 0, attnDropout: 0, initStd: 0.02, ...config };
    checkDims('CausalLM', c);
    if (!Number.isInteger(c.vocab) || c.vocab < 2) throw new Error(`CausalLM: vocab must be an integer ≥ 2, got ${JSON.stringify(c.vocab)}`);
    if (encoding.dims === 2) throw new Error(`CausalLM: encoding '${encoding.name}' is 2-D only; a language model needs a 1-D encoding`);
    this.config = c;
    this.encoding = encoding;
    this.params = new ParamStore(c.seed);
    const std = c.initStd;
    this.tokEmb = this.params.normal('tok_emb', [c.vocab, c.dModel], std, { decay: false }); // an embedding: no decay (method §1.8)
    const init = { std, projStd: std / Math.sqrt(2 * c.layers), truncate: false, mlpRatio: c.mlpRatio };
    this.blocks = Array.from({ length: c.layers }, (_, i) => createBlockParams(this.params, i, c.dModel, init));
    this.lnfG = this.params.constant('ln_f.gamma', [c.dModel], 1);
    this.lnfB = this.params.constant('ln_f.beta', [c.dModel], 0);
    adoptEncoding(this.params, encoding);
    this.scale = tf.keep(tf.scalar(1 / Math.sqrt(c.dModel / c.heads)));
  }

  private mask(s: number): tf.Tensor4D {
    let m = this.masks.get(s);
    if (!m) {
      m = tf.keep(causalMask(s));
      this.masks.set(s, m);
    }
    return m;
  }

  /** Checks the ids (on the host) and returns them as an int32 [B, T] tensor. */
  private tokenTensor(tokens: TokenInput): tf.Tensor2D {
    const vocab = this.config.vocab;
    if (tokens instanceof tf.Tensor) {
      if (tokens.rank !== 2) throw new Error(`CausalLM: tokens must be [batch, time], got shape [${tokens.shape}]`);
      if (tokens.dtype !== 'int32') throw new Error(`CausalLM: tokens must be int32, got ${tokens.dtype}`);
      checkTokenIds(tokens.dataSync(), vocab, 'CausalLM: token'); // a read-back: pass HostTokens in hot loops
      return tokens;
    }
    const { ids, shape } = tokens;
    if (!(ids instanceof Int32Array)) throw new Error('CausalLM: host token ids must be an Int32Array');
    if (shape.length !== 2 || !shape.every((n) => Number.isInteger(n) && n >= 1) || shape[0] * shape[1] !== ids.length) {
      throw new Error(`CausalLM: ${ids.length} host token ids do not fill shape [${shape}] (expected [batch, time] of positive integers)`);
    }
    checkTokenIds(ids, vocab, 'CausalLM: token');
    return tf.tensor2d(ids, [shape[0], shape[1]], 'int32');
  }

  /**
   * tokens [B, T] (host ids, or an int32 tensor) → logits [B, T, V] and the encoding's output (for the regularisers).
   * Call inside tf.tidy (or use forward()).
   */
  run(input: TokenInput, opts: ForwardOptions): ModelRun<tf.Tensor3D> {
    const c = this.config;
    const tokens = this.tokenTensor(input);
    const [b, t] = tokens.shape;
    const layout: PositionLayout = opts.layout ?? { kind: '1d', start: 0, length: t };
    if (layout.kind !== '1d' || layout.length !== t || (layout.prefix ?? 0) !== 0) {
      throw new Error(`CausalLM: layout ${JSON.stringify(layout)} does not describe ${t} tokens (expected a 1-D window of length ${t}, no prefix)`);
    }
    const enc = applyEncoding(this.encoding, layout, opts);
    let x = embedLookup(tokens, this.tokEmb as tf.Tensor2D) as tf.Tensor3D; // [B, T, d]
    if (enc.inputAdd) x = x.add(checkInputAdd(enc.inputAdd, t, c.dModel)) as tf.Tensor3D;
    x = dropout(x, c.dropout, opts.training, opts.rng);
    const mask = this.mask(t);
    this.blocks.forEach((p, layer) => {
      x = transformerBlock(x, p, {
        heads: c.heads,
        layer,
        encoding: enc,
        mask,
        scale: this.scale,
        attnDropout: c.attnDropout,
        dropout: c.dropout,
        gelu: 'tanh',
        training: opts.training,
        rng: opts.rng,
        onAttention: opts.onAttention,
      });
    });
    const h = layerNorm(x, this.lnfG as tf.Tensor1D, this.lnfB as tf.Tensor1D).reshape([b * t, c.dModel]);
    const logits = matMul(h, (this.tokEmb as tf.Tensor2D).transpose()).reshape([b, t, c.vocab]) as tf.Tensor3D; // tied head
    return { logits, encoding: enc };
  }

  /** tokens [B, T] → logits [B, T, V] (tidy). */
  forward(tokens: TokenInput, opts: ForwardOptions): tf.Tensor3D {
    return tf.tidy(() => this.run(tokens, opts).logits);
  }

  /**
   * Mean next-token cross-entropy: targets [B, T] (int32, the token after each input). With `weights` [B, T] the mean is
   * weighted (answer-only QA loss: 1 on answer tokens, 0 elsewhere). Call inside tf.tidy.
   */
  loss(
    tokens: TokenInput,
    targets: tf.Tensor2D | Int32Array,
    opts: ForwardOptions,
    weights?: tf.Tensor2D | Float32Array,
  ): LMLossResult {
    const r = this.run(tokens, opts);
    const [b, t, v] = r.logits.shape;
    if (targets instanceof tf.Tensor && targets.shape.join() !== [b, t].join()) {
      throw new Error(`CausalLM.loss: targets have shape [${targets.shape}], expected [${b}, ${t}]`);
    }
    if (weights instanceof tf.Tensor && weights.shape.join() !== [b, t].join()) {
      throw new Error(`CausalLM.loss: weights have shape [${weights.shape}], expected [${b}, ${t}]`);
    }
    const flatT = targets instanceof tf.Tensor ? targets.reshape([-1]) : targets;
    const flatW = weights instanceof tf.Tensor ? weights.reshape([-1]) : weights;
    const loss = softmaxCrossEntropy(r.logits.reshape([b * t, v]) as tf.Tensor2D, flatT, flatW);
    return { loss, logits: r.logits, encoding: r.encoding };
  }

  describe(): Record<string, unknown> {
    return { kind: 'causal-lm', ...this.config, encoding: this.encoding.name, params: this.params.count() };
  }

  /** Frees the model's variables and cached tensors (the encoding is disposed by its owner). */
  dispose(): void {
    this.params.dispose();
    this.scale.dispose();
    for (const m of this.masks.values()) m.dispose();
    this.masks.clear();
  }
}
