/**
 * SeqPE as a PositionEncoding (spec §1.3–§1.4): the sequential encoder (seqpe-encoder.ts) turns the layout's positions into
 * vectors E [T, outDim], and one of three modes feeds them to the main model.
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
 * `extras.pe` holds E of the main-task positions (the distillation teacher). `extraPositions` (contrastive pivots and
 * candidates, transfer students) are encoded in the SAME encoder pass (spec §1.4) and returned as `extras.extra` in the
 * requested order. Training mode runs the encoder with dropout and gradients; eval mode reads the encoder's cache (no
 * gradient), so a long evaluation window is encoded once.
 *
 * Own parameters (besides the encoder's, which are saved as 'encoder.<name>'):
 *   attn_bias: pe_qk.w [outDim, 2·dModel], pe_qk.b [2·dModel]
 *   qk_gate:   pe_qk.<l>.w [outDim, 2·dModel], pe_qk.<l>.b [2·dModel] for l = 0..layers−1; cls_pos [outDim]
 *   input_add: cls_pos [dModel]
 * Weights N(0, initStd) (truncated if the encoder's truncatedInit), biases 0. Columns of a pe_qk: p_q then p_k, each
 * head-contiguous (head h = columns h·d_head..(h+1)·d_head−1), matching the model's q/k head split.
 */
import * as tf from '@tensorflow/tfjs';
import { linear, matMul } from '../kernels/index';
import { Position } from '../positions/digits';
import { normalArray, Rng } from '../util/rng';
import { SeqPEEncoder, SeqPEEncoderConfig } from './seqpe-encoder';
import { ApplyOptions, EncodingOutput, layoutPositions, ModelDims, PositionEncoding, PositionLayout } from './types';
import { assignNamed, loadWeightsInto, saveWeights } from './weights-io';

export type SeqPEMode = 'input_add' | 'attn_bias' | 'qk_gate';
export const SEQPE_MODES: readonly SeqPEMode[] = ['input_add', 'attn_bias', 'qk_gate'];

export interface SeqPEConfig {
  mode: SeqPEMode;
  /** Seed of every initialisation and of the encoder's dropout stream. */
  seed: number;
  /** Encoder settings (spec §1.2 defaults); outDim defaults to the model width. */
  encoder?: Omit<SeqPEEncoderConfig, 'seed'>;
  /** Create `cls_pos` for prefix tokens (input_add and qk_gate; default true there, ignored for attn_bias). */
  clsPos?: boolean;
}

export interface SeqPEApplyOptions extends ApplyOptions {
  /** More positions to encode in the same pass (contrastive/transfer); returned as extras.extra [count, outDim]. */
  extraPositions?: readonly Position[];
  /**
   * Read positions through the encoder's eval cache (default: !training). The cache gives no gradient to the encoder;
   * pass false for a differentiable pass without dropout.
   */
  cache?: boolean;
}

export class SeqPE implements PositionEncoding {
  readonly name = 'seqpe';
  readonly dims: 1 | 2;
  readonly mode: SeqPEMode;
  readonly encoder: SeqPEEncoder;
  /** This wrapper's own parameters (projections, cls_pos) by name. */
  readonly params: Map<string, tf.Variable> = new Map();
  private readonly dHead: number;

  constructor(
    readonly model: ModelDims,
    config: SeqPEConfig,
  ) {
    if (!SEQPE_MODES.includes(config.mode)) {
      throw new Error(`seqpe: mode must be one of ${SEQPE_MODES.join(', ')}, got ${JSON.stringify(config.mode)}`);
    }
    this.mode = config.mode;
    for (const k of ['dModel', 'heads', 'layers'] as const) {
      if (!Number.isInteger(model[k]) || model[k] < 1) throw new Error(`seqpe: model.${k} must be a positive integer, got ${model[k]}`);
    }
    if (model.dModel % model.heads !== 0) {
      throw new Error(`seqpe: model width ${model.dModel} is not divisible by ${model.heads} heads`);
    }
    this.dHead = model.dModel / model.heads;
    const encDims = config.encoder?.dims ?? 1;
    if (encDims !== 1 && encDims !== 2) throw new Error(`seqpe: dims must be 1 or 2, got ${encDims}`);
    this.dims = encDims;
    const outDim = config.encoder?.outDim ?? model.dModel;
    if (this.mode === 'input_add' && outDim !== model.dModel) {
      throw new Error(`seqpe: input_add needs the encoder outDim (${outDim}) to equal the model width ${model.dModel}`);
    }
    this.encoder = new SeqPEEncoder({ ...config.encoder, outDim, seed: config.seed });
    const ec = this.encoder.config;
    const rng = new Rng(config.seed).fork(3);
    const own = (init: tf.Tensor): tf.Variable => {
      const v = tf.variable(init);
      init.dispose(); // the variable holds its own reference to the data
      return v;
    };
    const normal = (shape: number[]) =>
      own(tf.tensor(normalArray(rng, shape.reduce((a, b) => a * b, 1), ec.initStd, ec.truncatedInit), shape));
    const zeros = (shape: number[]) => own(tf.zeros(shape));
    const D2 = 2 * model.dModel;
    if (this.mode === 'attn_bias') {
      this.params.set('pe_qk.w', normal([outDim, D2]));
      this.params.set('pe_qk.b', zeros([D2]));
    } else if (this.mode === 'qk_gate') {
      for (let l = 0; l < model.layers; l++) {
        this.params.set(`pe_qk.${l}.w`, normal([outDim, D2]));
        this.params.set(`pe_qk.${l}.b`, zeros([D2]));
      }
    }
    if (this.mode !== 'attn_bias' && (config.clsPos ?? true)) {
      this.params.set('cls_pos', normal([this.mode === 'input_add' ? model.dModel : outDim]));
    }
  }

