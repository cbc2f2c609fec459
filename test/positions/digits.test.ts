import { describe, expect, it } from 'vitest';
import {
  axisSize,
  capacity,
  digitCount,
  digitPositionIds,
  dimensionIds,
  encodeBatch,
  fromDigits,
  specFor,
  toDigits,
  type DigitSpec,
} from '../../src/positions/digits';
import { Rng } from '../../src/util/rng';

const dec = (dims: number, digits: number): DigitSpec => ({ dims, digits, base: 10 });

describe('toDigits: hand-worked cases', () => {
  it('(2, 3) with 2 digits per axis → [0, 2, 0, 3] (the paper\'s Fig. 1)', () => {
    expect(toDigits([2, 3], dec(2, 2))).toEqual([0, 2, 0, 3]);
  });
  it('123 with 5 digits → [0, 0, 1, 2, 3]', () => {
    expect(toDigits(123, dec(1, 5))).toEqual([0, 0, 1, 2, 3]);
    expect(toDigits([123], dec(1, 5))).toEqual([0, 0, 1, 2, 3]);
  });
  it('base 2: 5 = 101₂ with 4 digits → [0, 1, 0, 1]', () => {
    expect(toDigits(5, { dims: 1, digits: 4, base: 2 })).toEqual([0, 1, 0, 1]);
  });
  it('base 16: 255 = FF₁₆ → [15, 15]; 256 needs a third digit', () => {
    expect(toDigits(255, { dims: 1, digits: 2, base: 16 })).toEqual([15, 15]);
    expect(toDigits(256, { dims: 1, digits: 3, base: 16 })).toEqual([1, 0, 0]);
    expect(() => toDigits(256, { dims: 1, digits: 2, base: 16 })).toThrow(/256/);
  });
  it('3-D: (1, 22, 333) with 3 digits per axis → 001 022 333', () => {
    expect(toDigits([1, 22, 333], dec(3, 3))).toEqual([0, 0, 1, 0, 2, 2, 3, 3, 3]);
  });
  it('zero is all pads but the units digit', () => {
    expect(toDigits(0, dec(1, 3))).toEqual([0, 0, 0]);
    expect(encodeBatch([0], dec(1, 3)).mask).toEqual(new Uint8Array([0, 0, 1]));
  });
});

describe('digit budget', () => {
  it('digitCount(20000) = 5 = len(str(19999)), the LM default', () => {
    expect(digitCount(20000)).toBe(5);
    expect(digitCount(20000)).toBe(String(19999).length);
  });
  it('digitCount(n) = len(str(n − 1)) for n = 1..100 000 (independent route: string length)', () => {
    for (let n = 1; n <= 100000; n++) {
      if (digitCount(n) !== String(n - 1).length) throw new Error(`digitCount(${n}) = ${digitCount(n)}`);
    }
  });
  it('other bases: positions 0..7 fit 3 bits, 0..8 need 4; digitCount(n, b) = len((n−1) in base b)', () => {
    expect(digitCount(8, 2)).toBe(3);
    expect(digitCount(9, 2)).toBe(4);
    expect(digitCount(256, 16)).toBe(2);
    expect(digitCount(257, 16)).toBe(3);
    for (let b = 2; b <= 16; b++) for (let n = 1; n < 3000; n += 7) expect(digitCount(n, b)).toBe((n - 1).toString(b).length);
  });
  it('specFor(10000, 2) → 100 per axis → 2 digits per axis (the ViT default); specFor(20000) → 5 digits', () => {
    expect(specFor(10000, 2)).toEqual({ dims: 2, digits: 2, base: 10 });
    expect(specFor(20000)).toEqual({ dims: 1, digits: 5, base: 10 });
    expect(capacity(specFor(10000, 2))).toBe(100);
  });
  it('axisSize takes an exact integer root (1000^(1/3) is 9.999… in floating point)', () => {
    expect(Math.pow(1000, 1 / 3)).toBeLessThan(10); // the trap
    expect(axisSize(1000, 3)).toBe(10);
    expect(axisSize(10000, 2)).toBe(100);
    expect(axisSize(10200, 2)).toBe(100);
    expect(axisSize(9999, 2)).toBe(99);
    expect(specFor(1000, 3)).toEqual({ dims: 3, digits: 1, base: 10 });
    for (let r = 1; r < 300; r++) {
      for (const dims of [2, 3]) {
        expect(axisSize(r ** dims, dims)).toBe(r);
        if (r > 1) expect(axisSize(r ** dims - 1, dims)).toBe(r - 1);
      }
    }
  });
  it('digit-position ids run 0..n·digits−1 (not reset per axis), dimension ids repeat per axis', () => {
    expect(digitPositionIds(dec(2, 2))).toEqual([0, 1, 2, 3]);
    expect(dimensionIds(dec(2, 2))).toEqual([0, 0, 1, 1]);
  });
});

