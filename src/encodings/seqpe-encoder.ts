/**
 * The sequential position encoder ℰ of SeqPE (spec §1.1–§1.2): a small pre-LN Transformer that reads a position written
 * as digit symbols and returns one vector per position.
 *
 *   position (2, 3), 2 digits per axis → digits [0, 2, 0, 3] → tokens [d0 d1 d2 d3 CLS]
 *   token t < L:  digit_embedding[digit_t] + digit_position_embedding[t] (+ dim_embedding[t div digits] if dims > 1)
 *   CLS (last):   cls (no position or dimension embedding)
 *   layers × block:  x = x + Drop(Attn(LN1 x));  x = x + Drop(MLP(LN2 x))     MLP = Linear(d→4d) · gelu_tanh · Linear(4d→d)
 *   output:       out_proj(ln_f(x_CLS)) / temperature                          [count, outDim]
 *
 * Digit-position ids run 0..dims·digits−1 across dimensions (not reset per dimension: spec §6.2). Pads are ordinary '0'
 * tokens unless maskPadding is on (spec §6.1). Under causal attention the CLS, being last, still sees every digit.
 *
 * Parameters (`params`, name → tf.Variable; d = width, L = dims·digits, F = mlpRatio·d, i = block index):
 *
 * | name                          | shape        | init          |
 * |-------------------------------|--------------|---------------|
 * | digit_embedding               | [base, d]    | N(0, 0.02)    |
 * | digit_position_embedding      | [L, d]       | N(0, 0.02)    |
 * | dim_embedding (dims > 1 only) | [dims, d]    | N(0, 0.02)    |
 * | cls                           | [d]          | N(0, 0.02)    |
 * | blocks.i.ln1.gamma / .beta    | [d] / [d]    | 1 / 0         |
 * | blocks.i.attn.qkv.w / .b      | [d, 3d] / [3d] | N(0, 0.02) / 0 (columns q | k | v, heads contiguous) |
 * | blocks.i.attn.proj.w / .b     | [d, d] / [d] | N(0, 0.02) / 0 |
 * | blocks.i.ln2.gamma / .beta    | [d] / [d]    | 1 / 0         |
 * | blocks.i.mlp.fc.w / .b        | [d, F] / [F] | N(0, 0.02) / 0 |
 * | blocks.i.mlp.proj.w / .b      | [F, d] / [d] | N(0, 0.02) / 0 |
 * | ln_f.gamma / .beta            | [d] / [d]    | 1 / 0         |
 * | out_proj.w / .b               | [d, outDim] / [outDim] | N(0, 0.02) / 0 |
 *
 * (truncatedInit: the normals are truncated at ±2σ, timm's trunc_normal_, as in the image code.) Parameter count:
 * 2 blocks of 12d² + 13d, plus (base + L + dims·[dims>1] + 1)·d, plus 2d, plus d·outDim + outDim — 14 780 160 for the
 * LM setting (d = outDim = 768, 5 digits) and 3 704 064 for ViT-S (d = outDim = 384, 2-D, 2 digits per axis).
 *
 * Two computation paths give the same numbers: 'full' runs every token of every position; 'prefix' (causal only) runs each
 * distinct digit prefix once (see seqpe-prefix.ts). 'auto' picks 'prefix' for causal attention.
 *
 * Evaluation cache: `table(positions)` (eval mode, no gradient) keeps each encoded position's row, so evaluating long
 * windows encodes every position once. The cache is keyed by the identity of every parameter's data buffer, which
 * tf.Variable.assign (used by all tfjs optimisers and by load/setWeights) replaces; so it is cleared automatically after
 * an optimiser step. Call `invalidateCache()` if you change weights by some other route.
 */
import * as tf from '@tensorflow/tfjs';
import { batchMatMul, embedding, gatherRows, gelu, layerNorm, linear } from '../kernels/index';
import { normalArray, Rng, RngState } from '../util/rng';
import { DigitBatch, DigitSpec, dimensionIds, encodeBatch, Position, positionKey, specFor } from '../positions/digits';
import { buildPrefixTrie, MASKED_LOGIT, prefixAttention, prefixKeyMask, PrefixTrie } from './seqpe-prefix';
import { assignNamed, loadWeightsInto, saveWeights } from './weights-io';

