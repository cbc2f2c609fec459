import { describe, expect, it } from 'vitest';
import { sotuTokenStream } from '../src/data/lm-batches';
import {
  exactMatch,
  exactMatchScore,
  makeNeedleExample,
  makeNeedleSet,
  NEEDLE_KEYS,
  needleMinLength,
  needleQuestion,
  needleSentence,
} from '../src/data/needle-qa';
import { getTokenizer } from '../src/data/tokenizer';
import { Rng } from '../src/util/rng';

const tok = getTokenizer('bytes-v1');
const hay = sotuTokenStream('validation').tokens;

describe('needle-in-a-haystack QA', () => {
  it('has exactly the requested total length for many L, with the answer span at the end', () => {
    const rng = new Rng(1);
    for (const L of [128, 129, 200, 256, 513, 1000, 2048, 4096, 16384]) {
      for (let k = 0; k < 5; k++) {
        const ex = makeNeedleExample(hay, tok, { length: L, seed: rng });
        expect(ex.tokens).toHaveLength(L);
        expect(ex.length).toBe(L);
        expect(ex.answerEnd).toBe(L);
        const target = tok.decode(ex.tokens.subarray(ex.answerStart, ex.answerEnd));
        expect(target).toBe(` ${ex.answer}\n`);
        expect(target.trim()).toBe(ex.answer);
        expect(ex.answer).toMatch(/^[1-9]\d{6}$/);
        expect(NEEDLE_KEYS).toContain(ex.key);
      }
    }
  });

  it('the needle sits at the recorded depth, at a sentence start, and the rest is a contiguous slice of the stream', () => {
    for (let seed = 0; seed < 40; seed++) {
      const ex = makeNeedleExample(hay, tok, { length: 600, seed });
      const needle = needleSentence(ex.key, ex.answer);
      expect(tok.decode(ex.tokens.subarray(ex.needleStart, ex.needleEnd))).toBe(needle);
      expect(ex.depth).toBeCloseTo(ex.needleStart / ex.haystackLength, 12);
      // The context (everything before the question) contains the needle once, at that byte offset.
      const context = tok.decode(ex.tokens.subarray(0, ex.haystackLength + (ex.needleEnd - ex.needleStart)));
      expect(context.indexOf(needle)).toBe(tok.decode(ex.tokens.subarray(0, ex.needleStart)).length);
      expect(context.split(needle)).toHaveLength(2);
      if (ex.needleStart > 0) expect(tok.decode(ex.tokens.subarray(ex.needleStart - 2, ex.needleStart))).toBe('. ');
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

  it('places the needle at the sentence boundary nearest to a requested depth', () => {
    const ex0 = makeNeedleExample(hay, tok, { length: 2000, seed: 3, depth: 0 });
    expect(ex0.needleStart).toBe(0);
    expect(ex0.depth).toBe(0);
    for (const d of [0.25, 0.5, 0.9, 1]) {
      const ex = makeNeedleExample(hay, tok, { length: 2000, seed: 3, depth: d });
      const H = ex.haystackLength;
      // Brute force over the haystack (needle removed): no sentence start is strictly closer to d·H.
      const plain = [...ex.tokens.subarray(0, ex.needleStart), ...ex.tokens.subarray(ex.needleEnd, H + ex.needleEnd - ex.needleStart)];
      const starts = [0];
      for (let i = 2; i <= H; i++) if (plain[i - 2] === 46 && plain[i - 1] === 32) starts.push(i); // '.' ' '
      const best = Math.min(...starts.map((s) => Math.abs(s - d * H)));
      expect(Math.abs(ex.needleStart - d * H)).toBe(best);
      expect(starts).toContain(ex.needleStart);
    }
  });

  it('spreads random depths over the context (mean ≈ ½ over 400 examples)', () => {
    const set = makeNeedleSet(hay, tok, { length: 1024, count: 400, seed: 9 });
    const mean = set.reduce((s, e) => s + e.depth, 0) / set.length;
    expect(mean).toBeGreaterThan(0.44);
    expect(mean).toBeLessThan(0.56);
    expect(set.filter((e) => e.depth < 0.2).length).toBeGreaterThan(40);
    expect(set.filter((e) => e.depth > 0.8).length).toBeGreaterThan(40);
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
    expect(new Set(s10.map((e) => e.answer)).size).toBe(10);
  });

  it('needs room for needle + question + answer; the minimum works and the longest key leaves no haystack', () => {
    const longest = NEEDLE_KEYS.reduce((a, k) => (k.length > a.length ? k : a), '');
    const min = needleMinLength(tok);
    // Bytes, counted by hand: needle "The special magic number for " (29) + key + " is " (4) + 7 digits + ". " (2)
    // = 42 + |key|; question "\nQuestion: What is the special magic number for " (48) + key + "?\nAnswer:" (9)
    // = 57 + |key|; answer " " + 7 digits + "\n" = 9. Longest key 'lighthouse' (10) → 128.
    expect(longest).toBe('lighthouse');
    expect(min).toBe(42 + 57 + 9 + 2 * longest.length);
    expect(min).toBe(128);
    expect(() => makeNeedleExample(hay, tok, { length: min - 1, seed: 1 })).toThrow(
      new RegExp(`length ${min - 1} is too small.*at least ${min}`),
    );
    for (let seed = 0; seed < 30; seed++) {
      const ex = makeNeedleExample(hay, tok, { length: min, seed });
      expect(ex.tokens).toHaveLength(min);
      expect(ex.haystackLength).toBe(min - (42 + 57 + 9 + 2 * ex.key.length));
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
