/**
 * Plain, JSON-serialisable run configs: everything that determines a run's numbers. The run cache hashes them, so a
 * changed hyper-parameter means a new run and an unchanged one is reused.
 */
import type { EncodingSpec, SeqPEMode, SeqPEObjectivesConfig } from '../encodings/index';
import type { Profile } from './profiles';

/** A method row of a table: a display label and its encoding (SeqPE's objectives live inside its encoding spec). */
export interface MethodSpec {
  label: string;
  encoding: EncodingSpec;
  /**
   * Peak learning rate of the position-encoding parameter group; absent (the default, and the official recipe) = the
   * run's lr. A variant only: the first small profile used 1e-3 for SeqPE, which changed no verdict (REPRODUCTION.md).
   */
  peLr?: number;
}

export interface LmRunConfig {
  kind: 'lm';
  profile: string;
  seed: number;
  method: MethodSpec;
  model: { vocab: number; dModel: number; layers: number; heads: number; dropout: number };
  data: { corpus: 'sotu'; tokenizer: 'bytes-v1'; splitSeed: number };
  train: { steps: number; batch: number; seqLen: number; lr: number; warmup: number; schedule: 'cosine'; weightDecay: number; clip: number };
  eval: { lengths: number[]; tokens: number; split: 'test' };
}

export interface QaRunConfig {
  kind: 'qa';
  profile: string;
  seed: number;
  /** The LM this run fine-tunes (its own config; its run folder is derived from it). */
  base: LmRunConfig;
  method: MethodSpec;
  train: { steps: number; batch: number; length: number; lr: number; examples: number };
  eval: { lengths: number[]; examples: number; greedyUpTo: number };
}

export interface VitRunConfig {
  kind: 'vit';
  profile: string;
  seed: number;
  method: MethodSpec;
  model: { dModel: number; layers: number; heads: number; dropout: number; classes: number };
  data: { dataset: 'mnist'; trainImages: number; testImages: number; nativeSize: number; patch: number };
  train: { steps: number; batch: number; lr: number; warmup: number; schedule: 'cosine'; weightDecay: number; clip: number };
  eval: { sizes: number[] };
}

export type RunConfig = LmRunConfig | QaRunConfig | VitRunConfig;

export interface SeqpeVariant {
  mode?: SeqPEMode;
  contrastive?: boolean;
  distillation?: boolean;
  shift?: boolean;
  layers?: number;
  base?: number;
  attention?: 'causal' | 'bidirectional';
}

/** The 1-D methods of the LM table (spec §2.1). */
export function lmMethods(p: Profile): MethodSpec[] {
  return [
    { label: 'APE', encoding: { name: 'ape', trainLength: p.lm.seqLen } },
    { label: 'Sinusoidal', encoding: { name: 'sinusoidal' } },
    { label: 'RoPE', encoding: { name: 'rope' } },
    { label: 'ALiBi', encoding: { name: 'alibi' } },
    { label: 'NoPE', encoding: { name: 'none' } },
    lmSeqpe(p),
  ];
}

/** SeqPE for the LM (spec §4.1): attention bias from one shared projection, both objectives, random shift. */
export function lmSeqpe(p: Profile, v: SeqpeVariant = {}, label = 'SeqPE'): MethodSpec {
  const lm = p.lm;
  const objectives: SeqPEObjectivesConfig = {};
  if (v.contrastive ?? true) objectives.contrastive = { weight: 0.1, batchSize: lm.ctBatch, contrastiveSize: lm.ctSize };
  if (v.distillation ?? true) objectives.distillation = { weight: 0.1, batchSize: lm.trBatch, setSize: lm.trSize };
  if (v.shift ?? true) objectives.shift = { rate: 0.1, poolSize: lm.shiftPool };
  return {
    label,
    encoding: {
      name: 'seqpe',
      mode: v.mode ?? 'attn_bias',
      encoder: {
        dims: 1,
        base: v.base ?? 10,
        maxPosition: lm.seqpeMaxPosition,
        width: lm.seqpeWidth,
        layers: v.layers ?? 2,
        // The official text code asserts encoder heads = model heads (its per-head distillation uses the same count).
        heads: lm.heads,
        attention: v.attention ?? 'causal',
        residDropout: 0.1,
      },
      objectives,
    },
    // One learning rate for the model and the encoder, as in the official code (docs/method.md §1.8).
  };
}