export type SeqPEAttention = 'causal' | 'bidirectional';
/** 'full': every token; 'prefix': shared digit prefixes once (causal only); 'auto': prefix when causal. */
export type SeqPEPath = 'auto' | 'full' | 'prefix';

export interface SeqPEEncoderConfig {
  /** Seed of the parameter initialisation and of the dropout stream. */
  seed: number;
  /** Digit base (10 in the paper). */
  base?: number;
  /** Position dimensionality n (1: text, 2: image grid). */
  dims?: number;
  /** Exclusive bound on positions (all grid cells for n-D): 20 000 for 1-D, 10 000 for n-D (spec §1.1). */
  maxPosition?: number;
  /** Encoder width d (768 for the LM, 384 for ViT). */
  width?: number;
  /** Encoder blocks (2). */
  layers?: number;
  /** Attention heads; default max(1, floor(d / 64)). */
  heads?: number;
  /** MLP hidden width as a multiple of d (4). */
  mlpRatio?: number;
  /** 'causal' (all released configs) or 'bidirectional'. */
  attention?: SeqPEAttention;
  /** Mask left-pad digits as attention keys (false: pads are ordinary '0' tokens, as in the released configs). */
  maskPadding?: boolean;
  /** Output size of out_proj; default d. */
  outDim?: number;
  /** Outputs are multiplied by 1 / temperature (1). */
  temperature?: number;
  /** Residual dropout after the attention and MLP sublayers, training only (0.1; 0.3 for ViT-B). */
  residDropout?: number;
  /** Dropout on attention probabilities, training only (0). */
  attnDropout?: number;
  /** LayerNorm epsilon (1e-5). */
  lnEps?: number;
  /** Std of the normal initialisations (0.02). */
  initStd?: number;
  /** Truncate the normal initialisations at ±2σ (the image code's trunc_normal_); default false. */
  truncatedInit?: boolean;
  /** Computation path (auto). */
  path?: SeqPEPath;
  /** Positions per forward when filling the eval cache (bounds memory when evaluating long windows). */
  evalChunk?: number;
}

export type ResolvedEncoderConfig = Required<SeqPEEncoderConfig>;

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

function checkPositiveInt(v: number, what: string): void {
  if (!Number.isInteger(v) || v < 1) throw new Error(`SeqPEEncoder: ${what} must be a positive integer, got ${v}`);
}

function checkRate(v: number, what: string): void {
  if (!(v >= 0 && v < 1)) throw new Error(`SeqPEEncoder: ${what} must be in [0, 1), got ${v}`);
}

/** Fills in the spec §1.2 defaults and checks every value. */
export function resolveEncoderConfig(c: SeqPEEncoderConfig): ResolvedEncoderConfig {
  if (!Number.isInteger(c.seed)) throw new Error(`SeqPEEncoder: seed must be an integer, got ${c.seed}`);
  const dims = c.dims ?? 1;
  const width = c.width ?? 768;
  const r: ResolvedEncoderConfig = {
    seed: c.seed,
    base: c.base ?? 10,
    dims,
    maxPosition: c.maxPosition ?? (dims === 1 ? 20000 : 10000),
    width,
    layers: c.layers ?? 2,
    heads: c.heads ?? Math.max(1, Math.floor(width / 64)),
    mlpRatio: c.mlpRatio ?? 4,
    attention: c.attention ?? 'causal',
    maskPadding: c.maskPadding ?? false,
    outDim: c.outDim ?? width,
    temperature: c.temperature ?? 1,
    residDropout: c.residDropout ?? 0.1,
    attnDropout: c.attnDropout ?? 0,
    lnEps: c.lnEps ?? 1e-5,
    initStd: c.initStd ?? 0.02,
    truncatedInit: c.truncatedInit ?? false,
    path: c.path ?? 'auto',
    evalChunk: c.evalChunk ?? 4096,
  };
  checkPositiveInt(r.dims, 'dims');
  checkPositiveInt(r.width, 'width');
  checkPositiveInt(r.layers, 'layers');
  checkPositiveInt(r.heads, 'heads');
  checkPositiveInt(r.mlpRatio, 'mlpRatio');
  checkPositiveInt(r.outDim, 'outDim');
  checkPositiveInt(r.evalChunk, 'evalChunk');
  if (r.width % r.heads !== 0) throw new Error(`SeqPEEncoder: width ${r.width} is not divisible by heads ${r.heads}`);
  if (r.attention !== 'causal' && r.attention !== 'bidirectional') {
    throw new Error(`SeqPEEncoder: attention must be 'causal' or 'bidirectional', got ${JSON.stringify(r.attention)}`);
  }
  if (!['auto', 'full', 'prefix'].includes(r.path)) {
    throw new Error(`SeqPEEncoder: path must be 'auto', 'full' or 'prefix', got ${JSON.stringify(r.path)}`);
  }
  if (r.path === 'prefix' && r.attention !== 'causal') {
    throw new Error("SeqPEEncoder: path 'prefix' needs causal attention (with bidirectional attention early digits see later ones)");
  }
  if (!(r.temperature > 0) || !Number.isFinite(r.temperature)) {
    throw new Error(`SeqPEEncoder: temperature must be a finite number > 0, got ${r.temperature}`);
  }
  checkRate(r.residDropout, 'residDropout');
  checkRate(r.attnDropout, 'attnDropout');
  if (!(r.lnEps > 0)) throw new Error(`SeqPEEncoder: lnEps must be > 0, got ${r.lnEps}`);
  if (!(r.initStd >= 0)) throw new Error(`SeqPEEncoder: initStd must be ≥ 0, got ${r.initStd}`);
  return r;
}

