/**
 * The sequential position encoder ℰ of SeqPE (spec §1.1–§1.2): a small pre-LN Transformer that reads a position written
 * as digit symbols and returns one vector per position. Read top to bottom:
 *
 *   position (2, 3), 2 digits per axis → digits [0, 2, 0, 3] → tokens [d0 d1 d2 d3 CLS]
 *   embed:   token t < L: digit_embedding[digit_t] + digit_position_embedding[t] (+ dim_embedding[t div digits] if dims > 1)
 *            CLS (last):  cls (no position or dimension embedding)
 *   blocks:  layers × pre-LN block (blocks.ts), over the full or the prefix row layout (row-layout.ts, prefix.ts)
 *   CLS:     the CLS token's final state
 *   project: out_proj(ln_f(x_CLS)) / temperature                          [count, outDim]
 *
 * Digit-position ids run 0..dims·digits−1 across dimensions (not reset per dimension: spec §6.2). Pads are ordinary '0'
 * tokens unless maskPadding is on (spec §6.1). Under causal attention the CLS, being last, still sees every digit.
 * Settings and the parameter table: config.ts. Evaluation cache: eval-cache.ts.
 *
 * Two computation paths give the same numbers: 'full' runs every token of every position; 'prefix' (causal only) runs each
 * distinct digit prefix once (see prefix.ts). 'auto' picks 'prefix' for causal attention.
 */
import * as tf from '@tensorflow/tfjs';
import { embedding, gatherRows, layerNorm, linear } from '../../kernels/index';
import { normalArray, Rng, RngState } from '../../util/rng';
import { DigitSpec, dimensionIds, encodeBatch, Position, specFor } from '../../positions/digits';
import { assignNamed } from '../weights-format';
import { runBlocks, SeededDropout } from './blocks';
import { encoderParamShapes, ResolvedEncoderConfig, resolveEncoderConfig, SeqPEEncoderConfig, SeqPEPath } from './config';
import { dedupPositions, EvalCache } from './eval-cache';
import { buildPrefixTrie } from './prefix';
import { fullRowLayout, prefixRowLayout, RowLayout } from './row-layout';

export interface EncodeOptions {
  /** Training mode: dropout on. */
  training: boolean;
  /** Override the configured computation path for this call. */
  path?: SeqPEPath;
}

/** Counters for tests and benchmarks. */
export interface EncoderStats {
  /** Encoder forward passes run (encode calls and cache fills). */
  forwards: number;
  /** Positions fed to the encoder (after de-duplication). */
  positionsEncoded: number;
  /** Rows served from the eval cache. */
  cacheHits: number;
}

export class SeqPEEncoder {
  readonly config: ResolvedEncoderConfig;
  readonly spec: DigitSpec;
  /** Digit tokens per position, L = dims · digits (the encoder reads L + 1 tokens with the CLS). */
  readonly seqLen: number;
  /** name → variable, in the documented order (the table in config.ts). */
  readonly params: Map<string, tf.Variable>;
  readonly stats: EncoderStats = { forwards: 0, positionsEncoded: 0, cacheHits: 0 };
  private readonly dropRng: Rng;
  private readonly dropout: SeededDropout;
  private readonly cache: EvalCache;
  private disposed = false;

  constructor(config: SeqPEEncoderConfig) {
    this.config = resolveEncoderConfig(config);
    this.spec = specFor(this.config.maxPosition, this.config.dims, this.config.base);
    this.seqLen = this.spec.dims * this.spec.digits;
    const root = new Rng(this.config.seed);
    const initRng = root.fork(1);
    this.dropRng = root.fork(2);
    this.dropout = new SeededDropout(this.dropRng);
    this.cache = new EvalCache(this.config.outDim, this.config.evalChunk);
    this.params = new Map();
    for (const { name, shape, init } of encoderParamShapes(this.config)) {
      const n = shape.reduce((a, b) => a * b, 1);
      const values =
        init === 'normal'
          ? normalArray(initRng, n, this.config.initStd, this.config.truncatedInit)
          : new Float32Array(n).fill(init === 'ones' ? 1 : 0);
      // Unnamed: tfjs variable names are global, and several encoders may coexist (teacher/student, tests).
      const start = tf.tensor(values, shape, 'float32');
      this.params.set(name, tf.variable(start));
      start.dispose(); // the variable holds its own reference to the data
    }
  }

