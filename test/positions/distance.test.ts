import { describe, expect, it } from 'vitest';
import { absDistance, distance, nearestIndex, squaredDistance } from '../../src/positions/distance';
import { Rng } from '../../src/util/rng';

describe('distances', () => {
  it('1-D: |7 − 3| = 4, squared 16; plain numbers and [t] agree', () => {
    expect(absDistance(7, 3)).toBe(4);
    expect(absDistance(3, 7)).toBe(4);
    expect(squaredDistance(3, 7)).toBe(16);
    expect(distance(3, 7)).toBe(4);
    expect(squaredDistance([3], 7)).toBe(16);
  });
  it('2-D: (0,0)–(3,4) is the 3-4-5 triangle; 3-D: (1,2,3)–(4,6,15) → 9+16+144 = 169 = 13²', () => {
    expect(squaredDistance([0, 0], [3, 4])).toBe(25);
    expect(distance([0, 0], [3, 4])).toBe(5);
    expect(squaredDistance([1, 2, 3], [4, 6, 15])).toBe(169);
    expect(distance([1, 2, 3], [4, 6, 15])).toBe(13);
  });
  it('the paper\'s Fig. 1 example: pivot (6,7) is nearest to (5,5), not (3,4) or (6,70)', () => {
    // (6,7)-(3,4): 9+9 = 18; (6,7)-(6,70): 63² = 3969; (6,7)-(5,5): 1+4 = 5
    expect(nearestIndex([6, 7], [[3, 4], [6, 70], [5, 5]])).toBe(2);
  });
  it('nearestIndex breaks ties towards the first candidate (argmin)', () => {
    expect(nearestIndex(10, [13, 7, 12, 8])).toBe(2); // 9, 9, 4, 4 → first of the 4s
    expect(nearestIndex([0, 0], [[1, 0], [0, 1]])).toBe(0);
  });
  it('metric properties over random draws: symmetry, d = √d², triangle inequality, zero iff equal', () => {
    const rng = new Rng(3);
    for (let i = 0; i < 3000; i++) {
      const dims = rng.int(1, 4);
      const pt = () => Array.from({ length: dims }, () => rng.int(0, 1000));
      const [a, b, c] = [pt(), pt(), pt()];
      expect(squaredDistance(a, b)).toBe(squaredDistance(b, a));
      expect(distance(a, b)).toBeCloseTo(Math.sqrt(squaredDistance(a, b)), 12);
      expect(distance(a, c)).toBeLessThanOrEqual(distance(a, b) + distance(b, c) + 1e-9);
      expect(squaredDistance(a, a)).toBe(0);
      if (a.some((v, k) => v !== b[k])) expect(squaredDistance(a, b)).toBeGreaterThan(0);
      if (dims === 1) expect(absDistance(a[0], b[0])).toBe(distance(a, b));
    }
  });
  it('rejects mismatched dimensionality, non-finite coordinates and empty inputs', () => {
    expect(() => squaredDistance([1, 2], [1])).toThrow(/dimensionality/);
    expect(() => squaredDistance([1, NaN], [1, 2])).toThrow(/NaN/);
    expect(() => absDistance(Infinity, 2)).toThrow(/Infinity/);
    expect(() => squaredDistance([], [])).toThrow(/empty/);
    expect(() => nearestIndex(1, [])).toThrow(/no candidates/);
  });
});