type Init = 'normal' | 'zeros' | 'ones';

/** The documented parameter table, in initialisation order. */
export function encoderParamShapes(config: SeqPEEncoderConfig): Array<{ name: string; shape: number[]; init: Init }> {
  const c = resolveEncoderConfig(config);
  const spec = specFor(c.maxPosition, c.dims, c.base);
  const d = c.width;
  const F = c.mlpRatio * d;
  const L = spec.dims * spec.digits;
  const out: Array<{ name: string; shape: number[]; init: Init }> = [
    { name: 'digit_embedding', shape: [c.base, d], init: 'normal' },
    { name: 'digit_position_embedding', shape: [L, d], init: 'normal' },
  ];
  if (c.dims > 1) out.push({ name: 'dim_embedding', shape: [c.dims, d], init: 'normal' });
  out.push({ name: 'cls', shape: [d], init: 'normal' });
  for (let i = 0; i < c.layers; i++) {
    const b = `blocks.${i}`;
    out.push(
      { name: `${b}.ln1.gamma`, shape: [d], init: 'ones' },
      { name: `${b}.ln1.beta`, shape: [d], init: 'zeros' },
      { name: `${b}.attn.qkv.w`, shape: [d, 3 * d], init: 'normal' },
      { name: `${b}.attn.qkv.b`, shape: [3 * d], init: 'zeros' },
      { name: `${b}.attn.proj.w`, shape: [d, d], init: 'normal' },
      { name: `${b}.attn.proj.b`, shape: [d], init: 'zeros' },
      { name: `${b}.ln2.gamma`, shape: [d], init: 'ones' },
      { name: `${b}.ln2.beta`, shape: [d], init: 'zeros' },
      { name: `${b}.mlp.fc.w`, shape: [d, F], init: 'normal' },
      { name: `${b}.mlp.fc.b`, shape: [F], init: 'zeros' },
      { name: `${b}.mlp.proj.w`, shape: [F, d], init: 'normal' },
      { name: `${b}.mlp.proj.b`, shape: [d], init: 'zeros' },
    );
  }
  out.push(
    { name: 'ln_f.gamma', shape: [d], init: 'ones' },
    { name: 'ln_f.beta', shape: [d], init: 'zeros' },
    { name: 'out_proj.w', shape: [d, c.outDim], init: 'normal' },
    { name: 'out_proj.b', shape: [c.outDim], init: 'zeros' },
  );
  return out;
}

/** Unique positions of a request and where each requested row comes from. */
export interface Dedup {
  unique: Position[];
  keys: string[];
  /** Row of `unique` for each requested position. */
  index: Int32Array;
  /** True when the request had no repeats (index is the identity). */
  identity: boolean;
}

export function dedupPositions(positions: readonly Position[]): Dedup {
  const seen = new Map<string, number>();
  const unique: Position[] = [];
  const keys: string[] = [];
  const index = new Int32Array(positions.length);
  positions.forEach((p, i) => {
    const k = positionKey(p);
    let u = seen.get(k);
    if (u === undefined) {
      u = unique.length;
      seen.set(k, u);
      unique.push(p);
      keys.push(k);
    }
    index[i] = u;
  });
  return { unique, keys, index, identity: unique.length === positions.length };
}

