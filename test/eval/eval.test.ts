import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend';
import { ALiBi, alibiSlopes } from '../../src/encodings/alibi';
import { Sinusoidal, sinusoidalRows } from '../../src/encodings/sinusoidal';
import { RoPE } from '../../src/encodings/rope';
import { NoPE } from '../../src/encodings/none';
import { CausalLM } from '../../src/models/causal-lm';
import { ViT } from '../../src/models/vit';
import { distanceAwareness, similarityMap, spearman } from '../../src/eval/similarity';
import { perplexityAt } from '../../src/eval/perplexity';
import { greedyGenerate, qaForcedExactMatch } from '../../src/eval/qa';
import { accuracyAt } from '../../src/eval/accuracy';
import { patchify } from '../../src/data/resize';
import { Rng } from '../../src/util/rng';

beforeAll(async () => {
  await initBackend();
});

const dims = { dModel: 16, heads: 2, layers: 1 };

describe('rank statistics', () => {
  it('spearman matches hand-worked values, ties included', () => {
    expect(spearman([1, 2, 3, 4], [10, 20, 30, 40])).toBeCloseTo(1, 12);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
    // ranks a = [1,2,3], b = [1,3,2] → d² = 0+1+1 = 2 → ρ = 1 − 6·2/(3·8) = 0.5
    expect(spearman([1, 2, 3], [5, 9, 7])).toBeCloseTo(0.5, 12);
    // ties: a = [1,1,2] → ranks [1.5,1.5,3]; b = [1,2,3]; Pearson of ranks = 0.8660…
    expect(spearman([1, 1, 2], [1, 2, 3])).toBeCloseTo(Math.sqrt(3) / 2, 12);
    expect(Number.isNaN(spearman([1, 1, 1], [1, 2, 3]))).toBe(true);
    expect(() => spearman([1, 2], [1])).toThrow(/lengths differ/);
  });

  it('distanceAwareness is 1 for similarity = −distance, −1 for +distance, and causal rows only look back', () => {
    const n = 12;
    const coords = Array.from({ length: n }, (_, i) => [i]);
    const make = (f: (i: number, j: number) => number) => {
      const v = new Float32Array(n * n);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) v[i * n + j] = f(i, j);
      return { values: v, size: n, description: 'test' };
    };
    expect(distanceAwareness(make((i, j) => -Math.abs(i - j)), coords)).toBeCloseTo(1, 6);
    expect(distanceAwareness(make((i, j) => Math.abs(i - j)), coords)).toBeCloseTo(-1, 6);
    // ALiBi-like key-index bias m·j: non-causally mixed, causally perfectly distance-aware (rows with ≥ 2 keys)
    expect(distanceAwareness(make((_i, j) => j), coords, { causal: true })).toBeCloseTo(1, 6);
    expect(distanceAwareness(make((_i, j) => j), coords)).toBeLessThan(0.9);
  });
});

describe('similarity maps through the encoding interface', () => {
  it("sinusoidal 'raw' map is E·Eᵀ of the table rows", () => {
    const enc = new Sinusoidal(dims);
    const m = similarityMap(enc, { kind: '1d', start: 5, length: 6 });
    const rows = sinusoidalRows([5, 6, 7, 8, 9, 10], 16);
    for (let i = 0; i < 6; i++) for (let j = 0; j < 6; j++) {
      let dot = 0;
      for (let k = 0; k < 16; k++) dot += rows[i * 16 + k] * rows[j * 16 + k];
      expect(m.values[i * 6 + j]).toBeCloseTo(dot, 4);
    }
  });

  it("ALiBi 'applied' map is the head-mean slope times the key index", () => {
    const enc = new ALiBi(dims);
    const m = similarityMap(enc, { kind: '1d', start: 0, length: 5 }, { source: 'applied' });
    const meanSlope = alibiSlopes(2).reduce((a, b) => a + b, 0) / 2; // (1/16 + 1/256)/2
    for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) expect(m.values[i * 5 + j]).toBeCloseTo(meanSlope * j, 5);
    expect(() => similarityMap(enc, { kind: '1d', start: 0, length: 5 })).toThrow(/no position vectors.*'applied'/);
  });

  it("RoPE 'applied' map depends only on the offset (Toeplitz) and NoPE has none", () => {
    const m = similarityMap(new RoPE(dims), { kind: '1d', start: 3, length: 7 }, { source: 'applied', dims });
    for (let i = 1; i < 7; i++) for (let j = 1; j < 7; j++) expect(m.values[i * 7 + j]).toBeCloseTo(m.values[(i - 1) * 7 + j - 1], 3);
    // q = k = ones: offset 0 gives |q|² = d_h = 8
    expect(m.values[0]).toBeCloseTo(8, 4);
    expect(() => similarityMap(new NoPE(dims), { kind: '1d', start: 0, length: 3 }, { source: 'applied', dims })).toThrow(/no position information/);
  });
});

