/**
 * Vision Transformer, timm style (pre-LN), with the position encoding injected:
 *
 *   patches [B, N, p·p·C] → linear → prepend CLS → (+ encoding.inputAdd) → dropout → L × block (full attention,
 *   exact GELU) → LN_f → head(CLS) → logits [B, classes]
 *
 * Patches are in row-major grid order (src/data/resize.ts patchify); the layout is a rows × cols grid with prefix 1 (the
 * CLS token, index 0). Any grid works — a larger image only grows the layout — as long as the encoding handles it.
 * Init (timm): truncated N(0, 0.02) for linear weights and the CLS token, zero biases, LayerNorm 1/0.
 */
import * as tf from '@tensorflow/tfjs';
import { layerNorm, linear as dense, softmaxCrossEntropy } from '../kernels/index';
import type { PositionEncoding, PositionLayout } from '../encodings/types';
import { BlockParams, createBlockParams, transformerBlock } from './block';
import { dropout } from './dropout';
import { ParamStore } from './params';
import { adoptEncoding, applyEncoding, checkDims, checkInputAdd } from './shared';
import type { ForwardOptions, ModelRun, TrainableModel } from './types';
import { checkKeys, keysOf } from '../util/keys';

export interface ViTConfig {
  /** Training image side in pixels (square images); sets the default grid. */
  imageSize: number;
  patchSize: number;
  /** Default 1. */
  channels?: number;
  classes: number;
  dModel: number;
  layers: number;
  heads: number;
  /** Default 4. */
  mlpRatio?: number;
  /** Patch-embedding and residual dropout. Default 0. */
  dropout?: number;
  /** Default 0. */
  attnDropout?: number;
  /** Default 0.02. */
  initStd?: number;
  seed: number;
}

export type ResolvedViTConfig = Required<ViTConfig>;
/** Every key a ViTConfig may have: a misspelt one is an error, not a default. */
const VIT_KEYS = keysOf<ViTConfig>({ imageSize: 1, patchSize: 1, channels: 1, classes: 1, dModel: 1, layers: 1, heads: 1, mlpRatio: 1, dropout: 1, attnDropout: 1, initStd: 1, seed: 1 });

export interface ViTLossResult {
  loss: tf.Scalar;
  logits: tf.Tensor2D;
  encoding: ModelRun['encoding'];
}

export class ViT implements TrainableModel {
  readonly config: ResolvedViTConfig;
  readonly params: ParamStore;
  readonly encoding: PositionEncoding;
  /** Values per patch: p·p·C. */
  readonly patchDim: number;
  /** Default grid side (imageSize / patchSize). */
  readonly grid: number;
  private readonly patchW: tf.Variable;
  private readonly patchB: tf.Variable;
  private readonly cls: tf.Variable;
  private readonly blocks: BlockParams[];
  private readonly lnfG: tf.Variable;
  private readonly lnfB: tf.Variable;
  private readonly headW: tf.Variable;
  private readonly headB: tf.Variable;
  private readonly scale: tf.Scalar;

  constructor(config: ViTConfig, encoding: PositionEncoding) {
    checkKeys('ViT', config, VIT_KEYS);
    const c: ResolvedViTConfig = { channels: 1, mlpRatio: 4, dropout: 0, attnDropout: 0, initStd: 0.02, ...config };
    checkDims('ViT', c);
    for (const k of ['imageSize', 'patchSize', 'channels'] as const) {
      if (!Number.isInteger(c[k]) || c[k] < 1) throw new Error(`ViT: ${k} must be a positive integer, got ${JSON.stringify(c[k])}`);
    }
    if (c.imageSize % c.patchSize !== 0) throw new Error(`ViT: imageSize ${c.imageSize} is not a multiple of patchSize ${c.patchSize}`);
    if (!Number.isInteger(c.classes) || c.classes < 2) throw new Error(`ViT: classes must be an integer ≥ 2, got ${JSON.stringify(c.classes)}`);
    if (encoding.dims === 1) throw new Error(`ViT: encoding '${encoding.name}' is 1-D only; the ViT lays patches on a 2-D grid`);
    this.config = c;
    this.encoding = encoding;
    this.patchDim = c.patchSize * c.patchSize * c.channels;
    this.grid = c.imageSize / c.patchSize;
    this.params = new ParamStore(c.seed);
    const std = c.initStd;
    this.patchW = this.params.normal('patch.w', [this.patchDim, c.dModel], std, { truncate: true });
    this.patchB = this.params.constant('patch.b', [c.dModel], 0);
    this.cls = this.params.normal('cls', [1, c.dModel], std, { truncate: true, decay: false }); // CLS: no decay (method §1.8)
    const init = { std, projStd: std, truncate: true, mlpRatio: c.mlpRatio };
    this.blocks = Array.from({ length: c.layers }, (_, i) => createBlockParams(this.params, i, c.dModel, init));
    this.lnfG = this.params.constant('ln_f.gamma', [c.dModel], 1);
    this.lnfB = this.params.constant('ln_f.beta', [c.dModel], 0);
    this.headW = this.params.normal('head.w', [c.dModel, c.classes], std, { truncate: true });
    this.headB = this.params.constant('head.b', [c.classes], 0);
    adoptEncoding(this.params, encoding);
    this.scale = tf.keep(tf.scalar(1 / Math.sqrt(c.dModel / c.heads)));
  }