/**
 * One way of laying tokens out as rows [rows, d] for the position-wise parts of the blocks, with its attention core.
 * The full path has count·(L+1) token rows; the prefix path has one row per trie node.
 *
 * The block input of a row depends only on its (digit, slot) pair or on its being a CLS, so it is given as a small table
 * [base·L + 1, d] (row s·L + t: digit s at slot t; last row: CLS) plus one table row per layout row: the first block's
 * LayerNorm and q/k/v projections then run on the table's few rows and are gathered, instead of running on every row.
 */
interface RowLayout {
  /** Distinct block inputs [base·L + 1, d]. */
  inputTable: tf.Tensor2D;
  /** Table row of every layout row [rows]. */
  inputIndex: Int32Array;
  /** Layout rows of the CLS tokens [count], in position order. */
  clsRows: Int32Array;
  /**
   * Attention core: q [rows | count, d] (count = CLS rows only when clsOnly), k and v [rows, d], unscaled, heads
   * contiguous along d. Returns [rows | count, d].
   */
  attend(q: tf.Tensor2D, k: tf.Tensor2D, v: tf.Tensor2D, clsOnly: boolean, drop?: <T extends tf.Tensor>(p: T) => T): tf.Tensor2D;
  /** The CLS rows [count, d] of a [rows, d] state. */
  cls(x: tf.Tensor2D): tf.Tensor2D;
  /** Per-token view [count, L+1, d] of a [rows, d] state (inspection). */
  tokens(x: tf.Tensor2D): tf.Tensor3D;
}

export class SeqPEEncoder {
  readonly config: ResolvedEncoderConfig;
  readonly spec: DigitSpec;
  /** Digit tokens per position, L = dims · digits (the encoder reads L + 1 tokens with the CLS). */
  readonly seqLen: number;
  /** name → variable, in the documented order (see the table at the top of this file). */
  readonly params: Map<string, tf.Variable>;
  readonly stats: EncoderStats = { forwards: 0, positionsEncoded: 0, cacheHits: 0 };
  private readonly dropRng: Rng;
  private readonly cache = new Map<string, Float32Array>();
  private cacheStamp: unknown[] | undefined;
  private disposed = false;

