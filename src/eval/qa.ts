/**
 * Long-context QA: exact match by context length (spec §2.2). Each example's prompt (context + question) is continued
 * by greedy decoding for up to `maxNewTokens` tokens; EM = the gold answer (lower-cased, stripped) is a substring of the
 * lower-cased generation, ×100. Examples of one length are decoded together, one full forward per new token (no KV
 * cache: fine at our sizes, and it keeps every encoding on the same code path).
 */
import * as tf from '@tensorflow/tfjs';
import type { CausalLM } from '../models/causal-lm';
import type { Tokenizer } from '../data/tokenizer';
import { exactMatch } from '../data/needle-qa';

export interface QaExample {
  tokens: Int32Array;
  answerStart: number;
  answer: string;
}

export interface QaResult {
  length: number;
  /** Exact match ×100. */
  em: number;
  examples: number;
  /** Answer-only mean NLL (teacher forced, nats per answer token). */
  answerNll: number;
  generations: string[];
}

export interface QaEvalOptions {
  maxNewTokens?: number;
  /** Stop a sequence once it produced this token (the needle generator's end marker '\n'). */
  stopToken?: number;
  batch?: number;
}

/** Greedy continuations of prompts of equal length. prompts [B][P] → generated token ids per prompt. */
export function greedyGenerate(model: CausalLM, prompts: Int32Array[], maxNew: number, stopToken?: number): number[][] {
  const b = prompts.length;
  const p = prompts[0].length;
  if (prompts.some((x) => x.length !== p)) throw new Error('greedyGenerate: prompts must have equal length');
  const seqs = prompts.map((x) => Array.from(x));
  const out: number[][] = prompts.map(() => []);
  const done = new Array<boolean>(b).fill(false);
  for (let step = 0; step < maxNew && done.some((d) => !d); step++) {
    const len = p + step;
    const next = tf.tidy(() => {
      const flat = new Int32Array(b * len);
      seqs.forEach((s, i) => flat.set(s, i * len));
      const logits = model.forward(tf.tensor2d(flat, [b, len], 'int32'), { training: false, layout: { kind: '1d', start: 0, length: len } });
      const last = logits.slice([0, len - 1, 0], [b, 1, -1]).reshape([b, -1]); // [B, V]
      return last.argMax(-1).dataSync() as Int32Array;
    });
    for (let i = 0; i < b; i++) {
      seqs[i].push(next[i]);
      if (!done[i]) {
        out[i].push(next[i]);
        if (stopToken !== undefined && next[i] === stopToken) done[i] = true;
      }
    }
  }
  return out;
}

function answerNll(model: CausalLM, ex: QaExample[]): number {
  return tf.tidy(() => {
    const L = ex[0].tokens.length;
    const b = ex.length;
    const inputs = new Int32Array(b * (L - 1));
    const targets = new Int32Array(b * (L - 1));
    const weights = new Float32Array(b * (L - 1));
    ex.forEach((e, i) => {
      inputs.set(e.tokens.subarray(0, L - 1), i * (L - 1));
      targets.set(e.tokens.subarray(1), i * (L - 1));
      for (let t = e.answerStart - 1; t < L - 1; t++) weights[i * (L - 1) + t] = 1;
    });
    const r = model.loss(tf.tensor2d(inputs, [b, L - 1], 'int32'), targets, { training: false }, weights);
    return r.loss.dataSync()[0];
  });
}

/** EM and answer NLL of examples that all have the same total length. */
export function qaExactMatch(model: CausalLM, examples: QaExample[], tokenizer: Tokenizer, opts: QaEvalOptions = {}): QaResult {
  if (examples.length === 0) throw new Error('qaExactMatch: no examples');
  const L = examples[0].tokens.length;
  if (examples.some((e) => e.tokens.length !== L)) throw new Error('qaExactMatch: examples must share one length');
  const maxNew = opts.maxNewTokens ?? 16;
  const batch = opts.batch ?? Math.max(1, Math.floor((32 * 1024 * 1024) / (model.config.heads * L * L)));
  const generations: string[] = [];
  let hits = 0;
  let nllSum = 0;
  // Group by prompt length (answer spans can differ by a token or two).
  for (let i = 0; i < examples.length; i += batch) {
    const group = examples.slice(i, i + batch);
    nllSum += answerNll(model, group) * group.length;
    const byPrompt = new Map<number, QaExample[]>();
    for (const e of group) byPrompt.set(e.answerStart, [...(byPrompt.get(e.answerStart) ?? []), e]);
    for (const [, same] of byPrompt) {
      const gens = greedyGenerate(model, same.map((e) => e.tokens.subarray(0, e.answerStart)), maxNew, opts.stopToken);
      same.forEach((e, k) => {
        const text = tokenizer.decode(Int32Array.from(gens[k]));
        generations.push(text);
        if (exactMatch(text, e.answer)) hits++;
      });
    }
  }
  return { length: L, em: (100 * hits) / examples.length, examples: examples.length, answerNll: nllSum / examples.length, generations };
}

