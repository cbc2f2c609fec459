import { describe, expect, it } from 'vitest';
import { buildTokenStream, chunkInputsTargets, evalChunks, sampleTrainingBatch, sotuTokenStream } from '../../src/data/lm-batches';
import { loadSotu } from '../../src/data/sotu';
import { sotuSplits } from '../../src/data/splits';
import { getTokenizer } from '../../src/data/tokenizer';
import { Rng } from '../../src/util/rng';

const tok = getTokenizer('bytes-v1');

describe('token streams', () => {
  it('concatenates documents with the separator after each one and records where each starts', () => {
    const s = buildTokenStream([{ id: 'a', text: 'Hi' }, { id: 'b', text: 'é!' }], tok);
    // 'Hi' = 72 105; '\n\n' = 10 10; 'é!' = 195 169 33
    expect(Array.from(s.tokens)).toEqual([72, 105, 10, 10, 195, 169, 33, 10, 10]);
    expect(Array.from(s.docStarts)).toEqual([0, 4]);
    expect(s.docIds).toEqual(['a', 'b']);
    expect([s.tokenizer, s.vocabSize, s.separator]).toEqual(['bytes-v1', 256, '\n\n']);
    const t = buildTokenStream([{ id: 'a', text: 'Hi' }], tok, { separator: '|' });
    expect(Array.from(t.tokens)).toEqual([72, 105, 124]);
  });

  it('builds each SOTU split from its own documents (byte counts checked independently) and caches it', () => {
    const sp = sotuSplits();
    for (const name of ['train', 'validation', 'test'] as const) {
      const st = sotuTokenStream(name);
      const expected = sp[name].reduce((n, d) => n + Buffer.byteLength(d.text, 'utf8') + 2, 0);
      expect(st.tokens.length).toBe(expected);
      expect(st.docIds).toEqual(sp.split[name]);
      expect(sotuTokenStream(name)).toBe(st);
    }
    // The three splits together hold every byte of the corpus exactly once (plus one separator per document).
    const total = loadSotu().reduce((n, d) => n + Buffer.byteLength(d.text, 'utf8') + 2, 0);
    expect(['train', 'validation', 'test'].reduce((n, k) => n + sotuTokenStream(k as 'train').tokens.length, 0)).toBe(total);
    expect(() => sotuTokenStream('dev' as 'train')).toThrow(/unknown split "dev"/);
  });
});

describe('training windows', () => {
  it('targets are the inputs shifted by one, both read from the stream at the recorded start', () => {
    const stream = sotuTokenStream('validation').tokens;
    const b = sampleTrainingBatch(stream, 8, 64, new Rng(3));
    expect(b.inputs).toHaveLength(8 * 64);
    expect(b.targets).toHaveLength(8 * 64);
    for (let r = 0; r < 8; r++) {
      const s = b.starts[r];
      for (let t = 0; t < 64; t++) {
        expect(b.inputs[r * 64 + t]).toBe(stream[s + t]);
        expect(b.targets[r * 64 + t]).toBe(stream[s + t + 1]);
        if (t + 1 < 64) expect(b.inputs[r * 64 + t + 1]).toBe(b.targets[r * 64 + t]);
      }
    }
  });

  it('is deterministic for a seed and reaches every legal start uniformly (6000 draws)', () => {
    const stream = Int32Array.from({ length: 10 }, (_, i) => i * 3);
    const a = sampleTrainingBatch(stream, 5, 4, new Rng(11));
    const b = sampleTrainingBatch(stream, 5, 4, new Rng(11));
    expect(b).toEqual(a);
    // Legal starts: 0..5 (a window needs 5 tokens). Each should get ≈ 1000 of 6000 draws.
    const hist = new Array(10).fill(0);
    const big = sampleTrainingBatch(stream, 6000, 4, new Rng(12));
    for (const s of big.starts) hist[s]++;
    expect(hist.slice(6)).toEqual([0, 0, 0, 0]);
    for (const h of hist.slice(0, 6)) expect(Math.abs(h - 1000)).toBeLessThan(150); // sd ≈ 29
  });

  it('rejects bad sizes and a stream too short for one window', () => {
    const stream = new Int32Array(5);
    expect(() => sampleTrainingBatch(stream, 1, 5, new Rng(1))).toThrow(/5 tokens; a training window needs time \+ 1 = 6/);
    expect(() => sampleTrainingBatch(stream, 0, 2, new Rng(1))).toThrow(/batch must be a positive integer, got 0/);
    expect(() => sampleTrainingBatch(stream, 1, 2.5, new Rng(1))).toThrow(/time must be a positive integer, got 2.5/);
  });
});

describe('evaluation chunks', () => {
  it('10 tokens, L = 4 → chunks of 4, 4, 2 starting at 0, 4, 8 (last partial chunk kept)', () => {
    const stream = Int32Array.from({ length: 10 }, (_, i) => 100 + i);
    const ch = evalChunks(stream, 4);
    expect(ch.map((c) => c.tokens.length)).toEqual([4, 4, 2]);
    expect(ch.map((c) => c.start)).toEqual([0, 4, 8]);
    expect(Array.from(ch[2].tokens)).toEqual([108, 109]);
    const io = chunkInputsTargets(ch[0]);
    expect(Array.from(io.inputs)).toEqual([100, 101, 102]);
    expect(Array.from(io.targets)).toEqual([101, 102, 103]);
    expect(chunkInputsTargets({ start: 0, tokens: new Int32Array([5]) }).inputs).toHaveLength(0);
  });

  it('covers every token exactly once, in order, for 300 random (n, L, maxTokens)', () => {
    const rng = new Rng(21);
    for (let k = 0; k < 300; k++) {
      const n = rng.int(1, 200);
      const L = rng.int(1, 50);
      const cap = rng.next() < 0.5 ? rng.int(1, 250) : undefined;
      const stream = Int32Array.from({ length: n }, (_, i) => i);
      const ch = evalChunks(stream, L, { maxTokens: cap });
      const used = Math.min(n, cap ?? n);
      const seen = ch.flatMap((c) => Array.from(c.tokens));
      expect(seen).toEqual(Array.from({ length: used }, (_, i) => i));
      expect(ch.length).toBe(Math.ceil(used / L));
      ch.slice(0, -1).forEach((c) => expect(c.tokens.length).toBe(L));
    }
  });

  it('maxTokens takes the first N tokens of the stream', () => {
    const stream = sotuTokenStream('test').tokens;
    const ch = evalChunks(stream, 512, { maxTokens: 2000 });
    expect(ch.map((c) => c.tokens.length)).toEqual([512, 512, 512, 464]);
    expect(Array.from(ch[3].tokens)).toEqual(Array.from(stream.subarray(1536, 2000)));
  });

  it('rejects a non-positive L or maxTokens', () => {
    expect(() => evalChunks(new Int32Array(3), 0)).toThrow(/eval length L must be a positive integer, got 0/);
    expect(() => evalChunks(new Int32Array(3), 2, { maxTokens: -1 })).toThrow(/maxTokens must be a positive integer, got -1/);
  });
});