  /** Trainable variables in the documented order. */
  get variables(): tf.Variable[] {
    return [...this.params.values()];
  }

  get outDim(): number {
    return this.config.outDim;
  }

  /** Total number of parameters. */
  get paramCount(): number {
    let n = 0;
    for (const v of this.params.values()) n += v.size;
    return n;
  }

  /** The variable of a documented name (throws on a typo). */
  param(name: string): tf.Variable {
    const v = this.params.get(name);
    if (!v) throw new Error(`SeqPEEncoder: no parameter named ${JSON.stringify(name)}`);
    return v;
  }

  /** 'full' or 'prefix', resolving 'auto' and checking a forced prefix path against the attention direction. */
  resolvePath(path: SeqPEPath = this.config.path): 'full' | 'prefix' {
    if (path === 'prefix' && this.config.attention !== 'causal') {
      throw new Error("SeqPEEncoder: path 'prefix' needs causal attention");
    }
    if (path === 'auto') return this.config.attention === 'causal' ? 'prefix' : 'full';
    if (path !== 'full' && path !== 'prefix') throw new Error(`SeqPEEncoder: unknown path ${JSON.stringify(path)}`);
    return path;
  }

  /**
   * Position embeddings [count, outDim] in the requested order, differentiable. Each distinct position is encoded once
   * and gathered back to the requested rows. Call inside tf.tidy (or dispose the result).
   */
  encode(positions: readonly Position[], opts: EncodeOptions): tf.Tensor2D {
    this.checkAlive();
    const dd = dedupPositions(positions);
    return tf.tidy(() => {
      const out = this.encodeBounded(dd.unique, opts.training, opts.path);
      return dd.identity ? out : gatherRows(out, dd.index);
    });
  }

  /**
   * encodeUnique in chunks of `evalChunk` positions when no gradient is needed, so the intermediates of one forward stay
   * bounded whatever the request size (one forward over 400 000 positions overflowed the 4 GB wasm heap, and a failed
   * allocation there leaves the backend unusable). Only the [U, outDim] result grows with U. Under training the tape
   * keeps every chunk's intermediates anyway, so training encodes in one pass.
   */
  private encodeBounded(unique: readonly Position[], training: boolean, path?: SeqPEPath): tf.Tensor2D {
    const chunk = this.config.evalChunk;
    if (training || unique.length <= chunk) return this.encodeUnique(unique, training, path);
    const parts: tf.Tensor2D[] = [];
    for (let s = 0; s < unique.length; s += chunk) {
      parts.push(this.encodeUnique(unique.slice(s, s + chunk), false, path)); // each forward's intermediates freed by its own tidy
    }
    const out = tf.concat(parts, 0) as tf.Tensor2D;
    parts.forEach((t) => t.dispose());
    return out;
  }

  /**
   * Eval-mode embeddings [count, outDim] through the cache (no gradient, no dropout): positions already encoded with the
   * current weights are not encoded again. New positions are encoded in chunks of `evalChunk`.
   */
  table(positions: readonly Position[]): tf.Tensor2D {
    this.checkAlive();
    const { rows, hits } = this.cache.lookup(positions, this.variables, (chunk) => this.encodeUnique(chunk, false));
    this.stats.cacheHits += hits;
    return rows;
  }

  /** Forget every cached eval row. */
  invalidateCache(): void {
    this.cache.clear();
  }

  /** Positions currently in the eval cache. */
  get cacheSize(): number {
    return this.cache.size;
  }

  /**
   * Per-token hidden states for inspection and teaching: stage 0 is the embedded input, stage i the output of block i;
   * each [count, L + 1, d] with the CLS last. No de-duplication (rows follow the request). Caller disposes.
   */
  hiddenStates(positions: readonly Position[], opts: { training?: boolean; path?: SeqPEPath } = {}): tf.Tensor3D[] {
    this.checkAlive();
    if (positions.length === 0) throw new Error('SeqPEEncoder.hiddenStates: no positions given');
    const result: tf.Tensor3D[] = [];
    tf.tidy(() => {
      const layout = this.rowLayout(positions, opts.path);
      const { states } = runBlocks((n) => this.param(n), this.config, layout, this.dropout, opts.training ?? false, true);
      for (const s of states) result.push(tf.keep(layout.tokens(s)));
    });
    return result;
  }

