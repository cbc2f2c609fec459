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

/** Sum of next-token negative log-likelihoods of a batch of equal-length chunks. tokens [B, n] → scalar. */
function chunkNll(model: CausalLM, chunks: Int32Array[], start: number): number {
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
    const picked = logp.mul(tf.oneHot(tf.tensor1d(targets, 'int32'), v)).sum(); // Σ log p(target)
    return -picked.dataSync()[0];
  });
}

export function perplexityAt(model: CausalLM, tokens: Int32Array, length: number, opts: PerplexityOptions = {}): PerplexityResult {
  if (!Number.isInteger(length) || length < 2) throw new Error(`perplexity: evaluation length must be an integer ≥ 2, got ${length}`);
  const start = opts.start ?? 0;
  const chunks = evalChunks(tokens, length, { maxTokens: opts.maxTokens }).map((c) => c.tokens).filter((c) => c.length >= 2);
  if (chunks.length === 0) throw new Error(`perplexity: no chunk of ≥ 2 tokens in a stream of ${tokens.length} tokens`);
  const heads = model.config.heads;
  const batch = opts.batch ?? Math.max(1, Math.floor((64 * 1024 * 1024) / (heads * length * length)));
  let nll = 0;
  let count = 0;
  // Full chunks in batches, then the partial last one alone.
  const full = chunks.filter((c) => c.length === length);
  const rest = chunks.filter((c) => c.length !== length);
  for (let i = 0; i < full.length; i += batch) {
    const group = full.slice(i, i + batch);
    nll += chunkNll(model, group, start);
    count += group.length * (length - 1);
  }
  for (const c of rest) {
    nll += chunkNll(model, [c], start);
    count += c.length - 1;
  }
  const mean = nll / count;
  return { length, ppl: Math.exp(mean), nll: mean, tokens: count, chunks: chunks.length };
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
