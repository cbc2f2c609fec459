/**
 * The SeqPE encoder's settings (spec §1.2 defaults, every value checked) and its documented parameter table.
 *
 * Parameters (name → shape, init; d = width, L = dims·digits, F = mlpRatio·d, i = block index):
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
 */
import { specFor } from '../../positions/digits';
import { checkKeys, keysOf } from '../../util/keys';

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

function checkPositiveInt(v: number, what: string): void {
  if (!Number.isInteger(v) || v < 1) throw new Error(`SeqPEEncoder: ${what} must be a positive integer, got ${JSON.stringify(v)}`);
}

function checkRate(v: number, what: string): void {
  if (typeof v !== 'number' || !(v >= 0 && v < 1)) throw new Error(`SeqPEEncoder: ${what} must be in [0, 1), got ${JSON.stringify(v)}`);
}

/** Every key a SeqPEEncoderConfig may have (typed against it, so the list cannot drift). */
const ENCODER_KEYS = keysOf<SeqPEEncoderConfig>({
  seed: 1, base: 1, dims: 1, maxPosition: 1, width: 1, layers: 1, heads: 1, mlpRatio: 1, attention: 1, maskPadding: 1, outDim: 1,
  temperature: 1, residDropout: 1, attnDropout: 1, lnEps: 1, initStd: 1, truncatedInit: 1, path: 1, evalChunk: 1,
});

/** Fills in the spec §1.2 defaults and checks every value. */
export function resolveEncoderConfig(c: SeqPEEncoderConfig): ResolvedEncoderConfig {
  checkKeys('SeqPEEncoder', c, ENCODER_KEYS); // a misspelt key (`widht`) must not leave the width at its default
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

export type Init = 'normal' | 'zeros' | 'ones';

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
