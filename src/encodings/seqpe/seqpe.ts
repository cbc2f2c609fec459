/**
 * SeqPE as a PositionEncoding (spec §1.3–§1.4): the sequential encoder (encoder.ts) turns the layout's positions into
 * vectors E [T, outDim], one of three modes (modes.ts) feeds them to the main model, and the encoding owns its training
 * objectives (objectives.ts: contrastive, distillation, random shift).
 *
 * `vectors.main` holds E of the main-task positions (the distillation teacher). `extraPositions` (contrastive pivots and
 * candidates, distillation students) are encoded in the SAME encoder pass (spec §1.4) and returned as `vectors.extra` in
 * the requested order. Training mode runs the encoder with dropout and gradients; eval mode reads the encoder's cache (no
 * gradient), so a long evaluation window is encoded once.
 *
 * Parameter names: the encoder's as 'encoder.<name>' (config.ts), then the mode's own (modes.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { Rng, RngState } from '../../util/rng';
import { assignNamed } from '../weights-format';
import {
  ApplyOptions,
  EncodingCapabilities,
  EncodingOutput,
  layoutPositions,
  ModelDims,
  ObjectiveContext,
  PositionEncoding,
  PositionLayout,
} from '../types';
import type { SeqPEEncoderConfig } from './config';
import { SeqPEEncoder } from './encoder';
import { applyMode, createModeParams, SEQPE_MODES, SeqPEMode } from './modes';
import { drawObjectiveSeeds, hasObjectives, SeqPEObjectives, SeqPEObjectivesConfig } from './objectives';

export interface SeqPEConfig {
  mode: SeqPEMode;
  /** Seed of every initialisation and of the encoder's dropout stream. */
  seed: number;
  /** Encoder settings (spec §1.2 defaults); outDim defaults to the model width. */
  encoder?: Omit<SeqPEEncoderConfig, 'seed'>;
  /** Create `cls_pos` for prefix tokens (input_add and qk_gate; default true there, ignored for attn_bias). */
  clsPos?: boolean;
  /** The encoding's own training objectives (none when absent). */
  objectives?: SeqPEObjectivesConfig;
}

/** SeqPE's apply options are the shared ones (extraPositions and cache are both meaningful here). */
export type SeqPEApplyOptions = ApplyOptions;

export class SeqPE implements PositionEncoding {
  readonly name = 'seqpe';
  readonly dims: 1 | 2;
  readonly mode: SeqPEMode;
  readonly encoder: SeqPEEncoder;
  readonly capabilities: EncodingCapabilities;
  /** This wrapper's own parameters (projections, cls_pos) by name. */
  readonly params: Map<string, tf.Variable>;
  readonly objectivesConfig?: SeqPEObjectivesConfig;

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
    const encDims = config.encoder?.dims ?? 1;
    if (encDims !== 1 && encDims !== 2) throw new Error(`seqpe: dims must be 1 or 2, got ${encDims}`);
    this.dims = encDims;
    const outDim = config.encoder?.outDim ?? model.dModel;
    if (this.mode === 'input_add' && outDim !== model.dModel) {
      throw new Error(`seqpe: input_add needs the encoder outDim (${outDim}) to equal the model width ${model.dModel}`);
    }
    this.encoder = new SeqPEEncoder({ ...config.encoder, outDim, seed: config.seed });
    const ec = this.encoder.config;
    this.params = createModeParams(this.mode, model, outDim, {
      rng: new Rng(config.seed).fork(3),
      std: ec.initStd,
      truncated: ec.truncatedInit,
      clsPos: config.clsPos ?? true,
    });
    this.objectivesConfig = config.objectives;
    this.capabilities = {
      carriesPosition: true,
      rawVectors: true,
      extraPositions: true,
      shiftedWindows: { '1d': this.dims === 1, '2d': this.dims === 2 },
      objectives: hasObjectives(config.objectives),
    };
  }

  /** Encoder variables, then this wrapper's (projections, cls_pos). */
  get variables(): tf.Variable[] {
    return [...this.namedVariables().values()];
  }

  /** 'encoder.<name>' for the encoder's parameters, then this wrapper's own names. Not copies. */
  namedVariables(): Map<string, tf.Variable> {
    const m = new Map<string, tf.Variable>();
    for (const [k, v] of this.encoder.params) m.set(`encoder.${k}`, v);
    for (const [k, v] of this.params) m.set(k, v);
    return m;
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
    let main: tf.Tensor2D; // [T, outDim]
    let extraPe: tf.Tensor2D | undefined; // [extra, outDim]
    if (useCache) {
      main = this.encoder.table(positions);
      if (extra.length > 0) extraPe = this.encoder.table(extra);
    } else {
      // One encoder pass for the main positions and the objectives' extra positions (spec §1.4).
      const all = this.encoder.encode(extra.length > 0 ? [...positions, ...extra] : positions, { training: opts.training });
      if (extra.length > 0) {
        main = all.slice([0, 0], [T, D]);
        extraPe = all.slice([T, 0], [extra.length, D]);
      } else main = all;
    }
    const vectors = extraPe ? { main, extra: extraPe } : { main };
    return { ...applyMode(this.mode, this.params, this.model, main, prefix), vectors };
  }

  /** The configured objectives for a run (undefined when none are configured). */
  objectives(ctx: ObjectiveContext): SeqPEObjectives | undefined {
    if (!this.objectivesConfig || !hasObjectives(this.objectivesConfig)) return undefined;
    const c = this.encoder.config;
    return new SeqPEObjectives(
      this.objectivesConfig,
      { dims: this.dims, maxPosition: c.maxPosition, heads: c.heads },
      ctx.layout,
      drawObjectiveSeeds(ctx.rng),
    );
  }

  /** The encoder's dropout stream. */
  getState(): RngState {
    return this.encoder.getRngState();
  }

  setState(s: RngState): void {
    this.encoder.setRngState(s);
  }

  /** Every parameter by name (namedVariables, as tensors). Not copies. */
  getWeights(): Map<string, tf.Tensor> {
    return new Map(this.namedVariables());
  }

  /** Assigns every parameter (names, shapes, dtypes must match exactly; nothing is assigned on error). */
  setWeights(weights: Map<string, tf.Tensor>): void {
    assignNamed(this.namedVariables(), weights, 'seqpe');
    this.encoder.invalidateCache();
  }

  /** What is saved next to the weights (files: weights-io.ts's saveWeightsOf / loadWeightsOf, Node only). */
  weightsMeta(): unknown {
    return { kind: 'seqpe', mode: this.mode, model: this.model, encoder: this.encoder.config };
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
