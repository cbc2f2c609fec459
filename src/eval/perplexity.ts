/**
 * Perplexity at a list of evaluation lengths (spec §2.1): the token stream is cut into non-overlapping chunks of exactly
 * L tokens, the last partial chunk kept; each chunk of n tokens scores its n−1 next-token predictions with positions
 * 0..n−2. Each encoding applies its own extrapolation rule through the layout (SeqPE, sinusoidal, RoPE, ALiBi extend;
 * learned APE interpolates its table).
 */
import * as tf from '@tensorflow/tfjs';
import type { CausalLM } from '../models/causal-lm';
import { evalChunks } from '../data/lm-batches';

export interface PerplexityOptions {
  /** Use only the first maxTokens tokens of the stream. */
  maxTokens?: number;
  /** Chunks per forward pass (memory: batch · heads · L² floats for the attention). Default: fits ~64 M floats. */
  batch?: number;
  /** Window start offset (the paper's --eval_start_pos); default 0. */
  start?: number;
}

export interface PerplexityResult {
  length: number;
  /** exp(mean negative log-likelihood per predicted token). */
  ppl: number;
  /** Mean NLL in nats per token. */
  nll: number;
  /** Predicted tokens scored. */
  tokens: number;
  chunks: number;
}

/** Σ log p(target) of a batch of equal-length chunks as a device scalar (the caller reads and disposes it). */
function chunkLogp(model: CausalLM, chunks: Int32Array[], start: number): tf.Scalar {
  return tf.tidy(() => {
    const n = chunks[0].length;
    const b = chunks.length;
    const inputs = new Int32Array(b * (n - 1));
    const targets = new Int32Array(b * (n - 1));
    chunks.forEach((c, i) => {
      inputs.set(c.subarray(0, n - 1), i * (n - 1));
      targets.set(c.subarray(1), i * (n - 1));
    });
    const x = tf.tensor2d(inputs, [b, n - 1], 'int32');
    const logits = model.forward(x, { training: false, layout: { kind: '1d', start, length: n - 1 } }); // [B, n−1, V]
    const v = logits.shape[2];
    const logp = tf.logSoftmax(logits.reshape([-1, v])); // [B·(n−1), V]
    return logp.mul(tf.oneHot(tf.tensor1d(targets, 'int32'), v)).sum() as tf.Scalar; // Σ log p(target)
  });
}

/** Sum of next-token negative log-likelihoods of a batch of equal-length chunks. tokens [B, n] → number. */
function chunkNll(model: CausalLM, chunks: Int32Array[], start: number): number {
  const t = chunkLogp(model, chunks, start);
  try {
    return -t.dataSync()[0];
  } finally {
    t.dispose();
  }
}

/** chunkNll with an asynchronous read (every engine). */
async function chunkNllAsync(model: CausalLM, chunks: Int32Array[], start: number): Promise<number> {
  const t = chunkLogp(model, chunks, start);
  try {
    return -(await t.data())[0];
  } finally {
    t.dispose();
  }
}

/** The batches perplexityAt scores: full chunks grouped `batch` at a time, then each partial chunk alone. */
function plan(model: CausalLM, tokens: Int32Array, length: number, opts: PerplexityOptions): { start: number; groups: Int32Array[][] } {
  if (!Number.isInteger(length) || length < 2) throw new Error(`perplexity: evaluation length must be an integer ≥ 2, got ${length}`);
  const start = opts.start ?? 0;
  const chunks = evalChunks(tokens, length, { maxTokens: opts.maxTokens }).map((c) => c.tokens).filter((c) => c.length >= 2);
  if (chunks.length === 0) throw new Error(`perplexity: no chunk of ≥ 2 tokens in a stream of ${tokens.length} tokens`);
  const heads = model.config.heads;
  const batch = opts.batch ?? Math.max(1, Math.floor((64 * 1024 * 1024) / (heads * length * length)));
  const full = chunks.filter((c) => c.length === length);
  const rest = chunks.filter((c) => c.length !== length);
  const groups: Int32Array[][] = [];
  for (let i = 0; i < full.length; i += batch) groups.push(full.slice(i, i + batch));
  for (const c of rest) groups.push([c]);
  return { start, groups };
}

function summarise(length: number, groups: Int32Array[][], nlls: number[]): PerplexityResult {
  let nll = 0;
  let count = 0;
  groups.forEach((g, i) => {
    nll += nlls[i];
    count += g.reduce((n, c) => n + c.length - 1, 0);
  });
  const mean = nll / count;
  return { length, ppl: Math.exp(mean), nll: mean, tokens: count, chunks: groups.reduce((n, g) => n + g.length, 0) };
}

/** perplexityAt with asynchronous reads: the same numbers, on every engine (webgpu cannot read synchronously). */
export async function perplexityAtAsync(model: CausalLM, tokens: Int32Array, length: number, opts: PerplexityOptions = {}): Promise<PerplexityResult> {
  const { start, groups } = plan(model, tokens, length, opts);
  const nlls: number[] = [];
  for (const g of groups) nlls.push(await chunkNllAsync(model, g, start));
  return summarise(length, groups, nlls);
}

/** perplexityByLength with asynchronous reads (every engine). */
export async function perplexityByLengthAsync(
  model: CausalLM,
  tokens: Int32Array,
  lengths: readonly number[],
  opts: PerplexityOptions = {},
): Promise<PerplexityResult[]> {
  const out: PerplexityResult[] = [];
  for (const L of lengths) out.push(await perplexityAtAsync(model, tokens, L, opts));
  return out;
}

export function perplexityAt(model: CausalLM, tokens: Int32Array, length: number, opts: PerplexityOptions = {}): PerplexityResult {
  const { start, groups } = plan(model, tokens, length, opts);
  return summarise(length, groups, groups.map((g) => chunkNll(model, g, start)));
}

/** Perplexity at every length in `lengths`. */
export function perplexityByLength(
  model: CausalLM,
  tokens: Int32Array,
  lengths: readonly number[],
  opts: PerplexityOptions = {},
): PerplexityResult[] {
  return lengths.map((L) => perplexityAt(model, tokens, L, opts));
}