export interface ForcedQaExample {
  tokens: Int32Array;
  answerStart: number;
  /** Exclusive end of the tokens that must be generated (the needle generator's answerEnd − 1 drops the end marker). */
  answerEnd: number;
}

/**
 * Greedy-decoding EM in one forward pass. Greedy decoding starts with the gold answer exactly when, with the gold prefix
 * fed back (teacher forcing), the arg-max at every answer position is the gold token — so this counts the examples
 * whose greedy generation BEGINS with the answer. The paper's rule (answer anywhere in ≤ 16 generated tokens) can only
 * count more; `qaExactMatch` runs real generation to measure both where affordable.
 * The equivalence needs position encodings whose vector at position t does not depend on the sequence's length. It
 * fails for learned APE beyond its table: a start-0 window longer than the table is the table linearly resampled to
 * the window's length (encodings/learned.ts), so each generation step (one token longer) moves every position a
 * little. Measured on the small profile's APE QA runs at their fine-tuning length 128: 100 % here, 37.5 % and 6.25 %
 * by real generation (REPRODUCTION.md). For APE read the generated EM (`emGreedy`).
 */
export function qaForcedExactMatch(
  model: CausalLM,
  examples: ForcedQaExample[],
  batch?: number,
): { em: number; hits: boolean[]; answerNll: number } {
  if (examples.length === 0) throw new Error('qaForcedExactMatch: no examples');
  const L = examples[0].tokens.length;
  if (examples.some((e) => e.tokens.length !== L)) throw new Error('qaForcedExactMatch: examples must share one length');
  const bs = batch ?? Math.max(1, Math.floor((32 * 1024 * 1024) / (model.config.heads * L * L)));
  const hits: boolean[] = [];
  let nllSum = 0;
  let nllCount = 0;
  for (let i = 0; i < examples.length; i += bs) {
    const group = examples.slice(i, i + bs);
    const b = group.length;
    const { argmax, logp } = tf.tidy(() => {
      const inputs = new Int32Array(b * (L - 1));
      group.forEach((e, k) => inputs.set(e.tokens.subarray(0, L - 1), k * (L - 1)));
      const logits = model.forward(tf.tensor2d(inputs, [b, L - 1], 'int32'), { training: false, layout: { kind: '1d', start: 0, length: L - 1 } });
      // Log-probabilities of the answer tokens only: a slice per example keeps the [B, L, V] log-softmax off the heap.
      const lp = group.map((e, k) => {
        const n = e.answerEnd - e.answerStart;
        const rows = logits.slice([k, e.answerStart - 1, 0], [1, n, -1]).reshape([n, -1]);
        const gold = tf.oneHot(tf.tensor1d(e.tokens.subarray(e.answerStart, e.answerEnd), 'int32'), rows.shape[1] as number);
        return Array.from(tf.logSoftmax(rows).mul(gold).sum(-1).dataSync() as Float32Array);
      });
      return { argmax: logits.argMax(-1).dataSync() as Int32Array, logp: lp }; // argmax [B·(L−1)]: prediction for token t+1 at input t
    });
    group.forEach((e, k) => {
      let ok = true;
      for (let t = e.answerStart; t < e.answerEnd && ok; t++) ok = argmax[k * (L - 1) + t - 1] === e.tokens[t];
      hits.push(ok);
      for (const v of logp[k]) {
        nllSum -= v;
        nllCount++;
      }
    });
  }
  return { em: (100 * hits.filter(Boolean).length) / hits.length, hits, answerNll: nllSum / nllCount };
}
