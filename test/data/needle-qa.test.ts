import { describe, expect, it } from 'vitest';
import { sotuTokenStream } from '../../src/data/lm-batches';
import {
  exactMatch,
  exactMatchScore,
  makeNeedleExample,
  makeNeedleSet,
  NEEDLE_DIGITS,
  NEEDLE_KEYS,
  needleMinLength,
  needleQuestion,
  needleSentence,
  needleTarget,
} from '../../src/data/needle-qa';
import { getTokenizer } from '../../src/data/tokenizer';
import { Rng } from '../../src/util/rng';

const tok = getTokenizer('bytes-v1');
const hay = sotuTokenStream('validation').tokens;

describe('needle-in-a-haystack QA', () => {
  it('has exactly the requested total length for many L, with the answer span at the end', () => {
    const rng = new Rng(1);
    for (const L of [58, 100, 128, 129, 200, 256, 512, 513, 1000, 1024, 2048, 4096, 16384]) {
      for (let k = 0; k < 5; k++) {
        const ex = makeNeedleExample(hay, tok, { length: L, seed: rng });
        expect(ex.tokens).toHaveLength(L);
        expect(ex.length).toBe(L);
        expect(ex.answerEnd).toBe(L);
        const target = tok.decode(ex.tokens.subarray(ex.answerStart, ex.answerEnd));
        expect(target).toBe(` ${ex.answer}\n`);
        expect(target).toBe(needleTarget(ex.answer));
        expect(target.trim()).toBe(ex.answer);
        expect(ex.answer).toMatch(/^[1-9]\d{3}$/);
        expect(NEEDLE_DIGITS).toBe(4);
        expect(NEEDLE_KEYS).toContain(ex.key);
      }
    }
  });

  it('the needle sits at the recorded depth, at a word start, and the rest is a contiguous slice of the stream', () => {
    for (let seed = 0; seed < 80; seed++) {
      const ex = makeNeedleExample(hay, tok, { length: seed % 2 ? 600 : 128, seed });
      const needle = needleSentence(ex.key, ex.answer);
      expect(tok.decode(ex.tokens.subarray(ex.needleStart, ex.needleEnd))).toBe(needle);
      expect(ex.depth).toBeCloseTo(ex.needleStart / ex.haystackLength, 12);
      // The context (everything before the question) contains the needle once, at that byte offset.
      const context = tok.decode(ex.tokens.subarray(0, ex.haystackLength + (ex.needleEnd - ex.needleStart)));
      expect(context.indexOf(needle)).toBe(tok.decode(ex.tokens.subarray(0, ex.needleStart)).length);
      expect(context.split(needle)).toHaveLength(2);
      if (ex.needleStart > 0) expect(tok.decode(ex.tokens.subarray(ex.needleStart - 1, ex.needleStart))).toBe(' ');
      // Removing the needle leaves exactly haystack tokens [haystackStart, haystackStart + H) of the stream.
      const rest = [...ex.tokens.subarray(0, ex.needleStart), ...ex.tokens.subarray(ex.needleEnd, ex.haystackLength + ex.needleEnd - ex.needleStart)];
      expect(rest).toEqual(Array.from(hay.subarray(ex.haystackStart, ex.haystackStart + ex.haystackLength)));
      // The window starts at a sentence start when it is not at the stream's start.
      if (ex.haystackStart > 0) expect(tok.decode(hay.subarray(ex.haystackStart - 2, ex.haystackStart))).toBe('. ');
      // The question comes right before the answer.
      const q = needleQuestion(ex.key);
      expect(tok.decode(ex.tokens.subarray(ex.answerStart - tok.encode(q).length, ex.answerStart))).toBe(q);
    }
  });

  it('places the needle at the word boundary nearest to a requested depth', () => {
    const ex0 = makeNeedleExample(hay, tok, { length: 2000, seed: 3, depth: 0 });
    expect(ex0.needleStart).toBe(0);
    expect(ex0.depth).toBe(0);
    for (const [L, d] of [[2000, 0.25], [2000, 0.5], [2000, 0.9], [2000, 1], [128, 0.3], [128, 0.5], [128, 0.8], [128, 1]]) {
      const ex = makeNeedleExample(hay, tok, { length: L, seed: 3, depth: d });
      const H = ex.haystackLength;
      // Brute force over the haystack (needle removed): no word start is strictly closer to d·H.
      const plain = [...ex.tokens.subarray(0, ex.needleStart), ...ex.tokens.subarray(ex.needleEnd, H + ex.needleEnd - ex.needleStart)];
      const starts = [0];
      for (let i = 1; i <= H; i++) if (plain[i - 1] === 32) starts.push(i); // after ' '
      expect(starts.length).toBeGreaterThan(5);
      const best = Math.min(...starts.map((s) => Math.abs(s - d * H)));
      expect(Math.abs(ex.needleStart - d * H)).toBe(best);
      expect(starts).toContain(ex.needleStart);
    }
  });

  for (const L of [128, 1024]) {
    it(`spreads random depths over the context at ${L} (mean ≈ ½, both ends and the middle reached, over 400 examples)`, () => {
      const set = makeNeedleSet(hay, tok, { length: L, count: 400, seed: 9 });
      const mean = set.reduce((s, e) => s + e.depth, 0) / set.length;
      expect(mean).toBeGreaterThan(0.44);
      expect(mean).toBeLessThan(0.56);
      // Each fifth of the haystack holds between 10 % and 30 % of the needles (uniform: 20 %).
      for (let k = 0; k < 5; k++) {
        const n = set.filter((e) => e.depth >= k / 5 && (e.depth < (k + 1) / 5 || (k === 4 && e.depth === 1))).length;
        expect(n).toBeGreaterThan(40);
        expect(n).toBeLessThan(120);
      }
    });
  }

  it('leaves at least half of the 128-token fine-tuning context to the haystack, for every key and many seeds', () => {
    let least = Infinity;
    for (let seed = 0; seed < 500; seed++) {
      const ex = makeNeedleExample(hay, tok, { length: 128, seed });
      expect(ex.haystackLength / 128).toBeGreaterThanOrEqual(0.5);
      least = Math.min(least, ex.haystackLength);
    }
    // The bound is the longest key's, reached by some draw: 128 − (30 + 2·10 + 2·4) = 70.
    expect(least).toBe(70);
    for (const key of NEEDLE_KEYS) {
      const fixed = tok.encode(needleSentence(key, '1234')).length + tok.encode(needleQuestion(key)).length + tok.encode(needleTarget('1234')).length;
      expect(128 - fixed).toBeGreaterThanOrEqual(64);
    }
  });

  it('the answer is recoverable: it appears in the context exactly where the needle says, and the question names the key', () => {
    for (let seed = 0; seed < 200; seed++) {
      const ex = makeNeedleExample(hay, tok, { length: [128, 256, 2048][seed % 3], seed });
      const prompt = tok.decode(ex.tokens.subarray(0, ex.answerStart));
      const [context, question] = prompt.split('\nQ: ');
      expect(question).toBe(`${ex.key} code?\nA:`);
      // Reading the context the way a model must: the number after "The {key} code is ".
      const m = new RegExp(`The ${ex.key} code is (\\d+)\\. `).exec(context);
      expect(m?.[1]).toBe(ex.answer);
      expect(exactMatch(tok.decode(ex.tokens.subarray(ex.answerStart, ex.answerEnd)), ex.answer)).toBe(true);
    }
  });

  it('same seed → same example; sets are prefix-stable; different seeds differ', () => {
    const a = makeNeedleExample(hay, tok, { length: 700, seed: 42 });
    const b = makeNeedleExample(hay, tok, { length: 700, seed: 42 });
    expect(b).toEqual(a);
    const c = makeNeedleExample(hay, tok, { length: 700, seed: 43 });
    expect(c.tokens).not.toEqual(a.tokens);
    const s10 = makeNeedleSet(hay, tok, { length: 300, count: 10, seed: 5 });
    const s4 = makeNeedleSet(hay, tok, { length: 300, count: 4, seed: 5 });
    expect(s4).toEqual(s10.slice(0, 4));
    expect(new Set(s10.map((e) => e.answer)).size).toBeGreaterThan(8); // 9000 possible answers: a repeat is possible, not likely
    const s10b = makeNeedleSet(hay, tok, { length: 300, count: 10, seed: 5 });
    expect(s10b).toEqual(s10);
  });

  it('needs room for needle + question + answer; the minimum works and the longest key leaves no haystack', () => {
    const longest = NEEDLE_KEYS.reduce((a, k) => (k.length > a.length ? k : a), '');
    const min = needleMinLength(tok);
    // Bytes, counted by hand: needle "The " (4) + key + " code is " (9) + 4 digits + ". " (2) = 19 + |key|;
    // question "\nQ: " (4) + key + " code?\nA:" (9) = 13 + |key|; answer " " + 4 digits + "\n" = 6.
    // Longest key 'lighthouse' (10) → 58.
    expect(longest).toBe('lighthouse');
    expect(min).toBe(19 + 13 + 6 + 2 * longest.length);
    expect(min).toBe(58);
    expect(() => makeNeedleExample(hay, tok, { length: min - 1, seed: 1 })).toThrow(
      new RegExp(`length ${min - 1} is too small.*at least ${min}`),
    );
    for (let seed = 0; seed < 30; seed++) {
      const ex = makeNeedleExample(hay, tok, { length: min, seed });
      expect(ex.tokens).toHaveLength(min);
      expect(ex.haystackLength).toBe(min - (19 + 13 + 6 + 2 * ex.key.length));
      if (ex.key === longest) expect(ex.haystackLength).toBe(0);
    }
  });

  it('rejects a haystack that is too short, bad lengths and depths', () => {
    expect(() => makeNeedleExample(hay.subarray(0, 100), tok, { length: 400, seed: 1 })).toThrow(/haystack stream has 100 tokens, fewer than/);
    expect(() => makeNeedleExample(hay, tok, { length: 300.5, seed: 1 })).toThrow(/positive integer, got 300.5/);
    expect(() => makeNeedleExample(hay, tok, { length: 300, seed: 1, depth: 1.5 })).toThrow(/depth must be in \[0, 1\], got 1.5/);
  });
});

describe('exact match (paper rule: gold lower-cased and stripped is a substring of the lower-cased generation)', () => {
  it('scores hand-made cases', () => {
    expect(exactMatch(' 4000801\n', '4000801')).toBe(true);
    expect(exactMatch('The number is 4000801.', ' 4000801 ')).toBe(true);
    expect(exactMatch('400080', '4000801')).toBe(false);
    expect(exactMatch('PARIS, France', 'Paris')).toBe(true);
    expect(exactMatch('par is', 'Paris')).toBe(false);
    expect(exactMatch('I think London', ['Paris', 'london'])).toBe(true);
    expect(exactMatch('', '1')).toBe(false);
    expect(() => exactMatch('x', '  ')).toThrow(/empty after stripping/);
    expect(() => exactMatch('x', [])).toThrow(/no gold answers/);
  });

  it('averages ×100 over examples', () => {
    expect(exactMatchScore(['a1', 'b', 'c3', 'd'], ['1', '2', '3', '4'])).toBe(50);
    expect(() => exactMatchScore(['a'], ['a', 'b'])).toThrow(/1 generations but 2 gold entries/);
  });
});