  constructor(config: SeqPEEncoderConfig) {
    this.config = resolveEncoderConfig(config);
    this.spec = specFor(this.config.maxPosition, this.config.dims, this.config.base);
    this.seqLen = this.spec.dims * this.spec.digits;
    const root = new Rng(this.config.seed);
    const initRng = root.fork(1);
    this.dropRng = root.fork(2);
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
      const out = this.encodeUnique(dd.unique, opts.training, opts.path);
      return dd.identity ? out : gatherRows(out, dd.index);
    });
  }

  /**
   * Eval-mode embeddings [count, outDim] through the cache (no gradient, no dropout): positions already encoded with the
   * current weights are not encoded again. New positions are encoded in chunks of `evalChunk`.
   */
  table(positions: readonly Position[]): tf.Tensor2D {
    this.checkAlive();
    this.refreshStamp();
    const D = this.outDim;
    const dd = dedupPositions(positions);
    const missing: Position[] = [];
    const missingKeys: string[] = [];
    const cached = dd.keys.map((k) => this.cache.has(k));
    dd.keys.forEach((k, u) => {
      if (!cached[u]) {
        missing.push(dd.unique[u]);
        missingKeys.push(k);
      }
    });
    for (let i = 0; i < positions.length; i++) if (cached[dd.index[i]]) this.stats.cacheHits++;
    for (let s = 0; s < missing.length; s += this.config.evalChunk) {
      const chunk = missing.slice(s, s + this.config.evalChunk);
      const out = tf.tidy(() => this.encodeUnique(chunk, false));
      const data = out.dataSync() as Float32Array;
      out.dispose();
      chunk.forEach((_, i) => this.cache.set(missingKeys[s + i], data.slice(i * D, (i + 1) * D)));
    }
    const res = new Float32Array(positions.length * D);
    for (let i = 0; i < positions.length; i++) res.set(this.cache.get(dd.keys[dd.index[i]])!, i * D);
    return tf.tensor2d(res, [positions.length, D]);
  }

  /** Forget every cached eval row. */
  invalidateCache(): void {
    this.cache.clear();
    this.cacheStamp = undefined;
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
    const batch = encodeBatch(positions, this.spec);
    const path = this.resolvePath(opts.path);
    const result: tf.Tensor3D[] = [];
    tf.tidy(() => {
      const trie = path === 'prefix' ? buildPrefixTrie(batch, this.config.maskPadding) : undefined;
      const layout = trie ? this.prefixLayout(trie) : this.fullLayout(batch);
      const { states } = this.runBlocks(layout, opts.training ?? false, true);
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

  /** Saves the parameters to `dir` in the tfjs weights format (model.json + .bin). */
  save(dir: string): void {
    saveWeights(dir, this.params, { kind: 'seqpe-encoder', config: this.config });
  }

  /** Loads parameters saved by `save` (or any weights file with the same names and shapes). */
  load(dir: string): void {
    loadWeightsInto(dir, (tensors) => this.setWeights(tensors));
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
  // internals

  private checkAlive(): void {
    if (this.disposed) throw new Error('SeqPEEncoder: used after dispose()');
  }

  /** Clears the cache if any parameter's data buffer changed since it was filled (tf.Variable.assign swaps it). */
  private refreshStamp(): void {
    const stamp = this.variables.map((v) => v.dataId as unknown);
    const old = this.cacheStamp;
    if (!old || old.length !== stamp.length || old.some((s, i) => s !== stamp[i])) {
      this.cache.clear();
      this.cacheStamp = stamp;
    }
  }

  /** Encoder outputs [U, outDim] of distinct positions. */
  private encodeUnique(unique: readonly Position[], training: boolean, path?: SeqPEPath): tf.Tensor2D {
    const D = this.outDim;
    if (unique.length === 0) return tf.zeros([0, D]);
    const batch = encodeBatch(unique, this.spec);
    const which = this.resolvePath(path);
    this.stats.forwards++;
    this.stats.positionsEncoded += unique.length;
    return tf.tidy(() => {
      const layout =
        which === 'prefix' ? this.prefixLayout(buildPrefixTrie(batch, this.config.maskPadding)) : this.fullLayout(batch);
      const { cls } = this.runBlocks(layout, training, false);
      return this.project(cls);
    });
  }

  /** ln_f, out_proj and 1/temperature on the CLS states [count, d] → [count, outDim]. */
  private project(cls: tf.Tensor2D): tf.Tensor2D {
    const c = this.config;
    const h = layerNorm(cls, this.p1('ln_f.gamma'), this.p1('ln_f.beta'), c.lnEps);
    const y = linear(h, this.p2('out_proj.w'), this.p1('out_proj.b')) as tf.Tensor2D;
    return c.temperature === 1 ? y : y.mul(1 / c.temperature);
  }

  private p1(name: string): tf.Tensor1D {
    return this.param(name) as tf.Tensor1D;
  }

  private p2(name: string): tf.Tensor2D {
    return this.param(name) as tf.Tensor2D;
  }

  /**
   * The distinct block inputs [base·L + 1, d]: row s·L + t = digit_embedding[s] + digit_position_embedding[t]
   * (+ dim_embedding[t div digits] for n-D); last row = cls.
   */
  private inputTable(): tf.Tensor2D {
    const { base, width: d } = this.config;
    const L = this.seqLen;
    let slots = this.p2('digit_position_embedding') as tf.Tensor2D; // [L, d]
    if (this.spec.dims > 1) slots = slots.add(embedding(tf.tensor1d(dimensionIds(this.spec), 'int32'), this.p2('dim_embedding')));
    const digitSlot = this.p2('digit_embedding').reshape([base, 1, d]).add(slots.reshape([1, L, d])).reshape([base * L, d]);
    return tf.concat([digitSlot, this.p1('cls').reshape([1, d])], 0) as tf.Tensor2D;
  }

  /** A dropout mask drawn from the encoder's own seeded stream (keep-scaled), shaped like x. */
  private dropMask(shape: number[], rate: number): tf.Tensor {
    const n = shape.reduce((a, b) => a * b, 1);
    const keep = 1 - rate;
    const scale = 1 / keep;
    const m = new Float32Array(n);
    const rng = this.dropRng;
    for (let i = 0; i < n; i++) m[i] = rng.next() < rate ? 0 : scale;
    return tf.tensor(m, shape, 'float32');
  }

  private dropout<T extends tf.Tensor>(x: T, rate: number, training: boolean): T {
    if (!training || rate === 0) return x;
    return x.mul(this.dropMask(x.shape, rate)) as T;
  }

  /** Every token of every position as rows [count·(L+1), d] (position-major, CLS last). */
  private fullLayout(batch: DigitBatch): RowLayout {
    const N = batch.count;
    const L = this.seqLen;
    const S = L + 1;
    const d = this.config.width;
    const H = this.config.heads;
    const dh = d / H;
    const clsId = this.config.base * L;
    const inputIndex = new Int32Array(N * S);
    const clsRows = new Int32Array(N);
    for (let n = 0; n < N; n++) {
      for (let t = 0; t < L; t++) inputIndex[n * S + t] = batch.ids[n * L + t] * L + t;
      inputIndex[n * S + L] = clsId;
      clsRows[n] = n * S + L;
    }
    const mask = this.fullMask(batch); // [N | 1, 1, S, S] or undefined
    const clsMask = mask ? mask.slice([0, 0, L, 0], [mask.shape[0], 1, 1, S]) : undefined;
    return {
      inputTable: this.inputTable(),
      inputIndex,
      clsRows,
      attend: (q, k, v, clsOnly, drop) => {
        const Sq = clsOnly ? 1 : S;
        const qh = q.mul(1 / Math.sqrt(dh)).reshape([N, Sq, H, dh]).transpose([0, 2, 1, 3]); // [N, H, Sq, dh]
        const kT = k.reshape([N, S, H, dh]).transpose([0, 2, 3, 1]); // [N, H, dh, S]
        const vh = v.reshape([N, S, H, dh]).transpose([0, 2, 1, 3]); // [N, H, S, dh]
        let scores = batchMatMul(qh, kT) as tf.Tensor4D; // [N, H, Sq, S]
        const m = clsOnly ? clsMask : mask;
        if (m) scores = scores.add(m);
        let p = tf.softmax(scores, -1) as tf.Tensor4D;
        if (drop) p = drop(p);
        return batchMatMul(p, vh).transpose([0, 2, 1, 3]).reshape([N * Sq, d]) as tf.Tensor2D; // [N, Sq, H, dh] → rows
      },
      cls: (s) => s.reshape([N, S, d]).slice([0, L, 0], [N, 1, d]).reshape([N, d]) as tf.Tensor2D,
      tokens: (s) => s.reshape([N, S, d]) as tf.Tensor3D,
    };
  }

  /**
   * Additive attention mask of the full path: causal (key after query) and, with maskPadding, left-pad keys other than
   * the query itself. [1, 1, S, S] when it does not depend on the position, [N, 1, S, S] with pad masking; undefined if
   * nothing is masked.
   */
  private fullMask(batch: DigitBatch): tf.Tensor4D | undefined {
    const causal = this.config.attention === 'causal';
    const pads = this.config.maskPadding;
    if (!causal && !pads) return undefined;
    const L = this.seqLen;
    const S = L + 1;
    const Nm = pads ? batch.count : 1;
    const m = new Float32Array(Nm * S * S);
    for (let n = 0; n < Nm; n++) {
      for (let i = 0; i < S; i++) {
        for (let j = 0; j < S; j++) {
          const future = causal && j > i;
          const pad = pads && j < L && j !== i && batch.mask[n * L + j] === 0;
          if (future || pad) m[(n * S + i) * S + j] = MASKED_LOGIT;
        }
      }
    }
    return tf.tensor4d(m, [Nm, 1, S, S]);
  }

  /** One row per trie node (distinct digit prefixes, then one CLS leaf per position). */
  private prefixLayout(trie: PrefixTrie): RowLayout {
    const d = this.config.width;
    const H = this.config.heads;
    const L = trie.seqLen;
    const S = L + 1;
    const clsId = this.config.base * L;
    const inputIndex = new Int32Array(trie.nodes);
    for (let n = 0; n < trie.digitNodes; n++) inputIndex[n] = trie.digit[n] * L + trie.slot[n];
    inputIndex.fill(clsId, trie.digitNodes);
    const clsRows = Int32Array.from({ length: trie.count }, (_, r) => trie.digitNodes + r);
    const keyMask = prefixKeyMask(trie);
    return {
      inputTable: this.inputTable(),
      inputIndex,
      clsRows,
      attend: (q, k, v, clsOnly, drop) => prefixAttention(q, k, v, trie, keyMask, H, clsOnly, drop),
      cls: (s) => s.slice([trie.digitNodes, 0], [trie.count, d]) as tf.Tensor2D,
      tokens: (s) => gatherRows(s, trie.tokenNode).reshape([trie.count, S, d]) as tf.Tensor3D,
    };
  }

  /**
   * The blocks over a row layout. With keepAll false the last block computes only the CLS rows (nothing reads the
   * digits' final states), which saves most of its work.
   */
  private runBlocks(layout: RowLayout, training: boolean, keepAll: boolean): { cls: tf.Tensor2D; states: tf.Tensor2D[] } {
    const c = this.config;
    const d = c.width;
    const attnDrop =
      training && c.attnDropout > 0 ? <T extends tf.Tensor>(p: T) => this.dropout(p, c.attnDropout, true) : undefined;
    const { inputTable, inputIndex, clsRows } = layout;
    let x: tf.Tensor2D | undefined; // residual stream [rows | count, d]; undefined before the first block
    const states: tf.Tensor2D[] = keepAll ? [gatherRows(inputTable, inputIndex)] : [];
    for (let l = 0; l < c.layers; l++) {
      const b = `blocks.${l}`;
      const clsOnly = !keepAll && l === c.layers - 1;
      // q, k, v by three products with column blocks of the fused weight: slicing the small weight is cheaper than
      // slicing (and back-propagating through slices of) a large [rows, 3d] activation; and in the last block only
      // the CLS rows need a query.
      const w = this.p2(`${b}.attn.qkv.w`);
      const bias = this.p1(`${b}.attn.qkv.b`);
      const col = (i: number): [tf.Tensor2D, tf.Tensor1D] => [w.slice([0, i * d], [d, d]), bias.slice([i * d], [d])];
      const g1 = this.p1(`${b}.ln1.gamma`);
      const b1 = this.p1(`${b}.ln1.beta`);
      let q: tf.Tensor2D;
      let k: tf.Tensor2D;
      let v: tf.Tensor2D;
      if (x === undefined) {
        // First block: LayerNorm and projections on the distinct inputs only, then gathered to the rows.
        const qIndex = clsOnly ? clsRows.map((r) => inputIndex[r]) : inputIndex;
        const hT = layerNorm(inputTable, g1, b1, c.lnEps) as tf.Tensor2D; // [base·L + 1, d]
        q = gatherRows(linear(hT, ...col(0)) as tf.Tensor2D, qIndex);
        k = gatherRows(linear(hT, ...col(1)) as tf.Tensor2D, inputIndex);
        v = gatherRows(linear(hT, ...col(2)) as tf.Tensor2D, inputIndex);
        x = gatherRows(inputTable, qIndex);
      } else {
        const h = layerNorm(x, g1, b1, c.lnEps) as tf.Tensor2D;
        q = linear(clsOnly ? layout.cls(h) : h, ...col(0)) as tf.Tensor2D; // [rows | count, d]
        k = linear(h, ...col(1)) as tf.Tensor2D; // [rows, d]
        v = linear(h, ...col(2)) as tf.Tensor2D; // [rows, d]
        if (clsOnly) x = layout.cls(x);
      }
      const a = layout.attend(q, k, v, clsOnly, attnDrop); // [rows | count, d]
      const attnOut = linear(a, this.p2(`${b}.attn.proj.w`), this.p1(`${b}.attn.proj.b`));
      x = x.add(this.dropout(attnOut, c.residDropout, training)) as tf.Tensor2D;
      const h2 = layerNorm(x, this.p1(`${b}.ln2.gamma`), this.p1(`${b}.ln2.beta`), c.lnEps);
      const f = gelu(linear(h2, this.p2(`${b}.mlp.fc.w`), this.p1(`${b}.mlp.fc.b`)), 'tanh');
      const m = linear(f, this.p2(`${b}.mlp.proj.w`), this.p1(`${b}.mlp.proj.b`));
      x = x.add(this.dropout(m, c.residDropout, training)) as tf.Tensor2D;
      if (keepAll) states.push(x);
    }
    return { cls: keepAll ? layout.cls(x!) : x!, states };
  }
}