  /** The variables themselves, by documented name (for saving; do not dispose them). */
  getWeights(): Map<string, tf.Tensor> {
    return new Map(this.params);
  }

  /** Assigns every parameter from a name → tensor map (names, shapes and dtypes must match exactly). */
  setWeights(weights: Map<string, tf.Tensor>): void {
    this.checkAlive();
    assignNamed(this.params, weights, 'SeqPEEncoder');
    this.invalidateCache();
  }

  /**
   * What is saved next to the weights. Files are Node's business: weights-io.ts's saveWeightsOf(encoder, dir) and
   * loadWeightsOf(encoder, dir) write and read them, so this class runs in a browser too.
   */
  weightsMeta(): unknown {
    return { kind: 'seqpe-encoder', config: this.config };
  }

  /** State of the dropout random stream (for checkpoints). */
  getRngState(): RngState {
    return this.dropRng.getState();
  }

  setRngState(s: RngState): void {
    this.dropRng.setState(s);
  }

  dispose(): void {
    if (this.disposed) return;
    for (const v of this.params.values()) v.dispose();
    this.cache.clear();
    this.disposed = true;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // the forward, top to bottom: embed → blocks → CLS → projection

  private checkAlive(): void {
    if (this.disposed) throw new Error('SeqPEEncoder: used after dispose()');
  }

  /** Encoder outputs [U, outDim] of distinct positions. */
  private encodeUnique(unique: readonly Position[], training: boolean, path?: SeqPEPath): tf.Tensor2D {
    if (unique.length === 0) return tf.zeros([0, this.outDim]);
    return tf.tidy(() => {
      const layout = this.rowLayout(unique, path); // embed, laid out as rows of the chosen path
      this.stats.forwards++;
      this.stats.positionsEncoded += unique.length;
      const { cls } = runBlocks((n) => this.param(n), this.config, layout, this.dropout, training, false); // [U, d]
      return this.project(cls);
    });
  }

  /** The positions' digit tokens as rows of the full or the prefix path, with the embedded input table. */
  private rowLayout(positions: readonly Position[], path?: SeqPEPath): RowLayout {
    const batch = encodeBatch(positions, this.spec);
    const which = this.resolvePath(path);
    const table = this.embed();
    return which === 'prefix'
      ? prefixRowLayout(buildPrefixTrie(batch, this.config.maskPadding), table, this.config)
      : fullRowLayout(batch, table, this.config, this.seqLen);
  }

  /**
   * The distinct block inputs [base·L + 1, d]: row s·L + t = digit_embedding[s] + digit_position_embedding[t]
   * (+ dim_embedding[t div digits] for n-D); last row = cls.
   */
  private embed(): tf.Tensor2D {
    const { base, width: d } = this.config;
    const L = this.seqLen;
    let slots = this.param('digit_position_embedding') as tf.Tensor2D; // [L, d]
    if (this.spec.dims > 1) {
      slots = slots.add(embedding(tf.tensor1d(dimensionIds(this.spec), 'int32'), this.param('dim_embedding') as tf.Tensor2D));
    }
    const digitSlot = this.param('digit_embedding').reshape([base, 1, d]).add(slots.reshape([1, L, d])).reshape([base * L, d]);
    return tf.concat([digitSlot, this.param('cls').reshape([1, d])], 0) as tf.Tensor2D;
  }

  /** ln_f, out_proj and 1/temperature on the CLS states [count, d] → [count, outDim]. */
  private project(cls: tf.Tensor2D): tf.Tensor2D {
    const c = this.config;
    const h = layerNorm(cls, this.param('ln_f.gamma') as tf.Tensor1D, this.param('ln_f.beta') as tf.Tensor1D, c.lnEps);
    const y = linear(h, this.param('out_proj.w') as tf.Tensor2D, this.param('out_proj.b') as tf.Tensor1D) as tf.Tensor2D;
    return c.temperature === 1 ? y : y.mul(1 / c.temperature);
  }
}