  /** Encoder variables, then this wrapper's (projections, cls_pos). */
  get variables(): tf.Variable[] {
    return [...this.encoder.variables, ...this.params.values()];
  }

  apply(layout: PositionLayout, opts: SeqPEApplyOptions): EncodingOutput {
    const expected = this.dims === 1 ? '1d' : '2d';
    if (layout.kind !== expected) {
      throw new Error(`seqpe: this encoding is ${this.dims}-D and needs a '${expected}' layout, got '${layout.kind}'`);
    }
    const prefix = layout.prefix ?? 0;
    if (!Number.isInteger(prefix) || prefix < 0) throw new Error(`seqpe: layout prefix must be an integer ≥ 0, got ${prefix}`);
    const positions = layoutPositions(layout);
    const T = positions.length;
    if (T === 0) throw new Error(`seqpe: layout ${JSON.stringify(layout)} has no positions`);
    const extra = opts.extraPositions ?? [];
    const useCache = opts.cache ?? !opts.training;
    if (useCache && opts.training) throw new Error('seqpe: the eval cache cannot be used in training mode (no dropout, no gradient)');
    if (prefix > 0 && this.mode !== 'attn_bias' && !this.params.has('cls_pos')) {
      throw new Error(`seqpe: layout has ${prefix} prefix token(s) but this SeqPE was built with clsPos: false`);
    }

    const D = this.encoder.outDim;
    let pe: tf.Tensor2D; // [T, outDim]
    let extraPe: tf.Tensor2D | undefined; // [extra, outDim]
    if (useCache) {
      pe = this.encoder.table(positions);
      if (extra.length > 0) extraPe = this.encoder.table(extra);
    } else {
      const all = this.encoder.encode(extra.length > 0 ? [...positions, ...extra] : positions, { training: opts.training });
      if (extra.length > 0) {
        pe = all.slice([0, 0], [T, D]);
        extraPe = all.slice([T, 0], [extra.length, D]);
      } else pe = all;
    }
    const extras: Record<string, tf.Tensor> = { pe };
    if (extraPe) extras.extra = extraPe;

    const { heads, layers, dModel } = this.model;
    const dh = this.dHead;
    const checkLayer = (layer: number) => {
      if (!Number.isInteger(layer) || layer < 0 || layer >= layers) {
        throw new Error(`seqpe: layer ${layer} is out of range [0, ${layers})`);
      }
    };
    const withCls = (rows: tf.Tensor2D): tf.Tensor2D =>
      prefix === 0 ? rows : (tf.concat([tf.zeros([prefix, rows.shape[1]]).add(this.params.get('cls_pos')!), rows], 0) as tf.Tensor2D);

    if (this.mode === 'input_add') {
      return { inputAdd: withCls(pe), extras };
    }
    if (this.mode === 'attn_bias') {
      const pqk = linear(pe, this.params.get('pe_qk.w') as tf.Tensor2D, this.params.get('pe_qk.b') as tf.Tensor1D); // [T, 2·dModel]
      const pq = pqk.slice([0, 0], [T, dModel]).reshape([T, heads, dh]).transpose([1, 0, 2]); // [heads, T, d_head]
      const pkT = pqk.slice([0, dModel], [T, dModel]).reshape([T, heads, dh]).transpose([1, 2, 0]); // [heads, d_head, T]
      let bias = matMul(pq, pkT) as tf.Tensor3D; // [heads, T, T]
      if (prefix > 0) bias = tf.pad(bias, [[0, 0], [prefix, 0], [prefix, 0]]); // prefix rows/cols: 0
      return {
        attnBias: (layer) => {
          checkLayer(layer);
          return bias;
        },
        extras,
      };
    }
    // qk_gate: per-layer gates [1, heads, prefix + T, d_head], built now so they belong to the caller's scope.
    const rows = withCls(pe); // [prefix + T, outDim]
    const n = prefix + T;
    const gates: Array<[tf.Tensor4D, tf.Tensor4D]> = [];
    for (let l = 0; l < layers; l++) {
      const g = linear(rows, this.params.get(`pe_qk.${l}.w`) as tf.Tensor2D, this.params.get(`pe_qk.${l}.b`) as tf.Tensor1D);
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
      extras,
    };
  }

  /** Every parameter by name: 'encoder.<name>' for the encoder, then this wrapper's own names. Not copies. */
  getWeights(): Map<string, tf.Tensor> {
    const m = new Map<string, tf.Tensor>();
    for (const [k, v] of this.encoder.params) m.set(`encoder.${k}`, v);
    for (const [k, v] of this.params) m.set(k, v);
    return m;
  }

  /** Assigns every parameter (names, shapes, dtypes must match exactly; nothing is assigned on error). */
  setWeights(weights: Map<string, tf.Tensor>): void {
    const vars = new Map<string, tf.Variable>();
    for (const [k, v] of this.encoder.params) vars.set(`encoder.${k}`, v);
    for (const [k, v] of this.params) vars.set(k, v);
    assignNamed(vars, weights, 'seqpe');
    this.encoder.invalidateCache();
  }

  save(dir: string): void {
    saveWeights(dir, this.getWeights(), { kind: 'seqpe', mode: this.mode, model: this.model, encoder: this.encoder.config });
  }

  load(dir: string): void {
    loadWeightsInto(dir, (tensors) => this.setWeights(tensors));
  }

  /** Forget the encoder's eval cache (it is also cleared automatically when any encoder weight is reassigned). */
  invalidateCache(): void {
    this.encoder.invalidateCache();
  }

  dispose(): void {
    this.encoder.dispose();
    for (const v of this.params.values()) v.dispose();
    this.params.clear();
  }
}