  /** The grid layout for n patches: the given one (checked) or a square grid at the origin. */
  private layoutFor(n: number, given: PositionLayout | undefined): PositionLayout {
    if (given) {
      if (given.kind !== '2d' || given.rows * given.cols !== n || (given.prefix ?? 0) !== 1) {
        throw new Error(`ViT: layout ${JSON.stringify(given)} does not describe ${n} patches (expected a 2-D grid of ${n} cells with prefix 1)`);
      }
      return given;
    }
    const g = Math.round(Math.sqrt(n));
    if (g * g !== n) throw new Error(`ViT: ${n} patches do not form a square grid; pass a layout with rows and cols`);
    return { kind: '2d', start: [0, 0], rows: g, cols: g, prefix: 1 };
  }

  /** patches [B, N, p·p·C] → logits [B, classes]. Call inside tf.tidy (or use forward()). */
  run(patches: tf.Tensor3D, opts: ForwardOptions): ModelRun<tf.Tensor2D> {
    const c = this.config;
    if (patches.rank !== 3 || patches.shape[2] !== this.patchDim) {
      throw new Error(`ViT: patches must be [batch, patches, ${this.patchDim}] (p·p·C), got shape [${patches.shape}]`);
    }
    if (patches.dtype !== 'float32') throw new Error(`ViT: patches must be float32, got ${patches.dtype}`);
    const [b, n] = patches.shape;
    const layout = this.layoutFor(n, opts.layout);
    const enc = applyEncoding(this.encoding, layout, opts);
    const emb = dense(patches, this.patchW as tf.Tensor2D, this.patchB as tf.Tensor1D) as tf.Tensor3D; // [B, N, d]
    const cls = (this.cls as tf.Tensor2D).expandDims(0).tile([b, 1, 1]) as tf.Tensor3D; // [B, 1, d]
    let x = tf.concat([cls, emb], 1) as tf.Tensor3D; // [B, 1 + N, d], CLS first
    if (enc.inputAdd) x = x.add(checkInputAdd(enc.inputAdd, n + 1, c.dModel)) as tf.Tensor3D;
    x = dropout(x, c.dropout, opts.training, opts.rng);
    this.blocks.forEach((p, layer) => {
      x = transformerBlock(x, p, {
        heads: c.heads,
        layer,
        encoding: enc,
        mask: null,
        scale: this.scale,
        attnDropout: c.attnDropout,
        dropout: c.dropout,
        gelu: 'erf',
        training: opts.training,
        rng: opts.rng,
        onAttention: opts.onAttention,
      });
    });
    const h = layerNorm(x, this.lnfG as tf.Tensor1D, this.lnfB as tf.Tensor1D) as tf.Tensor3D;
    const clsOut = h.slice([0, 0, 0], [b, 1, c.dModel]).reshape([b, c.dModel]) as tf.Tensor2D;
    const logits = dense(clsOut, this.headW as tf.Tensor2D, this.headB as tf.Tensor1D) as tf.Tensor2D;
    return { logits, encoding: enc };
  }

  forward(patches: tf.Tensor3D, opts: ForwardOptions): tf.Tensor2D {
    return tf.tidy(() => this.run(patches, opts).logits);
  }

  /** Mean cross-entropy against integer labels [B]. Call inside tf.tidy. */
  loss(patches: tf.Tensor3D, labels: Int32Array | tf.Tensor1D, opts: ForwardOptions): ViTLossResult {
    const r = this.run(patches, opts);
    return { loss: softmaxCrossEntropy(r.logits, labels), logits: r.logits, encoding: r.encoding };
  }

  describe(): Record<string, unknown> {
    return { kind: 'vit', ...this.config, encoding: this.encoding.name, params: this.params.count() };
  }

  dispose(): void {
    this.params.dispose();
    this.scale.dispose();
  }
}