describe('encodeBatch and the pad mask', () => {
  it('marks leading zeros of each coordinate as pads; the units digit is always real', () => {
    const b = encodeBatch([[2, 3], [10, 0], [99, 5]], dec(2, 2));
    expect(b.count).toBe(3);
    expect(b.seqLen).toBe(4);
    expect(Array.from(b.ids)).toEqual([0, 2, 0, 3, 1, 0, 0, 0, 9, 9, 0, 5]);
    expect(Array.from(b.mask)).toEqual([0, 1, 0, 1, 1, 1, 0, 1, 1, 1, 0, 1]);
    const c = encodeBatch([123, 7, 10000], dec(1, 5));
    expect(Array.from(c.mask)).toEqual([0, 0, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1]);
  });
  it('an empty batch is fine', () => {
    const b = encodeBatch([], dec(1, 3));
    expect(b.count).toBe(0);
    expect(b.ids.length).toBe(0);
  });
});

describe('round trip over thousands of random positions and specs', () => {
  it('fromDigits(toDigits(p)) = p; digits match Number.toString(base); mask = real digits of the unpadded string', () => {
    const rng = new Rng(7);
    for (let trial = 0; trial < 5000; trial++) {
      const base = rng.int(2, 17);
      const dims = rng.int(1, 4);
      const digits = rng.int(1, 7);
      const spec: DigitSpec = { dims, digits, base };
      const cap = capacity(spec);
      const p = Array.from({ length: dims }, () => rng.int(0, Math.min(cap, 2 ** 31)));
      const ds = toDigits(p, spec);
      expect(fromDigits(ds, spec)).toEqual(p);
      // independent route: the built-in radix conversion, left-padded with "0"
      const expected = p.flatMap((v) => v.toString(base).padStart(digits, '0').split('').map((ch) => parseInt(ch, base)));
      expect(ds).toEqual(expected);
      const m = encodeBatch([p], spec).mask;
      const expectedMask = p.flatMap((v) => {
        const real = v.toString(base).length; // "0" has one real digit
        return Array.from({ length: digits }, (_, i) => (i >= digits - real ? 1 : 0));
      });
      expect(Array.from(m)).toEqual(expectedMask);
    }
  });
});

describe('bad input: clear errors naming the value', () => {
  const s = dec(1, 5);
  it('negative, non-integer, NaN, ±Infinity', () => {
    expect(() => toDigits(-1, s)).toThrow(/-1.*negative/);
    expect(() => toDigits(2.5, s)).toThrow(/2\.5.*not an integer/);
    expect(() => toDigits(NaN, s)).toThrow(/NaN/);
    expect(() => toDigits(Infinity, s)).toThrow(/Infinity.*not finite/);
    expect(() => toDigits(-Infinity, s)).toThrow(/-Infinity.*not finite/);
    expect(() => toDigits([3, -4], dec(2, 2))).toThrow(/-4/);
    expect(() => encodeBatch([1, 2, 0.5], s)).toThrow(/0\.5/);
  });
  it('a position the digit budget cannot hold', () => {
    expect(() => toDigits(100000, s)).toThrow(/100000.*5 base-10 digits.*99999/);
    expect(() => toDigits([100, 3], dec(2, 2))).toThrow(/100/);
    expect(() => toDigits(16, { dims: 1, digits: 4, base: 2 })).toThrow(/16/);
  });
  it('wrong or mixed dimensionality', () => {
    expect(() => toDigits([1, 2], s)).toThrow(/2 dimension\(s\); expected 1/);
    expect(() => encodeBatch([[1, 2], [3]], dec(2, 2))).toThrow(/mixed dimensionality.*position 1/);
    expect(() => encodeBatch([1, [2, 3]], s)).toThrow(/mixed dimensionality/);
  });
  it('base < 2 or not an integer', () => {
    expect(() => digitCount(10, 1)).toThrow(/base.*1/);
    expect(() => specFor(10, 1, 0)).toThrow(/base.*0/);
    expect(() => specFor(10, 1, 2.5)).toThrow(/base.*2\.5/);
    expect(() => toDigits(3, { dims: 1, digits: 3, base: 1 })).toThrow(/base.*1/);
    expect(() => fromDigits([0, 1], { dims: 1, digits: 2, base: 1.5 })).toThrow(/base.*1\.5/);
  });
  it('bad maxPosition, dims, digits, and digit symbols', () => {
    expect(() => digitCount(0)).toThrow(/maxPosition.*0/);
    expect(() => specFor(-5, 2)).toThrow(/maxPosition.*-5/);
    expect(() => specFor(NaN)).toThrow(/maxPosition.*NaN/);
    expect(() => specFor(100, 0)).toThrow(/dims.*0/);
    expect(() => toDigits(3, { dims: 1, digits: 0, base: 10 })).toThrow(/digits.*0/);
    expect(() => fromDigits([0, 12], dec(1, 2))).toThrow(/12/);
    expect(() => fromDigits([0, 1, 2], dec(1, 2))).toThrow(/length 3/);
  });
});
