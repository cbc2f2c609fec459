/** A language-modelling run (spec §2.1/§4.1): train on SOTU bytes at length T, perplexity at T…32T on the test split. */
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { createEncoding } from '../../encodings/index';
import type { ModelDims, PositionLayout } from '../../encodings/types';
import { CausalLM } from '../../models/causal-lm';
import { sotuTokenStream } from '../../data/lm-batches';
import { lmTask } from '../../train/tasks';
import { Trainer } from '../../train/loop';
import { perplexityByLengthAsync, PerplexityResult } from '../../eval/perplexity';
import { encodingCollapseAsync, type EncodingCollapse } from '../../eval/collapse';
import type { LmRunConfig } from '../configs';
import { awarenessOn, mapForAsync, mapSource, MapSummary, summariseMap, trainerConfig, writeResult } from './common';

export interface LmResult {
  kind: 'lm';
  label: string;
  ppl: PerplexityResult[];
  finalTrainLoss: number;
  steps: number;
  trainSeconds: number;
  params: { total: number; pe: number };
  maps: MapSummary[];
  /** NoPE has no position similarity: no maps, null awareness. Spearman distance awareness of the position similarity, inside [0,T) and beyond [T,4T) of an extended window. */
  awareness: { inside: number | null; beyond: number | null; far?: number | null };
  /**
   * For encodings that add an attention bias (SeqPE attn_bias, ALiBi): within-row std of layer 0's bias over its
   * overall std (causal rows), inside the training window [0, T) and beyond it [T, 4T). Near 0 = the bias is constant
   * along each row, i.e. it carries no relative-position information (the collapse seen in the first small profile).
   * null for encodings without a bias.
   */
  collapse: EncodingCollapse | null;
}

export function buildLm(cfg: LmRunConfig): CausalLM {
  const dims: ModelDims = { dModel: cfg.model.dModel, heads: cfg.model.heads, layers: cfg.model.layers };
  const enc = createEncoding(cfg.method.encoding, dims, cfg.seed * 1000 + 7);
  return new CausalLM({ ...cfg.model, seed: cfg.seed }, enc);
}

export async function runLm(cfg: LmRunConfig, dir: string): Promise<LmResult> {
  const split = { seed: cfg.data.splitSeed };
  const train = sotuTokenStream('train', split).tokens;
  const test = sotuTokenStream(cfg.eval.split, split).tokens;
  const model = buildLm(cfg);
  const task = lmTask({ tokens: train, batch: cfg.train.batch, time: cfg.train.seqLen });
  const trainer = new Trainer(model, task, trainerConfig(dir, cfg.seed, cfg.train, cfg.method));
  const t0 = Date.now();
  const tr = await trainer.run();
  const trainSeconds = (Date.now() - t0) / 1000;
  trainer.dispose();
  const ppl = await perplexityByLengthAsync(model, test, cfg.eval.lengths, { maxTokens: cfg.eval.tokens });
  const T = cfg.train.seqLen;
  const dims: ModelDims = { dModel: cfg.model.dModel, heads: cfg.model.heads, layers: cfg.model.layers };
  const ext: PositionLayout = { kind: '1d', start: 0, length: 4 * T };
  const maps: MapSummary[] = [];
  const awareness: LmResult['awareness'] = { inside: null, beyond: null };
  if (model.encoding.capabilities.carriesPosition) {
    const m = await mapForAsync(model.encoding, ext, dims);
    const source = mapSource(model.encoding);
    maps.push(summariseMap(m, ext, source));
    awareness.inside = awarenessOn(m, ext, 0, T, true);
    awareness.beyond = awarenessOn(m, ext, T, 4 * T, true);
    // A far window (start 16T) for encodings that accept shifted windows (not learned tables).
    if (model.encoding.capabilities.shiftedWindows['1d']) {
      const far: PositionLayout = { kind: '1d', start: 16 * T, length: T };
      const fm = await mapForAsync(model.encoding, far, dims);
      maps.push(summariseMap(fm, far, source));
      awareness.far = awarenessOn(fm, far, 0, T, true);
    }
  }
  const probe = tf.tidy(() => Boolean(model.encoding.apply({ kind: '1d', start: 0, length: 2 }, { training: false }).attnBias));
  const collapse = probe ? await encodingCollapseAsync(model.encoding, T, { causal: true }) : null;
  const result: LmResult = {
    kind: 'lm',
    label: cfg.method.label,
    ppl,
    finalTrainLoss: tr.finalLoss,
    steps: tr.steps,
    trainSeconds,
    params: { total: model.params.count(), pe: model.params.count('pe') },
    maps,
    awareness,
    collapse,
  };
  model.encoding.dispose();
  model.dispose();
  writeResult(dir, result);
  if (tf.memory().numTensors > 50) console.warn(`lm run: ${tf.memory().numTensors} tensors still allocated at the end`);
  return result;
}

export function lmCheckpoint(dir: string): string {
  return path.join(dir, 'checkpoint.bin');
}