describe('evaluation metrics against independent routes', () => {
  it('perplexity over chunks equals exp of the token-weighted mean of per-chunk losses', () => {
    const model = new CausalLM({ vocab: 11, dModel: 16, layers: 1, heads: 2, seed: 3 }, new Sinusoidal(dims));
    const rng = new Rng(5);
    const tokens = Int32Array.from({ length: 23 }, () => rng.int(0, 11));
    const r = perplexityAt(model, tokens, 8); // chunks of 8, 8, 7 tokens → 7 + 7 + 6 predictions
    expect(r.tokens).toBe(20);
    expect(r.chunks).toBe(3);
    let nll = 0;
    for (const [s, n] of [[0, 8], [8, 8], [16, 7]]) {
      const loss = tf.tidy(() => {
        const x = tf.tensor2d(tokens.subarray(s, s + n - 1), [1, n - 1], 'int32');
        return model.loss(x, tokens.slice(s + 1, s + n), { training: false }).loss.dataSync()[0];
      });
      nll += loss * (n - 1);
    }
    expect(r.nll).toBeCloseTo(nll / 20, 5);
    expect(r.ppl).toBeCloseTo(Math.exp(nll / 20), 4);
    expect(() => perplexityAt(model, tokens, 1)).toThrow(/length must be an integer ≥ 2/);
    model.dispose();
  });

  it('forced EM counts exactly the examples whose greedy generation starts with the answer', () => {
    const model = new CausalLM({ vocab: 5, dModel: 16, layers: 1, heads: 2, seed: 9 }, new Sinusoidal(dims));
    const rng = new Rng(1);
    const L = 10;
    const examples: Array<{ tokens: Int32Array; answerStart: number; answerEnd: number; ans: number[] }> = [];
    for (let e = 0; e < 12; e++) {
      const prompt = Int32Array.from({ length: 7 }, () => rng.int(0, 5));
      // Half of the answers are the model's own greedy continuation (hits), half are random (mostly misses).
      const own = greedyGenerate(model, [prompt], 3)[0];
      const ans = e % 2 === 0 ? own : [rng.int(0, 5), rng.int(0, 5), rng.int(0, 5)];
      const tokens = new Int32Array(L);
      tokens.set(prompt);
      tokens.set(ans, 7);
      examples.push({ tokens, answerStart: 7, answerEnd: 10, ans });
    }
    const forced = qaForcedExactMatch(model, examples);
    examples.forEach((e, k) => {
      const gen = greedyGenerate(model, [e.tokens.subarray(0, 7)], 3)[0];
      expect(forced.hits[k]).toBe(gen.every((t, i) => t === e.ans[i]));
    });
    expect(forced.hits.filter((_, k) => k % 2 === 0).every(Boolean)).toBe(true);
    // The answer NLL equals the model's own answer-weighted cross-entropy (weights 1 on the 3 answer targets).
    const ref = tf.tidy(() => {
      const b = examples.length;
      const inputs = new Int32Array(b * (L - 1));
      const targets = new Int32Array(b * (L - 1));
      const weights = new Float32Array(b * (L - 1));
      examples.forEach((e, k) => {
        inputs.set(e.tokens.subarray(0, L - 1), k * (L - 1));
        targets.set(e.tokens.subarray(1), k * (L - 1));
        for (let t = 6; t < 9; t++) weights[k * (L - 1) + t] = 1;
      });
      return model.loss(tf.tensor2d(inputs, [b, L - 1], 'int32'), targets, { training: false }, weights).loss.dataSync()[0];
    });
    expect(forced.answerNll).toBeCloseTo(ref, 5);
    model.dispose();
  });

  it('accuracy at a resolution equals the arg-max of the model on the patchified images', () => {
    const model = new ViT({ imageSize: 8, patchSize: 4, classes: 3, dModel: 16, layers: 1, heads: 2, seed: 2 }, new NoPE(dims));
    const rng = new Rng(4);
    const images = Float32Array.from({ length: 5 * 64 }, () => rng.next());
    const labels = Int32Array.from([0, 1, 2, 0, 1]);
    const r = accuracyAt(model, images, labels, 8, 8, 4, 2);
    const p = patchify(images, 8, 4);
    const pred = tf.tidy(() => model.forward(tf.tensor3d(p.data, [5, 4, 16]), { training: false }).argMax(-1).dataSync());
    const correct = Array.from(pred).filter((v, i) => v === labels[i]).length;
    expect(r.correct).toBe(correct);
    expect(r.accuracy).toBeCloseTo((100 * correct) / 5, 10);
    expect(r.grid).toBe(2);
    expect(() => accuracyAt(model, images, labels, 8, 10, 4)).toThrow(/not a multiple of the patch size/);
    model.dispose();
  });

  it('leaves no tensors behind', () => {
    const model = new CausalLM({ vocab: 7, dModel: 16, layers: 1, heads: 2, seed: 1 }, new ALiBi(dims));
    const tokens = Int32Array.from({ length: 30 }, (_, i) => i % 7);
    perplexityAt(model, tokens, 6);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      perplexityAt(model, tokens, 6);
      similarityMap(model.encoding, { kind: '1d', start: 0, length: 6 }, { source: 'applied' });
    }
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});