/** The 2-D methods of the image table (spec §2.3). */
export function vitMethods(p: Profile): MethodSpec[] {
  const v = p.vit;
  const side = v.nativeSize / v.patch;
  return [
    { label: 'APE (bicubic)', encoding: { name: 'ape', trainRows: side, trainCols: side, prefix: 1 } },
    { label: 'RoPE-2D', encoding: { name: 'rope2d' } },
    { label: 'RoPE-Mixed', encoding: { name: 'rope-mixed' } },
    vitSeqpe(p),
  ];
}

/** SeqPE for the ViT (spec §4.3): per-layer multiplicative q/k gates, 2-D digits, both objectives, random shift. */
export function vitSeqpe(p: Profile): MethodSpec {
  const v = p.vit;
  return {
    label: 'SeqPE',
    encoding: {
      name: 'seqpe',
      mode: 'qk_gate',
      // Encoder heads = the model's heads: the official image code's default (width / 64) equals them at ViT-S; at our
      // width 64 that default would be 1 head, so we follow the text code's rule instead (encoder heads = model heads).
      encoder: { dims: 2, base: 10, maxPosition: v.seqpeMaxPosition, width: v.seqpeWidth, layers: 2, heads: v.heads, attention: 'causal', residDropout: 0.1, truncatedInit: true },
      objectives: {
        contrastive: { weight: 0.1, batchSize: v.ctBatch, contrastiveSize: v.ctSize },
        distillation: { weight: 0.1, batchSize: v.trBatch, setSize: v.trSize },
        shift: { rate: 0.1, poolSize: v.shiftPool },
      },
    },
  };
}

export function lmRunConfig(p: Profile, method: MethodSpec, seed: number): LmRunConfig {
  const lm = p.lm;
  return {
    kind: 'lm',
    profile: p.name,
    seed,
    method,
    model: { vocab: 256, dModel: lm.dModel, layers: lm.layers, heads: lm.heads, dropout: lm.dropout },
    data: { corpus: 'sotu', tokenizer: 'bytes-v1', splitSeed: 10086 },
    train: { steps: lm.steps, batch: lm.batch, seqLen: lm.seqLen, lr: lm.lr, warmup: lm.warmup, schedule: 'cosine', weightDecay: 0, clip: 5 },
    eval: { lengths: lm.evalLengths, tokens: lm.evalTokens, split: 'test' },
  };
}

/** QA fine-tuning of an LM run (spec §4.2): same encoding, distillation loss every step, shift pool 160. */
export function qaRunConfig(p: Profile, base: LmRunConfig): QaRunConfig {
  const q = p.qa;
  let method = base.method;
  const enc = method.encoding;
  if (enc.name === 'seqpe' && enc.objectives) {
    const o = enc.objectives;
    method = {
      ...method,
      encoding: {
        ...enc,
        objectives: {
          ...o,
          distillation: o.distillation ? { ...o.distillation, everyStep: true } : undefined,
          shift: o.shift ? { ...o.shift, poolSize: q.shiftPool } : undefined,
        },
      },
    };
  }
  return {
    kind: 'qa',
    profile: p.name,
    seed: base.seed,
    base,
    method,
    train: { steps: q.steps, batch: q.batch, length: q.length, lr: q.lr, examples: q.trainExamples },
    eval: { lengths: q.evalLengths, examples: q.evalExamples, greedyUpTo: q.length },
  };
}

export function vitRunConfig(p: Profile, method: MethodSpec, seed: number): VitRunConfig {
  const v = p.vit;
  return {
    kind: 'vit',
    profile: p.name,
    seed,
    method,
    model: { dModel: v.dModel, layers: v.layers, heads: v.heads, dropout: v.dropout, classes: 10 },
    data: { dataset: 'mnist', trainImages: v.trainImages, testImages: v.testImages, nativeSize: v.nativeSize, patch: v.patch },
    train: { steps: v.steps, batch: v.batch, lr: v.lr, warmup: v.warmup, schedule: 'cosine', weightDecay: v.weightDecay, clip: 5 },
    eval: { sizes: v.evalSizes },
  };
}
