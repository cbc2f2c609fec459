/**
 * Long-context QA (spec §2.2/§4.2): fine-tune an LM run's checkpoint on needle-in-a-haystack QA at length 2T (answer-only
 * loss), then exact match at 2T…32T on held-out haystacks.
 */
import * as fs from 'fs';
import * as tf from '@tensorflow/tfjs';
import { sotuTokenStream } from '../../data/lm-batches';
import { getTokenizer } from '../../data/tokenizer';
import { makeNeedleSet } from '../../data/needle-qa';
import { loadCheckpoint } from '../../train/checkpoint';
import { qaTask } from '../../train/tasks';
import { Trainer } from '../../train/loop';
import { qaExactMatch, qaForcedExactMatch } from '../../eval/qa';
import type { QaRunConfig } from '../configs';
import { runDir } from '../cache';
import { buildLm, lmCheckpoint } from './lm';
import { hasRunWeights, readRunWeights, runWeightsPath } from '../run-weights';
import { trainerConfig, writeResult } from './common';

export interface QaLengthResult {
  length: number;
  /** EM ×100 of greedy generations that begin with the answer (one teacher-forced pass). */
  em: number;
  /** EM ×100 by the paper's rule on real greedy generations (only up to eval.greedyUpTo tokens). */
  emGreedy?: number;
  /** Mean NLL (nats) of the answer tokens " {number}" given the context (the paper's answer perplexity = exp). */
  answerNll: number;
  examples: number;
}

export interface QaResult {
  kind: 'qa';
  label: string;
  byLength: QaLengthResult[];
  finalTrainLoss: number;
  steps: number;
  trainSeconds: number;
}

export async function runQa(cfg: QaRunConfig, dir: string): Promise<QaResult> {
  const lmDir = runDir('lm', cfg.base);
  const ckpt = lmCheckpoint(lmDir);
  // The LM's trained parameters: from its checkpoint where this machine trained it, else from the weights.safetensors
  // committed beside its result (a fresh clone has no checkpoints).
  const fromCheckpoint = fs.existsSync(ckpt);
  if (!fromCheckpoint && !hasRunWeights(lmDir)) {
    throw new Error(`QA run needs its language model first: neither ${ckpt} nor ${runWeightsPath(lmDir)} exists (train the LM first; an LM folder with a result but neither file predates weights files: delete it and run again)`);
  }
  const source = fromCheckpoint ? ckpt : runWeightsPath(lmDir);
  const model = buildLm({ ...cfg.base, method: cfg.method });
  // Trainer checkpoints store parameters as 'param/<name>' beside the optimiser moments; the weights file without prefix.
  const saved = fromCheckpoint
    ? new Map([...loadCheckpoint(ckpt).tensors].filter(([k]) => k.startsWith('param/')).map(([k, t]) => [k.slice(6), t] as const))
    : readRunWeights(lmDir).tensors;
  const weights = new Map([...saved].filter(([k]) => model.params.has(k)));
  if (weights.size !== model.params.list().length) {
    throw new Error(`QA: ${source} holds ${weights.size} of the model's ${model.params.list().length} parameters`);
  }
  model.params.setWeights(weights);
  const tok = getTokenizer(cfg.base.data.tokenizer);
  const split = { seed: cfg.base.data.splitSeed };
  const trainHay = sotuTokenStream('train', split).tokens;
  const testHay = sotuTokenStream('test', split).tokens;
  const examples = makeNeedleSet(trainHay, tok, { length: cfg.train.length, count: cfg.train.examples, seed: cfg.seed * 7919 });
  const task = qaTask({ examples, batch: cfg.train.batch });
  const t0 = Date.now();
  const trainer = new Trainer(model, task, trainerConfig(dir, cfg.seed, { ...cfg.train, warmup: Math.round(cfg.train.steps / 20), weightDecay: 0, clip: 5 }, cfg.method));
  const tr = await trainer.run();
  trainer.dispose();
  const trainSeconds = (Date.now() - t0) / 1000;
  const newline = tok.encode('\n')[0];
  const byLength: QaLengthResult[] = [];
  for (const L of cfg.eval.lengths) {
    const set = makeNeedleSet(testHay, tok, { length: L, count: cfg.eval.examples, seed: 104729 + L });
    const forced = qaForcedExactMatch(model, set.map((e) => ({ tokens: e.tokens, answerStart: e.answerStart, answerEnd: e.answerEnd - 1 })));
    const r: QaLengthResult = { length: L, em: forced.em, answerNll: forced.answerNll, examples: set.length };
    if (L <= cfg.eval.greedyUpTo) {
      const g = qaExactMatch(model, set.map((e) => ({ tokens: e.tokens, answerStart: e.answerStart, answer: e.answer })), tok, {
        maxNewTokens: 16,
        stopToken: newline,
      });
      r.emGreedy = g.em;
    }
    byLength.push(r);
  }
  const result: QaResult = { kind: 'qa', label: cfg.method.label, byLength, finalTrainLoss: tr.finalLoss, steps: tr.steps, trainSeconds };
  model.encoding.dispose();
  model.dispose();
  writeResult(dir, result);
  if (tf.memory().numTensors > 50) console.warn(`qa run: ${tf.memory().numTensors} tensors still allocated at the end`);
  return result;
}
